"""Declared language values → BCP 47: the labelled dev set, rules, junk, and robustness."""

from __future__ import annotations

from pathlib import Path

import langcodes
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.languages import LanguageResult, normalise_language, normalise_languages

DEV = Path(__file__).parent / "data" / "languages" / "declared_dev.tsv"


def _dev_rows() -> list[tuple[str, tuple[str, ...]]]:
    rows = []
    for line in DEV.read_text(encoding="utf-8").split("\n"):
        if not line or line.startswith("#"):
            continue
        raw, expected, _note = line.split("\t")
        rows.append((raw, tuple(t for t in expected.split(",") if t)))
    return rows


DEV_ROWS = _dev_rows()


def test_dev_set_is_big_enough_and_distinct() -> None:
    raws = [raw for raw, _ in DEV_ROWS]
    assert len(raws) == len(set(raws)) >= 60


@pytest.mark.parametrize(("raw", "expected"), DEV_ROWS, ids=[repr(r) for r, _ in DEV_ROWS])
def test_dev_set(raw: str, expected: tuple[str, ...]) -> None:
    assert normalise_language(raw).languages == expected


@pytest.mark.parametrize(
    ("raw", "rule", "junk"),
    [
        ("en", "bcp47", False),
        ("en_US", "bcp47", False),
        ("fre", "iso639-2b", False),
        ("ger", "iso639-2b", False),
        ("fra", "iso639-3", False),
        ("ang", "iso639-3", False),
        ("Deutsch", "name", False),
        ("English (United States)", "name", False),
        ("spa; fre", "list", False),
        ("http://lexvo.org/id/iso639-3/deu", "uri", False),
        ("und", "junk", True),
        ("Multiple languages", "junk", True),
        ("Undetermined", "junk", True),
        ("N/A", "junk", True),
        ("  ", "empty", False),
        ("", "empty", False),
        ("foo", "unparsable", False),
        ("Lorem ipsum dolor", "unparsable", False),
    ],
)
def test_rules(raw: str, rule: str, junk: bool) -> None:
    result = normalise_language(raw)
    assert (result.rule, result.junk) == (rule, junk)
    if rule in ("junk", "empty", "unparsable"):
        assert result.languages == ()


def test_prefix_matches_are_not_accepted_as_names() -> None:
    # langcodes.find("English and French") is "en" by prefix; we want the list.
    assert normalise_language("English and French").languages == ("en", "fr")
    # "Greek, Ancient" must not become Modern Greek by the "Greek" prefix.
    assert normalise_language("Greek, Ancient (to 1453)").languages == ("grc",)


def test_list_needs_every_part_to_be_a_language() -> None:
    assert normalise_language("English textbook").rule == "unparsable"
    assert normalise_language("en fr de").languages == ("en", "fr", "de")


def test_input_kept_and_whitespace_tolerated() -> None:
    result = normalise_language("  English \n")
    assert result == LanguageResult("  English \n", ("en",), "name", False)


def test_normalise_languages_merges_in_order_without_duplicates() -> None:
    merged, results = normalise_languages(["eng", "English; French", "und", "fre", "xyzzy"])
    assert merged == ("en", "fr")
    assert [r.rule for r in results] == ["iso639-3", "list", "junk", "iso639-2b", "unparsable"]
    assert normalise_languages([]) == ((), [])


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.from_regex(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8}){0,3}", fullmatch=True),
        st.lists(st.sampled_from(["en", "fre", "English", "und", "x", "-", "and", ";", " "])).map(
            " ".join
        ),
    )
)
def test_never_raises_and_tags_are_valid(raw: str) -> None:
    result = normalise_language.__wrapped__(raw)
    assert result.input == raw
    assert len(set(result.languages)) == len(result.languages)
    assert all(langcodes.tag_is_valid(tag) for tag in result.languages)
    assert all(langcodes.standardize_tag(tag) in (tag, "fil") for tag in result.languages)
    if result.junk or result.rule in ("empty", "unparsable"):
        assert result.languages == ()


@pytest.mark.parametrize("raw", ["\x00", "\x00\U00010000", "Deutsch\x00", "\x1b[0m"])
def test_control_characters_are_unparsable_not_a_crash(raw: str) -> None:
    # found by hypothesis: language_data's name trie crashes on NUL (marisa-trie)
    result = normalise_language.__wrapped__(raw)
    assert (result.languages, result.rule, result.junk) == ((), "unparsable", False)


@pytest.mark.parametrize(
    ("raw", "tags"),
    [
        ("Português do Brasil", ("pt-BR",)),
        ("Français du Canada", ("fr-CA",)),
        ("Deutsch aus Österreich", ("de-AT",)),
        ("iso639-3:eng", ("en",)),
        ("ISO 639-2: fre", ("fr",)),
        ("Yorùbá", ("yo",)),  # the autonym is "Èdè Yorùbá"; without accents: "Yoruba"
        ("Hindi", ("hi",)),  # the name index drops it as a prefix of "Hindi, Fiji"
        ("Русский язык", ("ru",)),
        ("汉语", ("zh",)),
        ("Lengua de signos", ()),  # "of" qualifiers must name a territory
        ("Português (BR)", ("pt-BR",)),
        ("English (XX)", ("en",)),  # a user-assigned region code: the base name decides
        ("ESP", ("es",)),
        ("All", ()),
        ("English only", ("en",)),
    ],
)
def test_more_name_shapes(raw: str, tags: tuple[str, ...]) -> None:
    assert normalise_language(raw).languages == tags
