"""The OAI-PMH client against real HTTP servers on 127.0.0.1: recorded cassettes replayed,
and small servers of our own for the failures cassettes do not hold."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from harvesters.oai import (
    DEFAULT_USER_AGENT,
    BadArgument,
    BadResumptionToken,
    CannotDisseminateFormat,
    HTTPStatusError,
    IdDoesNotExist,
    NotOAIResponse,
    OAIClient,
    ResponseTooLarge,
    ResumptionTokenLoop,
    TransportError,
    XMLParseError,
    parse_oai,
)
from tests.support.cassettes import replay, replay_server
from tests.support.corpus import corpus_path

DATACITE = "{http://datacite.org/schema/kernel-4}resource"


def zenodo(name: str):
    return corpus_path("zenodo-oaipmh-scythe", name)


def scrapi(name: str):
    return corpus_path("scrapi-vcr", name)


def drain(chain) -> tuple[list, list]:
    pages = list(chain)
    return pages, [item for page in pages for item in page.items]


# ----------------------------------------------------------------- Zenodo cassettes


def test_zenodo_oai_dc_chain_follows_tokens_to_the_end():
    with replay(zenodo("list_records.yaml")) as server, OAIClient(server.base_url) as client:
        chain = client.list_records("oai_dc")
        pages, items = drain(chain)
    assert [len(p.items) for p in pages] == [3, 3, 3]
    assert [p.page_number for p in pages] == [1, 2, 3]
    assert chain.end_reason == "no token"
    assert len({i.identifier for i in items}) == 9
    assert sum(i.deleted for i in items) == 1
    first, second = pages[0], pages[1]
    assert first.params == {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    assert second.params == {"verb": "ListRecords", "resumptionToken": first.resumption_token}
    assert first.complete_list_size == 8091628
    assert first.http_status == 200 and first.size_bytes == len(first.content) > 0
    assert first.fetched_at.tzinfo is not None and first.elapsed_s > 0
    assert first.content_type.startswith("text/xml")
    assert first.url.startswith(server.base_url + "?")
    assert [r.headers["user-agent"] for r in server.requests] == [DEFAULT_USER_AGENT] * 3


def test_zenodo_token_missing_from_cassette_fails_visibly_on_page_two():
    # The cassette recorded only the first page of this harvest: page 2 gets a 404 from the
    # replay server, and the run must fail with that page's URL, not end after page 1.
    with replay_server(zenodo("list_records.yaml")) as base_url, OAIClient(base_url) as client:
        chain = client.list_records("oai_dc", from_="2026-04-01")
        first = next(chain)
        assert len(first.items) == 50
        with pytest.raises(HTTPStatusError) as caught:
            next(chain)
    assert caught.value.status == 404
    assert "resumptionToken=" in caught.value.url
    assert first.resumption_token[:20] in caught.value.url
    assert b"no recorded interaction" in caught.value.body
    assert chain.end_reason is None


def test_zenodo_datacite_and_set_and_from_until():
    with replay_server(zenodo("list_records.yaml")) as base_url, OAIClient(base_url) as client:
        datacite = next(client.list_records("datacite"))
        by_set = next(client.list_records("oai_dc", set_spec="software"))
        window = next(client.list_records("oai_dc", from_="2026-04-01", until="2026-04-02"))
        until_only = next(client.list_records("oai_dc", until="2026-04-02"))
    assert len(datacite.items) == 50 and datacite.items[0].metadata.tag == DATACITE
    assert datacite.complete_list_size == 8091746
    assert by_set.params["set"] == "software" and len(by_set.items) == 50
    assert all("software" in item.set_specs for item in by_set.items)
    assert window.complete_list_size == 6380
    assert until_only.complete_list_size == 6752882


def test_zenodo_422_no_records_match_is_an_empty_result():
    with replay_server(zenodo("list_records.yaml")) as base_url, OAIClient(base_url) as client:
        chain = client.list_records("oai_dc", from_="2030-01-01")
        assert list(chain) == []
        assert list(client.list_records("oai_dc", set_spec="XXX")) == []
    with replay_server(zenodo("list_identifiers.yaml")) as base_url, OAIClient(base_url) as client:
        assert list(client.list_identifiers("oai_dc", from_="2030-01-15")) == []
    assert chain.end_reason == "noRecordsMatch"
    assert chain.final_response.status == 422
    assert b'code="noRecordsMatch"' in chain.final_response.content


def test_zenodo_422_bad_argument_and_bad_resumption_token_are_typed():
    with replay_server(zenodo("list_records.yaml")) as base_url, OAIClient(base_url) as client:
        with pytest.raises(BadArgument) as bad_argument:
            list(client.list_records("XXX"))
        with pytest.raises(BadResumptionToken) as bad_token:
            list(client.list_records("oai_dc", resumption_token="XXX"))
        raw = client.request("ListRecords", metadataPrefix="XXX")
    assert bad_argument.value.url.endswith("?verb=ListRecords&metadataPrefix=XXX")
    assert b"metadataPrefix does not exist" in bad_argument.value.body
    assert "resumptionToken=XXX" in bad_token.value.url
    # request() reports the status and leaves classification to the parser
    assert raw.status == 422 and raw.params == {"verb": "ListRecords", "metadataPrefix": "XXX"}


def test_zenodo_list_identifiers_chain():
    with replay_server(zenodo("list_identifiers.yaml")) as base_url, OAIClient(base_url) as c:
        pages, items = drain(c.list_identifiers("oai_dc"))
    assert [len(p.items) for p in pages] == [3, 3, 3]
    assert all(i.metadata is None for i in items)
    assert all(i.raw.startswith(b"<header") for i in items)
    assert sum(i.deleted for i in items) == 1


def test_zenodo_identify_and_the_html_endpoint():
    path = zenodo("identify.yaml")
    with replay_server(path, original_base="https://zenodo.org/oai2d") as base_url:
        identify = OAIClient(base_url).identify()
    assert (identify.repository_name, identify.admin_emails) == ("Zenodo", ["info@zenodo.org"])
    assert identify.earliest_datestamp == "2014-02-03T14:41:33Z"
    with replay_server(path, original_base="https://www.e-periodica.ch/oai/dataprovider") as b:
        assert OAIClient(b).identify().repository_name == "repository.prod"
    html_base = "https://httpbun.com/html"
    with replay_server(path, original_base=html_base) as b, pytest.raises(NotOAIResponse) as caught:
        OAIClient(b).identify()
    assert caught.value.reason == "HTML page"
    assert caught.value.url.endswith("/html?verb=Identify")
    assert caught.value.body.startswith(b"<!DOCTYPE html>")


def test_zenodo_list_sets_follows_the_token():
    with replay(zenodo("list_sets.yaml")) as server, OAIClient(server.base_url) as client:
        sets = list(client.list_sets())
        with pytest.raises(BadResumptionToken):
            parse_oai_of(client.request("ListSets", resumptionToken="XXX"))
    assert len(sets) == 10
    assert sets[0].spec == "user-harmonic-radar"
    assert sets[5].spec == "user-young-bds"  # first set of page 2
    assert [r.params.get("resumptionToken", "")[:10] for r in server.requests[:2]] == [
        "", "eyJzZWVkIj"
    ]  # fmt: skip


def parse_oai_of(raw):
    return parse_oai(raw.content, url=raw.url, http_status=raw.status)


def test_zenodo_list_metadata_formats():
    with replay_server(zenodo("list_metadata_formats.yaml")) as base_url:
        client = OAIClient(base_url)
        everywhere = client.list_metadata_formats()
        for_item = client.list_metadata_formats("oai:zenodo.org:10357859")
        with pytest.raises(IdDoesNotExist) as caught:
            client.list_metadata_formats("oai:zenodo.org:XXX")
    assert "oai_dc" in {f.prefix for f in everywhere} and len(everywhere) == 8
    assert {f.prefix for f in for_item} >= {"oai_dc", "datacite"}
    assert "identifier=oai%3Azenodo.org%3AXXX" in caught.value.url


def test_zenodo_get_record_and_id_does_not_exist():
    with replay_server(zenodo("get_record.yaml")) as base_url:
        client = OAIClient(base_url)
        datacite = client.get_record("oai:zenodo.org:10357859", "datacite")
        oai_dc = client.get_record("oai:zenodo.org:10357859", "oai_dc")
        with pytest.raises(BadArgument):
            client.get_record("oai:zenodo.org:10357859", "XXX")
    assert datacite.metadata.tag == DATACITE
    assert oai_dc.identifier == "oai:zenodo.org:10357859"
    assert oai_dc.raw.startswith(b"<record")
    with (
        replay_server(zenodo("id_does_not_exist.yaml")) as base_url,
        pytest.raises(IdDoesNotExist) as caught,
    ):
        OAIClient(base_url).get_record("oai:zenodo.org:XXX", "oai_dc")
    assert caught.value.code == "idDoesNotExist"


# ----------------------------------------------------------------- scrapi cassettes


def test_mla_fourteen_requests_end_cleanly_on_no_records_match():
    with replay(scrapi("mla.yaml")) as server, OAIClient(server.base_url) as client:
        chain = client.list_records(
            "oai_dc", from_="2016-05-25T00:00:00Z", until="2016-05-27T00:00:00Z"
        )
        pages, items = drain(chain)
    assert len(server.requests) == 14
    assert len(pages) == 13
    assert len(items) == 319  # 12 pages of 25 + 19; the 14th answer is noRecordsMatch
    assert len({i.identifier for i in items}) == 319
    assert chain.end_reason == "noRecordsMatch"
    assert chain.final_response.url.endswith("%3A325")


SCRAPI_CHAINS = [
    ("calpoly.yaml", "2015-03-10", "2015-03-11", [100, 100, 8], "empty token"),
    ("rcaap.yaml", "2015-12-26", "2015-12-28", [100, 3], "empty token"),
    ("spdataverse.yaml", "2015-04-21", "2015-04-22", [10, 9], "empty token"),
    ("datacite.yaml", "2012-12-19T00:00:00Z", "2012-12-21T00:00:00Z", [50, 6], "empty token"),
    ("ncar.yaml", "2015-10-04T00:00:00Z", "2015-10-06T00:00:00Z", [1], "empty token"),
    ("cogprints.yaml", "2015-04-19", "2015-04-20", [45], "no token"),
]


@pytest.mark.parametrize(("name", "from_", "until", "sizes", "end"), SCRAPI_CHAINS)
def test_scrapi_chains(name, from_, until, sizes, end):
    prefix = "dif" if name == "ncar.yaml" else "oai_dc"
    with replay_server(scrapi(name)) as base_url, OAIClient(base_url) as client:
        chain = client.list_records(prefix, from_=from_, until=until)
        pages, _ = drain(chain)
    assert [len(p.items) for p in pages] == sizes
    assert chain.end_reason == end
    assert pages[-1].resumption_token is None


def test_calpoly_total_matches_complete_list_size():
    with replay_server(scrapi("calpoly.yaml")) as base_url, OAIClient(base_url) as client:
        pages, items = drain(client.list_records("oai_dc", from_="2015-03-10", until="2015-03-11"))
    assert len(items) == pages[0].complete_list_size == 208
    assert [p.cursor for p in pages] == [0, 100, 200]


def test_purdue_redirect_is_followed_and_recorded():
    with replay_server(scrapi("purdue.yaml")) as base_url, OAIClient(base_url) as client:
        chain = client.list_records(
            "oai_dc", from_="2015-11-30T00:00:00Z", until="2015-12-02T00:00:00Z"
        )
        pages, items = drain(chain)
    assert [i.identifier for i in items] == ["http://dx.doi.org/10.4231/R7TQ5ZG3"]
    assert len(pages[0].redirects) == 1
    assert "verb=ListRecords" in pages[0].redirects[0]
    assert pages[0].url != pages[0].redirects[0]


def test_post_sends_a_form_body_and_harvests_the_same_records():
    with replay(scrapi("mla.yaml")) as server, OAIClient(server.base_url, method="POST") as c:
        chain = c.list_records("oai_dc", from_="2016-05-25T00:00:00Z", until="2016-05-27T00:00:00Z")
        _, items = drain(chain)
    assert len(items) == 319
    assert {r.method for r in server.requests} == {"POST"}
    assert all(
        r.headers["content-type"] == "application/x-www-form-urlencoded" for r in server.requests
    )
    assert b"verb=ListRecords" in server.requests[0].body
    # the URL we report names the request even though the parameters travelled in the body
    assert chain.final_response.url.endswith("%3A325")


# ----------------------------------------------------------------- servers of our own


@dataclass
class Hit:
    method: str
    params: dict[str, str]
    headers: dict[str, str]
    client_port: int


Reply = tuple[int, dict[str, str], bytes]


@contextmanager
def tiny_server(respond: Callable[[Hit], Reply]) -> Iterator[tuple[str, list[Hit]]]:
    """A keep-alive HTTP/1.1 server; ``respond`` decides each answer. A reply header
    ``Content-Length`` larger than the body makes the server hang up mid-body; a
    ``Transfer-Encoding: chunked`` header sends the body in chunks."""
    hits: list[Hit] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer(b"")

        def do_POST(self) -> None:
            self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def _answer(self, body: bytes) -> None:
            pairs = parse_qsl(urlsplit(self.path).query) + parse_qsl(body.decode())
            hit = Hit(self.command, dict(pairs), {k.lower(): v for k, v in self.headers.items()},
                      self.client_address[1])  # fmt: skip
            hits.append(hit)
            status, headers, payload = respond(hit)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            chunked = headers.get("Transfer-Encoding") == "chunked"
            if "Content-Length" not in headers and not chunked:
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if chunked:
                for start in range(0, len(payload), 4096):
                    piece = payload[start : start + 4096]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(payload)
            if int(headers.get("Content-Length", len(payload))) > len(payload):
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/oai", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def records_page(ids: list[str], token: str | None) -> bytes:
    records = "".join(
        f"<record><header><identifier>{i}</identifier><datestamp>2026-01-01</datestamp>"
        f'</header><metadata><dc xmlns="urn:dc"><title>{i}</title></dc></metadata></record>'
        for i in ids
    )
    token_element = "" if token is None else f"<resumptionToken>{token}</resumptionToken>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2026-01-01T00:00:00Z</responseDate>"
        f"<ListRecords>{records}{token_element}</ListRecords></OAI-PMH>"
    ).encode()


XML = {"Content-Type": "text/xml; charset=utf-8"}
LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>login</body></html>"


def chain_with_second_page(second_page: Callable[[], Reply]) -> Callable[[Hit], Reply]:
    def respond(hit: Hit) -> Reply:
        if hit.params.get("resumptionToken") == "page-2-token":
            return second_page()
        return 200, XML, records_page(["oai:t:1", "oai:t:2"], "page-2-token")

    return respond


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_html_login_page_mid_chain_fails_with_the_token_url(method):
    respond = chain_with_second_page(lambda: (200, {"Content-Type": "text/html"}, LOGIN_PAGE))
    with tiny_server(respond) as (base_url, hits), OAIClient(base_url, method=method) as client:
        chain = client.list_records("oai_dc")
        yielded = []
        with pytest.raises(NotOAIResponse) as caught:
            for page in chain:
                yielded.append(page)
    assert [len(p.items) for p in yielded] == [2]
    assert caught.value.reason == "HTML page"
    assert "resumptionToken=page-2-token" in caught.value.url
    assert caught.value.body == LOGIN_PAGE
    assert chain.end_reason is None
    assert [h.method for h in hits] == [method, method]


def test_truncated_page_mid_chain_is_an_xml_parse_error():
    half = records_page(["oai:t:3"], None)[:120]
    respond = chain_with_second_page(lambda: (200, XML, half))
    with tiny_server(respond) as (base_url, _), OAIClient(base_url) as client:
        chain = client.list_records("oai_dc")
        next(chain)
        with pytest.raises(XMLParseError) as caught:
            next(chain)
    assert "page-2-token" in caught.value.url and caught.value.body == half


def test_connection_dropped_mid_body_is_a_transport_error():
    body = records_page(["oai:t:3"], None)
    respond = chain_with_second_page(
        lambda: (200, {**XML, "Content-Length": str(len(body) + 500)}, body)
    )
    with tiny_server(respond) as (base_url, _), OAIClient(base_url, retry=None) as client:
        chain = client.list_records("oai_dc")
        next(chain)
        with pytest.raises(TransportError) as caught:
            next(chain)
    assert "page-2-token" in caught.value.url


def test_failed_page_can_be_requested_again_and_the_chain_continues():
    failures = iter([(503, {"Retry-After": "1"}, b"busy")])

    def second_page() -> Reply:
        return next(failures, (200, XML, records_page(["oai:t:3"], None)))

    with tiny_server(chain_with_second_page(second_page)) as (base_url, _):
        chain = OAIClient(base_url, retry=None).list_records("oai_dc")
        assert len(next(chain).items) == 2
        with pytest.raises(HTTPStatusError) as caught:
            next(chain)
        assert caught.value.status == 503 and caught.value.body == b"busy"
        assert [i.identifier for i in next(chain).items] == ["oai:t:3"]
        assert list(chain) == [] and chain.end_reason == "no token"


def test_keep_alive_one_connection_for_the_whole_chain():
    pages = {None: (["a"], "t2"), "t2": (["b"], "t3"), "t3": (["c"], None)}

    def respond(hit: Hit) -> Reply:
        ids, token = pages[hit.params.get("resumptionToken")]
        return 200, XML, records_page(ids, token)

    with tiny_server(respond) as (base_url, hits), OAIClient(base_url) as client:
        _, items = drain(client.list_records("oai_dc"))
    assert [i.identifier for i in items] == ["a", "b", "c"]
    assert len({h.client_port for h in hits}) == 1


def test_repeated_token_is_a_loop_error_not_an_endless_harvest():
    def respond(hit: Hit) -> Reply:
        return 200, XML, records_page(["same"], "again")

    with (
        tiny_server(respond) as (base_url, hits),
        OAIClient(base_url) as client,
        pytest.raises(ResumptionTokenLoop),
    ):
        list(client.list_records("oai_dc"))
    assert len(hits) == 2


def test_server_that_never_answers_times_out_as_transport_error():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts TCP connections in the backlog, never responds
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}/oai"
    try:
        client = OAIClient(base_url, timeout=0.5, connect_timeout=0.5, retry=None)
        started = time.perf_counter()
        with pytest.raises(TransportError) as caught:
            client.identify()
        waited = time.perf_counter() - started
    finally:
        listener.close()
    assert 0.4 < waited < 2.0
    assert "Timeout" in str(caught.value) and "verb=Identify" in caught.value.url


def test_connection_refused_is_a_transport_error():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(TransportError) as caught:
        OAIClient(f"http://127.0.0.1:{port}/oai", connect_timeout=1, retry=None).identify()
    assert caught.value.code == "transport_error"
    assert f":{port}/oai?verb=Identify" in str(caught.value)


@pytest.mark.parametrize("framing", ["content-length", "chunked", "gzip"])
def test_body_over_the_cap_is_cut_off(framing):
    page = records_page([f"oai:t:{n}" for n in range(2000)], None)  # ~250 kB
    limit = 50_000
    if framing == "content-length":
        reply = (200, XML, page)
    elif framing == "chunked":
        reply = (200, {**XML, "Transfer-Encoding": "chunked"}, page)
    else:
        reply = (200, {**XML, "Content-Encoding": "gzip"}, gzip.compress(page))
        assert len(reply[2]) < limit  # small on the wire, large once inflated
    with tiny_server(lambda hit: reply) as (base_url, _), pytest.raises(ResponseTooLarge) as caught:
        OAIClient(base_url, max_response_bytes=limit).identify()
    assert caught.value.code == "response_too_large"
    if framing != "content-length":
        assert caught.value.body == page[:limit]


def test_custom_headers_and_user_agent_are_sent():
    with tiny_server(lambda hit: (200, XML, records_page(["x"], None))) as (base_url, hits):
        OAIClient(base_url, user_agent="probe/1", headers={"X-Contact": "ops@example.org"})\
            .list_records("oai_dc").__next__()  # fmt: skip
    assert hits[0].headers["user-agent"] == "probe/1"
    assert hits[0].headers["x-contact"] == "ops@example.org"


def test_resumption_token_is_exclusive():
    with pytest.raises(ValueError):
        OAIClient("http://127.0.0.1:9/oai").list_records("oai_dc", resumption_token="t", from_="x")
    with pytest.raises(ValueError):
        OAIClient("http://127.0.0.1:9/oai", method="PUT")  # type: ignore[arg-type]


def oai_error_page(code: str) -> bytes:
    return (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01'
        f'</responseDate><error code="{code}">as the server says</error></OAI-PMH>'
    ).encode()


def test_empty_answers_and_cannot_disseminate_format():
    answers = {
        "ListSets": oai_error_page("noSetHierarchy"),
        "ListMetadataFormats": oai_error_page("noMetadataFormats"),
        "ListRecords": oai_error_page("cannotDisseminateFormat"),
    }
    with tiny_server(lambda hit: (200, XML, answers[hit.params["verb"]])) as (base_url, _):
        client = OAIClient(base_url)
        assert list(client.list_sets()) == []
        assert client.list_metadata_formats("oai:x:1") == []
        with pytest.raises(CannotDisseminateFormat) as caught:
            list(client.list_records("mods"))
    assert caught.value.code == "cannotDisseminateFormat"
    assert caught.value.message == "as the server says"
