"""Crosswalks: one module per metadata format, dispatched by the metadata root's namespace.

`map_batch` is the stage's entry point: harvested items in, `Record`s and `MappingFailure`s
out. A record a crosswalk cannot map is never dropped: it becomes a failure carrying its
raw payload, and the rest of the batch goes on.

A crosswalk module declares:
    NAME        short name, stored in resources.crosswalk
    NAMESPACES  namespaces of the metadata root element it maps
    ROOT_NAMES  local names of that root, used when a repository puts it in an odd or no
                namespace (e.g. DataCite kernel versions, MODS without a namespace)
    PREFIXES    metadataPrefix values repositories commonly use for it
    MAPPED, DROPPED  element paths it maps / leaves out on purpose (see coverage.py)
    map_metadata(record, root)  fills the record
and optionally, for formats whose meaning is not in element names (MARC tags):
    coverage_paths(root) -> Counter[str]   the paths to count (default: element paths)
    path_status(path) -> str               mapped / dropped / unknown (default: MAPPED/DROPPED)
Adding a format = one module + one line in `MODULES`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Protocol

from lxml import etree

from transforms.crosswalks import (
    coverage,
    datacite,
    jsonld,
    lom,
    marcxml,
    mods,
    oai_dc,
    openaire,
    qdc,
)
from transforms.crosswalks.common import add_issue, check_required, local_name
from transforms.dates import parse_date
from transforms.model import Record

MetadataMapper = Callable[[Record, etree._Element], None]


@dataclass(frozen=True, slots=True)
class Crosswalk:
    name: str
    namespaces: tuple[str, ...]
    root_names: tuple[str, ...]
    prefixes: tuple[str, ...]
    mapped: frozenset[str]
    dropped: frozenset[str]
    map_metadata: MetadataMapper
    paths: Callable[[etree._Element], Counter[str]]
    declaration: coverage.Declaration

    @classmethod
    def from_module(cls, module: ModuleType) -> Crosswalk:
        return cls(
            name=module.NAME,
            namespaces=tuple(module.NAMESPACES),
            root_names=tuple(module.ROOT_NAMES),
            prefixes=tuple(module.PREFIXES),
            mapped=frozenset(module.MAPPED),
            dropped=frozenset(module.DROPPED),
            map_metadata=module.map_metadata,
            paths=getattr(module, "coverage_paths", coverage.xml_paths),
            declaration=getattr(module, "path_status", None)
            or (frozenset(module.MAPPED), frozenset(module.DROPPED)),
        )


# Order matters only for ROOT_NAMES fallbacks that two formats share (none today).
MODULES: tuple[ModuleType, ...] = (oai_dc, qdc, lom, datacite, mods, marcxml, openaire)
CROSSWALKS: dict[str, Crosswalk] = {
    cw.name: cw for cw in (Crosswalk.from_module(m) for m in MODULES)
}
# Metadata root namespace → crosswalk; root local name → crosswalk as the fallback.
BY_NAMESPACE: dict[str, Crosswalk] = {ns: cw for cw in CROSSWALKS.values() for ns in cw.namespaces}
BY_ROOT_NAME: dict[str, Crosswalk] = {
    name: cw for cw in CROSSWALKS.values() for name in cw.root_names
}
DECLARATIONS: dict[str, coverage.Declaration] = {
    cw.name: cw.declaration for cw in CROSSWALKS.values()
}
DECLARATIONS[jsonld.NAME] = (frozenset(jsonld.MAPPED), frozenset(jsonld.DROPPED))


class HarvestedItem(Protocol):
    """What a harvester hands over per record (see harvesters.oai.parse.RecordItem)."""

    identifier: str
    datestamp: str
    set_specs: list[str]
    deleted: bool
    metadata: etree._Element | None
    raw: bytes


@dataclass(slots=True)
class JsonItem:
    """One JSON-LD object a web or API harvester found (e.g. in a page's ld+json script)."""

    identifier: str  # the page URL, or the object's id when it has one
    datestamp: str  # sitemap lastmod / API modified date, "" when unknown
    obj: dict
    raw: bytes  # the JSON as found: the payload kept in raw_records
    set_specs: list[str] = field(default_factory=list)
    deleted: bool = False


class UnsupportedFormat(Exception):
    """The metadata element is in a namespace no crosswalk maps."""


@dataclass(slots=True)
class MappingFailure:
    oai_identifier: str
    code: str  # unsupported_format, crosswalk_error
    message: str
    raw: bytes


def crosswalk_for(metadata: etree._Element) -> tuple[Crosswalk | None, bool]:
    """The crosswalk for a metadata root, and whether it was found only by the root's name."""
    tag = metadata.tag
    namespace = tag[1:].partition("}")[0] if isinstance(tag, str) and tag[:1] == "{" else ""
    if (found := BY_NAMESPACE.get(namespace)) is not None:
        return found, False
    name = local_name(tag)
    found = BY_ROOT_NAME.get(name) or BY_ROOT_NAME.get(name.lower())
    if found is None or name.lower() in GENERIC_ROOT_NAMES:
        # a wrapper named like nothing in particular: its elements say what it is
        found = _dublin_core_by_content(metadata) or found
    return found, found is not None


# Root names several formats (or none) use: MARC's <record>, DPLA hubs' <record> of DC.
GENERIC_ROOT_NAMES = frozenset({"record", "collection", "metadata", "doc", "item", "root"})
_DC_NS = (oai_dc.DC_NS, oai_dc.DCTERMS_NS)


def _dublin_core_by_content(metadata: etree._Element) -> Crosswalk | None:
    """qdc or oai_dc when the root's children are Dublin Core elements (DC or DCMI terms)."""
    dc = terms = 0
    for el in metadata:
        tag = el.tag
        if isinstance(tag, str) and tag[:1] == "{":
            ns = tag[1:].partition("}")[0]
            dc += ns == _DC_NS[0]
            terms += ns == _DC_NS[1]
    if not dc and not terms:
        return None
    return CROSSWALKS["qdc" if terms else "oai_dc"]


def supported_namespace(namespace: str) -> str | None:
    """Name of the crosswalk that maps metadata in `namespace`, if any."""
    found = BY_NAMESPACE.get(namespace)
    return found.name if found else None


def map_item(
    source: str,
    metadata_prefix: str,
    item: HarvestedItem,
    raw_sha256: str,
    tally: coverage.Tally | None = None,
) -> Record:
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
    if item.metadata is None and not item.deleted:
        add_issue(record, "missing_metadata", "warning", None, "a live record without metadata")
        check_required(record)
    if item.metadata is not None and not item.deleted:
        cw, by_name = crosswalk_for(item.metadata)
        if cw is None:
            raise UnsupportedFormat(f"no crosswalk for metadata element {item.metadata.tag}")
        record.crosswalk = cw.name
        if by_name:
            add_issue(
                record,
                "nonstandard_namespace",
                "info",
                None,
                f"metadata root {item.metadata.tag} is not in a namespace the {cw.name} "
                "crosswalk expects; mapped by its element names",
            )
        cw.map_metadata(record, item.metadata)
        if tally is not None:
            tally.add(cw.name, cw.paths(item.metadata))
    return record.finalise()


def map_batch(
    source: str,
    metadata_prefix: str,
    items: Iterable[HarvestedItem],
    raw_sha256s: Iterable[str],
    tally: coverage.Tally | None = None,
) -> tuple[list[Record], list[MappingFailure]]:
    """Map a batch; `raw_sha256s` are the keys of the items' raw payloads, in order.

    With `tally`, the element paths of every mapped record are counted into it.
    """
    return _map_all(
        items, raw_sha256s, lambda item, sha: map_item(source, metadata_prefix, item, sha, tally)
    )


def _map_all(
    items: Iterable[HarvestedItem] | Iterable[JsonItem],
    raw_sha256s: Iterable[str],
    map_one: Callable[..., Record],
) -> tuple[list[Record], list[MappingFailure]]:
    """Each item mapped on its own: one that cannot be is a failure with its raw payload."""
    records: list[Record] = []
    failures: list[MappingFailure] = []
    for item, raw_sha256 in zip(items, raw_sha256s, strict=True):
        try:
            records.append(map_one(item, raw_sha256))
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


def map_json_item(
    source: str, kind: str, item: JsonItem, raw_sha256: str, tally: coverage.Tally | None = None
) -> Record:
    """One JSON-LD item → Record (metadata_prefix = `kind`, e.g. jsonld)."""
    record = Record(
        source=source,
        oai_identifier=item.identifier,
        metadata_prefix=kind,
        datestamp=item.datestamp or None,
        datestamp_iso=parse_date(item.datestamp) if item.datestamp else None,
        deleted=item.deleted,
        set_specs=list(item.set_specs),
        raw_sha256=raw_sha256,
    )
    if not item.deleted:
        record.crosswalk = jsonld.NAME
        jsonld.map_jsonld(record, item.obj)
        if tally is not None:
            tally.add(jsonld.NAME, coverage.json_paths(item.obj))
    return record.finalise()


def map_json_batch(
    source: str,
    kind: str,
    items: Iterable[JsonItem],
    raw_sha256s: Iterable[str],
    tally: coverage.Tally | None = None,
) -> tuple[list[Record], list[MappingFailure]]:
    """Like `map_batch`, for JSON-LD items."""
    return _map_all(
        items, raw_sha256s, lambda item, sha: map_json_item(source, kind, item, sha, tally)
    )
