"""The gold sets of tests/data/classification (labels by reading; see LABELLING.md) are well
formed, and every locator resolves to a live record of the corpus (pipelines/corpus.py)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from pipelines.corpus import CorpusReader
from tests.support.corpus import corpus_path
from vocabularies.action_areas import SLUGS

GOLD = sorted((Path(__file__).resolve().parent / "data" / "classification").glob("gold_*.jsonl"))


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@cache
def reader() -> CorpusReader:
    return CorpusReader(corpus_path())


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.name)
def test_gold_lines_are_well_formed(path: Path) -> None:
    rows = lines(path)
    assert rows
    keys = [(r["corpus"], r["identifier"]) for r in rows]
    assert len(set(keys)) == len(keys)
    for r in rows:
        assert set(r) == {"corpus", "identifier", "sdgs", "targets", "action_areas", "note"}
        assert all(isinstance(g, int) and 1 <= g <= 17 for g in r["sdgs"]), r
        assert r["sdgs"] == sorted(set(r["sdgs"])), r
        assert all(int(t.split(".")[0]) in r["sdgs"] for t in r["targets"]), r
        assert set(r["action_areas"]) <= set(SLUGS), r
        assert r["note"].strip(), r


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.name)
def test_every_gold_record_resolves_to_a_mapped_record_with_a_title(path: Path) -> None:
    for r in lines(path):
        record = reader().record(r["corpus"], r["identifier"])
        assert record is not None, r
        assert record.titles and not record.deleted, r


def test_gold_sets_hold_at_least_300_records() -> None:
    assert sum(len(lines(p)) for p in GOLD) >= 300
