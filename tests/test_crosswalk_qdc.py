"""Qualified DC crosswalk: golden records from DPLA hub fixtures, refinements, odd namespaces."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.support.corpus import corpus_path
from tests.support.golden import DATA, FixtureItem, assert_golden, map_fixture
from transforms.crosswalks import DECLARATIONS, map_item
from transforms.crosswalks.coverage import Tally

FIXTURES = ("in", "il", "scdl", "ohio", "wi", "vt")  # vt: a bare <record> of DC and DCMI terms


@pytest.mark.parametrize("name", FIXTURES)
def test_dpla_qdc_fixture_matches_its_golden_record(name: str) -> None:
    records = map_fixture(corpus_path(f"dpla-ingestion3/{name}.xml"), prefix="oai_qdc")
    assert [r.crosswalk for r in records] == ["qdc"]
    assert all(r.titles for r in records)
    assert_golden(records, DATA / "qdc" / f"{name}.json")


def _qdc(body: str, root: str = "oai_qdc:qualifieddc") -> etree._Element:
    return etree.fromstring(
        f'<{root} xmlns:oai_qdc="http://worldcat.org/xmlschemas/qdc-1.0/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">'
        f"{body}</{root}>"
    )


def _map(metadata: etree._Element, tally: Tally | None = None):
    item = FixtureItem("oai:x:1", "2024-01-01", [], False, metadata, b"<r/>")
    return map_item("s", "qdc", item, "0" * 64, tally)


def test_refinements_fill_the_rich_fields() -> None:
    record = _map(
        _qdc(
            "<dcterms:alternative>Alt</dcterms:alternative><dc:title>Main</dc:title>"
            "<dcterms:issued>2020-05-01</dcterms:issued><dcterms:modified>2021</dcterms:modified>"
            "<dcterms:isPartOf>https://doi.org/10.1234/Series</dcterms:isPartOf>"
            "<dcterms:hasVersion>https://example.org/v2</dcterms:hasVersion>"
            "<dcterms:license>https://creativecommons.org/licenses/by/4.0/</dcterms:license>"
            "<dcterms:educationLevel xml:lang='en'>Higher education</dcterms:educationLevel>"
            "<dcterms:audience>teacher</dcterms:audience>"
            "<dcterms:extent>45 min</dcterms:extent><dcterms:extent>12 p.</dcterms:extent>"
            "<dcterms:abstract>&lt;p&gt;An &lt;b&gt;abstract&lt;/b&gt;&lt;/p&gt;</dcterms:abstract>"
        )
    )
    assert [t["value"] for t in record.titles] == ["Main", "Alt"]  # main title first
    assert [(d["iso"], d["kind"]) for d in record.dates] == [
        ("2020-05-01", "issued"),
        ("2021", "modified"),
    ]
    assert [(r["kind"], r["scheme"], r["normalized"]) for r in record.related] == [
        ("isPartOf", "doi", "10.1234/series"),
        ("hasVersion", "url", "https://example.org/v2"),
    ]
    assert record.rights == ["https://creativecommons.org/licenses/by/4.0/"]
    assert record.education_levels == [{"value": "Higher education", "lang": "en"}]
    assert record.audiences == [{"value": "teacher", "lang": None}]
    assert record.duration == {"raw": "45 min", "iso": "PT45M"}
    assert record.formats == ["12 p."]
    assert record.descriptions == [{"value": "An abstract", "lang": None}]
    assert record.originals == [
        {"field": "descriptions", "index": 0, "value": "<p>An <b>abstract</b></p>"}
    ]


def test_no_namespace_root_and_elements_map_by_name_with_an_issue() -> None:
    record = _map(
        etree.fromstring("<qualifieddc><title>T</title><creator>C</creator></qualifieddc>")
    )
    assert record.crosswalk == "qdc"
    assert record.titles == [{"value": "T", "lang": None}]
    assert record.creators == [
        {"name": "C", "identifier": None, "role": None, "affiliation": None, "affiliation_id": None}
    ]
    assert "nonstandard_namespace" in {i["code"] for i in record.issues}


def test_empty_elements_are_skipped_and_a_missing_title_reported() -> None:
    record = _map(_qdc("<dc:title/><dc:title>   </dc:title><dcterms:issued/>"))
    assert record.titles == [] and record.dates == []
    assert [i["code"] for i in record.issues] == ["missing_title"]


def test_coverage_counts_mapped_dropped_and_unknown_elements() -> None:
    tally = Tally()
    _map(
        _qdc(
            "<dc:title>T</dc:title><dcterms:rightsHolder>X</dcterms:rightsHolder>"
            "<dcterms:whatever>?</dcterms:whatever>"
        ),
        tally,
    )
    assert {(r["path"], r["status"]) for r in tally.rows(DECLARATIONS)} == {
        ("title", "mapped"),
        ("rightsHolder", "dropped"),
        ("whatever", "unknown"),
    }
