"""Helpers every crosswalk shares: text extraction, agents, dates, identifiers, checks."""

from __future__ import annotations

from lxml import etree

from transforms.dates import parse_date
from transforms.identifiers import classify_identifier
from transforms.model import Agent, LangString, Record

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def element_text(el: etree._Element) -> str:
    """All text inside `el` (children included), stripped at both ends."""
    if len(el) == 0:
        return (el.text or "").strip()
    return "".join(el.itertext()).strip()


def lang_string(value: str, lang: str | None) -> LangString:
    return LangString(value=value, lang=(lang or "").strip() or None)


def agent(name: str, identifier: str | None = None, role: str | None = None) -> Agent:
    return Agent(name=name, identifier=identifier, role=role)


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
