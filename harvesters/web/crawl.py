"""Run one sitemap crawl in its own process, and read what it wrote.

    python -m harvesters.web.crawl --sitemap URL --out FILE.jsonl [--max-pages N]
        [--delay S] [--user-agent UA] [--contact-url URL] [--since LASTMOD] [--known FILE]
        [--concurrency N] [--timeout S] [--retries N] [--backoff S] [--max-retry-after S]
        [--no-robots] [--no-autothrottle] [--max-bytes N] [--log-level LEVEL]

Why a process per crawl: Scrapy runs on the Twisted reactor, which cannot be restarted in
a process once stopped, so a second crawl in the same process (the next source, a test)
would fail. `crawl()` starts `sys.executable -m harvesters.web.crawl`, waits, checks the
exit code and the summary line, and raises `CrawlError` (with the tail of the crawl's log)
when the crawl process failed; `read_pages()` then reads the items back.

The output is JSON lines: the spider's items (see `harvesters.web.spider`), then one
`{"kind": "summary", ...}` line written after the crawl ended (pid, finish reason, counts
from Scrapy's stats). Exit codes: 0 the crawl ran to its end (whatever the pages said:
page errors are items, not process failures), 1 it did not (unexpected finish reason,
items that could not be written, start-up failure), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the directory holding harvesters/
OK_FINISH_REASONS = ("finished", "deferred")
_TAIL_BYTES = 4_000
DEFAULT_MAX_BYTES = 32 * 1024 * 1024  # per response


class CrawlError(RuntimeError):
    """The crawl process failed: it exited non-zero, was killed, timed out or wrote no
    summary. What it wrote before is still in `out_path` (read it with `read_pages`)."""

    def __init__(self, message: str, *, returncode: int | None, out_path: Path, log_tail: str):
        super().__init__(f"{message}" + (f"; log tail:\n{log_tail}" if log_tail else ""))
        self.returncode = returncode
        self.out_path = out_path
        self.log_tail = log_tail


@dataclass(frozen=True)
class CrawlSummary:
    """The summary line of a finished crawl, plus where its output and log are."""

    out_path: Path
    log_path: Path
    pid: int  # of the crawl process (never the caller's)
    finish_reason: str  # finished, deferred (a Retry-After too long), ...
    pages: int  # page items
    errors: int  # error items (pages and sitemaps)
    sitemaps: int  # sitemap documents read
    requests: int
    retries: int
    robots_forbidden: int
    spider_exceptions: int
    response_bytes: int
    elapsed_s: float
    stats: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_line(cls, line: dict, out_path: Path, log_path: Path) -> CrawlSummary:
        items = line.get("items") or {}
        return cls(
            out_path=out_path,
            log_path=log_path,
            pid=int(line.get("pid") or 0),
            finish_reason=str(line.get("finish_reason")),
            pages=int(items.get("page", 0)),
            errors=int(items.get("error", 0)),
            sitemaps=int(items.get("sitemap", 0)),
            requests=int(line.get("requests") or 0),
            retries=int(line.get("retries") or 0),
            robots_forbidden=int(line.get("robots_forbidden") or 0),
            spider_exceptions=int(line.get("spider_exceptions") or 0),
            response_bytes=int(line.get("response_bytes") or 0),
            elapsed_s=float(line.get("elapsed_s") or 0.0),
            stats=dict(line.get("stats") or {}),
        )


@dataclass(frozen=True)
class CrawledItem:
    """One line of a crawl's output: a page, an error or a sitemap (spider docstring)."""

    kind: str  # page, error, sitemap
    url: str  # as listed (sitemap loc, or the URL asked for)
    final_url: str
    status: int | None
    fetched_at: datetime | None
    data: dict[str, Any]  # the whole line, body excluded
    body: bytes | None = None

    @property
    def target(self) -> str:
        """page or sitemap: what the item is about."""
        return "sitemap" if self.kind == "sitemap" else self.data.get("target", "page")

    @property
    def root(self) -> bool:
        return bool(self.data.get("root"))

    @property
    def code(self) -> str | None:
        return self.data.get("code")

    @property
    def message(self) -> str | None:
        return self.data.get("message")

    @property
    def lastmod(self) -> str | None:
        return self.data.get("lastmod")

    @property
    def content_type(self) -> str | None:
        return self.data.get("content_type")

    @property
    def size(self) -> int:
        return int(self.data.get("size") or 0)

    @property
    def attempts(self) -> int:
        return int(self.data.get("attempts") or 1)

    @property
    def elapsed_s(self) -> float | None:
        return self.data.get("elapsed_s")

    @property
    def redirects(self) -> list[str]:
        return list(self.data.get("redirects") or [])

    @property
    def entries(self) -> list[tuple[str, str | None]]:
        """For a sitemap: its [loc, lastmod] entries."""
        return [(loc, lastmod) for loc, lastmod in self.data.get("entries") or []]


# ---------------------------------------------------------------- the parent side


def lastmod_time(value: str | None) -> datetime | None:
    """A sitemap lastmod (W3C datetime: a date, or date and time with an offset) as an
    aware UTC datetime; a bare date is midnight UTC, a time without offset UTC. None when
    it does not parse (such an entry is always fetched)."""
    if not value:
        return None
    text = value.strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def crawl(
    sitemap_url: str,
    out_path: str | Path,
    *,
    max_pages: int | None = None,
    delay: float = 1.0,
    user_agent: str | None = None,
    contact_url: str | None = None,
    since: str | None = None,
    known: Mapping[str, str] | None = None,
    concurrency: int = 1,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    max_retry_after: float = 300.0,
    obey_robots: bool = True,
    autothrottle: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    log_level: str = "WARNING",
    process_timeout: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> CrawlSummary:
    """Crawl `sitemap_url` in a child process into `out_path` (JSON lines); its log goes to
    `<out_path>.log`. `known` ({url: lastmod}) skips entries not newer than their known
    lastmod; `progress(lines written so far)` is called about every half second.
    Raises CrawlError when the process fails, times out or writes no summary."""
    out = Path(out_path)
    log_path = out.with_name(out.name + ".log")
    argv = [
        "--sitemap", sitemap_url, "--out", str(out), "--delay", str(delay),
        "--concurrency", str(concurrency), "--timeout", str(timeout), "--retries", str(retries),
        "--backoff", str(backoff), "--max-retry-after", str(max_retry_after),
        "--max-bytes", str(max_bytes), "--log-level", log_level,
    ]  # fmt: skip
    if max_pages is not None:
        argv += ["--max-pages", str(max_pages)]
    if user_agent:
        argv += ["--user-agent", user_agent]
    if contact_url:
        argv += ["--contact-url", contact_url]
    if since:
        argv += ["--since", since]
    if known:
        known_path = out.with_name(out.name + ".known.json")
        known_path.write_text(json.dumps(dict(known)), encoding="utf-8")
        argv += ["--known", str(known_path)]
    if not obey_robots:
        argv.append("--no-robots")
    if not autothrottle:
        argv.append("--no-autothrottle")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "harvesters.web.crawl", *argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        returncode = _wait(proc, out, process_timeout, progress, log_path)
    if returncode != 0:
        raise CrawlError(
            f"crawl of {sitemap_url} failed: the crawl process exited with code {returncode}",
            returncode=returncode,
            out_path=out,
            log_tail=_tail(log_path),
        )
    line = read_summary(out)
    if line is None:
        raise CrawlError(
            f"crawl of {sitemap_url} wrote no summary line to {out}",
            returncode=returncode,
            out_path=out,
            log_tail=_tail(log_path),
        )
    return CrawlSummary.from_line(line, out, log_path)


def _wait(
    proc: subprocess.Popen,
    out: Path,
    process_timeout: float | None,
    progress: Callable[[int], None] | None,
    log_path: Path,
) -> int:
    deadline = None if process_timeout is None else time.monotonic() + process_timeout
    counter = _LineCounter(out)
    try:
        while True:
            try:
                return proc.wait(timeout=0.5 if progress else 5.0)
            except subprocess.TimeoutExpired:
                pass
            if progress is not None:
                progress(counter.count())
            if deadline is not None and time.monotonic() > deadline:
                _stop(proc)
                raise CrawlError(
                    f"crawl process {proc.pid} still running after {process_timeout} s: stopped",
                    returncode=proc.returncode,
                    out_path=out,
                    log_tail=_tail(log_path),
                )
    except BaseException:  # Ctrl-C or a timeout here: the crawl must not outlive us
        if proc.poll() is None:
            _stop(proc)
        raise


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class _LineCounter:
    """Counts the lines of a growing file, reading only what was appended."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.lines = path, 0, 0

    def count(self) -> int:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                chunk = fh.read()
        except FileNotFoundError:
            return self.lines
        self.offset += len(chunk)
        self.lines += chunk.count(b"\n")
        return self.lines


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - _TAIL_BYTES))
            return fh.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def read_summary(out_path: str | Path) -> dict | None:
    """The summary line of a crawl's output, None when there is none (crash, still running)."""
    path = Path(out_path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    with path.open("rb") as fh:
        fh.seek(max(0, size - 256 * 1024))
        lines = fh.read().splitlines()
    for raw in reversed(lines):
        if raw.startswith(b'{"kind":"summary"'):
            try:
                return json.loads(raw)
            except ValueError:
                return None
    return None


def read_pages(out_path: str | Path) -> Iterator[CrawledItem]:
    """The page, error and sitemap items of a crawl's output, in the order written.

    A last line cut short (the crawl process was killed while writing it) is ignored; a
    broken line anywhere else raises ValueError: the file is not a crawl's output.
    """
    with Path(out_path).open("rb") as fh:
        pending: bytes | None = None
        for raw in fh:
            if pending is not None:
                yield _item(pending, final=False)
            pending = raw
        if pending is not None:
            item = _item(pending, final=True)
            if item is not None:
                yield item


def _item(raw: bytes, *, final: bool) -> Any:
    text = raw.strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        if final and not raw.endswith(b"\n"):
            return None
        raise ValueError(f"not a crawl output line: {text[:200]!r}") from None
    if data.get("kind") == "summary":
        return None
    body = data.pop("body", None)
    fetched = data.get("fetched_at")
    return CrawledItem(
        kind=data.get("kind", "error"),
        url=data.get("url", ""),
        final_url=data.get("final_url") or data.get("url", ""),
        status=data.get("status"),
        fetched_at=datetime.fromisoformat(fetched) if fetched else None,
        data=data,
        body=base64.b64decode(body) if body is not None else None,
    )


# ---------------------------------------------------------------- the child side


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m harvesters.web.crawl",
        description="Crawl the pages a sitemap lists into a JSON-lines file (one process).",
    )
    p.add_argument("--sitemap", required=True, help="sitemap, sitemap index or robots.txt URL")
    p.add_argument("--out", required=True, help="JSON-lines output file (overwritten)")
    p.add_argument("--max-pages", type=int, default=None, help="fetch at most N pages")
    p.add_argument("--delay", type=float, default=1.0, help="seconds between requests to a host")
    p.add_argument("--user-agent", default=None, help="User-Agent (default: contact UA)")
    p.add_argument("--contact-url", default=None, help="contact URL for the default UA")
    p.add_argument("--since", default=None, help="skip entries whose lastmod is not newer")
    p.add_argument("--known", default=None, help="JSON file {url: lastmod}: skip entries not newer")
    p.add_argument("--concurrency", type=int, default=1, help="requests in flight per host")
    p.add_argument("--timeout", type=float, default=30.0, help="download timeout (s)")
    p.add_argument("--retries", type=int, default=3, help="retries of 429/5xx/transport errors")
    p.add_argument("--backoff", type=float, default=1.0, help="first retry wait (s), doubling")
    p.add_argument("--max-retry-after", type=float, default=300.0,
                   help="a longer Retry-After ends the crawl as deferred (s)")  # fmt: skip
    p.add_argument("--no-robots", action="store_true", help="do not obey robots.txt")
    p.add_argument("--no-autothrottle", action="store_true", help="fixed delay only")
    p.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="max response size")
    p.add_argument("--log-level", default="WARNING", help="Scrapy log level (stderr)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.since and lastmod_time(args.since) is None:
        parser.error(f"--since {args.since!r} is not a W3C datetime / ISO 8601 date")
    if args.max_pages is not None and args.max_pages < 0:
        parser.error("--max-pages must be >= 0")
    known = None
    if args.known:
        known = json.loads(Path(args.known).read_text(encoding="utf-8"))
        if not isinstance(known, dict):
            parser.error("--known must hold a JSON object {url: lastmod}")

    # Scrapy is imported here, not at module level: the parent never loads Twisted.
    from scrapy import __version__ as scrapy_version
    from scrapy.crawler import CrawlerProcess

    from harvesters.web.spider import SitemapPagesSpider, crawl_settings

    try:
        settings = crawl_settings(
            out_path=args.out,
            user_agent=args.user_agent,
            contact_url=args.contact_url,
            delay=args.delay,
            concurrency=args.concurrency,
            autothrottle=not args.no_autothrottle,
            obey_robots=not args.no_robots,
            timeout=args.timeout,
            retries=args.retries,
            backoff=args.backoff,
            max_retry_after=args.max_retry_after,
            max_bytes=args.max_bytes,
            log_level=args.log_level,
        )
    except ValueError as exc:
        parser.error(str(exc))
    process = CrawlerProcess(settings=settings)
    crawler = process.create_crawler(SitemapPagesSpider)
    process.crawl(crawler, sitemap_url=args.sitemap, max_pages=args.max_pages,
                  since=args.since, known=known)  # fmt: skip
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    summary = _summary(stats, scrapy_version)
    with open(args.out, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(summary, separators=(",", ":"), default=str) + "\n")
    failed = summary["finish_reason"] not in OK_FINISH_REASONS or summary["write_errors"]
    if failed:
        print(
            f"crawl did not complete: finish reason {summary['finish_reason']!r}, "
            f"{summary['write_errors']} item(s) not written",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _summary(stats: dict[str, Any], scrapy_version: str) -> dict[str, Any]:
    def number(key: str) -> int:
        return int(stats.get(key) or 0)

    items = {k.rpartition("/")[2]: v for k, v in stats.items() if k.startswith("oer/items/")}
    return {
        "kind": "summary",
        "pid": os.getpid(),
        "scrapy": scrapy_version,
        "finish_reason": stats.get("finish_reason"),
        "items": items,
        "requests": number("downloader/request_count"),
        "responses": number("downloader/response_count"),
        "response_bytes": number("downloader/response_bytes"),
        "retries": number("retry/count"),
        "robots_forbidden": number("robotstxt/forbidden"),
        "spider_exceptions": sum(
            int(v) for k, v in stats.items() if k.startswith("spider_exceptions/")
        ),
        "write_errors": number("oer/write_errors"),
        "errors_logged": number("log_count/ERROR"),
        "elapsed_s": float(stats.get("elapsed_time_seconds") or 0.0),
        "stats": {k: v for k, v in stats.items() if isinstance(v, int | float | str)},
    }


if __name__ == "__main__":
    sys.exit(main())
