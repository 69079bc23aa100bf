"""Golden-record tests: fixture files → harvested items → Records, compared with JSON.

A golden file `tests/data/crosswalks/<format>/<name>.json` holds one object per record of
the fixture, keyed by OAI identifier, with every non-empty model field (ids, hashes and
raw keys left out: they follow from the rest). `assert_golden` compares field by field so
a failure names the field. Goldens are written by hand or with UPDATE_GOLDEN=1 and then
*read and checked against the source file* before they are committed.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from harvesters.oai.hygiene import declare_missing_prefixes
from transforms.crosswalks import map_item
from transforms.model import DERIVED_FIELDS, Record

DATA = Path(__file__).resolve().parent.parent / "data" / "crosswalks"
# crosswalk goldens hold what the mapping gives; the normalised fields have their own tests
_SKIPPED = frozenset({"record_id", "content_hash", "raw_sha256", *DERIVED_FIELDS})
_XML_DECL = re.compile(rb"<\?xml\s[^>]*\?>")


@dataclass
class FixtureItem:
    """Same shape as harvesters.oai.parse.RecordItem, for fixture files."""

    identifier: str
    datestamp: str
    set_specs: list[str]
    deleted: bool
    metadata: etree._Element | None
    raw: bytes
    about: list = field(default_factory=list)


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def parse_fixture(content: bytes) -> list[etree._Element]:
    """Roots of a fixture file; several XML documents concatenated in one file are split."""
    starts = [m.start() for m in _XML_DECL.finditer(content)]
    chunks = (
        [content[a:b] for a, b in zip(starts, [*starts[1:], len(content)], strict=True)]
        if len(starts) > 1
        else [content]
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    roots = []
    for chunk in chunks:
        root, _, _ = declare_missing_prefixes(chunk.strip(), lambda b: etree.fromstring(b, parser))
        roots.append(root)
    return roots


def fixture_items(path: Path) -> list[FixtureItem]:
    """OAI `<record>`s in the file (any wrapper), or the file's root as one bare metadata record."""
    items: list[FixtureItem] = []
    for root in parse_fixture(path.read_bytes()):
        records = [el for el in root.iter() if _local(el.tag) == "record" and _has(el, "header")]
        if not records:
            items.append(FixtureItem(path.stem, "", [], False, root, etree.tostring(root)))
            continue
        for rec in records:
            header = next(c for c in rec if _local(c.tag) == "header")
            meta = next((c for c in rec if _local(c.tag) == "metadata"), None)
            payload = (
                next((c for c in meta if isinstance(c.tag, str)), None)
                if meta is not None
                else None
            )
            items.append(
                FixtureItem(
                    identifier=_text(header, "identifier"),
                    datestamp=_text(header, "datestamp"),
                    set_specs=[
                        (c.text or "").strip() for c in header if _local(c.tag) == "setSpec"
                    ],
                    deleted=header.get("status") == "deleted",
                    metadata=payload,
                    raw=etree.tostring(rec),
                )
            )
    return items


def _has(el: etree._Element, name: str) -> bool:
    return any(_local(c.tag) == name for c in el)


def _text(el: etree._Element, name: str) -> str:
    found = next((c for c in el if _local(c.tag) == name), None)
    return (found.text or "").strip() if found is not None else ""


def map_fixture(path: Path, source: str = "golden", prefix: str = "fixture") -> list[Record]:
    return [map_item(source, prefix, item, "0" * 64) for item in fixture_items(path)]


def record_fields(record: Record) -> dict:
    """Every non-empty field of the record (JSON-ready), ids and hashes left out."""
    out = {}
    for name in record.__slots__:  # type: ignore[attr-defined]
        value = getattr(record, name)
        if name in _SKIPPED or value in (None, [], "", False):
            continue
        out[name] = value
    return out


def assert_golden(records: list[Record], golden: Path) -> None:
    """Compare records with the golden JSON field by field; UPDATE_GOLDEN=1 rewrites it."""
    actual = {r.oai_identifier: record_fields(r) for r in records}
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    expected = json.loads(golden.read_text())
    assert sorted(actual) == sorted(expected), "records differ"
    for oai_id, fields in expected.items():
        got = json.loads(json.dumps(actual[oai_id]))  # tuples → lists, as in the JSON
        for name in sorted(set(fields) | set(got)):
            assert got.get(name) == fields.get(name), f"{oai_id}: field {name!r} differs"
