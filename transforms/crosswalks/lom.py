"""lom → Record (placeholder: the crosswalk is being written)."""

from __future__ import annotations

from lxml import etree

from transforms.model import Record

NAME = "lom"
NAMESPACES: tuple[str, ...] = ()
ROOT_NAMES: tuple[str, ...] = ()
PREFIXES: tuple[str, ...] = ()
MAPPED: frozenset[str] = frozenset()
DROPPED: frozenset[str] = frozenset()


def map_metadata(record: Record, metadata: etree._Element) -> None:
    raise NotImplementedError("lom crosswalk not written yet")
