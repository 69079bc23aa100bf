"""OpenAIRE Guidelines for Literature Repositories v4 (oai_openaire) → Record.

The application profile's root is `<oaire:resource>` (http://namespace.openaire.eu/schema/oaire/)
mixing DataCite kernel-4 elements (`datacite:titles`, `creators`, `contributors`,
`alternateIdentifiers`, `relatedIdentifiers`, `dates`, `subjects`, `identifier`, `rights`,
`sizes`, `geoLocations`, `fundingReferences`), Dublin Core (`dc:language`, `publisher`,
`format`, `description`, `source`, `coverage`, `subject`) and DCMI terms (`dcterms:audience`)
with its own `oaire:` elements. The DataCite elements (and the DC ones that mean the same:
dc:publisher, dc:description…) go through the DataCite crosswalk's mappers, by local name, so
wrapper-less and older spellings (v3-style dc:title, dc:rights with rdf:resource) map too.
The namespace is registered with and without the trailing slash; the root name `resource`
is left to the DataCite crosswalk's fallback (a namespace-less `<resource>` is DataCite).

OpenAIRE-specific mapping:
  oaire:resourceType     resource_types: the label, the COAR type URI (@uri), then
                         @resourceTypeGeneral (literature, dataset…); a learning resource type
                         for COAR learning object / lecture / interactive resource / video, or a
                         label naming one (dc:type is read the same way)
  datacite:rights        rights: the COAR access right URI (@rightsURI), then the label
  oaire:licenseCondition rights: @uri, then the text (its @startDate is not kept)
  oaire:file             downloads (URL, @mimeType); @objectType / @accessRightsURI not kept
  oaire:citationTitle    related isPartOf (the journal or book, by title)
  dc:source / coverage   source_refs / coverage
  dc:relation            relations; an info:eu-repo/grantAgreement/<funder>/<programme>/<id>
                         project id (v3) also a funder with that award
  dcterms:audience       audiences
  oaire:fundingReference funders, like DataCite's (oaire:fundingStream dropped)
Dropped: oaire:version (no model field), the other citation* details (volume, issue, pages,
edition, conference place/date), fundingStream, and what the DataCite crosswalk drops
(sizes, coordinates).
"""

from __future__ import annotations

from lxml import etree

from transforms.crosswalks import datacite
from transforms.crosswalks.common import (
    add_download,
    add_funder,
    add_learning_resource_type,
    add_plain,
    add_text,
    check_required,
    element_text,
    lang_of,
)
from transforms.model import Record

NAME = "openaire"
OAIRE_NS = "http://namespace.openaire.eu/schema/oaire/"
NAMESPACES = (
    OAIRE_NS,
    OAIRE_NS.rstrip("/"),
    "https://namespace.openaire.eu/schema/oaire/",
    "https://namespace.openaire.eu/schema/oaire",
)
ROOT_NAMES: tuple[str, ...] = ()
PREFIXES = ("oai_openaire", "openaire", "openaire4", "oai_openaire_jats")

COAR_TYPE = "http://purl.org/coar/resource_type/"
# COAR resource types that are learning resources: learning object, lecture, interactive
# resource, video.
_LEARNING_COAR = frozenset({"c_e059", "c_8544", "c_e9a0", "c_12ce"})


def _resource_type(record: Record, el: etree._Element) -> None:
    text = element_text(el)
    uri = datacite.uri_attribute(el, "uri")
    general = (el.get("resourceTypeGeneral") or "").strip()
    for value in (text, uri, general):
        add_plain(record, "resource_types", value)
    coar = uri.rstrip("/").rpartition("/")[2] if "purl.org/coar/resource_type" in uri else ""
    if coar in _LEARNING_COAR or (text and datacite.is_learning_text(text)):
        add_learning_resource_type(record, text or uri)


def _file(record: Record, el: etree._Element) -> None:
    add_download(record, element_text(el), el.get("mimeType"))


_GRANT = "info:eu-repo/grantAgreement/"


def _relation(record: Record, el: etree._Element) -> None:
    """dc:relation as given; an OpenAIRE v3 project id (info:eu-repo/grantAgreement/EC/FP7/
    12345/…) also names a funder and award."""
    text = element_text(el)
    add_plain(record, "relations", text)
    if text.startswith(_GRANT):
        parts = text[len(_GRANT) :].split("/")
        award = parts[2] if len(parts) > 2 else None
        if parts[0] and not (award and any(f["award"] == award for f in record.funders)):
            add_funder(record, parts[0], None, award)


def _citation_title(record: Record, el: etree._Element) -> None:
    datacite.add_typed_relation(record, "isPartOf", element_text(el), None)


BY_NAME: dict[str, datacite.Handler] = {
    **datacite.BY_NAME,
    "resourceType": _resource_type,
    "type": _resource_type,
    "accessRights": datacite.BY_NAME["rights"],
    "licenseCondition": datacite.BY_NAME["rights"],
    "file": _file,
    "citationTitle": _citation_title,
    "source": lambda r, el: add_plain(r, "source_refs", element_text(el)),
    "coverage": lambda r, el: add_plain(r, "coverage", element_text(el)),
    "relation": _relation,
    "audience": lambda r, el: add_text(r, "audiences", element_text(el), lang_of(el)),
}
_CITATION_DETAILS = (
    "citationVolume",
    "citationIssue",
    "citationStartPage",
    "citationEndPage",
    "citationEdition",
    "citationConferencePlace",
    "citationConferenceDate",
)
MAPPED = frozenset(datacite.RESOURCE_MAPPED | set(BY_NAME))
DROPPED = frozenset(
    datacite.RESOURCE_DROPPED
    | {"version", *_CITATION_DETAILS}
    | {"fundingReferences/fundingReference/fundingStream", "fundingReference/fundingStream"}
)


def map_metadata(record: Record, metadata: etree._Element) -> None:
    """Fill `record` from an `<oaire:resource>` element."""
    datacite.map_resource(record, metadata, BY_NAME)
    check_required(record)
