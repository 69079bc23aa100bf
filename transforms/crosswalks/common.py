"""Helpers every crosswalk shares: text with hygiene, agents, dates, identifiers, relations,
links, vocabulary terms, issues.

Crosswalks call these instead of appending to `Record` lists themselves, so that every
format gets the same hygiene (transforms.text), the same identifier normalisation and the
same issue codes.
"""

from __future__ import annotations

import re

from lxml import etree

from transforms.dates import parse_date
from transforms.identifiers import classify_identifier
from transforms.model import Agent, LangString, Record
from transforms.resource_types import to_hcrt
from transforms.text import clean_text

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Fix → (issue code, severity). html/entities/whitespace are info: the value was cleaned
# and the original kept; mojibake is a warning: the text itself is probably damaged.
_FIX_ISSUES = {
    "html": ("html_stripped", "info", "HTML markup removed; raw value in originals"),
    "entities": ("entities_decoded", "info", "escaped HTML entities decoded; raw in originals"),
    "mojibake": ("mojibake", "warning", "text looks mis-decoded (mojibake); kept as given"),
}


# ---------------------------------------------------------------- XML access


_LOCAL_NAMES: dict[object, str] = {}  # Clark tag → local name: a source repeats a few dozen


def local_name(tag: object) -> str:
    """`{ns}name` → `name`; non-element nodes (comments, PIs) → ''."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        if not isinstance(tag, str):
            return ""
        name = tag.rpartition("}")[2] if tag[:1] == "{" else tag
        if len(_LOCAL_NAMES) < 10_000:  # odd inputs with endless tag names must not grow it
            _LOCAL_NAMES[tag] = name
    return name


def element_text(el: etree._Element) -> str:
    """All text inside `el` (children included), stripped at both ends."""
    if len(el):
        return "".join(el.itertext()).strip()
    text = el.text
    return text.strip() if text else ""


def lang_of(el: etree._Element) -> str | None:
    """xml:lang of the element (or a plain `lang` attribute), None when absent or empty."""
    value = el.get(XML_LANG) or el.get("lang") or ""
    return value.strip() or None


def children(el: etree._Element, *names: str) -> list[etree._Element]:
    """Child elements whose local name is one of `names`, whatever their namespace."""
    cached = _LOCAL_NAMES.get  # inlined local_name(): these two run for every child element
    return [c for c in el if (cached(c.tag) or local_name(c.tag)) in names]


def child(el: etree._Element, *names: str) -> etree._Element | None:
    cached = _LOCAL_NAMES.get
    for c in el:
        if (cached(c.tag) or local_name(c.tag)) in names:
            return c
    return None


def child_text(el: etree._Element, *names: str) -> str:
    found = child(el, *names)
    return element_text(found) if found is not None else ""


# ---------------------------------------------------------------- issues


def add_issue(record: Record, code: str, severity: str, field: str | None, message: str) -> None:
    record.issues.append({"code": code, "severity": severity, "field": field, "message": message})


def note_odd_namespaces(record: Record, namespaces: set[str], what: str = "elements") -> None:
    """One nonstandard_namespace issue naming the namespaces elements were mapped by name from."""
    if namespaces:
        add_issue(
            record,
            "nonstandard_namespace",
            "info",
            None,
            f"{what} mapped by name from namespace(s) {', '.join(sorted(namespaces))}",
        )


def check_required(record: Record) -> None:
    if not record.titles:
        add_issue(record, "missing_title", "warning", "titles", "record has no title")


# ---------------------------------------------------------------- text


def clean(record: Record, field: str, raw: str) -> str:
    """Hygiene for one value about to go into `field`; records originals and issues."""
    text, fixes = clean_text(raw)
    if fixes:
        if text != raw:
            index = len(getattr(record, field))
            record.originals.append({"field": field, "index": index, "value": raw})
        for fix in sorted(fixes):  # sets iterate in hash order, which varies per process
            if fix in _FIX_ISSUES:
                code, severity, message = _FIX_ISSUES[fix]
                if not any(i["code"] == code and i["field"] == field for i in record.issues):
                    add_issue(record, code, severity, field, message)
    return text


def add_text(record: Record, field: str, raw: str, lang: str | None = None) -> None:
    """Append a LangString to a text field (titles, descriptions, subjects, audiences…)."""
    text = clean(record, field, raw)
    if text:
        getattr(record, field).append(LangString(value=text, lang=lang))


def add_plain(record: Record, field: str, raw: str) -> None:
    """Append a cleaned plain string (formats, rights, languages, coverage…), no duplicates."""
    text = clean(record, field, raw)
    values = getattr(record, field)
    if text and text not in values:
        values.append(text)


# ---------------------------------------------------------------- agents

_ORCID = re.compile(
    r"(?:https?://(?:www\.)?orcid\.org/|orcid:\s*)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.I
)
_ROR = re.compile(r"(?:https?://ror\.org/|ror:\s*)?(0[a-z0-9]{6}\d{2})$", re.I)
_ISNI = re.compile(
    r"(?:https?://isni\.org/isni/|isni:?\s*)?(\d{4}\s?\d{4}\s?\d{4}\s?\d{3}[\dX])$", re.I
)
_GND = re.compile(r"(?:https?://d-nb\.info/gnd/|gnd:\s*)?(\d[\dX-]*)$", re.I)


def normalize_agent_id(raw: str | None, scheme: str | None = None) -> str | None:
    """ORCID / ROR / ISNI / GND ids in any common spelling → their canonical URI.

    `scheme` is the source's own name for the scheme (DataCite nameIdentifierScheme,
    MODS nameIdentifier@type…) and lets a bare ROR or ISNI id be recognised. Other ids
    are kept as given (stripped); empty → None.
    """
    value = (raw or "").strip()
    if not value:
        return None
    hint = (scheme or "").strip().lower()
    if match := _ORCID.match(value):
        return f"https://orcid.org/{match[1].upper()}"
    if (hint == "ror" or "ror.org" in value.lower()) and (match := _ROR.match(value)):
        return f"https://ror.org/{match[1].lower()}"
    if (hint == "isni" or "isni" in value.lower()) and (match := _ISNI.match(value)):
        return f"https://isni.org/isni/{match[1].replace(' ', '').upper()}"
    if (hint == "gnd" or "d-nb.info/gnd" in value.lower()) and (match := _GND.match(value)):
        return f"https://d-nb.info/gnd/{match[1]}"
    return value


def add_agent(
    record: Record,
    field: str,
    name: str,
    identifier: str | None = None,
    role: str | None = None,
    scheme: str | None = None,
    affiliation: str | None = None,
    affiliation_id: str | None = None,
) -> None:
    """Append an Agent to creators / contributors / publishers (name cleaned, ids normalised).

    `scheme` names the identifier's scheme when the source gives it (a bare ROR or GND id
    is only recognised with it); the affiliation id is read as ROR when it looks like one.
    """
    text = clean(record, field, name)
    if text:
        getattr(record, field).append(
            Agent(
                name=text,
                identifier=normalize_agent_id(identifier, scheme),
                role=role,
                affiliation=clean(record, field, affiliation) or None if affiliation else None,
                affiliation_id=normalize_agent_id(affiliation_id, "ror"),
            )
        )


# ---------------------------------------------------------------- dates, ids, relations


_YEAR_RANGE = re.compile(r"(\d{4})\s*[-–]\s*(\d{4})\.?")


def date_range_iso(raw: str) -> str | None:
    """A range as an ISO 8601 interval: "a/b" (an open end as ".."), "1900-1922" → "1900/1922".

    None unless both ends parse (an open end counts), or when it is not a range.
    """
    if (match := _YEAR_RANGE.fullmatch(raw)) and match[1] <= match[2]:
        return f"{match[1]}/{match[2]}"
    start, slash, end = raw.partition("/")
    if not slash or "/" in end or not (start.strip() or end.strip()):
        return None
    first = parse_date(start.strip()) if start.strip() not in ("", "..") else ".."
    last = parse_date(end.strip()) if end.strip() not in ("", "..") else ".."
    return f"{first}/{last}" if first and last else None


def add_date(record: Record, raw: str, kind: str | None = None) -> None:
    """A date (or a date range) with its ISO 8601 form; unparsable ones keep their raw form."""
    raw = raw.strip()
    if not raw:
        return
    iso = parse_date(raw) or date_range_iso(raw)
    record.dates.append({"raw": raw, "iso": iso, "kind": kind})
    if iso is None:
        add_issue(
            record,
            "unparsable_date",
            "warning",
            "dates",
            f"date {raw!r} is not a recognised or unambiguous date; raw kept",
        )


add_dates = add_date  # the oai_dc crosswalk's name for it


def add_identifier(record: Record, raw: str) -> None:
    """Append an identifier unless the record has it already (as given or normalised)."""
    raw = raw.strip()
    if not raw or any(i["value"] == raw for i in record.identifiers):
        return
    ident = classify_identifier(raw)
    norm = ident["normalized"]
    if norm is None or not any(i["normalized"] == norm for i in record.identifiers):
        record.identifiers.append(ident)


add_identifiers = add_identifier


_CAMEL = re.compile(r"[\s_-]+(\w)")


def relation_kind(raw: str) -> str:
    """DataCite / DCMI / MODS relation type → lowerCamelCase: IsPartOf, is_part_of → isPartOf."""
    text = _CAMEL.sub(lambda m: m[1].upper(), raw.strip())
    return text[:1].lower() + text[1:]


def add_relation(record: Record, kind: str, target: str) -> None:
    target = target.strip()
    if not target:
        return
    ident = classify_identifier(target)
    record.related.append(
        {
            "kind": relation_kind(kind),
            "target": target,
            "scheme": ident["scheme"],
            "normalized": ident["normalized"],
        }
    )


# ---------------------------------------------------------------- links


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def set_landing_page(record: Record, url: str) -> None:
    """The first http(s) URL given as the resource's page wins; later ones are identifiers."""
    url = url.strip()
    if url and is_url(url) and record.landing_page is None:
        record.landing_page = url


def add_download(record: Record, url: str, media_type: str | None = None) -> None:
    url = url.strip()
    if url and not any(d["url"] == url for d in record.downloads):
        record.downloads.append({"url": url, "media_type": (media_type or "").strip() or None})


def add_thumbnail(record: Record, url: str) -> None:
    url = url.strip()
    if url and url not in record.thumbnails:
        record.thumbnails.append(url)


def add_funder(
    record: Record, name: str, identifier: str | None = None, award: str | None = None
) -> None:
    name = clean(record, "funders", name)
    if name or identifier:
        record.funders.append(
            {
                "name": name,
                "identifier": normalize_agent_id(identifier),
                "award": (award or "").strip() or None,
            }
        )


# ---------------------------------------------------------------- vocabulary terms


def add_learning_resource_type(record: Record, raw: str, lang: str | None = None) -> None:
    """Raw type kept; mapped to HCRT when the vocabulary knows the value (any language)."""
    raw = raw.strip()
    if not raw or any(t["raw"] == raw for t in record.learning_resource_types):
        return
    mapped = to_hcrt(raw)
    record.learning_resource_types.append(
        {
            "raw": raw,
            "scheme": "hcrt" if mapped else None,
            "uri": mapped[0] if mapped else None,
            "label": mapped[1] if mapped else None,
        }
    )


def add_classification(
    record: Record,
    raw: str,
    scheme: str | None = None,
    uri: str | None = None,
    label: str | None = None,
) -> None:
    raw = raw.strip()
    if raw or uri:
        record.classifications.append(
            {
                "raw": raw,
                "scheme": (scheme or "").strip() or None,
                "uri": (uri or "").strip() or None,
                "label": (label or "").strip() or None,
            }
        )


# ---------------------------------------------------------------- durations

_ISO_DURATION = re.compile(
    r"P(?!$)(\d+(?:[.,]\d+)?Y)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?W)?(\d+(?:[.,]\d+)?D)?"
    r"(T(?=\d)(\d+(?:[.,]\d+)?H)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?S)?)?$",
    re.I,
)
_PLAIN_DURATION = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(h|hours?|hrs?|stunden?|horas?|heures?|min|minutes?|minuten?|minutos?|mins?|s|sec|seconds?)\.?$",
    re.I,
)


_CLOCK_DURATION = re.compile(r"(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")


def duration_iso(raw: str) -> str | None:
    """ISO 8601 durations as given (upper-cased); "90 min", "2 hours", "1,5 Stunden" → PT…."""
    text = raw.strip()
    if _ISO_DURATION.match(text):
        return text.upper().replace(",", ".")
    if match := _CLOCK_DURATION.match(text):
        hours, minutes, seconds = (int(part) for part in match.groups(default="0"))
        parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
        return "PT" + parts + (f"{seconds}S" if seconds or not parts else "")
    if match := _PLAIN_DURATION.match(text):
        number, unit = match[1].replace(",", "."), match[2].lower()
        if number.endswith(".0"):
            number = number[:-2]
        letter = "H" if unit.startswith(("h", "st")) else "M" if unit.startswith("m") else "S"
        return f"PT{number}{letter}"
    return None


def set_duration(record: Record, raw: str) -> None:
    raw = raw.strip()
    if raw and record.duration is None:
        iso = duration_iso(raw)
        record.duration = {"raw": raw, "iso": iso}
        if iso is None:
            add_issue(
                record,
                "unparsable_duration",
                "warning",
                "duration",
                f"duration {raw!r} is not an ISO 8601 duration; raw kept",
            )
