"""marcxml crosswalk: DPLA's GPO and HathiTrust records and our own record, field by field,
plus namespace variants, non-MARC "record" roots, empty parts and random trees."""

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
from transforms.crosswalks.marcxml import MARC_NS, path_status, trim_isbd
from transforms.model import Record

GOLDEN = DATA / "marcxml"
HANDMADE = GOLDEN / "handmade.xml"
CORPUS = ("gpo", "gpo_ebooks", "hathi")


@dataclass
class Item:
    identifier: str
    datestamp: str
    set_specs: list[str] = field(default_factory=list)
    deleted: bool = False
    metadata: etree._Element | None = None
    raw: bytes = b""


def fixture_path(name: str) -> Path:
    return HANDMADE if name == "handmade" else corpus_path("dpla-ingestion3", f"{name}.xml")


def by_id(name: str) -> dict[str, Record]:
    return {r.oai_identifier: r for r in map_fixture(fixture_path(name))}


def marc(body: str, root: str = "record", ns: str | None = MARC_NS, attrs: str = "") -> Record:
    xmlns = f' xmlns="{ns}"' if ns else ""
    metadata = etree.fromstring(f"<{root}{xmlns}{attrs}>{body}</{root}>")
    return map_item("s", "marc21", Item("oai:s:1", "2024-01-01", metadata=metadata), "x")


def df(tag: str, subfields: str, ind1: str = " ", ind2: str = " ") -> str:
    """A datafield from "a=Title /|c=Someone." (code=text pairs separated by |)."""
    subs = "".join(
        f'<subfield code="{pair[0]}">{pair[2:]}</subfield>' for pair in subfields.split("|")
    )
    return f'<datafield tag="{tag}" ind1="{ind1}" ind2="{ind2}">{subs}</datafield>'


LEADER = "<leader>00000nam a2200000 i 4500</leader>"


# ---------------------------------------------------------------- golden records


@pytest.mark.parametrize("name", [*CORPUS, "handmade"])
def test_golden(name: str) -> None:
    assert_golden(map_fixture(fixture_path(name)), GOLDEN / f"{name}.json")


def test_gpo_record_key_facts() -> None:
    record = by_id("gpo")["oai:catalog.gpo.gov:GPO01-000003356"]
    assert record.titles[0]["value"].endswith("simulated radar control task")  # " /" trimmed
    assert [c["name"] for c in record.creators] == ["Thackray, Richard I."]  # initial kept
    assert [c["name"] for c in record.contributors] == [
        "Bailey, J. Powell",
        "Touchstone, R. Mark",
        "United States. Office of Aviation Medicine",
        "Civil Aeromedical Institute",
    ]
    assert record.publishers[0]["name"].startswith("U.S. Dept. of Transportation")
    # 008 date 1 and 260 $c "1975." are the same date: given once
    assert record.dates == [{"raw": "1975", "iso": "1975", "kind": "issued"}]
    assert record.languages == ["eng"]
    assert record.resource_types == ["language material", "monograph/item", "marc:am"]
    assert {(c["raw"], c["scheme"]) for c in record.classifications} >= {
        ("RC1075", "lcc"),
        ("TD 4.210:75-8", "sudoc"),
    }
    # 856 41 (version) is the only whole-resource link: the landing page; the $3 link is not
    assert record.landing_page == "http://purl.access.gpo.gov/GPO/LPS81536"
    assert [r["kind"] for r in record.related] == ["relation"]
    assert record.issues == []


def test_gpo_ebooks_truncated_leader_is_read_right_aligned() -> None:
    record = by_id("gpo_ebooks")["oai:catalog.gpo.gov:GPO01-000003356"]
    assert record.resource_types == ["language material", "monograph/item", "marc:am"]
    assert [i["code"] for i in record.issues] == ["leader_repaired"]
    assert record.landing_page == "https://purl.fdlp.gov/GPO/LPS81536"


def test_hathi_bare_record_key_facts() -> None:
    record = by_id("hathi")["hathi"]
    assert record.titles == [
        {"value": "New species of North American fungi from various localities", "lang": None}
    ]
    assert record.languages == ["ger"]  # 041 wins over 008/35-37 "eng"
    assert [(c["name"], c["role"]) for c in record.creators] == [
        ("Ellis, Job Bicknell, 1829-1905", None),
        ("Bad publisher", "aut"),  # a 710 whose relator says author
    ]
    assert record.dates == [{"raw": "1893", "iso": "1893", "kind": "issued"}]  # "[1893]." too
    assert record.publishers == []  # "n. pub." is no publisher
    fast = [c for c in record.classifications if c["scheme"] == "fast" and c["uri"]]
    assert [c["uri"] for c in fast] == [
        "http://id.worldcat.org/fast/810745",
        "http://id.worldcat.org/fast/1204155",
    ]
    assert "United States -- History -- Periodicals" in [s["value"] for s in record.subjects]
    assert record.coverage == ["1603 - 1714", "United States"]
    assert record.formats == ["unmediated", "volume", "1, 128-172 p."]
    assert record.related[0]["kind"] == "isFormatOf"
    assert record.identifiers == [
        {"value": "(OCoLC)316829673", "scheme": "other", "normalized": None}
    ]


def test_handmade_textbook_key_facts() -> None:
    record = by_id("handmade")["oai:oer.example.org:textbook-1"]
    assert record.titles[:2] == [
        {"value": "Programming in Python : an open textbook", "lang": None},
        {"value": "Программирование на Python : открытый учебник", "lang": "ru"},  # 880
    ]
    assert record.descriptions[0]["value"] == "A free textbook for secondary schools."  # 520
    assert {"value": "Свободный учебник для старшей школы.", "lang": "ru"} in record.descriptions
    assert [(c["name"], c["identifier"], c["role"]) for c in record.creators] == [
        ("Ivanova, Anna, 1980-", "https://orcid.org/0000-0002-1825-0097", "author"),
        ("Sidorov, Ivan", "http://id.loc.gov/authorities/names/n2019012345", "author"),
    ]
    assert record.contributors[0] == {
        "name": "Petrov, Boris",
        "identifier": "https://orcid.org/0000-0001-5109-3700",
        "role": "editor",
        "affiliation": None,
        "affiliation_id": None,
    }
    assert record.contributors[1]["identifier"] == "https://ror.org/02mhbdp94"
    assert [f["name"] for f in record.funders] == [
        "Supported by the Open Education Foundation",
        "Open Education Foundation",  # 710 $4 fnd
    ]
    assert record.dates == [
        {"raw": "2022", "iso": "2022", "kind": "issued"},
        {"raw": "2021", "iso": "2021", "kind": "copyrighted"},
    ]
    assert {i["scheme"] for i in record.identifiers} == {"isbn", "doi", "handle", "other", "url"}
    assert record.landing_page == "https://oer.example.org/books/python"
    assert [(d["url"].rpartition(".")[2], d["media_type"]) for d in record.downloads] == [
        ("pdf", "application/pdf"),
        ("epub", "application/epub+zip"),
    ]
    kinds = [(r["kind"], r["target"]) for r in record.related]
    assert ("hasVersion", "https://archive.example.org/python-1st-ed") in kinds
    assert ("relation", "https://oer.example.org/books/python/toc") in kinds
    assert ("hasPart", "Kuznetsova, Maria. Python exercises") in kinds
    assert ("isFormatOf", "9785020329652") in kinds
    assert [k for k in kinds if k[1].startswith("Open textbooks")] == [
        ("isPartOf", "Open textbooks in computing ; 3")  # 490 and 830 given once
    ]
    assert record.rights[-1] == "https://creativecommons.org/licenses/by/4.0/"
    assert [e["value"] for e in record.education_levels] == ["Grades 10-12"]
    assert record.typical_age_ranges == ["14-17", "15-18"]  # 008/22 d, 521 ind1 1
    assert record.learning_resource_types[0]["raw"] == "Textbooks"
    assert not any("Иванова" in a["name"] for a in record.creators + record.contributors)


def test_handmade_video_collection_and_deleted_record() -> None:
    records = by_id("handmade")
    video = records["oai:oer.example.org:video-7"]
    assert video.titles == [{"value": "Introduction to statistics : lecture 1", "lang": None}]
    assert video.resource_types[:3] == ["projected medium", "monograph/item", "marc:gm"]
    assert video.duration == {"raw": "45 min.", "iso": "PT45M"}
    assert video.downloads == [
        {"url": "https://video.example.org/stats1.mp4", "media_type": "video/mp4"}
    ]
    assert video.landing_page == "https://video.example.org/stats1"
    assert video.publishers == []  # "[s.n.]"
    assert video.dates == [{"raw": "2021", "iso": "2021", "kind": "issued"}]  # "[2021?]" too
    assert video.contributors[0]["role"] == "narrator, speaker"
    assert "multiple_records" in {i["code"] for i in video.issues}
    assert records["oai:oer.example.org:gone-3"].deleted


# ---------------------------------------------------------------- namespaces and shapes


def test_no_namespace_record_maps_by_name() -> None:
    record = marc(LEADER + df("245", "a=Plain record /|c=X."), ns=None)
    assert record.titles == [{"value": "Plain record", "lang": None}]
    assert [i["code"] for i in record.issues] == ["nonstandard_namespace"]


@pytest.mark.parametrize(
    "ns", [MARC_NS, "info:lc/xmlns/marcxchange-v1", "info:lc/xmlns/marcxchange-v2"]
)
def test_namespace_versions(ns: str) -> None:
    record = marc(LEADER + df("245", "a=T"), ns=ns, attrs=' format="MARC21" type="Bibliographic"')
    assert record.titles == [{"value": "T", "lang": None}]
    assert record.issues == []


def test_marcxchange_unimarc_is_refused_not_guessed() -> None:
    record = marc(
        LEADER + df("200", "a=Titre"), ns="info:lc/xmlns/marcxchange-v2", attrs=' format="UNIMARC"'
    )
    assert record.titles == []
    assert [i["code"] for i in record.issues] == ["unsupported_marc_flavour"]


def test_a_record_that_is_not_marc_gets_an_issue_and_nothing_else() -> None:
    record = marc("<title>Not MARC</title><creator>Someone</creator>", ns="urn:other")
    assert record.crosswalk == "marcxml"
    assert record.titles == [] and record.creators == []
    assert [i["code"] for i in record.issues] == ["nonstandard_namespace", "not_marc"]


def test_oai_marc_1_1() -> None:
    body = (
        '<fixfield id="008">"990101s1999    xx            000 0 fre d"</fixfield>'
        '<varfield id="245" i1="1" i2="0"><subfield label="a">Titre :</subfield>'
        '<subfield label="b">sous-titre.</subfield></varfield>'
    )
    record = marc(
        body,
        root="oai_marc",
        ns="http://www.openarchives.org/OAI/1.1/oai_marc",
        attrs=' status="c" type="a" level="m"',
    )
    assert record.titles == [{"value": "Titre : sous-titre", "lang": None}]
    assert record.languages == ["fre"]
    assert record.dates == [{"raw": "1999", "iso": "1999", "kind": "issued"}]
    assert record.resource_types[0] == "language material"


def test_empty_and_odd_parts_do_not_break_mapping() -> None:
    body = (
        "<leader/><controlfield tag='008'>short</controlfield>"
        "<datafield tag='245'/><datafield tag='100' ind1='1'><subfield>no code</subfield>"
        "<subfield code='a'>  </subfield></datafield><datafield><subfield code='a'>x</subfield>"
        "</datafield>" + df("246", "a=Fallback title") + df("856", "u=not a url", ind2="0")
    )
    record = marc(body)
    assert record.titles == [{"value": "Fallback title", "lang": None}]
    assert record.creators == [] and record.dates == [] and record.resource_types == []
    assert record.identifiers == [{"value": "not a url", "scheme": "other", "normalized": None}]


def test_missing_title_is_reported() -> None:
    record = marc(LEADER + df("100", "a=Someone"))
    assert [i["code"] for i in record.issues] == ["missing_title"]


def test_880_language_only_when_the_script_fits() -> None:
    f008 = "<controlfield tag='008'>990101s1999    xx            000 0 eng d</controlfield>"
    titles = df("245", "6=880-01|a=War and peace") + df("880", "6=245-01/(N|a=Война и мир")
    body = LEADER + f008 + titles
    record = marc(body)
    assert record.titles[1] == {"value": "Война и мир", "lang": None}  # English, Cyrillic
    record = marc(body.replace(" eng d", " rus d"))
    assert record.titles[1] == {"value": "Война и мир", "lang": "ru"}


def test_264_kinds_and_copyright_marks() -> None:
    body = LEADER + "".join(
        df("264", f"b=Agent {i},|c={date}", ind2=str(i))
        for i, date in enumerate(["2001", "2002.", "[2003]", "2004", "c2005"])
    )
    record = marc(body)
    assert [(d["raw"], d["kind"]) for d in record.dates] == [
        ("2001", "created"),
        ("2002", "issued"),
        ("2003", "available"),
        ("2004", "manufactured"),
        ("2005", "copyrighted"),
    ]
    assert [(p["name"], p["role"]) for p in record.publishers] == [
        ("Agent 1", None),
        ("Agent 2", "distributor"),
    ]
    assert [(c["name"], c["role"]) for c in record.contributors] == [
        ("Agent 0", "producer"),
        ("Agent 3", "manufacturer"),
    ]


def test_trim_isbd() -> None:
    assert trim_isbd("Title /") == "Title"
    assert trim_isbd("Title : subtitle ;") == "Title : subtitle"
    assert trim_isbd("Washington, D.C. :") == "Washington, D.C."
    assert trim_isbd("Smith, J.") == "Smith, J."
    assert trim_isbd("Acme Inc.") == "Acme Inc."
    assert trim_isbd("Radar systems.") == "Radar systems"
    assert trim_isbd("Wait for it ...") == "Wait for it ..."
    assert trim_isbd(" = Parallel title") == "Parallel title"


# ---------------------------------------------------------------- coverage


def test_coverage_is_counted_per_tag_and_no_fixture_tag_is_unknown() -> None:
    tally = Tally()
    for name in [*CORPUS, "handmade"]:
        for item in fixture_items(fixture_path(name)):
            map_item("golden", "marc21", item, "0" * 64, tally)
    rows = {r["path"]: r["status"] for r in tally.rows(DECLARATIONS) if r["crosswalk"] == "marcxml"}
    assert {"LDR", "008", "245"} <= set(rows)
    assert [t for t, status in rows.items() if status == "unknown"] == []
    assert path_status("250") == "dropped" and path_status("994") == "dropped"
    assert path_status("245") == "mapped" and path_status("LDR") == "mapped"
    assert path_status("886") == "unknown"


# ---------------------------------------------------------------- never raises

_TAGS = ["LDR", "000", "001", "008", "020", "024", "041", "082", "100", "245", "246", "260",
         "264", "300", "336", "490", "505", "520", "521", "540", "650", "655", "700", "710",
         "773", "776", "856", "880", "999", "", "24"]  # fmt: skip
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=30,
)
_CODES = st.sampled_from([*"abcdefhnpqtuvxyz012346", "", "ab"])


@st.composite
def marc_trees(draw: st.DrawFn) -> etree._Element:
    ns = draw(st.sampled_from([MARC_NS, None, "info:lc/xmlns/marcxchange-v2", "urn:x"]))
    q = (lambda n: f"{{{ns}}}{n}") if ns else (lambda n: n)
    root = etree.Element(q(draw(st.sampled_from(["record", "collection"]))))
    parent = etree.SubElement(root, q("record")) if root.tag.endswith("collection") else root
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["leader", "controlfield", "datafield", "other"]))
        el = etree.SubElement(parent, q(kind))
        if draw(st.booleans()):
            el.set("tag", draw(st.sampled_from(_TAGS)))
        for attr in ("ind1", "ind2"):
            if draw(st.booleans()):
                el.set(attr, draw(st.sampled_from(["", " ", "0", "1", "2", "4", "7", "xx"])))
        if kind == "datafield":
            for _ in range(draw(st.integers(0, 5))):
                sub = etree.SubElement(el, q("subfield"))
                sub.set("code", draw(_CODES))
                sub.text = draw(_TEXT)
        else:
            el.text = draw(st.one_of(_TEXT, st.just("830406s1893    xx      d     000 0 eng d")))
    return root


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(marc_trees())
def test_map_item_never_raises_on_marc_like_trees(tree: etree._Element) -> None:
    record = map_item("s", "marc21", Item("oai:s:h", "2020", metadata=tree), "x")
    assert record.crosswalk == "marcxml"
    assert len(record.content_hash) == 64
