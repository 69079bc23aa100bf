"""The generated SDG vocabulary (vocabularies/sdg.ttl), its loader and its flat-YAML reader."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from vocabularies import build_sdg
from vocabularies.build_sdg import clean_text, read_flat_yaml
from vocabularies.sdg import SdgConcept, goals, sdg_concepts, targets_of

SDG = "http://metadata.un.org/sdg/"
REQUIRED_LANGUAGES = ("ar", "de", "en", "es", "fr", "ru", "zh-Hans")
TRANSLATIONS = build_sdg.sources_dir() / build_sdg.TRANSLATIONS
needs_sources = pytest.mark.skipif(
    not TRANSLATIONS.is_dir(), reason=f"vocab sources not available at {TRANSLATIONS.parent}"
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
    head = build_sdg.TTL_PATH.read_text(encoding="utf-8").split("\n@prefix", 1)[0]
    assert "GENERATED" in head and "do not edit by hand" in head
    for needle in ("0ae578bacb1f4339596f5a6a19338457e4b22ba3", "(MIT)", "Apache-2.0",
                   "0cda585851a5c6f04040a9a2755fbb4496c4eead", "no licence file",
                   "6d90da825e2f9adf56edfacd41765f039ba4e131", "no Portuguese"):  # fmt: skip
        assert needle in head, needle
    assert all(line.startswith("#") for line in head.strip().splitlines())


@needs_sources
def test_regenerating_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tracked = build_sdg.TTL_PATH.read_bytes()
    monkeypatch.setattr(build_sdg, "TTL_PATH", tmp_path / "sdg.ttl")
    result = build_sdg.build(build_sdg.sources_dir())
    assert result["counts"] == {"goal": 17, "target": 169}
    assert result["gaps"] == []
    first = (tmp_path / "sdg.ttl").read_bytes()
    assert first == tracked, "sdg.ttl is stale: rerun python -m vocabularies.build_sdg"
    build_sdg.build(build_sdg.sources_dir())
    assert (tmp_path / "sdg.ttl").read_bytes() == first
