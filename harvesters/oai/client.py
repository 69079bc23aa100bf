"""A small OAI-PMH 2.0 client on httpx + lxml.

One keep-alive ``httpx.Client`` per ``OAIClient``; explicit timeouts; every body read in a
stream under a size cap; every failure a classified ``HarvestError`` naming the URL (with
the resumption token in it) and keeping the raw body. ``request`` is the single point
where HTTP happens and it never classifies statuses itself, so a retry policy can wrap it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Literal

import httpx
from lxml import etree

from harvesters.oai.errors import (
    HarvestError,
    NoMetadataFormats,
    NoRecordsMatch,
    NoSetHierarchy,
    OAIError,
    ResponseTooLarge,
    ResumptionTokenLoop,
    TransportError,
)
from harvesters.oai.parse import (
    Identify,
    ItemT,
    ListPart,
    MetadataFormat,
    OAISet,
    Page,
    RecordItem,
    parse_get_record,
    parse_identify,
    parse_list_page,
    parse_list_sets_page,
    parse_metadata_formats,
    parse_oai,
)

DEFAULT_USER_AGENT = "oer-pipeline/0.1 (+https://github.com/oer-dynamic-coalition/oer-pipeline)"
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

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


class OAIClient:
    def __init__(
        self,
        base_url: str,
        *,
        method: Literal["GET", "POST"] = "GET",
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        user_agent: str = DEFAULT_USER_AGENT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        headers: dict[str, str] | None = None,
    ):
        if method not in ("GET", "POST"):
            raise ValueError(f"method must be GET or POST, not {method!r}")
        self.base_url = base_url
        self.method = method
        self.max_response_bytes = max_response_bytes
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=True,
            verify=True,
            headers={"User-Agent": user_agent, "Accept": _ACCEPT, **(headers or {})},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OAIClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------- HTTP

    def request(self, verb: str, **params: str | None) -> RawResponse:
        """One OAI-PMH request. Parameters use OAI names; a trailing underscore is
        dropped (``from_=``, ``set_=``) and None values are left out. Returns any HTTP
        status; raises only TransportError and ResponseTooLarge."""
        query = {"verb": verb}
        for name, value in params.items():
            if value is not None:
                query[name.rstrip("_")] = value
        return self._send(query)

    def _send(self, query: dict[str, str]) -> RawResponse:
        request_url = str(httpx.URL(self.base_url).copy_merge_params(query))
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
                f"{type(exc).__name__} after {waited:.2f}s: {exc}", url=request_url
            ) from exc
        except httpx.HTTPError as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}", url=request_url) from exc

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

    def _root(self, raw: RawResponse) -> etree._Element:
        return parse_oai(
            raw.content, url=raw.url, http_status=raw.status, content_type=raw.content_type
        )

    # ------------------------------------------------------------------- verbs

    def identify(self) -> Identify:
        raw = self.request("Identify")
        with _located(raw):
            return parse_identify(self._root(raw))

    def list_metadata_formats(self, identifier: str | None = None) -> list[MetadataFormat]:
        """noMetadataFormats (nothing available for that item) is an empty list."""
        raw = self.request("ListMetadataFormats", identifier=identifier)
        with _located(raw):
            try:
                return parse_metadata_formats(self._root(raw))
            except NoMetadataFormats:
                return []

    def list_sets(self) -> Iterator[OAISet]:
        """Every set, following tokens; noSetHierarchy is an empty result."""
        for page in self.list_set_pages():
            yield from page.items

    def list_set_pages(self) -> PageChain[OAISet]:
        return PageChain(self, "ListSets", {}, parse_list_sets_page, NoSetHierarchy)

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
        return PageChain(self, "ListRecords", params, _records_page, NoRecordsMatch)

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
        return PageChain(self, "ListIdentifiers", params, _identifiers_page, NoRecordsMatch)

    def get_record(self, identifier: str, metadata_prefix: str) -> RecordItem:
        raw = self.request("GetRecord", identifier=identifier, metadataPrefix=metadata_prefix)
        with _located(raw):
            return parse_get_record(self._root(raw))


def _records_page(root: etree._Element) -> ListPart[RecordItem]:
    return parse_list_page(root, verb="ListRecords")


def _identifiers_page(root: etree._Element) -> ListPart[RecordItem]:
    return parse_list_page(root, verb="ListIdentifiers")


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
    page: calling ``next`` again re-requests it, which is where a retry policy can hook in.
    """

    def __init__(
        self,
        client: OAIClient,
        verb: str,
        params: dict[str, str],
        parse_page: Callable[[etree._Element], ListPart[ItemT]],
        empty_error: type[OAIError],
    ):
        self.client = client
        self.verb = verb
        self._next_params: dict[str, str] | None = params
        self._parse_page = parse_page
        self._empty_error = empty_error
        self._seen_tokens: set[str] = set()
        self.pages_fetched = 0
        self.items_seen = 0
        self.end_reason: str | None = None
        self.final_response: RawResponse | None = None

    def __iter__(self) -> PageChain[ItemT]:
        return self

    def __next__(self) -> Page[ItemT]:
        if self._next_params is None:
            raise StopIteration
        raw = self.client.request(self.verb, **self._next_params)
        try:
            with _located(raw):
                part = self._parse_page(self.client._root(raw))
        except self._empty_error:
            self._finish(self._empty_error.oai_code, raw)
            raise StopIteration from None
        token = part.resumption_token
        if token is not None:
            if token in self._seen_tokens:
                raise ResumptionTokenLoop(
                    f"resumption token {token!r} was already returned earlier in this chain",
                    url=raw.url,
                    body=raw.content,
                )
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
        )

    def _finish(self, reason: str, final_response: RawResponse | None = None) -> None:
        self._next_params = None
        self.end_reason = reason
        self.final_response = final_response


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
        return False
