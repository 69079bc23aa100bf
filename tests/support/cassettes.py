"""Replay recorded HTTP cassettes from a real HTTP server on 127.0.0.1.

Reads both cassette shapes in the corpus: vcrpy (``response.body.string``, ``status.code``,
``!!binary`` gzip bodies, ``!!python/unicode`` tags) and the newer oaipmh-scythe format
(``response.body.content``, integer ``status``). Each recorded request is served at its
original path; a request matches an interaction by method-independent path + query/form
parameters, compared order-insensitively. Interactions that share a request (a 302 then
the 200 it leads to) are served in recorded order, the last one repeating. Anything
unmatched gets a 404 whose text lists what was asked and what the cassette holds.

    with replay_server(corpus_path("zenodo-oaipmh-scythe", "identify.yaml")) as base_url:
        OAIClient(base_url).identify()
"""

from __future__ import annotations

import gzip
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import yaml

from tests.support.local_http import LocalHTTPServer

# Headers that describe the recorded transfer (or that http.server sets itself).
_TRANSFER_HEADERS = {
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "date",
    "server",
}

ParamKey = tuple[tuple[str, str], ...]


class _CassetteLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that reads Python 2 era tags (``!!python/unicode``, ``!!python/str``)."""


def _python_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_CassetteLoader.add_multi_constructor("tag:yaml.org,2002:python/", _python_tag)


@dataclass(frozen=True)
class Interaction:
    method: str
    uri: str
    path: str
    params: ParamKey
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class SeenRequest:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes


def param_key(pairs: list[tuple[str, str]]) -> ParamKey:
    return tuple(sorted(pairs))


def load_cassette(path: Path | str) -> list[Interaction]:
    return list(_load_cassette(str(path)))


@lru_cache(maxsize=32)
def _load_cassette(path: str) -> tuple[Interaction, ...]:
    with open(path, "rb") as fh:
        document = yaml.load(fh, Loader=_CassetteLoader)  # a SafeLoader subclass
    return tuple(_interaction(raw) for raw in document["interactions"])


def _interaction(raw: dict[str, Any]) -> Interaction:
    request, response = raw["request"], raw["response"]
    status = response["status"]
    code, reason = (status, "") if isinstance(status, int) else (status["code"], status["message"])
    headers = [
        (name, str(value))
        for name, values in (response.get("headers") or {}).items()
        for value in (values if isinstance(values, list) else [values])
    ]
    body_field = response.get("body") or {}
    body = body_field.get("string", body_field.get("content")) or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    body, headers = _decoded(body, headers)
    parts = urlsplit(request["uri"])
    return Interaction(
        method=request["method"],
        uri=request["uri"],
        path=parts.path or "/",
        params=param_key(parse_qsl(parts.query, keep_blank_values=True)),
        status=int(code),
        reason=reason,
        headers=headers,
        body=body,
    )


def _decoded(body: bytes, headers: list[tuple[str, str]]) -> tuple[bytes, list[tuple[str, str]]]:
    encodings = [value.lower() for name, value in headers if name.lower() == "content-encoding"]
    if encodings and body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    elif encodings and encodings[0] == "deflate":
        body = zlib.decompress(body)
    # The body we serve is always the plain one, so its recorded coding no longer applies.
    kept = [(n, v) for n, v in headers if n.lower() not in _TRANSFER_HEADERS | {"content-encoding"}]
    return body, kept


@dataclass
class ReplayServer:
    """A ThreadingHTTPServer on 127.0.0.1:0 that answers from one cassette."""

    interactions: list[Interaction]
    requests: list[SeenRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._served: dict[tuple[str, ParamKey], int] = {}
        self._lock = threading.Lock()
        self._hosts = {urlsplit(i.uri).netloc for i in self.interactions}
        self._server = LocalHTTPServer(_handler_for(self), poll_interval=0.05)

    @property
    def origin(self) -> str:
        return self._server.origin

    def url_for(self, original_url: str) -> str:
        """The local URL that replays ``original_url`` (same path and query)."""
        parts = urlsplit(original_url)
        return self.origin + urlunsplit(("", "", parts.path or "/", parts.query, ""))

    @property
    def base_url(self) -> str:
        return self.url_for(self.interactions[0].uri.split("?", 1)[0])

    def __enter__(self) -> ReplayServer:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()

    def answer(self, seen: SeenRequest) -> tuple[int, str, list[tuple[str, str]], bytes]:
        with self._lock:
            self.requests.append(seen)
            key = (seen.path, param_key(list(seen.params.items())))
            matches = [i for i in self.interactions if (i.path, i.params) == key]
            if not matches:
                return 404, "Not in cassette", [("Content-Type", "text/plain")], self._miss(seen)
            index = self._served.get(key, 0)
            self._served[key] = index + 1
            hit = matches[min(index, len(matches) - 1)]
        headers = [
            (n, self._local_location(v) if n.lower() == "location" else v) for n, v in hit.headers
        ]
        return hit.status, hit.reason, headers, hit.body

    def _local_location(self, location: str) -> str:
        return self.url_for(location) if urlsplit(location).netloc in self._hosts else location

    def _miss(self, seen: SeenRequest) -> bytes:
        known = "\n".join(f"  {i.path} {dict(i.params)}" for i in self.interactions)
        return (
            f"no recorded interaction for {seen.method} {seen.path} {seen.params}\n"
            f"the cassette holds:\n{known}\n"
        ).encode()


def _handler_for(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real OAI endpoint
        # headers and body go out as separate writes: without this a keep-alive client
        # waits ~40 ms per response for the delayed ACK
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._replay(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._replay(self.rfile.read(length))

        def _replay(self, body: bytes) -> None:
            parts = urlsplit(self.path)
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            if body:
                pairs += parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            seen = SeenRequest(
                method=self.command,
                path=parts.path or "/",
                params=dict(pairs),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            status, reason, headers, payload = server.answer(seen)
            self.send_response(status, reason or None)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet; requests are in server.requests

    return Handler


@contextmanager
def replay(cassette_path: Path | str) -> Iterator[ReplayServer]:
    """The running server itself (for ``.requests``, ``.url_for``)."""
    with ReplayServer(load_cassette(cassette_path)) as server:
        yield server


@contextmanager
def replay_server(cassette_path: Path | str, *, original_base: str | None = None) -> Iterator[str]:
    """Base URL replaying a cassette; ``original_base`` picks which recorded endpoint
    (default: the first interaction's)."""
    with replay(cassette_path) as server:
        yield server.url_for(original_base) if original_base else server.base_url
