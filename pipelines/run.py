"""Bookkeeping of one harvest run: counts, issues, and the batch transaction.

`Run.flush` is the only place a harvest writes records, and it writes a batch's pages,
raw payloads, records, run issues and the window checkpoint in ONE transaction: after a
crash (kill -9 included) the warehouse holds either all of a batch and the checkpoint that
follows it, or neither, which is what makes resuming exact.
"""

from __future__ import annotations

import hashlib
import logging
import resource
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from harvesters.oai import Page, RecordItem
from pipelines.classification import classify_pending
from pipelines.registry import Source
from transforms.crosswalks import DECLARATIONS, map_batch
from transforms.crosswalks.coverage import Tally
from transforms.model import records_to_arrow
from transforms.normalise import Settings, normalise_batch
from warehouse import transaction
from warehouse.load import (
    add_pages,
    add_run_issue,
    finish_run,
    load_coverage,
    load_raw_records,
    load_records,
    start_run,
)
from warehouse.snapshot import publish
from warehouse.state import add_listed, checkpoint, finish_window, worse_status

PIPELINE_VERSION = "0.2.0"
PUBLISHED = ("ok", "partial")  # runs after which the snapshot is published
LOGGED_PER_CODE = 20  # run issues logged per code and run; all of them are in run_issues

log = logging.getLogger(__name__)
_LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO}


@dataclass
class HarvestResult:
    """What a harvest run did; `as_json` is the CLI's `--json` line."""

    run_id: str
    source: str
    endpoint: str
    mode: str = "full"
    status: str = "running"
    records: int = 0  # items received (deleted headers included)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0  # records that turned deleted in this run (headers or sweep)
    undeleted: int = 0  # deleted records that came back
    failed: int = 0  # records no crosswalk could map (kept raw, in run_issues)
    quarantined: int = 0  # records the repository sent broken (kept raw, in run_issues)
    pages: int = 0
    bytes: int = 0
    windows: int = 0
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0
    resumed_from: str | None = None
    deferred_until: datetime | None = None
    error_code: str | None = None
    error: str | None = None
    error_url: str | None = None
    issues: dict[str, int] = field(default_factory=dict)
    sweep: dict | None = None  # the periodic sweep run that followed, when one was due
    classified: int | None = None  # records classified after the load (None: not run/failed)
    snapshot: str | None = None  # the read-only snapshot published after the run, if any

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a window stands after the batch it travels with."""

    window_no: int
    resumption_token: str | None  # the token to request next; None when the list ended
    pages_done: int
    records_done: int
    complete_list_size: int | None
    response_date: str | None
    window_done: bool = False


class Batch:
    """Items waiting to be mapped and loaded, with the page each came from."""

    def __init__(self, window_no: int) -> None:
        self.window_no = window_no
        self.items: list[RecordItem] = []
        self.page_urls: list[str] = []
        self.pages: list[tuple[int, Page]] = []  # (page number within the run, page)
        self.unloaded: list[RecordItem] = []  # listed, not loaded (quarantined): not swept

    def add(self, page_number: int, page: Page) -> None:
        self.pages.append((page_number, page))
        self.add_items(page.items, page.url)

    def add_items(self, items: list[RecordItem], url: str) -> None:
        self.items.extend(items)
        self.page_urls.extend([url] * len(items))

    def __len__(self) -> int:
        return len(self.items)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Run:
    """One recorded run in `harvest_runs`, from `start_run` to `finish_run`."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        source: Source,
        url: str,
        *,
        mode: str,
        options: dict,
        resumed_from: str | None = None,
        keep_listing: bool = False,
    ):
        self.con = con
        self.source = source
        self.normalise = Settings.for_source(source.defaults)
        self.keep_listing = keep_listing  # store listed identifiers for a later sweep
        self.listing_only = False  # a sweep pass: headers are listed, never loaded as records
        self.page_count = 0
        self._events_recorded = 0
        self.status = "ok"  # the worst outcome so far; errors raise instead
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
            mode=mode,
            resumed_from_run_id=resumed_from,
        )
        self.result = HarvestResult(
            run_id=run_id, source=source.name, endpoint=url, mode=mode, resumed_from=resumed_from
        )

    @property
    def run_id(self) -> str:
        return self.result.run_id

    def worsen(self, status: str) -> None:
        self.status = worse_status(self.status, status)

    def issue(self, **fields) -> None:
        issues, code = self.result.issues, fields["code"]
        issues[code] = issues.get(code, 0) + 1
        add_run_issue(self.con, self.run_id, **fields)
        self._log_issue(issues[code], **fields)

    def _log_issue(self, nth: int, *, code: str, severity: str, message: str, **fields) -> None:
        """The issue in the log (the Prefect run's log under a flow), naming the page and
        record; past LOGGED_PER_CODE of one code, one line says the rest are in run_issues."""
        if nth > LOGGED_PER_CODE + 1:
            return
        source, level = self.source.name, _LEVELS.get(severity, logging.WARNING)
        if nth > LOGGED_PER_CODE:
            log.log(level, "%s: more %s issues: see run_issues of run %s", source, code,
                    self.run_id)  # fmt: skip
            return
        where = "".join(
            f" {label} {fields[key]}"
            for key, label in (("oai_identifier", "record"), ("url", "at"))
            if fields.get(key) and fields[key] not in message
        )
        said = message if message.startswith(code) else f"{code}: {message}"
        log.log(level, "%s: %s%s", source, said, where)

    def fail(
        self,
        status: str,
        code: str,
        message: str,
        url: str | None = None,
        body: bytes | None = None,
    ) -> None:
        result = self.result
        result.error_code, result.error, result.error_url = code, message, url
        self.status = status
        self.issue(code=code, severity="error", message=message, url=url, raw_body=body)

    def fail_on_exception(self, exc: BaseException) -> None:
        """End the run on an unexpected exception: interrupted (Ctrl-C) or failed."""
        interrupted = isinstance(exc, KeyboardInterrupt)
        self.fail(
            "interrupted" if interrupted else "failed",
            "interrupted" if interrupted else "internal_error",
            f"{type(exc).__name__}: {exc}",
        )

    def record_events(self, events: list) -> None:
        """Client events (retries, warnings on Identify…) not recorded yet → run issues."""
        for event in events[self._events_recorded :]:
            self.issue(
                code=event.code, severity=event.severity, message=event.message, url=event.url
            )
        self._events_recorded = len(events)

    def count_pages(self, page: Page) -> int:
        self.page_count += 1
        self.result.pages += 1
        self.result.bytes += page.size_bytes
        self.result.records += len(page.items)
        return self.page_count

    def flush(self, batch: Batch, point: Checkpoint | None) -> None:
        """Map and load one batch together with its checkpoint, in one transaction."""
        source = self.source
        shas, records, failures = [], [], []
        tally = Tally()
        if not self.listing_only:
            shas = [hashlib.sha256(item.raw).hexdigest() for item in batch.items]
            records, failures = map_batch(
                source.name, source.metadata_prefix, batch.items, shas, tally
            )
        with transaction(self.con) as con:
            if batch.pages:
                add_pages(con, self.run_id, _pages_table(batch))
            if batch.items and not self.listing_only:
                load_raw_records(con, self.run_id, _raw_table(source, batch, shas))
                self.load_mapped(con, records, tally, source.metadata_prefix)
            if self.keep_listing and (batch.items or batch.unloaded):
                add_listed(con, self.run_id, _listing_table(batch))
            for failure in failures:
                self.issue(
                    code=failure.code,
                    severity="error",
                    message=failure.message,
                    oai_identifier=failure.oai_identifier,
                    raw_body=failure.raw,
                )
            self._warnings(batch)
            if point is not None:
                checkpoint(
                    con,
                    self.run_id,
                    point.window_no,
                    resumption_token=point.resumption_token,
                    pages_done=point.pages_done,
                    records_done=point.records_done,
                    complete_list_size=point.complete_list_size,
                    response_date=point.response_date,
                )
                if point.window_done:
                    finish_window(con, self.run_id, point.window_no, "done")
        self.count_mapped(records, failures)

    def load_mapped(
        self, con: duckdb.DuckDBPyConnection, records: list, tally: Tally, metadata_prefix: str
    ) -> None:
        """Normalise mapped records and load them with their coverage counts (in the
        caller's transaction)."""
        result = self.result
        normalise_batch(records, self.normalise)
        counts = load_records(con, self.run_id, records_to_arrow(records))
        result.new += counts.new
        result.updated += counts.updated
        result.undeleted += counts.undeleted
        result.unchanged += counts.unchanged
        result.deleted += counts.deleted
        load_coverage(con, self.run_id, self.source.name, metadata_prefix, tally.rows(DECLARATIONS))

    def count_mapped(self, records: list, failures: list) -> None:
        """A mapped batch in the counts: failures make the run partial; record issues are
        counted by code (info-level ones, hygiene, stay on the record only)."""
        result = self.result
        if failures:
            result.failed += len(failures)
            self.worsen("partial")
        for record in records:
            for record_issue in record.issues:
                if record_issue["severity"] != "info":
                    code = record_issue["code"]
                    result.issues[code] = result.issues.get(code, 0) + 1

    def _warnings(self, batch: Batch) -> None:
        for _, page in batch.pages:
            if page.redirects:
                self.issue(
                    code="redirected",
                    severity="info",
                    url=page.url,
                    message=f"followed {len(page.redirects)} redirect(s) from {page.redirects[0]}",
                )
            for warning in page.warnings:
                self.issue(
                    code=warning.code, severity="warning", message=warning.message, url=page.url
                )
        for item, url in zip(batch.items, batch.page_urls, strict=True):
            for warning in item.warnings:
                self.issue(
                    code=warning.code,
                    severity="warning",
                    message=warning.message,
                    url=url,
                    oai_identifier=item.identifier,
                )

    def quarantine(self, identifier: str, message: str, url: str | None, body: bytes | None):
        self.result.quarantined += 1
        self.worsen("partial")
        self.issue(
            code="record_quarantined",
            severity="error",
            message=message,
            url=url,
            oai_identifier=identifier,
            raw_body=body,
        )

    def classify(self) -> BaseException | None:
        """Classify the source's new and changed records once the run's are loaded. A
        failure is a run issue (classification_failed), never the end of the run; an
        interrupt is returned, to be re-raised once the run is recorded."""
        try:
            self.result.classified = classify_pending(self.con, source=self.source.name).records
        except (Exception, KeyboardInterrupt) as exc:
            message = f"{type(exc).__name__}: {exc}"
            self.issue(code="classification_failed", severity="error", message=message)
            return exc if isinstance(exc, KeyboardInterrupt) else None
        return None

    def publish(self, path: Path) -> None:
        """After an ok or partial run, publish the warehouse's read-only snapshot; a failure
        is a run issue (snapshot_failed), never the end of the run."""
        if self.result.status not in PUBLISHED:
            return
        try:
            self.result.snapshot = str(publish(self.con, path).path)
        except (OSError, duckdb.Error) as exc:
            message = f"{type(exc).__name__}: {exc}"
            self.issue(code="snapshot_failed", severity="error", message=message)

    def finish(self, started: float, *, expected: int | None, previous: int | None) -> None:
        result = self.result
        classify = self.status != "interrupted" and not self.listing_only
        stopped = self.classify() if classify else None
        result.status = self.status
        result.wall_s = round(time.perf_counter() - started, 3)
        result.peak_rss_mb = round(peak_rss_mb(), 1)
        finish_run(
            self.con,
            self.run_id,
            status=result.status,
            counts={
                "records_seen": result.records,
                "records_new": result.new,
                "records_updated": result.updated,
                "records_unchanged": result.unchanged,
                "records_deleted": result.deleted,
                "records_undeleted": result.undeleted,
                "records_failed": result.failed,
                "records_quarantined": result.quarantined,
                "pages": result.pages,
                "bytes": result.bytes,
            },
            error_code=result.error_code,
            error_message=result.error,
            error_url=result.error_url,
            wall_s=result.wall_s,
            peak_rss_mb=result.peak_rss_mb,
            expected_records=expected,
            previous_records=previous,
            deferred_until=result.deferred_until,
        )
        if stopped is not None:
            raise stopped


# The Arrow shapes warehouse.load.load_raw_records / add_pages take (web harvests too).
RAW_SCHEMA = pa.schema(
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
PAGE_SCHEMA = pa.schema(
    [
        ("page_number", pa.int32()),
        ("window_no", pa.int32()),
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


def _raw_table(source: Source, batch: Batch, shas: list[str]) -> pa.Table:
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
        schema=RAW_SCHEMA,
    )


def _listing_table(batch: Batch) -> pa.Table:
    items = batch.items + batch.unloaded
    return pa.table(
        {
            "oai_identifier": [i.identifier for i in items],
            "window_no": pa.array([batch.window_no] * len(items), pa.int32()),
            "datestamp": [i.datestamp for i in items],
            "deleted": [i.deleted for i in items],
        }
    )


def _pages_table(batch: Batch) -> pa.Table:
    pages = [page for _, page in batch.pages]
    # fetched_at goes in as naive UTC (the warehouse session runs in UTC): converting
    # tz-aware values makes pyarrow import pandas, ~1.5 s on a small harvest.
    fetched_us = [round(p.fetched_at.timestamp() * 1_000_000) for p in pages]
    columns = {
        "page_number": [number for number, _ in batch.pages],
        "window_no": [batch.window_no] * len(pages),
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
    return pa.Table.from_pydict(columns, schema=PAGE_SCHEMA)
