"""Qualified Dublin Core (DCMI Metadata Terms) → Record.

Repositories serve it as `qdc`, `oai_qdc` or `qualifieddc`: a wrapper element
(`qualifieddc` in the OCLC namespace http://worldcat.org/xmlschemas/qdc-1.0/, DSpace's
http://dspace.org/qualifieddc/, or others) holding `dc:` and `dcterms:` elements. The 15
DC elements map as in oai_dc; the refinements add what simple DC loses: kinds of dates,
alternative titles, abstracts, typed relations (isPartOf, hasPart, versions…), licence and
access rights, educational level, audience, extent, spatial/temporal coverage.

Elements are matched by local name whatever their namespace, because real feeds put
`alternative` in dc:, refinements in the wrapper's namespace, or declare `dc:` as XHTML.
"""

from __future__ import annotations

from lxml import etree

from transforms.crosswalks import oai_dc
from transforms.crosswalks.common import (
    add_agent,
    add_date,
    add_download,
    add_plain,
    add_relation,
    add_text,
    add_thumbnail,
    check_required,
    lang_of,
    local_name,
    set_duration,
    set_landing_page,
)
from transforms.crosswalks.oai_dc import DC_NS, DCTERMS_NS, Mapper, map_elements
from transforms.model import Record

NAME = "qdc"
NAMESPACES = (
    "http://worldcat.org/xmlschemas/qdc-1.0/",
    "http://worldcat.org/xmlschemas/qdc-1.0",
    "http://dspace.org/qualifieddc/",
    "http://eprints.org/ep2/qdc",
    "http://purl.org/dc/terms/qualifieddc",
)
ROOT_NAMES = ("qualifieddc", "qdc", "dcterms", "qualified_dc")
PREFIXES = ("qdc", "oai_qdc", "qualifieddc", "dcterms", "dcq")

_DATE_KINDS = {
    "created": "created",
    "issued": "issued",
    "modified": "modified",
    "available": "available",
    "dateAccepted": "accepted",
    "dateCopyrighted": "copyrighted",
    "dateSubmitted": "submitted",
    "valid": "valid",
}
_RELATIONS = (
    "isPartOf",
    "hasPart",
    "isVersionOf",
    "hasVersion",
    "isFormatOf",
    "hasFormat",
    "references",
    "isReferencedBy",
    "replaces",
    "isReplacedBy",
    "requires",
    "isRequiredBy",
    "conformsTo",
)
_DURATION_HINT = ("min", "hour", "stund", "hora", "heure", "PT")


def _date(kind: str) -> Mapper:
    return lambda r, t, el: add_date(r, t, kind)


def _relation(kind: str) -> Mapper:
    return lambda r, t, el: add_relation(r, kind, t)


def _extent(record: Record, text: str, el: etree._Element) -> None:
    """Extent is a duration ("45 min", "PT1H") or a size ("8 x 10 in.", "120 p.")."""
    if any(hint in text for hint in _DURATION_HINT):
        set_duration(record, text)
    else:
        add_plain(record, "formats", text)


BY_NAME: dict[str, Mapper] = {
    **oai_dc.BY_NAME,
    "alternative": lambda r, t, el: add_text(r, "titles", t, lang_of(el)),
    "abstract": lambda r, t, el: add_text(r, "descriptions", t, lang_of(el)),
    "tableOfContents": lambda r, t, el: add_text(r, "descriptions", t, lang_of(el)),
    **{name: _date(kind) for name, kind in _DATE_KINDS.items()},
    **{name: _relation(name) for name in _RELATIONS},
    "license": lambda r, t, el: add_plain(r, "rights", t),
    "accessRights": lambda r, t, el: add_plain(r, "rights", t),
    "educationLevel": lambda r, t, el: add_text(r, "education_levels", t, lang_of(el)),
    "audience": lambda r, t, el: add_text(r, "audiences", t, lang_of(el)),
    "mediator": lambda r, t, el: add_text(r, "audiences", t, lang_of(el)),
    "extent": _extent,
    "medium": lambda r, t, el: add_plain(r, "formats", t),
    "spatial": lambda r, t, el: add_plain(r, "coverage", t),
    "temporal": lambda r, t, el: add_plain(r, "coverage", t),
    # Europeana/DPLA (edm:) elements that hub feeds put into their qualified DC
    "isShownAt": lambda r, t, el: set_landing_page(r, t),
    "isShownBy": lambda r, t, el: add_download(r, t),
    "object": lambda r, t, el: add_thumbnail(r, t),
    "preview": lambda r, t, el: add_thumbnail(r, t),
    "dataProvider": lambda r, t, el: add_agent(r, "publishers", t, role="dataProvider"),
}
MAPPED = frozenset(BY_NAME)
DROPPED = frozenset(
    {
        "rightsHolder",  # an agent, not a licence: licence normalisation must not read it
        "provenance",
        "bibliographicCitation",  # a citation string repeats title/creator/date
        "instructionalMethod",
        "accrualMethod",
        "accrualPeriodicity",
        "accrualPolicy",
        "iiifManifest",
    }
)
EDM_NS = "http://www.europeana.eu/schemas/edm/"
_EDM_NAMES = ("isShownAt", "isShownBy", "object", "preview", "dataProvider", "rights")
BY_TAG: dict[str, Mapper] = {
    **{f"{{{ns}}}{name}": mapper for ns in (DC_NS, DCTERMS_NS) for name, mapper in BY_NAME.items()},
    **{f"{{{EDM_NS}}}{name}": BY_NAME[name] for name in _EDM_NAMES},
}


def map_metadata(record: Record, metadata: etree._Element) -> None:
    """Fill `record` from a qualified-DC wrapper element."""
    # the main title first: feeds often put dcterms:alternative before dc:title
    elements = sorted(metadata, key=lambda el: local_name(el.tag) != "title")
    map_elements(record, elements, BY_TAG, BY_NAME)
    check_required(record)
