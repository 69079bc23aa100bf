"""Strict parsing of OAI-PMH 2.0 responses: pure functions on bytes, no HTTP.

``parse_oai`` turns a response body into the ``<OAI-PMH>`` root element or raises a
classified error; the ``parse_*`` functions below read one verb's answer out of that root.
Children are iterated and compared with precomputed Clark-notation tags: no XPath per
record, so a page costs one lxml parse plus a walk over the headers.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Generic, TypeVar

from lxml import etree

from harvesters.oai.errors import (
    HarvestError,
    HTTPStatusError,
    NotOAIResponse,
    OAIError,
    XMLParseError,
    body_preview,
    oai_error_for,
)
from harvesters.oai.hygiene import (
    CONVENTIONAL_PREFIXES,
    MAX_DECLARED_PREFIXES,
    UNDECLARED_NAMESPACE,
    Removal,
    attribute,
    declare_prefix,
    describe,
    strip_illegal_chars,
    undefined_prefix,
)

OAI_NS = "http://www.openarchives.org/OAI/2.0/"


def _oai(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


T_ROOT = _oai("OAI-PMH")
T_RESPONSE_DATE = _oai("responseDate")
T_ERROR = _oai("error")
T_RECORD = _oai("record")
T_HEADER = _oai("header")
T_METADATA = _oai("metadata")
T_ABOUT = _oai("about")
T_IDENTIFIER = _oai("identifier")
T_DATESTAMP = _oai("datestamp")
T_SET_SPEC = _oai("setSpec")
T_SET_NAME = _oai("setName")
T_SET_DESCRIPTION = _oai("setDescription")
T_SET = _oai("set")
T_TOKEN = _oai("resumptionToken")
T_METADATA_FORMAT = _oai("metadataFormat")
T_METADATA_PREFIX = _oai("metadataPrefix")
T_SCHEMA = _oai("schema")
T_METADATA_NAMESPACE = _oai("metadataNamespace")

LIST_ITEM_TAGS = {"ListRecords": T_RECORD, "ListIdentifiers": T_HEADER}

# First bytes of an HTML page, after an optional BOM, XML declaration and comments.
_HTML_START = re.compile(
    rb"^(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_SNIFF_BYTES = 4096
_BOM_AND_SPACE = b"\xef\xbb\xbf \t\r\n"

_parsers = threading.local()


def safe_xml_parser() -> etree.XMLParser:
    """A strict parser that never fetches anything: no entity expansion, no DTD loading,
    no network, no recovery. huge_tree lifts libxml2's 10 MB text-node limit (real records
    carry big abstracts and full texts); the response-size cap bounds memory instead.
    One instance per thread, because lxml parsers must not be shared across threads."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=True,
            recover=False,
            collect_ids=False,
        )
        _parsers.parser = parser
    return parser


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ItemWarning:
    """Something odd that was survived, not hidden: on a record (``RecordItem.warnings``)
    or on a whole response (``Page.warnings``). Codes: "illegal_xml_char",
    "unexpected_content_type", "undeclared_namespace_prefix", "empty_metadata",
    "unwrapped_metadata"."""

    code: str
    message: str
    codepoints: tuple[int, ...] = ()  # for illegal_xml_char: each removed character

    severity = "warning"


PageWarning = ItemWarning


@dataclass
class RecordItem:
    """One ``<record>`` (ListRecords, GetRecord) or ``<header>`` (ListIdentifiers)."""

    identifier: str
    datestamp: str
    set_specs: list[str]
    deleted: bool
    metadata: etree._Element | None  # the single child of <metadata>; None if absent
    raw: bytes  # the <record>/<header> element serialised as UTF-8: the payload we keep
    about: list[etree._Element] = field(default_factory=list)  # the child of each <about>
    warnings: list[ItemWarning] = field(default_factory=list)


ItemT = TypeVar("ItemT")


@dataclass
class Page(Generic[ItemT]):
    """One HTTP response of a list request chain, parsed."""

    url: str
    params: dict[str, str]
    http_status: int
    fetched_at: datetime
    elapsed_s: float
    size_bytes: int
    response_date: str | None
    verb: str
    items: list[ItemT]
    resumption_token: str | None
    complete_list_size: int | None
    cursor: int | None
    page_number: int
    content: bytes = b""  # the raw response body
    content_type: str | None = None
    redirects: list[str] = field(default_factory=list)
    attempts: int = 1  # how many times this page was requested (retries included)
    warnings: list[ItemWarning] = field(default_factory=list)  # page-level, not per record


@dataclass
class Identify:
    repository_name: str | None
    base_url: str | None
    protocol_version: str | None
    earliest_datestamp: str | None
    granularity: str | None
    deleted_record: str | None
    admin_emails: list[str]
    compression: list[str]
    descriptions: list[bytes]  # each <description> element, serialised
    response_date: str | None


@dataclass
class MetadataFormat:
    prefix: str
    schema: str | None
    namespace: str | None


@dataclass
class OAISet:
    spec: str
    name: str | None
    description_raw: bytes | None  # the <setDescription> element, serialised


@dataclass
class ListPart(Generic[ItemT]):
    """What one list page says, before the client adds the HTTP facts."""

    items: list[ItemT]
    resumption_token: str | None
    complete_list_size: int | None
    cursor: int | None
    response_date: str | None
    token_element_present: bool = False  # True also for the empty token of a last page
    warnings: list[ItemWarning] = field(default_factory=list)  # page-level

    # Allows ``items, token, size, cursor, date = parse_list_page(...)``.
    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(
            (
                self.items,
                self.resumption_token,
                self.complete_list_size,
                self.cursor,
                self.response_date,
            )
        )


# --------------------------------------------------------------------------- document


@dataclass
class Document:
    """A parsed OAI-PMH response: its root, the bytes it was parsed from (the body minus
    any XML-illegal characters), what was removed, and page-level warnings."""

    root: etree._Element
    content: bytes
    removals: list[Removal] = field(default_factory=list)
    warnings: list[ItemWarning] = field(default_factory=list)


_XML_MEDIA_TYPES = ("text/xml", "application/xml")


def parse_document(
    content: bytes, *, url: str, http_status: int = 200, content_type: str | None = None
) -> Document:
    """Like ``parse_oai``, and a body with XML-illegal characters (see ``hygiene``) is
    parsed, strictly, after removing exactly those characters.

    libxml2 rejects every one of them, so a body that parses strictly has none and costs
    nothing extra; only a body that fails is scanned, cleaned and parsed again (never in
    recover mode). The removals are kept on the Document for ``read_list_page`` and
    ``read_get_record`` to attribute to records. A valid OAI-PMH body under a non-XML
    Content-Type is accepted with an "unexpected_content_type" warning. Errors carry the
    body as received."""
    removals: list[Removal] = []
    declared: list[str] = []
    clean = content
    try:
        root = parse_oai(content, url=url, http_status=http_status, content_type=content_type)
    except (XMLParseError, HTTPStatusError) as first:
        if not isinstance(first, XMLParseError) and not isinstance(first.__cause__, XMLParseError):
            raise
        clean, removals = strip_illegal_chars(content)
        while True:
            try:
                root = parse_oai(clean, url=url, http_status=http_status, content_type=content_type)
                break
            except HarvestError as exc:
                repaired = _declare_missing_prefix(exc, clean, declared)
                if repaired is None:
                    if not removals and not declared:
                        raise first from None
                    exc.body = content
                    exc.message = f"{exc.message} (after {_repairs(removals, declared)})"
                    raise
                # the declaration sits in the root's start tag: later offsets move with it
                delta = len(repaired) - len(clean)
                removals = [replace(r, offset=r.offset + delta) for r in removals]
                clean = repaired
    warnings = []
    if declared:
        uris = ", ".join(
            f"{p}={CONVENTIONAL_PREFIXES.get(p, UNDECLARED_NAMESPACE + p)}" for p in declared
        )
        warnings.append(
            ItemWarning(
                "undeclared_namespace_prefix",
                f"namespace prefix(es) used without a declaration, declared as {uris}",
            )
        )
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in _XML_MEDIA_TYPES and not media_type.endswith("+xml"):
        served = f"as Content-Type {content_type!r}" if content_type else "without a Content-Type"
        warnings.append(
            ItemWarning("unexpected_content_type", f"OAI-PMH XML served {served}; accepted")
        )
    return Document(root, clean, removals, warnings)


def _declare_missing_prefix(exc: HarvestError, content: bytes, declared: list[str]) -> bytes | None:
    """`content` with the prefix `exc` says is undeclared declared, or None (other error)."""
    if not isinstance(exc, XMLParseError):
        exc = exc.__cause__ if isinstance(exc.__cause__, XMLParseError) else exc
    if not isinstance(exc, XMLParseError):
        return None
    prefix = undefined_prefix(exc.message)
    if prefix is None or prefix in declared or len(declared) >= MAX_DECLARED_PREFIXES:
        return None
    repaired = declare_prefix(content, prefix)
    if repaired is not None:
        declared.append(prefix)
    return repaired


def _repairs(removals: list[Removal], declared: list[str]) -> str:
    done = [describe(removals)] if removals else []
    if declared:
        done.append(f"declaring prefix(es) {', '.join(declared)}")
    return " and ".join(done)


def read_list_page(document: Document, verb: str) -> ListPart:
    """``parse_list_page`` (or ``parse_list_sets_page``) plus the document's warnings:
    each illegal-character removal on the record it sat in, the rest on the page."""
    if verb == "ListSets":
        part: ListPart = parse_list_sets_page(document.root)
        part.warnings = document.warnings + _removal_warnings(document.removals)
        return part
    part = parse_list_page(document.root, verb=verb)
    part.warnings = list(document.warnings)
    if document.removals:
        container = _verb_element(document.root, verb)
        elements = list(container.iterchildren(LIST_ITEM_TAGS[verb]))
        per_item, outside = attribute(document.content, elements, document.removals)
        for item, removals in zip(part.items, per_item, strict=True):
            item.warnings.extend(_removal_warnings(removals))
        part.warnings.extend(_removal_warnings(outside, where=" outside any record"))
    return part


def read_get_record(document: Document) -> RecordItem:
    """``parse_get_record`` with every warning of the response on the record."""
    item = parse_get_record(document.root)
    item.warnings.extend(document.warnings)
    if document.removals:
        container = _verb_element(document.root, "GetRecord")
        per_item, outside = attribute(
            document.content, list(container.iterchildren(T_RECORD)), document.removals
        )
        item.warnings.extend(_removal_warnings(per_item[0]))
        item.warnings.extend(_removal_warnings(outside, where=" outside the record"))
    return item


def response_warnings(document: Document) -> list[ItemWarning]:
    """Every warning of a response without records (Identify...): all page-level."""
    return document.warnings + _removal_warnings(document.removals)


def _removal_warnings(removals: list[Removal], where: str = "") -> list[ItemWarning]:
    if not removals:
        return []
    return [
        ItemWarning(
            "illegal_xml_char",
            describe(removals) + where,
            tuple(removal.codepoint for removal in removals),
        )
    ]


def parse_oai(
    content: bytes, *, url: str, http_status: int = 200, content_type: str | None = None
) -> etree._Element:
    """The ``<OAI-PMH>`` root of a response body, or a classified error.

    Raises NotOAIResponse (HTML, JSON, empty, wrong root...), XMLParseError, the typed
    OAIError for an ``<error>`` answer (NoRecordsMatch included: list iterators turn it into
    an empty result), or HTTPStatusError for a non-2xx status whose body is not an OAI error.
    A non-2xx status with a valid OAI error body (Zenodo answers errors with 422) is that
    OAI error.
    """
    ok_status = 200 <= http_status < 300
    try:
        root = _parse_document(content, url=url, content_type=content_type)
    except (NotOAIResponse, XMLParseError) as exc:
        if ok_status:
            raise
        raise HTTPStatusError(
            f"HTTP {http_status} and the body is not OAI-PMH ({exc.message})",
            status=http_status,
            url=url,
            body=content,
        ) from exc
    error = _oai_error(root, url=url, content=content)
    if error is not None:
        raise error
    if not ok_status:
        raise HTTPStatusError(
            f"HTTP {http_status} with an OAI-PMH body that holds no <error>",
            status=http_status,
            url=url,
            body=content,
        )
    return root


def _parse_document(content: bytes, *, url: str, content_type: str | None) -> etree._Element:
    head = content[:_SNIFF_BYTES].lstrip(_BOM_AND_SPACE)
    if not head:
        raise NotOAIResponse("empty body", url=url, body=content)
    if head[:1] in (b"{", b"["):
        raise NotOAIResponse("JSON", url=url, body=content, detail=body_preview(content))
    if _HTML_START.match(head):
        raise NotOAIResponse(
            "HTML page",
            url=url,
            body=content,
            detail=f"content type {content_type}: {body_preview(content)}",
        )
    if head[:1] != b"<":
        reason = (
            f"wrong content type {content_type}"
            if content_type and "xml" not in content_type.lower()
            else "body is not XML"
        )
        raise NotOAIResponse(reason, url=url, body=content, detail=body_preview(content))
    try:
        root = etree.fromstring(content, safe_xml_parser())
    except etree.XMLSyntaxError as exc:
        position = f"line {exc.lineno}, column {exc.position[1]}"
        message = exc.msg if position in (exc.msg or "") else f"{exc.msg} ({position})"
        raise XMLParseError(f"not well-formed XML: {message}", url=url, body=content) from exc
    if root.tag != T_ROOT:
        reason = (
            "HTML page"
            if isinstance(root.tag, str) and root.tag.endswith("}html")
            else f"root element is {root.tag}"
        )
        raise NotOAIResponse(reason, url=url, body=content)
    _refuse_unexpanded_entities(root, url=url, content=content)
    return root


def _refuse_unexpanded_entities(root: etree._Element, *, url: str, content: bytes) -> None:
    # Entities are never expanded (XXE, billion laughs). A document that declares a DTD
    # may then hold entity references whose text would silently go missing, so refuse it.
    if not root.getroottree().docinfo.doctype:
        return
    for entity in root.iter(etree.Entity):
        raise XMLParseError(
            f"entity reference {entity.text} at line {entity.sourceline} is not expanded "
            "(DTD entities are disabled for safety)",
            url=url,
            body=content,
        )


def _oai_error(root: etree._Element, *, url: str, content: bytes) -> OAIError | None:
    errors = [(el.get("code") or "", _text(el) or "") for el in root.iterchildren(T_ERROR)]
    if not errors:
        return None
    code, message = errors[0]
    if len(errors) > 1:
        others = "; ".join(f"{c}: {m}" for c, m in errors[1:])
        message = f"{message} (also: {others})"
    error = oai_error_for(code or "unknownOAIError", message, url, content)
    error.all_errors = errors  # type: ignore[attr-defined]
    return error


# --------------------------------------------------------------------------- verbs


def parse_list_page(root: etree._Element, *, verb: str) -> ListPart[RecordItem]:
    """Records (ListRecords) or headers (ListIdentifiers) of one page, plus its token."""
    item_tag = LIST_ITEM_TAGS.get(verb)
    if item_tag is None:
        raise ValueError(f"parse_list_page handles ListRecords and ListIdentifiers, not {verb}")
    container = _verb_element(root, verb)
    items: list[RecordItem] = []
    token_element = None
    for child in container:
        tag = child.tag
        if tag == item_tag:
            if verb == "ListRecords":
                items.append(_record_item(child, position=len(items) + 1))
            else:
                items.append(_header_item(child, position=len(items) + 1))
        elif tag == T_TOKEN:
            token_element = child
        elif isinstance(tag, str):
            raise NotOAIResponse(f"unexpected element {tag} in <{verb}>")
    return _list_part(items, token_element, root)


def parse_list_sets_page(root: etree._Element) -> ListPart[OAISet]:
    container = _verb_element(root, "ListSets")
    sets: list[OAISet] = []
    token_element = None
    for child in container:
        if child.tag == T_SET:
            sets.append(_set(child, position=len(sets) + 1))
        elif child.tag == T_TOKEN:
            token_element = child
        elif isinstance(child.tag, str):
            raise NotOAIResponse(f"unexpected element {child.tag} in <ListSets>")
    return _list_part(sets, token_element, root)


def parse_get_record(root: etree._Element) -> RecordItem:
    container = _verb_element(root, "GetRecord")
    records = list(container.iterchildren(T_RECORD))
    if len(records) != 1:
        raise NotOAIResponse(f"<GetRecord> holds {len(records)} <record> elements, not 1")
    return _record_item(records[0], position=1)


def parse_identify(root: etree._Element) -> Identify:
    container = _verb_element(root, "Identify")
    single: dict[str, str | None] = {}
    admin_emails: list[str] = []
    compression: list[str] = []
    descriptions: list[bytes] = []
    for child in container:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == "adminEmail":
            admin_emails.append(_text(child) or "")
        elif name == "compression":
            compression.append(_text(child) or "")
        elif name == "description":
            descriptions.append(_serialise(child))
        else:
            single[name] = _text(child)
    return Identify(
        repository_name=single.get("repositoryName"),
        base_url=single.get("baseURL"),
        protocol_version=single.get("protocolVersion"),
        earliest_datestamp=single.get("earliestDatestamp"),
        granularity=single.get("granularity"),
        deleted_record=single.get("deletedRecord"),
        admin_emails=admin_emails,
        compression=compression,
        descriptions=descriptions,
        response_date=_child_text(root, T_RESPONSE_DATE),
    )


def parse_metadata_formats(root: etree._Element) -> list[MetadataFormat]:
    container = _verb_element(root, "ListMetadataFormats")
    formats = []
    for position, element in enumerate(container.iterchildren(T_METADATA_FORMAT), start=1):
        prefix = _child_text(element, T_METADATA_PREFIX)
        if not prefix:
            raise NotOAIResponse(f"<metadataFormat> #{position} has no <metadataPrefix>")
        formats.append(
            MetadataFormat(
                prefix=prefix,
                schema=_child_text(element, T_SCHEMA),
                namespace=_child_text(element, T_METADATA_NAMESPACE),
            )
        )
    return formats


# --------------------------------------------------------------------------- pieces


def _verb_element(root: etree._Element, verb: str) -> etree._Element:
    for child in root:
        if child.tag == _oai(verb):
            return child
    raise NotOAIResponse(f"OAI-PMH document without <{verb}> or <error>")


def _record_item(record: etree._Element, *, position: int) -> RecordItem:
    header = metadata_wrapper = None
    about: list[etree._Element] = []
    for child in record:
        tag = child.tag
        if tag == T_HEADER:
            header = child
        elif tag == T_METADATA:
            metadata_wrapper = child
        elif tag == T_ABOUT:
            about.extend(_element_children(child))
    if header is None:
        raise NotOAIResponse(f"<record> #{position} has no <header>")
    identifier, datestamp, set_specs, deleted = _header_fields(header, position)
    metadata = None
    warnings: list[ItemWarning] = []
    if metadata_wrapper is not None:
        children = _element_children(metadata_wrapper)
        if len(children) == 1:
            metadata = children[0]
        elif not children:
            warnings.append(ItemWarning("empty_metadata", "<metadata> holds no element"))
        else:
            metadata = _wrap(children)
            warnings.append(
                ItemWarning(
                    "unwrapped_metadata",
                    f"<metadata> holds {len(children)} elements, not one root; mapped as if "
                    f"wrapped in {metadata.tag}",
                )
            )
    return RecordItem(
        identifier=identifier,
        datestamp=datestamp,
        set_specs=set_specs,
        deleted=deleted,
        metadata=metadata,
        raw=_serialise(record),
        about=about,
        warnings=warnings,
    )


_DC_NAMESPACES = ("http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/")


def _wrap(children: list[etree._Element]) -> etree._Element:
    """Root-less metadata (Dublin Core elements straight under <metadata>) under one root:
    oai_dc:dc for DC elements, else an element named "metadata" in the first child's
    namespace. Copies: the record's own tree (and its raw payload) stays as received."""
    namespaces = [c.tag[1:].partition("}")[0] if c.tag[:1] == "{" else "" for c in children]
    if any(ns in _DC_NAMESPACES for ns in namespaces):
        root = etree.Element("{http://www.openarchives.org/OAI/2.0/oai_dc/}dc")
    else:
        root = etree.Element(f"{{{namespaces[0]}}}metadata" if namespaces[0] else "metadata")
    for c in children:
        root.append(copy.deepcopy(c))
    return root


def _header_item(header: etree._Element, *, position: int) -> RecordItem:
    identifier, datestamp, set_specs, deleted = _header_fields(header, position)
    return RecordItem(
        identifier=identifier,
        datestamp=datestamp,
        set_specs=set_specs,
        deleted=deleted,
        metadata=None,
        raw=_serialise(header),
    )


def _header_fields(header: etree._Element, position: int) -> tuple[str, str, list[str], bool]:
    identifier = datestamp = None
    set_specs: list[str] = []
    for child in header:
        tag = child.tag
        if tag == T_IDENTIFIER:
            identifier = _text(child)
        elif tag == T_DATESTAMP:
            datestamp = _text(child)
        elif tag == T_SET_SPEC:
            set_specs.append(_text(child) or "")
    if not identifier:
        raise NotOAIResponse(f"<header> #{position} has no <identifier>")
    if not datestamp:
        raise NotOAIResponse(f"<header> of {identifier} has no <datestamp>")
    status = header.get("status")
    if status not in (None, "deleted"):
        raise NotOAIResponse(f"<header> of {identifier} has unknown status={status!r}")
    return identifier, datestamp, set_specs, status == "deleted"


def _set(element: etree._Element, *, position: int) -> OAISet:
    spec = name = None
    description = None
    for child in element:
        if child.tag == T_SET_SPEC:
            spec = _text(child)
        elif child.tag == T_SET_NAME:
            name = _text(child)
        elif child.tag == T_SET_DESCRIPTION:
            description = _serialise(child)
    if not spec:
        raise NotOAIResponse(f"<set> #{position} has no <setSpec>")
    return OAISet(spec=spec, name=name, description_raw=description)


def _list_part(
    items: list[ItemT], token_element: etree._Element | None, root: etree._Element
) -> ListPart[ItemT]:
    token = size = cursor = None
    if token_element is not None:
        # Tokens are opaque, but surrounding whitespace is pretty-printing, never meaning.
        token = (token_element.text or "").strip() or None  # "" marks the last page
        size = _int_attribute(token_element, "completeListSize")
        cursor = _int_attribute(token_element, "cursor")
    return ListPart(
        items, token, size, cursor, _child_text(root, T_RESPONSE_DATE), token_element is not None
    )


def _int_attribute(element: etree._Element, name: str) -> int | None:
    value = element.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise NotOAIResponse(f"resumptionToken {name}={value!r} is not an integer") from None


def _element_children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _child_text(element: etree._Element, tag: str) -> str | None:
    for child in element:
        if child.tag == tag:
            return _text(child)
    return None


def _text(element: etree._Element) -> str | None:
    text = element.text
    return text.strip() if text is not None else None


def _serialise(element: etree._Element) -> bytes:
    # lxml adds the namespace declarations the subtree needs; the tail is not ours.
    return etree.tostring(element, encoding="utf-8", with_tail=False)
