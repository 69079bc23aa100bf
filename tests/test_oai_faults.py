"""Every fault of the issue, injected over real HTTP by tests/support/fault_server.py on
top of the real protocol (pipelines.demo.server.OAIRepository). For each: the client
retries and ends with exactly the records of a clean run, or raises the classified error
with the URL and the body, or keeps the record and warns on it."""

from __future__ import annotations

import random

import pytest

from harvesters.oai import (
    BadResumptionToken,
    EmptyPagesWithToken,
    HTTPStatusError,
    NotOAIResponse,
    OAIClient,
    Page,
    RepeatedPage,
    ResumptionTokenLoop,
    RetryEvent,
    RetryPolicy,
    TooManyPages,
    TransportError,
    WarningEvent,
    XMLParseError,
    parse_document,
    parse_oai,
    read_list_page,
)
from pipelines.demo.server import OAIRepository
from tests.support.fault_server import (
    BROKEN_TITLE,
    JSON_BODY,
    LOGIN_PAGE,
    Fault,
    FaultServer,
    make_records,
)

RECORDS = make_records(30)  # three pages of ten; records 7, 17 and 27 are deleted
PAGE = 10
Items = list[tuple[str, bytes]]


def fast(**overrides: object) -> RetryPolicy:
    settings = {"backoff_base_s": 0.001, "backoff_max_s": 0.01, "rng": random.Random(3)}
    return RetryPolicy(**{**settings, **overrides})  # type: ignore[arg-type]


def client_for(server: FaultServer, **options: object) -> OAIClient:
    options = {"retry": fast(), "timeout": 5.0, **options}
    return OAIClient(server.base_url, **options)  # type: ignore[arg-type]


def items_of(pages: list[Page]) -> Items:
    return [(item.identifier, item.raw) for page in pages for item in page.items]


def harvest(server: FaultServer, **options: object) -> tuple[list[Page], OAIClient]:
    with client_for(server, **options) as client:
        return list(client.list_records("oai_dc")), client


@pytest.fixture(scope="module")
def clean() -> Items:
    with FaultServer(RECORDS, page_size=PAGE) as server:
        pages, client = harvest(server)
    assert [len(p.items) for p in pages] == [10, 10, 10]
    assert client.events == [] and all(p.attempts == 1 and not p.warnings for p in pages)
    return items_of(pages)


def on_page(kind: str, page: int = 2, **options: object) -> Fault:
    return Fault(kind, page=page, verb="ListRecords", **options)  # type: ignore[arg-type]


# ----------------------------------------------------------------- retried, then clean

TRANSIENT = [
    pytest.param(
        on_page("status", status=503, retry_after="0", times=2), "http_503", 3, id="503x2"
    ),
    pytest.param(on_page("status", status=429), "http_429", 2, id="429-no-retry-after"),
    pytest.param(on_page("status", status=500), "http_500", 2, id="500"),
    pytest.param(on_page("status", status=502), "http_502", 2, id="502"),
    pytest.param(on_page("status", status=504), "http_504", 2, id="504"),
    pytest.param(on_page("reset"), "connection_error", 2, id="connection-reset"),
    pytest.param(on_page("hangup", page=3), "connection_error", 2, id="hangup-mid-body"),
    pytest.param(on_page("slow", delay_s=0.6), "timeout", 2, id="slow-once"),
]


@pytest.mark.parametrize(("fault", "reason", "attempts"), TRANSIENT)
def test_transient_fault_is_retried_and_the_records_are_those_of_a_clean_run(
    clean: Items, fault: Fault, reason: str, attempts: int
) -> None:
    with FaultServer(RECORDS, page_size=PAGE, faults=[fault]) as server:
        pages, client = harvest(server, timeout=0.25)
    assert items_of(pages) == clean
    faulted = pages[(fault.page or 1) - 1]
    assert faulted.attempts == attempts
    assert [p.attempts for p in pages].count(1) == 2
    assert server.count("ListRecords") == 3 + attempts - 1
    retries = [e for e in client.events if isinstance(e, RetryEvent)]
    assert [(e.reason, e.attempt) for e in retries] == [(reason, n) for n in range(1, attempts)]
    assert all(e.url == faulted.url for e in retries)
    assert all(0 <= e.wait_s <= 0.01 for e in retries)


@pytest.mark.parametrize(("fault", "reason", "attempts"), TRANSIENT)
def test_the_same_fault_without_retries_is_a_classified_error(
    fault: Fault, reason: str, attempts: int
) -> None:
    with (
        FaultServer(RECORDS, page_size=PAGE, faults=[fault]) as server,
        client_for(server, retry=None, timeout=0.25) as client,
    ):
        chain = client.list_records("oai_dc")
        for _ in range((fault.page or 1) - 1):
            next(chain)
        with pytest.raises((HTTPStatusError, TransportError)) as caught:
            next(chain)
    error = caught.value
    assert "resumptionToken=" in error.url
    if isinstance(error, HTTPStatusError):
        assert f"http_{error.status}" == reason and error.body == b"Service busy\n"
    else:
        assert error.reason == reason and error.retryable


def test_retries_run_out_and_the_last_error_names_the_attempts() -> None:
    fault = on_page("status", status=503, times=None)
    with (
        FaultServer(RECORDS, page_size=PAGE, faults=[fault]) as server,
        client_for(server, retry=fast(max_attempts=3)) as client,
    ):
        chain = client.list_records("oai_dc")
        next(chain)
        with pytest.raises(HTTPStatusError) as caught:
            next(chain)
    assert caught.value.status == 503 and caught.value.attempts == 3
    assert "(after 3 attempts)" in str(caught.value)
    assert caught.value.body == b"Service busy\n"
    assert server.count("ListRecords") == 1 + 3
    assert len(client.events) == 2
    assert chain.resume_params is not None  # still on page 2: nothing was skipped


def test_connection_resets_run_out_as_a_transport_error_with_attempts() -> None:
    with (
        FaultServer(RECORDS, page_size=PAGE, faults=[on_page("reset", times=None)]) as server,
        client_for(server, retry=fast(max_attempts=4)) as client,
        pytest.raises(TransportError) as caught,
    ):
        list(client.list_records("oai_dc"))
    assert (caught.value.reason, caught.value.attempts) == ("connection_error", 4)
    assert "(after 4 attempts)" in str(caught.value) and "resumptionToken=" in caught.value.url


def test_post_requests_are_retried_too(clean: Items) -> None:
    with FaultServer(RECORDS, page_size=PAGE, faults=[on_page("reset")]) as server:
        pages, _ = harvest(server, method="POST")
    assert items_of(pages) == clean and pages[1].attempts == 2


def test_identify_and_get_record_are_retried() -> None:
    faults = [Fault("status", verb=verb, status=503) for verb in ("Identify", "GetRecord")]
    with FaultServer(RECORDS, page_size=PAGE, faults=faults) as server, client_for(server) as c:
        assert c.identify().repository_name
        assert c.get_record("oai:fault.test:3", "oai_dc").identifier == "oai:fault.test:3"
    assert [e.reason for e in c.events] == ["http_503", "http_503"]
    assert server.count("Identify") == server.count("GetRecord") == 2


# ----------------------------------------------------------------- classified, not retried

NOT_OAI = [
    pytest.param(on_page("html"), NotOAIResponse, "HTML page", LOGIN_PAGE, id="html-login-200"),
    pytest.param(on_page("empty"), NotOAIResponse, "empty body", b"", id="empty-body"),
    pytest.param(on_page("json"), NotOAIResponse, "JSON", JSON_BODY, id="json-body"),
    pytest.param(on_page("truncate"), XMLParseError, None, None, id="truncated-body"),
    pytest.param(on_page("status", status=404), HTTPStatusError, None, None, id="404"),
    pytest.param(on_page("status", status=403), HTTPStatusError, None, None, id="403"),
]


@pytest.mark.parametrize(("fault", "error_class", "reason", "body"), NOT_OAI)
def test_a_bad_page_is_classified_with_url_and_body_and_not_retried(
    clean: Items, fault: Fault, error_class: type, reason: str | None, body: bytes | None
) -> None:
    with FaultServer(RECORDS, page_size=PAGE, faults=[fault]) as server:
        client = client_for(server)
        chain = client.list_records("oai_dc")
        first = next(chain)
        with pytest.raises(error_class) as caught:
            next(chain)
        assert server.count("ListRecords") == 2  # asked once: asking again would not help
        error = caught.value
        assert f"resumptionToken={first.resumption_token[:12]}" in error.url
        if reason is not None:
            assert error.reason == reason
        if body is not None:
            assert error.body == body
        assert error.body is not None
        # the chain stays on page 2; a checkpointed restart from resume_params completes it
        saved = chain.resume_params
        assert saved == {"resumptionToken": first.resumption_token}
        rest = list(client.list_records("oai_dc", resumption_token=saved["resumptionToken"]))
        client.close()
    assert items_of([first, *rest]) == clean


def test_wrong_content_type_with_a_valid_body_is_accepted_with_a_page_warning(
    clean: Items,
) -> None:
    faults = [Fault("content_type", times=None, content_type="text/html; charset=utf-8")]
    with FaultServer(RECORDS, page_size=PAGE, faults=faults) as server:
        pages, _ = harvest(server)
        with client_for(server) as other:
            other.identify()
    assert items_of(pages) == clean
    for page in pages:
        assert [w.code for w in page.warnings] == ["unexpected_content_type"]
        assert "text/html" in page.warnings[0].message
        assert all(not item.warnings for item in page.items)
    assert [(e.code, type(e)) for e in other.events] == [("unexpected_content_type", WarningEvent)]


def test_json_content_type_with_an_oai_body_is_accepted_but_a_json_body_is_not() -> None:
    faults = [Fault("content_type", page=1, verb="ListRecords", content_type="application/json")]
    with FaultServer(RECORDS, page_size=PAGE, faults=faults) as server, client_for(server) as c:
        page = next(c.list_records("oai_dc"))
    assert len(page.items) == 10 and page.warnings[0].code == "unexpected_content_type"


def test_bad_resumption_token_once_is_classified_and_a_restart_completes(clean: Items) -> None:
    with FaultServer(RECORDS, page_size=PAGE, faults=[on_page("bad_token")]) as server:
        client = client_for(server)
        chain = client.list_records("oai_dc")
        first = next(chain)
        with pytest.raises(BadResumptionToken) as caught:
            next(chain)
        assert first.resumption_token in caught.value.url.replace("%3D", "=")
        assert b'code="badResumptionToken"' in caught.value.body
        token = chain.resume_params["resumptionToken"]
        rest = list(client.list_records("oai_dc", resumption_token=token))
        client.close()
    assert items_of([first, *rest]) == clean


def test_bad_resumption_token_once_is_absorbed_when_the_policy_allows_one_retry(
    clean: Items,
) -> None:
    with FaultServer(RECORDS, page_size=PAGE, faults=[on_page("bad_token")]) as server:
        pages, client = harvest(server, retry=fast(bad_token_retries=1))
    assert items_of(pages) == clean
    assert [e.reason for e in client.events] == ["bad_resumption_token"]


# ----------------------------------------------------------------- record-level faults

ILLEGAL = [
    ("\x0b", 0x0B),
    ("\x00", 0x00),
    ("\x1f", 0x1F),
    ("&#1;", 0x01),
    ("&#x1F;", 0x1F),
    ("&#0000;", 0x00),
    ("\ufffe", 0xFFFE),
    ("\uffff", 0xFFFF),
    ("\ud800", 0xD800),  # a lone surrogate, UTF-8 encoded (ED A0 80)
    ("&#xFFFE;", 0xFFFE),
    ("&#55296;", 0xD800),
    ("&#x110000;", 0x110000),
]


@pytest.mark.parametrize(("text", "codepoint"), ILLEGAL, ids=[repr(t) for t, _ in ILLEGAL])
def test_illegal_character_is_removed_and_warned_on_its_record_only(
    clean: Items, text: str, codepoint: int
) -> None:
    bad = "oai:fault.test:12"
    with FaultServer(RECORDS, page_size=PAGE, illegal_chars={bad: text}) as server:
        pages, _ = harvest(server)
    # everything else is byte-for-byte what a clean run gives: only the character went
    assert items_of(pages) == clean
    warned = {i.identifier: i.warnings for p in pages for i in p.items if i.warnings}
    assert list(warned) == [bad]
    (warning,) = warned[bad]
    assert warning.code == "illegal_xml_char" and warning.codepoints == (codepoint,)
    assert warning.message.startswith("1 XML-illegal character removed")
    assert f"U+{codepoint:04X}" in warning.message
    assert all(not p.warnings for p in pages)
    assert text.encode("utf-8", "surrogatepass") in pages[1].content  # raw body kept as sent


def test_several_illegal_characters_in_several_records() -> None:
    chars = {
        "oai:fault.test:2": "\x0c\x0c",
        "oai:fault.test:5": "&#x1A;\x1b",
        "oai:fault.test:9": "x",
    }
    with FaultServer(RECORDS, page_size=PAGE, illegal_chars=chars) as server:
        pages, _ = harvest(server)
    warned = {i.identifier: i.warnings[0] for i in pages[0].items if i.warnings}
    assert sorted(warned) == ["oai:fault.test:2", "oai:fault.test:5"]
    assert warned["oai:fault.test:2"].codepoints == (0x0C, 0x0C)
    assert "U+000C x2" in warned["oai:fault.test:2"].message
    assert warned["oai:fault.test:5"].codepoints == (0x1A, 0x1B)


def test_illegal_character_in_get_record_is_warned_on_the_record() -> None:
    bad = "oai:fault.test:4"
    with FaultServer(RECORDS, illegal_chars={bad: "\x01"}) as server, client_for(server) as c:
        item = c.get_record(bad, "oai_dc")
    assert [w.code for w in item.warnings] == ["illegal_xml_char"]
    assert item.metadata is not None and b"\x01" not in item.raw


def test_illegal_character_outside_any_record_is_a_page_warning() -> None:
    repository = OAIRepository(RECORDS, page_size=PAGE)
    body = repository.respond({"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"]}, "http://h")
    dirty = body.replace(b"<responseDate>", b"<responseDate>\x0c", 1)
    part = read_list_page(parse_document(dirty, url="u", content_type="text/xml"), "ListRecords")
    assert len(part.items) == 10 and all(not i.warnings for i in part.items)
    assert [w.code for w in part.warnings] == ["illegal_xml_char"]
    assert part.warnings[0].message.endswith("outside any record")


def test_a_text_node_over_ten_megabytes_parses(clean: Items) -> None:
    big = "oai:fault.test:15"
    size = 11 * 1024 * 1024
    with FaultServer(RECORDS, page_size=PAGE, huge_text={big: size}) as server:
        pages, _ = harvest(server)
    items = {i.identifier: i for p in pages for i in p.items}
    title = items[big].metadata.find("{http://purl.org/dc/elements/1.1/}title")
    assert len(title.text) == size + len("Open textbook 15")
    assert [i for i in items_of(pages) if i[0] != big] == [i for i in clean if i[0] != big]


def test_a_broken_record_fails_its_page_and_get_record_isolates_it(clean: Items) -> None:
    """What the pipeline's fallback needs: the page is an XMLParseError; ListIdentifiers
    still lists the window; GetRecord gives every record but the broken one, which is an
    XMLParseError carrying the raw body, to quarantine."""
    broken = "oai:fault.test:14"
    with (
        FaultServer(RECORDS, page_size=PAGE, broken_records=[broken]) as server,
        client_for(server) as client,
    ):
        chain = client.list_records("oai_dc")
        next(chain)
        with pytest.raises(XMLParseError) as page_error:
            next(chain)
        assert BROKEN_TITLE in page_error.value.body and "resumptionToken=" in page_error.value.url
        headers = [i for p in client.list_identifiers("oai_dc") for i in p.items]
        window = [h.identifier for h in headers][10:20]
        fetched, quarantined = {}, {}
        for identifier in window:
            try:
                item = client.get_record(identifier, "oai_dc")
            except XMLParseError as exc:
                quarantined[identifier] = exc
            else:
                fetched[identifier] = item.raw
        assert server.count("GetRecord") == 10  # a broken record is not asked for again
    assert len(headers) == 30 and list(quarantined) == [broken]
    error = quarantined[broken]
    assert BROKEN_TITLE in error.body and "identifier=oai%3Afault.test%3A14" in error.url
    assert "not well-formed" in str(error)
    assert fetched == {i: raw for i, raw in clean[10:20] if i != broken}


# ----------------------------------------------------------------- chain sanity


def test_a_repeated_page_is_an_error_not_a_duplicate_harvest() -> None:
    with (
        FaultServer(RECORDS, page_size=PAGE, faults=[on_page("repeat_page")]) as server,
        client_for(server) as client,
    ):
        chain = client.list_records("oai_dc")
        first = next(chain)
        with pytest.raises(RepeatedPage) as caught:
            next(chain)
    assert caught.value.code == "repeated_page"
    assert "same 10 records" in str(caught.value) and "oai:fault.test:1" in str(caught.value)
    assert "resumptionToken=" in caught.value.url
    assert first.items[0].identifier.encode() in caught.value.body


def test_a_few_empty_pages_with_a_token_are_followed(clean: Items) -> None:
    fault = on_page("empty_pages", count=3)
    with FaultServer(RECORDS, page_size=PAGE, faults=[fault]) as server:
        pages, _ = harvest(server)
    assert [len(p.items) for p in pages] == [10, 0, 0, 0, 10, 10]
    assert items_of(pages) == clean


def test_too_many_empty_pages_with_a_token_is_an_error() -> None:
    fault = on_page("empty_pages", count=4)
    with (
        FaultServer(RECORDS, page_size=PAGE, faults=[fault]) as server,
        client_for(server) as client,
    ):
        chain = client.list_records("oai_dc")
        yielded = []
        with pytest.raises(EmptyPagesWithToken) as caught:
            for page in chain:
                yielded.append(page)
    assert [len(p.items) for p in yielded] == [10, 0, 0, 0]
    assert caught.value.code == "empty_pages_with_token" and "4 pages in a row" in str(caught.value)
    assert "resumptionToken=empty-3~" in caught.value.url  # its answer held empty-4


def test_a_token_loop_is_an_error() -> None:
    with (
        FaultServer(RECORDS, page_size=PAGE, faults=[on_page("token_loop", page=2)]) as server,
        client_for(server) as client,
        pytest.raises(ResumptionTokenLoop) as caught,
    ):
        list(client.list_records("oai_dc"))
    assert caught.value.body and "resumptionToken=" in caught.value.url


def test_max_pages_caps_a_chain() -> None:
    with FaultServer(RECORDS, page_size=PAGE) as server, client_for(server, max_pages=2) as c:
        chain = c.list_records("oai_dc")
        assert len(list(zip(range(2), chain, strict=False))) == 2
        with pytest.raises(TooManyPages) as caught:
            next(chain)
    assert "max_pages=2" in str(caught.value) and "resumptionToken=" in caught.value.url


def test_resume_params_restart_a_chain_where_it_stopped(clean: Items) -> None:
    with FaultServer(RECORDS, page_size=PAGE) as server:
        with client_for(server) as client:
            chain = client.list_records("oai_dc")
            assert chain.resume_params == {"metadataPrefix": "oai_dc"}
            first = next(chain)
            saved = chain.resume_params
        with client_for(server) as later:  # another process, another day
            rest = list(later.list_records("oai_dc", resumption_token=saved["resumptionToken"]))
            assert later.list_records("oai_dc", resumption_token="x").resume_params == {
                "resumptionToken": "x"
            }
    assert items_of([first, *rest]) == clean
    assert rest[-1].resumption_token is None


def test_redirects_are_followed_and_recorded_on_every_page(clean: Items) -> None:
    with (
        FaultServer(RECORDS, page_size=PAGE) as server,
        OAIClient(server.origin + "/old-oai", retry=fast()) as client,
    ):
        pages = list(client.list_records("oai_dc"))
    assert items_of(pages) == clean
    assert all(
        len(p.redirects) == 1 and "/old-oai?verb=ListRecords" in p.redirects[0] for p in pages
    )
    assert all(p.url.startswith(server.base_url + "?") for p in pages)


def test_undeclared_prefix_is_declared_and_warned_with_removals_still_attributed() -> None:
    repository = OAIRepository(RECORDS, page_size=PAGE)
    body = repository.respond({"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"]}, "http://h")
    # a feed that forgets xmlns:dc (seen in DPLA hubs), with one illegal character as well
    broken = body.replace(b' xmlns:dc="http://purl.org/dc/elements/1.1/"', b"")
    assert broken != body
    first_title = broken.index(b"<dc:title") + len(b'<dc:title xml:lang="en">')
    broken = broken[:first_title] + b"\x0c" + broken[first_title:]
    with pytest.raises(XMLParseError):
        parse_oai(broken, url="u")  # the strict parser stays strict
    part = read_list_page(parse_document(broken, url="u", content_type="text/xml"), "ListRecords")
    assert len(part.items) == 10
    assert [w.code for w in part.warnings] == ["undeclared_namespace_prefix"]
    assert "dc=http://purl.org/dc/elements/1.1/" in part.warnings[0].message
    warned = [i.identifier for i in part.items if i.warnings]
    assert warned == [part.items[0].identifier]  # the removal is still on its own record
    assert part.items[0].metadata[0].tag == "{http://purl.org/dc/elements/1.1/}title"


def test_an_unknown_undeclared_prefix_gets_a_urn_that_says_so() -> None:
    repository = OAIRepository(RECORDS[:1], page_size=PAGE)
    body = repository.respond({"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"]}, "http://h")
    broken = body.replace(b"</oai_dc:dc>", b"<zz:extra>v</zz:extra></oai_dc:dc>")
    part = read_list_page(parse_document(broken, url="u", content_type="text/xml"), "ListRecords")
    extra = part.items[0].metadata[-1]
    assert extra.tag == "{urn:oer-pipeline:undeclared-prefix:zz}extra"
