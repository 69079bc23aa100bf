"""A fault-injecting OAI-PMH server on 127.0.0.1 over the real protocol.

`FaultServer` answers with `pipelines.demo.server.OAIRepository` (every verb, stateless
signed tokens, from/until/set, OAI errors) and injects deterministic faults on top:

    faults = [Fault("status", page=2, times=2, status=503, retry_after="1")]
    with FaultServer(make_records(30), page_size=10, faults=faults) as server:
        OAIClient(server.base_url).list_records("oai_dc")

A `Fault` fires on requests that match its `verb` and `page` (1 = the list request
without a token, k = the request whose token asks for the k-th page; None = any request)
and carry every argument in `where` (e.g. `{"from": "2020-01-01T00:00:00Z"}`), at most
`times` times (None = always). Kinds:

    status        answer `status` (503, 429, 500...) with `body` and `retry_after` ("+N" =
                  an HTTP date N seconds from now; None = no header)
    reset         close the connection without answering (TCP RST)
    hangup        send the headers and half the body, then close (truncated on the wire)
    slow          wait `delay_s`, then answer normally
    html          200 with an HTML login page
    truncate      200 with the first half of the body (a complete HTTP message)
    empty         200 with an empty body
    json          200 application/json
    content_type  the right body under `content_type`
    bad_token     200 with an OAI badResumptionToken error
    repeat_page   page k holds page k-1's records (with page k's own token)
    empty_pages   `count` pages with no records but a fresh token, then the real page k
    token_loop    page k carries the token that asked for it

Record faults, in any response that holds the record (ListRecords, GetRecord):
`illegal_chars={identifier: text}` puts `text` (e.g. "\\x0b", "&#1;") in its title,
`broken_records={identifier}` puts an unescaped `&` and `<` there, `huge_text={identifier:
n}` appends n bytes to it. `ignore_from_until=True` drops from/until before answering.
Repository behaviour: `deleted_record` is the deletedRecord Identify announces (the data
still decides which headers are deleted); `overstate_list_size=n` adds n to every
completeListSize (a server that claims more than it serves).
`requests` logs every request (verb, params, headers, start and end times);
`count(verb)` counts them. Any path but /oai answers 301 to /oai (a moved endpoint).
"""

from __future__ import annotations

import base64
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pipelines.demo.server import OAIRepository
from tests.support.local_http import LocalHTTPServer

LIST_VERBS = ("ListRecords", "ListIdentifiers", "ListSets")
LOGIN_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
    b"<body><form action='/login'><input name='user'></form></body></html>\n"
)
JSON_BODY = b'{"error": "use the REST API", "status": 200}\n'
BROKEN_TITLE = b" Fish & Chips < 3 "
_TOKEN_ELEMENT = re.compile(rb"<resumptionToken[^>]*?(?:/>|>.*?</resumptionToken>)", re.DOTALL)
_TOKEN_TEXT = re.compile(rb"(<resumptionToken[^>]*>)(.*?)(</resumptionToken>)", re.DOTALL)
_LIST_SIZE = re.compile(rb'completeListSize="(\d+)"')
_RECORD = re.compile(rb"<record>.*?</record>|<header(?: [^>]*)?>.*?</header>", re.DOTALL)


@dataclass
class Fault:
    kind: str
    page: int | None = None
    verb: str | None = None
    times: int | None = 1
    status: int = 503
    retry_after: str | None = None
    delay_s: float = 0.0
    content_type: str = "text/html; charset=utf-8"
    count: int = 3
    body: bytes = b"Service busy\n"  # for "status"
    where: dict[str, str] | None = None  # request arguments that must all be present
    fired: int = field(default=0, init=False)

    def matches(self, verb: str, page: int | None, params: dict[str, str]) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.verb is not None and self.verb != verb:
            return False
        if self.where and any(params.get(k) != v for k, v in self.where.items()):
            return False
        return self.page is None or self.page == page


@dataclass
class Hit:
    verb: str
    params: dict[str, str]
    headers: dict[str, str]
    started: float  # time.monotonic()
    ended: float = 0.0
    fault: str | None = None


def make_records(n: int, *, start: datetime | None = None, step_days: int = 1) -> list[dict]:
    """n oai_dc records in the demo data shape, datestamps ascending one day apart."""
    first = start or datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
    return [
        {
            "identifier": f"oai:fault.test:{i}",
            "datestamp": (first + timedelta(days=i * step_days)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sets": ["type:textbook" if i % 2 else "type:course"],
            "deleted": i % 10 == 7,
            "metadata": {
                "title": [{"value": f"Open textbook {i}", "lang": "en"}],
                "creator": [f"Author {i}"],
                "rights": ["CC BY 4.0"],
            },
        }
        for i in range(1, n + 1)
    ]


class FaultServer:
    def __init__(
        self,
        records: list[dict],
        *,
        page_size: int = 10,
        faults: Iterable[Fault] = (),
        illegal_chars: dict[str, str] | None = None,
        broken_records: Iterable[str] = (),
        huge_text: dict[str, int] | None = None,
        ignore_from_until: bool = False,
        granularity: str = "YYYY-MM-DDThh:mm:ssZ",
        handle_delay_s: float = 0.0,
        deleted_record: str = "persistent",
        overstate_list_size: int = 0,
    ) -> None:
        self.repository = OAIRepository(records, page_size=page_size, granularity=granularity)
        self.page_size = page_size
        self.faults = [replace(fault) for fault in faults]  # fresh counters per server
        self.illegal_chars = dict(illegal_chars or {})
        self.broken_records = set(broken_records)
        self.huge_text = dict(huge_text or {})
        self.ignore_from_until = ignore_from_until
        self.deleted_record = deleted_record
        self.overstate_list_size = overstate_list_size
        self.handle_delay_s = handle_delay_s  # every answer takes this long (for overlap tests)
        self.requests: list[Hit] = []
        self._lock = threading.Lock()
        self._last_list_body: dict[int, bytes] = {}
        self._server = LocalHTTPServer(_handler(self), poll_interval=0.02)
        self.errors: list[str] = []  # exceptions in the handler (a closed socket is expected)
        self._server.httpd.handle_error = self._handle_error  # type: ignore[method-assign]

    @property
    def origin(self) -> str:
        return self._server.origin

    @property
    def base_url(self) -> str:
        return f"{self.origin}/oai"

    def _handle_error(self, request: object, address: object) -> None:
        import traceback

        self.errors.append(traceback.format_exc(limit=3))

    def count(self, verb: str | None = None) -> int:
        return sum(1 for hit in self.requests if verb is None or hit.verb == verb)

    def __enter__(self) -> FaultServer:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()

    # ------------------------------------------------------------ decisions

    def page_of(self, verb: str, params: dict[str, list[str]]) -> int | None:
        if verb not in LIST_VERBS:
            return None
        token = (params.get("resumptionToken") or [None])[0]
        if token is None:
            return 1
        if token.startswith("empty-"):
            token = token.split("~", 1)[1]
        payload = token.partition(".")[0]
        try:
            state = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            return int(state["o"]) // self.page_size + 1
        except (ValueError, KeyError, TypeError):
            return None

    def pick_fault(self, verb: str, page: int | None, params: dict[str, str]) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(verb, page, params):
                    fault.fired += 1
                    return fault
        return None

    def answer(self, params: dict[str, list[str]]) -> bytes:
        verb = (params.get("verb") or [""])[0]
        if self.ignore_from_until and verb in LIST_VERBS:
            params = {k: v for k, v in params.items() if k not in ("from", "until")}
        body = self.repository.respond(params, self.base_url)
        if verb == "Identify":
            return body.replace(
                b"<deletedRecord>persistent</deletedRecord>",
                f"<deletedRecord>{self.deleted_record}</deletedRecord>".encode(),
            )
        if self.overstate_list_size:
            body = _LIST_SIZE.sub(
                lambda m: b'completeListSize="%d"' % (int(m.group(1)) + self.overstate_list_size),
                body,
            )
        return self._record_faults(body)

    def _record_faults(self, body: bytes) -> bytes:
        for identifier, text in self.illegal_chars.items():
            body = _into_title(body, identifier, text.encode("utf-8", "surrogatepass"))
        for identifier in self.broken_records:
            body = _into_title(body, identifier, BROKEN_TITLE)
        for identifier, size in self.huge_text.items():
            body = _into_title(body, identifier, b"x" * size)
        return body

    def list_answer(self, fault: Fault | None, params: dict[str, list[str]], page: int) -> bytes:
        """The body of a list page, with a list-shaping fault applied."""
        token = (params.get("resumptionToken") or [""])[0]
        if token.startswith("empty-"):  # inside an empty_pages run
            number, real = token[len("empty-") :].split("~", 1)
            real_params = {"verb": params["verb"], "resumptionToken": [real]}
            if int(number) < self._empty_count:
                return self._empty_page(real_params, f"empty-{int(number) + 1}~{real}")
            return self._remember(page, self.answer(real_params))
        if fault is not None and fault.kind == "empty_pages":
            if not token:
                raise ValueError("empty_pages needs page >= 2")
            self._empty_count = fault.count
            return self._empty_page(params, f"empty-1~{token}")
        body = self.answer(params)
        if fault is not None and fault.kind == "repeat_page" and page - 1 in self._last_list_body:
            own_token = _TOKEN_ELEMENT.search(body)
            previous = self._last_list_body[page - 1]
            body = _TOKEN_ELEMENT.sub(
                lambda _: own_token.group() if own_token else b"", previous, count=1
            )
        elif fault is not None and fault.kind == "token_loop":
            body = _TOKEN_TEXT.sub(
                lambda m: m.group(1) + token.encode() + m.group(3), body, count=1
            )
        return self._remember(page, body)

    _empty_count = 3

    def _remember(self, page: int, body: bytes) -> bytes:
        self._last_list_body[page] = body
        return body

    def _empty_page(self, real_params: dict[str, list[str]], next_token: str) -> bytes:
        empty = _RECORD.sub(b"", self.answer(real_params))
        return _TOKEN_TEXT.sub(lambda m: m.group(1) + next_token.encode() + m.group(3), empty)


def _into_title(body: bytes, identifier: str, text: bytes) -> bytes:
    at = body.find(f"<identifier>{identifier}</identifier>".encode())
    if at < 0:
        return body
    title = body.find(b"<dc:title", at)
    record_end = body.find(b"</record>", at)
    if title < 0 or (record_end >= 0 and title > record_end):
        return body
    insert_at = body.index(b">", title) + 1
    return body[:insert_at] + text + body[insert_at:]


def http_date_in(seconds: float) -> str:
    return formatdate(time.time() + seconds, usegmt=True)


def _handler(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/oai":  # every other path is an old address of the endpoint
                self.send_response(301)
                self.send_header("Location", f"/oai?{url.query}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._serve(parse_qs(url.query, keep_blank_values=True))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._serve(parse_qs(self.rfile.read(length).decode(), keep_blank_values=True))

        def _serve(self, params: dict[str, list[str]]) -> None:
            verb = (params.get("verb") or [""])[0]
            hit = Hit(
                verb,
                {k: v[0] for k, v in params.items()},
                {k.lower(): v for k, v in self.headers.items()},
                time.monotonic(),
            )
            server.requests.append(hit)
            try:
                self._fault_or_answer(hit, verb, params)
            finally:
                hit.ended = time.monotonic()

        def _fault_or_answer(self, hit: Hit, verb: str, params: dict[str, list[str]]) -> None:
            if server.handle_delay_s:
                time.sleep(server.handle_delay_s)
            page = server.page_of(verb, params)
            fault = server.pick_fault(verb, page, hit.params)
            hit.fault = fault.kind if fault else None
            kind = fault.kind if fault else None
            if kind == "status":
                assert fault is not None
                headers = {}
                if fault.retry_after is not None:
                    value = fault.retry_after
                    if value.startswith("+"):
                        value = http_date_in(float(value[1:]))
                    headers["Retry-After"] = value
                content_type = "text/xml" if fault.body.startswith(b"<") else "text/plain"
                self._send(fault.status, fault.body, content_type, headers)
                return
            if kind == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                self.close_connection = True
                return
            if kind == "slow":
                assert fault is not None
                time.sleep(fault.delay_s)
            if kind == "html":
                self._send(200, LOGIN_PAGE, "text/html; charset=utf-8")
                return
            if kind == "json":
                self._send(200, JSON_BODY, "application/json")
                return
            if kind == "empty":
                self._send(200, b"", "text/xml; charset=utf-8")
                return
            if kind == "bad_token":
                body = server.repository.respond(
                    {"verb": [verb], "resumptionToken": ["expired"]}, server.base_url
                )
                self._send(200, body, "text/xml; charset=utf-8")
                return
            if page is not None and verb in LIST_VERBS:
                body = server.list_answer(fault, params, page)
            else:
                body = server.answer(params)
            content_type = "text/xml; charset=utf-8"
            if kind == "content_type":
                assert fault is not None
                content_type = fault.content_type
            if kind == "truncate":
                body = body[: len(body) // 2]
            if kind == "hangup":
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self._send(200, body, content_type)

        def _send(
            self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
