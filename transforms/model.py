"""The record model every crosswalk fills.

One `Record` per harvested item, whatever its source format. Raw values are never
thrown away: every normalised field sits next to the raw value it came from
(`DateValue.raw`, `Identifier.value`, `languages`, `rights`), and the source payload
itself is kept in the warehouse's raw layer (`raw_records`), linked by `raw_sha256`.

The model is plain dataclasses so that crosswalks stay pure functions; the Arrow
schema in `RECORD_SCHEMA` is the single description the warehouse loads from.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field, fields
from typing import TypedDict

import pyarrow as pa

# Namespace for record ids: uuid5(RECORD_NAMESPACE, "<source>\x1f<oai identifier>").
RECORD_NAMESPACE = uuid.UUID("5b3f2a9e-7c1d-5e80-9f4a-0e0c0a0d1e01")
MODEL_VERSION = "3"  # 2: educational fields, relations, links, originals; 3: normalised fields


class LangString(TypedDict):
    """A text value with the language the source states for it (`xml:lang`), if any."""

    value: str
    lang: str | None


class Agent(TypedDict):
    """A creator, contributor or publisher as the source names it."""

    name: str
    identifier: str | None  # ORCID, ROR, ISNI... when the source gives one
    role: str | None  # e.g. LOM/MARC relator, when the source gives one
    affiliation: str | None  # the organisation the person acted for, as given
    affiliation_id: str | None  # its identifier (ROR, GND, ISNI…) as a URI, when given


class DateValue(TypedDict):
    """A date: the raw string and its ISO 8601 form (None when it cannot be parsed)."""

    raw: str
    iso: str | None
    kind: str | None  # issued, created, modified, available... when known


class Identifier(TypedDict):
    """An identifier as given (`value`) with its scheme and normalised form."""

    value: str
    scheme: str  # url, doi, isbn, issn, handle, urn, oai, other
    normalized: str | None


class Term(TypedDict):
    """A value from a vocabulary: as given (`raw`), and the concept it maps to when known.

    For learning resource types `scheme` is "hcrt" and `uri` an HCRT concept
    (https://w3id.org/kim/hcrt/…); for classifications it names the scheme the source
    gives (ddc, lcsh, a taxon source…) and `uri` is the concept URI when the source has one.
    """

    raw: str
    scheme: str | None
    uri: str | None
    label: str | None


class Relation(TypedDict):
    """A typed link to another resource (isPartOf, hasPart, isVersionOf, hasVersion…)."""

    kind: str  # lowerCamelCase DataCite/DCMI relation type, e.g. isPartOf
    target: str  # as given
    scheme: str | None  # identifier scheme of the target (doi, url, handle…)
    normalized: str | None


class Funder(TypedDict):
    """Who funded the resource, with the funder id (Crossref Funder / ROR) and award."""

    name: str
    identifier: str | None
    award: str | None


class Link(TypedDict):
    """A URL to the content itself (a download), with its media type when known."""

    url: str
    media_type: str | None


class Property(TypedDict):
    """A name/value pair, e.g. accessibility: ("accessibilityFeature", "captions")."""

    name: str
    value: str


class Duration(TypedDict):
    """How long the resource takes: raw, and ISO 8601 duration (None when not parseable)."""

    raw: str
    iso: str | None


class Original(TypedDict):
    """A text value as given, when text hygiene changed it (HTML, entities, whitespace)."""

    field: str  # the model field, e.g. descriptions
    index: int  # position of the cleaned value in that field
    value: str


class TextLanguage(TypedDict):
    """The language of one title or description: from its `xml:lang` or detected."""

    field: str  # titles or descriptions
    index: int  # position of the value in that field
    lang: str  # BCP 47
    method: str  # xml:lang, or the detector's name (transforms/detection.py)
    confidence: float | None  # the detector's, 0..1; None for xml:lang


class RecordIssue(TypedDict):
    """A problem found while mapping one record: kept with the record, never dropped."""

    code: str  # e.g. missing_title, unparsable_date
    severity: str  # info, warning, error
    field: str | None
    message: str


@dataclass(slots=True)
class Record:
    """One harvested resource in the project's own model."""

    source: str
    oai_identifier: str
    metadata_prefix: str
    datestamp: str | None = None  # raw header datestamp
    datestamp_iso: str | None = None
    deleted: bool = False
    set_specs: list[str] = field(default_factory=list)
    titles: list[LangString] = field(default_factory=list)
    descriptions: list[LangString] = field(default_factory=list)
    creators: list[Agent] = field(default_factory=list)
    contributors: list[Agent] = field(default_factory=list)
    publishers: list[Agent] = field(default_factory=list)
    dates: list[DateValue] = field(default_factory=list)
    subjects: list[LangString] = field(default_factory=list)
    resource_types: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # raw values, as given
    rights: list[str] = field(default_factory=list)  # raw values, as given
    relations: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    source_refs: list[str] = field(default_factory=list)  # dc:source: what it derives from
    crosswalk: str | None = None  # which crosswalk mapped the record, e.g. mods, lom
    education_levels: list[LangString] = field(default_factory=list)  # as given
    audiences: list[LangString] = field(default_factory=list)  # intended roles, as given
    learning_resource_types: list[Term] = field(default_factory=list)  # raw + HCRT
    classifications: list[Term] = field(default_factory=list)  # subject codes with scheme
    typical_age_ranges: list[str] = field(default_factory=list)  # e.g. "6-8", "18-"
    duration: Duration | None = None
    accessibility: list[Property] = field(default_factory=list)
    interactivity_type: str | None = None  # active, expositive, mixed (LOM / LRMI)
    interactivity_level: str | None = None  # LOM: very low … very high
    related: list[Relation] = field(default_factory=list)  # typed relations
    funders: list[Funder] = field(default_factory=list)
    landing_page: str | None = None  # the page describing the resource
    downloads: list[Link] = field(default_factory=list)  # the content itself
    thumbnails: list[str] = field(default_factory=list)
    originals: list[Original] = field(default_factory=list)  # text before hygiene
    # Normalised (transforms/normalise.py), derived from the fields above: not in content_hash.
    language_tags: list[str] = field(default_factory=list)  # BCP 47, the record's languages
    language_source: str | None = None  # declared, xml:lang, repository-default, detected
    text_languages: list[TextLanguage] = field(default_factory=list)
    licence_uri: str | None = None  # canonical CC / RightsStatements / SPDX licence URI
    licence_spdx: str | None = None
    licence_family: str | None = None  # e.g. by-sa, cc0, InC, MIT
    licence_version: str | None = None
    licence_port: str | None = None
    licence_allows_adaptation: bool | None = None
    licence_allows_commercial: bool | None = None
    licence_share_alike: bool | None = None
    open_for_adaptation: str = "unknown"  # yes, no, unknown (UNESCO 2019 Recommendation)
    licence_rule: str | None = None  # the normaliser rule that decided
    licence_raw: str | None = None  # the rights value the licence was read from
    access_rights_uri: str | None = None  # COAR access right, kept apart from the licence
    normaliser_version: str | None = None
    issues: list[RecordIssue] = field(default_factory=list)
    raw_sha256: str | None = None  # key of the raw payload in raw_records
    record_id: str = ""
    content_hash: str = ""

    def __post_init__(self) -> None:
        if not self.record_id:
            self.record_id = make_record_id(self.source, self.oai_identifier)

    def finalise(self) -> Record:
        """Compute `content_hash` over everything a harvest can change."""
        self.content_hash = content_hash(self)
        return self

    def to_row(self) -> dict:
        return {name: getattr(self, name) for name in FIELD_NAMES}


def make_record_id(source: str, oai_identifier: str) -> str:
    return str(uuid.uuid5(RECORD_NAMESPACE, f"{source}\x1f{oai_identifier}"))


def content_hash(record: Record) -> str:
    """sha256 of the record's mapped content.

    Leaves out the id, the hash itself and the raw payload key, so that two harvests of an
    unchanged record hash the same, and a changed value (datestamp included) does not.
    `repr` of plain str/list/dict/None values is stable across Python versions, and about
    twice as fast as sorted JSON; value dicts are always built in their TypedDict order.
    """
    blob = repr(tuple(getattr(record, name) for name in _HASHED))
    return hashlib.sha256(blob.encode()).hexdigest()


_LANGSTRING = pa.struct([("value", pa.string()), ("lang", pa.string())])
_AGENT = pa.struct(
    [
        ("name", pa.string()),
        ("identifier", pa.string()),
        ("role", pa.string()),
        ("affiliation", pa.string()),
        ("affiliation_id", pa.string()),
    ]
)
_DATE = pa.struct([("raw", pa.string()), ("iso", pa.string()), ("kind", pa.string())])
_IDENTIFIER = pa.struct(
    [("value", pa.string()), ("scheme", pa.string()), ("normalized", pa.string())]
)
_TERM = pa.struct(
    [
        ("raw", pa.string()),
        ("scheme", pa.string()),
        ("uri", pa.string()),
        ("label", pa.string()),
    ]
)
_RELATION = pa.struct(
    [
        ("kind", pa.string()),
        ("target", pa.string()),
        ("scheme", pa.string()),
        ("normalized", pa.string()),
    ]
)
_FUNDER = pa.struct([("name", pa.string()), ("identifier", pa.string()), ("award", pa.string())])
_LINK = pa.struct([("url", pa.string()), ("media_type", pa.string())])
_PROPERTY = pa.struct([("name", pa.string()), ("value", pa.string())])
_DURATION = pa.struct([("raw", pa.string()), ("iso", pa.string())])
_ORIGINAL = pa.struct([("field", pa.string()), ("index", pa.int32()), ("value", pa.string())])
_TEXT_LANGUAGE = pa.struct(
    [
        ("field", pa.string()),
        ("index", pa.int32()),
        ("lang", pa.string()),
        ("method", pa.string()),
        ("confidence", pa.float64()),
    ]
)
_ISSUE = pa.struct(
    [
        ("code", pa.string()),
        ("severity", pa.string()),
        ("field", pa.string()),
        ("message", pa.string()),
    ]
)

RECORD_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("source", pa.string()),
        ("oai_identifier", pa.string()),
        ("metadata_prefix", pa.string()),
        ("datestamp", pa.string()),
        ("datestamp_iso", pa.string()),
        ("deleted", pa.bool_()),
        ("set_specs", pa.list_(pa.string())),
        ("titles", pa.list_(_LANGSTRING)),
        ("descriptions", pa.list_(_LANGSTRING)),
        ("creators", pa.list_(_AGENT)),
        ("contributors", pa.list_(_AGENT)),
        ("publishers", pa.list_(_AGENT)),
        ("dates", pa.list_(_DATE)),
        ("subjects", pa.list_(_LANGSTRING)),
        ("resource_types", pa.list_(pa.string())),
        ("formats", pa.list_(pa.string())),
        ("identifiers", pa.list_(_IDENTIFIER)),
        ("languages", pa.list_(pa.string())),
        ("rights", pa.list_(pa.string())),
        ("relations", pa.list_(pa.string())),
        ("coverage", pa.list_(pa.string())),
        ("source_refs", pa.list_(pa.string())),
        ("crosswalk", pa.string()),
        ("education_levels", pa.list_(_LANGSTRING)),
        ("audiences", pa.list_(_LANGSTRING)),
        ("learning_resource_types", pa.list_(_TERM)),
        ("classifications", pa.list_(_TERM)),
        ("typical_age_ranges", pa.list_(pa.string())),
        ("duration", _DURATION),
        ("accessibility", pa.list_(_PROPERTY)),
        ("interactivity_type", pa.string()),
        ("interactivity_level", pa.string()),
        ("related", pa.list_(_RELATION)),
        ("funders", pa.list_(_FUNDER)),
        ("landing_page", pa.string()),
        ("downloads", pa.list_(_LINK)),
        ("thumbnails", pa.list_(pa.string())),
        ("originals", pa.list_(_ORIGINAL)),
        ("language_tags", pa.list_(pa.string())),
        ("language_source", pa.string()),
        ("text_languages", pa.list_(_TEXT_LANGUAGE)),
        ("licence_uri", pa.string()),
        ("licence_spdx", pa.string()),
        ("licence_family", pa.string()),
        ("licence_version", pa.string()),
        ("licence_port", pa.string()),
        ("licence_allows_adaptation", pa.bool_()),
        ("licence_allows_commercial", pa.bool_()),
        ("licence_share_alike", pa.bool_()),
        ("open_for_adaptation", pa.string()),
        ("licence_rule", pa.string()),
        ("licence_raw", pa.string()),
        ("access_rights_uri", pa.string()),
        ("normaliser_version", pa.string()),
        ("issues", pa.list_(_ISSUE)),
        ("raw_sha256", pa.string()),
        ("content_hash", pa.string()),
    ]
)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Record))
# Fields the normaliser derives from the mapped ones: recomputed by `oer renormalise`, so a
# better normaliser changes them without counting as a change at the source.
DERIVED_FIELDS: tuple[str, ...] = FIELD_NAMES[
    FIELD_NAMES.index("language_tags") : FIELD_NAMES.index("normaliser_version") + 1
]
_HASHED = tuple(
    n
    for n in FIELD_NAMES
    if n not in ("record_id", "content_hash", "raw_sha256") and n not in DERIVED_FIELDS
)
assert set(FIELD_NAMES) == set(RECORD_SCHEMA.names), "model and Arrow schema disagree"


def records_to_arrow(records: list[Record]) -> pa.Table:
    """Records → one Arrow table in `RECORD_SCHEMA` column order."""
    columns = {name: [getattr(r, name) for r in records] for name in RECORD_SCHEMA.names}
    return pa.Table.from_pydict(columns, schema=RECORD_SCHEMA)
