"""SDG and action-area labels with evidence: phrase matching, exact and stemmed.

`classify_text(text, lang)` finds the evidence phrases of `vocabularies/sdg-evidence/` (17
goals, on goal and target URIs) and the keyword altLabels of `vocabularies/action-areas.ttl`
(5 areas) in a text, and gives each goal or area its matches support (`_kept`: one ordinary
phrase, or two where supporting phrases count; SDG 4's ecosystem phrases only beside an
action area), its score (1 − 0.5ⁿ for n distinct matches), its evidence (the matched words,
and the sentence of the first) and, for SDGs, the targets whose own phrases were found.

Matching, in one pass of a marisa trie per form (docs/decisions.md §22):
- exact: casefolded NFKC whole words, phrases of all 8 languages (an English keyword in a
  German record counts); Chinese phrases anywhere in a run of Han characters; Arabic without
  tatweel and harakat, its alef/yeh/teh-marbuta forms unified;
- stemmed: in the text's language (`lang`, else cld2 detection on ≥ 20 letters), Snowball
  stems (PyStemmer) of the text against the stemmed phrases of that language. A stemmed
  match counts only where each text word differs from the phrase word in its last ≤ 3
  letters (Arabic: its stemmer strips prefixes, so no such check): plurals and case endings
  match ("материнской смертности" ~ "материнская смертность"), derivations don't
  ("industrialization" is not "industry").

Deterministic, offline, no model: the phrases are hand-written from the official goal and
target texts (see the vocabularies' headers). METHOD names the matcher's version and a
digest of the phrase files (`evidence-phrases-2+1a2b3c4d`); stored labels carry it, so a
changed matcher or phrase list reclassifies stored records on their source's next run.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import marisa_trie
import Stemmer

from transforms.detection import detect
from transforms.model import Record
from vocabularies.action_areas import action_areas
from vocabularies.loader import path_of
from vocabularies.sdg_evidence import EVIDENCE_DIR, ecosystem_evidence, evidence, support_evidence

__all__ = [
    "METHOD",
    "Classification",
    "Label",
    "classify_fields",
    "classify_record",
    "classify_text",
    "record_text",
]


def _vocabulary_digest() -> str:
    """8 hex digits of sha256 over the phrase files: a changed phrase list is another method."""
    digest = hashlib.sha256()
    for path in [*sorted(EVIDENCE_DIR.glob("*.ttl")), path_of("action-areas")]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


METHOD = f"evidence-phrases-2+{_vocabulary_digest()}"  # matcher version + vocabulary
STEMMERS = {
    "en": "english", "fr": "french", "es": "spanish", "pt": "portuguese", "de": "german",
    "ru": "russian", "ar": "arabic",
}  # fmt: skip  # the phrase languages with a Snowball stemmer (zh-Hans has none)
DETECT_CHARS = 600  # enough text to tell its language: detection time grows with length
MAX_SUFFIX = 3  # a stemmed match may differ from the phrase word in this many last letters
_WORD = re.compile(r"\w+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_ARABIC = {
    0x0640: None,  # tatweel
    **dict.fromkeys(range(0x064B, 0x0653)),  # harakat
    0x0670: None,
    0x0623: 0x0627, 0x0625: 0x0627, 0x0622: 0x0627,  # أ إ آ → ا
    0x0649: 0x064A, 0x0629: 0x0647,  # ى → ي, ة → ه
}  # fmt: skip

PHRASE, SUPPORT, ECOSYSTEM = 0, 1, 2  # how a phrase counts (see _kept)
Owner = tuple[int | str, str | None, tuple[str, ...], int]
# (goal or slug, target, the phrase's words, PHRASE | SUPPORT | ECOSYSTEM)


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


def words(text: str) -> list[str]:
    """The text's words as the matcher sees them (casefolded NFKC, Arabic unified)."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(normal.translate(_ARABIC) if _ARABIC_LETTER.search(normal) else normal)


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer:
    stemmer = Stemmer.Stemmer(STEMMERS[lang])
    stemmer.maxCacheSize = 0  # its own cache is slower than none (27 vs 39 µs a record)
    return stemmer


STEM_CACHE_SIZE = 200_000  # words per language; the cache is emptied when it grows past it
_stem_cache: dict[str, dict[str, str]] = {}


def _stems(lang: str, text_words: list[str]) -> list[str]:
    """Snowball stems of the words, through a dict: records repeat their words, and a dict
    hit costs a tenth of stemming (5 vs 27 µs a record)."""
    cache = _stem_cache.setdefault(lang, {})
    if len(cache) > STEM_CACHE_SIZE:
        cache.clear()
    missing = [w for w in set(text_words) if w not in cache]
    if missing:
        cache.update(zip(missing, _stemmer(lang).stemWords(missing), strict=True))
    return [cache[w] for w in text_words]


def _exact_key(phrase_words: list[str]) -> str:
    normal = " ".join(phrase_words)
    return normal if _HAN.search(normal) else normal + " "  # words end at a space


class _Matcher:
    """A trie of phrase keys and key → owners. `first` holds the keys' first words (and the
    first characters of Chinese keys): a lookup starts only at those, the rest are skipped."""

    def __init__(self, owners: dict[str, list[Owner]]) -> None:
        self.trie = marisa_trie.Trie(owners)
        self.owners = owners
        self.longest = max(map(len, owners), default=0)
        self.first = frozenset(
            key[0] if _HAN.match(key) else key.split(" ", 1)[0] for key in owners
        )

    def scan(self, tokens: list[str]) -> Iterator[tuple[int, int, str]]:
        """(start, end, key) for every key found in the tokens. Positions are token index ×
        _SLOT + character in the token, so that spans of words and of Chinese characters
        (inside one token) compare: a word key spans its tokens whole."""
        normal = " ".join(tokens) + " "
        han = _HAN.search(normal) is not None
        offset = 0
        for i, token in enumerate(tokens):
            at = i * _SLOT
            if token in self.first:
                for key in self._at(normal, offset):
                    yield at, (i + key.count(" ") - 1) * _SLOT + _SLOT - 1, key
            if han and _HAN.search(token):  # no spaces in Chinese: a key may start anywhere
                for j, char in enumerate(token):
                    if char in self.first and (j or token != char):
                        for key in self._at(normal, offset + j):
                            yield at + j, at + j + len(key) - 1, key
            offset += len(token) + 1

    def _at(self, normal: str, offset: int) -> list[str]:
        return self.trie.prefixes(normal[offset : offset + self.longest])


def _phrases() -> list[tuple[str, int | str, str | None, str, int]]:
    """(phrase, goal or slug, target or None, language, how it counts) of both vocabularies."""
    tiers = ((PHRASE, evidence()), (SUPPORT, support_evidence()), (ECOSYSTEM, ecosystem_evidence()))
    out = [
        (phrase, goal, target, lang, tier)
        for tier, goals in tiers
        for goal, by_lang in goals.items()
        for lang, phrases in by_lang.items()
        for phrase, target in phrases
    ]
    for slug, area in action_areas().items():
        for lang, keywords in area.keywords.items():
            out += [(keyword, slug, None, lang, PHRASE) for keyword in keywords]
    return out


@cache
def _matchers() -> tuple[_Matcher, dict[str, _Matcher]]:
    """The exact matcher (all languages) and a stemmed one per language of STEMMERS."""
    exact: dict[str, list[Owner]] = {}
    stemmed: dict[str, dict[str, list[Owner]]] = {lang: {} for lang in STEMMERS}
    for phrase, code, target, lang, tier in _phrases():
        phrase_words = words(phrase)
        owner = (code, target, tuple(phrase_words), tier)
        exact.setdefault(_exact_key(phrase_words), []).append(owner)
        primary = lang.split("-")[0]
        if primary in STEMMERS and not _HAN.search(phrase):
            key = " ".join(_stemmer(primary).stemWords(phrase_words)) + " "
            stemmed[primary].setdefault(key, []).append(owner)
    return _Matcher(exact), {lang: _Matcher(keys) for lang, keys in stemmed.items()}


def _close(text_word: str, phrase_word: str) -> bool:
    common = 0
    for a, b in zip(text_word, phrase_word, strict=False):
        if a != b:
            break
        common += 1
    length = len(phrase_word)
    return common >= length - MAX_SUFFIX and len(text_word) <= length + MAX_SUFFIX


_SLOT = 1 << 20  # positions per token in Matcher.scan (longer than any token)
Match = tuple[int, int, str, Owner]  # (start, end, the text's words it matched, owner)
Found = dict[int | str, dict[str, tuple[str | None, int]]]
# code → the text's words a phrase matched → (a target of the phrases there, their strongest
# tier): one entry per place in the text, however many phrases match it ("Malaria"@de and
# "malaria"@en; "resource" and "resources" once stemmed)


def _match_exact(text_words: list[str]) -> list[Match]:
    matcher = _matchers()[0]
    return [
        (start, end, key.strip(), owner)
        for start, end, key in matcher.scan(text_words)
        for owner in matcher.owners[key]
    ]


def _match_stemmed(text_words: list[str], lang: str) -> list[Match]:
    matcher = _matchers()[1][lang]
    matches = []
    for start, end, key in matcher.scan(_stems(lang, text_words)):
        span = text_words[start // _SLOT : end // _SLOT + 1]
        for owner in matcher.owners[key]:
            if lang == "ar" or all(map(_close, span, owner[2])):
                matches.append((start, end, " ".join(span), owner))
    return matches


def _longest(matches: list[Match]) -> list[Match]:
    """The matches no longer match of the same kind (SDG phrase, or action-area keyword)
    contains: "open educational resource" is not also "open education", "energy poverty" (7)
    not also "poverty" (1); an area's "OER capacity building" leaves SDG 4's "OER" be.
    One sweep per kind in (start, longest first) order: a span is inside an earlier one
    exactly when an earlier span reaches as far (equal spans are kept together)."""
    kept: list[Match] = []
    for kind in (True, False):
        reach, span, reach_before = -1, (-1, -1), -1
        ordered = sorted((m for m in matches if isinstance(m[3][0], int) == kind),
                         key=lambda m: (m[0], -m[1]))  # fmt: skip
        for match in ordered:
            if (match[0], match[1]) != span:  # a new span: earlier spans are all before it
                span, reach_before = (match[0], match[1]), reach
            if reach_before < match[1]:
                kept.append(match)
            reach = max(reach, match[1])
    return kept


def _found(matches: list[Match]) -> Found:
    found: Found = {}
    for _, _, matched, (code, target, _, tier) in matches:
        by_match = found.setdefault(code, {})
        if matched in by_match:  # a target, once known, stays; so does the strongest tier
            known_target, known_tier = by_match[matched]
            target, tier = known_target or target, min(known_tier, tier)
        by_match[matched] = (target, tier)
    return found


def _kept(phrases: dict[str, tuple[str | None, int]], about_oer: bool) -> bool:
    """Whether a goal's matches give it: one ordinary phrase; or two matches where supporting
    phrases count; ecosystem phrases count as ordinary ones only in a text about the OER
    ecosystem (an action area found too), else not at all."""
    tiers = [tier for _, tier in phrases.values() if about_oer or tier != ECOSYSTEM]
    return any(tier != SUPPORT for tier in tiers) or len(tiers) >= 2


def text_language(text: str, lang: str | None) -> str | None:
    """The primary language subtag the stemmed matching uses: `lang`'s, else cld2's guess."""
    if not lang:
        guess = detect(text[:DETECT_CHARS], "cld2")
        lang = guess.lang if guess else None
    return lang.split("-")[0].casefold() if lang else None


class _Sentences:
    """The text's sentences, each normalised only when a lookup reaches it."""

    def __init__(self, text: str) -> None:
        self.raw = _SENTENCE.split(text)
        self.normal: list[str] = []

    def holding(self, matched: str) -> str:
        """The first sentence that holds `matched` (normal form), squeezed; "" if none."""
        for i, sentence in enumerate(self.raw):
            if i == len(self.normal):
                self.normal.append(" ".join(words(sentence)))
            if matched in self.normal[i]:
                return " ".join(sentence.split())[:300]
        return ""


def classify_text(text: str, lang: str | None = None) -> Classification:
    """The goals and areas whose phrases `text` holds; `lang` (BCP 47) is the text's language
    where known (declared): it picks the stemmer, and saves a detection."""
    text_words = words(text)
    matches = _match_exact(text_words)
    primary = text_language(text, lang) if text_words else None
    if primary in STEMMERS:
        matches += _match_stemmed(text_words, primary)
    found = _found(_longest(matches) if len(matches) > 1 else matches)
    about_oer = any(isinstance(code, str) for code in found)
    found = {code: phrases for code, phrases in found.items() if _kept(phrases, about_oer)}
    if not found:
        return Classification((), ())
    sentences = _Sentences(text)
    labels = []
    for code, phrases in found.items():
        shown = tuple(sorted(phrases))
        sentence = sentences.holding(shown[0])
        targets = sorted({target for target, _ in phrases.values() if target})
        labels.append(
            Label(
                code,
                round(1 - 0.5 ** len(shown), 4),
                (*shown, sentence) if sentence else shown,
                tuple(targets),
            )
        )
    order = {slug: i for i, slug in enumerate(action_areas())}
    sdgs = sorted((lb for lb in labels if isinstance(lb.code, int)), key=lambda lb: lb.code)
    areas = sorted((lb for lb in labels if isinstance(lb.code, str)), key=lambda lb: order[lb.code])
    return Classification(tuple(sdgs), tuple(areas))


def record_text(titles: list, descriptions: list, subjects: list) -> str:
    """The text a record is classified on: title, descriptions, keywords, as sentences."""
    parts = [v["value"] for v in [*titles[:1], *descriptions, *subjects] if v.get("value")]
    return "\n".join(parts)


def classify_fields(
    titles: list, descriptions: list, subjects: list, language_tags: list | None
) -> Classification:
    """A record's fields (as `Record` or a resources row holds them) classified: the text of
    `record_text`, in the first language tag's language."""
    lang = language_tags[0] if language_tags else None
    return classify_text(record_text(titles, descriptions, subjects), lang)


def classify_record(record: Record) -> Classification:
    return classify_fields(record.titles, record.descriptions, record.subjects,
                           record.language_tags)  # fmt: skip
