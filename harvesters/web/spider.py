"""A Scrapy spider over a sitemap: every page it lists, fetched once, as a raw item.

`SitemapPagesSpider` starts at one URL — a sitemap (`<urlset>`), a sitemap index
(`<sitemapindex>`, followed to any depth up to `MAX_SITEMAP_DEPTH`), gzipped or not, or a
`robots.txt` whose `Sitemap:` lines are followed — and yields plain dicts, one per line of
the crawl's JSON-lines file (`JsonLinesWriter`):

    kind "sitemap"  a sitemap document read: url, final_url, status, type (urlset,
                    sitemapindex or robots), entries [[loc, lastmod], ...], skipped (entries not
                    fetched because of --since / --known / --max-pages), problem (text, when
                    the XML only parsed in recovery mode), root (the start URL or not)
    kind "page"     a fetched page: url (the sitemap loc), final_url (after redirects),
                    redirects, status, content_type, lastmod (from the sitemap), sitemap,
                    fetched_at (UTC ISO), elapsed_s, attempts, size, body (base64;
                    omitted for media types that cannot hold JSON-LD: body_omitted)
    kind "error"    a request that failed for good: target (page or sitemap), root, url,
                    code (not_found, http_error, timeout, dns_error, connection_error,
                    tls_error, too_large, robots_disallowed, retry_after_too_long,
                    not_sitemap, bad_url, internal_error, fetch_error), message, status and body
                    (base64) when a response arrived, lastmod, attempts, retry_after_s

Nothing is dropped silently: HTTP 4xx/5xx reach the callbacks (`handle_httpstatus_list`)
after the retries, every other failure reaches the errbacks, and a callback that raises is
turned into an `internal_error` item.

Politeness (`crawl_settings`): robots.txt obeyed by default, one request in flight per host
by default, DOWNLOAD_DELAY (default 1 s) and AutoThrottle, a contact User-Agent built like
the OAI client's (`oer-pipeline/<version> (+<contact>)`), cookies off, telnet console and
periodic stats logging off. `RetryAfterMiddleware` replaces Scrapy's RetryMiddleware (which
ignores Retry-After): 429/5xx/408 and transport failures are retried with exponential
backoff, or after the server's Retry-After on 429/503; while a host waits, no request to it
starts (the wait holds the host back, not only the retried request). A Retry-After longer
than OER_MAX_RETRY_AFTER closes the crawl with finish reason `deferred`.

May import: the standard library, lxml, scrapy, and harvesters.oai (User-Agent, Retry-After
parsing). Never warehouse/ or transforms/.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from lxml import etree
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from harvesters.oai.client import user_agent_for
from harvesters.oai.retry import parse_retry_after
from harvesters.web.crawl import DEFAULT_MAX_BYTES, lastmod_time

MAX_SITEMAP_DEPTH = 5  # index → index → ... → urlset; deeper is a loop or a mistake
MAX_SITEMAP_BYTES = 64 * 1024 * 1024  # uncompressed; the protocol allows 50 MiB
NOT_FOUND = (404, 410)
RETRY_AFTER_STATUSES = (429, 503)
# Media types whose bodies cannot carry JSON-LD for us: not written to the crawl file.
_NO_BODY_PREFIXES = ("image/", "video/", "audio/", "font/")
_NO_BODY_TYPES = frozenset(
    (
        "application/pdf", "application/zip", "application/octet-stream", "application/msword",
        "application/vnd.ms-powerpoint", "application/vnd.ms-excel", "application/epub+zip",
    )
)  # fmt: skip
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_RECOVER_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=True, recover=True
)


def crawl_settings(
    *,
    out_path: str,
    user_agent: str | None = None,
    contact_url: str | None = None,
    delay: float = 1.0,
    concurrency: int = 1,
    autothrottle: bool = True,
    obey_robots: bool = True,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    max_retry_after: float = 300.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """Scrapy settings of one polite crawl writing its items to `out_path`."""
    if concurrency not in (1, 2):
        raise ValueError(f"concurrency per host is 1 or 2 (politeness), not {concurrency}")
    if delay < 0 or retries < 0 or backoff < 0 or max_retry_after < 0:
        raise ValueError("delay, retries, backoff and max_retry_after must be >= 0")
    return {
        "USER_AGENT": user_agent or user_agent_for(contact_url),
        "ROBOTSTXT_OBEY": obey_robots,
        "CONCURRENT_REQUESTS": max(8, concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_ENABLED": autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(concurrency),
        "DOWNLOAD_TIMEOUT": timeout,
        "DNS_TIMEOUT": min(timeout, 20.0),
        "DOWNLOAD_MAXSIZE": max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": retries > 0,
        "RETRY_TIMES": retries,
        "RETRY_GIVE_UP_LOG_LEVEL": "INFO",  # a give-up is an error item, not a log error
        "OER_RETRY_BACKOFF": backoff,
        "OER_MAX_RETRY_AFTER": max_retry_after,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "harvesters.web.spider.RetryAfterMiddleware": 550,
        },
        "ITEM_PIPELINES": {"harvesters.web.spider.JsonLinesWriter": 100},
        "OER_OUT_PATH": out_path,
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        },
        "COOKIES_ENABLED": False,
        "REDIRECT_MAX_TIMES": 5,
        "TELNETCONSOLE_ENABLED": False,
        "LOGSTATS_INTERVAL": 0,
        "STATS_DUMP": False,
        "LOG_LEVEL": log_level,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }


# ---------------------------------------------------------------- the spider


class SitemapPagesSpider(Spider):
    """Spider arguments: sitemap_url; max_pages; since (a lastmod: entries not newer are
    skipped); known ({url: lastmod}: an entry whose lastmod is not newer than its known
    one is skipped). Entries without a (parsable) lastmod are always fetched."""

    name = "oer-sitemap"
    # HTTP errors reach the callbacks (after the retries) instead of being filtered out
    handle_httpstatus_list: ClassVar[list[int]] = list(range(400, 600))

    def __init__(
        self,
        sitemap_url: str,
        *,
        max_pages: int | None = None,
        since: str | None = None,
        known: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sitemap_url = sitemap_url
        self.max_pages = max_pages
        self.since = lastmod_time(since) if since else None
        if since and self.since is None:
            raise ValueError(f"since {since!r} is not a W3C datetime / ISO 8601 date")
        self.known = {url: lastmod_time(value) for url, value in (known or {}).items()}
        self.scheduled = 0

    async def start(self) -> AsyncIterator[Request]:
        yield self._sitemap_request(self.sitemap_url, depth=0)

    def _sitemap_request(self, url: str, depth: int) -> Request:
        return Request(
            url,
            callback=self.parse_sitemap,
            errback=self.failed,
            priority=10,  # the listing first: it tells the pipeline what the site holds
            dont_filter=depth == 0,
            meta={"oer_target": "sitemap", "oer_depth": depth},
        )

    # ---------------------------------------------------------------- sitemaps

    def parse_sitemap(self, response: Response) -> Iterator[dict | Request]:
        try:
            yield from self._parse_sitemap(response)
        except CloseSpider:
            raise
        except Exception as exc:  # a bug here must not lose the sitemap silently
            yield _error(response.request, "internal_error", f"{type(exc).__name__}: {exc}")

    def _parse_sitemap(self, response: Response) -> Iterator[dict | Request]:
        request, depth = response.request, response.meta["oer_depth"]
        if response.status >= 400:
            yield from self._http_error(response)
            return
        if urlsplit(response.url).path.endswith("/robots.txt"):
            urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
            if not urls:
                yield _error(request, "not_sitemap", "robots.txt names no sitemap", response)
                return
            yield _sitemap_item(response, "robots", [[u, None] for u in urls], 0, None)
            for url in urls:
                yield self._sitemap_request(url, depth + 1)
            return
        try:
            kind, entries, problem = read_sitemap(response.body)
        except ValueError as exc:
            yield _error(request, "not_sitemap", str(exc), response)
            return
        if kind == "sitemapindex":
            yield _sitemap_item(response, kind, entries, 0, problem)
            if depth + 1 > MAX_SITEMAP_DEPTH:
                why = f"sitemap index nested deeper than {MAX_SITEMAP_DEPTH} levels: not followed"
                yield _error(request, "not_sitemap", why, response)
                return
            for loc, _ in entries:
                yield self._sitemap_request(response.urljoin(loc), depth + 1)
            return
        pages = []
        skipped = 0
        for loc, lastmod in entries:
            url = response.urljoin(loc)
            if self._skip(url, lastmod):
                skipped += 1
                continue
            pages.append((url, lastmod))
            self.scheduled += 1
        yield _sitemap_item(response, kind, entries, skipped, problem)
        for url, lastmod in pages:
            meta = {"oer_target": "page", "oer_lastmod": lastmod, "oer_sitemap": response.url}
            try:
                page = Request(url, callback=self.parse_page, errback=self.failed, meta=meta)
            except ValueError as exc:  # a loc Scrapy cannot request at all
                item = _error(Request(response.url, meta=meta), "bad_url", f"not requested: {exc}")
                item["url"] = item["final_url"] = url
                yield item
                continue
            yield page

    def _skip(self, url: str, lastmod: str | None) -> bool:
        if self.max_pages is not None and self.scheduled >= self.max_pages:
            return True
        when = lastmod_time(lastmod) if lastmod else None
        if when is None:
            return False
        if self.since is not None and when <= self.since:
            return True
        before = self.known.get(url)
        return before is not None and when <= before

    # ---------------------------------------------------------------- pages

    def parse_page(self, response: Response) -> Iterator[dict]:
        try:
            if response.status >= 400:
                yield from self._http_error(response)
                return
            yield _page_item(response)
        except CloseSpider:
            raise
        except Exception as exc:
            yield _error(response.request, "internal_error", f"{type(exc).__name__}: {exc}")

    def _http_error(self, response: Response) -> Iterator[dict]:
        status = response.status
        code = "not_found" if status in NOT_FOUND else "http_error"
        wait = response.meta.get("oer_retry_after_s")
        if wait is not None:
            code = "retry_after_too_long"
        item = _error(response.request, code, f"HTTP {status}", response)
        if wait is not None:
            item["retry_after_s"] = wait
            item["message"] = f"HTTP {status} with Retry-After {wait:.0f} s: crawl deferred"
        yield item
        if wait is not None:
            raise CloseSpider("deferred")

    def failed(self, failure: Failure) -> Iterator[dict]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(HttpError):  # a status outside handle_httpstatus_list, e.g. 3xx
            response = failure.value.response
            yield _error(request, "http_error", f"HTTP {response.status}", response)
            return
        code, message = classify_failure(failure)
        yield _error(request, code, message)


# Exception class names (any class in the MRO) → error code. By name, because Scrapy 2.13+
# raises its own classes (CannotResolveHostError, DownloadTimeoutError…) where older
# versions let Twisted's through (DNSLookupError, TimeoutError…).
_FAILURE_CODES = (
    ("dns_error", {"CannotResolveHostError", "DNSLookupError"}),
    ("timeout", {"DownloadTimeoutError", "TimeoutError", "TCPTimedOutError"}),
    ("too_large", {"DownloadCancelledError", "CancelledError"}),
    ("connection_error", {
        "DownloadConnectionRefusedError", "ConnectError", "ConnectionLost", "ConnectionDone",
        "DownloadFailedError", "ResponseDataLossError", "ResponseNeverReceived",
        "ResponseFailed", "ConnectionError", "TunnelError",
    }),
)  # fmt: skip


def classify_failure(failure: Failure) -> tuple[str, str]:
    """(code, message) for a request that raised instead of answering."""
    exc = failure.value
    detail = str(exc)
    text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in detail:
            return "robots_disallowed", "forbidden by robots.txt"
        return "fetch_error", text
    if "max size" in detail or "maxsize" in detail:
        return "too_large", text
    lowered = text.lower()
    if "ssl" in lowered or "tls" in lowered or "certificate" in lowered:
        return "tls_error", text
    names = {cls.__name__ for cls in type(exc).__mro__}
    for code, classes in _FAILURE_CODES:
        if names & classes:
            return code, text
    return "fetch_error", text


# ---------------------------------------------------------------- items


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _attempts(request: Request) -> int:
    return int(request.meta.get("retry_times", 0)) + 1


def _content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sitemap_item(
    response: Response, kind: str, entries: list, skipped: int, problem: str | None
) -> dict:
    meta = response.meta
    return {
        "kind": "sitemap",
        "url": (meta.get("redirect_urls") or [response.url])[0],
        "final_url": response.url,
        "root": meta.get("oer_depth") == 0,
        "status": response.status,
        "type": kind,
        "fetched_at": _now(),
        "elapsed_s": meta.get("download_latency"),
        "attempts": _attempts(response.request),
        "size": len(response.body),
        "entries": entries,
        "skipped": skipped,
        "problem": problem,
    }


def _page_item(response: Response) -> dict:
    meta = response.meta
    content_type = _content_type(response)
    item = {
        "kind": "page",
        "url": (meta.get("redirect_urls") or [response.url])[0],
        "final_url": response.url,
        "redirects": list(meta.get("redirect_urls") or []),
        "status": response.status,
        "content_type": content_type,
        "lastmod": meta.get("oer_lastmod"),
        "sitemap": meta.get("oer_sitemap"),
        "fetched_at": _now(),
        "elapsed_s": meta.get("download_latency"),
        "attempts": _attempts(response.request),
        "size": len(response.body),
    }
    if _keeps_body(content_type):
        item["body"] = _b64(response.body)
    else:
        item["body_omitted"] = True
    return item


def _keeps_body(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return not (media.startswith(_NO_BODY_PREFIXES) or media in _NO_BODY_TYPES)


def _error(request: Request, code: str, message: str, response: Response | None = None) -> dict:
    meta = request.meta
    item: dict[str, Any] = {
        "kind": "error",
        "target": meta.get("oer_target", "page"),
        "root": meta.get("oer_depth") == 0,
        "url": (meta.get("redirect_urls") or [request.url])[0],
        "final_url": response.url if response is not None else request.url,
        "code": code,
        "message": message,
        "status": response.status if response is not None else None,
        "lastmod": meta.get("oer_lastmod"),
        "sitemap": meta.get("oer_sitemap"),
        "fetched_at": _now(),
        "attempts": _attempts(request),
    }
    if response is not None:
        item["content_type"] = _content_type(response)
        item["size"] = len(response.body)
        item["body"] = _b64(response.body)
    return item


# ---------------------------------------------------------------- sitemap documents


def read_sitemap(body: bytes) -> tuple[str, list[list[str | None]], str | None]:
    """(root local name, [[loc, lastmod], ...], problem) of a sitemap or sitemap index.

    Gzipped bodies are inflated. A document that is not well-formed is read once more in
    recovery mode and `problem` says so; ValueError when it is not a sitemap at all.
    """
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body)
    problem = None
    try:
        root = etree.fromstring(body, _SAFE_XML)
    except etree.XMLSyntaxError as exc:
        try:
            root = etree.fromstring(body, _RECOVER_XML)
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            raise ValueError(f"not XML: {exc}") from exc
        problem = f"not well-formed XML ({exc}); read in recovery mode"
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise ValueError(f"not a sitemap: root element {kind!r}")
    child = "url" if kind == "urlset" else "sitemap"
    entries: list[list[str | None]] = []
    for element in root:
        if _local(element.tag) != child:
            continue
        loc = lastmod = None
        for part in element:
            name = _local(part.tag)
            if name == "loc" and part.text and part.text.strip():
                loc = part.text.strip()
            elif name == "lastmod" and part.text and part.text.strip():
                lastmod = part.text.strip()
        if loc:
            entries.append([loc, lastmod])
    return kind, entries, problem


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _gunzip(data: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_SITEMAP_BYTES)
    except zlib.error as exc:
        raise ValueError(f"broken gzip: {exc}") from exc
    if inflater.unconsumed_tail:
        raise ValueError(f"gzipped sitemap larger than {MAX_SITEMAP_BYTES} bytes")
    return out


# ---------------------------------------------------------------- middleware and writer


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, with backoff and the server's Retry-After, per host.

    A retried request holds its host back for the wait: `process_request` of any request
    to that host sleeps until then. A Retry-After above OER_MAX_RETRY_AFTER is not waited
    for: the response goes on to the spider with `oer_retry_after_s` in its meta, and the
    spider closes the crawl as deferred.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff = settings.getfloat("OER_RETRY_BACKOFF", 1.0)
        self.max_retry_after = settings.getfloat("OER_MAX_RETRY_AFTER", 300.0)
        self.hold_until: dict[str, float] = {}
        self.rng = random.Random()

    async def process_request(self, request: Request) -> None:
        wait = self.hold_until.get(_host(request.url), 0.0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def process_response(self, request: Request, response: Response) -> Any:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = None
        header = response.headers.get(b"Retry-After")
        if response.status in RETRY_AFTER_STATUSES and header:
            wait = parse_retry_after(header.decode("latin-1"), datetime.now(UTC))
        if wait is not None and wait > self.max_retry_after:
            request.meta["oer_retry_after_s"] = wait
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        self._hold(request, wait if wait is not None else self._backoff(request))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Any:
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            self._hold(request, self._backoff(request))
        return retry

    def _backoff(self, request: Request) -> float:
        retries = int(request.meta.get("retry_times", 0))
        wait = min(self.backoff * 2.0**retries, 120.0)
        return wait * (0.5 + self.rng.random())

    def _hold(self, request: Request, wait: float) -> None:
        host = _host(request.url)
        self.hold_until[host] = max(self.hold_until.get(host, 0.0), time.monotonic() + wait)


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


class JsonLinesWriter:
    """Item pipeline: one JSON line per item, flushed at once (a killed crawl keeps what it
    wrote). Counts items per kind in the stats (oer/items/<kind>); a write failure counts
    in oer/write_errors, and the crawl process then exits with an error (crawl.main)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("OER_OUT_PATH")
        if not self.path:
            raise ValueError("OER_OUT_PATH is not set")
        self.fh: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> JsonLinesWriter:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.fh = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - open for the crawl

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.fh is not None:
            self.fh.close()

    def process_item(self, item: dict, spider: Spider | None = None) -> dict:
        stats = self.crawler.stats
        try:
            self.fh.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
            self.fh.flush()
        except (OSError, TypeError, ValueError):
            stats.inc_value("oer/write_errors")
            raise
        stats.inc_value(f"oer/items/{item.get('kind', 'unknown')}")
        return item
