"""Harvest one source into the warehouse, incrementally, resumably, window by window.

    harvest_source(source, db=...)  →  HarvestResult (also a row in harvest_runs)

What a run does (mode "auto"):
1. If an earlier run of the source was interrupted (kill -9, Ctrl-C) or deferred, resume
   it: carry its windows and checkpoints over and go on from the last checkpoint.
2. Else, with a cursor from the last complete run: an incremental run from the cursor
   (the responseDate of that run minus one granularity unit) to now.
3. Else a full run, in date windows (`pipelines.windows`).
A window is the unit of retry: a bad resumption token redoes that window only; a window
that keeps failing splits in two; a page with a broken record falls back to
ListIdentifiers + GetRecord for that window, so only the broken record is quarantined.
The end status is the taxonomy of `issue_codes`: ok, partial, suspect, deferred, blocked,
failed, interrupted.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from harvesters.oai import (
    BadResumptionToken,
    HarvestError,
    HTTPStatusError,
    OAIClient,
    RetryAfterTooLong,
    RetryPolicy,
    TransportError,
    XMLParseError,
)
from pipelines.concurrency import prefetch
from pipelines.formats import choose_format
from pipelines.registry import Source
from pipelines.run import Batch, Checkpoint, HarvestResult, Run
from pipelines.windows import (
    SECONDS,
    Window,
    first_window,
    following,
    format_datestamp,
    parse_datestamp,
    split,
)
from warehouse import connect, resolve_path
from warehouse.load import upsert_sources
from warehouse.state import (
    carry_windows,
    create_windows,
    finish_window,
    get_state,
    interrupt_dead_runs,
    listed_identifiers,
    overlap_cursor,
    previous_complete_run,
    resumable_run,
    retry_window,
    save_identify,
    set_cursor,
    set_format,
    split_window,
    start_window,
    sweep_deleted,
    window_totals,
    windows,
)

if TYPE_CHECKING:
    from pipelines.web import SitemapOptions

log = logging.getLogger(__name__)

__all__ = ["HarvestOptions", "HarvestResult", "SourceDeferred", "harvest_source"]

ProgressCallback = Callable[[int, int | None], None]  # (records so far, expected total)
MODES = ("auto", "full", "incremental", "sweep")


@dataclass(frozen=True)
class HarvestOptions:
    """How to harvest; per-source values come from `defaults` in sources.toml."""

    mode: str = "auto"
    batch_size: int = 5_000  # records per load transaction
    flush_every_s: float = 5.0  # ... or a checkpoint at least this often on slow servers
    timeout: float = 60.0
    windowed: bool = True
    max_window_records: int = 200_000  # split a window whose completeListSize is larger
    small_window_records: int = 1_000  # after a smaller window, the next one doubles
    drop_threshold: float = 0.15  # a count drop above this share makes the run suspect
    window_attempts: int = 2  # attempts of a window (bad token, …) before it splits/fails
    max_retries: int = 6
    max_wait_s: float = 900.0  # a longer Retry-After defers the run
    backoff_base_s: float = 1.0
    host_delay_s: float = 0.0
    contact_url: str | None = None
    sweep: bool = True  # mark-and-sweep after complete full runs where deletedRecord != persistent
    sweep_every_days: float = 7.0  # auto mode: a ListIdentifiers sweep pass when the last is older

    @classmethod
    def for_source(cls, source: Source, **overrides: object) -> HarvestOptions:
        known = {f.name for f in fields(cls)}
        unknown = set(source.defaults) - known
        if unknown:
            raise ValueError(f"source {source.name!r}: unknown defaults {sorted(unknown)}")
        values = {**source.defaults, **{k: v for k, v in overrides.items() if v is not None}}
        options = cls(**values)
        if options.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {options.mode!r}")
        return options

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_retries,
            max_wait_s=self.max_wait_s,
            backoff_base_s=self.backoff_base_s,
        )


class SourceDeferred(Exception):
    """The repository asked us to wait; the source may be harvested again after `until`."""

    def __init__(self, source: str, until: datetime):
        super().__init__(
            f"source {source!r} is deferred until {until:%Y-%m-%d %H:%M:%S} UTC "
            "(the repository asked us to wait); run it again after that"
        )
        self.until = until


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
    records (docs/decisions.md). Restored when the last harvest of the process ends
    (harvest-all runs several in threads).
    """
    global _gc_harvests, _gc_saved
    with _gc_lock:
        if _gc_harvests == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(100_000, _gc_saved[1], _gc_saved[2])
        _gc_harvests += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_harvests -= 1
            if _gc_harvests == 0:
                gc.set_threshold(*_gc_saved)


_gc_lock = threading.Lock()
_gc_harvests = 0  # harvests running in this process
_gc_saved = gc.get_threshold()  # the threshold before the first of them


def prepare_warehouse(db: str | Path | None = None) -> None:
    """Create or migrate the warehouse now, before several runs of one process open it."""
    connect(db).close()


def harvest_source(
    source: Source,
    *,
    db: str | Path | None = None,
    progress: ProgressCallback | None = None,
    options: HarvestOptions | SitemapOptions | None = None,
    publish: bool = True,
) -> HarvestResult:
    """Harvest `source` into the warehouse at `db` as one recorded run.

    OAI-PMH sources are harvested here; `kind = "sitemap"` sources by pipelines.web.

    Never raises a harvest error: the result (and harvest_runs) says how the run ended.
    Raises only what stops a run from being recorded at all (`WarehouseLocked`,
    `SourceDeferred`), and re-raises an interrupt after recording the run as interrupted.
    `publish`: after an ok or partial run, copy the warehouse to its read-only snapshot
    (warehouse/snapshot.py; harvest-all publishes once, after all its runs, instead).
    """
    if source.kind == "sitemap":  # web pages with JSON-LD: crawled by Scrapy, pipelines/web.py
        from pipelines.web import SitemapOptions, harvest_sitemap

        web_options = options if isinstance(options, SitemapOptions) else None
        return harvest_sitemap(
            source,
            db=db,
            progress=progress,
            options=web_options or SitemapOptions.for_source(source),
            publish=publish,
        )
    options = options or HarvestOptions.for_source(source)
    started = time.perf_counter()
    con = connect(db)
    try:
        upsert_sources(con, [source.as_row()])
        previous = _resumable(con, source, options)
        with resolved_endpoint(source) as url, fewer_gc_passes(), _client(url, options) as client:
            chosen, format_issues = _with_format(con, source, client, options, previous)
            harvest = _Harvest(con, chosen, url, client, options, progress, previous)
            for issue in format_issues:
                harvest.run.issue(**issue)
            harvest.run_all(started)
        sweep_due = options.mode == "auto" and _sweep_due(con, harvest, options)
        if publish and not sweep_due:
            harvest.run.publish(resolve_path(db))
    finally:
        con.close()
    result = harvest.run.result
    if sweep_due:
        sweep = harvest_source(
            source, db=db, options=replace(options, mode="sweep"), publish=publish
        )
        result.snapshot = sweep.snapshot
        result.sweep = {"run_id": sweep.run_id, "status": sweep.status, "swept": sweep.deleted}
    return result


def _with_format(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    client: OAIClient,
    options: HarvestOptions,
    previous: dict | None,
) -> tuple[Source, list[dict]]:
    """`source` with the metadataPrefix this run harvests, and the issues of that choice.

    A resumed run keeps its own prefix; a sweep pass lists the prefix last harvested.
    """
    state = get_state(con, source.name) or {}
    if previous:
        return replace(source, metadata_prefix=previous["metadata_prefix"]), []
    if options.mode == "sweep" and state.get("metadata_prefix"):
        return replace(source, metadata_prefix=state["metadata_prefix"]), []
    choice = choose_format(source.metadata_prefix, client, state.get("metadata_prefix"))
    issues = list(choice.issues)
    if set_format(con, source.name, choice.prefix, choice.reason):
        issues.append(
            {
                "code": "format_changed",
                "severity": "info",
                "message": f"harvesting {choice.prefix} instead of {state['metadata_prefix']} "
                f"({choice.reason}): a full harvest",
            }
        )
    return replace(source, metadata_prefix=choice.prefix), issues


def _sweep_due(con: duckdb.DuckDBPyConnection, harvest: _Harvest, options: HarvestOptions) -> bool:
    """After a complete incremental run of a repository that forgets deletions, is the
    periodic ListIdentifiers pass due?"""
    run, state = harvest.run, get_state(con, harvest.source.name) or {}
    if harvest.mode != "incremental" or run.status not in ("ok", "partial"):
        return False
    if not options.sweep or state.get("deleted_record") not in ("no", "transient"):
        return False
    last = state.get("last_sweep_at")
    if last is None:
        return True
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return datetime.now(UTC) - last > timedelta(days=options.sweep_every_days)


def raise_if_deferred(source: str, until: datetime) -> None:
    """SourceDeferred while `until` (naive = UTC) is still ahead: the source asked us to wait."""
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    if until > datetime.now(UTC):
        raise SourceDeferred(source, until)


def _client(url: str, options: HarvestOptions) -> OAIClient:
    return OAIClient(
        url,
        timeout=options.timeout,
        retry=options.retry_policy(),
        host_delay_s=options.host_delay_s,
        contact_url=options.contact_url,
    )


def _resumable(con: duckdb.DuckDBPyConnection, source: Source, options: HarvestOptions):
    """The run to resume, if any, after closing the runs of the source whose process died."""
    # We hold the warehouse's write lock, so no live process is writing a 'running' run;
    # one killed before it planned a window is closed too, though nothing is left to resume.
    interrupt_dead_runs(con, source.name)
    if options.mode not in ("auto",):
        return None
    # listed_too: a run killed after listing everything only needs finishing
    previous = resumable_run(con, source.name, listed_too=True)
    if previous and previous["status"] == "deferred" and previous.get("deferred_until"):
        raise_if_deferred(source.name, previous["deferred_until"])
    return previous


class _Harvest:
    """The windows of one run, harvested in order, with their retries and fallbacks."""

    def __init__(self, con, source, url, client, options, progress, previous):
        self.con = con
        self.source = source
        self.client = client
        self.options = options
        self.progress = progress
        self.previous = previous
        self.state = get_state(con, source.name) or {}
        self.mode = self._mode()
        self.granularity = SECONDS
        self.expected: int | None = None  # for progress; harvest_runs takes `_expected()`
        self.ignores_dates = False  # the server answered a window with records outside it
        self.response_date_at_start: str | None = None
        # per set: the `until` of its last planned window; None = it reaches the present
        self.frontier: dict[str | None, str | None] = {}
        self.run_options = self._run_options()
        self.run = Run(
            con,
            source,
            url,
            mode="resume" if previous else self.mode,
            options=self.run_options,
            resumed_from=previous["run_id"] if previous else None,
            keep_listing=self._keeps_listing(),
        )

    def _mode(self) -> str:
        if self.previous:
            return self.previous["effective_mode"]
        if self.options.mode != "auto":
            return self.options.mode
        return "incremental" if self.state.get("cursor_from") else "full"

    def _keeps_listing(self) -> bool:
        if self.mode == "sweep":
            return True
        deletions_reported = self.state.get("deleted_record", "persistent") == "persistent"
        return self.options.sweep and self.mode == "full" and not deletions_reported

    def _run_options(self) -> dict:
        values = {f.name: getattr(self.options, f.name) for f in fields(self.options)}
        if self.previous:
            options = self.previous.get("options") or {}
            if isinstance(options, str):  # a JSON column comes back as text
                options = json.loads(options)
            values["response_date_at_start"] = options.get("response_date_at_start")
        return values

    # ------------------------------------------------------------------- the run

    def run_all(self, started: float) -> None:
        run = self.run
        try:
            self._identify()
            self._plan()
            while (window := self._next_window()) is not None:
                self._harvest_window(window)
                self.run.record_events(self.client.events)
            self._gates()
        except RetryAfterTooLong as exc:
            run.result.deferred_until = exc.resume_at
            run.fail("deferred", exc.code, str(exc), exc.url, exc.body)
        except HarvestError as exc:
            status, code = _outcome(exc)
            run.fail(status, code, str(exc), exc.url, exc.body)
        except BaseException as exc:
            run.fail_on_exception(exc)
            raise
        finally:
            self._finish(started)

    def _identify(self) -> None:
        identify = self.client.identify()  # fails fast, classified, if the URL is not OAI-PMH
        self.granularity = self._identify_value(
            "granularity", identify.granularity, ("YYYY-MM-DD", SECONDS), SECONDS
        )
        deleted = self._identify_value(
            "deletedRecord", identify.deleted_record, ("no", "transient", "persistent"), "no"
        )
        save_identify(
            self.con,
            self.source.name,
            granularity=self.granularity,
            earliest_datestamp=identify.earliest_datestamp,
            deleted_record=deleted,
        )
        self.state = get_state(self.con, self.source.name) or {}
        # A resumed run keeps the start of the run it continues: the cursor must not pass
        # over records that changed while the harvest was interrupted.
        carried = self.run_options.get("response_date_at_start")
        self.response_date_at_start = carried or identify.response_date or _now_stamp()
        if not carried:
            _remember_start(self.con, self.run.run_id, self.response_date_at_start)
        self.earliest = identify.earliest_datestamp
        # deletedRecord is known only now: a first full run keeps its listing too
        self.run.keep_listing = self._keeps_listing()
        self.run.listing_only = self.mode == "sweep"

    def _identify_value(self, name: str, value: str | None, allowed: tuple, safest: str) -> str:
        """An Identify value OAI-PMH allows, else the safest one — said, never silent."""
        if value in allowed:
            return value
        self.run.issue(
            code="identify_value",
            severity="warning",
            message=f"Identify gives {name} {value!r}, not one of {', '.join(allowed)}; "
            f"harvesting as {safest!r}",
        )
        return safest

    def _plan(self) -> None:
        if self.previous:
            carried = carry_windows(self.con, self.run.run_id, self.previous["run_id"])
            for set_spec in {w["set_spec"] for w in carried}:
                self.frontier[set_spec] = _frontier(
                    [w for w in carried if w["set_spec"] == set_spec]
                )
            return
        sets = self.source.sets or (None,)
        planned = []
        for set_spec in sets:
            start, until = self._first_bounds()
            planned.append({"set_spec": set_spec, "from_date": start, "until_date": until})
        create_windows(self.con, self.run.run_id, planned)
        self.frontier = {w["set_spec"]: w["until_date"] for w in planned}

    def _first_bounds(self) -> tuple[str | None, str | None]:
        if self.mode == "incremental":
            return self.state.get("cursor_from"), None
        if not self.options.windowed or not self.earliest or self.mode == "sweep":
            return None, None
        window = first_window(parse_datestamp(self.earliest), self._now(), self.granularity)
        return None, self._until_or_open(window)

    def _until_or_open(self, window: Window) -> str | None:
        """The window's `until`, or None (open) when it reaches the present."""
        if window.end >= _floor_now(self._now(), self.granularity):
            return None
        return format_datestamp(window.end, self.granularity)

    def _now(self) -> datetime:
        return parse_datestamp(_stamp(self.response_date_at_start, self.granularity))

    def _next_window(self) -> dict | None:
        open_windows = [
            w
            for w in windows(self.con, self.run.run_id)
            if w["status"] in ("pending", "running", "failed")
        ]
        if open_windows:
            return min(open_windows, key=lambda w: (w["from_date"] or "", w["window_no"]))
        for set_spec, until in self.frontier.items():
            last = self._last_done(set_spec)
            # None: the set's windows reach the present, or its frontier window is not done
            if until is not None and last is not None and self._plan_after(last):
                return self._next_window()
        return None

    def _plan_after(self, last: dict) -> bool:
        """Create the window that follows `last`; False when `last` reaches the present."""
        start = last["from_date"] or self.earliest or last["until_date"]
        previous = Window(parse_datestamp(start), parse_datestamp(last["until_date"]))
        grow = last["records_done"] < self.options.small_window_records
        nxt = following(previous, self._now(), self.granularity, grow=grow)
        if nxt is None:
            self.frontier[last["set_spec"]] = None
            return False
        until = self._until_or_open(nxt)
        window = {
            "set_spec": last["set_spec"],
            "from_date": format_datestamp(nxt.start, self.granularity),
            "until_date": until,
        }
        create_windows(self.con, self.run.run_id, [window])
        self.frontier[last["set_spec"]] = until
        return True

    def _plan_ahead(self, window: dict, records_done: int) -> None:
        """Plan the window after the frontier one before that one is done: a run killed
        in between still has an open window, so the next start resumes it."""
        set_spec = window["set_spec"]
        if window["until_date"] is None or window["until_date"] != self.frontier.get(set_spec):
            return
        if any(
            w["status"] in ("pending", "running", "failed")
            and w["set_spec"] == set_spec
            and w["window_no"] != window["window_no"]
            for w in windows(self.con, self.run.run_id)
        ):
            return
        self._plan_after({**window, "records_done": records_done})

    def _last_done(self, set_spec: str | None) -> dict | None:
        done = [
            w
            for w in windows(self.con, self.run.run_id)
            if w["status"] == "done" and w["until_date"] is not None and w["set_spec"] == set_spec
        ]
        return max(done, key=lambda w: w["until_date"]) if done else None

    # ------------------------------------------------------------------- one window

    def _harvest_window(self, window: dict) -> None:
        run, number = self.run, window["window_no"]
        start_window(self.con, run.run_id, number)
        self.run.result.windows += 1
        try:
            self._list_window(window)
            if self.ignores_dates:
                self._close_other_windows(window)
        except BadResumptionToken as exc:
            # a token kept across runs (deferred, interrupted) may simply have expired
            carried = window["carried_from_run_id"] and window["resumption_token"]
            if carried or window["attempts"] + 1 < self.options.window_attempts:
                run.issue(
                    code="bad_resumption_token",
                    severity="warning",
                    message=f"{exc}; redoing window {number} from its first page",
                    url=exc.url,
                    raw_body=exc.body,
                )
                retry_window(
                    self.con, run.run_id, number, error_code=exc.code, error_message=str(exc)
                )
                return
            self._split_or_raise(window, exc)
        except XMLParseError as exc:
            run.issue(
                code="xml_parse_error",
                severity="warning",
                message=f"{exc}; listing window {number} record by record",
                url=exc.url,
                raw_body=exc.body,
            )
            self._record_by_record(window)
        except (TransportError, HTTPStatusError) as exc:
            if isinstance(exc, HTTPStatusError) and exc.status in (401, 403):
                raise
            self._split_or_raise(window, exc)

    def _list_window(self, window: dict) -> None:
        source, number = self.source, window["window_no"]
        token = window["resumption_token"]
        if not token and window["pages_done"]:
            self._finish_listed(window)
            return
        pages_done = window["pages_done"] if token else 0
        records_done = window["records_done"] if token else 0
        # a sweep lists headers only (ListIdentifiers); every other run lists records
        listing = self.client.list_identifiers if self.mode == "sweep" else self.client.list_records
        if token:
            chain = listing(source.metadata_prefix, resumption_token=token)
        else:
            chain = listing(
                source.metadata_prefix,
                set_spec=window["set_spec"],
                from_=window["from_date"],
                until=window["until_date"],
            )
        batch, last_flush = Batch(number), time.monotonic()
        complete_list_size = window["complete_list_size"] if token else None
        fresh = token is None

        def flush_through_last_page() -> None:
            """Load the batch with the checkpoint after its last page: the token to ask next."""
            _, last = batch.pages[-1]
            point = Checkpoint(number, last.resumption_token, pages_done, records_done,
                               complete_list_size, last.response_date)  # fmt: skip
            self.run.flush(batch, point)

        try:
            for page in prefetch(chain):
                page_number = self.run.count_pages(page)
                if fresh and pages_done == 0 and page.complete_list_size is not None:
                    complete_list_size = page.complete_list_size
                    self.expected = (self.expected or 0) + complete_list_size
                    if self._too_large(window, complete_list_size):
                        self._split(
                            window,
                            "window_split",
                            f"completeListSize {complete_list_size} > "
                            f"{self.options.max_window_records}",
                        )
                        return
                batch.add(page_number, page)
                pages_done += 1
                records_done += len(page.items)
                self._check_filtered(window, page)
                due = time.monotonic() - last_flush >= self.options.flush_every_s
                if len(batch) >= self.options.batch_size or due:
                    flush_through_last_page()
                    batch, last_flush = Batch(number), time.monotonic()
                if self.progress:
                    self.progress(self.run.result.records, self.expected)
        except BaseException:
            # what arrived before the failure is kept; the checkpoint stays before it
            if batch.pages:
                flush_through_last_page()
            raise
        self._plan_ahead(window, records_done)
        self.run.flush(
            batch,
            Checkpoint(
                number, None, pages_done, records_done, complete_list_size, None, window_done=True
            ),
        )
        if fresh:
            self._window_gate(window, complete_list_size, records_done)

    def _finish_listed(self, window: dict) -> None:
        """A carried window whose last page was loaded before its run stopped: done."""
        number, pages, records = window["window_no"], window["pages_done"], window["records_done"]
        size = window["complete_list_size"]
        self._plan_ahead(window, records)
        self.run.flush(Batch(number), Checkpoint(number, None, pages, records, size, None, True))
        self._window_gate(window, size, records)

    def _close_other_windows(self, window: dict) -> None:
        """The server ignores from/until, so this window listed all of its set: the set's
        other windows would only list it all again."""
        set_spec = window["set_spec"]
        self.frontier[set_spec] = None
        for other in windows(self.con, self.run.run_id):
            if other["status"] in ("pending", "running", "failed") and (
                other["set_spec"] == set_spec
            ):
                finish_window(
                    self.con,
                    self.run.run_id,
                    other["window_no"],
                    "done",
                    error_code="from_ignored",
                    error_message=f"window {window['window_no']} listed every record",
                )

    def _record_by_record(self, window: dict) -> None:
        """ListIdentifiers + GetRecord for one window: only a broken record is lost to
        the warehouse, and even it is kept raw in run_issues."""
        number, prefix = window["window_no"], self.source.metadata_prefix
        batch, done = Batch(number), 0
        listing = self.client.list_identifiers(
            prefix,
            set_spec=window["set_spec"],
            from_=window["from_date"],
            until=window["until_date"],
        )
        for page in listing:
            for header in page.items:
                done += 1
                self.run.result.records += 1
                if header.deleted:
                    batch.add_items([header], page.url)
                    continue
                try:
                    item = self.client.get_record(header.identifier, prefix)
                except XMLParseError as exc:
                    self.run.quarantine(header.identifier, str(exc), exc.url, exc.body)
                    batch.unloaded.append(header)
                    continue
                batch.add_items([item], page.url)
            if len(batch) >= self.options.batch_size:
                self.run.flush(batch, Checkpoint(number, None, 0, done, None, None))
                batch = Batch(number)
        self._plan_ahead(window, done)
        self.run.flush(batch, Checkpoint(number, None, 0, done, None, None, window_done=True))

    def _too_large(self, window: dict, size: int) -> bool:
        return size > self.options.max_window_records and self._halves(window) is not None

    def _halves(self, window: dict) -> tuple[Window, Window] | None:
        start = window["from_date"] or self.earliest
        if not start or not self.options.windowed:
            return None
        end = window["until_date"]
        bounds = Window(
            parse_datestamp(start),
            parse_datestamp(end) if end else _floor_now(self._now(), self.granularity),
        )
        return split(bounds, self.granularity)

    def _split(self, window: dict, code: str, why: str) -> None:
        halves = self._halves(window)
        assert halves is not None
        left, right = halves
        children = [
            {
                "set_spec": window["set_spec"],
                "from_date": window["from_date"],
                "until_date": format_datestamp(left.end, self.granularity),
            },
            {
                "set_spec": window["set_spec"],
                "from_date": format_datestamp(right.start, self.granularity),
                "until_date": window["until_date"],
            },
        ]
        split_window(self.con, self.run.run_id, window["window_no"], children)
        self.run.issue(
            code=code,
            severity="info",
            message=f"window {window['window_no']} "
            f"({window['from_date']}..{window['until_date']}) split: {why}",
        )

    def _split_or_raise(self, window: dict, exc: HarvestError) -> None:
        if self._halves(window) is None:
            finish_window(
                self.con, self.run.run_id, window["window_no"], "failed", exc.code, str(exc)
            )
            said = str(exc) if str(exc).startswith(exc.code) else f"{exc.code}: {exc}"
            if exc.url and exc.url not in said:
                said += f" at {exc.url}"
            log.error("%s: window %d (%s..%s) failed and cannot be split further: %s",
                      self.source.name, window["window_no"], window["from_date"] or "start",
                      window["until_date"] or "now", said)  # fmt: skip
            raise exc
        self._split(window, "window_split", str(exc))

    # ------------------------------------------------------------------- checks

    def _check_filtered(self, window: dict, page) -> None:
        low, high = window["from_date"], window["until_date"]
        if (low is None and high is None) or self.run.result.issues.get("from_ignored"):
            return
        width = len(low or high or "")
        outside = [
            i.identifier
            for i in page.items
            if (low and i.datestamp[:width] < low) or (high and i.datestamp[:width] > high)
        ]
        if outside:
            self.ignores_dates = True
            self.run.issue(
                code="from_ignored",
                severity="warning",
                message=f"{len(outside)} records outside {low}..{high} (e.g. "
                f"{outside[0]}): the repository ignores from/until",
                url=page.url,
            )

    def _window_gate(self, window: dict, expected: int | None, listed: int) -> None:
        if expected is None or listed >= expected:
            return
        share = 1 - listed / expected if expected else 0
        self.run.issue(
            code="incomplete_list",
            severity="warning",
            message=f"window {window['window_no']} listed {listed} of the "
            f"{expected} records its completeListSize announced",
        )
        if share > self.options.drop_threshold:
            self.run.worsen("suspect")

    def _gates(self) -> None:
        if self.mode == "sweep":
            self._sweep_gate()
        if self.mode != "full":
            return
        previous = previous_complete_run(self.con, self.source.name, mode="full")
        totals = window_totals(self.con, self.run.run_id)
        listed = totals["records"]
        # what its windows listed: records_seen counts re-listed pages twice, and only
        # the last leg of a resumed run
        previous = previous or {}
        self.previous_records = previous.get("window_records") or previous.get("records_seen")
        if self.previous_records and listed < self.previous_records * (
            1 - self.options.drop_threshold
        ):
            self.run.issue(
                code="count_drop",
                severity="warning",
                message=f"listed {listed} records, the previous full run {self.previous_records}",
            )
            self.run.worsen("suspect")

    def _sweep_gate(self) -> None:
        """A sweep listing far shorter than what the warehouse holds is not trusted."""
        listed = window_totals(self.con, self.run.run_id)["records"]
        (held,) = self.con.execute(
            "SELECT count(*) FROM resources WHERE source = ? AND NOT deleted", [self.source.name]
        ).fetchone() or (0,)
        if held and listed < held * (1 - self.options.drop_threshold):
            self.run.issue(
                code="count_drop",
                severity="warning",
                message=f"the sweep listed {listed} records, the warehouse holds {held} "
                "live ones: nothing swept",
            )
            self.run.worsen("suspect")

    # ------------------------------------------------------------------- the end

    def _expected(self) -> int | None:
        """The completeListSize of the windows that stand (a split parent's counts through
        its children, a redone window's once)."""
        sizes = [
            w["complete_list_size"]
            for w in windows(self.con, self.run.run_id)
            if w["status"] not in ("split", "merged") and w["complete_list_size"] is not None
        ]
        return sum(sizes) if sizes else None

    def _finish(self, started: float) -> None:
        run = self.run
        run.record_events(self.client.events)
        complete = run.status in ("ok", "partial")
        if complete and self.response_date_at_start:
            set_cursor(
                self.con,
                self.source.name,
                cursor_from=overlap_cursor(self.response_date_at_start, self.granularity),
                run_id=run.run_id,
                response_date=self.response_date_at_start,
                records=run.result.records,
            )
        run.finish(
            started, expected=self._expected(), previous=getattr(self, "previous_records", None)
        )
        if complete and run.keep_listing:
            listed = listed_identifiers(self.con, run.run_id)
            if listed.num_rows == 0:
                run.issue(
                    code="sweep_skipped",
                    severity="warning",
                    message="the full listing was empty: nothing swept",
                )
                return
            run.result.deleted += sweep_deleted(self.con, run.run_id, self.source.name, listed)


def _remember_start(con: duckdb.DuckDBPyConnection, run_id: str, response_date: str) -> None:
    """Keep the run's start in its options: a run resuming it takes the cursor from there."""
    con.execute(
        "UPDATE harvest_runs SET options = json_merge_patch(options, "
        "json_object('response_date_at_start', ?)) WHERE run_id = ?",
        [response_date, run_id],
    )


def _outcome(exc: HarvestError) -> tuple[str, str]:
    """Run status and issue code for the error that ended a run."""
    if isinstance(exc, HTTPStatusError) and exc.status in (401, 403):
        return "blocked", "access_denied"
    return "failed", exc.code


def _frontier(carried: list[dict]) -> str | None:
    untils = [w["until_date"] for w in carried if w["status"] != "split"]
    if any(u is None for u in untils) or not untils:
        return None
    return max(untils)


def _now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamp(response_date: str | None, granularity: str) -> str:
    stamp = response_date or _now_stamp()
    return stamp[:10] if granularity == "YYYY-MM-DD" else stamp


def _floor_now(now: datetime, granularity: str) -> datetime:
    return parse_datestamp(format_datestamp(now, granularity))
