"""Crosswalks: one module per metadata format, dispatched by the metadata root's namespace.

`map_batch` is the stage's entry point: harvested items in, `Record`s and `MappingFailure`s
out. A record a crosswalk cannot map is never dropped: it becomes a failure carrying its
raw payload, and the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from lxml import etree

from transforms.crosswalks import oai_dc
from transforms.dates import parse_date
from transforms.model import Record

MetadataMapper = Callable[[Record, etree._Element], None]

# Metadata root namespace → mapper. A new format adds one module and one line here.
BY_NAMESPACE: dict[str, MetadataMapper] = {ns: oai_dc.map_metadata for ns in oai_dc.NAMESPACES}


class HarvestedItem(Protocol):
    """What a harvester hands over per record (see harvesters.oai.parse.RecordItem)."""

    identifier: str
    datestamp: str
    set_specs: list[str]
    deleted: bool
    metadata: etree._Element | None
    raw: bytes


class UnsupportedFormat(Exception):
    """The metadata element is in a namespace no crosswalk maps."""


@dataclass(slots=True)
class MappingFailure:
    oai_identifier: str
    code: str  # unsupported_format, crosswalk_error
    message: str
    raw: bytes


def mapper_for(metadata: etree._Element) -> MetadataMapper | None:
    tag = metadata.tag
    namespace = tag[1:].partition("}")[0] if isinstance(tag, str) and tag[0] == "{" else ""
    return BY_NAMESPACE.get(namespace)


def map_item(source: str, metadata_prefix: str, item: HarvestedItem, raw_sha256: str) -> Record:
    """One harvested item → Record. Raises UnsupportedFormat when no crosswalk knows it."""
    record = Record(
        source=source,
        oai_identifier=item.identifier,
        metadata_prefix=metadata_prefix,
        datestamp=item.datestamp,
        datestamp_iso=parse_date(item.datestamp) if item.datestamp else None,
        deleted=item.deleted,
        set_specs=list(item.set_specs),
        raw_sha256=raw_sha256,
    )
    if item.metadata is not None and not item.deleted:
        mapper = mapper_for(item.metadata)
        if mapper is None:
            raise UnsupportedFormat(f"no crosswalk for metadata element {item.metadata.tag}")
        mapper(record, item.metadata)
    return record.finalise()


def map_batch(
    source: str, metadata_prefix: str, items: Iterable[HarvestedItem], raw_sha256s: Iterable[str]
) -> tuple[list[Record], list[MappingFailure]]:
    """Map a batch; `raw_sha256s` are the keys of the items' raw payloads, in order."""
    records: list[Record] = []
    failures: list[MappingFailure] = []
    for item, raw_sha256 in zip(items, raw_sha256s, strict=True):
        try:
            records.append(map_item(source, metadata_prefix, item, raw_sha256))
        except UnsupportedFormat as exc:
            failures.append(
                MappingFailure(item.identifier, "unsupported_format", str(exc), item.raw)
            )
        except Exception as exc:  # a crosswalk bug must not stop the harvest: quarantine it
            failures.append(
                MappingFailure(
                    item.identifier, "crosswalk_error", f"{type(exc).__name__}: {exc}", item.raw
                )
            )
    return records, failures
