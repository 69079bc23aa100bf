"""Strict parsing of real OAI-PMH pages (and hostile ones) without HTTP."""

from __future__ import annotations

import pickle
import time

import pytest
from lxml import etree

from harvesters.oai import (
    BadArgument,
    BadResumptionToken,
    HarvestError,
    HTTPStatusError,
    IdDoesNotExist,
    NoRecordsMatch,
    NotOAIResponse,
    OAIError,
    XMLParseError,
    oai_error_for,
    parse_get_record,
    parse_identify,
    parse_list_page,
    parse_list_sets_page,
    parse_metadata_formats,
    parse_oai,
    safe_xml_parser,
)
from tests.support.corpus import corpus_path

OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
ZENODO = ("zenodo-oaipmh-scythe", "extracted")
SCRAPI = ("scrapi-vcr", "extracted")


def read(*parts: str) -> bytes:
    return corpus_path(*parts).read_bytes()


def oai_page(inner: str, *, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        f"<responseDate>2026-01-01T00:00:00Z</responseDate>{inner}</OAI-PMH>"
    ).encode()


def one_record(identifier: str = "oai:x:1", metadata: str = "") -> str:
    return (
        f"<ListRecords><record><header><identifier>{identifier}</identifier>"
        f"<datestamp>2026-01-01</datestamp></header>{metadata}</record></ListRecords>"
    )


# ----------------------------------------------------------------- real list pages

LIST_PAGES = [
    # path, verb, items, deleted, first id, last id, token prefix (None = last page),
    # completeListSize, cursor
    (
        (*ZENODO, "list_records", "01_ListRecords_oai_dc.xml"), "ListRecords", 50, 0,
        "oai:zenodo.org:20510666", "oai:zenodo.org:20619984",
        ".eJyNjtFugjAYhd_lv8alLSqDxAvd", 1345244, 0,
    ),
    (
        (*ZENODO, "list_records", "05_ListRecords_datacite.xml"), "ListRecords", 50, 0,
        "oai:zenodo.org:8435696", "oai:zenodo.org:8433919",
        ".eJyNjkFPgzAYQP_LdyZmLTCFZAem", 8091746, 0,
    ),
    (
        (*ZENODO, "list_records", "10_ListRecords_resumption.xml"), "ListRecords", 3, 1,
        "oai:zenodo.org:8433364", "oai:zenodo.org:8321258",
        ".eJwlzEuOgjAAANC7dG0mLeAMkMwCRmlEqYLSQjemUBRtFRSMROPd5", 8091628, 50,
    ),
    (
        (*ZENODO, "list_identifiers", "06_ListIdentifiers_oai_dc.xml"), "ListIdentifiers", 3, 1,
        "oai:zenodo.org:8435696", "oai:zenodo.org:8433301",
        ".eJyNzt1ugjAYgOF76bFZCitzkHig", 8084640, 0,
    ),
    (
        (*SCRAPI, "calpoly", "01_ListRecords_oai_dc.xml"), "ListRecords", 100, 0,
        "oai:works.bepress.com:ralaniz-1017",
        "oai:digitalcommons.calpoly.edu:studentnewspaper-1149",
        "374206/oai_dc/100/2015-03-10/2015-03-11", 208, 0,
    ),
    (
        (*SCRAPI, "calpoly", "03_ListRecords_resumption.xml"), "ListRecords", 8, 0,
        "oai:digitalcommons.calpoly.edu:studentnewspaper-1217",
        "oai:digitalcommons.calpoly.edu:studentnewspaper-1272", None, 208, 200,
    ),
    (
        (*SCRAPI, "spdataverse", "01_ListRecords_oai_dc.xml"), "ListRecords", 10, 9,
        "hdl:10864/10535", "hdl:10864/10836", "1429887886829_null:10:null:oai_dc", 19, 0,
    ),
    (
        (*SCRAPI, "spdataverse", "02_ListRecords_resumption.xml"), "ListRecords", 9, 6,
        "hdl:10864/10842", "hdl:10864/10949", None, None, None,
    ),
    (
        (*SCRAPI, "asu", "01_ListRecords_oai_dc.xml"), "ListRecords", 50, 1,
        "item:28146", "item:1553", "cursor%3D50%26from_%3D2015-03-10T00%253A00%253A00Z", None, None,
    ),
    (
        (*SCRAPI, "mla", "13_ListRecords_resumption.xml"), "ListRecords", 19, 0,
        "https://commons.mla.org/deposits/item/mla:677",
        "https://commons.mla.org/deposits/item/mla:719",
        "oai_dc.f(2016-05-25T00:00:00Z).u(2016-05-27T00:00:00Z):325", None, None,
    ),
    (
        (*SCRAPI, "lshtm", "01_ListRecords_oai_dc.xml"), "ListRecords", 98, 1,
        "oai:researchonline.lshtm.ac.uk:407", "oai:researchonline.lshtm.ac.uk:2331764",
        None, None, None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("parts", "verb", "n", "deleted", "first", "last", "token", "size", "cursor"),
    LIST_PAGES,
    ids=["/".join(p[0][-2:]) for p in LIST_PAGES],
)
def test_real_list_pages(parts, verb, n, deleted, first, last, token, size, cursor):
    content = read(*parts)
    part = parse_list_page(parse_oai(content, url="file"), verb=verb)
    items, got_token, got_size, got_cursor, response_date = part
    assert len(items) == n
    assert sum(item.deleted for item in items) == deleted
    assert (items[0].identifier, items[-1].identifier) == (first, last)
    if token is None:
        assert got_token is None
    else:
        assert got_token is not None and got_token.startswith(token)
    assert (got_size, got_cursor) == (size, cursor)
    assert response_date
    if verb == "ListIdentifiers":
        assert all(item.metadata is None for item in items)


def test_empty_last_token_is_none_but_marked_present():
    part = parse_list_page(
        parse_oai(read(*SCRAPI, "calpoly", "03_ListRecords_resumption.xml"), url="file"),
        verb="ListRecords",
    )
    assert part.resumption_token is None
    assert part.token_element_present


def test_record_raw_is_a_standalone_document_with_its_namespaces():
    content = read(*ZENODO, "list_records", "01_ListRecords_oai_dc.xml")
    items = parse_list_page(parse_oai(content, url="file"), verb="ListRecords").items
    first = items[0]
    assert first.metadata is not None and first.metadata.tag == OAI_DC
    assert first.set_specs == ["software"]
    again = etree.fromstring(first.raw, safe_xml_parser())
    assert again.tag == "{http://www.openarchives.org/OAI/2.0/}record"
    # xsi is declared on the page root only; the kept record must still carry it
    assert b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' in first.raw
    assert again.findtext(".//{http://purl.org/dc/elements/1.1/}identifier").endswith("20510666")
    assert not first.raw.endswith(b"\n")  # no tail text of the page around it


def test_deleted_header_without_metadata_and_deleted_record_that_still_has_metadata():
    deleted_asu = [
        item
        for item in parse_list_page(
            parse_oai(read(*SCRAPI, "asu", "01_ListRecords_oai_dc.xml"), url="f"),
            verb="ListRecords",
        ).items
        if item.deleted
    ]
    assert [(d.identifier, d.metadata) for d in deleted_asu] == [("item:28167", None)]
    # Zenodo sends metadata for a deleted record; it is kept, the deleted flag stands.
    zenodo = parse_list_page(
        parse_oai(read(*ZENODO, "list_records", "10_ListRecords_resumption.xml"), url="f"),
        verb="ListRecords",
    ).items[0]
    assert zenodo.deleted and zenodo.metadata is not None and zenodo.metadata.tag == OAI_DC


def test_any_metadata_prefix_dif():
    item = parse_list_page(
        parse_oai(read(*SCRAPI, "ncar", "01_ListRecords_dif.xml"), url="f"), verb="ListRecords"
    ).items[0]
    assert item.metadata.tag == "{http://gcmd.gsfc.nasa.gov/Aboutus/xml/dif/}DIF"


def test_get_record_datacite():
    item = parse_get_record(
        parse_oai(read(*ZENODO, "get_record", "02_GetRecord_datacite.xml"), url="f")
    )
    assert item.identifier == "oai:zenodo.org:10357859"
    assert item.set_specs == ["software", "user-rdmo"]
    assert item.metadata.tag == "{http://datacite.org/schema/kernel-4}resource"


def test_list_sets_page():
    part = parse_list_sets_page(parse_oai(read(*ZENODO, "list_sets", "01_ListSets.xml"), url="f"))
    assert len(part.items) == 5
    assert part.complete_list_size == 42068
    assert part.resumption_token.startswith("eyJzZWVkIjowLjMyOTUxMjIzOTg3")
    first = part.items[0]
    assert (first.spec, first.name) == ("user-harmonic-radar", "Harmonic Radar")
    description = etree.fromstring(first.description_raw, safe_xml_parser())
    assert "Radar using a non-linear element" in "".join(description.itertext())
    assert part.items[1].description_raw is None


def test_identify_with_description():
    identify = parse_identify(parse_oai(read(*ZENODO, "identify", "02_Identify.xml"), url="f"))
    assert identify.repository_name == "repository.prod"
    assert identify.base_url == "https://www.e-periodica.ch/oai/dataprovider"
    assert identify.admin_emails == ["webmaster@e-periodica.ch"]
    assert (identify.granularity, identify.deleted_record) == ("YYYY-MM-DDThh:mm:ssZ", "no")
    assert identify.response_date == "2026-08-10T08:56:31Z"
    assert len(identify.descriptions) == 1
    assert b"<repositoryIdentifier>agora</repositoryIdentifier>" in identify.descriptions[0]


def test_metadata_formats():
    formats = parse_metadata_formats(
        parse_oai(read(*ZENODO, "list_metadata_formats", "01_ListMetadataFormats.xml"), url="f")
    )
    assert len(formats) == 8
    by_prefix = {f.prefix: f for f in formats}
    assert by_prefix["oai_dc"].namespace == "http://www.openarchives.org/OAI/2.0/oai_dc/"
    assert by_prefix["datacite"].namespace == "http://datacite.org/schema/kernel-4"


# ----------------------------------------------------------------- OAI errors

ERROR_FILES = [
    ((*ZENODO, "list_records", "03_ListRecords_oai_dc.xml"), NoRecordsMatch),
    ((*ZENODO, "list_records", "04_ListRecords_XXX.xml"), BadArgument),
    ((*ZENODO, "list_records", "07_ListRecords_oai_dc.xml"), NoRecordsMatch),
    ((*ZENODO, "list_records", "11_ListRecords_resumption.xml"), BadResumptionToken),
    ((*ZENODO, "list_identifiers", "04_ListIdentifiers_XXX.xml"), BadArgument),
    ((*ZENODO, "list_identifiers", "11_ListIdentifiers_resumption.xml"), BadResumptionToken),
    ((*ZENODO, "list_sets", "02_ListSets_resumption.xml"), BadResumptionToken),
    ((*ZENODO, "get_record", "01_GetRecord_XXX.xml"), BadArgument),
    ((*ZENODO, "id_does_not_exist", "01_GetRecord_oai_dc.xml"), IdDoesNotExist),
    ((*ZENODO, "list_metadata_formats", "03_ListMetadataFormats.xml"), IdDoesNotExist),
    ((*SCRAPI, "mla", "14_ListRecords_resumption.xml"), NoRecordsMatch),
]


@pytest.mark.parametrize(
    ("parts", "error_class"), ERROR_FILES, ids=["/".join(p[-2:]) for p, _ in ERROR_FILES]
)
def test_oai_error_files_raise_the_typed_error(parts, error_class):
    content = read(*parts)
    with pytest.raises(error_class) as caught:
        parse_oai(content, url="https://example.org/oai?verb=X")
    error = caught.value
    assert error.code == error_class.oai_code
    assert error.url == "https://example.org/oai?verb=X"
    assert error.body == content


def test_http_422_with_an_oai_error_body_is_that_oai_error():
    content = read(*ZENODO, "list_records", "04_ListRecords_XXX.xml")
    with pytest.raises(BadArgument) as caught:
        parse_oai(content, url="u", http_status=422)
    assert caught.value.message == "metadataPrefix does not exist"


def test_unknown_oai_error_code_and_several_errors():
    page = oai_page('<error code="tooBusy">later</error><error code="badVerb">no</error>')
    with pytest.raises(OAIError) as caught:
        parse_oai(page, url="u")
    assert type(caught.value) is OAIError
    assert caught.value.code == "tooBusy"
    assert "badVerb" in caught.value.message
    assert type(oai_error_for("noSetHierarchy", "m", None, None)).__name__ == "NoSetHierarchy"


def test_non_2xx_without_oai_error_is_http_error_with_body():
    with pytest.raises(HTTPStatusError) as caught:
        parse_oai(b"<html><body>Bad gateway</body></html>", url="u", http_status=502)
    assert (caught.value.status, caught.value.code) == (502, "http_error")
    assert caught.value.body == b"<html><body>Bad gateway</body></html>"
    with pytest.raises(HTTPStatusError):
        parse_oai(oai_page(one_record()), url="u", http_status=503)


# ----------------------------------------------------------------- not OAI at all


def test_html_page_is_not_oai():
    content = read(*ZENODO, "identify", "01_Identify.html")
    with pytest.raises(NotOAIResponse) as caught:
        parse_oai(content, url="https://httpbun.com/html?verb=Identify", content_type="text/html")
    assert caught.value.reason == "HTML page"
    assert caught.value.body == content
    assert "https://httpbun.com/html?verb=Identify" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        (b"", None, "empty body"),
        (b" \r\n\t", "text/xml", "empty body"),
        (b'\xef\xbb\xbf{"error": "nope"}', "application/json", "JSON"),
        (b"[1, 2]", None, "JSON"),
        (b"Service temporarily unavailable", "text/plain", "wrong content type text/plain"),
        (b"Service temporarily unavailable", None, "body is not XML"),
        (b"<?xml version='1.0'?><!-- hi --><HTML><body>login</body></HTML>", None, "HTML page"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', None, "HTML page"),
        (b'<foo xmlns="urn:x"/>', None, "root element is {urn:x}foo"),
        (b"<OAI-PMH/>", None, "root element is OAI-PMH"),  # no OAI namespace
    ],
)
def test_not_oai_reasons(content, content_type, reason):
    with pytest.raises(NotOAIResponse) as caught:
        parse_oai(content, url="u", content_type=content_type)
    assert caught.value.reason == reason
    assert caught.value.code == "not_oai_response"


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        (("scrapi-vcr", "extracted", "stepic", "01_noverb.json"), "JSON"),
        (("oersi-etl-hoou", "hoou-sitemap.xml"),
         "root element is {http://www.sitemaps.org/schemas/sitemap/0.9}urlset"),
        (("oersi-etl-duepublico-oer", "duepub-metafacture.xml"), "root element is harvest"),
    ],
)  # fmt: skip
def test_real_non_oai_documents(parts, reason):
    with pytest.raises(NotOAIResponse) as caught:
        parse_oai(read(*parts), url="u")
    assert caught.value.reason == reason


def test_truncated_page_is_an_xml_parse_error_with_position():
    content = read(*SCRAPI, "calpoly", "01_ListRecords_oai_dc.xml")
    truncated = content[: len(content) // 2]
    with pytest.raises(XMLParseError) as caught:
        parse_oai(truncated, url="https://example.org/oai?verb=ListRecords")
    message = str(caught.value)
    assert message.startswith("xml_parse_error: not well-formed XML")
    assert "line " in message and "column " in message
    assert caught.value.body == truncated


def test_undeclared_entity_is_a_parse_error():
    with pytest.raises(XMLParseError):
        parse_oai(oai_page(one_record("oai:x:&nbsp;1")), url="u")


def test_list_page_without_the_verb_element_or_with_broken_records():
    identify = parse_oai(read(*ZENODO, "identify", "03_Identify.xml"), url="u")
    with pytest.raises(NotOAIResponse, match="without <ListRecords>"):
        parse_list_page(identify, verb="ListRecords")
    no_header = parse_oai(oai_page("<ListRecords><record/></ListRecords>"), url="u")
    with pytest.raises(NotOAIResponse, match="has no <header>"):
        parse_list_page(no_header, verb="ListRecords")
    no_identifier = parse_oai(oai_page(one_record(identifier=" ")), url="u")
    with pytest.raises(NotOAIResponse, match="has no <identifier>"):
        parse_list_page(no_identifier, verb="ListRecords")
    two_metadata = parse_oai(
        oai_page(one_record(metadata='<metadata><a xmlns="urn:a"/><b xmlns="urn:b"/></metadata>')),
        url="u",
    )
    (item,) = parse_list_page(two_metadata, verb="ListRecords").items  # one record, not a page
    assert item.metadata.tag == "{urn:a}metadata" and len(item.metadata) == 2
    assert [w.code for w in item.warnings] == ["unwrapped_metadata"]
    rootless_dc = parse_oai(
        oai_page(
            one_record(
                metadata='<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
                "<dc:title>T</dc:title><dc:creator>C</dc:creator></metadata>"
            )
        ),
        url="u",
    )
    (item,) = parse_list_page(rootless_dc, verb="ListRecords").items
    assert item.metadata.tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
    empty = parse_oai(oai_page(one_record(metadata="<metadata/>")), url="u")
    (item,) = parse_list_page(empty, verb="ListRecords").items
    assert item.metadata is None and [w.code for w in item.warnings] == ["empty_metadata"]
    bad_size = parse_oai(
        oai_page('<ListRecords><resumptionToken completeListSize="many">t</resumptionToken>'
                 "</ListRecords>"),
        url="u",
    )  # fmt: skip
    with pytest.raises(NotOAIResponse, match="completeListSize"):
        parse_list_page(bad_size, verb="ListRecords")


# ----------------------------------------------------------------- hostile XML


def test_xxe_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    payload = oai_page(
        one_record("oai:x:&e;"),
        prolog=f'<!DOCTYPE OAI-PMH [<!ENTITY e SYSTEM "file://{secret}">]>',
    )
    # the bare parser leaves the reference unexpanded...
    root = etree.fromstring(payload, safe_xml_parser())
    assert b"TOP-SECRET" not in etree.tostring(root)
    # ...and parse_oai refuses the document rather than drop the entity's text silently
    with pytest.raises(XMLParseError, match="not expanded") as caught:
        parse_oai(payload, url="u")
    assert "TOP-SECRET" not in str(caught.value)


def test_etc_passwd_xxe_does_not_leak():
    payload = oai_page(
        "<ListRecords><record><header><identifier>&e;</identifier>"
        "<datestamp>2026-01-01</datestamp></header></record></ListRecords>",
        prolog='<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    )
    root = etree.fromstring(payload, safe_xml_parser())
    assert b"root:" not in etree.tostring(root)
    with pytest.raises(XMLParseError):
        parse_oai(payload, url="u")


def test_billion_laughs_does_not_expand_and_finishes_quickly():
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    payload = oai_page(
        "<ListRecords><record><header><identifier>&lol9;</identifier>"
        "<datestamp>2026-01-01</datestamp></header></record></ListRecords>",
        prolog=f"<!DOCTYPE OAI-PMH [{''.join(levels)}]>",
    )
    started = time.perf_counter()
    with pytest.raises(XMLParseError):
        parse_oai(payload, url="u")
    assert time.perf_counter() - started < 2.0


def test_doctype_without_entities_is_accepted():
    root = parse_oai(oai_page(one_record(), prolog="<!DOCTYPE OAI-PMH>"), url="u")
    assert parse_list_page(root, verb="ListRecords").items[0].identifier == "oai:x:1"


def test_text_node_over_ten_megabytes_parses():
    big = "x" * (11 * 1024 * 1024)
    metadata = (
        '<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>{big}</dc:description>'
        "</oai_dc:dc></metadata>"
    )
    item = parse_list_page(parse_oai(oai_page(one_record(metadata=metadata)), url="u"),
                           verb="ListRecords").items[0]  # fmt: skip
    assert len(item.metadata[0].text) == len(big)


# ----------------------------------------------------------------- the errors themselves


def test_error_str_is_one_line_naming_the_url_and_errors_pickle():
    error = NotOAIResponse("HTML page", url="https://h/oai?x=1", body=b"<html>", detail="a\nb")
    assert str(error) == "not_oai_response: HTML page: a b [https://h/oai?x=1]"
    for original in (
        error,
        HTTPStatusError("boom", status=500, url="u", body=b"b"),
        oai_error_for("badArgument", "bad", "u", b"body"),
        oai_error_for("weirdCode", "odd", "u", None),
    ):
        copy = pickle.loads(pickle.dumps(original))
        assert type(copy) is type(original)
        assert (str(copy), copy.code, copy.url, copy.body) == (
            str(original), original.code, original.url, original.body
        )  # fmt: skip
        assert isinstance(copy, HarvestError)
    assert pickle.loads(pickle.dumps(HTTPStatusError("x", status=418))).status == 418


# ----------------------------------------------------------------- no network from the parser


@pytest.fixture
def listener():
    """A local HTTP server that counts every request made to it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b'<!ENTITY leak "LEAKED-FROM-NETWORK">'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE OAI-PMH SYSTEM "{origin}/external.dtd">',
        '<!DOCTYPE OAI-PMH [<!ENTITY % remote SYSTEM "{origin}/param.dtd"> %remote;]>',
        '<!DOCTYPE OAI-PMH [<!ENTITY leak SYSTEM "{origin}/entity.txt">]>',
    ],
    ids=["external-dtd", "parameter-entity", "external-entity"],
)
def test_the_parser_never_touches_the_network(listener, prolog: str) -> None:
    from harvesters.oai import parse_document

    origin, hits = listener
    identifier = "&leak;" if "entity.txt" in prolog else "oai:x:1"
    payload = oai_page(one_record(identifier), prolog=prolog.format(origin=origin))
    for parse in (parse_oai, parse_document):
        try:
            result = parse(payload, url="u")
        except XMLParseError as exc:
            assert "LEAKED" not in str(exc)
        else:
            root = result if isinstance(result, etree._Element) else result.root
            assert b"LEAKED" not in etree.tostring(root)
    assert hits == []


def test_quadratic_blowup_is_not_expanded() -> None:
    big = "x" * 100_000
    payload = oai_page(
        one_record("oai:x:" + "&a;" * 10_000), prolog=f'<!DOCTYPE OAI-PMH [<!ENTITY a "{big}">]>'
    )
    started = time.perf_counter()
    with pytest.raises(XMLParseError, match=r"not expanded|amplification"):
        parse_oai(payload, url="u")
    assert time.perf_counter() - started < 2.0


# ----------------------------------------------------------------- illegal characters


def test_parse_oai_stays_strict_and_parse_document_cleans() -> None:
    from harvesters.oai import parse_document, read_list_page

    page = oai_page(one_record(metadata='<metadata><t xmlns="urn:t">a\x0bb</t></metadata>'))
    with pytest.raises(XMLParseError, match="invalid Char value 11"):
        parse_oai(page, url="u")
    document = parse_document(page, url="u", content_type="text/xml")
    assert document.content == page.replace(b"\x0b", b"")
    assert [r.codepoint for r in document.removals] == [11]
    (item,) = read_list_page(document, "ListRecords").items
    assert item.metadata.text == "ab" and item.warnings[0].codepoints == (11,)
    assert [w.code for w in parse_document(page, url="u").warnings] == ["unexpected_content_type"]


def test_a_page_that_is_broken_besides_its_illegal_character_keeps_the_raw_body() -> None:
    from harvesters.oai import parse_document

    page = oai_page(one_record(metadata='<metadata><t xmlns="urn:t">a\x0b & b</t></metadata>'))
    with pytest.raises(XMLParseError) as caught:
        parse_document(page, url="u")
    assert caught.value.body == page  # as received, not the cleaned bytes
    assert "1 XML-illegal character removed before parsing: U+000B" in str(caught.value)


def test_removals_are_attributed_past_nested_records_of_the_same_name() -> None:
    from harvesters.oai import parse_document, read_list_page

    marc = '<metadata><record xmlns="http://www.loc.gov/MARC21/slim"><leader>x{c}</leader></record></metadata>'
    records = "".join(
        f"<record><header><identifier>oai:x:{n}</identifier><datestamp>2026-01-01</datestamp>"
        f"</header>{marc.format(c=chr(12) if n == 3 else '')}</record>"
        for n in range(1, 5)
    )
    page = oai_page(f"<ListRecords>{records}</ListRecords>")
    part = read_list_page(parse_document(page, url="u", content_type="text/xml"), "ListRecords")
    assert [bool(i.warnings) for i in part.items] == [False, False, True, False]
    assert part.warnings == []


def test_unattributable_removals_go_to_the_page() -> None:
    from harvesters.oai import parse_document, read_list_page

    page = oai_page(
        "<ListRecords><!-- <record> --><record><header><identifier>oai:x:1</identifier>"
        "<datestamp>2026-01-01\x01</datestamp></header></record></ListRecords>"
    )
    part = read_list_page(parse_document(page, url="u", content_type="text/xml"), "ListRecords")
    assert part.items[0].warnings == [] and part.items[0].datestamp == "2026-01-01"
    assert [w.code for w in part.warnings] == ["illegal_xml_char"]


def test_only_ascii_compatible_encodings_are_byte_scanned() -> None:
    from harvesters.oai import strip_illegal_chars

    latin1 = b'<?xml version="1.0" encoding="ISO-8859-1"?><a>\xef\xbf\xbe\x0b</a>'
    clean, removals = strip_illegal_chars(latin1)
    assert clean == latin1.replace(b"\x0b", b"") and [r.codepoint for r in removals] == [11]
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><a>\x0b</a>'.encode("utf-16")
    assert strip_illegal_chars(utf16) == (utf16, [])
    legal = b"<a>&#9;&#10;&#13;&#38;&#xE9;&#x1F600;&#xD7FF;&#xFFFD;&#1114111;</a>"
    assert strip_illegal_chars(legal) == (legal, [])
