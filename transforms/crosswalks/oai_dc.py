"""oai_dc (simple Dublin Core, 15 elements) → Record.

Every element is repeatable; `xml:lang` is kept on the text fields that carry language
(title, description, subject). Elements are matched by namespace and local name, so any
prefix maps the same, and DCMI terms with the same local name (some servers mix them into
oai_dc) map like their DC counterparts. A DC element name in another namespace (a typo in
the namespace URI, or none at all) still maps, by its name, with a `nonstandard_namespace`
issue: the element semantics are clear even when the namespace is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from lxml import etree

from transforms.crosswalks.common import (
    add_agent,
    add_date,
    add_identifier,
    add_plain,
    add_text,
    check_required,
    element_text,
    is_url,
    lang_of,
    local_name,
    note_odd_namespaces,
    set_landing_page,
)
from transforms.model import Record

NAME = "oai_dc"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
NAMESPACES = (OAI_DC_NS, OAI_DC_NS.rstrip("/"))
ROOT_NAMES = ("dc",)
PREFIXES = ("oai_dc",)

Mapper = Callable[[Record, str, etree._Element], None]


def _identifier(record: Record, text: str, el: etree._Element) -> None:
    add_identifier(record, text)
    if is_url(text):
        set_landing_page(record, text)


BY_NAME: dict[str, Mapper] = {
    "title": lambda r, t, el: add_text(r, "titles", t, lang_of(el)),
    "creator": lambda r, t, el: add_agent(r, "creators", t),
    "subject": lambda r, t, el: add_text(r, "subjects", t, lang_of(el)),
    "description": lambda r, t, el: add_text(r, "descriptions", t, lang_of(el)),
    "publisher": lambda r, t, el: add_agent(r, "publishers", t),
    "contributor": lambda r, t, el: add_agent(r, "contributors", t),
    "date": lambda r, t, el: add_date(r, t),
    "type": lambda r, t, el: add_plain(r, "resource_types", t),
    "format": lambda r, t, el: add_plain(r, "formats", t),
    "identifier": _identifier,
    "source": lambda r, t, el: add_plain(r, "source_refs", t),
    "language": lambda r, t, el: add_plain(r, "languages", t),
    "relation": lambda r, t, el: add_plain(r, "relations", t),
    "coverage": lambda r, t, el: add_plain(r, "coverage", t),
    "rights": lambda r, t, el: add_plain(r, "rights", t),
}
MAPPED = frozenset(BY_NAME)
DROPPED: frozenset[str] = frozenset()
# One lookup per element: the full Clark-notation tag → its mapper.
BY_TAG: dict[str, Mapper] = {
    f"{{{ns}}}{name}": mapper for ns in (DC_NS, DCTERMS_NS) for name, mapper in BY_NAME.items()
}


def map_elements(
    record: Record,
    metadata: Iterable[etree._Element],
    by_tag: dict[str, Mapper],
    by_name: dict[str, Mapper],
) -> None:
    """Map each child by full tag, else by local name (with one nonstandard_namespace issue)."""
    odd: set[str] = set()
    for el in metadata:
        tag = el.tag
        if not isinstance(tag, str):
            continue  # comments, processing instructions
        mapper = by_tag.get(tag)
        if mapper is None:
            mapper = by_name.get(local_name(tag))
            if mapper is None:
                continue  # unknown: counted by the coverage tally, kept in the raw payload
            odd.add(tag.partition("}")[0][1:] or "(none)")
        text = element_text(el)
        if text:
            mapper(record, text, el)
    note_odd_namespaces(record, odd)


def map_metadata(record: Record, metadata: etree._Element) -> None:
    """Fill `record` from an `<oai_dc:dc>` element."""
    map_elements(record, metadata, BY_TAG, BY_NAME)
    check_required(record)
