"""Harvest one source into the warehouse: OAI-PMH pages → crosswalk → Arrow → DuckDB.

The stages stream: pages are fetched one ahead in a background thread while the
previous batch is mapped and loaded, so memory stays bounded by `batch_size`.
Every failure is classified and kept (run issue + raw body); records harvested before
a failure are loaded, never thrown away, and the run says exactly where it stopped.
"""

from __future__ import annotations

import gc
import hashlib
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from harvesters.oai import HarvestError, OAIClient, Page, RecordItem
from pipelines.concurrency import prefetch
from pipelines.registry import Source
from transforms.crosswalks import map_batch
from transforms.model import records_to_arrow
from warehouse import connect
from warehouse.load import (
    add_pages,
    add_run_issue,
    finish_run,
    load_raw_records,
    load_records,
    start_run,
    upsert_sources,
)

PIPELINE_VERSION = "0.1.0"
DEFAULT_BATCH_SIZE = 5_000

ProgressCallback = Callable[[int, int | None], None]  # (records so far, expected total)

_RAW_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("oai_identifier", pa.string()),
        ("metadata_prefix", pa.string()),
        ("datestamp", pa.string()),
        ("payload_sha256", pa.string()),
        ("payload", pa.string()),
        ("page_url", pa.string()),
    ]
)
_PAGE_SCHEMA = pa.schema(
    [
        ("page_number", pa.int32()),
        ("url", pa.string()),
        ("http_status", pa.int32()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("elapsed_s", pa.float64()),
        ("size_bytes", pa.int64()),
        ("n_items", pa.int32()),
        ("resumption_token", pa.string()),
        ("complete_list_size", pa.int64()),
        ("response_date", pa.string()),
    ]
)


@dataclass
class HarvestResult:
    run_id: str
    source: str
    endpoint: str
    status: str = "running"
    records: int = 0  # items received (deleted headers included)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    pages: int = 0
    bytes: int = 0
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0
    error_code: str | None = None
    error: str | None = None
    error_url: str | None = None
    issues: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        return asdict(self)


@contextmanager
def resolved_endpoint(source: Source) -> Iterator[str]:
    """The URL to harvest; `embedded:demo` starts the bundled server for the duration."""
    if source.endpoint == "embedded:demo":
        from pipelines.demo.server import DemoServer

        with DemoServer() as server:
            yield server.base_url
    else:
        yield source.endpoint


@contextmanager
def fewer_gc_passes() -> Iterator[None]:
    """Run the cyclic GC's youngest generation every 100,000 allocations instead of 700.

    A harvest allocates millions of small, acyclic objects (values, dicts, lists); the
    default threshold re-scans them constantly, which cost ~20 % of wall time at 100k
    records (docs/performance.md). Restored afterwards.
    """
    saved = gc.get_threshold()
    gc.set_threshold(100_000, saved[1], saved[2])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Batch:
    """Items waiting to be mapped and loaded, with the page each came from."""

    def __init__(self) -> None:
        self.items: list[RecordItem] = []
        self.page_urls: list[str] = []
        self.pages: list[Page] = []

    def add(self, page: Page) -> None:
        self.pages.append(page)
        self.items.extend(page.items)
        self.page_urls.extend([page.url] * len(page.items))

    def __len__(self) -> int:
        return len(self.items)


def harvest_source(
    source: Source,
    *,
    db: str | Path | None = None,
    progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    timeout: float = 60.0,
) -> HarvestResult:
    """Harvest `source` completely into the warehouse at `db`; never raises HarvestError.

    Raises only what stops us before a run can be recorded (e.g. `WarehouseLocked`).
    """
    started = time.perf_counter()
    with fewer_gc_passes():
        return _recorded_harvest(source, db, progress, batch_size, timeout, started)


def _recorded_harvest(
    source: Source,
    db: str | Path | None,
    progress: ProgressCallback | None,
    batch_size: int,
    timeout: float,
    started: float,
) -> HarvestResult:
    con = connect(db)
    try:
        upsert_sources(con, [source.as_row()])
        with resolved_endpoint(source) as url:
            run_id = start_run(
                con,
                source=source.name,
                endpoint=url,
                metadata_prefix=source.metadata_prefix,
                set_spec=",".join(source.sets) or None,
                from_=None,
                until=None,
                options={"batch_size": batch_size, "timeout": timeout},
                pipeline_version=PIPELINE_VERSION,
            )
            result = HarvestResult(run_id=run_id, source=source.name, endpoint=url)
            try:
                _harvest_into(con, source, url, result, progress, batch_size, timeout)
                result.status = "ok"
            except HarvestError as exc:
                result.status = "failed"
                result.error_code, result.error, result.error_url = exc.code, str(exc), exc.url
                _issue(
                    con,
                    result,
                    code=exc.code,
                    severity="error",
                    message=str(exc),
                    url=exc.url,
                    raw_body=exc.body,
                )
            except BaseException as exc:
                result.status = "failed"
                result.error_code = (
                    "interrupted" if isinstance(exc, KeyboardInterrupt) else ("internal_error")
                )
                result.error = f"{type(exc).__name__}: {exc}"
                _issue(con, result, code=result.error_code, severity="error", message=result.error)
                raise
            finally:
                result.wall_s = round(time.perf_counter() - started, 3)
                result.peak_rss_mb = round(peak_rss_mb(), 1)
                finish_run(
                    con,
                    run_id,
                    status=result.status,
                    counts={
                        "records_seen": result.records,
                        "records_new": result.new,
                        "records_updated": result.updated,
                        "records_unchanged": result.unchanged,
                        "records_deleted": result.deleted,
                        "records_failed": result.failed,
                        "pages": result.pages,
                        "bytes": result.bytes,
                    },
                    error_code=result.error_code,
                    error_message=result.error,
                    error_url=result.error_url,
                    wall_s=result.wall_s,
                    peak_rss_mb=result.peak_rss_mb,
                )
        return result
    finally:
        con.close()


def _harvest_into(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    url: str,
    result: HarvestResult,
    progress: ProgressCallback | None,
    batch_size: int,
    timeout: float,
) -> None:
    with OAIClient(url, timeout=timeout) as client:
        client.identify()  # fails fast, and classified, when the URL is not an OAI-PMH endpoint
        expected: int | None = None
        batch = _Batch()
        try:
            for set_spec in source.sets or (None,):
                pages = client.list_records(source.metadata_prefix, set_spec=set_spec)
                for page in prefetch(pages):
                    if page.page_number == 1 and page.complete_list_size is not None:
                        expected = (expected or 0) + page.complete_list_size
                    batch.add(page)
                    result.pages += 1
                    result.bytes += page.size_bytes
                    result.records += len(page.items)
                    if len(batch) >= batch_size:
                        _flush(con, source, result, batch)
                        batch = _Batch()
                    if progress:
                        progress(result.records, expected)
        finally:
            _flush(con, source, result, batch)  # what arrived before a failure is kept


def _flush(
    con: duckdb.DuckDBPyConnection, source: Source, result: HarvestResult, batch: _Batch
) -> None:
    if batch.pages:
        add_pages(con, result.run_id, _pages_table(batch.pages))
    if not batch.items:
        return
    shas = [hashlib.sha256(item.raw).hexdigest() for item in batch.items]
    load_raw_records(con, result.run_id, _raw_table(source, batch, shas))
    records, failures = map_batch(source.name, source.metadata_prefix, batch.items, shas)
    counts = load_records(con, result.run_id, records_to_arrow(records))
    result.new += counts.new
    result.updated += counts.updated + counts.undeleted
    result.unchanged += counts.unchanged
    result.deleted += counts.deleted
    result.failed += len(failures)
    for failure in failures:
        _issue(
            con,
            result,
            code=failure.code,
            severity="error",
            message=failure.message,
            oai_identifier=failure.oai_identifier,
            raw_body=failure.raw,
        )
    for record in records:
        for issue in record.issues:
            result.issues[issue["code"]] = result.issues.get(issue["code"], 0) + 1


def _issue(con: duckdb.DuckDBPyConnection, result: HarvestResult, **fields) -> None:
    result.issues[fields["code"]] = result.issues.get(fields["code"], 0) + 1
    add_run_issue(con, result.run_id, **fields)


def _raw_table(source: Source, batch: _Batch, shas: list[str]) -> pa.Table:
    items = batch.items
    return pa.Table.from_pydict(
        {
            "source": [source.name] * len(items),
            "oai_identifier": [i.identifier for i in items],
            "metadata_prefix": [source.metadata_prefix] * len(items),
            "datestamp": [i.datestamp for i in items],
            "payload_sha256": shas,
            "payload": [i.raw.decode("utf-8") for i in items],
            "page_url": batch.page_urls,
        },
        schema=_RAW_SCHEMA,
    )


def _pages_table(pages: list[Page]) -> pa.Table:
    # fetched_at goes in as epoch microseconds: pyarrow's first conversion of tz-aware
    # datetimes costs ~0.9 s (it loads its time-zone support), which this sidesteps.
    fetched_us = [round(p.fetched_at.timestamp() * 1_000_000) for p in pages]
    columns = {
        "page_number": [p.page_number for p in pages],
        "url": [p.url for p in pages],
        "http_status": [p.http_status for p in pages],
        "fetched_at": pa.array(fetched_us, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
        "elapsed_s": [p.elapsed_s for p in pages],
        "size_bytes": [p.size_bytes for p in pages],
        "n_items": [len(p.items) for p in pages],
        "resumption_token": [p.resumption_token for p in pages],
        "complete_list_size": [p.complete_list_size for p in pages],
        "response_date": [p.response_date for p in pages],
    }
    return pa.Table.from_pydict(columns, schema=_PAGE_SCHEMA)
