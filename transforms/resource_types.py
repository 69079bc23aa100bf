"""Learning resource types → HCRT concepts (https://w3id.org/kim/hcrt/…).

`to_hcrt` is called by `common.add_learning_resource_type` for every value of every format,
so it is a cached dict lookup. The dict is built once, on first use, from every prefLabel
and altLabel of `vocabularies/hcrt.ttl` (HCRT's own labels in seven languages plus our
altLabels for LOM, LOM-ES, LRMI/schema.org, DCMI Type and common free-text values).

Values and labels go through the same normalisation, so spelling variants meet:
    - a URI or CURIE (`http://purl.org/dc/dcmitype/MovingImage`, `hcrt:video`,
      `info:eu-repo/semantics/lecture`) is reduced to its last path segment;
    - camelCase is split (`MovingImage` → `moving image`), `_`, `-`, `/` and other
      punctuation become spaces, accents are removed, case is folded;
    - each word loses a plural `s` (`ies` → `y`); a second lookup also tries dropping `es`
      after a consonant (Spanish plurals: `mapas conceptuales` → `mapa conceptual`).
German plurals are altLabels of their own (`Arbeitsblätter`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from vocabularies import concept_labels, concepts, load, pref_label

HCRT = "https://w3id.org/kim/hcrt/"

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_WORD = re.compile(r"[\W_]+")


def _words(raw: str) -> list[str]:
    text = raw.strip()
    if _URI.match(text):
        text = re.split(r"[/#:]", text.rstrip("/#"))[-1]
    text = _CAMEL.sub(" ", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text.casefold()).split()


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalize(raw: str) -> str:
    """The lookup key of a value or label (see the module docstring)."""
    return " ".join(_singular(w) for w in _words(raw))


def _singular_es(word: str) -> str:
    if len(word) > 4 and word.endswith("es") and word[-3] not in "aeiou":
        return word[:-2]
    return _singular(word)


def _key_without_es(raw: str) -> str:
    return " ".join(_singular_es(w) for w in _words(raw))


@lru_cache(maxsize=1)
def index() -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Normalised label → (concept URI, English prefLabel), and the label conflicts found.

    prefLabels are indexed before altLabels; a key that two concepts claim keeps its first
    concept and is reported in the conflicts list (tests keep that list empty).
    """
    graph = load("hcrt")
    table: dict[str, tuple[str, str]] = {}
    conflicts: list[str] = []
    for alt in (False, True):
        for uri, by_lang in concept_labels(graph, alt).items():
            target = (uri, pref_label(graph, uri, "en") or uri.rpartition("/")[2])
            for labels in by_lang.values():
                for label in labels:
                    key = normalize(label)
                    if not key:
                        continue
                    known = table.setdefault(key, target)
                    if known[0] != uri:
                        conflicts.append(f"{label!r} → {key!r}: {known[0]} and {uri}")
    for uri in concepts(graph):  # the ids themselves: drill_and_practice, web_page, …
        table.setdefault(normalize(uri), (uri, pref_label(graph, uri, "en") or uri))
    return table, conflicts


@lru_cache(maxsize=8192)
def to_hcrt(raw: str) -> tuple[str, str] | None:
    """A raw learning resource type → (HCRT concept URI, English label), or None."""
    table = index()[0]
    found = table.get(normalize(raw))
    if found is None:
        found = table.get(_key_without_es(raw))
    return found
