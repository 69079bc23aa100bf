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
MODEL_VERSION = "1"


class LangString(TypedDict):
    """A text value with the language the source states for it (`xml:lang`), if any."""

    value: str
    lang: str | None


class Agent(TypedDict):
    """A creator, contributor or publisher as the source names it."""

    name: str
    identifier: str | None  # ORCID, ROR, ISNI... when the source gives one
    role: str | None  # e.g. LOM/MARC relator, when the source gives one


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
_AGENT = pa.struct([("name", pa.string()), ("identifier", pa.string()), ("role", pa.string())])
_DATE = pa.struct([("raw", pa.string()), ("iso", pa.string()), ("kind", pa.string())])
_IDENTIFIER = pa.struct(
    [("value", pa.string()), ("scheme", pa.string()), ("normalized", pa.string())]
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
        ("issues", pa.list_(_ISSUE)),
        ("raw_sha256", pa.string()),
        ("content_hash", pa.string()),
    ]
)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Record))
_HASHED = tuple(n for n in FIELD_NAMES if n not in ("record_id", "content_hash", "raw_sha256"))
assert set(FIELD_NAMES) == set(RECORD_SCHEMA.names), "model and Arrow schema disagree"


def records_to_arrow(records: list[Record]) -> pa.Table:
    """Records → one Arrow table in `RECORD_SCHEMA` column order."""
    columns = {name: [getattr(r, name) for r in records] for name in RECORD_SCHEMA.names}
    return pa.Table.from_pydict(columns, schema=RECORD_SCHEMA)
