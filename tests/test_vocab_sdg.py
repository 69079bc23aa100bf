"""The generated SDG vocabulary (vocabularies/sdg.ttl), its loader and its flat-YAML reader."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from vocabularies import build_sdg
from vocabularies.build_sdg import (
    CLOSE,
    RELATED,
    THESAURUS_ALIGNMENTS,
    AlignmentError,
    clean_text,
    read_flat_yaml,
    read_thesaurus,
    resolve_alignments,
    thesaurus_of,
)
from vocabularies.sdg import SdgConcept, goals, sdg_concepts, targets_of

SDG = "http://metadata.un.org/sdg/"
REQUIRED_LANGUAGES = ("ar", "de", "en", "es", "fr", "ru", "zh-Hans")
TRANSLATIONS = build_sdg.sources_dir() / build_sdg.TRANSLATIONS
needs_sources = pytest.mark.skipif(
    not TRANSLATIONS.is_dir(), reason=f"vocab sources not available at {TRANSLATIONS.parent}"
)
THESAURUS = "http://vocabularies.unesco.org/thesaurus/"
THESAURUS_PATH = build_sdg.sources_dir() / build_sdg.THESAURUS_FILE
needs_thesaurus = pytest.mark.skipif(
    not THESAURUS_PATH.is_file(), reason=f"UNESCO Thesaurus not available at {THESAURUS_PATH}"
)


@pytest.fixture(scope="module")
def sdg() -> dict[str, SdgConcept]:
    return sdg_concepts()


def test_counts(sdg: dict[str, SdgConcept]) -> None:
    assert len(goals()) == 17
    assert len([c for c in sdg.values() if c.kind == "target"]) == 169
    assert len(sdg) == 186
    assert [len(targets_of(g)) for g in range(1, 18)] == [
        7, 8, 13, 10, 9, 8, 5, 12, 8, 10, 10, 11, 5, 10, 12, 12, 19
    ]  # fmt: skip


def test_every_target_is_narrower_than_its_goal(sdg: dict[str, SdgConcept]) -> None:
    for goal in goals():
        assert goal.uri == f"{SDG}{goal.goal}" and goal.broader is None
        for target in targets_of(goal.goal):
            assert target.broader == goal.uri
            assert target.notation.split(".")[0] == goal.notation
    assert sdg[f"{SDG}4.7"].broader == f"{SDG}4"


def test_notations_unique_and_well_formed(sdg: dict[str, SdgConcept]) -> None:
    notations = [c.notation for c in sdg.values()]
    assert len(set(notations)) == len(notations)
    for c in sdg.values():
        pattern = r"(1[0-7]|[1-9])" if c.kind == "goal" else r"(1[0-7]|[1-9])\.([1-9]\d?|[a-j])"
        assert re.fullmatch(pattern, c.notation), c.notation
        assert c.uri == SDG + c.notation
    assert [c.notation for c in targets_of(17)][-3:] == ["17.17", "17.18", "17.19"]
    assert [c.notation for c in targets_of(4)][6:] == ["4.7", "4.a", "4.b", "4.c"]


def test_texts_in_the_seven_languages(sdg: dict[str, SdgConcept]) -> None:
    for c in sdg.values():
        for lang in REQUIRED_LANGUAGES:
            assert len(c.labels.get(lang, ())) == 1, (c.notation, lang)
            assert len(c.definitions.get(lang, ())) == 1, (c.notation, lang)
            assert c.labels[lang][0].strip(), (c.notation, lang)
        if c.kind == "goal":
            assert c.alt_labels == c.definitions
            assert c.labels["en"] != c.definitions["en"]
        else:
            assert c.labels == c.definitions and not c.alt_labels
        for lang in ("ar", "ru", "zh-Hans"):  # translated, not English copied over
            assert c.labels[lang] != c.labels["en"], (c.notation, lang)


def test_languages(sdg: dict[str, SdgConcept]) -> None:
    langs = {lang for c in sdg.values() for lang in c.labels}
    assert len(langs) == 26
    assert {"nb", "zh-Hans", "cnr", *REQUIRED_LANGUAGES} <= langs
    assert not langs & {"nb_NO", "nb-NO", "zh-hans", "pt"}
    assert all(set(c.labels) == langs for c in sdg.values())  # no gaps in any language


def test_known_values(sdg: dict[str, SdgConcept]) -> None:
    quality = sdg[f"{SDG}4"]
    assert quality.labels["en"] == ("Quality education",)  # the sources' casing, all three
    assert quality.labels["de"] == ("Hochwertige Bildung",)
    assert quality.labels["fr"] == ("Éducation de qualité",)
    assert quality.definitions["en"] == (
        "Ensure inclusive and equitable quality education and promote lifelong learning "
        "opportunities for all",
    )
    assert quality.exact_match == (
        "http://purl.unep.org/sdg/SDGIO_00000038",
        "http://www.wikidata.org/entity/Q53581209",
    )
    assert sdg[f"{SDG}4.7"].definitions["en"][0].startswith("By 2030, ensure that all learners")
    assert sdg[f"{SDG}4.7"].exact_match == ("http://purl.unep.org/sdg/SDGIO_00000105",)
    zh = sdg[f"{SDG}1"].labels["zh-Hans"][0]
    assert zh and zh != sdg[f"{SDG}1"].labels["en"][0]
    assert re.search(r"[\u4e00-\u9fff]", zh)
    assert sdg[f"{SDG}1"].labels["en"] == ("No poverty",)


def test_un_kos_glitches_are_not_copied(sdg: dict[str, SdgConcept]) -> None:
    # stray labels on 12.3, a footnote mark in 14.6, a garbled fr 17.13 in the UN KOS
    assert sdg[f"{SDG}12.3"].labels["en"][0].startswith("By 2030, halve per capita")
    assert len(sdg[f"{SDG}12.3"].labels["es"]) == 1
    assert sdg[f"{SDG}14.6"].labels["en"][0].endswith("fisheries subsidies negotiation")
    assert "cohérence des politiques" in sdg[f"{SDG}17.13"].labels["fr"][0]
    # its x.10 targets' SDGIO ids were on x.1
    for goal, tenth in ((8, 140), (16, 219), (17, 231)):
        assert sdg[f"{SDG}{goal}.10"].exact_match == (
            f"http://purl.unep.org/sdg/SDGIO_{tenth:08d}",
        )
        assert len(sdg[f"{SDG}{goal}.1"].exact_match) == 1


def test_texts_are_clean(sdg: dict[str, SdgConcept]) -> None:
    for c in sdg.values():
        for texts in (*c.labels.values(), *c.definitions.values()):
            for text in texts:
                assert text == " ".join(text.split()), (c.notation, text[:40])
                assert unicodedata.is_normalized("NFC", text)
                assert not re.search("[\x00-\x1f\x7f-\x9f\xad\u2010\u2011]", text), c.notation
    assert "„Die Zukunft, die wir wollen“" in sdg[f"{SDG}14.c"].labels["de"][0]


def test_clean_text() -> None:
    assert clean_text("pro\xadmoure  el\n desen") == "promoure el desen"
    assert clean_text("\x84Die Zukunft\x93") == "„Die Zukunft“"
    assert clean_text("non\u2010communicable e\u0301") == "non-communicable é"


# ------------------------------------------------------------------ UNESCO Thesaurus alignments


@pytest.fixture(scope="module")
def thesaurus() -> Graph:
    if not THESAURUS_PATH.is_file():
        pytest.skip(f"UNESCO Thesaurus not available at {THESAURUS_PATH}")
    return Graph().parse(THESAURUS_PATH, format="turtle")  # ~2 s, 88k triples


def matches(concept: SdgConcept) -> dict[str, tuple[str, ...]]:
    return {CLOSE: concept.close_match, RELATED: concept.related_match}


def test_every_goal_has_a_thesaurus_alignment() -> None:
    for goal in goals():
        assert goal.close_match or goal.related_match, goal.notation


def test_alignments_are_thesaurus_concept_uris(sdg: dict[str, SdgConcept]) -> None:
    for c in sdg.values():
        for uris in matches(c).values():
            assert list(uris) == sorted(set(uris)), c.notation
            for uri in uris:  # concept URIs only: never a domain… or mt… group
                assert re.fullmatch(re.escape(THESAURUS) + r"concept\d+", uri), (c.notation, uri)
        assert not set(c.close_match) & set(c.related_match), c.notation
    assert sum(bool(c.close_match or c.related_match) for c in sdg.values()) > 17  # targets too


def test_ttl_agrees_with_the_table(sdg: dict[str, SdgConcept]) -> None:
    """Each table entry gives one URI, in its relation; concepts not in the table get none
    (stale sdg.ttl, or a build that dropped or merged entries)."""
    by_notation = {c.notation: c for c in sdg.values()}
    assert set(THESAURUS_ALIGNMENTS) <= set(by_notation)
    for notation, c in by_notation.items():
        pairs = THESAURUS_ALIGNMENTS.get(notation, [])
        for relation, uris in matches(c).items():
            assert len(uris) == sum(r == relation for r, _ in pairs), (notation, relation)


def test_known_alignments(sdg: dict[str, SdgConcept]) -> None:
    def uris(*numbers: int) -> tuple[str, ...]:
        return tuple(sorted(f"{THESAURUS}concept{n}" for n in numbers))

    assert sdg[f"{SDG}1"].close_match == uris(7235)  # Poverty
    assert sdg[f"{SDG}4"].close_match == uris(90)  # Educational quality
    assert f"{THESAURUS}concept1124" in sdg[f"{SDG}4"].related_match  # Access to education
    assert sdg[f"{SDG}7"].close_match == ()
    assert f"{THESAURUS}concept9750" in sdg[f"{SDG}7"].related_match  # Renewable energy sources
    assert sdg[f"{SDG}13"].close_match == uris(4559)  # Climate change
    assert sdg[f"{SDG}2.1"].related_match == uris(1798)  # Food security
    assert f"{THESAURUS}concept17095" in sdg[f"{SDG}4.7"].related_match  # ESD
    assert sdg[f"{SDG}13.1"].close_match == uris(17096)  # Climate change adaptation
    assert sdg[f"{SDG}14.1"].close_match == uris(5003)  # Marine pollution
    assert sdg[f"{SDG}16.5"].close_match == uris(6676)  # Corruption
    assert f"{THESAURUS}concept1129" in sdg[f"{SDG}16.10"].related_match  # Access to information
    assert not sdg[f"{SDG}4.4"].close_match and not sdg[f"{SDG}4.4"].related_match


def test_thesaurus_uris_exist(sdg: dict[str, SdgConcept], thesaurus: Graph) -> None:
    """Every URI is a skos:Concept of the thesaurus file whose English prefLabel is the label
    the table gives for that goal or target and relation (a stale or hand-edited URI fails)."""
    for c in sdg.values():
        for relation, uris in matches(c).items():
            expected = {
                label for r, label in THESAURUS_ALIGNMENTS.get(c.notation, []) if r == relation
            }
            found = set()
            for uri in uris:
                assert (URIRef(uri), RDF.type, SKOS.Concept) in thesaurus, (c.notation, uri)
                labels = list(thesaurus.objects(URIRef(uri), SKOS.prefLabel))
                found |= {str(o) for o in labels if o.language == "en"}
            assert found == expected, (c.notation, relation)


SMALL_THESAURUS = """
@prefix : <http://vocabularies.unesco.org/thesaurus/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://vocabularies.unesco.org/thesaurus> a skos:ConceptScheme ;
    dct:modified "2024-03-25T14:24:28.295+01:00"^^xsd:dateTime .
:concept1 a skos:Concept ; skos:prefLabel "Poverty"@en, "Pauvreté"@fr ;
    skos:altLabel "Want"@en .
:concept2 a skos:Concept ; skos:prefLabel "Health"@en .
:concept3 a skos:Concept ; skos:prefLabel "Health"@en .
:concept4 a skos:Concept ; skos:prefLabel "Santé"@fr .
:domain5 a skos:Collection ; skos:prefLabel "Education"@en .
:mt5.35 a skos:Concept ; skos:prefLabel "Learning"@en .
"""


def test_resolve_alignments_by_exact_english_pref_label() -> None:
    small = thesaurus_of(Graph().parse(data=SMALL_THESAURUS, format="turtle"))
    assert small.modified == "2024-03-25"
    assert small.labels == {
        "Poverty": [f"{THESAURUS}concept1"],
        "Health": [f"{THESAURUS}concept2", f"{THESAURUS}concept3"],
    }  # no domain…/mt… label, no other language, no altLabel
    table = {"1": [(CLOSE, "Poverty")], "1.1": [(RELATED, "Poverty")]}
    assert resolve_alignments(table, small, {"1", "1.1", "2"}) == {
        "1": {CLOSE: {f"{THESAURUS}concept1"}},
        "1.1": {RELATED: {f"{THESAURUS}concept1"}},
    }


def test_resolve_alignments_fails_with_every_problem_named() -> None:
    small = thesaurus_of(Graph().parse(data=SMALL_THESAURUS, format="turtle"))
    table = {
        "1": [(CLOSE, "poverty"), (RELATED, "Povertyy"), (RELATED, "Want")],
        "3": [(CLOSE, "Health")],
        "4": [(RELATED, "Education"), (RELATED, "Learning"), ("exactMatch", "Poverty")],
        "5": [(CLOSE, "Poverty"), (RELATED, "Poverty")],
        "99": [(CLOSE, "Poverty")],
    }
    with pytest.raises(AlignmentError) as raised:
        resolve_alignments(table, small, {"1", "3", "4", "5"})
    message = str(raised.value)
    for needle in (
        "1 'poverty': no thesaurus concept has this English prefLabel (close: 'Poverty')",
        "1 'Povertyy': no thesaurus concept",
        "1 'Want': no thesaurus concept",  # altLabels do not count
        f"3 'Health': ambiguous, the English prefLabel of {THESAURUS}concept2, {THESAURUS}concept3",
        "4 'Education': no thesaurus concept",  # a domain's label
        "4 'Learning': no thesaurus concept",  # an mt…'s label
        "4 'Poverty': relation 'exactMatch' is neither closeMatch nor relatedMatch",
        f"5 'Poverty': {THESAURUS}concept1 is listed twice for 5",
        "99: no such SDG goal or target",
    ):
        assert needle in message, needle


def test_missing_thesaurus_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(AlignmentError, match="UNESCO Thesaurus not found at"):
        read_thesaurus(tmp_path)

    def failing_build() -> None:
        raise AlignmentError("THESAURUS_ALIGNMENTS … does not resolve")

    monkeypatch.setattr(build_sdg, "build", failing_build)
    assert build_sdg.main() == 1
    assert "does not resolve" in capsys.readouterr().err


# ------------------------------------------------------------------ the flat-YAML reader


def test_yaml_plain_folded_lines() -> None:
    text = "1-title: End hunger, achieve food\n  security and improved nutrition\n2-short: Zero\n"
    assert read_flat_yaml(text) == {
        "1-title": "End hunger, achieve food security and improved nutrition",
        "2-short": "Zero",
    }
    assert read_flat_yaml("a: one\n\n  two\n\n\n  three\n") == {"a": "one\ntwo\n\nthree"}


def test_yaml_single_quoted() -> None:
    text = "a: 'l''aide  \n  au\n\n  développement '\nb: 'x: y # z'\n"
    assert read_flat_yaml(text) == {"a": "l'aide au\ndéveloppement ", "b": "x: y # z"}


def test_yaml_double_quoted_escapes_and_joined_lines() -> None:
    text = 'a: "Ressourcen\\\n  \\ verbessern, \\x84Die Zukunft\\x93\n  und \\u00e9"\n'
    assert read_flat_yaml(text) == {"a": "Ressourcen verbessern, \x84Die Zukunft\x93 und é"}


@pytest.mark.parametrize(
    "text",
    ["a: |\n  block\n", "a: [1, 2]\n", "a: 'open\n", "a: x\na: y\n", "  a: x\n",
     "a:\n  b: nested\n", 'a: "\\q"\n', "a: one # comment\n"],
)  # fmt: skip
def test_yaml_rejects_other_shapes(text: str) -> None:
    with pytest.raises(ValueError):
        read_flat_yaml(text)


@needs_sources
def test_yaml_known_values_in_the_sources() -> None:
    def values(lang: str, name: str) -> dict[str, str]:
        return read_flat_yaml((TRANSLATIONS / lang / name).read_text(encoding="utf-8"))

    en = values("en", "global_goals.yml")
    assert en["15-title"] == (
        "Protect, restore and promote sustainable use of terrestrial ecosystems, sustainably "
        "manage forests, combat desertification, and halt and reverse land degradation and halt "
        "biodiversity loss"
    )
    assert values("ru", "global_targets.yml")["10-c-title"].startswith(
        "К 2030 году сократить операционные затраты,\nсвязанные с переводом"
    )  # single-quoted with empty lines: line breaks
    assert "\x84Die Zukunft, die wir wollen\x93" in values("de", "global_targets.yml")["14-c-title"]
    assert len(values("zh-Hans", "global_targets.yml")) == 169


@needs_sources
def test_yaml_reader_agrees_with_pyyaml() -> None:
    yaml = pytest.importorskip("yaml")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    paths = sorted(TRANSLATIONS.glob(f"*/{build_sdg.YAML_FILES[0]}"))
    paths += sorted(TRANSLATIONS.glob(f"*/{build_sdg.YAML_FILES[1]}"))
    assert len(paths) == 52
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert read_flat_yaml(text) == yaml.load(text, Loader=loader), path


# ------------------------------------------------------------------ the generator


def test_header_names_sources_and_says_generated() -> None:
    text = build_sdg.TTL_PATH.read_text(encoding="utf-8")
    head = text.split("\n@prefix", 1)[0]
    flat = " ".join(line.removeprefix("#").strip() for line in head.splitlines())
    assert "GENERATED" in head and "do not edit by hand" in head
    for needle in ("0ae578bacb1f4339596f5a6a19338457e4b22ba3", "(MIT)", "Apache-2.0",
                   "0cda585851a5c6f04040a9a2755fbb4496c4eead", "no licence file",
                   "6d90da825e2f9adf56edfacd41765f039ba4e131", "no Portuguese",
                   "unesco-thesaurus/unesco-thesaurus.ttl",
                   "kos-kit/unesco-thesaurus-explorer @4df293ac50ecc132c480c0975a138ea18851e8a4",
                   "CC BY-SA 3.0 IGO", "dct:modified 2024-03-25",
                   "skos:closeMatch where the thesaurus concept is the goal's or target's topic",
                   "17 goals and",
                   "no label or other text of the thesaurus is copied"):  # fmt: skip
        assert needle in flat, needle
    assert "\n@prefix unt: <http://vocabularies.unesco.org/thesaurus/> .\n" in text
    assert all(line.startswith("#") for line in head.strip().splitlines())


@needs_sources
@needs_thesaurus
def test_regenerating_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tracked = build_sdg.TTL_PATH.read_bytes()
    monkeypatch.setattr(build_sdg, "TTL_PATH", tmp_path / "sdg.ttl")
    result = build_sdg.build(build_sdg.sources_dir())
    assert result["counts"] == {"goal": 17, "target": 169}
    assert result["gaps"] == []
    assert result["matches"] == {
        r: sum(r == relation for pairs in THESAURUS_ALIGNMENTS.values() for relation, _ in pairs)
        for r in (CLOSE, RELATED)
    }
    first = (tmp_path / "sdg.ttl").read_bytes()
    assert first == tracked, "sdg.ttl is stale: rerun python -m vocabularies.build_sdg"
    build_sdg.build(build_sdg.sources_dir())
    assert (tmp_path / "sdg.ttl").read_bytes() == first
