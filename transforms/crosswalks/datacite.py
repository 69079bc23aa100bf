"""DataCite Metadata Schema (kernel-2.x, 3, 4.x) and the oai_datacite wrapper → Record.

Versions: the kernel namespaces http://datacite.org/schema/kernel-2 (2.0), kernel-2.1,
kernel-2.2, kernel-3, kernel-4 (4.0-4.6 share it) are registered, plus the minor-version and
https spellings some servers write and kernel-5…9 for schemas still to come; a `<resource>`
in any other namespace (or none) reaches this crosswalk through ROOT_NAMES. The
`oai_datacite` wrapper (http://schema.datacite.org/oai/oai-1.0/ and oai-1.1/: `schemaVersion`,
`datacentreSymbol`, `payload/resource`) is unwrapped. Children are matched by local name,
so the same code reads every kernel version; wrapper-less items (`<creator>` straight under
`<resource>`, kernel-2.0's single `<rights>`) map like wrapped ones. A child in a namespace
that is neither the root's nor a DataCite kernel still maps by its name, with one
`nonstandard_namespace` issue.

Mapping:
  identifier            identifiers; landing page https://doi.org/<doi> (handle/URL: its URL)
  alternateIdentifier   identifiers (a URL one is the landing page when there is no DOI)
  creator               creators: creatorName (else "familyName, givenName"), the best
                        nameIdentifier (ORCID/ROR/ISNI/GND canonical URI; a bare id is joined
                        to its schemeURI), role None
  contributor           contributors, role = contributorType as given; contributorType
                        Funder (kernel-2/3's way to name funders) → funders instead
  title                 titles with xml:lang; the main title (no titleType) first
  publisher             publishers (kernel-4.5 publisherIdentifier → its id)
  publicationYear       a date of kind "issued" when no Issued date is given
  subject               subjects; with subjectScheme / valueURI / classificationCode also a
                        classification (raw = code or text, scheme, uri = valueURI)
  date                  dates, kind = dateType lower-cased (Updated → modified); RKMS-ISO8601
                        ranges "a/b" keep an ISO interval
  language              languages
  resourceType          resource_types: the free text, then resourceTypeGeneral; learning
                        resource types only for InteractiveResource / Audiovisual (kernel-2
                        Film) and for free text that names a learning resource (lesson,
                        course, tutorial…): a Dataset, Text or Image is not a learning
                        resource type (though HCRT has concepts for them), and the raw
                        type stays in resource_types anyway
  relatedIdentifier     related, kind = relationType (lowerCamelCase; none → "relation"),
                        scheme from a self-describing value (DOI, URL, handle…), else
                        relatedIdentifierType (a PMID's digits are not an ISSN)
  relatedItem (4.4)     related: its relatedItemIdentifier, else its title as the target
  format                formats
  rights                rights: rightsURI then the text, as given (info:eu-repo access terms
                        included); rightsIdentifier (SPDX) only when neither is given
  description           descriptions with xml:lang, Abstract first; <br/> → line break
  geoLocationPlace      coverage
  fundingReference      funders: funderName, funderIdentifier (ROR / Crossref Funder ID as
                        URIs), award = awardNumber, else awardURI, else awardTitle
Creators and contributors keep their first affiliation (name, affiliationIdentifier as a
ROR URI). Dropped: sizes, version (no model field), geoLocationPoint/Box/Polygon
(coordinates), relatedItem bibliographic details (volume, pages…), oai_datacite's
schemaVersion / datacentreSymbol / isReferenceQuality.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lxml import etree

from transforms.crosswalks.common import (
    add_agent,
    add_classification,
    add_date,
    add_funder,
    add_identifier,
    add_issue,
    add_learning_resource_type,
    add_plain,
    add_relation,
    add_text,
    check_required,
    child,
    child_text,
    children,
    element_text,
    is_url,
    lang_of,
    local_name,
    normalize_agent_id,
    note_odd_namespaces,
    set_landing_page,
)
from transforms.identifiers import classify_identifier
from transforms.model import Record

NAME = "datacite"
KERNEL_PREFIX = "http://datacite.org/schema/kernel-"
_VERSIONS = (
    "2", "2.0", "2.1", "2.2", "3", "3.0", "3.1",
    "4", "4.0", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "5", "6", "7", "8", "9",
)  # fmt: skip
KERNEL_NAMESPACES = tuple(
    f"{scheme}://datacite.org/schema/kernel-{v}{slash}"
    for scheme in ("http", "https")
    for v in _VERSIONS
    for slash in ("", "/")
)
OAI_DATACITE_NAMESPACES = tuple(
    f"http://schema.datacite.org/oai/oai-{v}{slash}" for v in ("1.0", "1.1") for slash in ("/", "")
)
NAMESPACES = KERNEL_NAMESPACES + OAI_DATACITE_NAMESPACES
ROOT_NAMES = ("resource", "oai_datacite")
PREFIXES = (
    "datacite",
    "oai_datacite",
    "datacite3",
    "datacite4",
    "oai_datacite3",
    "oai_datacite4",
)
RDF_RESOURCE = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"

Handler = Callable[[Record, etree._Element], None]


def is_datacite_namespace(namespace: str) -> bool:
    """Any DataCite kernel namespace, including versions not known today."""
    return namespace.startswith((KERNEL_PREFIX, "https://datacite.org/schema/kernel-"))


def namespace_of(el: etree._Element) -> str:
    tag = el.tag
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag[:1] == "{" else ""


def text_with_breaks(el: etree._Element) -> str:
    """Element text where <br/> children (allowed in DataCite descriptions) become newlines."""
    if not len(el):
        return element_text(el)
    parts = [el.text or ""]
    for c in el:
        if isinstance(c.tag, str):  # comments and PIs contribute their tail only
            parts.append("\n" if local_name(c.tag) == "br" else "".join(c.itertext()))
        parts.append(c.tail or "")
    return "".join(parts).strip()


def uri_attribute(el: etree._Element, *names: str) -> str:
    """The first non-empty of the named attributes, then rdf:resource (OpenAIRE drafts)."""
    for name in names:
        if value := (el.get(name) or "").strip():
            return value
    return (el.get(RDF_RESOURCE) or "").strip()


# ---------------------------------------------------------------- dates


_DATE_KINDS = {"updated": "modified"}


def date_kind(date_type: str | None) -> str | None:
    """DataCite dateType → model kind: lower-cased, Updated → modified."""
    value = (date_type or "").strip().lower()
    return _DATE_KINDS.get(value, value) or None


def _date(record: Record, el: etree._Element) -> None:
    add_date(record, element_text(el), date_kind(el.get("dateType")))


# ---------------------------------------------------------------- identifiers


_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


def landing_url(value: str, identifier_type: str | None = None) -> str | None:
    """The resolvable page of an identifier: DOI → https://doi.org/…, handle, or the URL."""
    ident = classify_identifier(value.strip())
    if ident["scheme"] == "doi":  # the DOI as written: resolvers ignore case, readers don't
        return f"https://doi.org/{_DOI_PREFIX.sub('', value.strip())}"
    if ident["scheme"] == "url":
        return ident["normalized"]
    if ident["scheme"] == "handle" or (
        (identifier_type or "").strip().lower() == "handle" and "/" in value
    ):
        return f"https://hdl.handle.net/{ident['normalized'] or value.strip()}"
    return None


def _identifier(record: Record, el: etree._Element) -> None:
    text = element_text(el)
    if not text:
        return
    add_identifier(record, text)
    if url := landing_url(text, el.get("identifierType")):
        set_landing_page(record, url)


def _alternate_identifier(record: Record, el: etree._Element) -> None:
    _identifier(record, el)


# ---------------------------------------------------------------- agents

_CANONICAL = (
    "https://orcid.org/",
    "https://ror.org/",
    "https://isni.org/",
    "https://d-nb.info/gnd/",
)


def agent_id(value: str, scheme: str | None, scheme_uri: str | None = None) -> str | None:
    """A nameIdentifier → canonical URI when known; a bare id is joined to its schemeURI."""
    norm = normalize_agent_id(value, scheme)
    base = (scheme_uri or "").strip()
    if norm and not is_url(norm) and is_url(base) and base.endswith(("/", "=", "#")):
        return normalize_agent_id(base + norm, scheme)
    return norm


def best_name_identifier(el: etree._Element) -> str | None:
    """The first ORCID/ROR/ISNI/GND among the nameIdentifiers, else the first one given."""
    found: list[str] = []
    for ident in children(el, "nameIdentifier"):
        value = agent_id(
            element_text(ident), ident.get("nameIdentifierScheme"), ident.get("schemeURI")
        )
        if value:
            if value.startswith(_CANONICAL):
                return value
            found.append(value)
    return found[0] if found else None


def agent_name(el: etree._Element, name_element: str) -> str:
    """creatorName / contributorName, else "familyName, givenName", else the element's text."""
    if len(el) == 0:
        return element_text(el)
    name = child_text(el, name_element)
    if not name:
        family, given = child_text(el, "familyName"), child_text(el, "givenName")
        name = ", ".join(p for p in (family, given) if p)
    return name


def affiliation_of(el: etree._Element) -> tuple[str | None, str | None]:
    """The first affiliation of a creator/contributor: its name and its identifier (ROR…)."""
    found = child(el, "affiliation")
    if found is None:
        return None, None
    ident = (found.get("affiliationIdentifier") or "").strip() or None
    scheme_uri = (found.get("schemeURI") or "").strip()
    if ident and scheme_uri and not is_url(ident):
        ident = scheme_uri.rstrip("/") + "/" + ident
    return element_text(found) or None, ident


def _creator(record: Record, el: etree._Element) -> None:
    affiliation, affiliation_id = affiliation_of(el)
    add_agent(
        record,
        "creators",
        agent_name(el, "creatorName"),
        best_name_identifier(el),
        affiliation=affiliation,
        affiliation_id=affiliation_id,
    )


def _contributor(record: Record, el: etree._Element) -> None:
    role = (el.get("contributorType") or "").strip() or None
    name = agent_name(el, "contributorName")
    if role and role.lower() == "funder":
        ident = next(iter(children(el, "nameIdentifier")), None)
        funder_id = (
            funder_identifier(element_text(ident), ident.get("nameIdentifierScheme"))
            if ident is not None
            else None
        )
        add_funder(record, name, funder_id)
        return
    affiliation, affiliation_id = affiliation_of(el)
    add_agent(
        record,
        "contributors",
        name,
        best_name_identifier(el),
        role,
        affiliation=affiliation,
        affiliation_id=affiliation_id,
    )


def _publisher(record: Record, el: etree._Element) -> None:
    add_agent(
        record,
        "publishers",
        element_text(el),
        el.get("publisherIdentifier"),
        scheme=el.get("publisherIdentifierScheme"),
    )


# ---------------------------------------------------------------- funders

_FUNDREF = re.compile(r"(10\.13039/\S+)$")


def funder_identifier(value: str, identifier_type: str | None) -> str | None:
    """funderIdentifier → URI: Crossref Funder IDs as https://doi.org/10.13039/…, ROR/ISNI."""
    text = value.strip()
    if not text:
        return None
    kind = (identifier_type or "").strip().lower()
    if match := _FUNDREF.search(text):
        return f"https://doi.org/{match[1]}"
    if ("crossref" in kind or "fundref" in kind) and text.isdigit():
        return f"https://doi.org/10.13039/{text}"
    hint = "ror" if "ror" in kind else "isni" if "isni" in kind else None
    return normalize_agent_id(text, hint)


def _funding_reference(record: Record, el: etree._Element) -> None:
    ident = child(el, "funderIdentifier")
    funder_id = (
        funder_identifier(element_text(ident), ident.get("funderIdentifierType"))
        if ident is not None
        else None
    )
    award_el = child(el, "awardNumber")
    award = (
        (element_text(award_el) or (award_el.get("awardURI") or "").strip())
        if award_el is not None
        else ""
    ) or child_text(el, "awardTitle")
    add_funder(record, child_text(el, "funderName"), funder_id, award or None)


# ---------------------------------------------------------------- text fields


def _title(record: Record, el: etree._Element) -> None:
    add_text(record, "titles", element_text(el), lang_of(el))


def _titles(record: Record, el: etree._Element) -> None:
    items = children(el, "title")
    for item in sorted(items, key=lambda t: bool((t.get("titleType") or "").strip())):
        _title(record, item)


def _description(record: Record, el: etree._Element) -> None:
    add_text(record, "descriptions", text_with_breaks(el), lang_of(el))


def _descriptions(record: Record, el: etree._Element) -> None:
    items = children(el, "description")
    for item in sorted(
        items, key=lambda d: (d.get("descriptionType") or "").strip().lower() != "abstract"
    ):
        _description(record, item)


_FREE_KEYWORD_SCHEMES = frozenset({"keyword", "keywords", "tag", "tags", "free", "none", ""})


def _subject(record: Record, el: etree._Element) -> None:
    text = element_text(el)
    add_text(record, "subjects", text, lang_of(el))
    scheme = (el.get("subjectScheme") or "").strip() or (el.get("schemeURI") or "").strip()
    code = (el.get("classificationCode") or "").strip()
    uri = (el.get("valueURI") or "").strip()
    if code or uri or scheme.lower() not in _FREE_KEYWORD_SCHEMES:
        add_classification(record, code or text, scheme, uri, text if (code or uri) else None)


def _rights(record: Record, el: etree._Element) -> None:
    uri = uri_attribute(el, "rightsURI", "uri")
    text = element_text(el)
    if uri:
        add_plain(record, "rights", uri)
    if text:
        add_plain(record, "rights", text)
    if not uri and not text:
        add_plain(record, "rights", el.get("rightsIdentifier") or "")


def _geo_location(record: Record, el: etree._Element) -> None:
    for place in children(el, "geoLocationPlace"):
        add_plain(record, "coverage", element_text(place))


# ---------------------------------------------------------------- types


_LEARNING_GENERAL = frozenset({"interactiveresource", "audiovisual", "film"})
_LEARNING_TEXT = re.compile(
    r"\b(?:lesson|lecture|course|tutorial|exercise|worksheet|quiz|textbook|learning|teaching|"
    r"educational|e-?learning|mooc|oer|curricul|syllab|lehr|lern|unterricht|kurs|curso|aula|"
    r"cours|leçon)",
    re.IGNORECASE,
)


def is_learning_text(text: str) -> bool:
    """Free text that names a learning resource (not just any type HCRT knows: HCRT also
    has Text, Data, Image, Other, so `to_hcrt` alone would make every dataset one)."""
    return bool(_LEARNING_TEXT.search(text))


def _resource_type(record: Record, el: etree._Element) -> None:
    text = element_text(el)
    general = (el.get("resourceTypeGeneral") or "").strip()
    add_plain(record, "resource_types", text)
    add_plain(record, "resource_types", general)
    learning_general = general.lower() in _LEARNING_GENERAL
    if text and (learning_general or is_learning_text(text)):
        add_learning_resource_type(record, text)
    if learning_general:
        add_learning_resource_type(record, general)


# ---------------------------------------------------------------- relations


# Schemes classify_identifier only guesses from the digits: the source's type wins over them.
_GUESSED = frozenset({"other", "issn", "isbn"})


def add_typed_relation(record: Record, kind: str, target: str, target_type: str | None) -> None:
    """`add_relation`; the source's identifier type (PMID, arXiv…) names the scheme when the
    value has no self-describing form (a PMID of 8 digits is not an ISSN)."""
    before = len(record.related)
    add_relation(record, kind or "relation", target)
    scheme = (target_type or "").strip().lower()
    if len(record.related) > before and scheme:
        added = record.related[-1]
        if added["scheme"] in _GUESSED and added["scheme"] != scheme:
            added["scheme"], added["normalized"] = scheme, None


def _related_identifier(record: Record, el: etree._Element) -> None:
    add_typed_relation(
        record,
        (el.get("relationType") or "").strip(),
        element_text(el),
        el.get("relatedIdentifierType"),
    )


def _related_item(record: Record, el: etree._Element) -> None:
    kind = (el.get("relationType") or "").strip()
    ident = child(el, "relatedItemIdentifier")
    if ident is not None and element_text(ident):
        add_typed_relation(
            record, kind, element_text(ident), ident.get("relatedItemIdentifierType")
        )
        return
    titles = child(el, "titles")
    title = child_text(titles, "title") if titles is not None else child_text(el, "title")
    add_typed_relation(record, kind, title, None)


# ---------------------------------------------------------------- dispatch


def each(item_names: Iterable[str], handler: Handler) -> Handler:
    """Handler for a wrapper (creators, dates…): `handler` for each of its items."""
    names = tuple(item_names)

    def run(record: Record, el: etree._Element) -> None:
        for item in children(el, *names):
            handler(record, item)

    return run


def _ignore(record: Record, el: etree._Element) -> None:
    """Mapped elsewhere (publicationYear, after all dates are known)."""


_RELATED_ITEM_DETAILS = (
    "creators", "contributors", "publicationYear", "volume", "issue", "number",
    "firstPage", "lastPage", "publisher", "edition",
)  # fmt: skip
# wrapper → (item, handler, mapped item children, dropped item children)
_LISTS: dict[str, tuple[str, Handler, tuple[str, ...], tuple[str, ...]]] = {
    "alternateIdentifiers": ("alternateIdentifier", _alternate_identifier, (), ()),
    "creators": (
        "creator",
        _creator,
        ("creatorName", "givenName", "familyName", "nameIdentifier", "affiliation"),
        (),
    ),
    "titles": ("title", _title, (), ()),
    "subjects": ("subject", _subject, (), ()),
    "contributors": (
        "contributor",
        _contributor,
        ("contributorName", "givenName", "familyName", "nameIdentifier", "affiliation"),
        (),
    ),
    "dates": ("date", _date, (), ()),
    "relatedIdentifiers": ("relatedIdentifier", _related_identifier, (), ()),
    "formats": ("format", lambda r, el: add_plain(r, "formats", element_text(el)), (), ()),
    "rightsList": ("rights", _rights, (), ()),
    "descriptions": ("description", _description, (), ()),
    "geoLocations": (
        "geoLocation",
        _geo_location,
        ("geoLocationPlace",),
        ("geoLocationPoint", "geoLocationBox", "geoLocationPolygon"),
    ),
    "fundingReferences": (
        "fundingReference",
        _funding_reference,
        ("funderName", "funderIdentifier", "awardNumber", "awardTitle"),
        (),
    ),
    "relatedItems": (
        "relatedItem",
        _related_item,
        ("relatedItemIdentifier", "titles"),
        _RELATED_ITEM_DETAILS,
    ),
}
_SINGLE: dict[str, Handler] = {
    "identifier": _identifier,
    "publisher": _publisher,
    "publicationYear": _ignore,
    "language": lambda r, el: add_plain(r, "languages", element_text(el)),
    "resourceType": _resource_type,
}
# Wrappers whose items need an order (main title, abstract first).
_ORDERED: dict[str, Handler] = {"titles": _titles, "descriptions": _descriptions}

BY_NAME: dict[str, Handler] = {
    **_SINGLE,
    **{
        wrapper: _ORDERED.get(wrapper) or each([item], h)
        for wrapper, (item, h, _, _) in _LISTS.items()
    },
    **{item: h for item, h, _, _ in _LISTS.values()},
}

_BASE_DROPPED = ("sizes", "size", "version")


def _declarations() -> tuple[set[str], set[str]]:
    mapped: set[str] = set(_SINGLE)
    dropped: set[str] = set(_BASE_DROPPED)
    for wrapper, (item, _, mapped_children, dropped_children) in _LISTS.items():
        mapped |= {wrapper, f"{wrapper}/{item}", item}
        for base in (f"{wrapper}/{item}", item):
            mapped |= {f"{base}/{c}" for c in mapped_children}
            dropped |= {f"{base}/{c}" for c in dropped_children}
    return mapped, dropped


RESOURCE_MAPPED, RESOURCE_DROPPED = _declarations()  # paths below <resource>
_WRAPPED = "payload/resource"
MAPPED = frozenset(
    RESOURCE_MAPPED | {f"{_WRAPPED}/{p}" for p in RESOURCE_MAPPED} | {"payload", _WRAPPED}
)
DROPPED = frozenset(
    RESOURCE_DROPPED
    | {f"{_WRAPPED}/{p}" for p in RESOURCE_DROPPED}
    | {"schemaVersion", "datacentreSymbol", "isReferenceQuality"}
)


def map_resource(
    record: Record,
    resource: etree._Element,
    by_name: dict[str, Handler],
    check_namespaces: bool = False,
) -> None:
    """Map the children of a DataCite-shaped `<resource>` through `by_name`.

    Identifiers go first so that the DOI, not some alternate URL, becomes the landing page;
    publicationYear last, as the issued date only when no Issued date was given.
    """
    # (handler, element) for the children we know; unknown ones are counted by the coverage
    # tally and kept in the raw payload.
    known = [(by_name.get(local_name(c.tag)), c) for c in resource if isinstance(c.tag, str)]
    identifier = by_name.get("identifier")
    ordered = [k for k in known if k[0] is identifier] + [
        k for k in known if k[0] is not identifier
    ]
    odd: set[str] = set()
    root_ns = namespace_of(resource)
    for handler, el in ordered:
        if handler is None:
            continue
        if check_namespaces:
            ns = namespace_of(el)
            if ns != root_ns and not is_datacite_namespace(ns):
                odd.add(ns or "(none)")
        handler(record, el)
    if not any(d["kind"] == "issued" for d in record.dates):
        for year in children(resource, "publicationYear"):
            add_date(record, element_text(year), "issued")
    note_odd_namespaces(record, odd, "DataCite elements")


def unwrap(metadata: etree._Element) -> etree._Element | None:
    """The `<resource>` of an oai_datacite wrapper (payload's first element), or None."""
    payload = child(metadata, "payload")
    if payload is not None:
        inner = next((c for c in payload if isinstance(c.tag, str)), None)
        if inner is not None:
            return inner
    return next((el for el in metadata.iter() if local_name(el.tag) == "resource"), None)


def map_metadata(record: Record, metadata: etree._Element) -> None:
    """Fill `record` from a DataCite `<resource>` or an `<oai_datacite>` wrapper."""
    resource: etree._Element | None = metadata
    if local_name(metadata.tag) == "oai_datacite":
        resource = unwrap(metadata)
        if resource is None:
            add_issue(
                record,
                "missing_payload",
                "error",
                None,
                "oai_datacite wrapper without a <payload><resource>; raw payload kept",
            )
    if resource is not None:
        map_resource(record, resource, BY_NAME, check_namespaces=True)
    check_required(record)
