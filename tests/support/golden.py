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
from pathlib import Path

from pipelines.corpus import FixtureItem, fixture_items, parse_fixture
from transforms.crosswalks import map_item
from transforms.model import DERIVED_FIELDS, Record

__all__ = ["FixtureItem", "assert_golden", "fixture_items", "map_fixture", "parse_fixture"]

DATA = Path(__file__).resolve().parent.parent / "data" / "crosswalks"
# crosswalk goldens hold what the mapping gives; the normalised fields have their own tests
_SKIPPED = frozenset({"record_id", "content_hash", "raw_sha256", *DERIVED_FIELDS})


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
