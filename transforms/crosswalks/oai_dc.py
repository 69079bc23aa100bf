"""oai_dc (simple Dublin Core, 15 elements) → Record.

Every element is repeatable; `xml:lang` is kept on the text fields that carry language
(title, description, subject). Elements are matched by namespace, so a prefix other than
`dc:` (or DCMI terms in the legacy namespace) maps the same.
"""

from __future__ import annotations

from lxml import etree

from transforms.crosswalks.common import (
    XML_LANG,
    add_dates,
    add_identifiers,
    agent,
    check_required,
    element_text,
    lang_string,
)
from transforms.model import Record

DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
NAMESPACES = (OAI_DC_NS,)


def map_metadata(record: Record, metadata: etree._Element) -> None:
    """Fill `record` from an `<oai_dc:dc>` element."""
    for child in metadata:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        ns, _, name = child.tag[1:].partition("}") if child.tag[0] == "{" else ("", "", child.tag)
        if ns not in (DC_NS, DCTERMS_NS):
            record.issues.append(
                {
                    "code": "unknown_element",
                    "severity": "info",
                    "field": child.tag,
                    "message": "element outside Dublin Core kept only in the raw payload",
                }
            )
            continue
        text = element_text(child)
        if not text:
            continue
        _MAPPERS.get(name, _unknown)(record, text, child)
    check_required(record)


def _unknown(record: Record, text: str, el: etree._Element) -> None:
    record.issues.append(
        {
            "code": "unknown_element",
            "severity": "info",
            "field": el.tag,
            "message": "not one of the 15 Dublin Core elements; kept only in the raw payload",
        }
    )


_MAPPERS = {
    "title": lambda r, t, el: r.titles.append(lang_string(t, el.get(XML_LANG))),
    "creator": lambda r, t, el: r.creators.append(agent(t)),
    "subject": lambda r, t, el: r.subjects.append(lang_string(t, el.get(XML_LANG))),
    "description": lambda r, t, el: r.descriptions.append(lang_string(t, el.get(XML_LANG))),
    "publisher": lambda r, t, el: r.publishers.append(agent(t)),
    "contributor": lambda r, t, el: r.contributors.append(agent(t)),
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
