"""The action areas of the UNESCO OER Recommendation (vocabularies/action-areas.ttl)."""

from __future__ import annotations

import dataclasses
import re
from itertools import combinations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from vocabularies import build_licences, loader
from vocabularies.action_areas import NAMESPACE, SCHEME, SLUGS, ActionArea, action_areas

LANGUAGES = ("en", "es", "fr", "de", "pt", "ar", "ru", "zh-Hans")
MAIN_LANGUAGES = ("en", "es", "fr", "de", "pt")  # 15–40 keywords an area; the others ≥ 10
THESAURUS = "http://vocabularies.unesco.org/thesaurus/"
OER_CONCEPT = THESAURUS + "concept17093"
# what each aligned thesaurus concept is called in English: catches a mistyped number that
# happens to exist too
EXPECTED_THESAURUS_LABELS = {
    "concept16978": "Capacity building",
    "concept9331": "Teacher education",
    "concept11100": "Inservice teacher education",
    "concept6018": "Digital skills",
    "concept9": "Educational policy",
    "concept9490": "Policy making",
    "concept3090": "Copyright",
    "concept5325": "Intellectual property",
    "concept17127": "Open access",
    "concept17016": "Inclusive education",
    "concept90": "Educational quality",
    "concept1140": "Universal education",
    "concept8094": "Persons with disabilities",
    "concept13214": "Mother tongue",
    "concept7966": "Indigenous languages",
    "concept17150": "Gender equality",
    "concept8864": "Educational finance",
    "concept6702": "Educational costs",
    "concept17157": "Digital preservation",
    "concept6582": "International cooperation",
    "concept6578": "Educational cooperation",
    "concept5705": "Regional cooperation",
    "concept12814": "South South relations",
    "concept17093": "Open educational resources",
}
GENERIC = {  # in every OER's metadata: evidence for no area
    "oer",
    "open educational resources",
    "education",
    "learning",
    "course",
    "recursos educativos abiertos",
    "ressources éducatives libres",
    "offene bildungsressourcen",
    "rea",
    "rel",
    "open education",
    "recursos educacionais abertos",
    "открытые образовательные ресурсы",
    "оор",
    "الموارد التعليمية المفتوحة",
    "开放教育资源",
}


@pytest.fixture(scope="module")
def areas() -> dict[str, ActionArea]:
    return action_areas()


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(loader.path_of("action-areas"), format="turtle")


@pytest.fixture(scope="module")
def thesaurus() -> Graph:
    path = build_licences.sources_dir() / "unesco-thesaurus" / "unesco-thesaurus.ttl"
    if not path.is_file():
        pytest.skip(f"UNESCO Thesaurus not available at {path}")
    return Graph().parse(path, format="turtle")  # ~2.5 s, 88k triples


def contains_phrase(longer: str, shorter: str, lang: str) -> bool:
    """Whether `shorter` occurs in `longer` as whole words (Chinese: as characters)."""
    longer, shorter = longer.casefold(), shorter.casefold()
    if lang.startswith("zh"):
        return shorter in longer
    return re.search(rf"(?<!\w){re.escape(shorter)}(?!\w)", longer) is not None


def test_ttl_parses_into_one_scheme_of_five_top_concepts(graph: Graph) -> None:
    scheme = URIRef(SCHEME)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    concepts = sorted(str(s) for s in graph.subjects(RDF.type, SKOS.Concept))
    assert concepts == sorted(NAMESPACE + slug for slug in SLUGS)
    for uri in concepts:
        assert (URIRef(uri), SKOS.inScheme, scheme) in graph
        assert (URIRef(uri), SKOS.topConceptOf, scheme) in graph
        assert (scheme, SKOS.hasTopConcept, URIRef(uri)) in graph


def test_five_slugs_in_order(areas: dict[str, ActionArea]) -> None:
    assert list(areas) == [
        "capacity-building",
        "supportive-policy",
        "inclusive-equitable-quality",
        "sustainability-models",
        "international-cooperation",
    ]
    assert [a.notation for a in areas.values()] == ["i", "ii", "iii", "iv", "v"]
    for slug, area in areas.items():
        assert area.slug == slug
        assert area.uri == f"https://w3id.org/oer-pipeline/action-areas/{slug}"


def test_loader_is_cached_and_frozen(areas: dict[str, ActionArea]) -> None:
    assert action_areas() is areas
    with pytest.raises(dataclasses.FrozenInstanceError):
        areas["supportive-policy"].notation = "x"  # type: ignore[misc]


def test_one_pref_label_in_each_language(areas: dict[str, ActionArea]) -> None:
    for area in areas.values():
        assert set(area.labels) == set(LANGUAGES), area.slug
        assert all(len(labels) == 1 for labels in area.labels.values()), area.slug
    assert areas["international-cooperation"].labels["en"] == (
        "Facilitating international cooperation",
    )
    assert areas["supportive-policy"].labels["es"] == ("Elaboración de políticas de apoyo",)


def test_definitions_and_scope_notes(areas: dict[str, ActionArea], graph: Graph) -> None:
    for area in areas.values():
        assert set(area.definitions) == set(LANGUAGES), area.slug
        assert all(len(d) == 1 and len(d[0]) > 40 for d in area.definitions.values())
        notes = [n for n in graph.objects(URIRef(area.uri), SKOS.scopeNote) if n.language == "en"]
        assert len(notes) == 1 and "Does not count" in notes[0], area.slug


def test_keyword_counts_per_language(areas: dict[str, ActionArea]) -> None:
    for area in areas.values():
        assert set(area.keywords) == set(LANGUAGES), area.slug
        for lang, keywords in area.keywords.items():
            low = 15 if lang in MAIN_LANGUAGES else 10
            assert low <= len(keywords) <= 40, (area.slug, lang, len(keywords))


def test_keywords_are_clean_and_not_pref_labels(areas: dict[str, ActionArea]) -> None:
    for area in areas.values():
        for lang, keywords in area.keywords.items():
            assert len({k.casefold() for k in keywords}) == len(keywords), (area.slug, lang)
            for k in keywords:
                assert k == " ".join(k.split()) and k, (area.slug, lang, k)
            labels = {label.casefold() for label in area.labels[lang]}
            assert not labels & {k.casefold() for k in keywords}, (area.slug, lang)


def test_no_keyword_in_two_areas(areas: dict[str, ActionArea]) -> None:
    for a, b in combinations(areas.values(), 2):
        for lang in LANGUAGES:
            shared = {k.casefold() for k in a.keywords[lang]} & {
                k.casefold() for k in b.keywords[lang]
            }
            assert not shared, (a.slug, b.slug, lang, shared)


def test_no_keyword_contains_another_areas_keyword(areas: dict[str, ActionArea]) -> None:
    """A phrase containing another area's phrase always matches both: no evidence of its own."""
    clashes = [
        (a.slug, longer, b.slug, shorter)
        for a in areas.values()
        for b in areas.values()
        if a is not b
        for lang in LANGUAGES
        for longer in a.keywords[lang]
        for shorter in b.keywords[lang]
        if contains_phrase(longer, shorter, lang)
    ]
    assert clashes == []


def test_contains_phrase_whole_words_only() -> None:
    assert contains_phrase("Regional OER network", "OER network", "en")
    assert not contains_phrase("funding models", "funding model", "en")
    assert contains_phrase("国家开放教育资源战略", "开放教育资源", "zh-Hans")


def test_no_generic_keywords(areas: dict[str, ActionArea]) -> None:
    generic = [
        (area.slug, k)
        for area in areas.values()
        for keywords in area.keywords.values()
        for k in keywords
        if k.casefold() in GENERIC
    ]
    assert generic == []


def test_brief_examples_are_keywords(areas: dict[str, ActionArea]) -> None:
    expected = {
        "capacity-building": [("en", "train the trainer"), ("de", "Lehrkräftefortbildung")],
        "supportive-policy": [("en", "OER policy"), ("es", "política de REA")],
        "inclusive-equitable-quality": [("en", "universal design for learning")],
        "sustainability-models": [("en", "community-based maintenance")],
        "international-cooperation": [("en", "South-South cooperation"), ("zh-Hans", "南南合作")],
    }
    for slug, pairs in expected.items():
        for lang, keyword in pairs:
            assert keyword in areas[slug].keywords[lang], (slug, lang, keyword)


def test_every_area_is_related_to_the_oer_concept(areas: dict[str, ActionArea]) -> None:
    for area in areas.values():
        assert OER_CONCEPT in area.matches, area.slug
        assert all(m.startswith(THESAURUS + "concept") for m in area.matches), area.slug
    assert THESAURUS + "concept16978" in areas["capacity-building"].matches
    assert THESAURUS + "concept6582" in areas["international-cooperation"].matches


def test_thesaurus_uris_exist(areas: dict[str, ActionArea], thesaurus: Graph) -> None:
    used = {m for area in areas.values() for m in area.matches}
    assert {m.removeprefix(THESAURUS) for m in used} == set(EXPECTED_THESAURUS_LABELS)
    for uri in sorted(used):
        assert (URIRef(uri), RDF.type, SKOS.Concept) in thesaurus, uri
        labels = {
            str(o) for o in thesaurus.objects(URIRef(uri), SKOS.prefLabel) if o.language == "en"
        }
        assert labels == {EXPECTED_THESAURUS_LABELS[uri.removeprefix(THESAURUS)]}, uri
