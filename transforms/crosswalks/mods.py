"""MODS (Metadata Object Description Schema, Library of Congress) → Record.

Versions: MODS 3.x (namespace http://www.loc.gov/mods/v3, 3.0-3.8; the schema version is
not needed to map). Accepted also: the namespace with a trailing slash or https, the MODS
2 namespace, no namespace at all and the `mods:` prefix bound to something else
(elements are matched by local name). The root is `<mods>` or `<modsCollection>`; for a
collection its first `<mods>` is mapped and a `multiple_records` issue says how many more
there were. Profiles seen: DPLA hubs (cultural heritage) and MyCoRe/DuEPublico OER.

What maps where:
- titleInfo: nonSort + title + ": " subTitle + ". " partNumber/partName, trailing ISBD
  punctuation (" /", " :", ";", ",") trimmed; untyped titles first (usage="primary" first
  of all), then typed ones (alternative, translated, uniform, abbreviated). xml:lang/lang.
- name: given/family → "Family, Given", termsOfAddress appended; untyped nameParts as
  given; displayForm as the fallback. Dates are not part of the name; the first
  affiliation goes to Agent.affiliation.
  role/roleTerm (code, text, or a relators valueURI): aut/cre/art/pht/cmp/egr/ctg/lyr/drm
  (or their labels) → creators, pbl/publisher → publishers, any other role →
  contributors, no role at all → creators (repositories often omit the author role).
  Agent.role is the relator code when given, else the role text. Agent.identifier: a
  nameIdentifier (orcid > ror > isni > gnd > viaf > …), else @valueURI; @authorityURI
  names the vocabulary, never the person, so it is not used as an id.
- originInfo: publisher → publishers; dateIssued/dateCreated/dateCaptured/dateValid/
  dateModified/copyrightDate/dateOther → dates with kind issued/created/captured/valid/
  modified/copyrighted/(dateOther@type or "other"). When some dates of one element name
  carry @encoding, the unencoded transcriptions ("1900-1922.") are left out: they repeat
  the encoded value. @point start/end pairs and "YYYY-YYYY" / "a/b" values become one
  range date, raw "start/end", iso "start/end".
- abstract → descriptions; notes → descriptions only when the record has no abstract,
  and only general ones (untyped, content, summary, general…): typed notes such as
  ownership, citation, acquisition or statement of responsibility are not descriptions.
  note type funding → funders, type rights/license/copyright → rights.
  tableOfContents → descriptions (after the abstract).
- subject: topic/genre/occupation/name/titleInfo → subjects, geographic/temporal/
  hierarchicalGeographic/cartographics coordinates → coverage; a term with @authority or
  @valueURI (its own, or its subject's when the subject holds one term) is also a
  classification (scheme = authority or authorityURI, uri = valueURI, bare Getty ids
  expanded).
- classification → classifications (same scheme/uri rule; empty MyCoRe classifications
  carry only the valueURI).
- genre → resource_types (text, else valueURI), and learning_resource_types when the
  vocabulary is a learning-resource-type one (hcrt, lrt, lrmi, MyCoRe mir_genres used by
  OER repositories) or the value is a learning resource type (HCRT mapping, or a short
  list of such words: course material, lecture, worksheet, instruction…). The same
  value check applies to classifications (DINI publication type CourseMaterial).
- typeOfResource → resource_types. language/languageTerm → languages (codes preferred
  over the text form of the same language; as given).
- physicalDescription: internetMediaType and form → formats; extent → duration when it
  is one (ISO, "90 min", "00:43:43"), else formats.
- targetAudience: roles (teacher, learner, student, parent… or a role vocabulary) →
  audiences; anything else (MARC target audience, school levels) → education_levels;
  marctarget codes are written as their label, and marctarget levels and "ages 6-8"
  values give typical_age_ranges.
- accessCondition (use and reproduction, restriction on access, any type): xlink:href
  (licence URIs, DuEPublico mir_licenses classification URIs, as given) then text → rights.
- identifier (any @type; invalid="yes" ones skipped) → identifiers, @type helping the
  scheme (a bare handle with type hdl); an http identifier is the landing page fallback.
- location/url: usage="primary display" or access="object in context" → landing_page;
  access="raw object" → downloads (media type = the record's internetMediaType when it
  gives exactly one); access="preview" → thumbnails; other URLs → identifiers (and the
  last landing page fallback).
- relatedItem (top level): host/series → isPartOf, constituent → hasPart, otherVersion →
  hasVersion, otherFormat → isFormatOf, preceding → continues, succeeding →
  isContinuedBy, original → isDerivedFrom (also source_refs), references/isReferencedBy/
  reviewOf, untyped → relation. Target: a resolvable identifier, else its URL, else its
  title, else any identifier or xlink:href.

Dropped on purpose (kept in the raw payload): recordInfo (about the record, not the
resource), extension (local schemas), part (citation details of a host), place/edition/
issuance/frequency in originInfo, physical locations and holdings, digitalOrigin and
physical description notes, name descriptions, script terms,
geographic codes, the content of nested relatedItems.
"""

from __future__ import annotations

import re
from collections import defaultdict

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
    add_thumbnail,
    check_required,
    child,
    child_text,
    children,
    clean,
    duration_iso,
    element_text,
    is_url,
    lang_of,
    local_name,
    set_duration,
    set_landing_page,
)
from transforms.identifiers import classify_identifier
from transforms.model import Record
from transforms.resource_types import to_hcrt

NAME = "mods"
MODS_NS = "http://www.loc.gov/mods/v3"
NAMESPACES = (
    MODS_NS,
    MODS_NS + "/",
    "https://www.loc.gov/mods/v3",
    "http://www.loc.gov/mods/",
    "http://www.loc.gov/mods",
)
ROOT_NAMES = ("mods", "modsCollection")
PREFIXES = ("mods", "mods3", "mods-3", "oai_mods")
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

_TOP_LEVEL = (
    "titleInfo", "name", "typeOfResource", "genre", "originInfo", "language",
    "physicalDescription", "abstract", "tableOfContents", "targetAudience", "note",
    "subject", "classification", "relatedItem", "identifier", "location",
    "accessCondition", "part", "extension", "recordInfo",
)  # fmt: skip
_RELATED_MAPPED = ("titleInfo", "identifier", "location")
_MAPPED = (
    "titleInfo", "title", "name", "typeOfResource", "genre", "originInfo", "language",
    "physicalDescription", "abstract", "tableOfContents", "targetAudience", "note",
    "subject", "classification", "identifier", "location", "accessCondition",
    "relatedItem", *(f"relatedItem/{n}" for n in _RELATED_MAPPED),
)  # fmt: skip
_DROPPED = (
    "recordInfo", "extension", "part",
    "originInfo/place", "originInfo/edition", "originInfo/issuance", "originInfo/frequency",
    "originInfo/agent", "originInfo/displayDate",
    "physicalDescription/digitalOrigin", "physicalDescription/note",
    "physicalDescription/reformattingQuality",
    "location/physicalLocation", "location/shelfLocator", "location/holdingSimple",
    "location/holdingExternal",
    "name/description", "name/alternativeName", "name/etal",
    "language/scriptTerm", "subject/geographicCode", "subject/cartographics/scale",
    "subject/cartographics/projection",
    "relatedItem/relatedItem",
    *(f"relatedItem/{n}" for n in _TOP_LEVEL if n not in _RELATED_MAPPED),
)  # fmt: skip
# A modsCollection root puts every path under "mods/".
MAPPED = frozenset(_MAPPED) | frozenset(f"mods/{p}" for p in _MAPPED) | {"mods"}
DROPPED = frozenset(_DROPPED) | frozenset(f"mods/{p}" for p in _DROPPED)

_DATE_KINDS = {
    "dateIssued": "issued",
    "dateCreated": "created",
    "dateCaptured": "captured",
    "dateValid": "valid",
    "dateModified": "modified",
    "copyrightDate": "copyrighted",
    "dateOther": "other",
}
_CREATOR_CODES = frozenset({"aut", "cre", "art", "pht", "cmp", "egr", "ctg", "lyr", "drm"})
_CREATOR_TEXTS = frozenset(
    {
        "author", "creator", "artist", "photographer", "composer", "engraver",
        "cartographer", "lyricist", "draftsman", "verfasser", "verfasserin", "autor",
        "autorin", "urheber", "urheberin", "auteur", "autor/a",
    }
)  # fmt: skip
_PUBLISHER_TEXTS = frozenset({"publisher", "verlag", "éditeur", "editorial"})
_RELATOR_URI = re.compile(r"id\.loc\.gov/vocabulary/relators/([a-z]{3})$")
_ID_RANK = ("orcid", "ror", "isni", "gnd", "viaf", "wikidata", "lcnaf", "naf")
_ID_PREFIX = {"hdl": "hdl:", "handle": "hdl:", "doi": "doi:", "isbn": "isbn:", "issn": "issn:"}
_DESCRIPTIVE_NOTES = frozenset(
    {"", "content", "general", "summary", "abstract", "description", "freetext", "note",
     "scope and content", "scopecontent", "descriptive"}
)  # fmt: skip
_RIGHTS_NOTES = frozenset({"rights", "license", "licence", "copyright", "use and reproduction"})
_RELATION_KINDS = {
    "host": "isPartOf",
    "series": "isPartOf",
    "constituent": "hasPart",
    "otherversion": "hasVersion",
    "otherformat": "isFormatOf",
    "preceding": "continues",
    "succeeding": "isContinuedBy",
    "original": "isDerivedFrom",
    "references": "references",
    "isreferencedby": "isReferencedBy",
    "reviewof": "reviews",
}
_SUBJECT_TEXT = frozenset({"topic", "genre", "occupation"})
_SUBJECT_COVERAGE = frozenset({"geographic", "temporal"})
_SUBJECT_TERMS = frozenset(
    {*_SUBJECT_TEXT, *_SUBJECT_COVERAGE, "name", "titleInfo", "hierarchicalGeographic"}
)
_GETTY = frozenset({"aat", "tgn", "ulan"})
_LRT_VOCABS = frozenset(
    {"hcrt", "lrt", "lrmi", "oehlrt", "learningresourcetype", "learning_resource_type",
     "educationalresourcetype", "mir_genres"}
)  # fmt: skip
# Normalised (lower case, no spaces, "_" or "-") values that are learning resource types.
_LRT_VALUES = frozenset(
    {"teachingmaterial", "coursematerial", "course", "lecture", "lecturenotes", "lesson",
     "lessonplan", "exercise", "exercises", "worksheet", "quiz", "assessment", "tutorial",
     "textbook", "slides", "simulation", "educationalgame", "learningobject",
     "learningmodule", "instruction", "instructionalmaterial", "lehrmaterial",
     "unterrichtsmaterial", "lernmaterial", "arbeitsblatt", "übung", "uebung", "kurs",
     "vorlesung", "lehrbuch", "lernmodul", "selbsttest"}
)  # fmt: skip
_ROLE_VOCABS = frozenset({"educationalrole", "intendedenduserrole", "lrmi", "role"})
_AUDIENCE_ROLES = frozenset(
    {"teacher", "teachers", "learner", "learners", "student", "students", "author",
     "manager", "parent", "parents", "instructor", "administrator", "mentor",
     "counsellor", "counselor", "researcher", "generalpublic", "lehrende", "lernende",
     "lehrer", "lehrerin", "lehrkraft", "lehrkräfte", "schüler", "schülerin",
     "schülerinnen", "studierende", "eltern", "enseignant", "élève", "étudiant",
     "docente", "alumno", "estudiante"}
)  # fmt: skip
_MARCTARGET = {
    "a": ("preschool", "0-5"),
    "b": ("primary", "6-8"),
    "c": ("pre-adolescent", "9-13"),
    "d": ("adolescent", "14-17"),
    "e": ("adult", "18-"),
    "f": ("specialized", None),
    "g": ("general", None),
    "j": ("juvenile", "0-15"),
}
_MARCTARGET_AGES = {label: ages for label, ages in _MARCTARGET.values()}
_AGES = re.compile(
    r"(?:ages?\s*)?(\d{1,2})\s*(?:-|–|to|bis)\s*(\d{1,2})(?:\s*(?:years?|jahre))?", re.I
)
_AGES_PLUS = re.compile(r"(?:ages?\s*)?(\d{1,2})\s*\+(?:\s*(?:years?|jahre))?", re.I)
_ISBD_TAIL = re.compile(r"(?:\s*[/:;=,])+\s*$")
_CLOCK = re.compile(r"(\d{1,3}):([0-5]\d)(?::([0-5]\d))?")
_NORM = re.compile(r"[\s_-]+")
_TOKENS = re.compile(r"[^a-z0-9_]+")


def map_metadata(record: Record, metadata: etree._Element) -> None:
    """Fill `record` from a `<mods>` (or the first `<mods>` of a `<modsCollection>`)."""
    root = _mods_root(record, metadata)
    groups: defaultdict[str, list[etree._Element]] = defaultdict(list)
    for el in root:
        groups[local_name(el.tag)].append(el)
    get = groups.__getitem__

    _titles(record, get("titleInfo"), get("title"))
    for el in get("name"):
        _name(record, el)
    for el in get("originInfo"):
        _origin_info(record, el)
    _descriptions(record, get("abstract"), get("note"), get("tableOfContents"))
    for el in get("subject"):
        _subject(record, el)
    for el in get("genre"):
        _genre(record, el)
    for el in get("classification"):
        _classification(record, el)
    for el in get("typeOfResource"):
        add_plain(record, "resource_types", element_text(el))
    for el in get("language"):
        _language(record, el)
    media_types = _physical_descriptions(record, get("physicalDescription"))
    for el in get("targetAudience"):
        _audience(record, el)
    for el in get("accessCondition"):
        _rights(record, el.get(XLINK_HREF) or el.get("href") or "", element_text(el))
    other_urls = _locations(record, get("location"), media_types)
    _identifiers(record, get("identifier"))
    for url in other_urls:
        add_identifier(record, url)
        set_landing_page(record, url)
    for el in get("relatedItem"):
        _related_item(record, el)
    check_required(record)


def _mods_root(record: Record, metadata: etree._Element) -> etree._Element:
    if local_name(metadata.tag) != "modsCollection":
        return metadata
    records = children(metadata, "mods")
    if len(records) > 1:
        add_issue(
            record,
            "multiple_records",
            "warning",
            None,
            f"modsCollection holds {len(records)} mods records; only the first is mapped",
        )
    return records[0] if records else metadata


# ---------------------------------------------------------------- titles


def trim_isbd(text: str) -> str:
    """Cataloguing punctuation at the end of a value ("Title /", "Name,") → removed."""
    return _ISBD_TAIL.sub("", text)


def _title_text(info: etree._Element) -> str:
    """nonSort + title + subTitle + partNumber/partName of one titleInfo, as one string."""
    non_sort = title = ""
    subtitles: list[str] = []
    parts: list[str] = []
    for c in info:
        name = local_name(c.tag)
        text = element_text(c)
        if not text:
            continue
        if name == "title":
            title = f"{title} {text}" if title else text
        elif name == "nonSort":
            # "L'" + "arbre" joins without a space, "The" + "title" with one
            non_sort = text if text.endswith(("'", "’", "-")) else f"{text} "
        elif name == "subTitle":
            subtitles.append(trim_isbd(text))
        elif name in ("partNumber", "partName"):
            parts.append(trim_isbd(text))
    if not title and not len(info):
        title = element_text(info)  # <titleInfo>text</titleInfo>: malformed, still a title
    title = trim_isbd(title)
    if not title:
        if not subtitles:
            return ""
        title = subtitles.pop(0)
    text = non_sort + title
    for sub in subtitles:
        text = f"{text}: {sub}"
    if parts:
        text = f"{text}. {'. '.join(parts)}"
    return text


def _titles(record: Record, infos: list[etree._Element], bare: list[etree._Element]) -> None:
    main = [i for i in infos if not (i.get("type") or "").strip()]
    main.sort(key=lambda i: (i.get("usage") or "").strip() != "primary")
    typed = [i for i in infos if (i.get("type") or "").strip()]
    for info in main + typed:
        title_el = child(info, "title")
        lang = lang_of(info) or (lang_of(title_el) if title_el is not None else None)
        add_text(record, "titles", _title_text(info), lang)
    if not record.titles:  # <title> straight under <mods>: not MODS, but clearly the title
        for el in bare:
            add_text(record, "titles", trim_isbd(element_text(el)), lang_of(el))


# ---------------------------------------------------------------- names


def _name_text(name: etree._Element) -> str:
    untyped: list[str] = []
    family = given = terms = ""
    for part in children(name, "namePart"):
        text = element_text(part)
        kind = (part.get("type") or "").strip()
        if not text:
            continue
        if not kind:
            untyped.append(text)
        elif kind == "family":
            family = f"{family} {text}" if family else text
        elif kind == "given":
            given = f"{given} {text}" if given else text
        elif kind == "termsOfAddress":
            terms = text
    if family or given:
        text = ", ".join(p for p in (trim_isbd(family), trim_isbd(given)) if p)
    else:
        text = trim_isbd(" ".join(untyped))
    if not text:
        text = trim_isbd(child_text(name, "displayForm"))
    if text and terms:
        text = f"{text}, {trim_isbd(terms)}"
    return text


def _roles(name: etree._Element) -> list[tuple[str, str]]:
    """(relator code, role text) per <role>; either may be ''."""
    out = []
    for role in children(name, "role"):
        code = text = ""
        for term in children(role, "roleTerm"):
            value = element_text(term)
            if match := _RELATOR_URI.search((term.get("valueURI") or "").strip()):
                code = code or match[1]
            kind = (term.get("type") or "").strip()
            if value and (kind == "code" or (not kind and re.fullmatch(r"[a-z]{3}", value))):
                code = code or value.lower()
            elif value:
                text = text or value
        if code or text:
            out.append((code, text))
    return out


def _agent_field(roles: list[tuple[str, str]]) -> tuple[str, str | None]:
    """Which agent list a name goes to, and the role that decided it."""
    for code, text in roles:
        if code in _CREATOR_CODES or text.lower() in _CREATOR_TEXTS:
            return "creators", code or text
    for code, text in roles:
        if code == "pbl" or text.lower() in _PUBLISHER_TEXTS:
            return "publishers", code or text
    if roles:
        return "contributors", roles[0][0] or roles[0][1]
    return "creators", None


def _name_identifier(name: etree._Element) -> tuple[str | None, str | None]:
    """(identifier, scheme) of a name: ranked nameIdentifiers, then @valueURI."""
    given = [
        ((c.get("type") or "").strip().lower(), element_text(c))
        for c in children(name, "nameIdentifier")
    ]
    ranked = sorted(
        ((kind, value) for kind, value in given if value),
        key=lambda kv: _ID_RANK.index(kv[0]) if kv[0] in _ID_RANK else len(_ID_RANK),
    )
    value_uri = (name.get("valueURI") or "").strip()
    if ranked and (ranked[0][0] in _ID_RANK or not value_uri):
        kind, value = ranked[0]
        # common.normalize_agent_id wants the prefix on a bare GND number
        if kind == "gnd" and re.fullmatch(r"[\dX-]+", value):
            value = f"gnd:{value}"
        return value, kind
    return (value_uri or None), None


def _name(record: Record, name: etree._Element) -> None:
    text = _name_text(name)
    if text:
        field, role = _agent_field(_roles(name))
        identifier, scheme = _name_identifier(name)
        affiliation = child_text(name, "affiliation") or None
        add_agent(record, field, text, identifier, role, scheme, affiliation=affiliation)


# ---------------------------------------------------------------- dates


def _origin_info(record: Record, origin: etree._Element) -> None:
    dates: dict[tuple[str, str], list[etree._Element]] = {}
    for el in origin:
        name = local_name(el.tag)
        if name == "publisher":
            add_agent(record, "publishers", trim_isbd(element_text(el)))
        elif name in _DATE_KINDS and element_text(el):
            kind = _DATE_KINDS[name]
            if name == "dateOther":
                kind = (el.get("type") or "").strip() or kind
            dates.setdefault((name, kind), []).append(el)
    for (_, kind), els in dates.items():
        encoded = [e for e in els if (e.get("encoding") or "").strip()]
        used = encoded or els
        points = {(e.get("point") or "").strip().lower(): element_text(e) for e in used}
        start, end = points.get("start", ""), points.get("end", "")
        if start and end:
            add_date(record, f"{start.strip()}/{end.strip()}", kind)
        elif start or end:
            add_date(record, start or end, kind)
        for e in used:
            if (e.get("point") or "").strip().lower() not in ("start", "end"):
                add_date(record, element_text(e), kind)


# ---------------------------------------------------------------- descriptions


def _descriptions(
    record: Record,
    abstracts: list[etree._Element],
    notes: list[etree._Element],
    contents: list[etree._Element],
) -> None:
    for el in abstracts:
        add_text(record, "descriptions", element_text(el), lang_of(el))
    has_abstract = bool(record.descriptions)
    for el in notes:
        kind = (el.get("type") or "").strip().lower()
        text = element_text(el)
        if kind in _DESCRIPTIVE_NOTES and not has_abstract:
            add_text(record, "descriptions", text, lang_of(el))
        elif kind == "funding" and text:
            add_funder(record, text)
        elif kind in _RIGHTS_NOTES:
            add_plain(record, "rights", text)
    for el in contents:
        add_text(record, "descriptions", element_text(el), lang_of(el))


# ---------------------------------------------------------------- subjects, vocabularies


def _concept_uri(el: etree._Element) -> str | None:
    """@valueURI; a bare id joined to @authorityURI, or a Getty id expanded."""
    value = (el.get("valueURI") or "").strip()
    if not value:
        return None
    if ":" in value:
        return value
    base = (el.get("authorityURI") or "").strip()
    if base:
        return base + value if base.endswith(("/", "#")) else f"{base}/{value}"
    authority = (el.get("authority") or "").strip().lower()
    if authority in _GETTY and value.isdigit():
        return f"http://vocab.getty.edu/{authority}/{value}"
    return None


def _scheme(el: etree._Element) -> str | None:
    return (el.get("authority") or "").strip() or (el.get("authorityURI") or "").strip() or None


def _is_vocab(el: etree._Element, names: frozenset[str]) -> bool:
    vocab = f"{el.get('authority') or ''} {el.get('authorityURI') or ''}".lower()
    return any(token in names for token in _TOKENS.split(vocab))


def _uri_tail(uri: str) -> str:
    return uri.rpartition("#")[2] if "#" in uri else uri.rstrip("/").rpartition("/")[2]


def _is_lrt_value(value: str) -> bool:
    return _NORM.sub("", value.lower()) in _LRT_VALUES


def _subject(record: Record, subject: etree._Element) -> None:
    lang = lang_of(subject)
    terms = [c for c in subject if local_name(c.tag) in _SUBJECT_TERMS]
    for c in subject:
        name = local_name(c.tag)
        if name in _SUBJECT_TEXT:
            text = element_text(c)
            add_text(record, "subjects", text, lang_of(c) or lang)
        elif name == "name":
            text = _name_text(c)
            add_text(record, "subjects", text, lang_of(c) or lang)
        elif name == "titleInfo":
            text = _title_text(c)
            add_text(record, "subjects", text, lang_of(c) or lang)
        elif name in _SUBJECT_COVERAGE:
            text = element_text(c)
            add_plain(record, "coverage", text)
        elif name == "hierarchicalGeographic":
            text = ", ".join(t for t in (element_text(p) for p in c) if t) or element_text(c)
            add_plain(record, "coverage", text)
        elif name == "cartographics":
            for coordinates in children(c, "coordinates"):
                add_plain(record, "coverage", element_text(coordinates))
            continue
        else:
            continue
        # the subject's own authority applies to its only term
        source = c if (c.get("authority") or c.get("valueURI")) else subject
        if source is subject and len(terms) != 1:
            continue
        uri = _concept_uri(source)
        scheme = _scheme(source)
        if uri or (scheme and text):
            add_classification(record, clean(record, "classifications", text), scheme, uri)


def _classification(record: Record, el: etree._Element) -> None:
    text = element_text(el)
    uri = _concept_uri(el)
    add_classification(record, text, _scheme(el), uri)
    value = text or (uri or "")
    if value and (_is_vocab(el, _LRT_VOCABS) or _is_lrt_value(text or _uri_tail(value))):
        add_learning_resource_type(record, value, lang_of(el))


def _genre(record: Record, el: etree._Element) -> None:
    text = element_text(el)
    value = text or _concept_uri(el) or ""
    if not value:
        return
    add_plain(record, "resource_types", value)
    if (
        _is_vocab(el, _LRT_VOCABS)
        or _is_lrt_value(text or _uri_tail(value))
        or (text and to_hcrt(text) is not None)
    ):
        add_learning_resource_type(record, value, lang_of(el))


def _language(record: Record, el: etree._Element) -> None:
    terms = [t for t in children(el, "languageTerm") if element_text(t)]
    if not terms and not len(el):
        add_plain(record, "languages", element_text(el))  # <language>eng</language>
    codes = [t for t in terms if (t.get("type") or "").strip() == "code"]
    for term in codes or terms:
        add_plain(record, "languages", element_text(term))


# ---------------------------------------------------------------- physical, audience, rights


def clock_duration_iso(raw: str) -> str | None:
    """ "00:43:43" / "1:05:00" (h:mm:ss) or "43:43" (mm:ss) → ISO 8601 duration."""
    match = _CLOCK.fullmatch(raw.strip())
    if not match:
        return None
    a, b, c = int(match[1]), int(match[2]), match[3]
    hours, minutes, seconds = (a, b, int(c)) if c is not None else (0, a, b)
    out = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return f"PT{out or '0S'}"


def _physical_descriptions(record: Record, descriptions: list[etree._Element]) -> list[str]:
    """Fill formats / duration; the internet media types given, for download links."""
    media_types: list[str] = []
    for description in descriptions:
        for el in description:
            name = local_name(el.tag)
            text = element_text(el)
            if not text:
                continue
            if name == "internetMediaType":
                add_plain(record, "formats", text)
                if text not in media_types:
                    media_types.append(text)
            elif name == "form":
                add_plain(record, "formats", text)
            elif name == "extent":
                if duration_iso(text):
                    set_duration(record, text)
                elif (iso := clock_duration_iso(text)) and record.duration is None:
                    record.duration = {"raw": text, "iso": iso}
                else:
                    add_plain(record, "formats", text)
    return media_types


def _audience(record: Record, el: etree._Element) -> None:
    text = element_text(el)
    if not text:
        return
    authority = (el.get("authority") or "").strip().lower()
    lang = lang_of(el)
    if authority == "marctarget":
        label, ages = _MARCTARGET.get(text.lower(), (text, _MARCTARGET_AGES.get(text.lower())))
        add_text(record, "education_levels", label, lang)
        if ages:
            add_plain(record, "typical_age_ranges", ages)
        return
    if match := (_AGES.fullmatch(text) or _AGES_PLUS.fullmatch(text)):
        low, high = match[1], match.group(2) if match.re is _AGES else ""
        add_plain(record, "typical_age_ranges", f"{int(low)}-{int(high) if high else ''}")
        return
    if _is_vocab(el, _ROLE_VOCABS) or _NORM.sub("", text.lower()) in _AUDIENCE_ROLES:
        add_text(record, "audiences", text, lang)
    else:
        add_text(record, "education_levels", text, lang)


def _rights(record: Record, href: str, text: str) -> None:
    add_plain(record, "rights", href.strip())
    add_plain(record, "rights", text)


# ---------------------------------------------------------------- links, identifiers


def _locations(
    record: Record, locations: list[etree._Element], media_types: list[str]
) -> list[str]:
    """Landing page, downloads and thumbnails from location/url; other URLs returned."""
    media_type = media_types[0] if len(media_types) == 1 else None
    landing: list[tuple[int, str]] = []
    others: list[str] = []
    for location in locations:
        for url in children(location, "url"):
            href = element_text(url)
            if not href:
                continue
            access = (url.get("access") or "").strip().lower()
            usage = (url.get("usage") or "").strip().lower()
            if access == "raw object":
                add_download(record, href, media_type)
            elif access == "preview":
                add_thumbnail(record, href)
            elif usage == "primary display" or access == "object in context":
                landing.append((0 if usage == "primary display" else 1, href))
            else:
                others.append(href)
    for _, href in sorted(landing, key=lambda pair: pair[0]):
        if record.landing_page is None and is_url(href):
            set_landing_page(record, href)
        elif href != record.landing_page:
            add_identifier(record, href)
    return others


def add_typed_identifier(record: Record, raw: str, kind: str) -> None:
    """add_identifier, with the source's identifier type resolving a bare handle etc."""
    raw = raw.strip()
    if not raw:
        return
    add_identifier(record, raw)
    prefix = _ID_PREFIX.get(kind.strip().lower())
    entry = next(i for i in record.identifiers if i["value"] == raw)
    if prefix and entry["scheme"] == "other":
        typed = classify_identifier(prefix + raw)
        if typed["scheme"] != "other":
            entry["scheme"], entry["normalized"] = typed["scheme"], typed["normalized"]


def _identifiers(record: Record, identifiers: list[etree._Element]) -> None:
    for el in identifiers:
        if (el.get("invalid") or "").strip().lower() == "yes":
            continue  # a cancelled / wrong identifier, kept only in the raw payload
        text = element_text(el)
        add_typed_identifier(record, text, el.get("type") or "")
        if is_url(text):
            set_landing_page(record, text)


def _related_target(record: Record, item: etree._Element) -> str:
    ids = [
        element_text(i)
        for i in children(item, "identifier")
        if (i.get("invalid") or "").strip().lower() != "yes" and element_text(i)
    ]
    for value in ids:
        if classify_identifier(value)["scheme"] != "other":
            return value
    for location in children(item, "location"):
        for url in children(location, "url"):
            if element_text(url):
                return element_text(url)
    href = (item.get(XLINK_HREF) or "").strip()
    if is_url(href):
        return href
    infos = children(item, "titleInfo")
    infos.sort(key=lambda i: bool((i.get("type") or "").strip()))
    for info in infos:
        if title := _title_text(info):
            return clean(record, "related", title)
    return ids[0] if ids else href


def _related_item(record: Record, item: etree._Element) -> None:
    kind_attr = (item.get("type") or "").strip()
    kind = _RELATION_KINDS.get(kind_attr.lower(), "relation")
    target = _related_target(record, item)
    if target:
        add_relation(record, kind, target)
        if kind_attr.lower() == "original":
            add_plain(record, "source_refs", target)
