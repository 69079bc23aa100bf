"""`oer export`: the analytics views as files portal teams load — Parquet, CSV, JSON lines,
a Frictionless Data Package, a DCAT-AP 3 catalogue and AMB JSON-LD (docs/exports.md).

An export is a whole directory, written into a temporary sibling and renamed into place:
readers see the previous export or the new one, and a failed export leaves the previous one
as it was. `manifest.json` lists every file (rows, bytes, SHA-256); a directory without it
is never replaced. The same warehouse gives the same bytes, except the export's own
timestamps (`exported_at` in manifest.json, `created` in datapackage.json, the catalogue's
`dct:modified`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipelines.outdir import replaced_atomically
from vocabularies.action_areas import NAMESPACE as ACTION_AREAS
from vocabularies.sdg import SDG
from warehouse import connect, resolve_path
from warehouse import exports as wx
from warehouse.exports import ExportError, ExportMeta, Licence, Selection, View, WrittenFile

DEFAULT_OUT = Path("data/export")
FORMATS = ("parquet", "csv", "jsonl", "datapackage", "dcat", "amb")
DATA_FORMATS = ("parquet", "csv", "jsonl")
MANIFEST = "manifest.json"
GENERATOR = "oer-pipeline export"
# The metadata we publish (not the resources: each has its own licence_uri) is public
# domain, as OER aggregators commonly publish theirs.
CC0 = Licence(
    uri="https://creativecommons.org/publicdomain/zero/1.0/",
    spdx="CC0-1.0",
    title="Creative Commons Zero v1.0 Universal",
)

__all__ = [
    "DEFAULT_OUT",
    "FORMATS",
    "ExportError",
    "ExportOptions",
    "ExportResult",
    "export_warehouse",
    "parse_formats",
    "parse_since",
]


@dataclass(frozen=True)
class ExportOptions:
    formats: tuple[str, ...] = FORMATS
    out: Path = DEFAULT_OUT
    source: str | None = None
    since: date | None = None
    publisher: str = "oer-pipeline"
    licence: Licence = CC0


@dataclass
class ExportResult:
    out: str
    formats: list[str]  # as written: datapackage and dcat bring CSV when no data format is asked
    views: list[str]
    skipped_views: list[str]  # not exported (the summary views, with --since)
    rows: dict[str, int]  # view → rows exported
    files: list[dict]  # WrittenFile as dicts, in writing order
    bytes: int
    seconds: float
    seconds_by_format: dict[str, float]
    exported_at: str
    warnings: list[str] = field(default_factory=list)


def parse_formats(values: Iterable[str] | None) -> tuple[str, ...]:
    """`--format` values (repeated and/or comma-separated) → formats in FORMATS order; none
    given → all."""
    asked = {v.strip().lower() for value in values or () for v in value.split(",") if v.strip()}
    unknown = sorted(asked - set(FORMATS))
    if unknown:
        raise ExportError(f"unknown format {', '.join(unknown)} (known: {', '.join(FORMATS)})")
    return tuple(f for f in FORMATS if f in asked) or FORMATS


def parse_since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ExportError(f"--since must be an ISO date (YYYY-MM-DD), not {value!r}") from None


def _written_formats(asked: tuple[str, ...]) -> tuple[str, ...]:
    """The Data Package describes CSV files; the catalogue describes data files: CSV when
    no data format is asked."""
    needs_csv = "datapackage" in asked or (
        "dcat" in asked and not any(f in asked for f in (*DATA_FORMATS, "amb"))
    )
    return tuple(f for f in FORMATS if f in asked or (f == "csv" and needs_csv))


def export_warehouse(
    db: str | Path | None = None, options: ExportOptions | None = None
) -> ExportResult:
    """Export the analytics views of the warehouse at `db` into `options.out`, atomically.

    Raises ExportError (bad options, a directory that is not an export), WarehouseLocked /
    WarehouseError (the warehouse), duckdb.Error and OSError as they come.
    """
    options = options or ExportOptions()
    started = time.perf_counter()
    formats = _written_formats(options.formats)
    out = options.out
    con = connect(db, read_only=True)
    try:
        sources = wx.known_sources(con)
        if options.source is not None and options.source not in sources:
            known = ", ".join(sources) or "none"
            raise ExportError(f"unknown source {options.source!r} (in the warehouse: {known})")
        since = (
            datetime(options.since.year, options.since.month, options.since.day, tzinfo=UTC)
            if options.since is not None
            else None
        )
        selection = Selection(options.source, since)
        names = list(wx.RECORD_VIEWS if since is not None else wx.VIEW_KEYS)
        views = wx.describe_views(con, names)
        # without a data format, only v_resources is exported (as AMB documents)
        exported = names if set(formats) & set(DATA_FORMATS) else ["v_resources"]
        exported_at = datetime.now(UTC).replace(microsecond=0)
        meta = _meta(options, sources, exported_at, *wx.time_span(con, selection))
        with replaced_atomically(out, MANIFEST, "an earlier export", ExportError) as staged:
            files, warnings, seconds = _write_all(
                con, staged, formats, views, exported, selection, meta
            )
            result = ExportResult(
                out=str(out),
                formats=list(formats),
                views=exported,
                skipped_views=[v for v in wx.VIEW_KEYS if v not in names],
                rows=_rows_by_view(files, exported),
                files=[asdict(f) for f in files],
                bytes=sum(f.bytes for f in files),
                seconds=0.0,
                seconds_by_format=seconds,
                exported_at=wx.iso_utc(exported_at),
                warnings=warnings,
            )
            _write_manifest(staged, result, db, options)
    finally:
        con.close()
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _meta(
    options: ExportOptions,
    sources: list[str],
    exported_at: datetime,
    issued: datetime | None,
    modified: datetime | None,
) -> ExportMeta:
    description = (
        "Metadata of open educational resources harvested from OAI-PMH repositories and web "
        "sites, normalised (licence, openness, language) and labelled with the Sustainable "
        "Development Goals and the action areas of the 2019 UNESCO Recommendation on OER."
    )
    if options.source:
        description += f" Source: {options.source}."
    if options.since:
        description += f" Resources first seen or changed since {options.since.isoformat()}."
    return ExportMeta(
        title="Open educational resources (oer-pipeline export)",
        description=description,
        publisher=options.publisher,
        licence=options.licence,
        exported_at=exported_at,
        issued=issued,
        modified=modified,
        keywords=("open educational resources", "OER", "SDG", "UNESCO OER Recommendation"),
        sources=(options.source,) if options.source else tuple(sources),
    )


def _write_all(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    formats: tuple[str, ...],
    views: list[View],
    exported: list[str],
    selection: Selection,
    meta: ExportMeta,
) -> tuple[list[WrittenFile], list[str], dict[str, float]]:
    described = [v for v in views if v.name in exported]
    files: list[WrittenFile] = []
    warnings: list[str] = []
    seconds: dict[str, float] = {}

    def timed(fmt: str, write: Callable[[], list[WrittenFile]]) -> None:
        t = time.perf_counter()
        files.extend(write())
        seconds[fmt] = round(time.perf_counter() - t, 3)

    def amb() -> list[WrittenFile]:
        written, gaps = wx.write_amb(con, selection, root, sdg_base=SDG, area_base=ACTION_AREAS)
        warnings.extend(gaps)
        return [written]

    writers: dict[str, Callable[[], list[WrittenFile]]] = {
        "parquet": lambda: [f for v in views for f in wx.write_parquet(con, v, selection, root)],
        "csv": lambda: [wx.write_csv(con, v, selection, root) for v in views],
        "jsonl": lambda: [wx.write_jsonl(con, v, selection, root) for v in views],
        "amb": amb,
        "datapackage": lambda: [
            wx.write_datapackage(root, views, [f for f in files if f.format == "csv"], meta)
        ],
        "dcat": lambda: [wx.write_dcat(root, described, list(files), meta)],
    }
    # data first, then the metadata that describes it (the catalogue last: every file)
    for fmt in ("parquet", "csv", "jsonl", "amb", "datapackage", "dcat"):
        if fmt in formats:
            timed(fmt, writers[fmt])
    return files, warnings, seconds


def _rows_by_view(files: list[WrittenFile], views: list[str]) -> dict[str, int]:
    """Rows per exported view, counted in the first data format written (all have the same)."""
    rows = dict.fromkeys(views, 0)
    for fmt in (*DATA_FORMATS, "amb"):
        chosen = [f for f in files if f.format == fmt]
        if chosen:
            for f in chosen:
                rows[f.view] += f.rows
            break
    return rows


def _write_manifest(
    root: Path, result: ExportResult, db: str | Path | None, options: ExportOptions
) -> None:
    wx.write_json(
        root,
        MANIFEST,
        {
            "generator": GENERATOR,
            "exported_at": result.exported_at,
            "warehouse": str(resolve_path(db)),
            "options": {
                "formats": list(options.formats),
                "source": options.source,
                "since": options.since.isoformat() if options.since else None,
            },
            "formats": result.formats,
            "views": result.views,
            "skipped_views": result.skipped_views,
            "rows": result.rows,
            "files": result.files,
            "warnings": result.warnings,
        },
    )
