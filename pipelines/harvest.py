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
from warehouse import connect, transaction
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
        ("fetched_at", pa.timestamp("us")),  # UTC
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
    deleted: int = 0  # records that turned deleted in this run
    undeleted: int = 0  # deleted records that came back
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


class _Run:
    """One recorded harvest run: its warehouse connection, its counts, its issues."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source: Source, url: str, options: dict):
        self.con = con
        self.source = source
        run_id = start_run(
            con,
            source=source.name,
            endpoint=url,
            metadata_prefix=source.metadata_prefix,
            set_spec=",".join(source.sets) or None,
            from_=None,
            until=None,
            options=options,
            pipeline_version=PIPELINE_VERSION,
        )
        self.result = HarvestResult(run_id=run_id, source=source.name, endpoint=url)

    def issue(self, **fields) -> None:
        issues = self.result.issues
        issues[fields["code"]] = issues.get(fields["code"], 0) + 1
        add_run_issue(self.con, self.result.run_id, **fields)

    def fail(self, code: str, message: str, url: str | None = None, body: bytes | None = None):
        result = self.result
        result.status, result.error_code, result.error, result.error_url = (
            "failed",
            code,
            message,
            url,
        )
        self.issue(code=code, severity="error", message=message, url=url, raw_body=body)

    def flush(self, batch: _Batch) -> None:
        """Map and load one batch in one transaction: pages, raw payloads, records, issues."""
        if not batch.pages:
            return
        result, source = self.result, self.source
        shas = [hashlib.sha256(item.raw).hexdigest() for item in batch.items]
        records, failures = map_batch(source.name, source.metadata_prefix, batch.items, shas)
        with transaction(self.con) as con:
            add_pages(con, result.run_id, _pages_table(batch.pages))
            if batch.items:
                load_raw_records(con, result.run_id, _raw_table(source, batch, shas))
                counts = load_records(con, result.run_id, records_to_arrow(records))
                result.new += counts.new
                result.updated += counts.updated
                result.undeleted += counts.undeleted
                result.unchanged += counts.unchanged
                result.deleted += counts.deleted
            result.failed += len(failures)
            for failure in failures:
                self.issue(
                    code=failure.code,
                    severity="error",
                    message=failure.message,
                    oai_identifier=failure.oai_identifier,
                    raw_body=failure.raw,
                )
        for record in records:
            for record_issue in record.issues:
                code = record_issue["code"]
                result.issues[code] = result.issues.get(code, 0) + 1

    def finish(self, started: float) -> HarvestResult:
        result = self.result
        result.wall_s = round(time.perf_counter() - started, 3)
        result.peak_rss_mb = round(peak_rss_mb(), 1)
        finish_run(
            self.con,
            result.run_id,
            status=result.status,
            counts={
                "records_seen": result.records,
                "records_new": result.new,
                "records_updated": result.updated,
                "records_unchanged": result.unchanged,
                "records_deleted": result.deleted,
                "records_undeleted": result.undeleted,
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


def harvest_source(
    source: Source,
    *,
    db: str | Path | None = None,
    progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    timeout: float = 60.0,
) -> HarvestResult:
    """Harvest `source` completely into the warehouse at `db`, as one recorded run.

    Never raises a harvest error: the result (and `harvest_runs`) says how the run ended.
    Raises only what stops a run from being recorded at all (e.g. `WarehouseLocked`), and
    re-raises an interrupt after recording it.
    """
    started = time.perf_counter()
    options = {"batch_size": batch_size, "timeout": timeout}
    con = connect(db)
    try:
        upsert_sources(con, [source.as_row()])
        with resolved_endpoint(source) as url, fewer_gc_passes():
            run = _Run(con, source, url, options)
            try:
                _harvest_pages(run, url, progress, batch_size, timeout)
                run.result.status = "ok"
            except HarvestError as exc:
                run.fail(exc.code, str(exc), exc.url, exc.body)
            except BaseException as exc:
                interrupted = isinstance(exc, KeyboardInterrupt)
                run.fail(
                    "interrupted" if interrupted else "internal_error",
                    f"{type(exc).__name__}: {exc}",
                )
                raise
            finally:
                run.finish(started)
        return run.result
    finally:
        con.close()


def _harvest_pages(
    run: _Run, url: str, progress: ProgressCallback | None, batch_size: int, timeout: float
) -> None:
    source, result = run.source, run.result
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
                        run.flush(batch)
                        batch = _Batch()
                    if progress:
                        progress(result.records, expected)
        finally:
            run.flush(batch)  # what arrived before a failure is kept


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
    # fetched_at goes in as naive UTC (the warehouse session runs in UTC): converting
    # tz-aware values makes pyarrow import pandas, ~1.5 s on a small harvest.
    fetched_us = [round(p.fetched_at.timestamp() * 1_000_000) for p in pages]
    columns = {
        "page_number": [p.page_number for p in pages],
        "url": [p.url for p in pages],
        "http_status": [p.http_status for p in pages],
        "fetched_at": pa.array(fetched_us, pa.int64()).cast(pa.timestamp("us")),
        "elapsed_s": [p.elapsed_s for p in pages],
        "size_bytes": [p.size_bytes for p in pages],
        "n_items": [len(p.items) for p in pages],
        "resumption_token": [p.resumption_token for p in pages],
        "complete_list_size": [p.complete_list_size for p in pages],
        "response_date": [p.response_date for p in pages],
    }
    return pa.Table.from_pydict(columns, schema=_PAGE_SCHEMA)
