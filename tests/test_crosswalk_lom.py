"""lom crosswalk: the Agrega2 LOM-ES records field by field, plus IMS MD 1.2 and edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.support.corpus import AGREGA_LOM_FILES, AGREGA_MANIFEST, corpus_path
from tests.support.golden import DATA, FixtureItem, assert_golden, fixture_items, map_fixture
from transforms.crosswalks import DECLARATIONS, lom, map_item
from transforms.crosswalks.coverage import Tally
from transforms.model import Record

GOLDEN = DATA / "lom"
FIXTURES = AGREGA_LOM_FILES
MANIFEST = AGREGA_MANIFEST
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
IMS_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"


def fixture(name: str) -> Path:
    return corpus_path("agrega2-lom-es", name)


def manifest_items() -> list[FixtureItem]:
    """The IMS content package: its embedded <lomes:lom> is the record's metadata."""
    path = fixture(MANIFEST)
    root = etree.fromstring(path.read_bytes())
    found = [el for el in root.iter() if isinstance(el.tag, str) and el.tag == f"{{{LOM_NS}}}lom"]
    assert len(found) == 1
    return [FixtureItem(path.stem, "", [], False, found[0], etree.tostring(found[0]))]


def map_one(name: str) -> Record:
    if name == MANIFEST:
        return map_item("golden", "fixture", manifest_items()[0], "0" * 64)
    (record,) = map_fixture(fixture(name))
    return record


def lom_item(body: str, ns: str = LOM_NS, root: str = "lom", identifier: str = "x") -> FixtureItem:
    xmlns = f' xmlns="{ns}"' if ns else ""
    metadata = etree.fromstring(f"<{root}{xmlns}>{body}</{root}>")
    return FixtureItem(identifier, "2024-01-01", [], False, metadata, b"")


def map_lom(body: str, **kwargs: str) -> Record:
    return map_item("s", "lom", lom_item(body, **kwargs), "x")


# ---------------------------------------------------------------- golden records


@pytest.mark.parametrize("name", FIXTURES)
def test_golden(name: str) -> None:
    assert_golden(map_fixture(fixture(name)), GOLDEN / f"{Path(name).stem}.json")


def test_golden_manifest() -> None:
    records = [map_item("golden", "fixture", item, "0" * 64) for item in manifest_items()]
    assert_golden(records, GOLDEN / f"{Path(MANIFEST).stem}.json")


# ---------------------------------------------------------------- key facts per fixture


def test_complete_lomes_record_iso_8859_1() -> None:
    r = map_one("catalogacion__metadatoCompleto.xml")
    assert r.crosswalk == "lom"
    assert r.titles == [{"value": "Título del objeto digital", "lang": None}]  # decoded Latin-1
    assert r.identifiers[0] == {
        "value": "10.1000/ISBN1-900512-44-0",
        "scheme": "doi",
        "normalized": "10.1000/isbn1-900512-44-0",
    }
    # Two roles in one <role>, two vCards (one with a stray ">"): each entity in each role.
    assert [(a["name"], a["role"]) for a in r.creators] == [
        ("GT8/SC36/CT71", "author"),
        (
            "Centro Nacional de Información y Comunicación Educativa. "
            "Ministerio de Educación y Ciencia de España",
            "author",
        ),
    ]
    assert [a["role"] for a in r.contributors] == ["editor", "editor"]
    assert [(d["iso"], d["kind"]) for d in r.dates] == [
        ("2007-05-03", "created"),
        ("2006-10-03", "created"),
    ]
    assert r.landing_page == "http://www.educarex.es/atenex"
    assert r.languages == ["eu", "es"]  # general + educational; metaMetadata's "ca" dropped
    assert [(t["raw"], t["uri"]) for t in r.learning_resource_types] == [
        ("narrative text", "https://w3id.org/kim/hcrt/text"),
        ("self assessment", "https://w3id.org/kim/hcrt/assessment"),
    ]
    assert r.typical_age_ranges == ["14-18"]
    assert r.duration == {"raw": "P7DT", "iso": None}
    assert r.rights[:2] == ["cost: no", "propietary license"]
    assert r.related == [
        {"kind": "isPartOf", "target": "es_20070518_3_0040100", "scheme": "other",
         "normalized": None}
    ]  # fmt: skip
    assert r.classifications[0]["raw"] == "70.90"
    assert r.classifications[0]["scheme"] == "ETB MEC-CCAA v.1.0"
    assert r.audiences == [
        {"value": "learner", "lang": None},
        {"value": "individual", "lang": None},
    ]
    assert r.education_levels == []  # "classroom" and "teacher" are LOM-ES settings
    assert [i["code"] for i in r.issues] == ["unparsable_duration"]


def test_empty_skeleton_maps_without_values() -> None:
    r = map_one("catalogacion__metadatoCompletoVacio.xml")
    assert r.titles == r.descriptions == r.subjects == r.creators == r.identifiers == []
    assert r.contributors == []  # <entity/> is no agent
    assert {i["code"] for i in r.issues} == {"missing_title", "unparsable_duration"}


def test_invalid_lomes_record_becomes_an_issue() -> None:
    r = map_one("catalogacion__metadatoNoValido.xml")
    assert r.titles == [{"value": "Título del objeto digital", "lang": None}]
    (issue,) = r.issues
    assert issue["code"] == "lomes_missing_category"
    assert "lifecycle" in issue["message"] and "rights" in issue["message"]


def test_record_without_xml_declaration_and_prefixed_elements() -> None:
    r = map_one("parseadorXML__metadatoLote1.xml")
    assert r.titles == [{"value": "Los Virus", "lang": None}]
    assert r.subjects == [{"value": "Virus, biología, biosfera", "lang": "es"}]
    assert [a["name"] for a in r.creators][:2] == [
        "Juan Antonio Muñoz López",
        "Alfonso de Mier del Saz",
    ]
    assert len(r.creators) == 6  # one FN with six names
    assert r.dates == [
        {"raw": "2006-12-01", "iso": "2006-12-01", "kind": "created"},
        {"raw": "2006-12-01", "iso": "2006-12-01", "kind": "issued"},  # "Fecha de publicación"
    ]
    assert r.formats == [
        "application/javascript",
        "image/gif",
        "image/jpeg",
        "text/css",
        "text/html",
    ]
    assert r.rights[1] == "creative commons: attribution - non commercial - share alike"
    assert r.learning_resource_types[0] == {
        "raw": "master class", "scheme": None, "uri": None, "label": None
    }  # fmt: skip


def test_reload_record_with_whitespace_and_technical_duration() -> None:
    r = map_one("catalogacion__metadato1_N23.xml")
    assert r.titles == [{"value": "Acoplamiento a media madera", "lang": None}]
    assert r.identifiers[0]["value"] == "es_20070129_1_1000001"
    assert r.duration == {"raw": "PT2S", "iso": "PT2S"}  # technical.duration beats P10M
    assert r.typical_age_ranges == ["16-"]
    assert r.learning_resource_types[0]["uri"] == "https://w3id.org/kim/hcrt/video"  # animation


def test_manifest_lom_classifications_levels_and_accessibility() -> None:
    r = map_one(MANIFEST)
    assert r.titles == [{"value": "Definición y elementos de los polígonos.", "lang": None}]
    assert r.publishers == [
        {
            "name": "administrador",
            "identifier": None,
            "role": "publisher",
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert len(r.creators) == 17
    assert r.creators[-2:] == [
        {
            "name": "Pepón Negre",
            "identifier": None,
            "role": "author",
            "affiliation": None,
            "affiliation_id": None,
        },
        {
            "name": "Jorge Rodríguez Balmaseda",
            "identifier": None,
            "role": "author",
            "affiliation": None,
            "affiliation_id": None,
        },
    ]
    assert r.education_levels == [{"value": "Bachillerato", "lang": None}]
    assert {"raw": "4.2.4", "scheme": "Árbol curricular LOE 2006", "uri": None,
            "label": "Dibujo Técnico I (MEC)"} in r.classifications  # fmt: skip
    assert {"name": "TRABAJA A PANTALLA COMPLETA", "value": "No"} in r.accessibility
    assert not any(c["scheme"] == "Accesibilidad LOM-ESv1.0" for c in r.classifications)
    assert {"value": "Dibujo técnico", "lang": None} in r.subjects  # discipline keyword
    assert {"value": "Analizar, aplicar, comprender", "lang": None} not in r.subjects


@pytest.mark.parametrize(
    ("name", "title", "ages", "creators"),
    [
        ("modificador__metadato_dibujo01_oa01.xml", "Definición y elementos de los polígonos.",
         ["16-17"], 17),
        ("modificador__metadato_media_TVSD01.xml", "Historia de la televisión", ["12-16"], 7),
        ("validador__metadato_infantil05.xml", "Las estaciones, la ropa y la casa.", ["3-6"], 31),
        ("empaquetadorbasico__metadato_media_PBSD02_oa02.xml",
         "Actividad Flash sobre los específico del medio publicitario", ["12-16"], 4),
    ],
)  # fmt: skip
def test_agrega_objects(name: str, title: str, ages: list[str], creators: int) -> None:
    r = map_one(name)
    assert r.titles == [{"value": title, "lang": None}]
    assert r.typical_age_ranges == ages
    assert len(r.creators) == creators
    assert r.contributors[0]["name"] == "Centro Nacional de Información y Comunicación Educativa"
    assert r.related[0]["kind"] == "isPartOf"
    assert r.issues == []


def test_every_agrega_learning_resource_type_is_mapped_or_deliberately_not() -> None:
    unmapped = set()
    for name in (*FIXTURES, MANIFEST):
        for term in map_one(name).learning_resource_types:
            if term["uri"] is None:
                unmapped.add(term["raw"])
    assert unmapped == {"master class"}  # lecture: HCRT has no concept for it


# ---------------------------------------------------------------- variants and quirks

IMS_RECORD = """
<general>
  <catalogentry><catalog>URI</catalog><entry><langstring xml:lang="x-none">https://oer.example.org/r/7</langstring></entry></catalogentry>
  <title><langstring xml:lang="en">Fractions</langstring><langstring xml:lang="fr">Fractions (fr)</langstring></title>
  <language>en</language>
  <description><langstring xml:lang="en">Adding fractions.</langstring></description>
  <keyword><langstring xml:lang="en">maths</langstring></keyword>
</general>
<lifecycle>
  <contribute>
    <role><source><langstring xml:lang="x-none">LOMv1.0</langstring></source><value><langstring xml:lang="x-none">Author</langstring></value></role>
    <centity><vcard>BEGIN:VCARD
VERSION:2.1
N:Curie;Marie;;;
URL:https://orcid.org/0000-0002-1825-0097
END:VCARD</vcard></centity>
    <date><datetime>2003-05-01</datetime></date>
  </contribute>
</lifecycle>
<technical>
  <format>application/pdf</format>
  <location>https://oer.example.org/files/fractions.pdf</location>
  <duration><datetime>PT45M</datetime></duration>
</technical>
<educational>
  <learningresourcetype><source><langstring xml:lang="x-none">LOMv1.0</langstring></source><value><langstring xml:lang="x-none">Exercise</langstring></value></learningresourcetype>
  <context><source><langstring xml:lang="x-none">LOMv1.0</langstring></source><value><langstring xml:lang="x-none">School</langstring></value></context>
  <typicalagerange><langstring xml:lang="x-none">10-12</langstring></typicalagerange>
  <typicallearningtime><datetime>PT1H</datetime></typicallearningtime>
</educational>
<rights>
  <cost><source><langstring xml:lang="x-none">LOMv1.0</langstring></source><value><langstring xml:lang="x-none">no</langstring></value></cost>
  <copyrightandotherrestrictions><source><langstring xml:lang="x-none">LOMv1.0</langstring></source><value><langstring xml:lang="x-none">yes</langstring></value></copyrightandotherrestrictions>
  <description><langstring xml:lang="en">CC BY 4.0, see https://creativecommons.org/licenses/by/4.0/.</langstring></description>
</rights>
<relation>
  <kind><source><langstring xml:lang="x-none">LOMv1.0</langstring></source><value><langstring xml:lang="x-none">isbasedon</langstring></value></kind>
  <resource><catalogentry><catalog>DOI</catalog><entry><langstring xml:lang="x-none">10.1234/abc</langstring></entry></catalogentry></resource>
</relation>
<classification>
  <purpose><source><langstring xml:lang="x-none">LOMv1.0</langstring></source><value><langstring xml:lang="x-none">Discipline</langstring></value></purpose>
  <taxonpath><source><langstring xml:lang="en">DDC</langstring></source><taxon><id>510</id><entry><langstring xml:lang="en">Mathematics</langstring></entry></taxon></taxonpath>
</classification>
"""  # noqa: E501


def test_ims_md_1_2_lower_case_names_and_langstrings() -> None:
    r = map_lom(IMS_RECORD, ns=IMS_NS)
    assert r.titles == [
        {"value": "Fractions", "lang": "en"},
        {"value": "Fractions (fr)", "lang": "fr"},
    ]
    assert r.landing_page == "https://oer.example.org/r/7"
    assert r.creators == [
        {"name": "Curie, Marie", "identifier": "https://orcid.org/0000-0002-1825-0097",
         "role": "author", "affiliation": None, "affiliation_id": None}
    ]  # fmt: skip
    assert r.dates == [{"raw": "2003-05-01", "iso": "2003-05-01", "kind": "created"}]
    assert r.downloads == [
        {"url": "https://oer.example.org/files/fractions.pdf", "media_type": "application/pdf"}
    ]
    assert r.duration == {"raw": "PT45M", "iso": "PT45M"}
    assert r.learning_resource_types[0]["uri"] == "https://w3id.org/kim/hcrt/drill_and_practice"
    assert r.education_levels == [{"value": "School", "lang": None}]
    assert r.typical_age_ranges == ["10-12"]
    assert r.rights == [
        "cost: no",
        "copyright and other restrictions: yes",
        "CC BY 4.0, see https://creativecommons.org/licenses/by/4.0/.",
        "https://creativecommons.org/licenses/by/4.0/",
    ]
    assert r.related == [
        {"kind": "isDerivedFrom", "target": "10.1234/abc", "scheme": "doi",
         "normalized": "10.1234/abc"}
    ]  # fmt: skip
    assert r.classifications == [
        {"raw": "510", "scheme": "DDC", "uri": None, "label": "Mathematics"}
    ]
    assert r.issues == []


@pytest.mark.parametrize(
    "ns",
    [
        "http://ltsc.ieee.org/xsd/LOMv1p0",
        "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
        "http://www.imsproject.org/xsd/imsmd_rootv1p2p1",
    ],
)
def test_namespace_versions(ns: str) -> None:
    r = map_lom("<general><title><string>T</string></title></general>", ns=ns)
    assert r.crosswalk == "lom" and r.titles == [{"value": "T", "lang": None}]
    assert r.issues == []


def test_no_namespace_maps_by_root_name() -> None:
    r = map_lom("<general><title><string language='es'>T</string></title></general>", ns="")
    assert r.titles == [{"value": "T", "lang": "es"}]
    assert [i["code"] for i in r.issues] == ["nonstandard_namespace"]


def test_empty_and_odd_elements_never_raise() -> None:
    r = map_lom(
        "<general><title/><identifier/><keyword><string/></keyword></general>"
        "<lifeCycle><contribute><role/><entity>BEGIN:VCARD END:VCARD</entity><date/></contribute>"
        "</lifeCycle><technical><location>contenido/index.html</location><duration/></technical>"
        "<educational><learningResourceType/><typicalAgeRange><string>adults</string>"
        "</typicalAgeRange></educational><relation><kind/><resource/></relation>"
        "<classification><taxonPath><taxon/></taxonPath></classification><rights/>"
    )
    assert r.titles == r.creators == r.downloads == r.related == r.classifications == []
    assert r.typical_age_ranges == ["adults"]
    assert [i["code"] for i in r.issues] == ["missing_title"]


def test_plain_text_values_and_entities() -> None:
    r = map_lom(
        "<general><title>Bare title</title></general>"
        "<lifeCycle><contribute><role><value>publisher</value></role>"
        "<entity>Open University</entity><date><dateTime>2020</dateTime></date></contribute>"
        "<contribute><role><value>content provider</value></role>"
        "<entity>BEGIN:VCARD FN:Ana Pérez, Luis Gil END:VCARD</entity></contribute></lifeCycle>"
        "<educational><learningResourceType>Vídeos</learningResourceType></educational>"
        "<technical><location>https://example.org/page</location>"
        "<location>https://example.org/v/clip.mp4</location></technical>"
    )
    assert r.titles == [{"value": "Bare title", "lang": None}]
    assert r.publishers == [
        {
            "name": "Open University",
            "identifier": None,
            "role": "publisher",
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert r.dates == [{"raw": "2020", "iso": "2020", "kind": "issued"}]
    # two comma-separated parts: kept as one name ("Family, Given" is the usual reading)
    assert r.contributors == [
        {
            "name": "Ana Pérez, Luis Gil",
            "identifier": None,
            "role": "content provider",
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert r.learning_resource_types[0]["label"] == "Video"
    assert r.landing_page == "https://example.org/page"
    assert r.downloads == [{"url": "https://example.org/v/clip.mp4", "media_type": "video/mp4"}]


def test_title_outside_general_is_still_the_title() -> None:
    r = map_lom("<title><string language='en'>Stray</string></title><general><language>en"
                "</language></general>")  # fmt: skip
    assert r.titles == [{"value": "Stray", "lang": "en"}]
    assert r.issues == []


def test_relation_without_identifier_and_spanish_kind() -> None:
    r = map_lom(
        "<relation><kind><value>es parte de</value></kind><resource><identifier><entry>"
        "oer:1</entry></identifier></resource></relation>"
        "<relation><kind><value>references</value></kind><resource><description>"
        "<string>Printed book</string></description></resource></relation>"
    )
    assert [(x["kind"], x["target"]) for x in r.related] == [("isPartOf", "oer:1")]
    assert r.relations == ["Printed book"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Para alumnos entre 12-13 años", "12-13"),
        ("Edad mínima:14 años, Edad máxima: 18 años, Descripción: x", "14-18"),
        ("Edad mínima 16 años", "16-"),
        ("18-", "18-"),
        ("7-9", "7-9"),
        ("suitable for children over 7", "7-"),
        ("hasta 6 años", "-6"),
        ("15", "15"),
        ("adults only", "adults only"),
        ("18-12", "18-12"),
    ],
)
def test_age_range(raw: str, expected: str) -> None:
    assert lom.age_range(raw) == expected


def test_read_vcard_flattened_and_folded() -> None:
    props = lom.read_vcard(
        "BEGIN:VCARD VERSION:3.0 FN: Centro X EMAIL;TYPE=INTERNET: a@b.es ORG:Min\\, Es END:VCARD"
    )
    assert props["FN"] == ["Centro X"] and props["EMAIL"] == ["a@b.es"]
    assert props["ORG"] == ["Min, Es"]
    folded = lom.read_vcard("BEGIN:VCARD\r\nFN:Jean-Luc\r\n  Picard\r\nEND:VCARD")
    assert folded["FN"] == ["Jean-Luc Picard"]


# ---------------------------------------------------------------- coverage and robustness


def test_coverage_over_the_fixtures_has_no_unknown_paths() -> None:
    tally = Tally()
    items = [i for name in FIXTURES for i in fixture_items(fixture(name))] + manifest_items()
    for item in items:
        map_item("golden", "lom", item, "0" * 64, tally)
    rows = [row for row in tally.rows(DECLARATIONS) if row["crosswalk"] == "lom"]
    assert rows, "nothing tallied"
    assert [row["path"] for row in rows if row["status"] == "unknown"] == []
    status = {row["path"]: row["status"] for row in rows}
    assert status["general/title"] == status["educational/learningResourceType"] == "mapped"
    assert status["metaMetadata"] == status["annotation/entity"] == "dropped"


def test_unknown_extension_elements_stay_unknown() -> None:
    tally = Tally()
    body = (
        "<general><title><string>T</string></title><x:documentType xmlns:x='urn:lomfr'/></general>"
    )
    map_item("s", "lom", lom_item(body), "x", tally)
    status = {row["path"]: row["status"] for row in tally.rows(DECLARATIONS)}
    assert status == {
        "general": "mapped",
        "general/title": "mapped",
        "general/title/string": "mapped",
        "general/documentType": "unknown",
    }


def test_ims_paths_are_declared_too() -> None:
    tally = Tally()
    map_item("s", "lom", lom_item(IMS_RECORD, ns=IMS_NS), "x", tally)
    rows = tally.rows(DECLARATIONS)
    assert [row["path"] for row in rows if row["status"] == "unknown"] == []


_CATEGORIES = [
    "general",
    "lifeCycle",
    "lifecycle",
    "technical",
    "educational",
    "rights",
    "relation",
    "classification",
    "accesibilidad",
    "metaMetadata",
]
_NAMES = sorted(
    {p for path in (*lom.MAPPED, *lom.DROPPED) for p in path.split("/")[1:]}
    | {"string", "langstring", "value", "source", "entry", "catalog", "id", "taxon", "vcard",
       "dateTime", "datetime", "duration", "description", "identifier", "resource", "kind",
       "role", "entity", "centity", "date", "taxonPath", "purpose"}
)  # fmt: skip
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
_VALUES = st.sampled_from(
    [
        "BEGIN:VCARD FN:a, b, c y d END:VCARD",
        "https://x.org/a.pdf",
        "P1D",
        "12-13",
        "exam",
        "author",
    ]
)


@st.composite
def lom_trees(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    names = _CATEGORIES if depth == 0 else _NAMES
    el = etree.Element(f"{{{LOM_NS}}}{draw(st.sampled_from(names))}")
    if draw(st.booleans()):
        el.set(draw(st.sampled_from(["language", "lang", "uniqueElementName"])), draw(_TEXT))
    el.text = draw(st.one_of(st.none(), _TEXT, _VALUES))
    if depth < 3:
        for child in draw(st.lists(lom_trees(depth + 1), max_size=3)):
            el.append(child)
    return el


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lom_trees(), max_size=4))
def test_map_metadata_never_raises(children: list[etree._Element]) -> None:
    root = etree.Element(f"{{{LOM_NS}}}lom")
    for c in children:
        root.append(c)
    record = map_item("s", "lom", FixtureItem("h", "", [], False, root, b""), "x")
    assert record.crosswalk == "lom"
