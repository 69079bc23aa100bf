"""Helpers every crosswalk shares: text extraction, agents, dates, identifiers, checks."""

from __future__ import annotations

from lxml import etree

from transforms.dates import parse_date
from transforms.identifiers import classify_identifier
from transforms.model import Record

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def element_text(el: etree._Element) -> str:
    """All text inside `el` (children included), stripped at both ends."""
    if len(el):
        return "".join(el.itertext()).strip()
    text = el.text
    return text.strip() if text else ""


def add_dates(record: Record, raw: str, kind: str | None = None) -> None:
    iso = parse_date(raw)
    record.dates.append({"raw": raw, "iso": iso, "kind": kind})
    if iso is None:
        record.issues.append(
            {
                "code": "unparsable_date",
                "severity": "warning",
                "field": "dates",
                "message": f"date {raw!r} is not a recognised or unambiguous date; raw kept",
            }
        )


def add_identifiers(record: Record, raw: str) -> None:
    record.identifiers.append(classify_identifier(raw))


def check_required(record: Record) -> None:
    if not record.titles:
        record.issues.append(
            {
                "code": "missing_title",
                "severity": "warning",
                "field": "titles",
                "message": "record has no title",
            }
        )


def unknown_element(record: Record, tag: str, why: str) -> None:
    record.issues.append(
        {
            "code": "unknown_element",
            "severity": "info",
            "field": tag,
            "message": f"{why}; kept only in the raw payload",
        }
    )
