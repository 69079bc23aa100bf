"""Whole harvests (`harvest_source`) of recorded real repositories, replayed on 127.0.0.1,
into real DuckDB files: what lands in the warehouse, exactly, and that a second harvest of
the same responses changes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from lxml import etree

from harvesters.oai import OAI_NS
from pipelines.harvest import HarvestOptions, HarvestResult, harvest_source
from pipelines.registry import adhoc_source
from tests.support.cassettes import Interaction, ReplayServer
from tests.support.corpus import corpus_path
from tests.support.replay_harvest import merged, replaying, scrapi_chain
from transforms.model import make_record_id

# The oai_dc chain without from/until: interactions 6, then 10 (by its token), then 9.
ZENODO_PAGES = [
    ["oai:zenodo.org:8435696", "oai:zenodo.org:8435639", "oai:zenodo.org:8433301"],
    ["oai:zenodo.org:8433364", "oai:zenodo.org:8333281", "oai:zenodo.org:8321258"],
    ["oai:zenodo.org:20589672", "oai:zenodo.org:20590449", "oai:zenodo.org:20565714"],
]
ZENODO_IDS = [identifier for page in ZENODO_PAGES for identifier in page]
ZENODO_DELETED = "oai:zenodo.org:8433364"
POCKET_COFFEA = "oai:zenodo.org:8435696"  # first record of page 1, read off the cassette

STATE_TABLES = ("resources", "raw_records", "resource_history")


@dataclass
class Harvested:
    server: ReplayServer
    db: Path
    results: list[HarvestResult]

    @property
    def source(self) -> str:
        return self.results[0].source

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql, params).fetchall()

    def count(self, table: str) -> int:
        return self.query(f"SELECT count(*) FROM {table}")[0][0]

    def harvest_again(self) -> HarvestResult:
        result = harvest_source(
            adhoc_source(self.server.base_url, "oai_dc"), db=self.db, options=REPLAY
        )
        self.results.append(result)
        return result


# A recording answers only the requests it recorded: one unwindowed chain, every time.
REPLAY = HarvestOptions(mode="full", windowed=False)


def harvested(server: ReplayServer, db: Path) -> Harvested:
    first = harvest_source(adhoc_source(server.base_url, "oai_dc"), db=db, options=REPLAY)
    return Harvested(server, db, [first])


def zenodo_interactions() -> list[Interaction]:
    """Zenodo's ListRecords cassette plus its Identify, which lives in identify.yaml."""
    return merged(
        corpus_path("zenodo-oaipmh-scythe", "list_records.yaml"),
        corpus_path("zenodo-oaipmh-scythe", "identify.yaml"),
    )


@pytest.fixture(scope="module")
def zenodo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harvested]:
    with replaying(zenodo_interactions()) as server:
        yield harvested(server, tmp_path_factory.mktemp("zenodo") / "wh.duckdb")


# ----------------------------------------------------------------- Zenodo


def test_zenodo_harvest_asks_identify_then_follows_two_tokens(zenodo: Harvested) -> None:
    seen = [r.params for r in zenodo.server.requests]
    assert [p["verb"] for p in seen] == ["Identify", "ListRecords", "ListRecords", "ListRecords"]
    assert seen[1] == {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    assert [sorted(p) for p in seen[2:]] == [["resumptionToken", "verb"]] * 2
    assert all(r.method == "GET" for r in zenodo.server.requests)


def test_zenodo_harvest_result_counts_nine_new_records_in_three_pages(zenodo: Harvested) -> None:
    result = zenodo.results[0]
    # The recorded chain stops after 9 of the 8,091,628 records Zenodo announced: every
    # record received lands, and the completeness gate says the listing fell short.
    assert result.status == "suspect"
    assert (result.records, result.new, result.updated, result.unchanged) == (9, 9, 0, 0)
    assert (result.deleted, result.failed, result.pages) == (0, 0, 3)
    assert (result.error_code, result.error, result.error_url) == (None, None, None)
    assert result.issues == {"incomplete_list": 1}


def test_zenodo_resources_hold_exactly_the_nine_identifiers(zenodo: Harvested) -> None:
    rows = zenodo.query("SELECT oai_identifier FROM resources ORDER BY oai_identifier")
    assert [r[0] for r in rows] == sorted(ZENODO_IDS)
    assert zenodo.count("raw_records") == 9
    pages = zenodo.query(
        "SELECT page_number, n_items, http_status, complete_list_size FROM raw_pages "
        "ORDER BY page_number"
    )
    assert pages == [(1, 3, 200, 8091628), (2, 3, 200, 8091628), (3, 3, 200, None)]


def test_zenodo_pages_keep_the_records_in_the_order_they_came(zenodo: Harvested) -> None:
    rows = zenodo.query(
        "SELECT p.page_number, list(r.oai_identifier ORDER BY r.oai_identifier) "
        "FROM raw_records r JOIN raw_pages p ON r.page_url = p.url GROUP BY ALL ORDER BY 1"
    )
    assert rows == [(n + 1, sorted(page)) for n, page in enumerate(ZENODO_PAGES)]


def test_zenodo_deleted_record_is_kept_flagged_and_empty(zenodo: Harvested) -> None:
    rows = zenodo.query(
        "SELECT oai_identifier, titles, creators, rights, deleted_at IS NOT NULL, set_specs "
        "FROM resources WHERE deleted"
    )
    assert rows == [(ZENODO_DELETED, [], [], [], True, ["software"])]
    # A record that is new and already deleted counts as new, not as "turned deleted".
    run = zenodo.query(
        "SELECT records_seen, records_new, records_deleted FROM harvest_runs WHERE run_id = ?",
        [zenodo.results[0].run_id],
    )
    assert run == [(9, 9, 0)]


def test_zenodo_run_row_records_the_harvest(zenodo: Harvested) -> None:
    rows = zenodo.query(
        "SELECT source, endpoint, metadata_prefix, set_spec, status, records_seen, "
        "records_failed, pages, bytes, error_code, error_url, finished_at IS NOT NULL "
        "FROM harvest_runs"
    )
    total_bytes = zenodo.query("SELECT sum(size_bytes) FROM raw_pages")[0][0]
    base = zenodo.server.base_url
    assert rows == [
        (zenodo.source, base, "oai_dc", None, "suspect", 9, 0, 3, total_bytes, None, None, True)
    ]
    assert zenodo.source == "url:" + base.removeprefix("http://")
    assert zenodo.query("SELECT code, message FROM run_issues") == [
        (
            "incomplete_list",
            "window 1 listed 9 of the 8091628 records its completeListSize announced",
        )
    ]


def test_zenodo_record_lands_field_by_field(zenodo: Harvested) -> None:
    (row,) = zenodo.query(
        "SELECT record_id, source, metadata_prefix, datestamp, datestamp_iso, deleted, "
        "set_specs, titles, descriptions[1].value[:60], creators, contributors, publishers, "
        "dates, subjects, resource_types, formats, identifiers, languages, rights, "
        "relations, coverage, source_refs, [i.code FOR i IN issues], crosswalk, landing_page, "
        "originals[1].value[:30] "
        "FROM resources WHERE oai_identifier = ?",
        [POCKET_COFFEA],
    )
    assert row == (
        make_record_id(zenodo.source, POCKET_COFFEA),
        zenodo.source,
        "oai_dc",
        "2023-10-12T14:26:07Z",
        "2023-10-12T14:26:07Z",
        False,
        ["user-pyhep2023", "openaire"],
        [
            {
                "value": "PocketCoffea: a configuration layer for CMS analyses with Coffea",
                "lang": None,
            }
        ],
        # the source double-escapes its HTML: decoded and stripped, raw kept in originals
        "A configuration layer for the analysis of CMS data in the Na",
        [
            {
                "name": "Matteo Marchegiani",
                "identifier": None,
                "role": None,
                "affiliation": None,
                "affiliation_id": None,
            }
        ],
        [],
        [
            {
                "name": "Zenodo",
                "identifier": None,
                "role": None,
                "affiliation": None,
                "affiliation_id": None,
            }
        ],
        [{"raw": "2023-10-10", "iso": "2023-10-10", "kind": None}],
        [],
        ["info:eu-repo/semantics/lecture"],
        [],
        [
            {
                "value": "https://doi.org/10.5281/zenodo.8435696",
                "scheme": "doi",
                "normalized": "10.5281/zenodo.8435696",
            },
            {
                "value": "oai:zenodo.org:8435696",
                "scheme": "oai",
                "normalized": "oai:zenodo.org:8435696",
            },
        ],
        [],
        [
            "info:eu-repo/semantics/openAccess",
            "Creative Commons Attribution 4.0 International",
            "https://creativecommons.org/licenses/by/4.0/legalcode",
        ],
        ["https://zenodo.org/communities/pyhep2023/", "https://doi.org/10.5281/zenodo.8435695"],
        [],
        ["PyHEP 2023 Workshop, 9-12 October 2023"],
        ["entities_decoded", "html_stripped"],
        "oai_dc",
        "https://doi.org/10.5281/zenodo.8435696",
        "&lt;p&gt;A configuration layer",
    )


def test_zenodo_record_bookkeeping_names_its_run(zenodo: Harvested) -> None:
    run_id = zenodo.results[0].run_id
    rows = zenodo.query(
        "SELECT first_seen_run, last_seen_run, last_changed_run, deleted_at "
        "FROM resources WHERE oai_identifier = ?",
        [POCKET_COFFEA],
    )
    assert rows == [(run_id, run_id, run_id, None)]
    history = zenodo.query(
        "SELECT change, changed_fields, previous_hash, run_id FROM resource_history h "
        "JOIN resources r USING (record_id) WHERE r.oai_identifier = ?",
        [POCKET_COFFEA],
    )
    assert history == [("new", None, None, run_id)]


def test_raw_payload_is_the_record_xml_and_resources_point_to_it(zenodo: Harvested) -> None:
    ((payload, sha, page_url, first_run),) = zenodo.query(
        "SELECT w.payload, w.payload_sha256, w.page_url, w.first_run_id "
        "FROM resources r JOIN raw_records w ON r.raw_sha256 = w.payload_sha256 "
        "AND r.source = w.source AND r.oai_identifier = w.oai_identifier "
        "WHERE r.oai_identifier = ?",
        [POCKET_COFFEA],
    )
    assert POCKET_COFFEA in payload
    assert hashlib.sha256(payload.encode("utf-8")).hexdigest() == sha
    record = etree.fromstring(payload.encode("utf-8"))
    assert record.tag == f"{{{OAI_NS}}}record"
    assert record.findtext(f"{{{OAI_NS}}}header/{{{OAI_NS}}}identifier") == POCKET_COFFEA
    assert "PyHEP 2023 Workshop" in payload
    assert page_url == zenodo.server.base_url + "?verb=ListRecords&metadataPrefix=oai_dc"
    assert first_run == zenodo.results[0].run_id


def test_every_resource_joins_its_raw_payload(zenodo: Harvested) -> None:
    rows = zenodo.query(
        "SELECT count(*), count(w.payload_sha256) FROM resources r "
        "LEFT JOIN raw_records w ON r.raw_sha256 = w.payload_sha256"
    )
    assert rows == [(9, 9)]


# ----------------------------------------------------------------- scrapi chains


@dataclass(frozen=True)
class Chain:
    cassette: str
    records: int
    pages: int
    requests: int  # Identify included


MLA = Chain("mla.yaml", records=319, pages=13, requests=15)  # 14 ListRecords + Identify
CALPOLY = Chain("calpoly.yaml", records=208, pages=3, requests=4)


@dataclass
class Twice:
    chain: Chain
    harvest: Harvested
    after_first: dict[str, list[tuple]]


def table_state(h: Harvested) -> dict[str, list[tuple]]:
    """Every row of the state tables; a re-harvest may move only resources.last_seen_*."""
    state = {t: h.query(f"SELECT * FROM {t} ORDER BY ALL") for t in STATE_TABLES}
    state["resources"] = h.query(
        "SELECT * EXCLUDE (last_seen_run, last_seen_at) FROM resources ORDER BY ALL"
    )
    return state


@pytest.fixture(scope="module", params=[MLA, CALPOLY], ids=lambda c: c.cassette)
def scrapi_twice(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Twice]:
    chain: Chain = request.param
    interactions = scrapi_chain(corpus_path("scrapi-vcr", chain.cassette))
    with replaying(interactions) as server:
        h = harvested(server, tmp_path_factory.mktemp(chain.cassette) / "wh.duckdb")
        first_requests = len(server.requests)
        state = table_state(h)
        h.harvest_again()
        assert len(server.requests) == 2 * first_requests
        yield Twice(chain, h, state)


def test_scrapi_chain_harvest_is_ok_and_counts_every_record(scrapi_twice: Twice) -> None:
    chain, first = scrapi_twice.chain, scrapi_twice.harvest.results[0]
    assert first.status == "ok"
    assert (first.records, first.new, first.pages) == (chain.records, chain.records, chain.pages)
    assert (first.failed, first.error_code, first.error_url) == (0, None, None)
    assert len(scrapi_twice.harvest.server.requests) == 2 * chain.requests


def test_scrapi_chain_lands_every_record_once(scrapi_twice: Twice) -> None:
    h, n = scrapi_twice.harvest, scrapi_twice.chain.records
    first_run = h.results[0].run_id
    assert h.query("SELECT count(*), count(DISTINCT oai_identifier) FROM resources") == [(n, n)]
    assert h.count("raw_records") == n
    assert h.query("SELECT count(*) FROM raw_pages WHERE run_id = ?", [first_run]) == [
        (scrapi_twice.chain.pages,)
    ]
    assert h.query(
        "SELECT records_seen, status FROM harvest_runs WHERE run_id = ?", [first_run]
    ) == [(n, "ok")]


def test_scrapi_second_harvest_adds_nothing(scrapi_twice: Twice) -> None:
    h, n = scrapi_twice.harvest, scrapi_twice.chain.records
    second = h.results[1]
    assert second.status == "ok"
    assert (second.records, second.new, second.updated, second.unchanged) == (n, 0, 0, n)
    assert (second.deleted, second.failed) == (0, 0)
    assert table_state(h) == scrapi_twice.after_first
    runs = h.query(
        "SELECT records_seen, records_new, records_updated, records_unchanged, pages "
        "FROM harvest_runs ORDER BY started_at"
    )
    pages = scrapi_twice.chain.pages
    assert runs == [(n, n, 0, 0, pages), (n, 0, 0, n, pages)]


def test_scrapi_second_harvest_marks_every_record_seen_again(scrapi_twice: Twice) -> None:
    h = scrapi_twice.harvest
    first, second = (r.run_id for r in h.results)
    rows = h.query(
        "SELECT first_seen_run, last_changed_run, last_seen_run, count(*) FROM resources "
        "GROUP BY ALL"
    )
    assert rows == [(first, first, second, scrapi_twice.chain.records)]
    assert h.query("SELECT DISTINCT change, run_id FROM resource_history") == [("new", first)]


def test_mla_chain_ends_cleanly_on_no_records_match(tmp_path: Path) -> None:
    interactions = scrapi_chain(corpus_path("scrapi-vcr", "mla.yaml"))
    with replaying(interactions) as server:
        h = harvested(server, tmp_path / "wh.duckdb")
        last = server.requests[-1].params
    assert last["verb"] == "ListRecords" and last["resumptionToken"].endswith(":325")
    assert h.results[0].status == "ok"
    assert h.count("run_issues") == 0
    # the noRecordsMatch answer is not a page: 13 pages hold 12 x 25 + 19 records
    assert h.query("SELECT list(n_items ORDER BY page_number) FROM raw_pages") == [
        ([25] * 12 + [19],)
    ]


def test_calpoly_total_equals_complete_list_size(tmp_path: Path) -> None:
    interactions = scrapi_chain(corpus_path("scrapi-vcr", "calpoly.yaml"))
    with replaying(interactions) as server:
        h = harvested(server, tmp_path / "wh.duckdb")
    pages = h.query(
        "SELECT list(n_items ORDER BY page_number), "
        "list(complete_list_size ORDER BY page_number), sum(n_items) FROM raw_pages"
    )
    assert pages == [([100, 100, 8], [208, 208, 208], 208)]  # the empty token too
    assert h.count("resources") == h.results[0].records == 208
