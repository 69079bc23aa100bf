"""Every format we map, harvested end to end from a local OAI-PMH server into `resources`.

The server (tests/support/formats_repository.py) offers oai_dc plus LOM, OpenAIRE, DataCite,
MODS, MARCXML and qualified DC, each item in its own format built from the golden fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.demo.server import DemoServer
from pipelines.formats import FORMAT_PREFERENCE
from pipelines.harvest import HarvestOptions, HarvestResult, harvest_source
from pipelines.registry import adhoc_source
from tests.support.formats_repository import FORMATS, UNTITLED, Expected, build

PREFIXES = [f.prefix for f in FORMATS]


@dataclass
class Site:
    url: str
    expected: list[Expected]
    tmp: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    records, formats, expected = build()
    with DemoServer(records, page_size=20, formats=formats) as server:
        yield Site(server.base_url, expected, tmp_path_factory.mktemp("formats"))


@pytest.fixture(scope="module")
def harvested(site: Site) -> dict[str, tuple[HarvestResult, Path]]:
    runs = {}
    for prefix in [*PREFIXES, "oai_dc"]:
        db = site.tmp / f"{prefix}.duckdb"
        source = adhoc_source(site.url, prefix)
        runs[prefix] = (harvest_source(source, db=db, options=HarvestOptions(mode="full")), db)
    return runs


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.mark.parametrize("fmt", FORMATS, ids=PREFIXES)
def test_each_format_lands_every_record_with_its_crosswalk_and_a_title(fmt, site, harvested):
    result, db = harvested[fmt.prefix]
    mine = [e for e in site.expected if e.prefix == fmt.prefix]
    deleted_elsewhere = [e for e in site.expected if e.deleted and e.prefix != fmt.prefix]
    assert (result.status, result.failed) == ("ok", 0)
    assert result.records == len(mine) + len(deleted_elsewhere)
    landed = {
        oai_id: (deleted, crosswalk, n_titles, codes)
        for oai_id, deleted, crosswalk, n_titles, codes in rows(
            db,
            "SELECT oai_identifier, deleted, crosswalk, len(titles), [i.code FOR i IN issues] "
            "FROM resources",
        )
    }
    assert len(landed) == result.records
    for e in mine:
        deleted, crosswalk, n_titles, codes = landed[e.identifier]
        assert deleted == e.deleted, e
        if e.deleted:
            continue
        assert crosswalk == fmt.crosswalk, e
        if e.fixture in UNTITLED:
            assert n_titles == 0 and "missing_title" in codes, e
        else:
            assert n_titles > 0, e


def test_oai_dc_is_offered_for_every_item(site, harvested):
    result, db = harvested["oai_dc"]
    assert (result.status, result.records) == ("ok", len(site.expected))
    assert rows(db, "SELECT DISTINCT crosswalk FROM resources WHERE NOT deleted") == [("oai_dc",)]


def test_rich_formats_fill_the_educational_fields(harvested):
    _, lom = harvested["oai_lom"]
    # (Agrega's LOM-ES contexts are settings such as "classroom", not levels: no levels here)
    (audiences, types, ages, durations) = rows(
        lom,
        "SELECT count(*) FILTER (len(audiences) > 0), "
        "count(*) FILTER (list_bool_or([t.uri IS NOT NULL FOR t IN learning_resource_types])), "
        "count(*) FILTER (len(typical_age_ranges) > 0), count(*) FILTER (duration IS NOT NULL) "
        "FROM resources WHERE NOT deleted",
    )[0]
    assert min(audiences, types, ages, durations) > 0
    _, datacite = harvested["oai_datacite"]
    assert rows(
        datacite,
        "SELECT count(*) FILTER (len(related) > 0) > 0, count(*) FILTER (len(funders) > 0) > 0, "
        "count(*) FILTER (list_bool_or([starts_with(c.identifier, 'https://orcid.org/') "
        "FOR c IN creators])) > 0 FROM resources WHERE NOT deleted",
    ) == [(True, True, True)]


def test_coverage_is_recorded_per_run_and_shows_mapping_gaps(harvested):
    for prefix, (result, db) in harvested.items():
        statuses = dict(
            rows(
                db,
                "SELECT status, sum(elements) FROM v_crosswalk_coverage WHERE run_id = ? "
                "GROUP BY ALL",
                [result.run_id],
            )
        )
        assert statuses.get("mapped", 0) > 0, prefix
        assert set(statuses) <= {"mapped", "dropped", "unknown"}
    # the DPLA hub element MODS does not define is a visible gap
    _, mods = harvested["mods"]
    assert ("contribState",) in rows(
        mods, "SELECT path FROM v_crosswalk_coverage WHERE status = 'unknown'"
    )


def test_auto_picks_the_richest_format_and_a_pinned_change_forces_a_full_run(site):
    db = site.tmp / "auto.duckdb"
    auto = harvest_source(adhoc_source(site.url, "auto"), db=db)
    assert FORMAT_PREFERENCE[0] == "lom"
    assert auto.status == "ok"
    ((prefix, reason),) = rows(
        db, "SELECT metadata_prefix, metadata_prefix_reason FROM harvest_state"
    )
    assert prefix == "oai_lom"
    assert "oai_dc" in reason and "mods" in reason  # the offered formats are named
    assert rows(db, "SELECT DISTINCT metadata_prefix FROM harvest_runs") == [("oai_lom",)]
    again = harvest_source(adhoc_source(site.url, "auto"), db=db)
    assert rows(db, "SELECT mode FROM harvest_runs WHERE run_id = ?", [again.run_id]) == [
        ("incremental",)
    ]
    pinned = harvest_source(adhoc_source(site.url, "mods"), db=db)
    assert "format_changed" in pinned.issues
    assert rows(
        db, "SELECT mode, metadata_prefix FROM harvest_runs WHERE run_id = ?", [pinned.run_id]
    ) == [("full", "mods")]


def test_listmetadataformats_failure_keeps_the_previous_format(site, tmp_path):
    from pipelines.formats import choose_format

    class Broken:
        def list_metadata_formats(self):
            from harvesters.oai import NotOAIResponse

            raise NotOAIResponse("HTML page", url=site.url)

    kept = choose_format("auto", Broken(), previous_prefix="mods")  # type: ignore[arg-type]
    assert kept.prefix == "mods" and kept.issues[0]["code"] == "format_fallback"
    floor = choose_format("auto", Broken())  # type: ignore[arg-type]
    assert floor.prefix == "oai_dc"
