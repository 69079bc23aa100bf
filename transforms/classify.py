"""SDG and action-area labels with evidence (first method: evidence phrases).

`classify_text(text)` finds the evidence phrases of `vocabularies/sdg-evidence/` (17 goals)
and the keyword altLabels of `vocabularies/action-areas.ttl` (5 areas) in a text, in any of
their 8 languages, and gives each goal or area with at least one distinct phrase, its score
(1 − 0.5ⁿ for n distinct phrases) and its evidence (the phrases, and the sentence of the
first). Matching is on casefolded NFKC words (whole words; Chinese phrases anywhere in a run
of Han characters), through a marisa trie of all phrases: one pass over the text.

This is the baseline the issue's classifier is measured against (METHOD); see
docs/decisions.md when a better method replaces it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import marisa_trie

from transforms.model import Record
from vocabularies.action_areas import action_areas
from vocabularies.sdg_evidence import evidence

__all__ = ["METHOD", "Classification", "Label", "classify_record", "classify_text"]

METHOD = "evidence-phrases-1"
_WORD = re.compile(r"\w+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Label:
    code: int | str  # SDG goal number, or action-area slug
    score: float
    evidence: tuple[str, ...]  # the phrases found, then the sentence of the first one
    targets: tuple[str, ...] = ()  # SDG targets whose own phrases were found


@dataclass(frozen=True, slots=True)
class Classification:
    sdgs: tuple[Label, ...]
    action_areas: tuple[Label, ...]
    method: str = METHOD


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def _key(phrase: str) -> str:
    normal = _normal(phrase)
    return normal if _HAN.search(normal) else normal + " "  # words end at a space


@cache
def _phrases() -> tuple[marisa_trie.Trie, dict[str, list[tuple[str, int | str, str | None]]]]:
    """Trie of every phrase key, and key → [(phrase, goal or slug, target)]."""
    owners: dict[str, list[tuple[str, int | str, str | None]]] = {}
    for goal, by_lang in evidence().items():
        for phrases in by_lang.values():
            for phrase, target in phrases:
                owners.setdefault(_key(phrase), []).append((phrase, goal, target))
    for slug, area in action_areas().items():
        for keywords in area.keywords.values():
            for keyword in keywords:
                owners.setdefault(_key(keyword), []).append((keyword, slug, None))
    return marisa_trie.Trie(owners), owners


def _starts(text: str) -> Iterable[int]:
    yield 0
    for i, char in enumerate(text):
        if char == " ":
            yield i + 1
        elif i and _HAN.match(char) and text[i - 1] != " ":
            yield i  # Chinese has no spaces: a phrase may start at any character


def _sentence_with(sentences: list[tuple[str, str]], phrase: str) -> str:
    """The first of (sentence, its normal form) that holds `phrase`, squeezed; "" if none."""
    wanted = _normal(phrase)
    for sentence, normal in sentences:
        if wanted in normal:
            return " ".join(sentence.split())[:300]
    return ""


def classify_text(text: str) -> Classification:
    trie, owners = _phrases()
    normal = _normal(text) + " "
    found: dict[int | str, dict[str, str]] = {}  # code → phrase key → phrase as written
    targets: dict[int | str, dict[str, None]] = {}
    for start in set(_starts(normal)):
        for key in trie.prefixes(normal[start:]):
            for phrase, code, target in owners[key]:
                found.setdefault(code, {}).setdefault(key, phrase)  # one per key: "Malaria"@de
                if target:
                    targets.setdefault(code, {})[target] = None
    labels = []
    sentences = [(s, _normal(s)) for s in _SENTENCE.split(text)] if found else []
    for code, phrases in found.items():
        ordered = tuple(sorted(phrases.values(), key=str.casefold))
        sentence = _sentence_with(sentences, ordered[0])
        labels.append(
            Label(
                code,
                round(1 - 0.5 ** len(ordered), 4),
                (*ordered, sentence) if sentence else ordered,
                tuple(sorted(targets.get(code, ()))),
            )
        )
    sdgs = sorted((lb for lb in labels if isinstance(lb.code, int)), key=lambda lb: lb.code)
    areas = [lb for lb in labels if isinstance(lb.code, str)]
    order = list(action_areas())
    areas.sort(key=lambda lb: order.index(lb.code))
    return Classification(tuple(sdgs), tuple(areas))


def record_text(titles: list, descriptions: list, subjects: list) -> str:
    """The text a record is classified on: title, descriptions, keywords, as sentences."""
    parts = [v["value"] for v in [*titles[:1], *descriptions, *subjects] if v.get("value")]
    return "\n".join(parts)


def classify_record(record: Record) -> Classification:
    return classify_text(record_text(record.titles, record.descriptions, record.subjects))
