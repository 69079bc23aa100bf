"""MARC 21 bibliographic records in XML (MARCXML slim, MarcXchange, OAI-1.1 oai_marc) → Record.

Versions: MARCXML slim (http://www.loc.gov/MARC21/slim, also without namespace), ISO 25577
MarcXchange (`info:lc/xmlns/marcxchange-v1`/`-v2`, same structure; a `format` attribute
naming another flavour such as UNIMARC or danMARC2 is refused with an issue, its tags mean
other things) and the OAI-PMH 1.1 `oai_marc` schema (`fixfield`/`varfield`, leader in root
attributes). A `<collection>` maps its first record (issue when there are more). Because
"record" is a generic root name, the element must look like MARC (leader / controlfield /
datafield children), otherwise the record gets a `not_marc` issue and nothing is mapped.

Semantics follow the Library of Congress MARC-to-Dublin Core and MARC-to-MODS crosswalks;
datafields are dispatched by tag through the `HANDLERS` table. Subfield text is joined
with spaces and ISBD punctuation (" /", " :", " ;", " =", ",", a final ".") is trimmed at
the ends only; a final period after an initial or abbreviation ("J.", "U.S.", "Inc.") stays.

  leader/06-07  resource_types: the type-of-record and bibliographic-level labels
                ("language material", "monograph/item"), and the raw code as "marc:am"
  008           dates from 07-10 / 11-14 with kinds by 008/06 (s issued, t + copyrighted,
                r/p + created, e: year + month/day, i/k created...); 35-37 language when
                no 041; 22 target audience (books, computer files, music, visual material)
                → audiences (label) and typical_age_ranges
  020/022/024   identifiers (ISBN qualifiers cut off, ISBN-13 via common; 024 ind1 7 with
                $2 hdl → "hdl:" prefix so it is classified a handle); 035 only (OCoLC) numbers
  041 $a$d      languages (old concatenated "engfre" split)
  05x-08x       classifications: 050/055/090 lcc, 060 nlm, 070 nal, 080 udc, 082/083 ddc,
                084/072/086 by $2 (086 ind1 0 sudoc)
  100/110/111   creators; name $a$b$c$d$q (110 $n, 111 $e$n), role $e (111: $j), else $4
                as a relator term; id: ORCID from $1/$0 first, else $1, else $0 as a URI
                ("(DLC)n 79021164" → id.loc.gov, "(orcid)…", "(isni)…", "(viaf)…", GND)
  700/710/711   contributors, creators when the relator is author/creator, funders when it
  720           is funder; with $t it is a name/title entry: related (hasPart for ind2 2)
  245           the first title: $a$b$f$g$k$n$p$s ($c, $h medium dropped)
  130/210(fallback)/222/240/242/246/247/730/740(fallback)  further titles (no duplicates)
  260/264       publishers ($b; "s.n."-style placeholders skipped; 264 ind2 0 producer and
                3 manufacturer → contributors, 2 → publishers as distributor), dates $c:
                260 and 264-1 issued, 264-0 created, 264-2 available, 264-3 manufactured,
                264-4 copyrighted; brackets / "c" / "©" removed before parsing; a date
                the 008 already gives is not repeated
  300, 306      formats (extent); a parenthesised playing time "(45 min.)" or 306
                hhmmss → duration
  336           resource_types; 337/338/340/347 formats
  490/440/830   related isPartOf (title ; numbering; 490 $x ISSN as its own target)
  76x-78x       related by linking-entry tag (773 isPartOf, 776 isFormatOf, 775 hasVersion,
                780 replaces, 785 isReplacedBy…); target: $o (when a DOI/URL/handle), $x, $z,
                $t, $s, $w, $a; 786 and 534 → source_refs
  5xx notes     descriptions, 520 first: 500 501 502 505 508 511 513 518 520 530 533 545
                546 550 555 580 586 (520 $a$b, 505 $a$g$r$t, others $a-$t)
  506/540/542   rights: text ($a, $f, $l) and URIs ($u) as separate values
  521, 385      audiences; 521 ind1 0/2 (grade levels) → education_levels, ind1 1 (ages)
                → typical_age_ranges when it reads like "8-12" / "8 and up"
  536           funders ($a, award $c else $b)
  6xx           subjects ("heading -- subdivision"); with a scheme (ind2 0-3/5/6, or $2)
                also classifications (uri from $1 / $0: FAST, id.loc.gov, GND);
                648/651/662 also coverage; 655 genre → resource_types, and learning
                resource types when $2 is an educational vocabulary or the genre is one
  856           by ind2: 0, then blank/8, then 1 (version): a file (by $q or the URL's
                extension) → downloads; else the first one without $3 → landing page and
                identifier; other ind2 1 → related hasVersion; ind2 2 and partial ($3)
                links → related "relation"
  880           alternate script, linked via $6 to titles, notes and subjects: mapped like
                the linked tag, with lang = the record's language (MARC code → BCP 47
                for common languages) unless the script cannot be that language's;
                880 names are left out: Agent has no language and they would double count

Dropped: 001/003/005/006/007 (system data), 010, 016, 035 other than OCLC, 040, 042,
043 (area codes), 049, 074, 250 (edition: no model field), 255, 310/321/362 (frequency,
dates of publication of serials), 504/538/588/59x (bibliography/system/cataloguer
boilerplate, local notes), 260/264 place, 9xx local fields. Coverage is counted per tag
(`coverage_paths`, `path_status`): element names alone say nothing in MARC.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from transforms.crosswalks.common import (
    add_agent,
    add_classification,
    add_date,
    add_download,
    add_funder,
    add_identifier,
    add_issue,
    add_learning_resource_type,
    add_plain,
    add_relation,
    add_text,
    check_required,
    duration_iso,
    element_text,
    is_url,
    local_name,
    set_duration,
    set_landing_page,
)
from transforms.dates import parse_date
from transforms.identifiers import classify_identifier
from transforms.model import Record

NAME = "marcxml"
MARC_NS = "http://www.loc.gov/MARC21/slim"
NAMESPACES = (
    MARC_NS,
    MARC_NS + "/",
    "info:lc/xmlns/marcxchange-v1",
    "info:lc/xmlns/marcxchange-v2",
    "http://www.loc.gov/standards/iso25577/marcxchange-1-1",
    "http://www.openarchives.org/OAI/1.1/oai_marc",
)
ROOT_NAMES = ("record", "collection", "oai_marc")
PREFIXES = ("marc21", "marcxml", "marc", "oai_marc", "MARC21", "usmarc", "marcxchange")
MAPPED = frozenset({"record", "leader", "controlfield", "datafield", "fixfield", "varfield"})
DROPPED: frozenset[str] = frozenset()

_STRUCTURE = frozenset({"leader", "controlfield", "datafield", "fixfield", "varfield"})


# ---------------------------------------------------------------- parsed fields


@dataclass(slots=True)
class Field:
    """One datafield: tag, indicators and (code, text) subfields in order."""

    tag: str
    ind1: str
    ind2: str
    subfields: list[tuple[str, str]]

    def values(self, codes: str) -> list[str]:
        return [text for code, text in self.subfields if code in codes and text]

    def first(self, codes: str) -> str:
        return next((text for code, text in self.subfields if code in codes and text), "")

    def join(self, codes: str) -> str:
        return trim_isbd(" ".join(self.values(codes)))


@dataclass(slots=True)
class Marc:
    leader: str  # 24 characters, or "" when absent / unusable
    control: dict[str, str]
    fields: list[Field]


def _parse(record_el: etree._Element, record: Record) -> Marc:
    leader, control, fields = "", {}, []
    for el in record_el:
        name = local_name(el.tag)
        if name == "leader":
            leader = el.text or ""
        elif name in ("controlfield", "fixfield"):
            tag = (el.get("tag") or el.get("id") or "").strip()
            text = (el.text or "").strip('"\n\r\t')  # oai_marc quotes its fixfields
            if tag in ("000", "LDR") and not leader:
                leader = text
            elif tag and tag not in control:
                control[tag] = text
        elif name in ("datafield", "varfield"):
            tag = (el.get("tag") or el.get("id") or "").strip()
            subfields = []
            for sf in el:  # the innermost loop of the crosswalk: kept free of calls
                sf_tag = sf.tag
                if isinstance(sf_tag, str) and (
                    sf_tag == "subfield" or sf_tag.endswith("}subfield")  # local name
                ):
                    text = sf.text
                    text = (text.strip() if text else "") if not len(sf) else element_text(sf)
                    code = sf.get("code") or sf.get("label")
                    if not (code and len(code) == 1 and code != " "):
                        code = _code(code)
                    subfields.append((code, text))
            ind1 = el.get("ind1")  # a default argument would look up i1 for every field
            ind1 = (ind1 if ind1 is not None else el.get("i1", " "))[:1] or " "
            ind2 = el.get("ind2")
            ind2 = (ind2 if ind2 is not None else el.get("i2", " "))[:1] or " "
            fields.append(Field(tag, ind1, ind2, subfields))
    if not leader and local_name(record_el.tag) == "oai_marc":
        status, kind, level = (
            (record_el.get(name) or " ")[:1] for name in ("status", "type", "level")
        )
        leader = f"     {status}{kind}{level}".ljust(24)
    return Marc(_repair_leader(leader, record), control, fields)


def _code(raw: str | None) -> str:
    """A subfield code: one character; a missing one never matches a code list."""
    if raw and len(raw) == 1 and raw != " ":
        return raw
    return (raw or "").strip()[:1] or "?"


def _repair_leader(raw: str, record: Record) -> str:
    if not raw.strip() or len(raw) == 24:
        return raw if raw.strip() else ""
    text = raw.strip()
    if len(text) == 24:
        return text
    if len(text) < 24 and re.search(r"\d{3}[\d ]$", text):
        # Some exports drop the leading record length / blanks: right-align on "4500".
        add_issue(record, "leader_repaired", "info", "resource_types",
                  f"leader {raw!r} is {len(text)} characters; read right-aligned")  # fmt: skip
        return text.rjust(24)
    add_issue(record, "bad_leader", "warning", "resource_types",
              f"leader {raw!r} is not 24 characters; type of record not read")  # fmt: skip
    return ""


# ---------------------------------------------------------------- text helpers

_TRAILING = re.compile(r"[\s/:;,=]+$")
_LEADING = re.compile(r"^[\s/:;,=]+")
_KEEP_PERIOD = re.compile(
    r"(?:(?:^|[\s.(])[A-Z]\.|\.\.\.|\b(?:etc|Inc|Jr|Sr|Co|Ltd|Corp|Dept|Bros|St|Dr|Mr|Mrs|"
    r"Ms|Esq|Ph\.D|ca|nos?|vols?|eds?)\.)$",
    re.I,
)


_ISBD_CHARS = frozenset(" /:;,=.\t\n\r")


def trim_isbd(text: str) -> str:
    """Strip ISBD punctuation at both ends ("Title /" → "Title", "1975." → "1975")."""
    text = text.strip()
    if not text or (text[0] not in _ISBD_CHARS and text[-1] not in _ISBD_CHARS):
        return text
    text = _LEADING.sub("", _TRAILING.sub("", text))
    if text.endswith(".") and not _KEEP_PERIOD.search(text):
        text = _TRAILING.sub("", text[:-1])
    return text


def _heading(field: Field, main: str) -> str:
    """A subject / genre heading: main part, then $v$x$y$z subdivisions joined with " -- "."""
    head = field.join(main)
    parts = [head] if head else []
    parts += [trim_isbd(t) for c, t in field.subfields if c in "vxyz" and trim_isbd(t)]
    return " -- ".join(parts)


# ---------------------------------------------------------------- authority ids

_PAREN = re.compile(r"^\(([^)]+)\)\s*(.+)$")
_FAST = re.compile(r"^fst0*(\d+)$", re.I)
_LC_PREFIX = {"sh": "subjects", "n": "names", "nb": "names", "nr": "names", "no": "names",
              "gf": "genreForms", "sj": "childrensSubjects", "dg": "demographicTerms"}  # fmt: skip


def authority_uri(raw: str) -> tuple[str, str | None]:
    """$0 / $1 value → (URI when derivable else the value, scheme hint for normalize)."""
    value = raw.strip()
    match = _PAREN.match(value)
    if not match:
        return value, None
    org, ident = match[1].strip().lower(), match[2].strip()
    compact = ident.replace(" ", "")
    if org in ("orcid", "isni", "ror"):
        return compact, org
    if org == "ocolc" and (fast := _FAST.match(compact)):
        return f"http://id.worldcat.org/fast/{fast[1]}", None
    if org == "dlc" and (lc := re.match(r"^([a-z]+)\d", compact)) and lc[1] in _LC_PREFIX:
        return f"http://id.loc.gov/authorities/{_LC_PREFIX[lc[1]]}/{compact}", None
    if org == "de-588":
        return f"https://d-nb.info/gnd/{compact}", "gnd"
    if org == "viaf":
        return f"http://viaf.org/viaf/{compact}", None
    return value, None


def _agent_id(field: Field) -> tuple[str | None, str | None]:
    """ORCID from $1/$0 first, else $1 (real-world object), else $0 (authority record)."""
    candidates = [authority_uri(v) for v in field.values("1") + field.values("0")]
    for value, scheme in candidates:
        if scheme == "orcid" or "orcid.org" in value:
            return value, "orcid"
    return candidates[0] if candidates else (None, None)


# ---------------------------------------------------------------- code tables

_TYPE_OF_RECORD = {
    "a": "language material", "c": "notated music", "d": "manuscript notated music",
    "e": "cartographic material", "f": "manuscript cartographic material",
    "g": "projected medium", "i": "nonmusical sound recording",
    "j": "musical sound recording", "k": "two-dimensional nonprojectable graphic",
    "m": "computer file", "o": "kit", "p": "mixed materials",
    "r": "three-dimensional artifact or naturally occurring object",
    "t": "manuscript language material",
}  # fmt: skip
_BIB_LEVEL = {
    "a": "monographic component part", "b": "serial component part", "c": "collection",
    "d": "subunit", "i": "integrating resource", "m": "monograph/item", "s": "serial",
}  # fmt: skip
# 008/22 target audience: (label, typical age range or None)
_AUDIENCE = {
    "a": ("preschool", "0-5"), "b": ("primary", "6-8"), "c": ("pre-adolescent", "9-13"),
    "d": ("adolescent", "14-17"), "e": ("adult", "18-"), "f": ("specialized", None),
    "g": ("general", None), "j": ("juvenile", "0-15"),
}  # fmt: skip
_RELATORS = {
    "aut": "author", "cre": "creator", "edt": "editor", "ctb": "contributor",
    "ill": "illustrator", "trl": "translator", "ths": "thesis advisor",
    "dgs": "degree supervisor", "dgg": "degree granting institution", "pbl": "publisher",
    "cmp": "composer", "prf": "performer", "nrt": "narrator", "drt": "director",
    "pro": "producer", "pht": "photographer", "art": "artist", "com": "compiler",
    "ctg": "cartographer", "dis": "dissertant", "isb": "issuing body", "spn": "sponsor",
    "fnd": "funder", "org": "originator", "rev": "reviewer", "spk": "speaker",
    "lyr": "lyricist", "adp": "adapter", "ann": "annotator", "edc": "editor of compilation",
    "ivr": "interviewer", "ive": "interviewee", "mus": "musician", "prg": "programmer",
    "res": "researcher", "trc": "transcriber", "cph": "copyright holder",
    "his": "host institution", "aui": "author of introduction", "own": "owner",
}  # fmt: skip
_AUTHOR_ROLES = frozenset({"aut", "author", "cre", "creator", "joint author"})
_FUNDER_ROLES = frozenset({"fnd", "funder"})
_SUBJECT_SCHEMES = {"0": "lcsh", "1": "lcshac", "2": "mesh", "3": "nal", "5": "cash", "6": "rvm"}
# MARC language code → BCP 47 primary subtag, for the languages 880 fields are written in.
_BCP47 = {
    "ara": "ar", "arm": "hy", "bel": "be", "ben": "bn", "bul": "bg", "bur": "my",
    "chi": "zh", "cze": "cs", "dut": "nl", "eng": "en", "fre": "fr", "geo": "ka",
    "ger": "de", "gre": "el", "guj": "gu", "heb": "he", "hin": "hi", "ita": "it",
    "jpn": "ja", "kan": "kn", "kaz": "kk", "khm": "km", "kor": "ko", "lao": "lo",
    "mac": "mk", "mal": "ml", "mar": "mr", "mon": "mn", "nep": "ne", "pan": "pa",
    "per": "fa", "pol": "pl", "por": "pt", "pus": "ps", "rus": "ru", "san": "sa",
    "sin": "si", "spa": "es", "srp": "sr", "tam": "ta", "tel": "te", "tha": "th",
    "tib": "bo", "tur": "tr", "ukr": "uk", "urd": "ur", "uzb": "uz", "vie": "vi",
    "yid": "yi", "amh": "am", "kir": "ky", "tgk": "tg", "tat": "tt", "aze": "az",
}  # fmt: skip
_LATIN_LANGS = frozenset(
    {"eng", "fre", "ger", "spa", "por", "ita", "dut", "pol", "cze", "slo", "hun", "rum",
     "swe", "dan", "nor", "fin", "ice", "cat", "baq", "glg", "lat", "tur", "vie", "ind",
     "may", "wel", "gle", "est", "lav", "lit", "slv", "hrv", "alb"}
)  # fmt: skip
_LATIN_SCRIPTS = frozenset({"(B", "Latn"})
_NO_LANGUAGE = frozenset({"", "und", "zxx", "|||", "   ", "###", "xxx"})
_SINE_NOMINE = frozenset(
    {"s.n", "s. n", "n. pub", "n.pub", "publisher not identified", "unknown", "sine nomine",
     "name of publisher not identified", "publisher unknown", "n.p"}
)  # fmt: skip
_EDUCATIONAL_VOCABS = frozenset({"hcrt", "lrmi", "lrt", "lom", "lre", "oerschema", "oer"})
_EDUCATIONAL_GENRES = frozenset(
    {"textbooks", "open textbooks", "study guides", "problems and exercises", "examinations",
     "instructional and educational works", "teachers' guides", "syllabi", "lecture notes",
     "educational materials", "teaching materials", "open educational resources",
     "tutorials", "lesson plans", "workbooks", "courseware"}
)  # fmt: skip
_FILE_EXTENSIONS = {
    ".pdf": "application/pdf", ".epub": "application/epub+zip",
    ".mobi": "application/x-mobipocket-ebook", ".zip": "application/zip",
    ".mp3": "audio/mpeg", ".mp4": "video/mp4", ".m4v": "video/mp4", ".wav": "audio/wav",
    ".doc": "application/msword", ".txt": "text/plain", ".djvu": "image/vnd.djvu",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".ppt": "application/vnd.ms-powerpoint", ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text", ".tif": "image/tiff",
    ".jpg": "image/jpeg", ".png": "image/png",
}  # fmt: skip
_FORMAT_WORDS = {"pdf": ".pdf", "epub": ".epub", "mobi": ".mobi", "zip": ".zip", "mp3": ".mp3",
                 "mp4": ".mp4", "djvu": ".djvu", "docx": ".docx", "doc": ".doc"}  # fmt: skip
_LINKING = {
    "760": "isPartOf", "762": "hasPart", "765": "isVersionOf", "767": "hasVersion",
    "770": "hasPart", "772": "isPartOf", "773": "isPartOf", "774": "hasPart",
    "775": "hasVersion", "776": "isFormatOf", "777": "relation", "780": "replaces",
    "785": "isReplacedBy", "787": "relation",
}  # fmt: skip
_DESCRIPTION_TAGS = ("500", "501", "502", "505", "508", "511", "513", "518", "520", "530",
                     "533", "545", "546", "550", "555", "580", "586")  # fmt: skip
# Tags whose 880 alternate-script form is mapped (with a language).
_ALT_SCRIPT_TAGS = frozenset(
    {"130", "222", "240", "242", "245", "246", "247", "730", "740",
     *_DESCRIPTION_TAGS, "600", "610", "611", "630", "648", "650", "651", "653", "655"}
)  # fmt: skip


# ---------------------------------------------------------------- field handlers

Handler = Callable[[Record, Field, "str | None"], None]


_PUNCT_END = re.compile(r"\s*[:;=/]\s*$")


def _title_text(field: Field, codes: str) -> str:
    """Title subfields joined; a dropped $h medium ("[electronic resource] :") leaves its
    ISBD punctuation to the part before it, so "$a … $h … : $b …" keeps "a : b"."""
    parts: list[str] = []
    for code, text in field.subfields:
        if code in codes and text:
            parts.append(text)
        elif code == "h" and parts and (mark := _PUNCT_END.search(text)):
            parts[-1] = _PUNCT_END.sub("", parts[-1]) + mark[0].rstrip()
    return trim_isbd(" ".join(parts))


def _title(codes: str) -> Handler:
    def handler(record: Record, field: Field, lang: str | None) -> None:
        text = _title_text(field, codes)
        if not text and field.tag == "245":  # a 245 with none of the usual codes
            text = trim_isbd(" ".join(t for c, t in field.subfields if c not in "ch3468"))
        if field.tag == "242" and not lang and (code := field.first("y").strip().lower()):
            lang = _BCP47.get(code, code)
        if text and not any(t["value"] == text for t in record.titles):
            add_text(record, "titles", text, lang)

    return handler


def _fallback_title(codes: str) -> Handler:
    inner = _title(codes)
    return lambda r, f, lang: inner(r, f, lang) if not r.titles else None


def _role(field: Field) -> str | None:
    terms = [trim_isbd(t) for t in field.values("j" if field.tag[1:] == "11" else "e")]
    if terms := [t for t in terms if t]:
        return ", ".join(terms)
    for code in field.values("4"):
        code = code.strip().rstrip("/").rpartition("/")[2].lower()
        if code:
            return _RELATORS.get(code, code)
    return None


def _name(field: Field) -> str:
    codes = {"00": "abcdq", "10": "abcdn", "11": "acdenq", "20": "a"}.get(field.tag[1:], "a")
    return field.join(codes)


def _agent(field_name: str) -> Handler:
    def handler(record: Record, field: Field, lang: str | None) -> None:
        if field.tag.startswith("7") and field.values("t"):
            kind = "hasPart" if field.ind2 == "2" else "relation"
            target = trim_isbd(f"{_name(field)}. {field.join('tfklmnoprs')}".lstrip(". "))
            _relation(record, kind, target)
            return
        name, role = _name(field), _role(field)
        identifier, scheme = _agent_id(field)
        roles = {r.strip().lower() for r in (role or "").split(",")}
        roles |= {c.strip().rstrip("/").rpartition("/")[2].lower() for c in field.values("4")}
        if field_name == "contributors" and roles & _FUNDER_ROLES:
            add_funder(record, name, identifier)
            return
        target = (
            "creators" if field_name == "contributors" and roles & _AUTHOR_ROLES else field_name
        )
        add_agent(record, target, name, identifier, role, scheme)

    return handler


def _each(codes: str, add: Callable[[Record, str], None]) -> Handler:
    """A handler calling `add` for each subfield value with one of `codes`."""

    def handler(record: Record, field: Field, lang: str | None) -> None:
        for value in field.values(codes):
            add(record, value)

    return handler


def _plain(field_name: str, codes: str = "a") -> Handler:
    return _each(codes, lambda r, v: add_plain(r, field_name, trim_isbd(v)))


def _isbn(record: Record, field: Field, lang: str | None) -> None:
    for value in field.values("a"):
        match = re.match(r"^\s*([\dXx-]{10,17})\b", value)
        add_identifier(record, match[1] if match else value)


def _other_identifier(record: Record, field: Field, lang: str | None) -> None:
    source = field.first("2").strip().lower() if field.ind1 == "7" else ""
    for value in field.values("a"):
        value = value.strip()
        if source in ("hdl", "handle") and not value.lower().startswith(("hdl:", "http")):
            value = f"hdl:{value}"
        elif source == "doi" and not value.lower().startswith(("doi:", "http", "10.")):
            value = f"doi:{value}"
        add_identifier(record, value)


def _oclc(record: Record, field: Field, lang: str | None) -> None:
    for value in field.values("a"):
        if value.strip().lower().startswith(("(ocolc)", "(oclc)")):
            add_identifier(record, value)


def _languages(record: Record, field: Field, lang: str | None) -> None:
    for value in field.values("ad"):
        value = value.strip()
        if field.ind2 != "7" and len(value) > 3 and len(value) % 3 == 0 and value.isalpha():
            for i in range(0, len(value), 3):  # pre-2001 practice: "engfre" in one $a
                add_plain(record, "languages", value[i : i + 3])
        elif value.lower() not in _NO_LANGUAGE:
            add_plain(record, "languages", value)


def _uri(field: Field) -> str | None:
    """The concept URI of a 0xx / 6xx field: $1, else $0 when it is or becomes a URI."""
    uris = (authority_uri(v)[0] for v in field.values("1") + field.values("0"))
    return next((u for u in uris if is_url(u)), None)


def _classification(scheme: str | None, codes: str = "a") -> Handler:
    def handler(record: Record, field: Field, lang: str | None) -> None:
        given = field.first("2").strip() or None
        chosen = scheme
        if field.tag == "086":
            chosen = {"0": "sudoc", "1": "cacodoc"}.get(field.ind1) or given
        elif field.tag in ("082", "083"):
            chosen = "ddc"
        elif scheme is None:
            chosen = given
        uri = _uri(field)
        for value in field.values(codes):
            add_classification(record, trim_isbd(value) or value, chosen, uri)

    return handler


_SUBJECT_MAIN = {
    "600": "abcdqt", "610": "abcdnt", "611": "acdenqt", "630": "adfgklmnoprst",
    "648": "a", "650": "abcd", "651": "a", "654": "abc", "655": "abc", "656": "a",
    "657": "a", "658": "abcd", "662": "abcdfgh",
}  # fmt: skip


def _add_subject(record: Record, text: str, lang: str | None) -> None:
    if not any(s["value"] == text and s["lang"] == lang for s in record.subjects):
        add_text(record, "subjects", text, lang)


def _subject(record: Record, field: Field, lang: str | None) -> None:
    if field.tag == "653" or field.tag.startswith("69"):
        for value in field.values("a"):
            _add_subject(record, trim_isbd(value), lang)
        return
    main = _SUBJECT_MAIN.get(field.tag, "a")
    if field.tag == "662":
        heading = " -- ".join(trim_isbd(p) for p in field.values(main) if trim_isbd(p))
    else:
        heading = _heading(field, main)
    if not heading:
        return
    scheme = _SUBJECT_SCHEMES.get(field.ind2) or (field.first("2").strip() or None)
    if field.tag == "655":
        add_plain(record, "resource_types", heading)
        if (scheme or "").lower() in _EDUCATIONAL_VOCABS or heading.lower() in _EDUCATIONAL_GENRES:
            add_learning_resource_type(record, heading, lang)
        return
    _add_subject(record, heading, lang)
    if field.tag in ("648", "651", "662"):  # the place / period itself, not the subdivisions
        add_plain(record, "coverage", heading if field.tag == "662" else field.join(main))
    if scheme and lang is None:
        add_classification(record, heading, scheme, _uri(field))


def _publication(record: Record, field: Field, lang: str | None) -> None:
    ind2 = field.ind2 if field.tag == "264" else "1"
    names = [trim_isbd(b) for b in field.values("b")]
    for name in names:
        if not name or name.strip("[]").rstrip(".").lower() in _SINE_NOMINE:
            continue
        if ind2 in ("0", "3"):
            role = "producer" if ind2 == "0" else "manufacturer"
            add_agent(record, "contributors", name, role=role)
        elif ind2 in ("1", "2") and not any(p["name"] == name for p in record.publishers):
            add_agent(record, "publishers", name, role="distributor" if ind2 == "2" else None)
    kind = {"0": "created", "2": "available", "3": "manufactured", "4": "copyrighted"}.get(
        ind2, "issued"
    )
    for code, value in field.subfields:
        if code == "c" or (code == "g" and field.tag == "260"):
            for part in re.split(r",\s+(?=[\[c©℗p]?\d)", trim_isbd(value)):
                _transcribed_date(record, part, kind if code == "c" else "manufactured")


_DATE_MARKS = re.compile(r"^\[?\s*(c|©|℗|p|cop\.)?\s*(\d{4}(?:-\d{2}(?:-\d{2})?)?)\s*\??\s*\]?$")


def _transcribed_date(record: Record, text: str, kind: str) -> None:
    """260/264 $c: "[1893]", "c2010", "©2015" → the year (raw as trimmed when unparsable)."""
    text = trim_isbd(text)
    if match := _DATE_MARKS.match(text):
        text = match[2]
        if match[1] and kind == "issued":
            kind = "copyrighted"
    if not text:
        return
    iso = parse_date(text)
    if iso is not None and any(d["iso"] == iso for d in record.dates):
        return  # the 008 (or another 26x) already gives it
    add_date(record, text, kind)


_TIME = re.compile(
    r"^(?:ca\.\s*|approx(?:imately|\.)?\s*)?(?:(\d+)\s*(?:hr|hrs|hours?)\.?,?\s*)?"
    r"(?:(\d+)\s*(?:min|mins|minutes)\.?,?\s*)?(?:(\d+)\s*(?:sec|secs|seconds)\.?)?$",
    re.I,
)


def _extent_duration(text: str) -> str | None:
    """A parenthesised playing time in an extent ("1 videodisc (45 min.)") as a duration."""
    for inner in re.findall(r"\(([^()]*)\)", text):
        inner = inner.strip()
        match = _TIME.match(inner)
        if inner and match and any(match.groups()):
            if duration_iso(inner):
                return inner
            h, m, s = match.groups()
            return "PT" + "".join(f"{v}{u}" for v, u in ((h, "H"), (m, "M"), (s, "S")) if v)
    return None


def _extent(record: Record, field: Field, lang: str | None) -> None:
    text = field.join("abcefg")
    if text:
        add_plain(record, "formats", text)
        if duration := _extent_duration(text):
            set_duration(record, duration)


def _playing_time(record: Record, field: Field, lang: str | None) -> None:
    for value in field.values("a"):
        if re.fullmatch(r"\d{6}", value.strip()):
            h, m, s = (int(value[i : i + 2]) for i in (0, 2, 4))
            parts = ((h, "H"), (m, "M"), (s, "S"))
            set_duration(record, "PT" + "".join(f"{v}{u}" for v, u in parts if v) or "PT0S")


def _description(record: Record, field: Field, lang: str | None) -> None:
    codes = {"520": "ab", "505": "agrt"}.get(field.tag, "abcdefghijklmnopqrst")
    text = " ".join(v.strip() for v in field.values(codes))
    add_text(record, "descriptions", text, lang)


def _rights(record: Record, field: Field, lang: str | None) -> None:
    text_codes, term_codes = {"506": ("abcde", "f"), "540": ("abcd", "f"), "542": ("fl", "")}[
        field.tag
    ]
    if text := field.join(text_codes):
        add_plain(record, "rights", text)
    for value in field.values(term_codes) + field.values("u"):
        add_plain(record, "rights", value.strip() if is_url(value) else trim_isbd(value))


_AGES = re.compile(r"(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})|(\d{1,2})\s*(?:\+|and up|and older)", re.I)


def _target_audience(record: Record, field: Field, lang: str | None) -> None:
    for value in field.values("a"):
        text = trim_isbd(value)
        if field.tag == "521" and field.ind1 in ("0", "2"):
            add_text(record, "education_levels", text, lang)
        elif field.tag == "521" and field.ind1 == "1" and (m := _AGES.search(text)):
            add_plain(record, "typical_age_ranges", f"{m[1]}-{m[2]}" if m[1] else f"{m[3]}-")
        else:
            add_text(record, "audiences", text, lang)


def _funding(record: Record, field: Field, lang: str | None) -> None:
    name = field.join("a")
    award = field.first("c") or field.first("b")
    if name or award:
        add_funder(record, name, None, trim_isbd(award) or None)


def _relation(record: Record, kind: str, target: str) -> None:
    folded = target.casefold()
    if target and not any(
        r["kind"] == kind and r["target"].casefold() == folded for r in record.related
    ):
        add_relation(record, kind, target)


def _series(record: Record, field: Field, lang: str | None) -> None:
    _relation(record, "isPartOf", field.join("anpv" if field.tag != "490" else "av"))
    for issn in field.values("x"):
        _relation(record, "isPartOf", issn.strip())


def _link_target(field: Field) -> str:
    for value in field.values("o"):
        if classify_identifier(value)["scheme"] in ("doi", "url", "handle", "urn"):
            return value.strip()
    for code in "xztsw":
        if value := field.first(code):
            return trim_isbd(value) if code in "ts" else value.strip()
    return field.join("a")


def _linking(record: Record, field: Field, lang: str | None) -> None:
    _relation(record, _LINKING[field.tag], _link_target(field))


def _source(codes: str) -> Handler:
    return lambda r, f, lang: add_plain(r, "source_refs", f.join(codes))


HANDLERS: dict[str, Handler] = {
    "020": _isbn,
    "022": _each("a", add_identifier),
    "024": _other_identifier,
    "035": _oclc,
    "041": _languages,
    "050": _classification("lcc"),
    "055": _classification("lcc"),
    "060": _classification("nlm"),
    "070": _classification("nal"),
    "072": _classification(None, "ax"),
    "080": _classification("udc"),
    "082": _classification("ddc"),
    "083": _classification("ddc"),
    "084": _classification(None),
    "086": _classification(None),
    "090": _classification("lcc"),
    "100": _agent("creators"),
    "110": _agent("creators"),
    "111": _agent("creators"),
    "130": _title("adfgklmnoprst"),
    "210": _fallback_title("ab"),
    "222": _title("ab"),
    "240": _title("adfgklmnoprs"),
    "242": _title("abnp"),
    "245": _title("abfgknps"),
    "246": _title("abfgnp"),
    "247": _title("abfgnp"),
    "260": _publication,
    "264": _publication,
    "300": _extent,
    "306": _playing_time,
    "336": _plain("resource_types"),
    "337": _plain("formats"),
    "338": _plain("formats"),
    "340": _plain("formats", "a"),
    "347": _plain("formats", "b"),
    "385": _target_audience,
    "440": _series,
    "490": _series,
    "506": _rights,
    "521": _target_audience,
    "534": _source("ptc"),
    "536": _funding,
    "540": _rights,
    "542": _rights,
    **{tag: _description for tag in _DESCRIPTION_TAGS},
    **{tag: _subject for tag in _SUBJECT_MAIN},
    "653": _subject,
    **{f"69{d}": _subject for d in range(10)},
    "700": _agent("contributors"),
    "710": _agent("contributors"),
    "711": _agent("contributors"),
    "720": _agent("contributors"),
    "730": _title("adfgklmnoprst"),
    "740": _fallback_title("anp"),
    **{tag: _linking for tag in _LINKING},
    "786": _source("tasd"),
    "830": _series,
}
# Tags left out on purpose (see the module docstring); 9xx and 59x local fields as well.
DROPPED_TAGS = frozenset(
    {"001", "003", "005", "006", "007", "010", "015", "016", "017", "040", "042", "043",
     "049", "066", "074", "250", "255", "263", "310", "321", "362", "504", "538", "588"}
)  # fmt: skip
_ORDER = {"245": 0, "520": 2}  # the 245 title first, summaries first among descriptions


# ---------------------------------------------------------------- leader, 008, 856, 880


def _leader(record: Record, leader: str) -> None:
    if not leader:
        return
    code = leader[6:8]
    for table, char in ((_TYPE_OF_RECORD, leader[6]), (_BIB_LEVEL, leader[7])):
        if char in table:
            add_plain(record, "resource_types", table[char])
    if code.strip():
        add_plain(record, "resource_types", f"marc:{code}")


def _fixed_dates(record: Record, f008: str) -> None:
    kind1, kind2 = {
        "s": ("issued", None), "t": ("issued", "copyrighted"), "r": ("issued", "created"),
        "p": ("issued", "created"), "m": ("issued", "issued"), "d": ("issued", "issued"),
        "c": ("issued", None), "u": ("issued", None), "q": ("issued", None),
        "i": ("created", "created"), "k": ("created", "created"), "e": ("issued", None),
    }.get(f008[6:7], ("issued", None))  # fmt: skip
    date1, date2 = f008[7:11], f008[11:15]
    if not date1.isdigit():
        return
    if f008[6:7] == "e" and date2[:2].isdigit():  # detailed date: date2 is mmdd
        day = f"-{date2[2:4]}" if date2[2:4].isdigit() else ""
        add_date(record, f"{date1}-{date2[:2]}{day}", kind1)
        return
    add_date(record, date1, kind1)
    if kind2 and date2.isdigit() and date2 != "9999" and date2 != date1:
        add_date(record, date2, kind2)


def _books_like(leader: str) -> bool:
    """008/22 is target audience for books, computer files, music and visual materials."""
    if not leader:
        return False
    if leader[6] in "at":
        return leader[7] not in "bis"
    return leader[6] in "mcdijgkor"


def _fixed_fields(record: Record, marc: Marc) -> None:
    f008 = marc.control.get("008", "")
    if len(f008) < 15:
        return
    _fixed_dates(record, f008)
    if len(f008) > 22 and _books_like(marc.leader) and f008[22] in _AUDIENCE:
        label, ages = _AUDIENCE[f008[22]]
        add_text(record, "audiences", label)
        if ages:
            add_plain(record, "typical_age_ranges", ages)
    if not record.languages and len(f008) >= 38:
        code = f008[35:38]
        if code.strip().lower() not in _NO_LANGUAGE and code.isalpha():
            add_plain(record, "languages", code)


def _link_media(field: Field, url: str) -> tuple[bool, str | None]:
    """(is the link a file?, its media type) from $q, else the URL's extension."""
    q = field.first("q").strip().lower()
    if "/" in q:
        return q not in ("text/html", "application/xhtml+xml"), q
    ext = _FORMAT_WORDS.get(q)
    if not ext:
        path = urlsplit(url).path.lower()
        dot = path.rfind(".")
        ext = path[dot:] if dot > path.rfind("/") else ""
    media = _FILE_EXTENSIONS.get(ext)
    return media is not None, media


def _links(record: Record, fields: list[Field]) -> None:
    """856 by ind2 priority: resource (0), unspecified, version (1); related (2) last."""
    priority = {"0": 0, "1": 2, "2": 3}
    for field in sorted(fields, key=lambda f: priority.get(f.ind2, 1)):
        for url in (u.strip() for u in field.values("u")):
            if field.ind2 == "2":
                _relation(record, "relation", url)
                continue
            is_file, media = _link_media(field, url)
            if media:
                add_plain(record, "formats", media)
            if is_file:
                add_download(record, url, media)
            elif not is_url(url):
                add_identifier(record, url)
            elif record.landing_page is None and not field.values("3"):
                set_landing_page(record, url)
                add_identifier(record, url)
            elif field.ind2 == "1":
                _relation(record, "hasVersion", url)
            else:
                _relation(record, "relation", url)


def _alt_lang(record: Record, field: Field) -> str | None:
    """Language of an 880: the record's language, unless the script rules it out."""
    code = record.languages[0].lower() if record.languages else ""
    linkage = field.first("6")
    script = linkage.partition("/")[2].partition("/")[0]
    if not code or code in _NO_LANGUAGE:
        return None
    if code in _LATIN_LANGS and script and script not in _LATIN_SCRIPTS:
        return None
    return _BCP47.get(code, code if len(code) == 3 else None)


def _linked_tag(field: Field) -> str:
    return field.first("6").strip()[:3]


# ---------------------------------------------------------------- entry points


def _marc_record(record: Record, metadata: etree._Element) -> etree._Element | None:
    """The MARC record element: the root, or a collection's first record; None if not MARC."""
    el = metadata
    if local_name(el.tag) == "collection":
        records = [c for c in el if local_name(c.tag) == "record"]
        if len(records) > 1:
            message = f"collection holds {len(records)} records; only the first is mapped"
            add_issue(record, "multiple_records", "warning", None, message)
        el = records[0] if records else el
    if not any(local_name(c.tag) in _STRUCTURE for c in el):
        add_issue(record, "not_marc", "error", None,
                  f"<{local_name(metadata.tag)}> has no leader / controlfield / datafield "
                  "children: not a MARC record, nothing mapped")  # fmt: skip
        return None
    flavour = re.sub(r"[\s_-]", "", el.get("format") or "").lower()
    kind = "" if local_name(el.tag) == "oai_marc" else (el.get("type") or "").strip().lower()
    if flavour and not flavour.startswith("marc21") and flavour not in ("marc", "usmarc"):
        problem = f"record format {el.get('format')!r} is not MARC 21: its tags differ"
    elif kind and kind != "bibliographic":
        problem = f"record type {el.get('type')!r} is not a bibliographic record"
    else:
        return el
    add_issue(record, "unsupported_marc_flavour", "error", None, f"{problem}; nothing mapped")
    return None


def map_metadata(record: Record, metadata: etree._Element) -> None:
    """Fill `record` from a MARCXML `<record>` (or `<collection>`, or `<oai_marc>`)."""
    el = _marc_record(record, metadata)
    if el is None:
        if not any(isinstance(c.tag, str) for c in metadata):
            check_required(record)  # an empty record: no title anywhere, say so
        return
    marc = _parse(el, record)
    for field in marc.fields:  # languages first: 008 falls back on them, 880s need them
        if field.tag == "041":
            _languages(record, field, None)
    _leader(record, marc.leader)
    _fixed_fields(record, marc)
    ordered = sorted(
        marc.fields,
        key=lambda f: _ORDER.get(f.tag, 1 if f.tag == "880" and _linked_tag(f) == "245" else 3),
    )
    for field in ordered:
        if field.tag == "880":
            linked = _linked_tag(field)
            if linked in _ALT_SCRIPT_TAGS:
                alt = Field(linked, field.ind1, field.ind2, field.subfields)
                HANDLERS[linked](record, alt, _alt_lang(record, field))
        elif field.tag != "041" and (handler := HANDLERS.get(field.tag)) is not None:
            handler(record, field, None)
    _links(record, [f for f in marc.fields if f.tag == "856"])
    check_required(record)


# ---------------------------------------------------------------- per-tag coverage


def path_status(tag: str) -> str:
    """mapped / dropped / unknown for a MARC tag ("LDR" for the leader)."""
    if tag in HANDLERS or tag in ("LDR", "008", "856", "880"):
        return "mapped"
    if tag in DROPPED_TAGS or tag.startswith("9") or tag.startswith("59"):
        return "dropped"
    return "unknown"


def coverage_paths(metadata: etree._Element) -> Counter[str]:
    """Occurrences of each MARC tag in a record: the coverage view the XML paths cannot give."""
    counts: Counter[str] = Counter()
    for el in metadata.iter(*_COUNTED):  # lxml filters in C: subfields never reach Python
        if local_name(el.tag) == "leader":
            counts["LDR"] += 1
        else:
            counts[(el.get("tag") or el.get("id") or "").strip() or "?"] += 1
    return counts


# "{*}name": that local name in any namespace or none, as local_name() compared it.
_COUNTED = tuple(
    f"{{*}}{name}" for name in ("leader", "controlfield", "datafield", "fixfield", "varfield")
)
