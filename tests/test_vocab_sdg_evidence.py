"""vocabularies/sdg-evidence/*.ttl: hand-written evidence phrases for the 17 SDGs."""

from __future__ import annotations

import pytest

from vocabularies.sdg import sdg_concepts
from vocabularies.sdg_evidence import (
    OERSDG,
    ecosystem_evidence,
    evidence,
    read_graph,
    support_evidence,
)

LANGS = ("en", "es", "fr", "de", "pt", "ar", "ru", "zh-Hans")
MINIMUM = {"en": 25, "es": 20, "fr": 20, "de": 20, "pt": 20, "ar": 10, "ru": 10, "zh-Hans": 10}
# words every record may carry: never evidence for a goal on their own
GENERIC = {
    "development", "data", "technology", "partnership", "system", "access", "quality",
    "sustainable", "sustainability", "management", "policy", "health", "education",
    "learning", "course", "students", "teaching", "lesson", "research", "cooperation",
    "desarrollo", "développement", "entwicklung", "desenvolvimento", "educación", "éducation",
    "bildung", "educação", "salud", "santé", "gesundheit", "saúde",
}  # fmt: skip


def test_every_goal_has_phrases_in_the_eight_languages() -> None:
    found = evidence()
    assert sorted(found) == list(range(1, 18))
    short = [
        (goal, lang, len(found[goal].get(lang, ())))
        for goal in found
        for lang in LANGS
        if len(found[goal].get(lang, ())) < MINIMUM[lang]
    ]
    assert short == []


def test_phrases_stand_on_uris_of_goals_and_targets() -> None:
    known = set(sdg_concepts())
    subjects = {str(s) for s in read_graph().subjects(OERSDG.keyword, None)}
    assert subjects <= known, sorted(subjects - known)


def test_no_phrase_in_two_goals_of_one_language() -> None:
    owner: dict[tuple[str, str], int] = {}
    clashes = []
    for goal, by_lang in evidence().items():
        for lang, phrases in by_lang.items():
            for phrase, _ in phrases:
                key = (lang, phrase.casefold())
                if key in owner and owner[key] != goal:
                    clashes.append((lang, phrase, owner[key], goal))
                owner.setdefault(key, goal)
    assert clashes == []


@pytest.mark.parametrize("goal", range(1, 18))
def test_no_generic_word_alone(goal: int) -> None:
    bare = [
        p for phrases in evidence()[goal].values() for p, _ in phrases if p.casefold() in GENERIC
    ]
    assert bare == []


def test_sdg4_needs_specific_evidence() -> None:
    english = {p.casefold() for p, _ in evidence()[4]["en"]}
    assert {"teacher training", "oer project"} <= english
    assert not english & {"course", "lesson", "learning", "students", "education"}
    # what every subject OER says of itself counts only in an OER-ecosystem text
    assert not english & {"open educational resources", "oer", "open textbook"}
    ecosystem = {p.casefold() for p, _ in ecosystem_evidence()[4]["en"]}
    assert {"open educational resources", "oer", "open textbook"} <= ecosystem


def test_a_supporting_phrase_is_not_also_an_ordinary_one() -> None:
    both = [
        (goal, lang, phrase)
        for goal, by_lang in support_evidence().items()
        for lang, phrases in by_lang.items()
        for phrase, _ in phrases
        if (phrase, None) in evidence().get(goal, {}).get(lang, ())
    ]
    assert support_evidence()[3]["en"] and both == []
