"""MODS crosswalk: golden records of real DPLA hub and DuEPublico OER records, the key facts
of each spelled out, namespace variants, edge cases and a never-raises property test."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.support.corpus import corpus_path
from tests.support.golden import DATA, assert_golden, fixture_items, map_fixture
from transforms.crosswalks import DECLARATIONS, map_item
from transforms.crosswalks.coverage import Tally
from transforms.model import Record

MODS = "http://www.loc.gov/mods/v3"
DPLA = ("bhl", "ct", "ma-creator", "mt", "northwest-heritage", "nypl", "oklahoma")
DUEPUB = ("oersi-etl-duepublico-oer", "duepub-metafacture.xml")


@dataclass
class Item:
    identifier: str
    datestamp: str = "2024-01-01"
    set_specs: list[str] = field(default_factory=list)
    deleted: bool = False
    metadata: etree._Element | None = None
    raw: bytes = b""


def fixture_path(name: str) -> Path:
    if name == "duepub-metafacture":
        return corpus_path(*DUEPUB)
    return corpus_path("dpla-ingestion3", f"{name}.xml")


def one(name: str) -> Record:
    records = [r for r in map_fixture(fixture_path(name)) if not r.deleted]
    assert len(records) == 1
    return records[0]


def mods(body: str, root: str = "mods", ns: str = MODS) -> etree._Element:
    xmlns = f' xmlns="{ns}"' if ns else ""
    return etree.fromstring(
        f'<{root}{xmlns} xmlns:xlink="http://www.w3.org/1999/xlink">{body}</{root}>'
    )


def map_mods(body: str, **kwargs: str) -> Record:
    return map_item("s", "mods", Item("oai:s:1", metadata=mods(body, **kwargs)), "x")


# ---------------------------------------------------------------- golden records


@pytest.mark.parametrize("name", DPLA)
def test_dpla_golden(name: str) -> None:
    assert_golden(map_fixture(fixture_path(name)), DATA / "mods" / f"{name}.json")


def test_duepublico_golden() -> None:
    records = map_fixture(fixture_path("duepub-metafacture"))
    assert len(records) == 47
    assert sum(r.deleted for r in records) == 45
    assert_golden(records, DATA / "mods" / "duepub-metafacture.json")


# ---------------------------------------------------------------- key facts per fixture


def test_bhl_titles_agents_dates_links() -> None:
    record = one("bhl")
    assert [t["value"] for t in record.titles] == [
        "Die Musci der Flora von Buitenzorg : zugleich Laubmoosflora von Java",  # " /" trimmed
        "Sp. Musc. Frond.",
    ]
    assert [(a["name"], a["role"]) for a in record.creators] == [
        ("Fleischer, Max", "creator"),  # the date namePart is not part of the name
        ("Winnie Peaches", "creator"),
    ]
    assert record.contributors[0]["name"] == "Königliche Botanische Gesellschaft"
    assert [p["name"] for p in record.publishers] == ["E.J. Brill"]
    # encoded start/end points win over the transcription "1900-1922."
    assert record.dates == [
        {"raw": "1900/1922", "iso": "1900/1922", "kind": "issued"},
        {"raw": "1900-1902", "iso": "1900/1902", "kind": "issueDate"},
    ]
    assert record.coverage == ["Bogor", "Indonesia", "19th century"]
    assert record.classifications[0] == {
        "raw": "QK548.J39 F71",
        "scheme": "lcc",
        "uri": None,
        "label": None,
    }
    assert record.landing_page == "https://www.biodiversitylibrary.org/pagethumb/600316"
    assert record.downloads == [
        {"url": "https://www.biodiversitylibrary.org/item/7", "media_type": None}
    ]
    assert {
        "value": "10.5962/bhl.title.44870",
        "scheme": "doi",
        "normalized": "10.5962/bhl.title.44870",
    } in record.identifiers
    assert record.related[0]["kind"] == "isPartOf"
    assert record.related[0]["target"] == "Flore de Buitenzorg ; pt. 5."
    # no abstract: the general (content) note is the description; the ownership note is not
    assert [d["value"] for d in record.descriptions] == ["pt.5:v.1 (1900-1902)"]


def test_ct_roles_ids_subject_authorities_rights() -> None:
    record = one("ct")
    assert record.titles[0]["value"] == "Anschluss"
    assert record.titles[2]["value"] == "nonsort title: subtitle. partname. partnumber"
    assert record.creators == [
        {
            "name": "Creator",
            "identifier": "http://id.loc.gov/authorities/names/n50069897",
            "role": "Creator",
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert (record.contributors[0]["name"], record.contributors[0]["role"]) == (
        "Dodd, Thomas J. (Thomas Joseph), 1907-1971",
        "Collector",
    )
    assert {
        "raw": "Germany (nation)",
        "scheme": "tgn",
        "uri": "http://vocab.getty.edu/tgn/7000084",
        "label": None,
    } in record.classifications
    assert "Germany. Reichsregierung" in [s["value"] for s in record.subjects]
    assert record.rights[0] == "The collection is open and available for research."
    assert record.rights[1:] == [
        "rs.org",
        "This work is licensed under a Creative Commons Attribution-NonCommercial 4.0 "
        "International License, CC BY-NC.",
    ]
    # the handle identifier is the landing page, no location URL being given
    assert record.landing_page == "http://hdl.handle.net/11134/20002:1323"
    assert record.formats == ["image/jp2"]
    assert len(record.descriptions) == 1  # abstract only: typed notes are not descriptions


def test_ma_creator_relators_ranges_toc_and_links() -> None:
    record = one("ma-creator")
    assert record.titles[0]["value"] == "L'arbre des batailles ... [etc.]"
    assert record.creators == [
        {
            "name": "Bonet, Honoré",
            "identifier": "http://id.loc.gov/authorities/names/n87878545",
            "role": "cre",
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    roles = {c["role"] for c in record.contributors}
    assert roles == {"ctb", "scr", "fmo", "bnd"}
    spelman = "http://id.loc.gov/authorities/names/n79106215"
    assert {
        "name": "Spelman, Henry, Sir",
        "role": "fmo",
        "identifier": spelman,
        "affiliation": None,
        "affiliation_id": None,
    } in (record.contributors)
    assert record.dates == [{"raw": "1450/1471", "iso": "1450/1471", "kind": "created"}]
    assert record.descriptions[1]["value"].startswith("1. ff.1-143: L'arbre des batailles")
    assert record.coverage == ["Europe, England", "53,-2", "Europe, France", "46,2"]
    assert record.languages == ["French"]
    assert record.formats[1:] == ["image/tiff", "image/jpeg", "image/jp2"]
    assert record.landing_page == "https://ark.digitalcommonwealth.org/ark:/50959/nc581732x"
    assert record.thumbnails == [
        "https://ark.digitalcommonwealth.org/ark:/50959/nc581732x/thumbnail"
    ]
    ids = [i["value"] for i in record.identifiers]
    assert "MS 1519" not in ids  # invalid="yes"
    assert "https://ark.digitalcommonwealth.org/ark:/50959/nc581732x/manifest" in ids


def test_mt_preview_landing_and_untyped_related_item() -> None:
    record = one("mt")
    assert record.titles == [{"value": "Reading notes for 2nd Wind 2001", "lang": None}]
    assert record.creators == [
        {
            "name": "Goedicke, Patricia",
            "identifier": None,
            "role": "Creator",
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert record.dates == [
        {"raw": "2001-10-07T07:00:00Z", "iso": "2001-10-07T07:00:00Z", "kind": "created"}
    ]
    assert record.landing_page == "https://scholarworks.umt.edu/goedicke/9"
    assert record.thumbnails == ["https://scholarworks.umt.edu/goedicke/1008/thumbnail.jpg"]
    assert record.related == [
        {"kind": "relation", "target": "Collection Title", "scheme": "other", "normalized": None}
    ]
    assert record.formats == ["application/pdf", "Extent", "Format", "jpeg"]


def test_northwest_heritage_prefixed_mods() -> None:
    record = one("northwest-heritage")
    assert record.titles[0]["value"] == "Group in front of the Japanese American Courier offices"
    assert record.creators[0]["name"] == "Lenggenhager, Werner W., 1899-1988"
    assert record.contributors[0]["name"] == "Thiry, Paul, 1904-1993"
    assert record.rights == ["http://rightsstatements.org/vocab/InC/1.0/"]
    assert record.dates == [{"raw": "1891?", "iso": None, "kind": "created"}]
    assert [i["code"] for i in record.issues] == ["unparsable_date"]
    assert record.landing_page == "http://ddr.densho.org/ddr-densho-101-1/"
    assert len(record.downloads) == 1 and len(record.thumbnails) == 1
    assert record.related[0]["target"] == "Seattle Historical Photograph Collection"
    assert record.learning_resource_types[0]["uri"] == "https://w3id.org/kim/hcrt/image"


def test_nypl_primary_title_codes_and_nested_hosts() -> None:
    record = one("nypl")
    assert record.titles[0]["value"] == "Jedediah Buxton [National Calculator, 1705-1780]"
    assert record.creators[0] == {
        "name": "Kay, John (1742-1826)",
        "identifier": None,
        "role": "egr",
        "affiliation": None,
        "affiliation_id": None,
    }
    assert [s["value"] for s in record.subjects] == [
        "Public figures",
        "Subject title",
        "Subject name",
    ]
    assert record.coverage == ["temporal subject"]
    # only the direct host: the hosts of the host are not this record's relations
    assert [r["target"] for r in record.related] == ["Jedediah Buxton."]


def test_oklahoma_rights_href_and_text_series_and_host() -> None:
    record = one("oklahoma")
    assert record.rights[1:] == [
        "http://rightsstatements.org/vocab/InC-EDU/1.0/",
        "In Copyright – Educational Use Permitted",
    ]
    assert [(r["kind"], r["target"]) for r in record.related] == [
        ("isPartOf", "Oklahoma Cooperative Extension fact sheets ; HLA-6222"),
        ("isPartOf", "Oklahoma Cooperative Extension Service"),
    ]
    assert record.languages == ["en_US"]
    assert record.formats == ["application/pdf", "Extent"]
    assert record.landing_page == "http://hdl.handle.net/11244/50280"
    assert len(record.descriptions) == 2  # content notes, no abstract


def test_duepublico_oer_records() -> None:
    records = {r.oai_identifier: r for r in map_fixture(fixture_path("duepub-metafacture"))}
    podcast = records["oai:oer.uni-due.de:duepublico_mods_00074441"]
    course = records["oai:oer.uni-due.de:duepublico_mods_00074302"]
    assert podcast.titles == [
        {"value": "Der Streit, Episode 7 - Wagner-Pacifici: What is an Event?", "lang": "de"}
    ]
    assert podcast.creators == [
        {
            "name": "Armbruster, André",
            "identifier": "https://d-nb.info/gnd/1081830107",
            "role": "cre",
            "affiliation": None,
            "affiliation_id": None,
        },
        {
            "name": "Seyfert, Robert",
            "identifier": "https://d-nb.info/gnd/1123664978",
            "role": "cre",
            "affiliation": None,
            "affiliation_id": None,
        },
    ]
    assert podcast.duration == {"raw": "00:43:43", "iso": "PT43M43S"}
    assert podcast.rights == [
        "https://duepublico.uni-due.de/api/v1/classifications/mir_licenses#cc_by-nc-sa_4.0"
    ]
    assert podcast.languages == ["de"]
    assert len(podcast.descriptions) == 1  # the base64 altFormat twin is empty: skipped
    assert podcast.downloads[0]["url"].endswith("DerStreit_07_Wagner-Pacifici_What_is_an_event.mp3")
    assert podcast.thumbnails == [
        "https://duepublico2.uni-due.de/rsc/thumbnail/duepublico_mods_00074441.png"
    ]
    assert podcast.landing_page == (
        "https://duepublico2.uni-due.de/receive/duepublico_mods_00074441"
    )
    assert [t["uri"] for t in podcast.learning_resource_types] == [
        "https://w3id.org/kim/hcrt/audio"
    ] * 2
    assert podcast.related == [
        {
            "kind": "isPartOf",
            "target": "Der Streit - Über neue soziologische Literatur: Podcast",
            "scheme": "other",
            "normalized": None,
        }
    ]
    assert {
        "raw": "Soziologie",
        "scheme": "gnd",
        "uri": "http://d-nb.info/gnd/4077624-4",
        "label": None,
    } in podcast.classifications

    assert course.titles[0]["value"] == (
        'Erich Kästner "zum Gebrauch": Unterrichtspraktische Anregungen für die Klassen 9 und 10'
    )
    assert course.rights == [
        "https://duepublico.uni-due.de/api/v1/classifications/mir_licenses#cc_by-sa_4.0"
    ]
    assert [t["raw"] for t in course.learning_resource_types] == [
        "https://duepublico.uni-due.de/api/v1/classifications/mir_genres#teaching_material",
        "instruction",
        "https://duepublico.uni-due.de/api/v1/classifications/diniPublType#CourseMaterial",
    ]
    assert course.creators[0]["identifier"] == "https://d-nb.info/gnd/121505002X"
    assert course.downloads[0]["url"].endswith(".mbz")
    assert "https://moodle.uni-due.de/course/view.php?id=25871" in [
        i["value"] for i in course.identifiers
    ]
    assert course.dates == [{"raw": "2021", "iso": "2021", "kind": "issued"}]


# ---------------------------------------------------------------- namespaces and roots


def test_no_namespace_maps_by_element_names() -> None:
    record = map_mods("<titleInfo><title>Plain</title></titleInfo>", ns="")
    assert record.crosswalk == "mods"
    assert record.titles == [{"value": "Plain", "lang": None}]
    assert [i["code"] for i in record.issues] == ["nonstandard_namespace"]


def test_mods_prefix_bound_to_another_namespace() -> None:
    root = etree.fromstring(
        '<mods:mods xmlns:mods="http://www.loc.gov/MODS/v3-odd">'
        "<mods:titleInfo><mods:title>Odd</mods:title></mods:titleInfo></mods:mods>"
    )
    record = map_item("s", "mods", Item("oai:s:2", metadata=root), "x")
    assert record.titles == [{"value": "Odd", "lang": None}]
    assert [i["code"] for i in record.issues] == ["nonstandard_namespace"]


@pytest.mark.parametrize(
    "ns", ["http://www.loc.gov/mods/v3/", "https://www.loc.gov/mods/v3", "http://www.loc.gov/mods/"]
)
def test_namespace_variants_are_declared(ns: str) -> None:
    record = map_mods("<titleInfo><title>T</title></titleInfo>", ns=ns)
    assert record.titles == [{"value": "T", "lang": None}] and record.issues == []


def test_mods_collection_maps_its_first_record_and_says_so() -> None:
    body = (
        "<mods><titleInfo><title>First</title></titleInfo></mods>"
        "<mods><titleInfo><title>Second</title></titleInfo></mods>"
    )
    record = map_mods(body, root="modsCollection")
    assert record.titles == [{"value": "First", "lang": None}]
    assert [i["code"] for i in record.issues] == ["multiple_records"]


def test_empty_elements_and_empty_root() -> None:
    body = (
        "<titleInfo/><titleInfo><title> </title><nonSort>The</nonSort></titleInfo><name/>"
        "<name><namePart/><role><roleTerm/></role></name><originInfo><dateIssued/>"
        "<publisher/></originInfo><abstract/><subject><topic/></subject><genre/>"
        "<language><languageTerm/></language><location><url/></location><identifier/>"
        "<relatedItem type='host'/><accessCondition/><physicalDescription><extent/>"
        "</physicalDescription><targetAudience/><classification/>"
    )
    record = map_mods(body)
    assert [i["code"] for i in record.issues] == ["missing_title"]
    assert record.creators == [] and record.dates == [] and record.related == []
    assert map_mods("").issues[0]["code"] == "missing_title"


# ---------------------------------------------------------------- element semantics


def test_titles_main_first_language_and_fallbacks() -> None:
    record = map_mods(
        '<titleInfo type="translated" xml:lang="en"><title>The dispute</title></titleInfo>'
        '<titleInfo lang="de"><nonSort>Der </nonSort><title>Streit</title>'
        "<subTitle>Ein Podcast</subTitle><partNumber>Folge 7</partNumber></titleInfo>"
    )
    assert record.titles == [
        {"value": "Der Streit: Ein Podcast. Folge 7", "lang": "de"},
        {"value": "The dispute", "lang": "en"},
    ]
    assert map_mods("<title>Bare title</title>").titles[0]["value"] == "Bare title"
    assert map_mods("<titleInfo>Text only</titleInfo>").titles[0]["value"] == "Text only"


def test_names_roles_and_identifiers() -> None:
    record = map_mods(
        "<titleInfo><title>T</title></titleInfo>"
        '<name type="personal"><namePart type="given">Ada</namePart>'
        '<namePart type="family">Lovelace</namePart><namePart type="date">1815-1852</namePart>'
        '<namePart type="termsOfAddress">Countess</namePart>'
        '<nameIdentifier type="gnd">118574841</nameIdentifier>'
        '<nameIdentifier type="orcid">0000-0002-1825-0097</nameIdentifier>'
        '<role><roleTerm type="code" authority="marcrelator">aut</roleTerm></role></name>'
        "<name><namePart>Some Press</namePart><role><roleTerm>publisher</roleTerm></role></name>"
        "<name><namePart>Editor, E.</namePart><role><roleTerm>edt</roleTerm></role></name>"
        '<name valueURI="https://orcid.org/0000-0001-5109-3700"><displayForm>Doe, J.'
        "</displayForm></name>"
    )
    assert record.creators == [
        {
            "name": "Lovelace, Ada, Countess",
            "identifier": "https://orcid.org/0000-0002-1825-0097",
            "role": "aut",
            "affiliation": None,
            "affiliation_id": None,
        },
        {
            "name": "Doe, J.",
            "identifier": "https://orcid.org/0000-0001-5109-3700",
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        },
    ]
    assert record.publishers == [
        {
            "name": "Some Press",
            "identifier": None,
            "role": "publisher",
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert record.contributors == [
        {
            "name": "Editor, E.",
            "identifier": None,
            "role": "edt",
            "affiliation": None,
            "affiliation_id": None,
        }
    ]


def test_dates_kinds_points_and_encodings() -> None:
    record = map_mods(
        "<titleInfo><title>T</title></titleInfo><originInfo>"
        '<dateCreated point="start" encoding="w3cdtf">2001-02</dateCreated>'
        '<dateCreated point="end" encoding="w3cdtf">2003</dateCreated>'
        '<copyrightDate encoding="marc">1999</copyrightDate>'
        '<dateOther type="accepted">2020-01-02</dateOther><dateOther>2020</dateOther>'
        '<dateCaptured point="start">2019</dateCaptured>'
        '<dateValid encoding="edtf">2010/2012</dateValid>'
        "<dateModified>2021-13-01</dateModified></originInfo>"
    )
    assert record.dates == [
        {"raw": "2001-02/2003", "iso": "2001-02/2003", "kind": "created"},
        {"raw": "1999", "iso": "1999", "kind": "copyrighted"},
        {"raw": "2020-01-02", "iso": "2020-01-02", "kind": "accepted"},
        {"raw": "2020", "iso": "2020", "kind": "other"},
        {"raw": "2019", "iso": "2019", "kind": "captured"},
        {"raw": "2010/2012", "iso": "2010/2012", "kind": "valid"},
        {"raw": "2021-13-01", "iso": None, "kind": "modified"},
    ]
    assert [i["code"] for i in record.issues] == ["unparsable_date"]


def test_notes_become_descriptions_only_without_an_abstract() -> None:
    notes = (
        "<note>General note</note><note type='ownership'>Library X</note>"
        "<note type='funding'>Stiftung Y</note><note type='rights'>CC0</note>"
        "<tableOfContents>1. Intro -- 2. End</tableOfContents>"
    )
    without = map_mods(f"<titleInfo><title>T</title></titleInfo>{notes}")
    assert [d["value"] for d in without.descriptions] == ["General note", "1. Intro -- 2. End"]
    assert without.funders == [{"name": "Stiftung Y", "identifier": None, "award": None}]
    assert without.rights == ["CC0"]
    with_abstract = map_mods(
        f"<titleInfo><title>T</title></titleInfo><abstract>A</abstract>{notes}"
    )
    assert [d["value"] for d in with_abstract.descriptions] == ["A", "1. Intro -- 2. End"]


def test_audiences_levels_and_age_ranges() -> None:
    record = map_mods(
        "<titleInfo><title>T</title></titleInfo>"
        '<targetAudience authority="marctarget">d</targetAudience>'
        '<targetAudience authority="marctarget">adult</targetAudience>'
        "<targetAudience>teacher</targetAudience><targetAudience>Lernende</targetAudience>"
        "<targetAudience>Sekundarstufe I</targetAudience><targetAudience>ages 6-8</targetAudience>"
        "<targetAudience>16+</targetAudience>"
    )
    assert [a["value"] for a in record.audiences] == ["teacher", "Lernende"]
    assert [e["value"] for e in record.education_levels] == [
        "adolescent",
        "adult",
        "Sekundarstufe I",
    ]
    assert record.typical_age_ranges == ["14-17", "18-", "6-8", "16-"]


def test_genres_resource_and_learning_resource_types() -> None:
    record = map_mods(
        "<titleInfo><title>T</title></titleInfo>"
        '<genre authority="hcrt">Arbeitsmaterial</genre><genre>worksheet</genre>'
        '<genre authority="marcgt">book</genre><typeOfResource>text</typeOfResource>'
        '<classification authority="ddc">510</classification>'
    )
    assert record.resource_types == ["Arbeitsmaterial", "worksheet", "book", "text"]
    assert [t["raw"] for t in record.learning_resource_types] == ["Arbeitsmaterial", "worksheet"]
    assert record.learning_resource_types[1]["uri"] == "https://w3id.org/kim/hcrt/worksheet"
    assert record.classifications == [{"raw": "510", "scheme": "ddc", "uri": None, "label": None}]


def test_identifiers_locations_and_media_type() -> None:
    record = map_mods(
        "<titleInfo><title>T</title></titleInfo>"
        '<identifier type="hdl">20.500.12345/678</identifier>'
        '<identifier type="isbn">978-3-16-148410-0</identifier>'
        '<identifier type="uri">https://repo.example/item/1</identifier>'
        "<physicalDescription><internetMediaType>application/pdf</internetMediaType>"
        "<extent>90 min</extent></physicalDescription>"
        "<location><url>https://repo.example/plain</url>"
        '<url access="raw object">https://repo.example/file.pdf</url></location>'
    )
    assert [(i["scheme"], i["normalized"]) for i in record.identifiers] == [
        ("handle", "20.500.12345/678"),
        ("isbn", "9783161484100"),
        ("url", "https://repo.example/item/1"),
        ("url", "https://repo.example/plain"),
    ]
    assert record.landing_page == "https://repo.example/item/1"
    assert record.downloads == [
        {"url": "https://repo.example/file.pdf", "media_type": "application/pdf"}
    ]
    assert record.duration == {"raw": "90 min", "iso": "PT90M"}
    only_plain = map_mods("<location><url>https://repo.example/x</url></location>")
    assert only_plain.landing_page == "https://repo.example/x"


def test_related_item_kinds_and_targets() -> None:
    record = map_mods(
        "<titleInfo><title>T</title></titleInfo>"
        '<relatedItem type="host"><titleInfo><title>Journal</title></titleInfo>'
        '<identifier type="doi">10.1234/j</identifier></relatedItem>'
        '<relatedItem type="constituent"><titleInfo><title>Chapter 1</title></titleInfo>'
        "</relatedItem>"
        '<relatedItem type="otherFormat"><location><url>https://x.example/print</url>'
        "</location></relatedItem>"
        '<relatedItem type="original"><titleInfo><title>The print</title></titleInfo>'
        "</relatedItem>"
        '<relatedItem type="preceding" xlink:href="https://x.example/old"/>'
    )
    assert [(r["kind"], r["target"], r["scheme"]) for r in record.related] == [
        ("isPartOf", "10.1234/j", "doi"),
        ("hasPart", "Chapter 1", "other"),
        ("isFormatOf", "https://x.example/print", "url"),
        ("isDerivedFrom", "The print", "other"),
        ("continues", "https://x.example/old", "url"),
    ]
    assert record.source_refs == ["The print"]


# ---------------------------------------------------------------- coverage


def test_coverage_over_fixtures_has_no_unknown_mods_paths() -> None:
    tally = Tally()
    for name in (*DPLA, "duepub-metafacture"):
        for item in fixture_items(fixture_path(name)):
            map_item("s", "mods", item, "x", tally)
    rows = [r for r in tally.rows(DECLARATIONS) if r["crosswalk"] == "mods"]
    unknown = {r["path"] for r in rows if r["status"] == "unknown"}
    assert unknown == {"contribState"}  # a DPLA hub's own element, not MODS
    status = {r["path"]: r["status"] for r in rows}
    assert status["titleInfo/nonSort"] == "mapped"
    assert status["location/url"] == "mapped"
    assert status["recordInfo/recordContentSource"] == "dropped"
    assert status["relatedItem/name/namePart"] == "dropped"
    assert status["relatedItem/titleInfo/title"] == "mapped"


# ---------------------------------------------------------------- never raises

_NAMES = (
    "titleInfo",
    "title",
    "subTitle",
    "nonSort",
    "partNumber",
    "partName",
    "name",
    "namePart",
    "displayForm",
    "nameIdentifier",
    "role",
    "roleTerm",
    "originInfo",
    "publisher",
    "dateIssued",
    "dateCreated",
    "dateOther",
    "copyrightDate",
    "abstract",
    "note",
    "tableOfContents",
    "subject",
    "topic",
    "geographic",
    "temporal",
    "hierarchicalGeographic",
    "cartographics",
    "coordinates",
    "classification",
    "genre",
    "typeOfResource",
    "language",
    "languageTerm",
    "physicalDescription",
    "extent",
    "form",
    "internetMediaType",
    "targetAudience",
    "accessCondition",
    "identifier",
    "location",
    "url",
    "relatedItem",
    "recordInfo",
    "extension",
    "mods",
)
_ATTRS = st.dictionaries(
    st.sampled_from(
        [
            "type",
            "authority",
            "authorityURI",
            "valueURI",
            "point",
            "encoding",
            "access",
            "usage",
            "invalid",
            "lang",
            "{http://www.w3.org/1999/xlink}href",
            "{http://www.w3.org/XML/1998/namespace}lang",
        ]
    ),
    st.one_of(
        st.sampled_from(
            [
                "code",
                "text",
                "start",
                "end",
                "host",
                "raw object",
                "preview",
                "primary display",
                "object in context",
                "yes",
                "marctarget",
                "hdl",
                "gnd",
                "orcid",
                "hcrt",
                "1900",
                "#x",
                "http://a/b#c",
                "",
            ]
        ),
        st.text(max_size=12),
    ),
    max_size=3,
)
_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "2021", "1900-1950", "00:10:00", "a/b", "http://x.y/z", "<b>x</b>"]),
    st.text(max_size=20),
)


def _xml_safe(text: str | None) -> str | None:
    return None if text is None else "".join(c for c in text if c.isprintable() or c in "\n\t")


_TREE = st.recursive(
    st.tuples(st.sampled_from(_NAMES), _ATTRS, _TEXT, st.just([])),
    lambda inner: st.tuples(st.sampled_from(_NAMES), _ATTRS, _TEXT, st.lists(inner, max_size=4)),
    max_leaves=25,
)


def _build(spec: tuple, ns: str) -> etree._Element:
    name, attrs, text, kids = spec
    el = etree.Element(f"{{{ns}}}{name}" if ns else name)
    for key, value in attrs.items():
        el.set(key, _xml_safe(value) or "")
    el.text = _xml_safe(text)
    for kid in kids:
        el.append(_build(kid, ns))
    return el


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kids=st.lists(_TREE, max_size=8),
    root=st.sampled_from(["mods", "modsCollection"]),
    ns=st.sampled_from([MODS, ""]),
)
def test_never_raises_on_well_formed_trees(kids: list, root: str, ns: str) -> None:
    metadata = _build((root, {}, None, kids), ns)
    record = map_item("s", "mods", Item("oai:s:h", metadata=metadata), "x")
    assert record.crosswalk == "mods"
    assert len(record.content_hash) == 64
