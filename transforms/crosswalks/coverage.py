"""Crosswalk coverage: which input element paths a crosswalk maps, drops, or does not know.

Each crosswalk module declares `MAPPED` and `DROPPED`: element paths below the metadata
root by local names ("titleInfo/title"); a path covers everything beneath it. Every other
path met in the input is `unknown`, a mapping gap. `Tally` counts paths over a batch with
a cheap walk of the parsed tree, so a new source's gaps show after its first harvest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

MAPPED, DROPPED, UNKNOWN = "mapped", "dropped", "unknown"
Declaration = tuple[frozenset[str], frozenset[str]] | Callable[[str], str]
_MAX_DEPTH = 12  # deeper paths are counted at this depth: bounded output for odd inputs
_LOCAL_NAMES: dict[object, str] = {}  # Clark tag → local name


def xml_paths(root: etree._Element) -> Counter[str]:
    """Occurrences of each element path below `root` (local names joined by '/')."""
    found: list[str] = []  # counted at the end by Counter's C loop: same order, same counts
    append = found.append
    names = _LOCAL_NAMES
    stack: list[tuple[etree._Element, str, int]] = [(root, "", 0)]
    while stack:
        el, prefix, depth = stack.pop()
        deeper = depth < _MAX_DEPTH
        base = f"{prefix}/" if prefix else ""
        for c in el:
            tag = c.tag
            name = names.get(tag)
            if name is None:
                if not isinstance(tag, str):  # comments, processing instructions
                    continue
                name = tag.rpartition("}")[2]
                if len(names) < 10_000:  # tags repeat; odd inputs must not grow it forever
                    names[tag] = name
            path = base + name
            append(path)
            if deeper and len(c):
                stack.append((c, path, depth + 1))
    return Counter(found)


def json_paths(obj: Any) -> Counter[str]:
    """Occurrences of each key path in a JSON-LD object ('@id' and 'id' alike as 'id')."""
    found: list[str] = []
    append = found.append
    stack: list[tuple[Any, str, int]] = [(obj, "", 0)]
    while stack:
        value, prefix, depth = stack.pop()
        if isinstance(value, list):
            stack.extend((v, prefix, depth) for v in value)
            continue
        if not isinstance(value, dict):
            continue
        deeper = depth < _MAX_DEPTH
        base = f"{prefix}/" if prefix else ""
        for key, inner in value.items():
            path = base + (key[1:] if key.startswith("@") else key)
            append(path)
            if deeper and isinstance(inner, dict | list):
                stack.append((inner, path, depth + 1))
    return Counter(found)


def classify(path: str, mapped: frozenset[str], dropped: frozenset[str]) -> str:
    """mapped / dropped / unknown for a path, by its longest declared ancestor (or itself)."""
    probe = path
    while True:
        if probe in mapped:
            return MAPPED
        if probe in dropped:
            return DROPPED
        cut = probe.rfind("/")
        if cut < 0:
            return UNKNOWN
        probe = probe[:cut]


@dataclass
class Tally:
    """Path counts of one batch, per crosswalk: elements (occurrences) and records."""

    elements: Counter[tuple[str, str]] = field(default_factory=Counter)
    records: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, crosswalk: str, paths: Counter[str]) -> None:
        elements, records = self.elements, self.records
        for path, n in paths.items():
            key = (crosswalk, path)
            elements[key] += n
            records[key] += 1

    def rows(self, statuses: dict[str, Declaration]) -> list[dict]:
        """One row per (crosswalk, path) with its status.

        `statuses`: crosswalk → (MAPPED, DROPPED) declarations, or a function path → status
        for formats whose paths are not element names (MARC tags).
        """
        out = []
        for (crosswalk, path), n in sorted(self.elements.items()):
            declared = statuses[crosswalk]
            status = declared(path) if callable(declared) else classify(path, *declared)
            out.append(
                {
                    "crosswalk": crosswalk,
                    "path": path,
                    "status": status,
                    "elements": n,
                    "records": self.records[(crosswalk, path)],
                }
            )
        return out
