"""Licence normaliser: raw rights strings → canonical licence, rights statement, access rights.

Input: whatever a source puts in its rights fields (dc:rights, DataCite rightsList, LOM
rights, MODS accessCondition, JSON-LD license, free text in any language). Output: a
`LicenceResult` built from the concepts of `vocabularies/licences.ttl` (via
`vocabularies.loader`): canonical URI (CC as `https://creativecommons.org/licenses/<elements>/
<version>/[<port>/]`, a versionless family URI when the text names no version — a version is
never invented; rights statements as `http://rightsstatements.org/vocab/<ID>/1.0/`), SPDX id,
family/version/port, the flags, `open_for_adaptation`, a COAR access-rights URI kept apart
from the licence, and the `rule` that decided.

Rules, tried in this order on one string (the first that finds something wins):

- `uri` / `deed-uri`: a URI in the text. `uri` when it is a vocabulary URI or exactMatch as
  written; `deed-uri` when it had to be parsed (deed.xx, legalcode, www., no trailing slash,
  rightsstatements `/page/`, spdx.org / opensource.org / apache.org pages). Several different
  licence URIs in one string → `multiple` (licence None).
- `spdx`: the whole string is an SPDX id (case-insensitive, deprecated ids too).
- `label`: the whole string (minus parentheticals, "Creative Commons" prefix, "licence"
  suffix) equals a vocabulary label in any language, compared casefolded, without accents,
  whitespace and punctuation. Ambiguous labels are not used.
- `cc-shorthand`: "CC BY-SA 4.0 de", "cc_by_nc", "by-sa 2.0", "CC0", or English element words
  after "Creative Commons" ("Creative Commons Attribution-NonCommercial 4.0"). All mentions
  in the string are collected; a family mention is subsumed by a versioned licence of that
  family; more than one licence left → `multiple` (a site listing the licences it uses).
  A port the version does not have is dropped (4.0 has no ports); a version the elements do
  not have falls back to the family.
- `rightsstatement`: a RightsStatements label (via `label`, reported as this rule).
- `public-domain`: the string starts with "public domain" / "gemeinfrei" / "dominio público"
  … → the Public Domain Mark.
- `copyright-line`: "©", "Copyright …", "(c) 2015", "All rights reserved" in several
  languages → InC.
- `access-right`: info:eu-repo terms, COAR URIs and labels, bare "openAccess" … → only
  `access_rights_uri`.
- `unrecognised` (or `empty`): nothing is guessed.

`normalise_rights` combines the values of one record by precedence: licence URI > SPDX id >
CC label/shorthand > rights statement / public domain > copyright line; disagreeing licences
at the level of rights statements or above become one `conflicting_licences` issue (a
copyright line next to a licence is normal: the holder licenses their work).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import marisa_trie

from vocabularies.loader import LicenceConcept, licence_by_spdx, licences, licences_by_match

PDM = "https://creativecommons.org/publicdomain/mark/1.0/"
INC = "http://rightsstatements.org/vocab/InC/1.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
_CC = "https://creativecommons.org/"
_ELEMENT_ORDER = ("by", "nc", "nd", "sa")


@dataclass(frozen=True, slots=True)
class LicenceResult:
    input: str
    licence_uri: str | None
    spdx: str | None
    family: str | None
    version: str | None
    port: str | None
    allows_adaptation: bool | None
    allows_commercial: bool | None
    share_alike: bool | None
    open_for_adaptation: str  # yes | no | unknown
    access_rights_uri: str | None
    rule: str


# Precedence of the rules in normalise_rights (higher wins).
_LEVEL = {
    "uri": 5,
    "deed-uri": 5,
    "spdx": 4,
    "label": 3,
    "cc-shorthand": 3,
    "label-in-text": 3,
    "rightsstatement": 2,
    "public-domain": 2,
    "copyright-line": 1,
}
_CONFLICT_LEVEL = 2
_FAMILY_KINDS = ("cc-family", "spdx-family")  # versionless concepts: "CC BY-SA", "GPL"


def fold(text: str) -> str:
    """Casefolded, accents removed, whitespace collapsed."""
    folded = text.casefold()
    if not folded.isascii():  # only non-ASCII text can carry accents to drop
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.split())


def label_key(text: str) -> str:
    """`fold` without anything but letters and digits: the label comparison key."""
    return "".join(filter(str.isalnum, fold(text)))


# ------------------------------------------------------------------ indexes from the vocabulary


@dataclass(frozen=True, slots=True)
class _Index:
    by_match: dict[str, str]
    by_spdx: dict[str, str]  # casefolded id → URI
    by_label: dict[str, str]  # label key → URI (unambiguous keys only)
    cc: dict[tuple[str, str, str], str]  # (family, version, port or "") → URI
    family: dict[str, str]  # family → versionless family URI
    rights: dict[str, str]  # casefolded rights-statement ID → URI
    ports: frozenset[str]


@cache
def _index() -> _Index:
    concepts = licences()
    labels: dict[str, set[str]] = {}
    cc: dict[tuple[str, str, str], str] = {}
    family: dict[str, str] = {}
    rights: dict[str, str] = {}
    for uri, c in sorted(concepts.items()):
        if c.family == "publicdomain":
            continue  # the retired CC "Public Domain" dedication: plain "public domain" → PDM
        for by_lang in (c.labels, c.alt_labels):
            for values in by_lang.values():
                for value in values:
                    if key := label_key(value):
                        labels.setdefault(key, set()).add(uri)
        if c.kind == "cc" and c.family and c.version:
            # prefer the non-deprecated concept when two share family/version/port
            cc.setdefault((c.family, c.version, c.port or ""), uri)
        elif c.kind == "cc-family" and c.family:
            family[c.family] = uri
        elif c.kind == "rights-statement" and c.notation:
            rights[c.notation.casefold()] = uri
    for uri, c in concepts.items():
        if c.kind == "rights-statement":
            ident = uri.rstrip("/").split("/")[-2]
            rights.setdefault(ident.casefold(), uri)
    return _Index(
        by_match=licences_by_match(),
        by_spdx={k.casefold(): v for k, v in licence_by_spdx().items()},
        by_label={k: next(iter(v)) for k, v in labels.items() if len(v) == 1},
        cc=cc,
        family=family,
        rights=rights,
        ports=frozenset(c.port for c in concepts.values() if c.port),
    )


def _result(raw: str, uri: str, rule: str) -> LicenceResult:
    c: LicenceConcept = licences()[uri]
    if c.kind == "access-right":
        return replace(_nothing(raw, "access-right"), access_rights_uri=uri)
    if c.kind == "rights-statement" and rule in ("label", "cc-shorthand"):
        rule = "rightsstatement"
    return LicenceResult(
        input=raw,
        licence_uri=uri,
        spdx=c.spdx,
        family=c.family,
        version=c.version,
        port=c.port,
        allows_adaptation=c.allows_adaptation,
        allows_commercial=c.allows_commercial,
        share_alike=c.share_alike,
        open_for_adaptation=c.open_for_adaptation,
        access_rights_uri=None,
        rule=rule,
    )


def _nothing(raw: str, rule: str) -> LicenceResult:
    return LicenceResult(raw, None, None, None, None, None, None, None, None, "unknown", None, rule)


# ------------------------------------------------------------------ URIs

_URL = re.compile(r"(?:https?://|www\.|info:eu-repo/)[^\s<>\"'\]\[)(,;]+|creativecommons\.org/\S+",
                  re.I)  # fmt: skip
_VERSION = re.compile(r"^v?(\d)(?:[.,](\d))?$")


def _version(text: str | None) -> str | None:
    if not text:
        return None
    m = _VERSION.match(text)
    return f"{m.group(1)}.{m.group(2) or '0'}" if m else None


def _family(elements: str) -> str:
    parts = [p for p in re.split(r"[-_+ ]+", elements.casefold()) if p]
    if set(parts) <= set(_ELEMENT_ORDER) and len(set(parts)) == len(parts):
        return "-".join(e for e in _ELEMENT_ORDER if e in parts)
    return elements.casefold()


def _cc_uri(family: str, version: str | None, port: str | None) -> str | None:
    """The vocabulary URI for a CC family (canonical element order), version, port."""
    idx = _index()
    if version is None:
        return idx.family.get(family)
    for p in (port or "", ""):
        if uri := idx.cc.get((family, version, p)):
            return uri
    return idx.family.get(family)


def _from_cc_path(path: str) -> str | None:
    segments = [s for s in path.casefold().split("/") if s]
    segments = [s for s in segments if not s.startswith(("deed", "legalcode", "rdf", "?", "#"))]
    segments = [s.split("#")[0].split("?")[0] for s in segments]
    if len(segments) < 2 or segments[0] not in ("licenses", "licences", "publicdomain"):
        return None
    kind, elements, rest = segments[0], segments[1], segments[2:]
    version = _version(rest[0]) if rest else None
    port = rest[1] if len(rest) > 1 and version else None
    if kind == "publicdomain":
        uri = {"zero": CC0, "mark": PDM}.get(elements)
        return uri if version in (None, "1.0") else None
    if elements == "publicdomain":
        return _index().by_match.get(f"{_CC}licenses/publicdomain/")
    if rest and version is None:
        return None
    family = _family(elements)
    if version:
        direct = f"{_CC}licenses/{elements}/{version}/" + (f"{port}/" if port else "")
        if direct in _index().by_match:
            return _index().by_match[direct]
    return _cc_uri(family, version, port)


def _from_url(url: str) -> tuple[str | None, bool]:
    """(concept URI, exact-as-written) for one URL-like token."""
    url = url.rstrip(".>")
    idx = _index()
    if url in idx.by_match:
        return idx.by_match[url], True
    low = url.casefold()
    if low.startswith("info:eu-repo/semantics/"):
        term = low.rsplit("/", 1)[-1]
        for key in ("open", "embargoed", "restricted", "closed"):
            if term == f"{key}access":
                return idx.by_match.get(f"info:eu-repo/semantics/{key}Access"), False
        return None, False
    host_path = re.sub(r"^https?://", "", low)
    host_path = re.sub(r"^www\.", "", host_path)
    host, _, path = host_path.partition("/")
    if host == "creativecommons.org":
        return _from_cc_path(path), False
    if host == "rightsstatements.org":
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] in ("vocab", "page", "data"):
            return idx.rights.get(parts[1]), False
        return None, False
    if host == "purl.org" and path.startswith("coar/access_right/"):
        return idx.by_match.get("http://purl.org/coar/access_right/" + path.split("/")[2]), False
    if host in ("spdx.org", "opensource.org"):
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "licenses":
            ident = re.sub(r"\.(html|json|php)$", "", parts[1])
            return idx.by_spdx.get(ident) or idx.by_spdx.get(ident + "-only"), False
    if host == "gnu.org" and path.startswith(("licenses/", "copyleft/")):
        return _from_gnu_path(path.split("/", 1)[1]), False
    if host == "apache.org" and path.startswith("licenses/license-2.0"):
        return idx.by_spdx.get("apache-2.0"), False
    return None, False


_GNU_PAGE = re.compile(r"^(gpl|lgpl|fdl)(?:-(\d\.\d))?(?:\.[a-z\-]+)*(?:\.html|\.txt)?/?$")
_GNU_SPDX = {"gpl": "GPL", "lgpl": "LGPL", "fdl": "GFDL"}


def _from_gnu_path(page: str) -> str | None:
    """gnu.org/licenses/gpl-3.0.html → GPL-3.0-only (a version page does not say "or
    later": read as SPDX reads bare ids); gpl.html → the versionless GPL family."""
    m = _GNU_PAGE.match(page)
    if not m:
        return None
    short, version = _GNU_SPDX[m.group(1)], m.group(2)
    if version is None:
        return _index().by_label.get(label_key(short))
    return _index().by_spdx.get(f"{short}-{version}-only".casefold())


# ------------------------------------------------------------------ CC shorthands and words

_EL = r"(?:nc|nd|sa)"
_SHORT = re.compile(
    r"(?<![a-z0-9])cc[\s_:\-\[(]*(?:licen[cs]es?\s*)?"
    rf"(by(?:[\s_\-+]*{_EL}){{0,3}}|{_EL}(?:[\s_\-+]*{_EL}){{0,2}})(?![a-z])"
    r"(?:[\s_\-]*v?(\d(?:[.,]\d)?)(?![\d]))?"
    r"(?:[\s_\-]+([a-z]{2,8})(?=\s*(?:$|[)\],;/.]|(?:licen[cs]e|lizenz|licencia|licenca|licenza)\b)))?"
)
_BARE = re.compile(
    rf"^(by(?:[\s_\-]*{_EL}){{0,3}})(?:[\s_\-]*v?(\d(?:[.,]\d)?))?(?:[\s_\-]+([a-z]{{2,8}}))?$"
)
_ZERO = re.compile(r"(?<![a-z0-9])cc[\s_\-]?(?:0|zero)(?![a-z0-9])")
_WORDS = re.compile(
    r"(?<![a-z])attribution((?:[\s\-,:]*(?:non[\s\-]?commercial|share[\s\-]?alike|"
    r"no[\s\-]?deriv(?:ative)?s?|no[\s\-]?derivative works))*)"
    r"(?:\s*(?:license|licence)?\s*v?(\d[.,]\d)(?![\d]))?"
)


def _port(token: str | None, version: str | None) -> str | None:
    return token if token and version and token in _index().ports else None


_CC_WORDS = re.compile(r"creative\s*commons(?=[\s:_\-]*(?:by|nc|nd|sa)(?![a-z]))")


def _shorthand_mentions(folded: str) -> list[str]:
    found: list[str] = []
    folded = _CC_WORDS.sub("cc ", folded)  # "Creative Commons BY-NC-SA 3.0" is "CC BY-NC-SA 3.0"
    for m in _SHORT.finditer(folded):
        version = _version(m.group(2))
        uri = _cc_uri(_family(m.group(1)), version, _port(m.group(3), version))
        if uri:
            found.append(uri)
    if m := _BARE.match(folded):
        version = _version(m.group(2))
        if uri := _cc_uri(_family(m.group(1)), version, _port(m.group(3), version)):
            found.append(uri)
    if _ZERO.search(folded):
        found.append(CC0)
    if re.search(r"creative\s*commons|(?<![a-z])cc\s+attribution", folded):
        for m in _WORDS.finditer(folded):
            words = m.group(1)
            elements = ["by"]
            if re.search(r"non[\s\-]?commercial", words):
                elements.append("nc")
            if re.search(r"no[\s\-]?deriv", words):
                elements.append("nd")
            if re.search(r"share[\s\-]?alike", words):
                elements.append("sa")
            if uri := _cc_uri(_family("-".join(elements)), _version(m.group(2)), None):
                found.append(uri)
    return found


_VERSION_IN_TEXT = re.compile(r"(?<!\d)(\d)[.,]\s?(\d)(?!\d)")
_MIN_LABEL_KEY = 12  # shorter keys ("by40") could match across words


@cache
def _versioned_labels() -> tuple[marisa_trie.Trie, dict[str, str]]:
    """Unambiguous label keys (≥ 12 characters) of CC and SPDX licences that state their
    version ("namensnennung40international" → …/by/4.0/), and a trie of them."""
    concepts = licences()
    found: dict[str, str] = {}
    for key, uri in _index().by_label.items():
        c = concepts[uri]
        if c.kind not in ("cc", "spdx") or len(key) < _MIN_LABEL_KEY:
            continue
        digits = c.version.replace(".", "") if c.version else None
        if digits is None:
            m = re.search(r"\d\d", key)
            digits = m.group() if m else None
        if digits and digits in key:
            found[key] = uri
    return marisa_trie.Trie(found), found


def _label_in_text(folded: str) -> str | None:
    """The licence whose full title (any language) stands inside a sentence: "Dieses Werk ist
    lizenziert unter einer Creative Commons Namensnennung 4.0 International Lizenz." Only
    titles that state a version, so only texts with a version are searched; a title inside
    a longer matched title does not count; two different licences → None (other rules)."""
    if not _VERSION_IN_TEXT.search(folded):
        return None
    text_key = label_key(folded)
    trie, uris_by_key = _versioned_labels()
    matched = {
        key
        for i in range(len(text_key) - _MIN_LABEL_KEY + 1)
        for key in trie.prefixes(text_key[i:])
    }
    outer = {k for k in matched if not any(k != o and k in o for o in matched)}
    uris = {uris_by_key[k] for k in outer}
    return uris.pop() if len(uris) == 1 else None


def _distinct(uris: list[str]) -> list[str]:
    """Unique URIs in order, a family dropped when a versioned licence of it is present; a
    family without BY ("CC NC-SA", only ever a 1.0 licence) next to a versioned licence with
    those elements is read as that licence's shorthand."""
    unique = list(dict.fromkeys(uris))
    concepts = licences()
    versioned = [concepts[u] for u in unique if concepts[u].broader]
    covered = {c.broader for c in versioned}
    for u in unique:
        c = concepts[u]
        bare = c.kind == "cc-family" and c.family and not c.family.startswith("by")
        if bare and any(
            set(c.family.split("-")) <= set((v.family or "").split("-")) for v in versioned
        ):
            covered.add(u)
    return [u for u in unique if u not in covered]


# ------------------------------------------------------------------ other wordings

_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_AFFIX = re.compile(
    r"^(?:licen[cs]e|licencia|licenca|lizenz|licenza|licentie|rights|derechos|droits)\s*:\s*|"
    r"^(?:creative\s*commons|cc)\b[\s:\-]*|[\s,\-]*\b(?:public\s+)?(?:license|licence|lizenz|"
    r"licencia|licenca|licenza|licentie)\s*$"
)
_PUBLIC_DOMAIN = re.compile(
    r"^(?:(?:in|im|en|dans|no|nel|na)\s+(?:the\s+|le\s+|el\s+|o\s+|il\s+)?)?"
    r"(?:public domain|gemeinfrei|dominio publico|domaine public|dominio pubblico|"
    r"publiek domein|domena publiczna|dominio publico)(?![a-z])"
)
_COPYRIGHT = re.compile(
    r"^\s*(?:copyright|copr[a-z]*ght|\(c\))|©|\(c\)\s*\d{4}|all rights reserved|"
    r"alle rechte vorbehalten|tous droits reserves|todos los derechos reservados|"
    r"tutti i diritti riservati|todos os direitos reservados|alle rechten voorbehouden|"
    r"wszelkie prawa zastrzezone"
)
_ACCESS_WORDS = {
    "openaccess": "open",
    "embargoedaccess": "embargoed",
    "restrictedaccess": "restricted",
    "closedaccess": "closed",
    "metadataonlyaccess": "closed",
}


def _label(text: str) -> str | None:
    by_label = _index().by_label
    candidates = [text, _PAREN.sub(" ", text)]
    for candidate in list(candidates):
        folded = fold(candidate).strip(" .,;:")
        for _ in range(2):
            folded = _AFFIX.sub("", folded).strip(" .,;:")
        candidates.append(folded)
    for candidate in candidates:
        if (key := label_key(candidate)) and key in by_label:
            return by_label[key]
    return None


@lru_cache(maxsize=65536)
def normalise_licence(raw: str) -> LicenceResult:
    """One raw rights value → LicenceResult (see the module docstring for the rules)."""
    text = unicodedata.normalize("NFC", raw).replace("\ufffd", " ").strip()
    if not text:
        return _nothing(raw, "empty")
    idx = _index()

    urls = [_from_url(u) for u in _URL.findall(text)]
    found = _distinct([u for u, _ in urls if u and licences()[u].kind != "access-right"])
    if len(found) > 1:
        return _nothing(raw, "multiple")
    if found:
        exact = any(e for u, e in urls if u == found[0])
        return _result(raw, found[0], "uri" if exact else "deed-uri")
    access = next((u for u, _ in urls if u), None)
    if access:
        return _result(raw, access, "access-right")

    if uri := idx.by_spdx.get(text.casefold()):
        return _result(raw, uri, "spdx")
    if uri := _label(text):
        return _result(raw, uri, "label")

    folded = fold(text)
    if uri := _label_in_text(folded):
        return _result(raw, uri, "label-in-text")
    found = _distinct(_shorthand_mentions(folded))
    if len(found) > 1:
        return _nothing(raw, "multiple")
    if found:
        return _result(raw, found[0], "cc-shorthand")

    if folded.startswith("no known copyright"):
        return _result(raw, idx.rights["nkc"], "rightsstatement")
    if _PUBLIC_DOMAIN.match(folded):
        return _result(raw, PDM, "public-domain")
    if _COPYRIGHT.search(folded):
        return _result(raw, INC, "copyright-line")
    if kind := _ACCESS_WORDS.get(label_key(text)):
        return _result(raw, idx.by_match[f"info:eu-repo/semantics/{kind}Access"], "access-right")
    return _nothing(raw, "unrecognised")


def normalise_rights(
    raws: list[str],
) -> tuple[LicenceResult | None, LicenceResult | None, list[dict]]:
    """A record's rights values → (licence, access rights, issues) by precedence.

    The licence with the highest rule level wins (first one on ties); licences at the level of
    rights statements or above that disagree give one `conflicting_licences` issue. A family
    result agrees with a versioned licence of the same family (the versioned one wins)."""
    results = [normalise_licence(r) for r in raws]
    access = next((r for r in results if r.access_rights_uri), None)
    licensed = [r for r in results if r.licence_uri]
    if not licensed:
        return None, access, []
    concepts = licences()

    def level(r: LicenceResult) -> tuple[int, int]:
        specific = 0 if concepts[r.licence_uri or ""].kind in _FAMILY_KINDS else 1
        return _LEVEL.get(r.rule, 0), specific

    best = max(licensed, key=level)  # max keeps the first of equals
    strong = _distinct([r.licence_uri for r in licensed if _LEVEL.get(r.rule, 0) >= _CONFLICT_LEVEL
                        and r.licence_uri])  # fmt: skip
    issues: list[dict] = []
    if len(strong) > 1:
        best_uri = best.licence_uri
        if best.licence_uri not in strong and concepts[best_uri or ""].kind in _FAMILY_KINDS:
            best = next(r for r in licensed if r.licence_uri == strong[0])
        issues.append(
            {
                "code": "conflicting_licences",
                "severity": "warning",
                "field": "rights",
                "message": f"rights values name different licences: {', '.join(strong)}; "
                f"kept {best.licence_uri}",
            }
        )
    elif strong and best.licence_uri not in strong:
        best = next(r for r in licensed if r.licence_uri == strong[0])
    return best, access, issues
