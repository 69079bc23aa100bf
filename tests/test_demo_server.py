"""The demo OAI-PMH server, spoken to over real HTTP on 127.0.0.1, and its sample data."""

from __future__ import annotations

import base64
import http.client
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
import pytest
from lxml import etree

from pipelines.demo.build_sample import build_records
from pipelines.demo.server import DemoServer, load_sample

NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STRICT = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
RECORDS = load_sample()
DELETED_ID = next(r["identifier"] for r in RECORDS if r["deleted"])
LIVE_ID = next(r["identifier"] for r in RECORDS if not r["deleted"])


def stamp(record: dict) -> datetime:
    return datetime.strptime(record["datestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(page_size=50) as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def get(client: httpx.Client, server: DemoServer, params: object) -> etree._Element:
    response = client.get(server.base_url, params=params)  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    return etree.fromstring(response.content, STRICT)


def error_code(root: etree._Element) -> str | None:
    error = root.find("oai:error", NS)
    return None if error is None else error.get("code")


def harvest(
    client: httpx.Client, server: DemoServer, verb: str = "ListRecords", **arguments: str
) -> tuple[list[etree._Element], list[etree._Element]]:
    """Every page of one list request, following resumption tokens: (pages, items)."""
    params: dict[str, str] = {"verb": verb, "metadataPrefix": "oai_dc", **arguments}
    item = "oai:record" if verb == "ListRecords" else "oai:header"
    pages, items = [], []
    while True:
        root = get(client, server, params)
        assert error_code(root) is None, etree.tostring(root)
        pages.append(root)
        items += root.findall(f"oai:{verb}/{item}", NS)
        token = root.find(f"oai:{verb}/oai:resumptionToken", NS)
        if token is None or not token.text:
            return pages, items
        params = {"verb": verb, "resumptionToken": token.text}


# ---------------------------------------------------------------------- data file
def test_sample_data_has_the_promised_shape() -> None:
    live = [r for r in RECORDS if not r["deleted"]]
    title_langs = {t["lang"] for r in live for t in r["metadata"]["title"] if t["lang"]}
    rights_shapes = {rights_shape(v) for r in live for v in r["metadata"]["rights"] or [""]}
    no_language = sum(not r["metadata"]["language"] for r in live)

    assert len(RECORDS) >= 300
    assert len(title_langs) >= 6
    assert {"en", "es", "fr", "de", "pt", "ar", "zh", "ru", "sw", "hi"} <= title_langs
    assert len(rights_shapes) >= 5
    assert len(RECORDS) - len(live) >= 3
    assert 0.1 < no_language / len(live) < 0.3
    assert len({r["identifier"] for r in RECORDS}) == len(RECORDS)
    assert all(not r["deleted"] or "metadata" not in r for r in RECORDS)
    assert min(stamp(r) for r in RECORDS).year == 2019
    assert max(stamp(r) for r in RECORDS).year == 2026


def rights_shape(value: str) -> str:
    if not value:
        return "none"
    if value.startswith(("http://", "https://")):
        return "url"
    if value.startswith("info:"):
        return "eu-repo"
    if value.startswith("©"):
        return "copyright"
    if re.fullmatch(r"(?i)cc[- ]?[a-z-]*( [\d.]+)?( [a-z]{2})?", value):
        return "cc-label"
    return "free-text"


def test_committed_sample_matches_the_generator() -> None:
    assert build_records() == RECORDS


# ---------------------------------------------------------------------- verbs
def test_identify(client: httpx.Client, server: DemoServer) -> None:
    root = get(client, server, {"verb": "Identify"})
    identify = root.find("oai:Identify", NS)
    assert identify is not None

    def field(name: str) -> str | None:
        return identify.findtext(f"oai:{name}", namespaces=NS)

    assert field("repositoryName") == "oer-pipeline demo repository"
    assert field("baseURL") == server.base_url
    assert field("protocolVersion") == "2.0"
    assert field("deletedRecord") == "persistent"
    assert field("granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert field("earliestDatestamp") == min(r["datestamp"] for r in RECORDS)
    assert "@" in (field("adminEmail") or "")
    response_date = datetime.strptime(
        root.findtext("oai:responseDate", namespaces=NS) or "", "%Y-%m-%dT%H:%M:%SZ"
    ).replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - response_date).total_seconds()) < 60


def test_list_records_chain_equals_the_data_file(client: httpx.Client, server: DemoServer) -> None:
    pages, records = harvest(client, server)

    identifiers = [r.findtext("oai:header/oai:identifier", namespaces=NS) for r in records]
    assert sorted(identifiers) == sorted(r["identifier"] for r in RECORDS)
    assert len(set(identifiers)) == len(identifiers)
    deleted = [r for r in records if r.find("oai:header", NS).get("status") == "deleted"]
    assert len(deleted) == sum(r["deleted"] for r in RECORDS)
    assert all(r.find("oai:metadata", NS) is None for r in deleted)
    assert len(pages) > 5
    assert len(pages) == -(-len(RECORDS) // 50)

    tokens = [page.find("oai:ListRecords/oai:resumptionToken", NS) for page in pages]
    assert all(t is not None and t.get("completeListSize") == str(len(RECORDS)) for t in tokens)
    assert [t.get("cursor") for t in tokens] == [str(50 * i) for i in range(len(pages))]
    assert all(t.text for t in tokens[:-1])
    assert not tokens[-1].text  # the last page ends the list with an empty token


def test_list_identifiers_gives_headers_only(client: httpx.Client, server: DemoServer) -> None:
    pages, headers = harvest(client, server, "ListIdentifiers")
    assert len(headers) == len(RECORDS)
    assert all(p.find(".//oai:metadata", NS) is None for p in pages)
    first = RECORDS[0]
    assert headers[0].findtext("oai:identifier", namespaces=NS) == first["identifier"]
    assert headers[0].findtext("oai:datestamp", namespaces=NS) == first["datestamp"]
    assert [s.text for s in headers[0].findall("oai:setSpec", NS)] == first["sets"]


def test_every_page_is_strict_well_formed_xml(client: httpx.Client, server: DemoServer) -> None:
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    while True:
        body = client.get(server.base_url, params=params).content
        assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        root = etree.fromstring(body, STRICT)
        token = root.findtext("oai:ListRecords/oai:resumptionToken", namespaces=NS)
        if not token:
            break
        params = {"verb": "ListRecords", "resumptionToken": token}


def in_window(record: dict, start: datetime | None, end: datetime | None) -> bool:
    moment = stamp(record)
    return (start is None or moment >= start) and (end is None or moment <= end)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("arguments", "start", "end"),
    [
        ({"from": "2022-01-01"}, utc(2022, 1, 1), None),
        ({"until": "2020-12-31"}, None, utc(2020, 12, 31, 23, 59, 59)),
        (
            {"from": "2021-03-01", "until": "2021-03-31"},
            utc(2021, 3, 1),
            utc(2021, 3, 31, 23, 59, 59),
        ),
        (
            {"from": "2023-06-15T12:00:00Z", "until": "2024-06-15T12:00:00Z"},
            utc(2023, 6, 15, 12),
            utc(2024, 6, 15, 12),
        ),
    ],
)
def test_from_until_selects_exactly_the_expected_records(
    client: httpx.Client,
    server: DemoServer,
    arguments: dict[str, str],
    start: datetime | None,
    end: datetime | None,
) -> None:
    expected = {r["identifier"] for r in RECORDS if in_window(r, start, end)}
    assert 0 < len(expected) < len(RECORDS)
    _, headers = harvest(client, server, "ListIdentifiers", **arguments)
    assert {h.findtext("oai:identifier", namespaces=NS) for h in headers} == expected


def test_from_until_bounds_are_inclusive_to_the_second(
    client: httpx.Client, server: DemoServer
) -> None:
    record = RECORDS[10]
    root = get(
        client,
        server,
        {
            "verb": "ListIdentifiers",
            "metadataPrefix": "oai_dc",
            "from": record["datestamp"],
            "until": record["datestamp"],
        },
    )
    found = [h.text for h in root.findall(".//oai:header/oai:identifier", NS)]
    assert record["identifier"] in found
    assert all(r["datestamp"] == record["datestamp"] for r in RECORDS if r["identifier"] in found)


@pytest.mark.parametrize("set_spec", ["sdg:04", "sdg", "lang:zh", "type:textbook", "area"])
def test_set_filter_follows_the_hierarchy(
    client: httpx.Client, server: DemoServer, set_spec: str
) -> None:
    expected = {
        r["identifier"]
        for r in RECORDS
        if any(s == set_spec or s.startswith(set_spec + ":") for s in r["sets"])
    }
    assert expected
    _, headers = harvest(client, server, "ListIdentifiers", set=set_spec)
    assert {h.findtext("oai:identifier", namespaces=NS) for h in headers} == expected


def test_list_sets_includes_parents_and_leaves(client: httpx.Client, server: DemoServer) -> None:
    root = get(client, server, {"verb": "ListSets"})
    specs = [s.text for s in root.findall("oai:ListSets/oai:set/oai:setSpec", NS)]
    leaves = {s for r in RECORDS for s in r["sets"]}
    assert leaves <= set(specs)
    assert {"sdg", "type", "lang", "area"} <= set(specs)
    assert len(specs) == len(set(specs))
    names = root.findall("oai:ListSets/oai:set/oai:setName", NS)
    assert all(n.text for n in names)


def test_list_metadata_formats(client: httpx.Client, server: DemoServer) -> None:
    for params in (
        {"verb": "ListMetadataFormats"},
        {"verb": "ListMetadataFormats", "identifier": LIVE_ID},
    ):
        root = get(client, server, params)
        prefixes = [p.text for p in root.findall(".//oai:metadataPrefix", NS)]
        assert prefixes == ["oai_dc"]


def test_get_record_renders_dublin_core(client: httpx.Client, server: DemoServer) -> None:
    source = next(r for r in RECORDS if not r["deleted"] and len(r["metadata"]["title"]) > 1)
    root = get(
        client,
        server,
        {"verb": "GetRecord", "identifier": source["identifier"], "metadataPrefix": "oai_dc"},
    )
    dc = root.find("oai:GetRecord/oai:record/oai:metadata/oai_dc:dc", NS)
    assert dc is not None
    titles = [(t.text, t.get(XML_LANG)) for t in dc.findall("dc:title", NS)]
    assert titles == [(t["value"], t["lang"]) for t in source["metadata"]["title"]]
    identifiers = [i.text for i in dc.findall("dc:identifier", NS)]
    assert identifiers == source["metadata"]["identifier"]


def test_markup_in_values_arrives_as_text(client: httpx.Client, server: DemoServer) -> None:
    """HTML and pre-escaped entities in the data are escaped on the wire, not interpreted."""
    for marker, on_the_wire in (("<p>", b"&lt;p&gt;"), ("&amp;", b"&amp;amp;")):
        source = next(
            r
            for r in RECORDS
            if not r["deleted"] and any(marker in d["value"] for d in r["metadata"]["description"])
        )
        response = client.get(
            server.base_url,
            params={
                "verb": "GetRecord",
                "identifier": source["identifier"],
                "metadataPrefix": "oai_dc",
            },
        )
        assert on_the_wire in response.content
        root = etree.fromstring(response.content, STRICT)
        texts = [d.text for d in root.iterfind(".//dc:description", NS)]
        assert texts == [d["value"] for d in source["metadata"]["description"]]


def test_get_record_of_a_deleted_record(client: httpx.Client, server: DemoServer) -> None:
    root = get(
        client, server, {"verb": "GetRecord", "identifier": DELETED_ID, "metadataPrefix": "oai_dc"}
    )
    record = root.find("oai:GetRecord/oai:record", NS)
    assert record is not None
    assert record.find("oai:header", NS).get("status") == "deleted"
    assert record.find("oai:metadata", NS) is None


# ---------------------------------------------------------------------- errors
LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "ListEverything"}, "badVerb"),
        ([("verb", "Identify"), ("verb", "Identify")], "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": LIVE_ID}, "badArgument"),
        (
            [
                ("verb", "ListRecords"),
                ("metadataPrefix", "oai_dc"),
                ("set", "sdg"),
                ("set", "lang"),
            ],
            "badArgument",
        ),
        ({**LIST, "set": ""}, "badArgument"),
        ({**LIST, "from": "2021-13-01"}, "badArgument"),
        ({**LIST, "from": "15/03/2020"}, "badArgument"),
        ({**LIST, "from": "2021-06-01T10:00:00"}, "badArgument"),
        ({**LIST, "from": "2022-01-01", "until": "2021-01-01"}, "badArgument"),
        ({**LIST, "from": "2021-01-01", "until": "2022-01-01T00:00:00Z"}, "badArgument"),
        ({**LIST, "resumptionToken": "abc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": LIVE_ID, "metadataPrefix": "lom"},
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:elsewhere:1", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "oai:elsewhere:1"}, "idDoesNotExist"),
        ({**LIST, "set": "sdg:99"}, "noRecordsMatch"),
        ({**LIST, "from": "2030-01-01"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
    ],
)
def test_error_codes(client: httpx.Client, server: DemoServer, params: object, code: str) -> None:
    root = get(client, server, params)
    assert error_code(root) == code
    assert root.find("oai:ListRecords", NS) is None
    request = root.find("oai:request", NS)
    assert request is not None and request.text == server.base_url
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # the spec forbids echoing arguments here


def first_token(client: httpx.Client, server: DemoServer) -> str:
    root = get(client, server, LIST)
    token = root.findtext("oai:ListRecords/oai:resumptionToken", namespaces=NS)
    assert token
    return token


def test_tampered_resumption_token_is_rejected(client: httpx.Client, server: DemoServer) -> None:
    token = first_token(client, server)
    payload, _, signature = token.partition(".")
    state = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    state["o"] = 0  # ask for the first page again, keeping the old signature
    forged = base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")
    flipped = token[:-1] + ("0" if token[-1] != "0" else "1")

    for bad in (f"{forged}.{signature}", flipped, payload, token + "x"):
        root = get(client, server, {"verb": "ListRecords", "resumptionToken": bad})
        assert error_code(root) == "badResumptionToken", bad
    root = get(client, server, {"verb": "ListIdentifiers", "resumptionToken": token})
    assert error_code(root) == "badResumptionToken"  # a ListRecords token, not ours
    root = get(client, server, {"verb": "ListRecords", "resumptionToken": token})
    assert error_code(root) is None  # the untouched token still works


def test_tokens_survive_a_server_restart() -> None:
    with DemoServer(page_size=50) as first:
        token = httpx.get(first.base_url, params=LIST).text
        token = etree.fromstring(token.encode(), STRICT).findtext(
            "oai:ListRecords/oai:resumptionToken", namespaces=NS
        )
    with DemoServer(page_size=50) as second:
        root = etree.fromstring(
            httpx.get(
                second.base_url, params={"verb": "ListRecords", "resumptionToken": token}
            ).content,
            STRICT,
        )
        assert error_code(root) is None
        assert len(root.findall("oai:ListRecords/oai:record", NS)) == 50


# ---------------------------------------------------------------------- HTTP
def without_response_date(body: bytes) -> bytes:
    return re.sub(rb"<responseDate>[^<]*</responseDate>", b"", body)


@pytest.mark.parametrize(
    "params",
    [
        {"verb": "Identify"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "lang:ar"},
        {"verb": "GetRecord", "identifier": DELETED_ID, "metadataPrefix": "oai_dc"},
        {"verb": "Nope"},
    ],
)
def test_post_answers_like_get(client: httpx.Client, server: DemoServer, params: dict) -> None:
    by_get = client.get(server.base_url, params=params)
    by_post = client.post(server.base_url, data=params)
    assert by_post.status_code == 200
    assert by_post.headers["content-type"] == "text/xml; charset=utf-8"
    assert without_response_date(by_post.content) == without_response_date(by_get.content)


def test_post_with_another_content_type_is_refused(
    client: httpx.Client, server: DemoServer
) -> None:
    response = client.post(
        server.base_url,
        content=b'{"verb": "Identify"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 415


def test_keep_alive_serves_several_requests_on_one_connection(server: DemoServer) -> None:
    url = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        for verb in ("Identify", "ListSets", "Identify"):
            connection.request("GET", f"{url.path}?verb={verb}")
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200
            assert int(response.headers["Content-Length"]) == len(body)
            assert response.headers.get("Connection", "").lower() != "close"
    finally:
        connection.close()


def test_unknown_path_is_404_and_requests_are_counted(
    client: httpx.Client, server: DemoServer
) -> None:
    before = server.requests
    assert client.get(server.base_url.replace("/oai", "/other")).status_code == 404
    client.get(server.base_url, params={"verb": "Identify"})
    assert server.requests == before + 2


def test_day_granularity_repository() -> None:
    records = RECORDS[:30]
    with (
        DemoServer(records, page_size=7, granularity="YYYY-MM-DD") as day_server,
        httpx.Client(timeout=10) as http,
    ):
        root = get(http, day_server, {"verb": "Identify"})
        assert root.findtext("oai:Identify/oai:granularity", namespaces=NS) == "YYYY-MM-DD"
        earliest = root.findtext("oai:Identify/oai:earliestDatestamp", namespaces=NS)
        assert earliest == min(r["datestamp"] for r in records)[:10]
        seconds = get(http, day_server, {**LIST, "from": "2021-01-01T00:00:00Z"})
        assert error_code(seconds) == "badArgument"
        pages, items = harvest(http, day_server)
        assert len(items) == 30 and len(pages) == 5
        stamps = [i.findtext("oai:header/oai:datestamp", namespaces=NS) for i in items]
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", s or "") for s in stamps)


def test_small_list_has_no_resumption_token() -> None:
    with DemoServer(RECORDS[:5], page_size=50) as small, httpx.Client(timeout=10) as http:
        root = get(http, small, LIST)
        assert len(root.findall("oai:ListRecords/oai:record", NS)) == 5
        assert root.find("oai:ListRecords/oai:resumptionToken", NS) is None


def test_stopped_server_refuses_connections() -> None:
    demo = DemoServer(RECORDS[:3]).start()
    base_url = demo.base_url
    assert httpx.get(base_url, params={"verb": "Identify"}).status_code == 200
    demo.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url, params={"verb": "Identify"})
    with pytest.raises(RuntimeError):
        _ = demo.base_url


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # sickle's own regex literal
def test_sickle_harvests_everything(server: DemoServer) -> None:
    """Cross-check with an independent OAI-PMH client."""
    from sickle import Sickle

    records = list(
        Sickle(server.base_url).ListRecords(metadataPrefix="oai_dc", ignore_deleted=False)
    )
    assert len(records) == len(RECORDS)
    assert Counter(r.deleted for r in records)[True] == sum(r["deleted"] for r in RECORDS)
