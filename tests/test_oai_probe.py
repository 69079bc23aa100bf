"""`harvesters.oai.probe`: onboarding a repository, against the demo server, a server that
ignores from/until, a misbehaving one, and recorded Zenodo answers."""

from __future__ import annotations

import random
import tomllib
from pathlib import Path

import pytest

from harvesters.oai import NotOAIResponse, OAIClient, RetryPolicy
from harvesters.oai.probe import PREFERRED_PREFIXES, ProbeReport, probe, to_toml_entry
from pipelines.demo.server import DemoServer, all_set_specs, load_sample
from pipelines.registry import load_sources
from tests.support.cassettes import ReplayServer, load_cassette
from tests.support.corpus import corpus_path
from tests.support.fault_server import Fault, FaultServer, make_records


def client_factory(url: str) -> OAIClient:
    return OAIClient(url, retry=RetryPolicy(backoff_base_s=0.001, rng=random.Random(2)))


def run(url: str, **options: object) -> ProbeReport:
    return probe(url, client_factory=client_factory, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def demo_report() -> ProbeReport:
    with DemoServer(page_size=50) as server:
        report = run(server.base_url)
        assert report.base_url == server.base_url
    return report


def test_demo_repository_is_described(demo_report: ProbeReport) -> None:
    r = demo_report
    assert r.repository_name == "oer-pipeline demo repository"
    assert (r.granularity, r.deleted_record) == ("YYYY-MM-DDThh:mm:ssZ", "persistent")
    assert r.earliest_datestamp == "2019-01-12T17:58:30Z"
    assert [f.prefix for f in r.formats] == ["oai_dc"] and r.preferred_prefix == "oai_dc"
    assert r.sets_count == len(all_set_specs(load_sample())) and r.sets_complete
    assert len(r.sets) == 20 and r.sets[0].name
    assert (r.page_size, r.complete_list_size, r.size_estimate) == (50, 360, 360)
    assert (r.from_filters, r.until_filters) == (True, True)
    assert r.notes == [] and r.requests == 6


def test_demo_toml_entry_is_a_valid_registry_entry(
    demo_report: ProbeReport, tmp_path: Path
) -> None:
    entry = to_toml_entry(demo_report, "demo-probe")
    assert entry.startswith("[sources.demo-probe]\n")
    path = tmp_path / "sources.toml"
    path.write_text(entry)
    source = load_sources(path)["demo-probe"]
    assert (source.kind, source.endpoint, source.metadata_prefix) == (
        "oai-pmh", demo_report.base_url, "oai_dc"
    )  # fmt: skip
    assert source.sets == () and source.enabled and source.schedule == "0 3 * * *"
    assert "~360 records" in source.notes and "from filters: yes" in source.notes


def test_day_granularity_repository() -> None:
    with DemoServer(page_size=100, granularity="YYYY-MM-DD") as server:
        report = run(server.base_url)
    assert report.granularity == "YYYY-MM-DD"
    assert (report.from_filters, report.until_filters) == (True, True)
    assert any("day granularity" in note for note in report.notes)


def test_a_server_that_ignores_from_and_until_is_caught() -> None:
    with FaultServer(make_records(30), page_size=10, ignore_from_until=True) as server:
        report = run(server.base_url)
    assert (report.from_filters, report.until_filters) == (False, False)
    assert any(n.startswith("from is ignored") for n in report.notes)
    assert any(n.startswith("until is ignored") for n in report.notes)
    assert "from filters: NO" in to_toml_entry(report, "x")


def test_the_same_server_honouring_from_and_until_passes() -> None:
    # the control for the test above
    records = make_records(30)
    with FaultServer(records, page_size=10) as server:
        report = run(server.base_url)
        deeper = run(server.base_url, sample_pages=3)
    assert (report.from_filters, report.until_filters) == (True, True)
    assert report.deleted_seen == 1  # record 7 of the first page
    assert report.newest_datestamp_seen == records[9]["datestamp"]
    assert (deeper.deleted_seen, deeper.newest_datestamp_seen) == (3, records[29]["datestamp"])
    assert (deeper.from_filters, deeper.until_filters) == (True, True)


def test_odd_behaviour_is_noted_and_does_not_stop_the_probe() -> None:
    faults = [
        Fault("status", verb="Identify", status=503, retry_after="0"),
        Fault("content_type", verb="ListMetadataFormats", content_type="text/plain"),
        Fault("html", verb="ListSets"),
    ]
    with FaultServer(make_records(30), page_size=10, faults=faults) as server:
        report = run(server.origin + "/moved")
    notes = "\n".join(report.notes)
    assert "redirects (1x) to " + server.base_url in notes
    assert "ListSets failed: not_oai_response: HTML page" in notes
    assert "1 request(s) had to be retried (http_503)" in notes
    assert "warning seen: unexpected_content_type" in notes
    assert report.sets_count is None and report.page_size == 10
    assert (report.from_filters, report.until_filters) == (True, True)


def test_a_web_page_is_not_an_endpoint() -> None:
    with (
        FaultServer(make_records(3), faults=[Fault("html", verb="Identify")]) as server,
        pytest.raises(NotOAIResponse) as caught,
    ):
        run(server.base_url)
    assert caught.value.reason == "HTML page"


def test_zenodo_recorded_answers() -> None:
    interactions = [
        interaction
        for name in ("identify", "list_metadata_formats", "list_sets", "list_identifiers")
        for interaction in load_cassette(corpus_path("zenodo-oaipmh-scythe", f"{name}.yaml"))
    ]
    with ReplayServer(interactions) as server:
        report = run(server.url_for("https://zenodo.org/oai2d"))
    assert (report.repository_name, report.deleted_record) == ("Zenodo", "no")
    assert len(report.formats) == 8 and report.preferred_prefix == "oai_datacite"
    assert report.sets_count == 10 and report.sets[5].spec == "user-young-bds"
    assert (report.sample_prefix, report.page_size) == ("oai_dc", 3)
    assert report.size_estimate == report.complete_list_size == 8084640
    assert report.deleted_seen == 1
    # the cassette holds no answer for the from/until checks: unknown, and said so
    assert (report.from_filters, report.until_filters) == (None, None)
    assert any(n.startswith("the from check failed") for n in report.notes)
    assert any(
        "Identify names a different baseURL: https://zenodo.org/oai2d" in n for n in report.notes
    )
    assert any(n.startswith("deletedRecord=no") for n in report.notes)
    entry = tomllib.loads(to_toml_entry(report, "zenodo", metadata_prefix="oai_dc"))
    assert entry["sources"]["zenodo"]["metadata_prefix"] == "oai_dc"
    assert "also offers marcxml" in entry["sources"]["zenodo"]["notes"]


def test_toml_strings_and_keys_are_escaped() -> None:
    report = ProbeReport(
        base_url='http://h/oai?x="1"',
        repository_name='The "Open" \\ Library\nof\tthings\x01',
        notes=["a note"],
    )
    text = to_toml_entry(report, "my source", enabled=False, schedule="0 1 * * 0")
    parsed = tomllib.loads(text)["sources"]["my source"]
    assert parsed["endpoint"] == 'http://h/oai?x="1"'
    assert parsed["notes"].startswith('The "Open" \\ Library\nof\tthings\x01; ')
    assert parsed["enabled"] is False and parsed["metadata_prefix"] == "oai_dc"
    assert parsed["schedule"] == "0 1 * * 0"


def test_preferred_order_is_richest_first() -> None:
    assert PREFERRED_PREFIXES[0] == "oai_lom" and PREFERRED_PREFIXES[-1] == "oai_dc"
    assert PREFERRED_PREFIXES.index("datacite") < PREFERRED_PREFIXES.index("mods")
