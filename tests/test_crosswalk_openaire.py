"""OpenAIRE (oai_openaire, Literature Guidelines v4) crosswalk: our own fixtures (golden),
key facts, quirks, coverage declarations, and a never-raises property test."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.support.golden import DATA, FixtureItem, assert_golden, fixture_items, map_fixture
from transforms.crosswalks import DECLARATIONS, crosswalk_for, map_item
from transforms.crosswalks import openaire as oa
from transforms.crosswalks.coverage import UNKNOWN, Tally
from transforms.model import Record

FIXTURES = DATA / "openaire"
OAIRE = "http://namespace.openaire.eu/schema/oaire/"
NS = {
    "oaire": OAIRE,
    "datacite": "http://datacite.org/schema/kernel-4",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}


def oaire(body: str, ns: str = OAIRE) -> etree._Element:
    decls = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items() if p != "oaire")
    return etree.fromstring(f'<oaire:resource xmlns:oaire="{ns}" {decls}>{body}</oaire:resource>')


def map_one(metadata: etree._Element, tally: Tally | None = None) -> Record:
    item = FixtureItem("oai:t:1", "2024-01-01", [], False, metadata, b"")
    return map_item("t", "oai_openaire", item, "0" * 64, tally)


def fixture(name: str) -> dict[str, Record]:
    return {r.oai_identifier: r for r in map_fixture(FIXTURES / f"{name}.xml")}


@pytest.mark.parametrize("name", ["article", "learning-object", "variant"])
def test_golden(name: str) -> None:
    assert_golden(map_fixture(FIXTURES / f"{name}.xml"), FIXTURES / f"{name}.json")


def test_article_key_facts() -> None:
    records = fixture("article")
    assert records["oai:repo.example.org:1234/5629"].deleted
    record = records["oai:repo.example.org:1234/5628"]
    assert record.crosswalk == "openaire"
    # the main title first, then the translated title and the subtitle in document order
    assert [(t["value"], t["lang"]) for t in record.titles] == [
        ("Open textbooks in higher education", "en"),
        ("Offene Lehrbücher im Hochschulunterricht", "de"),
        ("A survey of 40 universities", "en"),
    ]
    assert [(c["name"], c["identifier"]) for c in record.creators] == [
        ("Carberry, Josiah", "https://orcid.org/0000-0002-1825-0097"),
        ("Núñez García, Ana", "https://d-nb.info/gnd/1012345678"),  # from given/family names
        ("Open Education Lab", "https://ror.org/02mhbdp94"),
    ]
    assert [(c["name"], c["role"]) for c in record.contributors] == [
        ("Müller, Eva", "Editor"),
        ("Example University Library", "HostingInstitution"),
    ]
    assert record.funders == [
        {
            "name": "European Commission",
            "identifier": "https://doi.org/10.13039/100010661",
            "award": "643410",
        },
        {
            "name": "Deutsche Forschungsgemeinschaft",
            "identifier": "https://doi.org/10.13039/501100001659",
            "award": None,
        },
    ]
    assert [(d["iso"], d["kind"]) for d in record.dates] == [
        ("2023-11-20", "accepted"),
        ("2024-01-15", "issued"),
        ("2024-07-15", "available"),  # the embargo end
    ]
    assert record.resource_types == [
        "journal article",
        "http://purl.org/coar/resource_type/c_6501",
        "literature",
    ]
    assert record.learning_resource_types == []
    assert record.rights == [
        "http://purl.org/coar/access_right/c_f1cf",
        "embargoed access",
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0 International",
    ]
    assert record.landing_page == "https://hdl.handle.net/1234/5628"
    assert [i["scheme"] for i in record.identifiers] == ["handle", "url", "isbn"]
    assert record.downloads == [
        {
            "url": "https://repo.example.org/bitstreams/5628/article.pdf",
            "media_type": "application/pdf",
        }
    ]
    assert [(r["kind"], r["target"], r["scheme"]) for r in record.related] == [
        ("isPartOf", "1234-5679", "issn"),
        ("isVersionOf", "arXiv:2401.01234", "arxiv"),
        ("isSupplementedBy", "10.5072/data.5628", "doi"),
        ("isPartOf", "Journal of Open Education", "other"),  # oaire:citationTitle
    ]
    assert record.classifications == [
        {
            "raw": "370 Education",
            "scheme": "DDC",
            "uri": "http://dewey.info/class/370/",
            "label": "370 Education",
        }
    ]
    assert record.descriptions[0] == {
        "value": "We asked 40 universities how they use open textbooks.",
        "lang": "en",
    }
    assert [i["code"] for i in record.issues] == ["html_stripped"]


def test_learning_object_key_facts() -> None:
    record = fixture("learning-object")["learning-object"]
    assert record.landing_page == "https://doi.org/10.5072/OER.2024.77"
    assert [t["raw"] for t in record.learning_resource_types] == ["lecture"]  # COAR c_8544
    assert record.audiences == [
        {"value": "Students", "lang": "en"},
        {"value": "Teachers", "lang": "en"},
    ]
    assert record.dates[1] == {
        "raw": "2024-03-01/2026-02-28",
        "iso": "2024-03-01/2026-02-28",
        "kind": "valid",
    }
    assert record.coverage == ["América Latina", "Montevideo"]
    assert record.source_refs == ["Biología general, unidad 3"]
    assert [d["media_type"] for d in record.downloads] == ["video/mp4", "application/pdf"]
    # subjectScheme "keyword" is free text, not a classification
    assert record.classifications == [
        {"raw": "572.46", "scheme": "DDC", "uri": None, "label": "Photosynthesis"}
    ]
    assert record.issues == []


def test_variant_key_facts() -> None:
    record = fixture("variant")["variant"]
    assert record.titles == [{"value": "Exercices corrigés d'algèbre linéaire", "lang": "fr"}]
    assert [c["name"] for c in record.creators] == ["Martin, Claire", "Dubois, Paul"]
    assert record.rights == ["http://purl.org/coar/access_right/c_abf2", "open access"]
    assert [t["raw"] for t in record.learning_resource_types] == ["learning object", "Exercise"]
    assert record.dates == [
        {"raw": "2019", "iso": "2019", "kind": None},
        {"raw": "2018-09-01/", "iso": "2018-09-01/..", "kind": "created"},
    ]
    # the kernel-3 Funder contributor and the v3 grantAgreement relation both name funders
    assert record.funders == [
        {"name": "Agence nationale de la recherche", "identifier": None, "award": None},
        {"name": "EC", "identifier": None, "award": "643410"},
    ]
    assert record.relations == ["info:eu-repo/grantAgreement/EC/H2020/643410"]
    assert record.landing_page == "https://hal.example.fr/hal-0123456"
    assert record.issues == []


def test_namespaces_and_root_name() -> None:
    for ns in oa.NAMESPACES:
        cw, by_name = crosswalk_for(oaire("", ns))
        assert cw is not None and cw.name == "openaire" and not by_name
    # "resource" in no namespace stays DataCite's fallback
    cw, by_name = crosswalk_for(etree.fromstring("<resource/>"))
    assert cw is not None and cw.name == "datacite" and by_name


def test_missing_title_and_empty_elements() -> None:
    record = map_one(
        oaire(
            "<datacite:titles><datacite:title/></datacite:titles><oaire:file/><dc:rights/>"
            "<oaire:resourceType/><oaire:licenseCondition uri=''/><dcterms:audience/>"
        )
    )
    assert record.titles == record.rights == record.downloads == record.resource_types == []
    assert [i["code"] for i in record.issues] == ["missing_title"]


def test_fixtures_coverage_has_no_unknown_paths_but_foreign_ones() -> None:
    tally = Tally()
    for name in ("article", "learning-object", "variant"):
        for item in fixture_items(FIXTURES / f"{name}.xml"):
            map_item("t", "oai_openaire", item, "0" * 64, tally)
    rows = tally.rows(DECLARATIONS)
    assert {r["crosswalk"] for r in rows} == {"openaire"}
    assert [r["path"] for r in rows if r["status"] == UNKNOWN] == ["localNote"]
    dropped = {r["path"] for r in rows if r["status"] == "dropped"}
    assert dropped == {
        "citationEndPage",
        "citationIssue",
        "citationStartPage",
        "citationVolume",
        "fundingReferences/fundingReference/fundingStream",
        "geoLocations/geoLocation/geoLocationPoint",
        "geoLocations/geoLocation/geoLocationPoint/pointLatitude",
        "geoLocations/geoLocation/geoLocationPoint/pointLongitude",
        "sizes",
        "sizes/size",
        "version",
    }


# ---------------------------------------------------------------- never raises

_NAMES = sorted({p.rpartition("/")[2] for p in oa.MAPPED | oa.DROPPED} | {"unknownThing"})
_ATTRS = [
    "uri", "resourceTypeGeneral", "rightsURI", "mimeType", "objectType", "accessRightsURI",
    "startDate", "dateType", "titleType", "identifierType", "nameIdentifierScheme",
    "schemeURI", "contributorType", "relationType", "relatedIdentifierType",
    "funderIdentifierType", "awardURI", "subjectScheme", "valueURI",
    "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource",
]  # fmt: skip
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("/&<>;:- 0123456789"),
    max_size=30,
)


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    name = draw(st.sampled_from(_NAMES))
    ns = draw(st.sampled_from([*NS.values(), ""]))
    el = etree.Element(f"{{{ns}}}{name}" if ns else name)
    for attr in draw(st.lists(st.sampled_from(_ATTRS), max_size=3, unique=True)):
        el.set(attr, draw(_TEXT))
    el.text = draw(_TEXT)
    if depth < 2:
        for c in draw(st.lists(trees(depth + 1), max_size=3)):
            el.append(c)
    if draw(st.booleans()):  # comments and processing instructions among the elements
        el.insert(draw(st.integers(0, len(el))), etree.Comment(" note "))
        el.append(etree.ProcessingInstruction("pi", "x"))
    return el


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(trees(), max_size=8))
def test_map_item_never_raises(body: list[etree._Element]) -> None:
    root = oaire("")
    for el in body:
        root.append(el)
    record = map_one(root, Tally())
    assert record.crosswalk == "openaire"
    assert len(record.content_hash) == 64
