"""Declared language values → BCP 47 tags (shortest form: `en`, `pt-BR`, `zh-Hant`).

Sources declare languages as codes (`en`, `eng`, `fre`, `en_US`, `EN-us`), vocabulary URIs
(`http://id.loc.gov/vocabulary/iso639-2/eng`, `http://lexvo.org/id/iso639-3/deu`,
`http://publications.europa.eu/resource/authority/language/ENG`), names in English, in the
language itself or in a third language (`English`, `Deutsch`, `Anglais`, `Русский`, `中文`),
names with qualifiers (`English (United States)`, `Português (Brasil)`, MARC's inverted
`Greek, Ancient (to 1453)`), lists (`spa; fre`, `en fr`, `English and French`) and junk
(`und`, `mul`, `N/A`, `Other`). `normalise_language` decides one raw value, in this order:

1. `empty`      nothing but whitespace/punctuation;
2. `junk`       a value that says nothing about the language (`und`, `mul`, `zxx`, `mis`,
                `qaa`–`qtz`, `N/A`, `unknown`, `various`, `-`, `?` …; names of those codes
                too: "Undetermined", "Multiple languages");
3. `uri`        a URI whose last path segment is a language code;
4. `bcp47`      a two-letter code or a tag with subtags (`en`, `en_US`, `zh-Hant`);
   `iso639-2b`  one of the 20 ISO 639-2 bibliographic codes that differ from /T (`fre`,
                `ger`, `chi`, `dut`, `cze` …);
   `iso639-3`   any other three-letter code (639-2/T and 639-3: `eng`, `deu`, `ang`, `oty`);
5. `name`       a language name found *exactly* in the CLDR/language_data name index (in any
                language), after dropping filler (`English language`, `Language: English`);
                a qualifier in parentheses, after a comma or a dash is used when it is a
                territory (`→ en-US`, `→ pt-BR`) or script (`→ zh-Hant`), dropped when it is a
                date range, and MARC inverted names are re-ordered (`Greek, Ancient` →
                "Ancient Greek" → `grc`);
6. `list`       every part of the value split on `; , / | + &`, on the conjunctions
                and/et/und/y/e/og/och, or else on whitespace, is a language or junk, and at
                least one is a language;
7. `unparsable` anything else (the caller records an `unparsable_language` issue).

`langcodes.find` alone is not used for names: it accepts any name with a ≥ 4-letter known
prefix, so "English and French" would be `en` and "Greek, Ancient (to 1453)" `el`. Codes go
through `langcodes.standardize_tag` (deprecated codes replaced: `iw` → `he`; redundant
scripts dropped: `en-Latn-US` → `en-US`), except that `tl`/`tgl` stay Tagalog (`tl`; CLDR
aliases them to Filipino, IANA does not). Two-letter values are read as codes even where a
language has that name (`Ga` is Irish `ga`, not the Ga language); `NA` is junk, not Nauru.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import langcodes
from language_data import names as _names

__all__ = ["LanguageResult", "normalise_language", "normalise_languages"]


@dataclass(frozen=True, slots=True)
class LanguageResult:
    input: str
    languages: tuple[str, ...]  # BCP 47, shortest form, in the order given, no duplicates
    rule: str
    junk: bool


_JUNK_CODES = frozenset({"und", "mul", "zxx", "mis"})
_JUNK_WORDS = frozenset(
    {
        "n/a", "na", "n.a.", "n. a.", "none", "null", "nil", "nan", "other", "others", "otro",
        "otros", "autre", "autres", "andere", "sonstige", "altro", "outro", "unknown",
        "unbekannt", "inconnu", "desconocido", "desconhecido", "sconosciuto", "unspecified",
        "not specified", "no especificado", "nicht angegeben", "non spécifié", "various",
        "varios", "divers", "verschiedene", "multiple", "multilingual", "multi", "mehrsprachig",
        "multilingüe", "multilingue", "plurilingue", "several", "mixed", "misc",
        "miscellaneous", "not applicable", "no language", "no linguistic content",
        "sin contenido lingüístico", "ohne sprachlichen inhalt", "-", "--", "?", "??", "x",
        "xx", "xxx", "zz", "zzz", "undefined", "undetermined", "uncoded", "sin idioma", "n.a",
        "all", "any", "all languages", "any language", "todos", "tous", "alle sprachen",
    }
)  # fmt: skip
# ISO 639-2 bibliographic codes whose terminology (/T) code differs.
_ISO639_2B = frozenset(
    {
        "alb", "arm", "baq", "bur", "chi", "cze", "dut", "fre", "geo", "ger",
        "gre", "ice", "mac", "mao", "may", "per", "rum", "slo", "tib", "wel",
    }
)  # fmt: skip
# Names the CLDR index lacks (or only knows as another language's prefix), and typos seen
# in real repositories ("Finish" in NIST's dc:language).
_NAME_ALIASES = {
    "castellano": "es",
    "valenciano": "ca",
    "valencià": "ca",
    "te reo māori": "mi",
    "te reo maori": "mi",
    "reo māori": "mi",
    "finish": "fi",
    "portugues": "pt",
    "espanol": "es",
    "francais": "fr",
    "farsi": "fa",
    "汉语": "zh",
    "漢語": "zh",
    "华语": "zh",
    "華語": "zh",
    "国语": "zh",
    "國語": "zh",
    "bahasa melayu": "ms",
    "esp": "es",  # not an ISO code, but what many Spanish-language repositories write
    "runa simi": "qu",
    "runasimi": "qu",
}
_FILLER_BEFORE = re.compile(
    r"^(?:language\(s\)|language|languages|lang|idioma|idiomas|sprache|sprachen|langue|lingua|língua"
    r"|iso[\s_-]?639(?:-[1-3])?(?:/[bt])?|bcp[\s_-]?47|rfc[\s_-]?\d{4})\s*[:=]\s*",
    re.IGNORECASE,
)
_FILLER_AFTER = re.compile(
    r"\s+(?:language|languages|lang\.?|dialect|sprache|язык|мова|dili|jezik|język|nyelv|kieli"
    r"|språk|sprog|taal|only|solamente|uniquement|nur)$|^(?:the|la|le|el|die)\s+",
    re.IGNORECASE,
)
_STRIP = " \t\r\n\"'`.;:,[]{}<>«»“”‘’"
_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_URI = re.compile(r"^(?:https?://|urn:|info:)\S+$", re.IGNORECASE)
_PAREN = re.compile(r"^(.+?)\s*\(([^()]+)\)$")
_OF = re.compile(r"^(.+?)\s+(?:do|da|de|du|del|des|of|from|aus|di)\s+(.+)$", re.IGNORECASE)
_COMMA = re.compile(r"^([^,]+?)\s*(?:,|\s[-–—]\s)\s*(.+)$")
_DATES = re.compile(r"^[\s\d\-–to?ca.]+$", re.IGNORECASE)
_LIST_STRONG = re.compile(r"\s*[;,/|+&\n]\s*|\s+(?:and|et|und|y|e|og|och)\s+", re.IGNORECASE)
_LIST_SPACE = re.compile(r"\s+")


def _exact(category: str, name: str) -> str | None:
    """Code for a name in the language_data index, exact matches only (no prefix guessing)."""
    lookup = _names.normalize_name(name)
    if not lookup or not lookup.isprintable():
        # no language name holds control characters, and the index's trie cannot look
        # them up (NUL ends its keys: a lookup of "\x00" crashes inside marisa-trie)
        return None
    code = _names.name_to_code(category, name)  # loads the trie on first use
    trie = _names.TRIES.get(f"und/name_to_{category}")
    if code is None or trie is None:
        return None
    if lookup in trie or (category == "language" and _is_own_name(code, lookup)):
        return code
    return None


@lru_cache(maxsize=4096)
def _is_own_name(code: str, lookup: str) -> bool:
    """`lookup` is the English name or the autonym of `code`: a name the index dropped as
    ambiguous ("Hindi" is also a prefix of "Hindi, Fiji") but that names this language."""
    language = langcodes.Language.get(code)
    names = (language.display_name("en"), language.autonym())
    return any(_names.normalize_name(n) == lookup for n in names)


def _standard(tag: str) -> str | None:
    """Valid shortest BCP 47 form of a code or tag, or None."""
    try:
        std = langcodes.standardize_tag(tag.replace("_", "-"))
    except ValueError:
        return None
    if not langcodes.tag_is_valid(std):
        return None
    if std == "fil" and tag.casefold() in ("tl", "tgl"):
        return "tl"
    return std


def _is_junk_tag(tag: str) -> bool:
    primary = tag.split("-", 1)[0]
    return primary in _JUNK_CODES or "qaa" <= primary <= "qtz"


_Decision = tuple[tuple[str, ...], str, bool]


def _code(text: str) -> _Decision | None:
    if not _CODE.match(text):
        return None
    tag = _standard(text)
    if tag is None:
        return None
    if _is_junk_tag(tag):
        return (), "junk", True
    primary = text[:3].casefold()
    if len(text) == 3 and primary in _ISO639_2B:
        return (tag,), "iso639-2b", False
    return (tag,), ("iso639-3" if len(text) == 3 else "bcp47"), False


def _with_qualifier(tag: str, qualifier: str) -> str | None:
    """tag + territory or script named by the qualifier, or None when it names neither."""
    if re.fullmatch(r"[A-Za-z]{2}|\d{3}|[A-Za-z]{4}", qualifier):  # a code: "(BR)", "(419)"
        combined = _standard(f"{tag}-{qualifier}")
        if combined and combined != tag and _names_known_subtags(combined):
            return combined
    for category, key in (("territory", "territory"), ("script", "script")):
        found = _exact(category, qualifier)
        if found and "-" not in found:
            combined = langcodes.Language.get(tag).update_dict({key: found})
            return _standard(combined.to_tag())
    return None


def _names_known_subtags(tag: str) -> bool:
    """The region/script of `tag` is one CLDR names (not XX, ZZ or another user-assigned code)."""
    language = langcodes.Language.get(tag)
    if language.territory and language.territory_name("en").startswith("Unknown"):
        return False
    return not (language.script and language.script_name("en").startswith("Unknown"))


def _without_filler(text: str) -> str:
    return _FILLER_AFTER.sub("", _FILLER_BEFORE.sub("", text)).strip(_STRIP)


def _name(text: str) -> str | None:
    code = _exact("language", text)  # before dropping filler: "Multiple languages" is mul
    if code:
        return _standard(code)
    text = _without_filler(text)
    if not text:
        return None
    alias = _NAME_ALIASES.get(text.casefold())
    if alias:
        return alias
    code = _exact("language", text) or _exact("language", _without_accents(text))
    if code:
        return _standard(code)
    for pattern in (_PAREN, _COMMA, _OF):
        m = pattern.match(text)
        if not m:
            continue
        base, qualifier = m.group(1).strip(), m.group(2).strip()
        if pattern is _OF:  # "Português do Brasil": only a territory qualifies a name this way
            base_tag = _name(base)
            found = _exact("territory", qualifier)
            if base_tag and found and "-" not in found:
                return _with_qualifier(base_tag, qualifier)
            continue
        if _DATES.match(qualifier):
            return _name(base)
        reordered = _exact("language", f"{qualifier} {base}")  # "Greek, Ancient"
        if reordered:
            return _standard(reordered)
        base_tag = _name(base)
        if base_tag is None:
            continue
        qualified = _with_qualifier(base_tag, qualifier)
        if qualified:
            return qualified
        if pattern is _PAREN:
            return base_tag  # an unrecognised parenthesised remark: the base name decides
    return None


def _without_accents(text: str) -> str:
    """ "Yorùbá" → "Yoruba": names as people type them without (or with other) accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _single(text: str) -> _Decision | None:
    """One language (or junk) for the whole text, or None."""
    if text.casefold() in _JUNK_WORDS or _without_filler(text).casefold() in _JUNK_WORDS:
        return (), "junk", True
    if _URI.match(text):
        segment = re.split(r"[/#:=]", text.rstrip("/#"))[-1]
        decided = _code(segment)
        if decided is None:
            return None
        return decided[0], ("junk" if decided[2] else "uri"), decided[2]
    decided = _code(text) or _code(_without_filler(text))  # "iso639-3:eng", "Language: en"
    if decided is not None:
        return decided
    tag = _name(text)
    if tag is None:
        return None
    if _is_junk_tag(tag):
        return (), "junk", True
    return (tag,), "name", False


def _list(text: str) -> _Decision | None:
    for splitter in (_LIST_STRONG, _LIST_SPACE):
        parts = [p.strip(_STRIP) for p in splitter.split(text)]
        parts = [p for p in parts if p]
        if len(parts) < 2:
            continue
        decided = [_single(p) for p in parts]
        if any(d is None for d in decided):
            continue
        tags = _dedup(tag for d in decided if d for tag in d[0])
        if tags:
            return tags, "list", False
    return None


def _dedup(tags: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tags))  # type: ignore[call-overload]


@lru_cache(maxsize=65536)
def normalise_language(raw: str) -> LanguageResult:
    """BCP 47 tags for one declared language value; see the module docstring for the rules."""
    text = " ".join(raw.split()).strip(_STRIP)
    if not text:
        return LanguageResult(raw, (), "empty", False)
    decided = _single(text) or _list(text)
    if decided is None:
        return LanguageResult(raw, (), "unparsable", False)
    return LanguageResult(raw, *decided)


def normalise_languages(raws: list[str]) -> tuple[tuple[str, ...], list[LanguageResult]]:
    """A record's declared values → merged tags (first-seen order) and per-value results."""
    results = [normalise_language(raw) for raw in raws]
    return _dedup(tag for r in results for tag in r.languages), results
