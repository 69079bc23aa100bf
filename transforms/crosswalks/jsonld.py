"""schema.org / LRMI / AMB JSON-LD → Record (placeholder: the crosswalk is being written)."""

from __future__ import annotations

from typing import Any

from transforms.model import Record

NAME = "jsonld"
MAPPED: frozenset[str] = frozenset()
DROPPED: frozenset[str] = frozenset()


def map_jsonld(record: Record, obj: dict[str, Any]) -> None:
    raise NotImplementedError("jsonld crosswalk not written yet")
