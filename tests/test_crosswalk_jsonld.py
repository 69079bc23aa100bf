"""JSON-LD crosswalk: HOOU pages, extruct's CreativeWork page, OER World Map grants and our
AMB examples field by field (goldens), plus the shapes JSON-LD takes on the web."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harvesters.web import extract_jsonld, resolve_references
from tests.support.corpus import corpus_path
from tests.support.golden import DATA, assert_golden
from transforms.crosswalks import DECLARATIONS, JsonItem, jsonld, map_json_batch, map_json_item
from transforms.crosswalks.coverage import Tally
from transforms.model import Record

GOLDEN = DATA / "jsonld"
SHA = "0" * 64
HOOU = {
    "hoou-ifm-erzaehlung-wie": "https://www.hoou.de/materials/ifm-erzahlung-wie",
    "hoou-online-punkteabfrage": "https://www.hoou.de/materials/online-punkteabfrage",
    "hoou-tutorial-lernen-lernen": "https://www.hoou.de/materials/tutorial-lernen-lernen",
}
CREATIVE_WORK_URL = "https://schema.org/CreativeWork.001.html"
AMB = ("amb-course", "amb-video", "amb-graph")


def page_records(path: Path, url: str, source: str, tally: Tally | None = None) -> list[Record]:
    result = extract_jsonld(path.read_bytes(), url)
    assert result.problems == []
    return [
        map_json_item(source, "jsonld", JsonItem(o.identifier, "", o.obj, o.raw), SHA, tally)
        for o in result.resources
    ]


def hoou(name: str, tally: Tally | None = None) -> list[Record]:
    return page_records(corpus_path("oersi-etl-hoou", f"{name}.html"), HOOU[name], "hoou", tally)


def creative_work(tally: Tally | None = None) -> list[Record]:
    path = corpus_path("extruct-web-pages", "schema.org", "CreativeWork.001.html")
    return page_records(path, CREATIVE_WORK_URL, "extruct", tally)


def hewlett(tally: Tally | None = None) -> list[Record]:
    """Each grant (schema.org Action) as a record, its agents resolved from agents.json."""
    grants = json.loads(
        corpus_path("oerworldmap", "hewlett", "hewlett_grants.part.json").read_text()
    )
    # agents.json starts with a UTF-8 BOM: strict json.loads of the str would fail.
    agents_path = corpus_path("oerworldmap", "hewlett", "agents.json")
    agents = json.loads(agents_path.read_bytes().decode("utf-8-sig"))
    resolved = resolve_references(grants + agents)[: len(grants)]
    return [
        map_json_item(
            "oerworldmap", "jsonld", JsonItem(g["@id"], "", g, json.dumps(o).encode()), SHA, tally
        )
        for g, o in zip(resolved, grants, strict=True)
    ]


def amb(name: str, tally: Tally | None = None) -> Record:
    raw = (GOLDEN / f"{name}.json").read_bytes()
    return map_json_item("amb", "jsonld", JsonItem(name, "", json.loads(raw), raw), SHA, tally)


def node(**props: Any) -> Record:
    return map_json_item("s", "jsonld", JsonItem("https://s/1", "", props, b"{}"), SHA)


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("name", sorted(HOOU))
def test_hoou_golden(name: str) -> None:
    assert_golden(hoou(name), GOLDEN / f"{name}.json")


def test_creative_work_golden() -> None:
    assert_golden(creative_work(), GOLDEN / "CreativeWork.001.json")


def test_hewlett_grants_golden() -> None:
    assert_golden(hewlett(), GOLDEN / "hewlett_grants.part.json")


@pytest.mark.parametrize("name", AMB)
def test_amb_golden(name: str) -> None:
    assert_golden([amb(name)], GOLDEN / f"{name}.golden.json")


# ---------------------------------------------------------------- key facts per fixture


def test_hoou_page_maps_its_oer_block() -> None:
    (record,) = hoou("hoou-ifm-erzaehlung-wie")
    assert record.oai_identifier == "https://www.hoou.de/materials/ifm-erzahlung-wie#2"
    assert record.titles == [{"value": "IFM - Erzählung. Wie?", "lang": None}]
    assert record.descriptions[0]["value"].startswith("Videolecture im Rahmen des Kurses")
    assert record.creators == [
        {
            "name": "Prof. Robert Bramkamp",
            "identifier": None,
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert [p["name"] for p in record.publishers] == ["Hochschule für bildende Künste Hamburg"]
    assert [(d["kind"], d["iso"]) for d in record.dates] == [
        ("created", "2017-09-14T16:25:55Z"),
        ("issued", "2017-09-16T10:25:16Z"),
        ("modified", "2018-03-27T22:30:14Z"),
    ]
    assert [s["value"] for s in record.subjects] == ["Kunst", "#filmemachen", "#film"]
    assert record.rights == ["https://creativecommons.org/licenses/by-nc-sa/4.0/"]
    assert record.resource_types == ["CreativeWork"]
    # No url on the node: the page it was found on is its landing page.
    assert record.landing_page == "https://www.hoou.de/materials/ifm-erzahlung-wie"
    assert record.related[0]["kind"] == "hasPart"
    # HOOU's null LRMI fields and empty AlignmentObject / EducationalAudience map to nothing.
    assert (record.learning_resource_types, record.classifications, record.audiences) == (
        [],
        [],
        [],
    )
    assert record.issues == []


def test_hoou_keywords_split_on_commas_once_each() -> None:
    (record,) = hoou("hoou-online-punkteabfrage")
    values = [s["value"] for s in record.subjects]
    assert values.count("Informatik") == 1
    assert "Wissen" in values and " Wissen" not in values
    assert [c["name"] for c in record.creators] == ["HAW", "Detlev Dannenberg"]


def test_creative_work_page_maps_main_entity_and_microdata_books() -> None:
    page, rouge, red = creative_work()
    assert page.oai_identifier == f"{CREATIVE_WORK_URL}#0"
    assert page.titles == [{"value": "The Catcher in the Rye", "lang": None}]
    assert page.resource_types == ["Book"]
    assert [i["scheme"] for i in page.identifiers] == ["url", "isbn"]
    assert page.thumbnails == ["https://schema.org/catcher-in-the-rye-book-cover.jpg"]
    assert page.languages == ["English"]
    assert page.landing_page == CREATIVE_WORK_URL
    assert {i["code"] for i in page.issues} == {"main_entity_mapped", "unresolved_reference"}
    assert rouge.oai_identifier == "http://worldcat.org/entity/work/id/2292573321"
    assert rouge.titles == [{"value": "Rouge et le noir", "lang": "fr"}]
    assert rouge.related[0]["kind"] == "hasTranslation"
    assert red.creators == [
        {
            "name": "Stendhal",
            "identifier": "http://viaf.org/viaf/17823",
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert red.related[0] == {
        "kind": "isTranslationOf",
        "target": "http://worldcat.org/entity/work/id/2292573321",
        "scheme": "url",
        "normalized": "http://worldcat.org/entity/work/id/2292573321",
    }


def test_hewlett_grants_are_activities_with_agents_and_funders() -> None:
    records = hewlett()
    assert len(records) == 124
    first = records[0]
    assert first.oai_identifier == "urn:uuid:4141dd17-4991-477f-a178-ac4595197ecf"
    assert first.titles == [{"value": "The Support Of The 2Nd Oer World Congress", "lang": "en"}]
    assert first.resource_types == ["Action"]
    assert [(d["kind"], d["iso"]) for d in first.dates] == [
        ("start", "2016-10-20T00:00:00"),
        ("end", "2017-10-20T00:00:00"),
    ]
    assert first.funders == [
        {
            "name": "",
            "identifier": "urn:uuid:0801e4d4-3c7e-11e5-9f0e-54ee7558c81f",
            "award": "http://www.hewlett.org/grants/united-nations-educational-scientific-and-"
            "cultural-organization-for-the-support-of-the-2nd-oer-world-congress/",
        }
    ]
    with_agent = [r for r in records if r.creators]
    assert len(with_agent) == 54  # agents.json has the agent of 54 of the 124 grants
    assert with_agent[0].creators[0]["role"] == "agent"
    assert all(i["code"] == "unresolved_reference" for r in records for i in r.issues)


def test_amb_course_key_facts() -> None:
    record = amb("amb-course")
    assert record.titles == [
        {"value": "Einführung in die Statistik", "lang": "de"},
        {"value": "Introduction to Statistics", "lang": "en"},
    ]
    assert record.creators[0] == {
        "name": "Erika Musterfrau",
        "identifier": "https://orcid.org/0000-0002-1825-0097",
        "role": None,
        "affiliation": "Beispiel-Universität",
        "affiliation_id": "https://ror.org/05examp12",
    }
    assert record.contributors == [
        {
            "name": "Mustermann, Max",
            "identifier": None,
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert record.learning_resource_types[0]["raw"] == "https://w3id.org/kim/hcrt/course"
    assert record.audiences == [
        {"value": "Lernende", "lang": "de"},
        {"value": "student", "lang": "en"},
    ]
    assert {"value": "Bachelor", "lang": "en"} in record.education_levels
    assert record.classifications[0] == {
        "raw": "https://w3id.org/kim/hochschulfaechersystematik/n105",
        "scheme": "https://w3id.org/kim/hochschulfaechersystematik/scheme",
        "uri": "https://w3id.org/kim/hochschulfaechersystematik/n105",
        "label": "Mathematik",
    }
    assert record.rights == [
        "https://creativecommons.org/licenses/by/4.0/",
        "http://w3id.org/kim/conditionsOfAccess/no_login",
        "isAccessibleForFree=true",
    ]
    assert record.downloads == [
        {
            "url": "https://oer.example.org/kurse/statistik-1/skript.pdf",
            "media_type": "application/pdf",
        }
    ]
    assert record.landing_page == "https://portal.example.org/ressourcen/statistik-1"
    assert record.duration == {"raw": "PT12H", "iso": "PT12H"}
    assert record.interactivity_type == "mixed"
    assert record.funders[0]["identifier"] == "https://ror.org/0funder01"


def test_amb_graph_resolves_references_through_the_page() -> None:
    record = amb("amb-graph")
    assert record.titles == [{"value": "Fractions worksheet", "lang": "en"}]
    assert record.creators == [
        {
            "name": "Doe, Jane",
            "identifier": "https://orcid.org/0000-0002-1825-0097",
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert record.landing_page == "https://example.org/pages/worksheet-3"
    assert [i["code"] for i in record.issues] == ["main_entity_mapped"]


# ---------------------------------------------------------------- shapes and variants


def test_at_keywords_and_amb_aliases_map_alike() -> None:
    with_at = node(**{"@id": "https://x/1", "@type": "Course", "name": "T"})
    without = node(id="https://x/1", type="Course", name="T")
    assert with_at.titles == without.titles == [{"value": "T", "lang": None}]
    assert with_at.resource_types == without.resource_types == ["Course"]
    assert with_at.landing_page == without.landing_page == "https://x/1"


def test_full_iri_and_curie_keys_map_by_local_name() -> None:
    record = node(
        **{
            "@type": ["http://schema.org/LearningResource"],
            "http://schema.org/name": [{"@value": "Expanded", "@language": "en"}],
            "schema:description": "d",
        }
    )
    assert record.titles == [{"value": "Expanded", "lang": "en"}]
    assert record.descriptions == [{"value": "d", "lang": None}]
    assert record.resource_types == ["http://schema.org/LearningResource"]


def test_languages_of_text() -> None:
    ctx = node(
        **{"@context": ["https://w3id.org/kim/amb/context.jsonld", {"@language": "de"}]},
        name="Kurs",
        description={"@value": "Course", "@language": "en"},
    )
    assert ctx.titles == [{"value": "Kurs", "lang": "de"}]
    assert ctx.descriptions == [{"value": "Course", "lang": "en"}]
    by_map = node(name={"de": "Titel", "en": ["Title", "Heading"]})
    assert by_map.titles == [
        {"value": "Titel", "lang": "de"},
        {"value": "Title", "lang": "en"},
        {"value": "Heading", "lang": "en"},
    ]
    by_in_language = node(name="Título", inLanguage="es")
    assert by_in_language.titles == [{"value": "Título", "lang": "es"}]
    not_a_tag = node(name="Title", inLanguage="English")
    assert not_a_tag.titles == [{"value": "Title", "lang": None}]
    several = node(name="Title", inLanguage=["en", "de"])
    assert several.titles == [{"value": "Title", "lang": None}]


def test_titles_come_in_order_name_headline_alternate_name() -> None:
    record = node(alternateName="Alt", headline="Head", name="Name")
    assert [t["value"] for t in record.titles] == ["Name", "Head", "Alt"]


def test_agents_in_every_shape() -> None:
    record = node(
        author=[
            "Plain Name",
            {
                "@type": "Person",
                "givenName": "Ada",
                "familyName": "Lovelace",
                "sameAs": ["https://twitter.com/x", "http://orcid.org/0000-0002-1825-0097"],
            },
            {"@type": "Role", "roleName": "editor", "author": {"name": "Ed Itor"}},
            {"@id": "https://example.org/people/unknown"},
            "https://example.org/people/also-a-link",
        ],
        contributor={
            "name": "Org",
            "identifier": {
                "@type": "PropertyValue",
                "propertyID": "ROR",
                "value": "https://ror.org/05examp12",
            },
        },
        editor={"name": "E"},
        copyrightHolder={"name": "Holder"},
        sourceOrganization={"name": [{"@value": "Source Org", "@language": "en"}]},
    )
    assert record.creators == [
        {
            "name": "Plain Name",
            "identifier": None,
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        },
        {
            "name": "Lovelace, Ada",
            "identifier": "https://orcid.org/0000-0002-1825-0097",
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        },
        {
            "name": "Ed Itor",
            "identifier": None,
            "role": "editor",
            "affiliation": None,
            "affiliation_id": None,
        },
    ]
    assert record.contributors == [
        {
            "name": "Org",
            "identifier": "https://ror.org/05examp12",
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        },
        {
            "name": "E",
            "identifier": None,
            "role": "editor",
            "affiliation": None,
            "affiliation_id": None,
        },
        {
            "name": "Holder",
            "identifier": None,
            "role": "rightsHolder",
            "affiliation": None,
            "affiliation_id": None,
        },
    ]
    assert record.publishers == [
        {
            "name": "Source Org",
            "identifier": None,
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    (issue,) = [i for i in record.issues if i["code"] == "unresolved_reference"]
    assert "people/unknown" in issue["message"] and "also-a-link" in issue["message"]


def test_identifiers_and_links() -> None:
    record = node(
        url="https://example.org/page",
        identifier=[
            {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1234/ABC"},
            "urn:nbn:de:0000-1234",
        ],
        sameAs="https://doi.org/10.1234/abc",
        isbn="978-3-16-148410-0",
        **{"@id": "_:b0"},
    )
    assert record.landing_page == "https://example.org/page"
    assert [(i["scheme"], i["normalized"]) for i in record.identifiers] == [
        ("url", "https://example.org/page"),
        ("doi", "10.1234/abc"),  # sameAs; the PropertyValue's spelling is the same DOI
        ("urn", "urn:nbn:de:0000-1234"),
        ("isbn", "9783161484100"),
    ]


def test_educational_fields() -> None:
    record = node(
        learningResourceType=[
            "Video",
            "https://w3id.org/kim/hcrt/slide",
            {"name": "Übung", "@type": "DefinedTerm"},
        ],
        educationalLevel=[
            "Sekundarstufe I",
            {"id": "https://w3id.org/kim/educationalLevel/level_2"},
        ],
        audience=[
            {"@type": "EducationalAudience", "educationalRole": "teacher"},
            {"@type": "Audience", "audienceType": "parents"},
            {"@type": "PeopleAudience", "suggestedMinAge": 10, "suggestedMaxAge": 12},
        ],
        typicalAgeRange="6-8",
        timeRequired="PT1H30M",
        interactivityType="expositive",
        accessibilityFeature=["captions", "transcript"],
        accessibilityHazard="noFlashingHazard",
        accessibilityApi="ARIA",
        educationalAlignment=[
            {
                "@type": "AlignmentObject",
                "alignmentType": "educationalSubject",
                "targetName": "Mathematics",
                "educationalFramework": "Common Core",
                "targetUrl": "http://corestandards.org/Math/",
            },
            {
                "@type": "AlignmentObject",
                "alignmentType": "educationalLevel",
                "targetName": "Grade 5",
            },
        ],
    )
    assert [t["raw"] for t in record.learning_resource_types] == [
        "Video",
        "https://w3id.org/kim/hcrt/slide",
        "Übung",
    ]
    assert [e["value"] for e in record.education_levels] == [
        "Sekundarstufe I",
        "https://w3id.org/kim/educationalLevel/level_2",
        "Grade 5",
    ]
    assert [a["value"] for a in record.audiences] == ["teacher", "parents"]
    assert record.typical_age_ranges == ["6-8", "10-12"]
    assert record.duration == {"raw": "PT1H30M", "iso": "PT1H30M"}
    assert record.interactivity_type == "expositive"
    assert record.accessibility == [
        {"name": "accessibilityFeature", "value": "captions"},
        {"name": "accessibilityFeature", "value": "transcript"},
        {"name": "accessibilityHazard", "value": "noFlashingHazard"},
        {"name": "accessibilityAPI", "value": "ARIA"},
    ]
    assert record.classifications[0] == {
        "raw": "Mathematics",
        "scheme": "Common Core",
        "uri": "http://corestandards.org/Math/",
        "label": "Mathematics",
    }
    assert {"value": "Mathematics", "lang": None} in record.subjects


def test_hoou_style_alignment_on_the_node_itself() -> None:
    record = node(
        targetName="Informatik",
        targetUrl="https://example.org/informatik",
        educationalFramework="Fächer",
        educationalRole="student",
    )
    assert record.classifications == [
        {
            "raw": "Informatik",
            "scheme": "Fächer",
            "uri": "https://example.org/informatik",
            "label": "Informatik",
        }
    ]
    assert record.audiences == [{"value": "student", "lang": None}]


def test_media_thumbnails_relations_coverage_funding() -> None:
    record = node(
        **{"@type": "VideoObject"},
        contentUrl="https://x/v.mp4",
        encodingFormat="video/mp4",
        embedUrl="https://x/embed",
        associatedMedia={
            "@type": "MediaObject",
            "contentUrl": "https://x/a.webm",
            "encodingFormat": "video/webm",
        },
        thumbnail={"@type": "ImageObject", "url": "https://x/t.png"},
        thumbnailUrl=["https://x/t.png", "https://x/t2.png"],
        isPartOf="https://x/series",
        isBasedOnUrl="https://x/original",
        workExample={"@id": "https://x/edition"},
        spatialCoverage={
            "@type": "Place",
            "address": {"addressLocality": "Köln", "addressCountry": "DE"},
        },
        temporalCoverage="2020/2021",
        funding={
            "@type": "Grant",
            "identifier": "ABC-1",
            "funder": {"name": "DFG", "id": "https://ror.org/018mejw64"},
        },
        funder="EU",
        isAccessibleForFree="False",
    )
    assert record.downloads == [
        {"url": "https://x/a.webm", "media_type": "video/webm"},
        {"url": "https://x/v.mp4", "media_type": "video/mp4"},
        {"url": "https://x/embed", "media_type": None},
    ]
    assert record.formats == ["video/webm", "video/mp4"]
    assert record.thumbnails == ["https://x/t.png", "https://x/t2.png"]
    assert [(r["kind"], r["target"]) for r in record.related] == [
        ("isPartOf", "https://x/series"),
        ("isDerivedFrom", "https://x/original"),
        ("hasVersion", "https://x/edition"),
    ]
    assert record.coverage == ["Köln, DE", "2020/2021"]
    assert record.funders == [
        {"name": "EU", "identifier": None, "award": None},
        {"name": "DFG", "identifier": "https://ror.org/018mejw64", "award": "ABC-1"},
    ]
    assert record.rights == ["isAccessibleForFree=false"]


def test_nulls_empty_values_and_odd_types_map_to_nothing() -> None:
    record = node(
        name=None,
        description="",
        creator=[],
        keywords="",
        about=None,
        license={},
        audience=[{}],
        inLanguage=[None, 3],
        dateCreated={"@value": None},
        image=[[]],
        learningResourceType={"prefLabel": {}},
    )
    assert record.titles == [] and record.creators == [] and record.subjects == []
    assert record.languages == ["3"]
    assert [i["code"] for i in record.issues] == ["missing_title"]


def test_graph_without_a_resource_maps_its_first_node() -> None:
    obj = {"@graph": [{"@type": "Organization", "name": "Org"}, {"@type": "Place"}]}
    record = map_json_item("s", "jsonld", JsonItem("x", "", obj, b""), SHA)
    assert record.titles == [{"value": "Org", "lang": None}]


def test_mapped_keys_of_the_fixtures_have_no_unknown_paths() -> None:
    tally = Tally()
    for name in HOOU:
        hoou(name, tally)
    creative_work(tally)
    hewlett(tally)
    for name in AMB:
        amb(name, tally)
    rows = tally.rows(DECLARATIONS)
    assert [r["path"] for r in rows if r["status"] == "unknown"] == []
    dropped = {r["path"].split("/")[0] for r in rows if r["status"] == "dropped"}
    assert dropped == {
        "alignementType",
        "breadcrumb",
        "caption",
        "educationalUse",
        "isFundedBy",
        "mainEntityOfPage",
    }
    assert set(jsonld.MAPPED).isdisjoint(jsonld.DROPPED)


def test_a_non_object_item_is_an_issue_not_an_exception() -> None:
    records, failures = map_json_batch(
        "s",
        "jsonld",
        [JsonItem("x", "", [1, 2], b"[1,2]")],
        ["a"],  # type: ignore[arg-type]
    )
    assert failures == []
    assert [i["code"] for i in records[0].issues] == ["not_an_object", "missing_title"]


# ---------------------------------------------------------------- never raises

_KEYS = [
    *sorted(jsonld.MAPPED),
    "@id",
    "@type",
    "@value",
    "@language",
    "@graph",
    "prefLabel",
    "givenName",
    "roleName",
    "contentUrl",
    "targetName",
    "de",
]
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "https://orcid.org/0000-0002-1825-0097",
            "_:b1",
            "urn:x:y",
            "/rel",
            "PT1H",
            "2020-01-01",
            "de",
        ]
    ),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_KEYS), _JSON, max_size=10))
def test_map_jsonld_never_raises(obj: dict[str, Any]) -> None:
    record = map_json_item("s", "jsonld", JsonItem("x", "", obj, b""), SHA)
    assert record.content_hash
