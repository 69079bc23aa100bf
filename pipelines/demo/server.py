"""A small, complete OAI-PMH 2.0 server over the bundled demo records.

`oer demo` harvests it with no network, and tests use it as a real local endpoint:

    with DemoServer(page_size=50) as server:
        harvest(server.base_url)

Resumption tokens are stateless: the query and offset as urlsafe base64 JSON, plus a
signature over the data set, so a tampered or foreign token is a badResumptionToken.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lxml import etree

DATA_FILE = Path(__file__).parent / "data" / "demo_records.jsonl"

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DAY_GRANULARITY = "YYYY-MM-DD"
SECONDS_GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
SECONDS_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
OAI_IDENTIFIER_PATTERN = re.compile(r"oai:([A-Za-z][A-Za-z0-9-]*(?:\.[A-Za-z][A-Za-z0-9-]*)+):.+")

# The fifteen Dublin Core elements, in the order oai_dc.xsd lists them.
DC_ELEMENTS = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
)
METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS)}
LIST_VERBS = ("ListIdentifiers", "ListRecords")
# verb -> (required arguments, optional arguments); resumptionToken is exclusive.
VERB_ARGUMENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "ListIdentifiers": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
    "ListRecords": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
}

SDG_NAMES = {
    1: "No poverty",
    2: "Zero hunger",
    3: "Good health and well-being",
    4: "Quality education",
    5: "Gender equality",
    6: "Clean water and sanitation",
    7: "Affordable and clean energy",
    8: "Decent work and economic growth",
    9: "Industry, innovation and infrastructure",
    10: "Reduced inequalities",
    11: "Sustainable cities and communities",
    12: "Responsible consumption and production",
    13: "Climate action",
    14: "Life below water",
    15: "Life on land",
    16: "Peace, justice and strong institutions",
    17: "Partnerships for the goals",
}
TOP_SET_NAMES = {
    "type": "Resource types",
    "lang": "Languages of the resources",
    "sdg": "UN Sustainable Development Goals",
    "area": "Action areas of the 2019 UNESCO Recommendation on OER",
}


def load_sample(path: Path | None = None) -> list[dict]:
    """The demo records, one dict per line of the JSON Lines file (default: the bundled one)."""
    with (path or DATA_FILE).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ListQuery:
    verb: str
    metadata_prefix: str
    from_: str | None = None
    until: str | None = None
    set_spec: str | None = None


def parse_datestamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def format_datestamp(moment: datetime, granularity: str) -> str:
    pattern = "%Y-%m-%d" if granularity == DAY_GRANULARITY else "%Y-%m-%dT%H:%M:%SZ"
    return moment.strftime(pattern)


def parse_date_argument(name: str, value: str, granularity: str) -> tuple[datetime, bool]:
    """A from/until argument as a UTC datetime, and whether it was given at day granularity."""
    is_day = DAY_PATTERN.fullmatch(value) is not None
    if not is_day and SECONDS_PATTERN.fullmatch(value) is None:
        raise OAIError("badArgument", f"{name} is not a UTC datestamp: {value!r}")
    if not is_day and granularity == DAY_GRANULARITY:
        raise OAIError("badArgument", f"{name} is finer than the repository granularity")
    try:
        moment = datetime.strptime(value, "%Y-%m-%d" if is_day else "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise OAIError("badArgument", f"{name} is not a valid date: {value!r}") from None
    return moment.replace(tzinfo=UTC), is_day


def in_set(record_sets: Iterable[str], set_spec: str) -> bool:
    """Membership with hierarchy: a record in `sdg:04` is also in `sdg`."""
    return any(spec == set_spec or spec.startswith(set_spec + ":") for spec in record_sets)


def set_name(spec: str) -> str:
    if spec in TOP_SET_NAMES:
        return TOP_SET_NAMES[spec]
    parent, _, leaf = spec.rpartition(":")
    if parent == "sdg" and leaf.isdigit() and int(leaf) in SDG_NAMES:
        return f"SDG {int(leaf)}: {SDG_NAMES[int(leaf)]}"
    if parent == "lang":
        return f"Language: {leaf}"
    if parent == "type":
        return f"Resource type: {leaf.replace('-', ' ')}"
    if parent == "area":
        return f"Action area: {leaf.replace('-', ' ')}"
    return spec


def all_set_specs(records: Iterable[dict]) -> list[str]:
    """Every setSpec in the data plus each ancestor of the hierarchy."""
    specs: set[str] = set()
    for record in records:
        for spec in record.get("sets", []):
            parts = spec.split(":")
            specs.update(":".join(parts[: depth + 1]) for depth in range(len(parts)))
    return sorted(specs)


class OAIRepository:
    """The OAI-PMH protocol over a list of records, without any HTTP: params in, XML out."""

    def __init__(
        self,
        records: list[dict],
        *,
        page_size: int = 50,
        repository_name: str = "oer-pipeline demo repository",
        granularity: str = SECONDS_GRANULARITY,
        admin_email: str = "demo@oer-pipeline.local",
        formats: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        """`formats`: metadataPrefix → (schema URL, namespace) offered besides oai_dc.

        A record's oai_dc is built from its "metadata" dict; any format (oai_dc included)
        can instead come as serialised XML in record["payloads"][prefix]. A record without
        a payload for a format other than oai_dc is not available in it (and not listed).
        """
        if granularity not in (DAY_GRANULARITY, SECONDS_GRANULARITY):
            raise ValueError(f"unknown granularity {granularity!r}")
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.records = records
        self.page_size = page_size
        self.repository_name = repository_name
        self.granularity = granularity
        self.admin_email = admin_email
        self.formats = {**METADATA_FORMATS, **(formats or {})}
        self._datestamps = [parse_datestamp(record["datestamp"]) for record in records]
        self._by_identifier = {record["identifier"]: i for i, record in enumerate(records)}
        self._set_specs = all_set_specs(records)
        fingerprint = "\n".join(f"{r['identifier']} {r['datestamp']}" for r in records)
        self._token_key = hashlib.sha256(fingerprint.encode()).digest()

    # ------------------------------------------------------------------ entry point
    def respond(self, params: dict[str, list[str]], base_url: str) -> bytes:
        """The response document for one request's (already URL-decoded) arguments."""
        root = self._envelope()
        request = etree.SubElement(root, f"{{{OAI_NS}}}request")
        request.text = base_url
        try:
            verb, arguments = self._validate(params)
            request.set("verb", verb)
            for name, value in arguments.items():
                request.set(name, value)
            root.append(self._dispatch(verb, arguments, base_url))
        except OAIError as error:
            if error.code in ("badVerb", "badArgument"):
                request.attrib.clear()  # the spec says: echo no arguments for these errors
            element = etree.SubElement(root, f"{{{OAI_NS}}}error", code=error.code)
            element.text = error.message
        return XML_DECLARATION + etree.tostring(root, encoding="UTF-8")

    def _envelope(self) -> etree._Element:
        root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
        root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
        response_date = etree.SubElement(root, f"{{{OAI_NS}}}responseDate")
        response_date.text = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return root

    def _validate(self, params: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
        verbs = params.get("verb", [])
        if len(verbs) != 1:
            raise OAIError("badVerb", "the verb argument is missing or repeated")
        verb = verbs[0]
        if verb not in VERB_ARGUMENTS:
            raise OAIError("badVerb", f"illegal verb {verb!r}")
        required, optional = VERB_ARGUMENTS[verb]
        arguments: dict[str, str] = {}
        for name, values in params.items():
            if name == "verb":
                continue
            if name not in required | optional:
                raise OAIError("badArgument", f"illegal argument {name!r} for {verb}")
            if len(values) != 1:
                raise OAIError("badArgument", f"argument {name!r} is repeated")
            if not values[0]:
                raise OAIError("badArgument", f"argument {name!r} is empty")
            arguments[name] = values[0]
        if "resumptionToken" in arguments:
            if len(arguments) > 1:
                raise OAIError("badArgument", "resumptionToken is an exclusive argument")
        elif missing := sorted(required - arguments.keys()):
            raise OAIError("badArgument", f"missing required argument(s): {', '.join(missing)}")
        return verb, arguments

    def _dispatch(self, verb: str, arguments: dict[str, str], base_url: str) -> etree._Element:
        if verb == "Identify":
            return self._identify(base_url)
        if verb == "ListMetadataFormats":
            return self._list_metadata_formats(arguments.get("identifier"))
        if verb == "ListSets":
            if "resumptionToken" in arguments:
                raise OAIError("badResumptionToken", "ListSets is answered in one response")
            return self._list_sets()
        if verb == "GetRecord":
            return self._get_record(arguments["identifier"], arguments["metadataPrefix"])
        return self._list(verb, arguments)

    # ------------------------------------------------------------------ verbs
    def _identify(self, base_url: str) -> etree._Element:
        identify = etree.Element(f"{{{OAI_NS}}}Identify")
        earliest = min(self._datestamps, default=datetime(2019, 1, 1, tzinfo=UTC))
        for name, value in (
            ("repositoryName", self.repository_name),
            ("baseURL", base_url),
            ("protocolVersion", "2.0"),
            ("adminEmail", self.admin_email),
            ("earliestDatestamp", format_datestamp(earliest, self.granularity)),
            ("deletedRecord", "persistent"),
            ("granularity", self.granularity),
        ):
            etree.SubElement(identify, f"{{{OAI_NS}}}{name}").text = value
        sample = self.records[0]["identifier"] if self.records else ""
        if match := OAI_IDENTIFIER_PATTERN.fullmatch(sample):
            identify.append(oai_identifier_description(match.group(1), sample))
        return identify

    def _list_metadata_formats(self, identifier: str | None) -> etree._Element:
        if identifier is not None:
            self._find(identifier)
        formats = etree.Element(f"{{{OAI_NS}}}ListMetadataFormats")
        for prefix, (schema, namespace) in self.formats.items():
            element = etree.SubElement(formats, f"{{{OAI_NS}}}metadataFormat")
            etree.SubElement(element, f"{{{OAI_NS}}}metadataPrefix").text = prefix
            etree.SubElement(element, f"{{{OAI_NS}}}schema").text = schema
            etree.SubElement(element, f"{{{OAI_NS}}}metadataNamespace").text = namespace
        return formats

    def _list_sets(self) -> etree._Element:
        sets = etree.Element(f"{{{OAI_NS}}}ListSets")
        for spec in self._set_specs:
            element = etree.SubElement(sets, f"{{{OAI_NS}}}set")
            etree.SubElement(element, f"{{{OAI_NS}}}setSpec").text = spec
            etree.SubElement(element, f"{{{OAI_NS}}}setName").text = set_name(spec)
        return sets

    def _get_record(self, identifier: str, metadata_prefix: str) -> etree._Element:
        self._check_format(metadata_prefix)
        index = self._find(identifier)
        if not self._available(self.records[index], metadata_prefix):
            raise OAIError(
                "cannotDisseminateFormat", f"{identifier} is not available as {metadata_prefix}"
            )
        get_record = etree.Element(f"{{{OAI_NS}}}GetRecord")
        get_record.append(self._record(index, metadata_prefix))
        return get_record

    def _list(self, verb: str, arguments: dict[str, str]) -> etree._Element:
        if "resumptionToken" in arguments:
            query, offset = self._decode_token(arguments["resumptionToken"], verb)
        else:
            query = ListQuery(
                verb,
                arguments["metadataPrefix"],
                arguments.get("from"),
                arguments.get("until"),
                arguments.get("set"),
            )
            offset = 0
            self._check_format(query.metadata_prefix)
        matches = self._matching(query)
        if not matches:
            raise OAIError("noRecordsMatch", "no records match the request")
        if offset >= len(matches):
            raise OAIError("badResumptionToken", "the resumptionToken is past the list's end")
        page = matches[offset : offset + self.page_size]
        listing = etree.Element(f"{{{OAI_NS}}}{verb}")
        for index in page:
            listing.append(
                self._header(index)
                if verb == "ListIdentifiers"
                else self._record(index, query.metadata_prefix)
            )
        next_offset = offset + len(page)
        if offset > 0 or next_offset < len(matches):
            token = etree.SubElement(
                listing,
                f"{{{OAI_NS}}}resumptionToken",
                completeListSize=str(len(matches)),
                cursor=str(offset),
            )
            if next_offset < len(matches):
                token.text = self._encode_token(query, next_offset)
        return listing

    # ------------------------------------------------------------------ selection
    def _matching(self, query: ListQuery) -> list[int]:
        after, before = self._date_window(query.from_, query.until)
        return [
            i
            for i, record in enumerate(self.records)
            if (after is None or self._datestamps[i] >= after)
            and (before is None or self._datestamps[i] < before)
            and (query.set_spec is None or in_set(record.get("sets", []), query.set_spec))
            and self._available(record, query.metadata_prefix)
        ]

    @staticmethod
    def _available(record: dict, metadata_prefix: str) -> bool:
        return (
            metadata_prefix == "oai_dc"
            or bool(record.get("deleted"))
            or metadata_prefix in record.get("payloads", {})
        )

    def _date_window(
        self, from_: str | None, until: str | None
    ) -> tuple[datetime | None, datetime | None]:
        """from/until as a half-open window [after, before); day-granular until takes the
        whole day."""
        after = before = None
        from_is_day = until_is_day = None
        if from_ is not None:
            after, from_is_day = parse_date_argument("from", from_, self.granularity)
        if until is not None:
            until_moment, until_is_day = parse_date_argument("until", until, self.granularity)
            step = timedelta(days=1) if until_is_day else timedelta(seconds=1)
            before = until_moment + step
        if from_is_day is not None and until_is_day is not None and from_is_day != until_is_day:
            raise OAIError("badArgument", "from and until have different granularities")
        if after is not None and before is not None and after >= before:
            raise OAIError("badArgument", "from is later than until")
        return after, before

    def _find(self, identifier: str) -> int:
        if identifier not in self._by_identifier:
            raise OAIError("idDoesNotExist", f"no item has the identifier {identifier!r}")
        return self._by_identifier[identifier]

    def _check_format(self, metadata_prefix: str) -> None:
        if metadata_prefix not in self.formats:
            raise OAIError(
                "cannotDisseminateFormat", f"metadataPrefix {metadata_prefix!r} is not supported"
            )

    # ------------------------------------------------------------------ tokens
    def _encode_token(self, query: ListQuery, offset: int) -> str:
        state = {
            "m": query.metadata_prefix,
            "f": query.from_,
            "u": query.until,
            "s": query.set_spec,
            "v": query.verb,
            "o": offset,
        }
        payload = (
            base64.urlsafe_b64encode(
                json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
            )
            .decode()
            .rstrip("=")
        )
        return f"{payload}.{self._sign(payload)}"

    def _decode_token(self, token: str, verb: str) -> tuple[ListQuery, int]:
        payload, _, signature = token.partition(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise OAIError("badResumptionToken", "the resumptionToken is invalid")
        try:
            state = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            query = ListQuery(state["v"], state["m"], state["f"], state["u"], state["s"])
            offset = state["o"]
        except (binascii.Error, ValueError, KeyError, TypeError):
            raise OAIError("badResumptionToken", "the resumptionToken is invalid") from None
        if query.verb != verb or not isinstance(offset, int) or offset <= 0:
            raise OAIError("badResumptionToken", f"the resumptionToken is not one for {verb}")
        return query, offset

    def _sign(self, payload: str) -> str:
        return hmac.new(self._token_key, payload.encode(), hashlib.sha256).hexdigest()[:20]

    # ------------------------------------------------------------------ records
    def _header(self, index: int) -> etree._Element:
        record = self.records[index]
        header = etree.Element(f"{{{OAI_NS}}}header")
        if record.get("deleted"):
            header.set("status", "deleted")
        etree.SubElement(header, f"{{{OAI_NS}}}identifier").text = record["identifier"]
        etree.SubElement(header, f"{{{OAI_NS}}}datestamp").text = format_datestamp(
            self._datestamps[index], self.granularity
        )
        for spec in record.get("sets", []):
            etree.SubElement(header, f"{{{OAI_NS}}}setSpec").text = spec
        return header

    def _record(self, index: int, metadata_prefix: str = "oai_dc") -> etree._Element:
        record = self.records[index]
        element = etree.Element(f"{{{OAI_NS}}}record")
        element.append(self._header(index))
        if not record.get("deleted"):
            metadata = etree.SubElement(element, f"{{{OAI_NS}}}metadata")
            payload = record.get("payloads", {}).get(metadata_prefix)
            if payload is not None:
                metadata.append(etree.fromstring(payload))
            else:
                metadata.append(oai_dc(record.get("metadata", {})))
        return element


def oai_identifier_description(repository_identifier: str, sample: str) -> etree._Element:
    """Identify's <description> stating that item identifiers follow the oai scheme."""
    description = etree.Element(f"{{{OAI_NS}}}description")
    container = etree.SubElement(
        description, f"{{{OAI_IDENTIFIER_NS}}}oai-identifier", nsmap={None: OAI_IDENTIFIER_NS}
    )
    container.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_IDENTIFIER_NS} {OAI_IDENTIFIER_SCHEMA}")
    for name, value in (
        ("scheme", "oai"),
        ("repositoryIdentifier", repository_identifier),
        ("delimiter", ":"),
        ("sampleIdentifier", sample),
    ):
        etree.SubElement(container, f"{{{OAI_IDENTIFIER_NS}}}{name}").text = value
    return description


def oai_dc(fields: dict[str, list]) -> etree._Element:
    """An `oai_dc:dc` element; values are strings or {"value", "lang"} dicts."""
    dc = etree.Element(
        f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    for name in DC_ELEMENTS:
        for value in fields.get(name, []):
            element = etree.SubElement(dc, f"{{{DC_NS}}}{name}")
            if isinstance(value, dict):
                element.text = value["value"]
                if value.get("lang"):
                    element.set(XML_LANG, value["lang"])
            else:
                element.text = value
    return dc


# ---------------------------------------------------------------------- HTTP
class _OAIHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], repository: OAIRepository, on_request: Callable[[], None]
    ) -> None:
        super().__init__(address, _OAIRequestHandler)
        self.repository = repository
        self.on_request = on_request
        self.base_url = ""


class _OAIRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries Content-Length
    timeout = 30  # idle keep-alive connections give their thread back eventually
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: _OAIHTTPServer

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self._answer(url.path, parse_qs(url.query, keep_blank_values=True))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            self.server.on_request()
            self._send(415, b"POST needs application/x-www-form-urlencoded\n", "text/plain")
            return
        self._answer(urlsplit(self.path).path, parse_qs(body, keep_blank_values=True))

    def _answer(self, path: str, params: dict[str, list[str]]) -> None:
        self.server.on_request()
        if path.rstrip("/") != "/oai":
            self._send(404, b"not found: the OAI-PMH base URL is /oai\n", "text/plain")
            return
        body = self.server.repository.respond(params, self.server.base_url)
        self._send(200, body, "text/xml")

    def _send(self, status: int, body: bytes, media_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{media_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # no request log on stderr


class DemoServer:
    """The demo repository served over HTTP on a daemon thread; use as a context manager."""

    def __init__(
        self,
        records: list[dict] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size: int = 50,
        repository_name: str = "oer-pipeline demo repository",
        granularity: str = SECONDS_GRANULARITY,
        formats: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self.repository = OAIRepository(
            load_sample() if records is None else records,
            page_size=page_size,
            repository_name=repository_name,
            granularity=granularity,
            formats=formats,
        )
        self.host = host
        self.port = port
        self._httpd: _OAIHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._requests = 0

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the demo server is not running; call start() first")
        return self._httpd.base_url

    @property
    def requests(self) -> int:
        """How many HTTP requests the server has answered so far."""
        with self._lock:
            return self._requests

    def _count_request(self) -> None:
        with self._lock:
            self._requests += 1

    def start(self) -> DemoServer:
        if self._httpd is not None:
            return self
        httpd = _OAIHTTPServer((self.host, self.port), self.repository, self._count_request)
        self.port = httpd.server_address[1]
        httpd.base_url = f"http://{self.host}:{self.port}/oai"
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"demo-oai-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the demo OAI-PMH repository.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--data", type=Path, default=None, help="a JSON Lines records file")
    parser.add_argument(
        "--granularity", choices=(SECONDS_GRANULARITY, DAY_GRANULARITY), default=SECONDS_GRANULARITY
    )
    args = parser.parse_args(argv)
    server = DemoServer(
        load_sample(args.data),
        host=args.host,
        port=args.port,
        page_size=args.page_size,
        granularity=args.granularity,
    )
    with server:
        print(f"OAI-PMH demo repository at {server.base_url}  (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
