"""Harvest a sitemap source (kind = "sitemap") into the warehouse as one recorded run.

    harvest_sitemap(source, db=...)  →  SitemapHarvestResult (a HarvestResult; a row in
                                         harvest_runs)

`source.endpoint` is a sitemap, a sitemap index or a robots.txt URL. What a run does:
1. Close the source's runs left 'running' by a dead process (interrupted); refuse to start
   while a deferral (Retry-After) holds (`SourceDeferred`).
2. Crawl: `harvesters.web.crawl.crawl` runs Scrapy in a child process (a reactor cannot
   restart in one process) into a temporary JSON-lines file: sitemap documents, pages, and
   error items for everything that failed. Incremental (mode auto after a complete run, or
   incremental): the crawl skips a page whose sitemap lastmod is not newer than the lastmod
   its resources were loaded with (`known_lastmods`). Pages without a parsable lastmod, and
   pages whose earlier fetch gave no resource, are always fetched.
3. Load, in batches of `batch_size` pages, each batch in one transaction: raw_pages rows
   (every document fetched, sitemaps included), JSON-LD per page (`extract_jsonld`), one
   `JsonItem` per resource node mapped by `map_json_batch(source, "jsonld", ...)`, raw
   payloads (the ld+json block as found) in raw_records, records, crosswalk coverage, and
   a run issue for every page error, page without JSON-LD, bad JSON-LD block, redirect,
   retry and mapping failure (`ISSUE_CODES` lists the codes this module adds).
4. Gates and end status: `failed` when the start URL could not be read (`blocked` for
   robots.txt or HTTP 401/403), `deferred` when the server's Retry-After exceeded
   `max_wait_s`, `suspect` when the sitemaps list `drop_threshold` fewer URLs than the
   previous complete run, `partial` when pages or a child sitemap failed, else `ok`.
   What arrived is always loaded, whatever the end status.
5. Deletions are only reported: after a complete listing (every sitemap read, not
   suspect), each page the warehouse holds resources from that the sitemaps no longer list
   gets a `page_unlisted` issue. No sweep marks them deleted (yet).

Identity: a resource's oai_identifier is `ExtractedObject.identifier` (its absolute @id,
else `<final page URL>#<n>`); raw_records.page_url is the final URL after redirects, so a
page reached through a redirect is not recognised by the incremental skip and is fetched
again each run (the safe side). Crawl output holds page bodies (base64): a site of N pages
needs about 1.4 × N × page size of temporary disk (`work_dir`).
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from harvesters.web.crawl import CrawledItem, CrawlError, CrawlSummary, crawl, read_pages
from harvesters.web.extract import ExtractResult, extract_jsonld
from pipelines.harvest import fewer_gc_passes, raise_if_deferred
from pipelines.registry import Source
from pipelines.run import PAGE_SCHEMA, RAW_SCHEMA, HarvestResult, Run
from transforms.crosswalks import JsonItem, map_json_batch
from transforms.crosswalks.coverage import Tally
from warehouse import connect, resolve_path, transaction
from warehouse.load import (
    add_pages,
    load_raw_records,
    upsert_sources,
)
from warehouse.state import get_state, interrupt_dead_runs, previous_complete_run, set_cursor

__all__ = [
    "ISSUE_CODES",
    "SitemapHarvestResult",
    "SitemapOptions",
    "harvest_sitemap",
    "known_lastmods",
]

KIND = "sitemap"
METADATA_PREFIX = "jsonld"  # of the run, its raw records and resources
MODES = ("auto", "full", "incremental")
ProgressCallback = Callable[[int, int | None], None]

# Issue codes this module adds to the taxonomy: (severity, worst run status, meaning).
ISSUE_CODES: dict[str, tuple[str, str | None, str]] = {
    "sitemap_error": ("error", "failed",
        "The sitemap, sitemap index or robots.txt the source starts from could not be "
        "fetched or is not a sitemap; nothing was crawled."),
    "child_sitemap_error": ("error", "partial",
        "A sitemap listed by the sitemap index could not be fetched or is not a sitemap; "
        "its pages were not crawled and deletions are not reported."),
    "sitemap_malformed": ("warning", None,
        "A sitemap is not well-formed XML and was read in recovery mode: entries may be "
        "missing."),
    "page_not_found": ("warning", "partial",
        "A page the sitemap lists answered 404 or 410 (after retries): a stale entry."),
    "page_http_error": ("error", "partial",
        "A page the sitemap lists answered another HTTP error status (after retries)."),
    "page_timeout": ("error", "partial", "A page did not answer in time (after retries)."),
    "page_transport_error": ("error", "partial",
        "No response for a page: DNS, connection or TLS failure (after retries)."),
    "page_too_large": ("error", "partial",
        "A page exceeded the configured response size limit and was not read."),
    "page_robots_disallowed": ("warning", None,
        "robots.txt disallows a page the sitemap lists; it was not fetched."),
    "page_bad_url": ("warning", "partial",
        "A sitemap entry's loc is not a URL that can be requested; it was not fetched."),
    "not_html": ("warning", None,
        "A page is not HTML (e.g. a PDF or an image): no JSON-LD can be read from it."),
    "no_jsonld": ("warning", None,
        "A page holds no JSON-LD or microdata node that describes a resource; nothing was "
        "mapped from it (raw page in raw_body, truncated to 256 KiB)."),
    "invalid_jsonld": ("error", "partial",
        "An ld+json block is not JSON (or holds no object) and was skipped, raw block kept; "
        "the run is partial when the page yields no resource because of it."),
    "lenient_jsonld": ("info", None,
        "An ld+json block is not strict JSON (comments, trailing commas) and was read "
        "leniently."),
    "empty_jsonld": ("info", None, "An ld+json block is empty."),
    "duplicate_jsonld_node": ("info", None,
        "A page describes the same @id more than once; the nodes were merged into the first."),
    "microdata_error": ("warning", None, "The microdata of a page could not be read."),
    "unparsable_html": ("error", "partial", "A page could not be parsed as HTML."),
    "page_unlisted": ("info", None,
        "A page the warehouse holds resources from is no longer listed by the sitemaps "
        "after a complete crawl; reported only, its resources are not marked deleted."),
    "crawl_failed": ("error", "failed",
        "The crawl process (Scrapy, run in a child process) failed or was stopped; what it "
        "fetched before was loaded."),
}  # fmt: skip

# spider error code → (run issue code, severity)
_PAGE_ERRORS = {
    "not_found": ("page_not_found", "warning"),
    "http_error": ("page_http_error", "error"),
    "retry_after_too_long": ("page_http_error", "warning"),
    "timeout": ("page_timeout", "error"),
    "dns_error": ("page_transport_error", "error"),
    "connection_error": ("page_transport_error", "error"),
    "tls_error": ("page_transport_error", "error"),
    "fetch_error": ("page_transport_error", "error"),
    "too_large": ("page_too_large", "error"),
    "robots_disallowed": ("page_robots_disallowed", "warning"),
    "bad_url": ("page_bad_url", "warning"),
    "internal_error": ("internal_error", "error"),
}
# extract_jsonld problem code → run issue code
_PROBLEMS = {
    "invalid_json": "invalid_jsonld",
    "not_an_object": "invalid_jsonld",
    "lenient_json": "lenient_jsonld",
    "empty_block": "empty_jsonld",
    "duplicate_node": "duplicate_jsonld_node",
    "microdata_error": "microdata_error",
    "html_error": "unparsable_html",
}
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml", "")
_MAX_ISSUE_BODY = 256 * 1024


@dataclass(frozen=True)
class SitemapOptions:
    """How to crawl and load; per-source values come from `defaults` in sources.toml."""

    mode: str = "auto"  # auto or incremental: skip unchanged pages after a complete run; full
    batch_size: int = 200  # pages per load transaction
    delay_s: float = 1.0  # between requests to a host (AutoThrottle may raise it)
    concurrency: int = 1  # requests in flight per host
    autothrottle: bool = True
    obey_robots: bool = True
    timeout: float = 30.0
    max_retries: int = 3
    backoff_base_s: float = 1.0
    max_wait_s: float = 300.0  # a longer Retry-After defers the run
    max_pages: int | None = None
    max_bytes: int = 32 * 1024 * 1024
    contact_url: str | None = None
    user_agent: str | None = None
    drop_threshold: float = 0.15  # a listing this much shorter than the last makes it suspect
    process_timeout_s: float | None = None
    work_dir: str | None = None  # where the crawl's temporary output goes

    @classmethod
    def for_source(cls, source: Source, **overrides: object) -> SitemapOptions:
        known = {f.name for f in fields(cls)}
        unknown = set(source.defaults) - known
        if unknown:
            raise ValueError(f"source {source.name!r}: unknown defaults {sorted(unknown)}")
        values = {**source.defaults, **{k: v for k, v in overrides.items() if v is not None}}
        return cls(**values)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.concurrency not in (1, 2):
            raise ValueError(f"concurrency per host is 1 or 2 (politeness), not {self.concurrency}")
        if self.batch_size < 1 or self.delay_s < 0 or self.max_retries < 0:
            raise ValueError("batch_size >= 1, delay_s >= 0 and max_retries >= 0 expected")


@dataclass
class SitemapHarvestResult(HarvestResult):
    """HarvestResult plus what only a crawl has; `records` counts JSON-LD resources."""

    listed: int = 0  # page URLs the sitemaps list
    skipped: int = 0  # listed pages not fetched: lastmod not newer, or max_pages
    fetched: int = 0  # pages that answered 2xx
    page_errors: int = 0  # pages that failed for good (error items)
    without_jsonld: int = 0  # fetched pages that gave no resource
    unlisted: int = 0  # pages held from earlier runs that the sitemaps no longer list
    crawl_pid: int | None = None  # the child process that crawled


def harvest_sitemap(
    source: Source,
    *,
    db: str | Path | None = None,
    progress: ProgressCallback | None = None,
    options: SitemapOptions | None = None,
    publish: bool = True,
) -> SitemapHarvestResult:
    """Crawl and load `source` (kind sitemap) into the warehouse at `db` as one run.

    Never raises a crawl error: the result (and harvest_runs) says how the run ended.
    Raises only what stops a run from being recorded (`WarehouseLocked`, `SourceDeferred`)
    and re-raises an interrupt after recording the run as interrupted. `progress(n,
    expected)`: during the crawl n counts fetched documents (expected None), during the
    load n counts records (expected: pages listed).
    """
    if source.kind != KIND:
        raise ValueError(f"source {source.name!r} is of kind {source.kind!r}, not {KIND!r}")
    options = options or SitemapOptions.for_source(source)
    started = time.perf_counter()
    source = replace(source, metadata_prefix=METADATA_PREFIX)
    con = connect(db)
    try:
        upsert_sources(con, [source.as_row()])
        interrupt_dead_runs(con, source.name)
        _check_deferred(con, source.name)
        harvest = _SitemapHarvest(con, source, options, progress)
        harvest.run_all(started)
        if publish:
            harvest.run.publish(resolve_path(db))
    finally:
        con.close()
    return harvest.result


def known_lastmods(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """{page URL: sitemap lastmod} of the pages the warehouse holds live resources from,
    with the lastmod they were loaded with (the oldest when a page gave several)."""
    rows = con.execute(
        "SELECT rr.page_url, min(r.datestamp) FROM resources r "
        "JOIN raw_records rr ON rr.source = r.source AND rr.oai_identifier = r.oai_identifier "
        "  AND rr.metadata_prefix = r.metadata_prefix AND rr.payload_sha256 = r.raw_sha256 "
        "WHERE r.source = ? AND r.metadata_prefix = ? AND NOT r.deleted "
        "  AND rr.page_url IS NOT NULL "
        "GROUP BY rr.page_url HAVING bool_and(r.datestamp IS NOT NULL AND r.datestamp <> '')",
        [source, METADATA_PREFIX],
    ).fetchall()
    return {url: lastmod for url, lastmod in rows}


def _held_pages(con: duckdb.DuckDBPyConnection, source: str) -> set[str]:
    rows = con.execute(
        "SELECT DISTINCT rr.page_url FROM resources r "
        "JOIN raw_records rr ON rr.source = r.source AND rr.oai_identifier = r.oai_identifier "
        "  AND rr.metadata_prefix = r.metadata_prefix AND rr.payload_sha256 = r.raw_sha256 "
        "WHERE r.source = ? AND r.metadata_prefix = ? AND NOT r.deleted "
        "  AND rr.page_url IS NOT NULL",
        [source, METADATA_PREFIX],
    ).fetchall()
    return {url for (url,) in rows}


def _check_deferred(con: duckdb.DuckDBPyConnection, source: str) -> None:
    state = get_state(con, source) or {}
    if state.get("status") == "deferred" and state.get("deferred_until") is not None:
        raise_if_deferred(source, state["deferred_until"])


class _Batch:
    """Pages waiting to be loaded: their raw_pages rows, JSON items and issues."""

    def __init__(self) -> None:
        self.pages: list[dict] = []
        self.items: list[JsonItem] = []
        self.page_urls: list[str] = []
        self.issues: list[dict] = []

    def __len__(self) -> int:
        return len(self.pages)


class _SitemapHarvest:
    def __init__(self, con, source: Source, options: SitemapOptions, progress) -> None:
        self.con = con
        self.source = source
        self.options = options
        self.progress = progress
        self.previous = previous_complete_run(con, source.name)
        self.mode = self._mode()
        self.known = known_lastmods(con, source.name) if self.mode == "incremental" else {}
        self.run = Run(con, source, source.endpoint, mode=self.mode, options=asdict(options))
        self.run.result = self.result = SitemapHarvestResult(**asdict(self.run.result))
        self.listed: set[str] = set()  # page URLs (locs) the sitemaps list
        self.reached: set[str] = set()  # final URLs of the pages fetched
        self.listing_complete = True
        self.sitemaps_read = 0  # urlset and sitemapindex documents read
        self.root_failure: CrawledItem | None = None
        self.retry_after: CrawledItem | None = None
        self.page_number = 0
        self.crawl_started = datetime.now(UTC)

    def _mode(self) -> str:
        if self.options.mode == "full" or self.previous is None:
            return "full"
        return "incremental"

    # ------------------------------------------------------------------- the run

    def run_all(self, started: float) -> None:
        run = self.run
        try:
            with tempfile.TemporaryDirectory(prefix="oer-crawl-", dir=self.options.work_dir) as tmp:
                out = Path(tmp) / "crawl.jsonl"
                summary, failure = self._crawl(out)
                with fewer_gc_passes():
                    if out.exists():
                        self._load(out)
            self._conclude(summary, failure)
        except BaseException as exc:
            run.fail_on_exception(exc)
            raise
        finally:
            self._finish(started)

    def _crawl(self, out: Path) -> tuple[CrawlSummary | None, CrawlError | None]:
        options, progress = self.options, self.progress
        self.crawl_started = datetime.now(UTC)
        try:
            summary = crawl(
                self.source.endpoint,
                out,
                max_pages=options.max_pages,
                delay=options.delay_s,
                user_agent=options.user_agent,
                contact_url=options.contact_url,
                known=self.known,
                concurrency=options.concurrency,
                timeout=options.timeout,
                retries=options.max_retries,
                backoff=options.backoff_base_s,
                max_retry_after=options.max_wait_s,
                obey_robots=options.obey_robots,
                autothrottle=options.autothrottle,
                max_bytes=options.max_bytes,
                process_timeout=options.process_timeout_s,
                progress=(lambda lines: progress(lines, None)) if progress else None,
            )
        except CrawlError as exc:
            return None, exc
        self.result.crawl_pid = summary.pid
        return summary, None

    def _load(self, out: Path) -> None:
        batch = _Batch()
        for item in read_pages(out):
            self._take(item, batch)
            if len(batch) >= self.options.batch_size:
                self._flush(batch)
                batch = _Batch()
        self._flush(batch)

    def _conclude(self, summary: CrawlSummary | None, failure: CrawlError | None) -> None:
        run, result = self.run, self.result
        if failure is not None:
            run.fail("failed", "crawl_failed", str(failure).splitlines()[0], self.source.endpoint)
            return
        assert summary is not None
        if summary.spider_exceptions:
            run.issue(
                code="internal_error",
                severity="error",
                message=f"{summary.spider_exceptions} exception(s) in the spider: pages may "
                f"be missing (crawl log {summary.log_path.name})",
            )
            run.worsen("partial")
        if summary.finish_reason == "deferred" and self.retry_after is not None:
            wait = float(self.retry_after.data.get("retry_after_s") or 0)
            fetched_at = self.retry_after.fetched_at or datetime.now(UTC)
            result.deferred_until = fetched_at + timedelta(seconds=wait)
            run.fail(
                "deferred",
                "retry_after_too_long",
                f"{self.retry_after.url} asked to retry after {wait:.0f} s (more than "
                f"{self.options.max_wait_s:.0f} s): run deferred",
                self.retry_after.url,
            )
            return
        if self.root_failure is not None:
            self._fail_root(self.root_failure)
            return
        if not self.sitemaps_read:  # e.g. robots.txt named sitemaps that all failed
            run.fail("failed", "sitemap_error", "no sitemap could be read", self.source.endpoint)
            return
        self._count_gate()
        if self.listing_complete and run.status in ("ok", "partial") and self.previous:
            self._report_unlisted()

    def _fail_root(self, item: CrawledItem) -> None:
        status, code = "failed", "sitemap_error"
        if item.code == "robots_disallowed":
            status, code = "blocked", "robots_disallowed"
        elif item.status in (401, 403):
            status, code = "blocked", "access_denied"
        what = f"HTTP {item.status}" if item.status else item.code
        self.run.fail(
            status,
            code,
            f"the sitemap {item.url} could not be read ({what}): {item.message}",
            item.url,
            item.body,
        )

    def _count_gate(self) -> None:
        previous = (self.previous or {}).get("expected_records")
        listed = len(self.listed)
        if previous and listed < previous * (1 - self.options.drop_threshold):
            self.run.issue(
                code="count_drop",
                severity="warning",
                message=f"the sitemaps list {listed} pages, the previous complete run's {previous}",
            )
            self.run.worsen("suspect")

    def _report_unlisted(self) -> None:
        gone = sorted(_held_pages(self.con, self.source.name) - self.listed - self.reached)
        for url in gone:
            self.run.issue(
                code="page_unlisted",
                severity="info",
                url=url,
                message="the sitemaps no longer list this page; its resources stay (no sweep)",
            )
        self.result.unlisted = len(gone)

    def _finish(self, started: float) -> None:
        run, result = self.run, self.result
        if run.status in ("ok", "partial"):
            stamp = self.crawl_started.strftime("%Y-%m-%dT%H:%M:%SZ")
            set_cursor(
                self.con,
                self.source.name,
                cursor_from=stamp,
                run_id=run.run_id,
                response_date=stamp,
                records=result.records,
            )
        previous = (self.previous or {}).get("expected_records")
        run.finish(started, expected=len(self.listed) or None, previous=previous)

    # ------------------------------------------------------------------- items

    def _take(self, item: CrawledItem, batch: _Batch) -> None:
        result = self.result
        if item.kind == "sitemap":
            self._take_sitemap(item, batch)
        elif item.kind == "error":
            self._take_error(item, batch)
        else:
            result.fetched += 1
            self.reached.add(item.final_url)
            self._take_page(item, batch)
        if item.status is not None or item.kind != "error":
            result.pages += 1
            result.bytes += item.size

    def _page_row(self, item: CrawledItem, batch: _Batch, n_items: int) -> None:
        self.page_number += 1
        fetched = item.fetched_at or datetime.now(UTC)
        batch.pages.append(
            {
                "page_number": self.page_number,
                "url": item.final_url,
                "http_status": item.status,
                "fetched_us": round(fetched.timestamp() * 1_000_000),
                "elapsed_s": item.elapsed_s,
                "size_bytes": item.size,
                "n_items": n_items,
            }
        )

    def _issue(self, batch: _Batch, **fields: object) -> None:
        batch.issues.append(fields)

    def _take_sitemap(self, item: CrawledItem, batch: _Batch) -> None:
        entries = item.entries
        if item.data.get("type") in ("urlset", "sitemapindex"):
            self.sitemaps_read += 1
        if item.data.get("type") == "urlset":
            self.listed.update(loc for loc, _ in entries)
            self.result.listed = len(self.listed)
            self.result.skipped += int(item.data.get("skipped") or 0)
        self._page_row(item, batch, len(entries))
        if item.data.get("problem"):
            self._issue(
                batch,
                code="sitemap_malformed",
                severity="warning",
                message=item.data["problem"],
                url=item.url,
                raw_body=item.body,
            )

    def _take_error(self, item: CrawledItem, batch: _Batch) -> None:
        if item.status is not None:
            self._page_row(item, batch, 0)
        if item.code == "retry_after_too_long":  # the run ends deferred (_conclude)
            self.retry_after = item
            if item.target == "sitemap":
                self.listing_complete = False
                return
        if item.target == "sitemap":
            if item.root:
                self.root_failure = item
                return
            self.listing_complete = False
            self._issue(
                batch,
                code="child_sitemap_error",
                severity="error",
                message=_error_message(item),
                url=item.url,
                raw_body=item.body,
            )
            self.run.worsen("partial")
            return
        self.result.page_errors += 1
        code, severity = _PAGE_ERRORS.get(item.code or "", ("page_transport_error", "error"))
        self._issue(
            batch,
            code=code,
            severity=severity,
            message=_error_message(item),
            url=item.url,
            raw_body=item.body,
        )
        if code != "page_robots_disallowed" and item.code != "retry_after_too_long":
            self.run.worsen("partial")

    def _take_page(self, item: CrawledItem, batch: _Batch) -> None:
        url = item.final_url
        if item.redirects:
            self._issue(
                batch,
                code="redirected",
                severity="info",
                url=item.url,
                message=f"followed {len(item.redirects)} redirect(s) to {url}",
            )
        if item.attempts > 1:
            self._issue(
                batch,
                code="retried",
                severity="info",
                url=item.url,
                message=f"fetched on attempt {item.attempts}",
            )
        media, charset = _media_type(item.content_type)
        if item.body is None or media not in _HTML_TYPES:
            self.result.without_jsonld += 1
            self._issue(
                batch,
                code="not_html",
                severity="warning",
                url=url,
                message=f"content type {item.content_type!r}: not read for JSON-LD",
            )
            self._page_row(item, batch, 0)
            return
        extracted = extract_jsonld(item.body, url, charset)
        self._page_row(item, batch, len(extracted.resources))
        failed_blocks = self._problems(extracted, url, batch)
        if not extracted.resources:
            self.result.without_jsonld += 1
            self._issue(
                batch,
                code="no_jsonld",
                severity="warning",
                url=url,
                message=_no_resource_message(extracted),
                raw_body=item.body[:_MAX_ISSUE_BODY],
            )
            if failed_blocks:
                self.run.worsen("partial")  # the page's description was in a broken block
            return
        for found in extracted.resources:
            batch.items.append(
                JsonItem(
                    identifier=found.identifier,
                    datestamp=item.lastmod or "",
                    obj=found.obj,
                    raw=found.raw,
                )
            )
            batch.page_urls.append(url)

    def _problems(self, extracted: ExtractResult, url: str, batch: _Batch) -> int:
        """Run issues for the page's extraction problems; returns the blocks lost."""
        lost = 0
        for problem in extracted.problems:
            code = _PROBLEMS.get(problem.code, f"jsonld_{problem.code}")
            lost += code == "invalid_jsonld"
            raw = problem.raw.encode("utf-8") if problem.raw is not None else None
            self._issue(
                batch,
                code=code,
                severity=problem.severity,
                url=url,
                message=problem.message,
                raw_body=raw,
            )
        return lost

    # ------------------------------------------------------------------- loading

    def _flush(self, batch: _Batch) -> None:
        if not batch.pages and not batch.issues:
            return
        run, result, source = self.run, self.result, self.source
        shas = [hashlib.sha256(item.raw).hexdigest() for item in batch.items]
        tally = Tally()
        records, failures = map_json_batch(source.name, METADATA_PREFIX, batch.items, shas, tally)
        result.records += len(batch.items)
        with transaction(self.con) as con:
            if batch.pages:
                add_pages(con, run.run_id, _pages_table(batch.pages))
            if batch.items:
                load_raw_records(con, run.run_id, _raw_table(source.name, batch, shas))
            if records:
                run.load_mapped(con, records, tally, METADATA_PREFIX)
            for fields_ in batch.issues:
                run.issue(**fields_)
            for failure in failures:
                run.issue(
                    code=failure.code,
                    severity="error",
                    message=failure.message,
                    oai_identifier=failure.oai_identifier,
                    raw_body=failure.raw,
                )
        run.count_mapped(records, failures)
        if self.progress is not None:
            self.progress(result.records, result.listed or None)


def _error_message(item: CrawledItem) -> str:
    parts = [item.message or item.code or "failed"]
    if item.attempts > 1:
        parts.append(f"after {item.attempts} attempts")
    if item.final_url and item.final_url != item.url:
        parts.append(f"at {item.final_url}")
    return f"[{item.code}] " + ", ".join(parts)


def _no_resource_message(extracted: ExtractResult) -> str:
    if not extracted.others:
        return "no JSON-LD or microdata on the page"
    types = sorted({t for obj in extracted.others for t in obj.types} or {"untyped"})
    return f"JSON-LD/microdata, but no node describes a resource (types: {', '.join(types)})"


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """('text/html', 'utf-8') from a Content-Type header; ('', None) when none is given."""
    if not content_type:
        return "", None
    media, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media.strip().lower(), charset


def _pages_table(pages: list[dict]) -> pa.Table:
    # fetched_at as naive UTC microseconds (see pipelines.run._pages_table: no pandas)
    columns = {
        "page_number": [p["page_number"] for p in pages],
        "window_no": [None] * len(pages),
        "url": [p["url"] for p in pages],
        "http_status": [p["http_status"] for p in pages],
        "fetched_at": pa.array([p["fetched_us"] for p in pages], pa.int64()).cast(
            pa.timestamp("us")
        ),
        "elapsed_s": [p["elapsed_s"] for p in pages],
        "size_bytes": [p["size_bytes"] for p in pages],
        "n_items": [p["n_items"] for p in pages],
        "resumption_token": [None] * len(pages),
        "complete_list_size": [None] * len(pages),
        "response_date": [None] * len(pages),
    }
    return pa.Table.from_pydict(columns, schema=PAGE_SCHEMA)


def _raw_table(source: str, batch: _Batch, shas: list[str]) -> pa.Table:
    items = batch.items
    return pa.Table.from_pydict(
        {
            "source": [source] * len(items),
            "oai_identifier": [i.identifier for i in items],
            "metadata_prefix": [METADATA_PREFIX] * len(items),
            "datestamp": [i.datestamp or None for i in items],
            "payload_sha256": shas,
            "payload": [i.raw.decode("utf-8", "replace") for i in items],
            "page_url": batch.page_urls,
        },
        schema=RAW_SCHEMA,
    )
