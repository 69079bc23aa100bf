"""A tiny OAI-PMH endpoint of our own, on 127.0.0.1, for failures no cassette holds.

`FaultServer(answer)` serves every GET with `answer(params)`, a function of the query
parameters returning (status, content type, body). The `oai_*` helpers build well-formed
OAI-PMH documents with oai_dc records, so a test scripts exactly one bad page.
"""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from tests.support.local_http import LocalHTTPServer

Answer = tuple[int, str, bytes]
Responder = Callable[[dict[str, str]], Answer]

XML = "text/xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"

LOGIN_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
    b"<body><form action='/login'><input name='user'></form></body></html>\n"
)


class FaultServer:
    """ThreadingHTTPServer on an ephemeral port; `base_url` ends in /oai."""

    def __init__(self, answer: Responder) -> None:
        self.answer = answer
        self.requests: list[dict[str, str]] = []
        self._server = LocalHTTPServer(_handler(self), poll_interval=0.05)

    @property
    def base_url(self) -> str:
        return f"{self._server.origin}/oai"

    def __enter__(self) -> FaultServer:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()


def _handler(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
            server.requests.append(params)
            status, content_type, body = server.answer(params)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# ----------------------------------------------------------------- OAI-PMH documents


def oai_document(inner: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NS}"><responseDate>2026-01-01T00:00:00Z</responseDate>'
        f'<request verb="ListRecords">http://127.0.0.1/oai</request>{inner}</OAI-PMH>'
    ).encode()


def oai_identify() -> bytes:
    return oai_document(
        "<Identify><repositoryName>fault server</repositoryName>"
        "<baseURL>http://127.0.0.1/oai</baseURL><protocolVersion>2.0</protocolVersion>"
        "<adminEmail>nobody@example.org</adminEmail>"
        "<earliestDatestamp>2020-01-01T00:00:00Z</earliestDatestamp>"
        "<deletedRecord>persistent</deletedRecord>"
        "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>"
    )


def oai_dc_record(identifier: str, title: str, datestamp: str = "2026-01-02T03:04:05Z") -> str:
    return (
        f"<record><header><identifier>{escape(identifier)}</identifier>"
        f"<datestamp>{datestamp}</datestamp></header><metadata>"
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(title)}</dc:title></oai_dc:dc></metadata></record>"
    )


def foreign_record(identifier: str, datestamp: str = "2026-01-02T03:04:05Z") -> str:
    """A record whose metadata element is in a namespace no crosswalk maps."""
    return (
        f"<record><header><identifier>{escape(identifier)}</identifier>"
        f"<datestamp>{datestamp}</datestamp></header><metadata>"
        '<ead xmlns="urn:isbn:1-931666-22-9"><archdesc><did><unittitle>'
        "An archival finding aid</unittitle></did></archdesc></ead></metadata></record>"
    )


def oai_list_records(records: list[str], token: str | None = None) -> bytes:
    token_xml = "" if token is None else f"<resumptionToken>{escape(token)}</resumptionToken>"
    return oai_document(f"<ListRecords>{''.join(records)}{token_xml}</ListRecords>")


def oai_error(code: str, message: str) -> bytes:
    return oai_document(f'<error code="{code}">{escape(message)}</error>')
