"""A small OAI-PMH 2.0 client on httpx + lxml.

One keep-alive ``httpx.Client`` per ``OAIClient``; explicit timeouts; TLS always verified;
every body read in a stream under a size cap; every failure a classified ``HarvestError``
naming the URL (with the resumption token in it) and keeping the raw body. ``request`` is
the single point where HTTP happens: it goes through the host's politeness limits and the
retry policy, records every retry in ``events``, and never classifies statuses itself.
"""

from __future__ import annotations

import ssl
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any, ClassVar, Generic, Literal

import httpx
from lxml import etree

from harvesters.oai.errors import (
    EmptyPagesWithToken,
    HarvestError,
    NoMetadataFormats,
    NoRecordsMatch,
    NoSetHierarchy,
    OAIError,
    RepeatedPage,
    ResponseTooLarge,
    ResumptionTokenLoop,
    TooManyPages,
    TransportError,
)
from harvesters.oai.limits import HostLimiter, host_key
from harvesters.oai.parse import (
    Document,
    Identify,
    ItemT,
    ItemWarning,
    ListPart,
    MetadataFormat,
    OAISet,
    Page,
    RecordItem,
    parse_document,
    parse_identify,
    parse_metadata_formats,
    read_get_record,
    read_list_page,
    response_warnings,
)
from harvesters.oai.retry import RetryEvent, RetryPolicy, send_with_retry


def _package_version() -> str:
    try:
        return metadata.version("oer-pipeline")
    except metadata.PackageNotFoundError:
        return "0.1.0"


VERSION = _package_version()
PROJECT_URL = "https://github.com/oer-dynamic-coalition/oer-pipeline"
DEFAULT_USER_AGENT = f"oer-pipeline/{VERSION} (+{PROJECT_URL})"
DEFAULT_RETRY = RetryPolicy()
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
_ACCEPT = "text/xml, application/xml;q=0.9, */*;q=0.1"


@dataclass(frozen=True)
class RawResponse:
    """One HTTP exchange, unparsed. ``url`` is the final URL; for POST the form
    parameters are appended as a query so that the URL names the request."""

    url: str
    params: dict[str, str]
    method: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    elapsed_s: float
    fetched_at: datetime
    redirects: list[str] = field(default_factory=list)
    attempts: int = 1  # how many times the request was sent (retries included)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass(frozen=True)
class WarningEvent:
    """A warning about a response that is not a list page (Identify, ListMetadataFormats):
    list pages carry theirs on ``Page.warnings``, records on ``RecordItem.warnings``."""

    severity: ClassVar[str] = "warning"

    url: str
    code: str
    message: str
    at: datetime


Event = RetryEvent | WarningEvent


def user_agent_for(contact_url: str | None) -> str:
    """``oer-pipeline/<version> (+<contact_url>)``; the project URL when none is given."""
    contact = contact_url or PROJECT_URL
    if any(ch in contact for ch in "\r\n()") or not contact.strip():
        raise ValueError(f"contact_url {contact_url!r} cannot go into a User-Agent header")
    return f"oer-pipeline/{VERSION} (+{contact.strip()})"


class OAIClient:
    """One OAI-PMH endpoint. ``retry=None`` sends every request once. ``host_delay_s`` and
    ``max_concurrent_per_host`` are shared with every other client of the same host:port
    (``HostLimiter``). ``max_empty_pages``/``max_pages`` bound every PageChain."""

    def __init__(
        self,
        base_url: str,
        *,
        method: Literal["GET", "POST"] = "GET",
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        user_agent: str | None = None,
        contact_url: str | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        headers: dict[str, str] | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        host_delay_s: float = 0.0,
        max_concurrent_per_host: int = 1,
        max_empty_pages: int = 3,
        max_pages: int | None = None,
    ):
        if method not in ("GET", "POST"):
            raise ValueError(f"method must be GET or POST, not {method!r}")
        self.base_url = base_url
        self.method = method
        self.max_response_bytes = max_response_bytes
        self.retry = retry
        self.max_empty_pages = max_empty_pages
        self.max_pages = max_pages
        self.events: list[Event] = []
        self.last_response: RawResponse | None = None  # the latest answer, for diagnostics
        self.request_count = 0  # HTTP requests sent, retries included
        self.user_agent = user_agent or user_agent_for(contact_url)
        self._limiter = HostLimiter.for_host(host_key(base_url))
        self._limiter_handle = self._limiter.register(host_delay_s, max_concurrent_per_host)
        self._release = weakref.finalize(self, self._limiter.unregister, self._limiter_handle)
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=True,
            verify=True,  # always: there is deliberately no option to turn it off
            headers={"User-Agent": self.user_agent, "Accept": _ACCEPT, **(headers or {})},
        )

    def close(self) -> None:
        self._release()
        self._http.close()

    def __enter__(self) -> OAIClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------- HTTP

    def request(self, verb: str, **params: str | None) -> RawResponse:
        """One OAI-PMH request. Parameters use OAI names; a trailing underscore is
        dropped (``from_=``, ``set_=``) and None values are left out. Returns any HTTP
        status (after retries, the last answer, with ``attempts``); raises TransportError,
        ResponseTooLarge and RetryAfterTooLong."""
        query = {"verb": verb}
        for name, value in params.items():
            if value is not None:
                query[name.rstrip("_")] = value
        policy = self.retry
        if policy is None:
            raw = self._limited_send(query, time.sleep)
        else:
            raw = send_with_retry(
                policy,
                lambda: self._limited_send(query, policy.sleep),
                url=self._request_url(query),
                params=query,
                record=self.events.append,
                hold_off=lambda seconds: self._limiter.hold_off(seconds, self._limiter_handle),
            )
        self.last_response = raw
        return raw

    def _request_url(self, query: dict[str, str]) -> str:
        return str(httpx.URL(self.base_url).copy_merge_params(query))

    def _limited_send(self, query: dict[str, str], sleep: Callable[[float], None]) -> RawResponse:
        with self._limiter.slot(self._limiter_handle, sleep):
            return self._send(query)

    def _send(self, query: dict[str, str]) -> RawResponse:
        self.request_count += 1
        request_url = self._request_url(query)
        fetched_at = datetime.now(UTC)
        started = time.perf_counter()
        try:
            if self.method == "GET":
                stream = self._http.stream("GET", self.base_url, params=query)
            else:
                stream = self._http.stream("POST", self.base_url, data=query)
            with stream as response:
                content = self._read_capped(response, request_url)
                final_url = str(response.url)
                if self.method == "POST":
                    final_url = str(response.url.copy_merge_params(query))
                return RawResponse(
                    url=final_url,
                    params=query,
                    method=self.method,
                    status=response.status_code,
                    headers=response.headers,
                    content=content,
                    elapsed_s=time.perf_counter() - started,
                    fetched_at=fetched_at,
                    redirects=[str(earlier.url) for earlier in response.history],
                )
        except httpx.TimeoutException as exc:
            waited = time.perf_counter() - started
            raise TransportError(
                f"{type(exc).__name__} after {waited:.2f}s: {exc}",
                url=request_url,
                reason="timeout",
                retryable=True,
            ) from exc
        except httpx.HTTPError as exc:
            reason, retryable = _transport_reason(exc)
            raise TransportError(
                f"{type(exc).__name__}: {exc}", url=request_url, reason=reason, retryable=retryable
            ) from exc

    def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        limit = self.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ResponseTooLarge(
                f"Content-Length {declared} exceeds max_response_bytes={limit}", url=url
            )
        body = bytearray()
        # iter_bytes yields decoded bytes, so a gzip bomb is capped by its inflated size.
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                raise ResponseTooLarge(
                    f"body exceeds max_response_bytes={limit}; stopped reading at "
                    f"{len(body)} bytes (the first {limit} are kept)",
                    url=url,
                    body=bytes(body[:limit]),
                )
        return bytes(body)

    def _document(self, raw: RawResponse) -> Document:
        return parse_document(
            raw.content, url=raw.url, http_status=raw.status, content_type=raw.content_type
        )

    def _root(self, raw: RawResponse) -> etree._Element:
        return self._document(raw).root

    def _note(self, raw: RawResponse, warnings: list[ItemWarning]) -> None:
        for warning in warnings:
            self.events.append(WarningEvent(raw.url, warning.code, warning.message, raw.fetched_at))

    # ------------------------------------------------------------------- verbs

    def identify(self) -> Identify:
        raw = self.request("Identify")
        with _located(raw):
            document = self._document(raw)
            identify = parse_identify(document.root)
        self._note(raw, response_warnings(document))
        return identify

    def list_metadata_formats(self, identifier: str | None = None) -> list[MetadataFormat]:
        """noMetadataFormats (nothing available for that item) is an empty list."""
        raw = self.request("ListMetadataFormats", identifier=identifier)
        with _located(raw):
            try:
                document = self._document(raw)
                formats = parse_metadata_formats(document.root)
            except NoMetadataFormats:
                return []
        self._note(raw, response_warnings(document))
        return formats

    def list_sets(self) -> Iterator[OAISet]:
        """Every set, following tokens; noSetHierarchy is an empty result."""
        for page in self.list_set_pages():
            yield from page.items

    def list_set_pages(self) -> PageChain[OAISet]:
        return PageChain(self, "ListSets", {}, NoSetHierarchy)

    def list_records(
        self,
        metadata_prefix: str,
        *,
        set_spec: str | None = None,
        from_: str | None = None,
        until: str | None = None,
        resumption_token: str | None = None,
    ) -> PageChain[RecordItem]:
        """One Page per HTTP response, following tokens. noRecordsMatch yields nothing,
        or ends the chain cleanly when it answers a resumption token."""
        params = _list_params(metadata_prefix, set_spec, from_, until, resumption_token)
        return PageChain(self, "ListRecords", params, NoRecordsMatch)

    def list_identifiers(
        self,
        metadata_prefix: str,
        *,
        set_spec: str | None = None,
        from_: str | None = None,
        until: str | None = None,
        resumption_token: str | None = None,
    ) -> PageChain[RecordItem]:
        params = _list_params(metadata_prefix, set_spec, from_, until, resumption_token)
        return PageChain(self, "ListIdentifiers", params, NoRecordsMatch)

    def get_record(self, identifier: str, metadata_prefix: str) -> RecordItem:
        """One record, its warnings (illegal characters, content type) on it. A record
        that is not well-formed is an XMLParseError carrying the raw body, for quarantine."""
        raw = self.request("GetRecord", identifier=identifier, metadataPrefix=metadata_prefix)
        with _located(raw):
            return read_get_record(self._document(raw))


def _transport_reason(exc: httpx.HTTPError) -> tuple[str, bool]:
    """(reason, worth retrying) for an httpx failure that is not a timeout."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "tls_error", False  # asking again gives the same certificate
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return "connection_error", True  # refused, reset, hung up mid-body
    if isinstance(exc, httpx.ProtocolError):
        return "protocol_error", False
    return "other", False


def _list_params(
    metadata_prefix: str,
    set_spec: str | None,
    from_: str | None,
    until: str | None,
    resumption_token: str | None,
) -> dict[str, str]:
    if resumption_token is not None:
        # OAI-PMH: resumptionToken is an exclusive argument.
        if set_spec is not None or from_ is not None or until is not None:
            raise ValueError("resumption_token cannot be combined with set_spec/from_/until")
        return {"resumptionToken": resumption_token}
    params = {"metadataPrefix": metadata_prefix}
    for name, value in (("set", set_spec), ("from", from_), ("until", until)):
        if value is not None:
            params[name] = value
    return params


class PageChain(Generic[ItemT]):
    """Iterator over the pages of one list request, following resumption tokens.

    After the chain ends, ``end_reason`` says why: "no token", "empty token" or
    "noRecordsMatch" (then ``final_response`` is that response, for the record). If a page
    fails, the error propagates with the page's URL and body and the chain stays on that
    page: calling ``next`` again re-requests it. ``resume_params`` are the arguments of
    that next request: save them, and ``list_records(prefix, resumption_token=...)`` (or
    the same verb with the saved arguments) picks the chain up where it stopped.

    Sanity checks, each a classified error: a token seen before (ResumptionTokenLoop), a
    page with the same identifiers in the same order as the page before (RepeatedPage),
    more than ``max_empty_pages`` pages in a row with no items but a token
    (EmptyPagesWithToken), more than ``max_pages`` pages (TooManyPages).
    """

    def __init__(
        self,
        client: OAIClient,
        verb: str,
        params: dict[str, str],
        empty_error: type[OAIError],
        *,
        max_empty_pages: int | None = None,
        max_pages: int | None = None,
    ):
        self.client = client
        self.verb = verb
        self._next_params: dict[str, str] | None = params
        self._empty_error = empty_error
        self._seen_tokens: set[str] = set()
        self._previous_ids: list[str] | None = None
        self._empty_run = 0
        if max_empty_pages is None:
            max_empty_pages = client.max_empty_pages
        self.max_empty_pages = max_empty_pages
        self.max_pages = client.max_pages if max_pages is None else max_pages
        self.pages_fetched = 0
        self.items_seen = 0
        self.end_reason: str | None = None
        self.final_response: RawResponse | None = None

    @property
    def resume_params(self) -> dict[str, str] | None:
        """The OAI arguments (verb excluded) that request the chain's next page; None once
        the chain has ended."""
        return None if self._next_params is None else dict(self._next_params)

    def __iter__(self) -> PageChain[ItemT]:
        return self

    def __next__(self) -> Page[ItemT]:
        if self._next_params is None:
            raise StopIteration
        if self.max_pages is not None and self.pages_fetched >= self.max_pages:
            raise TooManyPages(
                f"the chain reached max_pages={self.max_pages} and still has a token",
                url=self.client._request_url({"verb": self.verb, **self._next_params}),
            )
        raw = self.client.request(self.verb, **self._next_params)
        try:
            with _located(raw):
                part = read_list_page(self.client._document(raw), self.verb)
                self._check(part, raw)
        except self._empty_error:
            self._finish(self._empty_error.oai_code, raw)
            raise StopIteration from None
        token = part.resumption_token
        if token is not None:
            self._seen_tokens.add(token)
            self._next_params = {"resumptionToken": token}
        else:
            self._finish("empty token" if part.token_element_present else "no token")
        self.pages_fetched += 1
        self.items_seen += len(part.items)
        return Page(
            url=raw.url,
            params=raw.params,
            http_status=raw.status,
            fetched_at=raw.fetched_at,
            elapsed_s=raw.elapsed_s,
            size_bytes=len(raw.content),
            response_date=part.response_date,
            verb=self.verb,
            items=part.items,
            resumption_token=token,
            complete_list_size=part.complete_list_size,
            cursor=part.cursor,
            page_number=self.pages_fetched,
            content=raw.content,
            content_type=raw.content_type,
            redirects=raw.redirects,
            attempts=raw.attempts,
            warnings=part.warnings,
        )

    def _check(self, part: ListPart[ItemT], raw: RawResponse) -> None:
        """Raise for a page that cannot be right; update the chain's memory only if fine."""
        token = part.resumption_token
        if token is not None and token in self._seen_tokens:
            raise ResumptionTokenLoop(
                f"resumption token {token!r} was already returned earlier in this chain"
            )
        ids = [_item_id(item) for item in part.items]
        if ids and ids == self._previous_ids:
            raise RepeatedPage(
                f"page {self.pages_fetched + 1} holds the same {len(ids)} records, in the same "
                f"order, as page {self.pages_fetched} (first {ids[0]!r})"
            )
        empty_run = self._empty_run + 1 if not ids and token is not None else 0
        if empty_run > self.max_empty_pages:
            raise EmptyPagesWithToken(
                f"{empty_run} pages in a row with no records but a resumption token "
                f"(max_empty_pages={self.max_empty_pages})"
            )
        self._previous_ids = ids
        self._empty_run = empty_run

    def _finish(self, reason: str, final_response: RawResponse | None = None) -> None:
        self._next_params = None
        self.end_reason = reason
        self.final_response = final_response


def _item_id(item: object) -> str:
    return getattr(item, "identifier", None) or getattr(item, "spec", "")


class _located:
    """Fill in the URL and body of a HarvestError raised while reading ``raw``."""

    def __init__(self, raw: RawResponse):
        self.raw = raw

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, traceback: Any) -> bool:
        if isinstance(exc, HarvestError):
            if exc.url is None:
                exc.url = self.raw.url
            if exc.body is None:
                exc.body = self.raw.content
            if self.raw.attempts > 1:
                exc.note_attempts(self.raw.attempts)
        return False
