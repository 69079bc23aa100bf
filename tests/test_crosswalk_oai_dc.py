"""oai_dc crosswalk: a real Zenodo record field by field, plus hand-made edge cases."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from tests.support.corpus import corpus_path
from tests.support.golden import DATA, assert_golden, map_fixture
from transforms.crosswalks import DECLARATIONS, map_batch, map_item
from transforms.crosswalks.coverage import Tally
from transforms.model import make_record_id

OAI = "{http://www.openarchives.org/OAI/2.0/}"


@dataclass
class Item:
    identifier: str
    datestamp: str
    set_specs: list[str] = field(default_factory=list)
    deleted: bool = False
    metadata: etree._Element | None = None
    raw: bytes = b""


def item_from_oai_record(record: etree._Element) -> Item:
    header = record.find(f"{OAI}header")
    assert header is not None
    metadata = record.find(f"{OAI}metadata")
    return Item(
        identifier=header.findtext(f"{OAI}identifier") or "",
        datestamp=header.findtext(f"{OAI}datestamp") or "",
        set_specs=[s.text or "" for s in header.findall(f"{OAI}setSpec")],
        deleted=header.get("status") == "deleted",
        metadata=metadata[0] if metadata is not None else None,
        raw=etree.tostring(record),
    )


def dc(body: str) -> etree._Element:
    return etree.fromstring(
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/">{body}</oai_dc:dc>'
    )


def test_zenodo_record_maps_every_element() -> None:
    path = corpus_path("zenodo-oaipmh-scythe", "extracted", "get_record", "03_GetRecord_oai_dc.xml")
    root = etree.fromstring(path.read_bytes())
    record = map_item("zenodo", "oai_dc", item_from_oai_record(root.find(f".//{OAI}record")), "x")

    assert record.record_id == make_record_id("zenodo", "oai:zenodo.org:10357859")
    assert record.oai_identifier == "oai:zenodo.org:10357859"
    assert (record.datestamp, record.datestamp_iso) == ("2023-12-11T17:26:46Z",) * 2
    assert record.set_specs == ["software", "user-rdmo"]
    assert record.titles == [{"value": "Research Data Management Organiser (RDMO)", "lang": None}]
    assert [c["name"] for c in record.creators] == [
        "Klar, Jochen", "Michaelis, Olaf", "Wallace, David", "Schröder, Max",
        "Fütterer, Heinz-Alexander", "Lanza, Giacomo", "Martínez Muñoz, David",
        "Pilori, Dario", "Harry, Enke",
    ]  # fmt: skip
    assert record.dates == [{"raw": "2023-12-11", "iso": "2023-12-11", "kind": None}]
    assert len(record.descriptions) == 2
    # Zenodo double-escapes its HTML: decoded and stripped to text, the raw value kept.
    assert record.descriptions[0]["value"].startswith("RDMO 2.1.0 (Dec 11, 2023)\nRefactor")
    assert "<" not in record.descriptions[0]["value"]
    assert record.originals[0]["field"] == "descriptions"
    assert record.originals[0]["index"] == 0
    assert record.originals[0]["value"].startswith("&lt;h2&gt;&lt;a href=")
    assert {i["code"] for i in record.issues} >= {"html_stripped", "entities_decoded"}
    assert record.descriptions[1]["value"] == (
        "If you refer to this software in a publication, please cite it as below."
    )
    assert record.identifiers == [
        {"value": "https://doi.org/10.5281/zenodo.10357859", "scheme": "doi",
         "normalized": "10.5281/zenodo.10357859"},
        {"value": "oai:zenodo.org:10357859", "scheme": "oai",
         "normalized": "oai:zenodo.org:10357859"},
    ]  # fmt: skip
    assert [p["name"] for p in record.publishers] == ["Zenodo"]
    assert record.relations == [
        "https://github.com/rdmorganiser/rdmo/tree/2.1.0",
        "https://zenodo.org/communities/rdmo/",
        "https://doi.org/10.5281/zenodo.596581",
    ]
    assert record.rights == [
        "info:eu-repo/semantics/openAccess",
        "Apache License 2.0",
        "http://www.apache.org/licenses/LICENSE-2.0",
    ]
    assert record.resource_types == ["info:eu-repo/semantics/other"]
    assert {i["code"] for i in record.issues} == {"html_stripped", "entities_decoded"}
    assert len(record.content_hash) == 64


def test_repeated_elements_and_xml_lang_are_kept() -> None:
    metadata = dc(
        '<dc:title xml:lang="en">Open textbook</dc:title>'
        '<dc:title xml:lang="es">Libro de texto abierto</dc:title>'
        '<dc:subject xml:lang="fr">éducation</dc:subject><dc:subject>maths</dc:subject>'
        "<dc:language>spa; eng</dc:language><dc:language>English</dc:language>"
        "<dc:format>application/pdf</dc:format><dc:source>Printed edition 2001</dc:source>"
        "<dc:coverage>Latin America</dc:coverage><dc:contributor>UNESCO</dc:contributor>"
        "<dc:date>03/04/2020</dc:date><dc:title>  </dc:title>"
    )
    record = map_item("s", "oai_dc", Item("oai:s:1", "2020-01-01", metadata=metadata), "x")
    assert record.titles == [
        {"value": "Open textbook", "lang": "en"},
        {"value": "Libro de texto abierto", "lang": "es"},
    ]
    assert record.subjects == [
        {"value": "éducation", "lang": "fr"},
        {"value": "maths", "lang": None},
    ]
    assert record.languages == ["spa; eng", "English"]
    assert (record.formats, record.source_refs, record.coverage) == (
        ["application/pdf"],
        ["Printed edition 2001"],
        ["Latin America"],
    )
    assert record.contributors == [
        {
            "name": "UNESCO",
            "identifier": None,
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert record.dates == [{"raw": "03/04/2020", "iso": None, "kind": None}]
    assert [i["code"] for i in record.issues] == ["unparsable_date"]


def test_missing_title_is_reported_and_foreign_elements_counted_as_unknown() -> None:
    metadata = dc('<dc:creator>A</dc:creator><x:extra xmlns:x="urn:x">v</x:extra>')
    tally = Tally()
    record = map_item("s", "oai_dc", Item("oai:s:2", "2020", metadata=metadata), "x", tally)
    assert {i["code"] for i in record.issues} == {"missing_title"}
    assert tally.rows(DECLARATIONS) == [
        {"crosswalk": "oai_dc", "path": "creator", "status": "mapped", "elements": 1, "records": 1},
        {"crosswalk": "oai_dc", "path": "extra", "status": "unknown", "elements": 1, "records": 1},
    ]


def test_dc_elements_in_an_odd_namespace_map_by_name() -> None:
    metadata = etree.fromstring(
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1"><dc:title>T</dc:title></oai_dc:dc>'
    )
    record = map_item("s", "oai_dc", Item("oai:s:6", "2020", metadata=metadata), "x")
    assert record.titles == [{"value": "T", "lang": None}]
    assert [i["code"] for i in record.issues] == ["nonstandard_namespace"]


def test_deleted_records_map_without_metadata() -> None:
    record = map_item("s", "oai_dc", Item("oai:s:3", "2021-01-01", deleted=True), "x")
    assert record.deleted and record.titles == [] and record.issues == []


def test_unknown_format_becomes_a_failure_with_its_raw_payload() -> None:
    items = [
        Item("oai:s:4", "2020", metadata=etree.fromstring("<foo xmlns='urn:foo'/>"), raw=b"<r/>"),
        Item("oai:s:5", "2020", metadata=dc("<dc:title>ok</dc:title>")),
    ]
    records, failures = map_batch("s", "mods", items, ["a", "b"])
    assert [r.oai_identifier for r in records] == ["oai:s:5"]
    assert [(f.oai_identifier, f.code, f.raw) for f in failures] == [
        ("oai:s:4", "unsupported_format", b"<r/>")
    ]


def test_content_hash_changes_with_content_only() -> None:
    def build(title: str):
        return map_item(
            "s",
            "oai_dc",
            Item("oai:s:6", "2020", metadata=dc(f"<dc:title>{title}</dc:title>")),
            "sha",
        )

    assert build("a").content_hash == build("a").content_hash
    assert build("a").content_hash != build("b").content_hash


def test_dpla_rumsey_oai_dc_matches_its_golden_record() -> None:
    records = map_fixture(corpus_path("dpla-ingestion3/rumsey.xml"), prefix="oai_dc")
    assert [r.crosswalk for r in records] == ["oai_dc"]
    assert records[0].landing_page == (
        "https://www.davidrumsey.com/luna/servlet/detail/RUMSEY~8~1~318428~90087368"
    )
    assert_golden(records, DATA / "oai_dc" / "rumsey.json")


def test_a_generic_root_of_dublin_core_elements_maps_as_dublin_core() -> None:
    """A MARC-like root name (<record>) holding DC elements is DC: content decides."""
    metadata = etree.fromstring(
        '<record xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title></record>'
    )
    record = map_item("s", "x", Item("oai:s:7", "2020", metadata=metadata), "x")
    assert (record.crosswalk, record.titles) == ("oai_dc", [{"value": "T", "lang": None}])
