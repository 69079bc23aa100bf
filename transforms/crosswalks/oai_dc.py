"""oai_dc (simple Dublin Core, 15 elements) → Record.

Every element is repeatable; `xml:lang` is kept on the text fields that carry language
(title, description, subject). Elements are matched by namespace and local name, so any
prefix maps the same, and DCMI terms with the same local name (some servers mix them into
oai_dc) map like their DC counterparts.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from transforms.crosswalks.common import (
    XML_LANG,
    add_dates,
    add_identifiers,
    check_required,
    element_text,
    unknown_element,
)
from transforms.model import Agent, LangString, Record

DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
NAMESPACES = (OAI_DC_NS,)

Mapper = Callable[[Record, str, etree._Element], None]


def _lang(el: etree._Element) -> str | None:
    return (el.get(XML_LANG) or "").strip() or None


_BY_NAME: dict[str, Mapper] = {
    "title": lambda r, t, el: r.titles.append(LangString(value=t, lang=_lang(el))),
    "creator": lambda r, t, el: r.creators.append(Agent(name=t, identifier=None, role=None)),
    "subject": lambda r, t, el: r.subjects.append(LangString(value=t, lang=_lang(el))),
    "description": lambda r, t, el: r.descriptions.append(LangString(value=t, lang=_lang(el))),
    "publisher": lambda r, t, el: r.publishers.append(Agent(name=t, identifier=None, role=None)),
    "contributor": lambda r, t, el: r.contributors.append(
        Agent(name=t, identifier=None, role=None)
    ),
    "date": lambda r, t, el: add_dates(r, t),
    "type": lambda r, t, el: r.resource_types.append(t),
    "format": lambda r, t, el: r.formats.append(t),
    "identifier": lambda r, t, el: add_identifiers(r, t),
    "source": lambda r, t, el: r.source_refs.append(t),
    "language": lambda r, t, el: r.languages.append(t),
    "relation": lambda r, t, el: r.relations.append(t),
    "coverage": lambda r, t, el: r.coverage.append(t),
    "rights": lambda r, t, el: r.rights.append(t),
}
# One lookup per element: the full Clark-notation tag → its mapper.
_BY_TAG: dict[str, Mapper] = {
    f"{{{ns}}}{name}": mapper for ns in (DC_NS, DCTERMS_NS) for name, mapper in _BY_NAME.items()
}


def map_metadata(record: Record, metadata: etree._Element) -> None:
    """Fill `record` from an `<oai_dc:dc>` element."""
    for child in metadata:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # comments, processing instructions
        mapper = _BY_TAG.get(tag)
        if mapper is None:
            unknown_element(record, tag, "not one of the 15 Dublin Core elements")
            continue
        text = element_text(child)
        if text:
            mapper(record, text, child)
    check_required(record)
