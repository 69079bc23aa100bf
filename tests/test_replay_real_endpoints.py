"""Recorded responses of real repositories, harvested as live endpoints, as recorded and in
every realistic variant (`tests/support/variants.py`): every record lands, with a title on
every live one.

Endpoints: every OAI-PMH ListRecords chain of the shared corpus — the scrapi cassettes
(19 oai_dc repositories, NCAR's DIF), Zenodo's oai_dc chain and its single recorded pages
(datacite; oai_dc from / from+until / until / set=software) — and endpoints of our own
(pipelines.demo.server.OAIRepository, small pages) serving the DPLA MODS / qualified DC /
MARCXML records, Agrega's LOM-ES records and DuEPublico's OER MODS records.

Runs, each a `harvest_source` (full, unwindowed, as test_pipeline_corpus does) per endpoint:
- "recorded": the responses as recorded;
- "record-variants": every page holds, for each record-level variant, its version of every
  record of the recorded page, identified `<identifier>#<variant>` (one run per endpoint
  instead of one per endpoint × variant: a harvest costs ~0.2 s of DuckDB work whatever its
  size, and ~500 of them would not fit this file's minute);
- one per page-level variant (UTF-8 BOM, ISO-8859-1), whose quirk is the whole document.

Facts, per run and per endpoint × variant:
- every page asked; records_seen is the number of records in the responses;
- every identifier is in `resources`, the deleted ones deleted;
- every live record has a title, except records with no title anywhere (listed in
  `Endpoint.untitled` with the reason, or emptied by a variant): those carry missing_title;
- nothing is quarantined but the formats no crosswalk maps (DIF), kept raw in run_issues;
- the run ends with the endpoint's status (suspect where the recording stops before the
  list's end, partial where a record is in a format we do not map);
- where a variant keeps the titles' text, the titles are the recorded ones.

A variant changes responses, never how requests are matched. How the recordings are made
replayable (matching adaptations only, records untouched):
- a scrapi chain started with a from/until window: the window is dropped from the recorded
  requests and from redirect targets (purdue), and an Identify of our own added;
- asu's client sent its resumption token unencoded: the request is also matched by the
  token as the response gives it;
- Zenodo's single pages were the first pages of longer lists: served as the list's last
  page (token emptied, completeListSize kept), so the run is suspect (incomplete_list).

Harvests run two at a time (each worker its own DuckDB file, shared by all runs: every
endpoint of every run is its own source), against one replay server per run that mounts
each endpoint under /<endpoint>/<run>/.
"""

from __future__ import annotations

import gc
import queue
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import duckdb
import pytest
from lxml import etree

from pipelines.demo.server import DAY_GRANULARITY, OAIRepository
from pipelines.harvest import HarvestOptions, HarvestResult, harvest_source
from pipelines.registry import adhoc_source
from tests.support.cassettes import (
    Interaction,
    ReplayServer,
    load_cassette,
    param_key,
)
from tests.support.corpus import AGREGA_LOM_FILES, corpus_path
from tests.support.golden import fixture_items
from tests.support.replay_harvest import WINDOW_PARAMS, scrapi_chain, without_window
from tests.support.variants import (
    HARVESTER_GAPS,
    OAI_NS,
    RECORD_VARIANTS,
    VARIANTS,
    Variant,
    combined,
    dump,
    element_children,
    metadata_roots,
    oai_records,
    parse,
    varied,
)

REPLAY = HarvestOptions(mode="full", windowed=False)
T_HEADER = f"{{{OAI_NS}}}header"
T_IDENTIFIER = f"{{{OAI_NS}}}identifier"
T_METADATA = f"{{{OAI_NS}}}metadata"
T_TOKEN = f"{{{OAI_NS}}}resumptionToken"
FAILURE_CODES = ("unsupported_format", "crosswalk_error", "record_quarantined", "xml_parse_error")
WORKERS = 2

# ----------------------------------------------------------------- endpoints


@dataclass(frozen=True)
class Endpoint:
    name: str
    fmt: str  # crosswalk family of its records ("dif": none maps it)
    prefix: str
    build: Callable[[], list[Interaction]]  # the chain's interactions + an Identify
    status: str = "ok"
    sets: tuple[str, ...] = ()
    # identifier → why the record has no title anywhere (it must carry missing_title)
    untitled: dict[str, str] = field(default_factory=dict)

    @property
    def unsupported(self) -> bool:
        return self.fmt == "dif"


def _tokens(interactions: list[Interaction]) -> set[str]:
    found = set()
    for i in interactions:
        tree = parse(i.body)
        if tree is not None:
            found |= {t.text for t in tree.getroot().iter(T_TOKEN) if t.text}
    return found


def with_token_aliases(interactions: list[Interaction]) -> list[Interaction]:
    """Also match a resumption request by the token exactly as its response gave it, where
    the recording client sent it unencoded (asu: `cursor%3D50%26…` went out as is)."""
    tokens, aliases = _tokens(interactions), []
    for i in interactions:
        raw = re.search(r"[?&]resumptionToken=([^&]*)", urlsplit(i.uri).query)
        if raw and raw.group(1) in tokens and ("resumptionToken", raw.group(1)) not in i.params:
            pairs = [(k, v) for k, v in i.params if k != "resumptionToken"]
            aliases.append(
                replace(i, params=param_key([*pairs, ("resumptionToken", raw.group(1))]))
            )
    return interactions + aliases


def _unwindowed(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = urlencode([(k, v) for k, v in query if k not in WINDOW_PARAMS])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, kept, ""))


def redirects_unwindowed(interactions: list[Interaction]) -> list[Interaction]:
    """A recorded redirect points to the windowed request: point it to the unwindowed one."""
    return [
        replace(
            i,
            headers=[(n, _unwindowed(v) if n.lower() == "location" else v) for n, v in i.headers],
        )
        for i in interactions
    ]


def last_page(interaction: Interaction) -> Interaction:
    """The page served as the last of its list: its resumption token emptied."""
    tree = parse(interaction.body)
    assert tree is not None
    for token in tree.getroot().iter(T_TOKEN):
        token.text = None
    return replace(interaction, body=dump(tree))


def scrapi(name: str) -> Callable[[], list[Interaction]]:
    def build() -> list[Interaction]:
        chain = scrapi_chain(corpus_path("scrapi-vcr", f"{name}.yaml"))
        return with_token_aliases(redirects_unwindowed(chain))

    return build


ZENODO_DC_CHAIN = (5, 9, 8)  # ListRecords oai_dc, then its two resumption pages


def zenodo(*indices: int, single_page: bool = False) -> Callable[[], list[Interaction]]:
    def build() -> list[Interaction]:
        recorded = load_cassette(corpus_path("zenodo-oaipmh-scythe", "list_records.yaml"))
        identify = load_cassette(corpus_path("zenodo-oaipmh-scythe", "identify.yaml"))[2]
        chain = [recorded[n] for n in indices]
        if single_page:
            chain = without_window([last_page(i) for i in chain])
        return [*chain, identify]

    return build


# ----------------------------------------------------------------- endpoints of our own

FIXTURE_BASE = "http://fixtures.replay.test/oai"
DPLA_MODS = ("bhl", "ct", "ma-creator", "mt", "northwest-heritage", "nypl", "oklahoma")
DPLA_QDC = ("in", "il", "scdl", "ohio", "wi")
DPLA_MARC = ("gpo", "gpo_ebooks", "hathi")
DUEPUBLICO = "oersi-etl-duepublico-oer/duepub-metafacture.xml"
AGREGA_LOM = tuple(name.removesuffix(".xml") for name in AGREGA_LOM_FILES)
MODS_FORMAT = ("http://www.loc.gov/standards/mods/v3/mods-3-7.xsd", "http://www.loc.gov/mods/v3")
FORMATS = {
    "mods": MODS_FORMAT,
    "oai_qdc": (
        "http://worldcat.org/xmlschemas/qdc/1.0/qdc-1.0.xsd",
        "http://worldcat.org/xmlschemas/qdc-1.0/",
    ),
    "marc21": (
        "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
        "http://www.loc.gov/MARC21/slim",
    ),
    "lom": ("http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd", "http://ltsc.ieee.org/xsd/LOM"),
}


def _day(datestamp: str) -> str:
    return f"{(datestamp or '2020-01-01')[:10]}T00:00:00Z"


def _interaction(base: str, params: dict[str, str], body: bytes) -> Interaction:
    return Interaction(
        method="GET",
        uri=f"{base}?{urlencode(params)}",
        path=urlsplit(base).path,
        params=param_key(list(params.items())),
        status=200,
        reason="OK",
        headers=[("Content-Type", "text/xml; charset=utf-8")],
        body=body,
    )


def repository_chain(records: list[dict], prefix: str, page_size: int) -> list[Interaction]:
    """Identify and the whole ListRecords chain of an OAIRepository over `records`."""
    repo = OAIRepository(
        records, page_size=page_size, granularity=DAY_GRANULARITY, formats={prefix: FORMATS[prefix]}
    )

    def answer(params: dict[str, str]) -> Interaction:
        body = repo.respond({k: [v] for k, v in params.items()}, FIXTURE_BASE)
        return _interaction(FIXTURE_BASE, params, body)

    served = [answer({"verb": "Identify"})]
    params = {"verb": "ListRecords", "metadataPrefix": prefix}
    while True:
        served.append(answer(params))
        body = served[-1].body
        token = etree.fromstring(body).findtext(f".//{T_TOKEN}")
        if not token:
            return served
        params = {"verb": "ListRecords", "resumptionToken": token}


def fixture_records(paths: list[str], prefix: str) -> list[dict]:
    """OAIRepository records for the records of fixture files (identifier, datestamp and
    deleted flag as their OAI headers give them), serving their metadata as `prefix`."""
    records = []
    for path in paths:
        for item in fixture_items(corpus_path(*path.split("/"))):
            record = {
                "identifier": item.identifier,
                "datestamp": _day(item.datestamp),
                "deleted": item.deleted,
            }
            if item.metadata is not None and not item.deleted:
                record["payloads"] = {prefix: etree.tostring(item.metadata, encoding="unicode")}
            records.append(record)
    return records


def fixtures(
    folder: str, stems: tuple[str, ...], prefix: str, page_size: int
) -> Callable[[], list[Interaction]]:
    def build() -> list[Interaction]:
        records = fixture_records([f"{folder}/{s}.xml" for s in stems], prefix)
        # one record per file; files of one hub share identifiers (gpo/gpo_ebooks, ohio/wi)
        # and bare metadata files have none: name each record after its file
        for record, stem in zip(records, stems, strict=True):
            record["identifier"] = f"oai:fixtures.replay.test:{folder}/{stem}"
        return repository_chain(records, prefix, page_size)

    return build


def duepublico() -> list[Interaction]:
    return repository_chain(fixture_records([DUEPUBLICO], "mods"), "mods", page_size=10)


SCRAPI_OAI_DC = (
    "asu", "calpoly", "cogprints", "columbia", "cyberleninka", "datacite", "duke", "erudit",
    "krex", "lshtm", "mla", "nist", "purdue", "rcaap", "spdataverse", "udc", "uhawaii",
    "umassmed", "upennsylvania",
)  # fmt: skip
ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in (
        *(Endpoint(f"scrapi-{n}", "oai_dc", "oai_dc", scrapi(n)) for n in SCRAPI_OAI_DC),
        # NASA DIF: no crosswalk, so the record is quarantined raw and the run partial
        Endpoint("scrapi-ncar", "dif", "dif", scrapi("ncar"), status="partial"),
        # the recorded chains stop long before the millions of records Zenodo announces
        Endpoint("zenodo-oai_dc", "oai_dc", "oai_dc", zenodo(*ZENODO_DC_CHAIN), status="suspect"),
        Endpoint(
            "zenodo-datacite", "datacite", "datacite", zenodo(4, single_page=True), status="suspect"
        ),
        Endpoint(
            "zenodo-oai_dc-from", "oai_dc", "oai_dc", zenodo(0, single_page=True), status="suspect"
        ),
        Endpoint(
            "zenodo-oai_dc-from-until",
            "oai_dc",
            "oai_dc",
            zenodo(1, single_page=True),
            status="suspect",
        ),
        Endpoint(
            "zenodo-oai_dc-until",
            "oai_dc",
            "oai_dc",
            zenodo(11, single_page=True),
            status="suspect",
        ),
        Endpoint(
            "zenodo-oai_dc-set-software",
            "oai_dc",
            "oai_dc",
            zenodo(7, single_page=True),
            status="suspect",
            sets=("software",),
        ),
        Endpoint("dpla-mods", "mods", "mods", fixtures("dpla-ingestion3", DPLA_MODS, "mods", 3)),
        Endpoint("dpla-qdc", "qdc", "oai_qdc", fixtures("dpla-ingestion3", DPLA_QDC, "oai_qdc", 2)),
        Endpoint(
            "dpla-marcxml", "marcxml", "marc21", fixtures("dpla-ingestion3", DPLA_MARC, "marc21", 2)
        ),
        Endpoint(
            "agrega-lom",
            "lom",
            "lom",
            fixtures("agrega2-lom-es", AGREGA_LOM, "lom", 4),
            untitled={
                "oai:fixtures.replay.test:agrega2-lom-es/catalogacion__metadatoCompletoVacio": (
                    "an empty LOM-ES skeleton: every element present, every value empty"
                ),
            },
        ),
        Endpoint("duepublico-mods", "mods", "mods", duepublico),
    )
}


# ----------------------------------------------------------------- the replay server


def _mount_url(url: str, mount: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, mount + (parts.path or "/"), parts.query, ""))


def mounted(interactions: list[Interaction], mount: str) -> list[Interaction]:
    """The interactions served under the path prefix `mount` (redirect targets too)."""
    return [
        replace(
            i,
            uri=_mount_url(i.uri, mount),
            path=mount + i.path,
            headers=[
                (n, _mount_url(v, mount) if n.lower() == "location" else v) for n, v in i.headers
            ],
        )
        for i in interactions
    ]


# ----------------------------------------------------------------- what the responses hold


def base_id(identifier: str) -> str:
    """The recorded identifier of a record (a combined page's copy is `<id>#<variant>`)."""
    return identifier.partition("#")[0]


def of_variant(identifier: str, variant: str) -> bool:
    return identifier.endswith(f"#{variant}")


@dataclass
class Expected:
    records: list[str] = field(default_factory=list)  # every record of every page, in order
    deleted: set[str] = field(default_factory=set)
    emptied: set[str] = field(default_factory=set)  # live, with an empty metadata root
    # each page's requests (path, params): one of them must be asked (aliases share a page)
    pages: dict[bytes, set[tuple[str, tuple]]] = field(default_factory=dict)

    def only(self, variant: str) -> Expected:
        return Expected(
            [i for i in self.records if of_variant(i, variant)],
            {i for i in self.deleted if of_variant(i, variant)},
            {i for i in self.emptied if of_variant(i, variant)},
            self.pages,
        )


def expected_of(interactions: list[Interaction]) -> Expected:
    expected = Expected()
    for i in interactions:
        if dict(i.params).get("verb") != "ListRecords" or i.status != 200:
            continue
        if i.body in expected.pages:  # an alias of a page already counted
            expected.pages[i.body].add((i.path, i.params))
            continue
        expected.pages[i.body] = {(i.path, i.params)}
        tree = parse(i.body)
        if tree is None:
            continue
        for record in oai_records(tree):
            header = record.find(T_HEADER)
            identifier = (header.findtext(T_IDENTIFIER) or "").strip()
            expected.records.append(identifier)
            if header.get("status") == "deleted":
                expected.deleted.add(identifier)
                continue
            wrapper = record.find(T_METADATA)
            roots = element_children(wrapper) if wrapper is not None else []
            if roots and not element_children(roots[0]) and not (roots[0].text or "").strip():
                expected.emptied.add(identifier)
    return expected


@dataclass
class Landed:
    """What one run left in the warehouse, read once after its harvests."""

    records_seen: int | None = None
    failures: list[tuple[str, str, bytes]] = field(default_factory=list)  # code, id, raw
    deleted: dict[str, bool] = field(default_factory=dict)  # every resource → deleted
    titles: dict[str, list[str]] = field(default_factory=dict)  # live resource → titles
    missing_title: set[str] = field(default_factory=set)  # carry a missing_title issue

    def only(self, variant: str) -> Landed:
        return Landed(
            self.records_seen,
            [f for f in self.failures if of_variant(f[1] or "", variant)],
            {i: d for i, d in self.deleted.items() if of_variant(i, variant)},
            {i: t for i, t in self.titles.items() if of_variant(i, variant)},
            {i for i in self.missing_title if of_variant(i, variant)},
        )


def landed(db: Path, sources: list[str]) -> dict[str, Landed]:
    found: dict[str, Landed] = {s: Landed() for s in sources}
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("CREATE TEMP TABLE wanted AS SELECT unnest(?::VARCHAR[]) AS source", [sources])
        for source, seen in con.execute(
            "SELECT source, records_seen FROM harvest_runs JOIN wanted USING (source)"
        ).fetchall():
            found[source].records_seen = seen
        for source, code, identifier, raw in con.execute(
            "SELECT r.source, i.code, i.oai_identifier, i.raw_body FROM run_issues i "
            "JOIN harvest_runs r USING (run_id) JOIN wanted w ON w.source = r.source "
            f"WHERE i.code IN {FAILURE_CODES}"
        ).fetchall():
            found[source].failures.append((code, identifier, raw))
        for source, identifier, deleted, titles, missing in con.execute(
            "SELECT source, oai_identifier, deleted, [t.value FOR t IN titles], "
            "list_contains([i.code FOR i IN issues], 'missing_title') "
            "FROM resources JOIN wanted USING (source)"
        ).fetchall():
            facts = found[source]
            facts.deleted[identifier] = deleted
            if not deleted:
                facts.titles[identifier] = [" ".join((v or "").split()) for v in titles]
            if missing:
                facts.missing_title.add(identifier)
    return found


# ----------------------------------------------------------------- the runs

RECORDED = "recorded"
RECORD_VARIANTS_RUN = "record-variants"


def record_variants_for(endpoint: Endpoint) -> list[Variant]:
    return [v for v in RECORD_VARIANTS if v.applies_to(endpoint.fmt)]


def served_by(run: str, endpoint: Endpoint) -> tuple[list[Interaction], set[str]] | None:
    """The endpoint's interactions in `run`, and the variants that changed something;
    None when the run does not apply to the endpoint."""
    recorded = endpoint.build()
    if run == RECORDED:
        return recorded, set()
    if endpoint.unsupported:
        return None  # its record is quarantined whatever the variant: nothing to vary
    if run == RECORD_VARIANTS_RUN:
        variants, served, changed = record_variants_for(endpoint), [], set()
        for i in recorded:
            body, names = combined(i.body, variants)
            served.append(i if body == i.body else replace(i, body=body))
            changed |= names
        return served, changed
    variant = VARIANTS.get(run) or HARVESTER_GAPS[run]
    served = [varied(i, variant) for i in recorded]
    return served, {run} if any(
        v is not i for v, i in zip(served, recorded, strict=True)
    ) else set()


@dataclass
class Outcome:
    endpoint: Endpoint
    run: str
    result: HarvestResult
    expected: Expected
    landed: Landed
    asked: set[tuple[str, tuple]]
    changed: set[str]  # the variants that changed any of the endpoint's responses


def _harvest_all(jobs: list[tuple[Endpoint, str]], dbs: list[Path]) -> dict[str, HarvestResult]:
    """Harvest (endpoint, base URL) jobs, one worker per DuckDB file in `dbs`."""
    todo: queue.Queue[tuple[Endpoint, str]] = queue.Queue()
    for job in sorted(jobs, key=lambda j: -len(j[1])):
        todo.put(job)
    results: dict[str, HarvestResult] = {}
    errors: list[BaseException] = []

    def work(db: Path) -> None:
        while True:
            try:
                endpoint, url = todo.get_nowait()
            except queue.Empty:
                return
            try:
                source = adhoc_source(url, endpoint.prefix, endpoint.sets)
                results[endpoint.name] = harvest_source(source, db=db, options=REPLAY)
            except BaseException as exc:  # surfaced in the main thread below
                errors.append(exc)

    saved = gc.get_threshold()  # each harvest tunes the GC threshold; threads interleave
    threads = [threading.Thread(target=work, args=(db,)) for db in dbs]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        gc.set_threshold(*saved)
    if errors:
        raise errors[0]
    return results


_OUTCOMES: dict[str, dict[str, Outcome]] = {}


def harvested(run: str, workdir: Path, names: tuple[str, ...] = ()) -> dict[str, Outcome]:
    """Every endpoint the run applies to (or those `names`), harvested once (cached per run).
    The workers' DuckDB files are shared by all runs: every endpoint of every run is its
    own source."""
    if run in _OUTCOMES:
        return _OUTCOMES[run]
    served: dict[str, list[Interaction]] = {}
    changed: dict[str, set[str]] = {}
    for endpoint in ENDPOINTS.values():
        if names and endpoint.name not in names:
            continue
        if (found := served_by(run, endpoint)) is not None:
            served[endpoint.name] = mounted(found[0], f"/{endpoint.name}/{run}")
            changed[endpoint.name] = found[1]
    dbs = [workdir / f"wh{n}.duckdb" for n in range(WORKERS)]
    with ReplayServer([i for chain in served.values() for i in chain]) as server:
        bases = {n: server.url_for(chain[0].uri.split("?", 1)[0]) for n, chain in served.items()}
        results = _harvest_all([(ENDPOINTS[n], bases[n]) for n in served], dbs)
        asked = [(r.path, param_key(list(r.params.items()))) for r in server.requests]
    sources = [r.source for r in results.values()]
    facts: dict[str, Landed] = {}
    for db in dbs:
        if db.exists():
            facts |= {s: f for s, f in landed(db, sources).items() if f.records_seen is not None}
    _OUTCOMES[run] = {
        name: Outcome(
            endpoint=ENDPOINTS[name],
            run=run,
            result=results[name],
            expected=expected_of(chain),
            landed=facts[results[name].source],
            asked={a for a in asked if a[0].startswith(f"/{name}/{run}/")},
            changed=changed[name],
        )
        for name, chain in served.items()
    }
    return _OUTCOMES[run]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("replay-real-endpoints")


@pytest.fixture(scope="module")
def recorded(workdir: Path) -> dict[str, Outcome]:
    return harvested(RECORDED, workdir)


# ----------------------------------------------------------------- the checks


def assert_run(outcome: Outcome) -> None:
    """The run: every page asked, every record counted, the endpoint's status, nothing
    quarantined (or, for a format no crosswalk maps, everything, raw)."""
    endpoint, expected, result, got = (
        outcome.endpoint, outcome.expected, outcome.result, outcome.landed,
    )  # fmt: skip
    where = f"{endpoint.name} × {outcome.run}"
    assert all(keys & outcome.asked for keys in expected.pages.values()), f"{where}: page not asked"
    assert expected.records, f"{where}: the responses hold no records"
    assert result.status == endpoint.status, (where, result.error_code, result.error, result.issues)
    assert result.records == got.records_seen == len(expected.records), where
    if endpoint.unsupported:
        # not lost: quarantined with its raw record, nothing half-mapped in resources
        assert sorted((code, i) for code, i, _ in got.failures) == sorted(
            ("unsupported_format", i) for i in expected.records
        ), where
        assert all(i.encode() in raw for _, i, raw in got.failures), where
        assert got.deleted == {} and result.failed == len(expected.records), where
        return
    assert [(c, i) for c, i, _ in got.failures] == [], f"{where}: records quarantined"
    assert result.failed == result.quarantined == 0, where


def assert_records(endpoint: Endpoint, expected: Expected, got: Landed, where: str) -> None:
    """Every record landed, the deleted ones deleted, a title on every live one but the
    truly titleless (which carry missing_title)."""
    assert expected.records, f"{where}: no records"
    assert [(c, i) for c, i, _ in got.failures] == [], f"{where}: records quarantined"
    assert sorted(got.deleted) == sorted(expected.records), f"{where}: records differ"
    assert {i for i, d in got.deleted.items() if d} == expected.deleted, f"{where}: deleted differ"
    untitled = {i for i, titles in got.titles.items() if not titles}
    allowed = expected.emptied | {i for i in untitled if base_id(i) in endpoint.untitled}
    assert untitled <= allowed, (
        f"{where}: live records without a title: {sorted(untitled - allowed)}"
    )
    assert untitled <= got.missing_title, f"{where}: untitled without missing_title"
    blank = sorted(i for i, titles in got.titles.items() if "" in titles)
    assert blank == [], f"{where}: blank title values"


def assert_same_titles(variant: str, got: Landed, recorded: Landed, emptied: set[str]) -> None:
    differ = {
        i: (recorded.titles[base_id(i)], titles)
        for i, titles in got.titles.items()
        if i not in emptied
        and base_id(i) in recorded.titles
        and titles != recorded.titles[base_id(i)]
    }
    assert differ == {}, f"{variant}: titles differ from the recorded ones"


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_recorded_endpoint_lands_every_record_with_a_title(
    name: str, recorded: dict[str, Outcome]
) -> None:
    outcome = recorded[name]
    assert_run(outcome)
    if outcome.endpoint.unsupported:
        return
    assert_records(outcome.endpoint, outcome.expected, outcome.landed, f"{name} × recorded")
    untitled = {i for i, titles in outcome.landed.titles.items() if not titles}
    assert untitled == set(outcome.endpoint.untitled), name  # the list stays honest


SUPPORTED = [name for name, e in ENDPOINTS.items() if not e.unsupported]


@pytest.mark.parametrize("name", SUPPORTED)
def test_record_variants_run_of_endpoint_is_complete(name: str, workdir: Path) -> None:
    """The run whose pages hold every record-level variant of every record."""
    outcome = harvested(RECORD_VARIANTS_RUN, workdir)[name]
    assert_run(outcome)
    assert len(outcome.expected.records) == len(record_variants_for(outcome.endpoint)) * len(
        harvested(RECORDED, workdir)[name].expected.records
    )


# Zenodo's DataCite is kernel-4 already: that variant would serve the recording unchanged.
SAME_AS_RECORDED = {("datacite-kernel-4", "zenodo-datacite")}
VARIANT_CASES = [
    pytest.param(v, e, id=f"{v}-{e}")
    for v, variant in VARIANTS.items()
    for e in SUPPORTED
    if variant.applies_to(ENDPOINTS[e].fmt) and (v, e) not in SAME_AS_RECORDED
]


@pytest.mark.parametrize(("variant", "name"), VARIANT_CASES)
def test_variant_endpoint_lands_every_record_with_a_title(
    variant: str, name: str, recorded: dict[str, Outcome], workdir: Path
) -> None:
    page_level = VARIANTS[variant].page_level
    outcome = harvested(variant if page_level else RECORD_VARIANTS_RUN, workdir)[name]
    assert variant in outcome.changed, f"{variant} changes nothing in {name}'s responses"
    where = f"{name} × {variant}"
    if page_level:
        assert_run(outcome)
        expected, got = outcome.expected, outcome.landed
    else:
        expected, got = outcome.expected.only(variant), outcome.landed.only(variant)
        assert len(expected.records) == len(recorded[name].expected.records), where
    assert_records(outcome.endpoint, expected, got, where)
    if VARIANTS[variant].keeps_titles:
        assert_same_titles(where, got, recorded[name].landed, expected.emptied)


# ----------------------------------------------------------------- key facts, by name

RECORD_COUNTS = {
    "scrapi-asu": (79, 1), "scrapi-calpoly": (208, 0), "scrapi-mla": (319, 0),
    "scrapi-purdue": (1, 0), "scrapi-spdataverse": (19, 15), "scrapi-lshtm": (98, 1),
    "zenodo-oai_dc": (9, 1), "zenodo-datacite": (50, 0), "dpla-mods": (7, 0), "dpla-qdc": (5, 0),
    "dpla-marcxml": (3, 0), "agrega-lom": (9, 0), "duepublico-mods": (47, 45),
}  # fmt: skip


@pytest.mark.parametrize(("name", "counts"), RECORD_COUNTS.items(), ids=list(RECORD_COUNTS))
def test_recorded_endpoint_counts(
    name: str, counts: tuple[int, int], recorded: dict[str, Outcome]
) -> None:
    """Read off the responses: records (deleted ones included) and deleted records."""
    outcome = recorded[name]
    assert (outcome.result.records, len(outcome.expected.deleted)) == counts


def test_asu_resumption_is_asked_by_the_token_as_the_response_gives_it(
    recorded: dict[str, Outcome],
) -> None:
    outcome = recorded["scrapi-asu"]
    assert outcome.result.pages == 2
    tokens = {dict(params).get("resumptionToken") for _, params in outcome.asked} - {None}
    assert [t[:30] for t in tokens] == ["cursor%3D50%26from_%3D2015-03-"]  # percent-encoded


def test_purdue_redirect_is_followed_to_the_unwindowed_request(
    recorded: dict[str, Outcome],
) -> None:
    result = recorded["scrapi-purdue"].result
    assert (result.status, result.records, result.issues) == ("ok", 1, {"redirected": 1})


def test_dif_record_is_quarantined_as_unsupported_with_its_raw_payload(
    recorded: dict[str, Outcome],
) -> None:
    outcome = recorded["scrapi-ncar"]
    ((code, identifier, raw),) = outcome.landed.failures
    assert code == "unsupported_format" and identifier in outcome.expected.records
    assert b"<DIF" in raw and b"http://gcmd.gsfc.nasa.gov/Aboutus/xml/dif/" in raw
    assert outcome.landed.deleted == {}  # nothing half-mapped


def test_zenodo_datacite_and_oai_dc_give_the_same_titles(recorded: dict[str, Outcome]) -> None:
    """The datacite page and the until=2026-04-02 oai_dc page list the same 50 records."""
    datacite = recorded["zenodo-datacite"].landed.titles
    oai_dc = recorded["zenodo-oai_dc-until"].landed.titles
    assert len(datacite) == 50 and datacite.keys() == oai_dc.keys()
    assert datacite == oai_dc


def test_empty_lom_skeleton_is_live_and_flagged(recorded: dict[str, Outcome]) -> None:
    (identifier,) = ENDPOINTS["agrega-lom"].untitled
    landed = recorded["agrega-lom"].landed
    assert landed.titles[identifier] == [] and identifier in landed.missing_title


def test_empty_marc_record_is_flagged_missing_title(workdir: Path) -> None:
    """Found by the empty-metadata variant: an empty MARC record got only not_marc."""
    landed = harvested(RECORD_VARIANTS_RUN, workdir)["dpla-marcxml"].landed.only("empty-metadata")
    empty = {i for i, titles in landed.titles.items() if not titles}
    assert len(empty) == 2 and empty <= landed.missing_title  # the first record of each page


# ----------------------------------------------------------------- the variants themselves

PAGE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
    b"<record><header><identifier>oai:x:1</identifier><datestamp>2020-01-01</datestamp>"
    b'</header><metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Caf\xc3\xa9 &amp; cr\xc3\xa8me'
    b" brul\xc3\xa9e</dc:title><dc:creator>Doe, Jane</dc:creator></oai_dc:dc></metadata>"
    b"</record><resumptionToken>t1</resumptionToken></ListRecords></OAI-PMH>"
)
DC_ROOT = "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def _metadata(body: bytes) -> etree._Element:
    tree = parse(body)
    assert tree is not None
    ((_, root),) = metadata_roots(tree)
    return root


def test_namespace_variants_put_the_metadata_where_they_say() -> None:
    assert _metadata(VARIANTS["no-namespace"].apply(PAGE)).tag == "dc"
    assert _metadata(VARIANTS["no-namespace"].apply(PAGE))[0].tag == DC_TITLE
    assert [el.tag for el in _metadata(VARIANTS["no-namespaces"].apply(PAGE)).iter()] == [
        "dc", "title", "creator",
    ]  # fmt: skip
    assert _metadata(VARIANTS["envelope-namespace"].apply(PAGE)).tag == f"{{{OAI_NS}}}dc"
    rebound = VARIANTS["prefix-rebound"].apply(PAGE)
    assert b"<md:dc" in rebound and _metadata(rebound).tag == DC_ROOT
    no_slash = _metadata(VARIANTS["dc-namespace-no-slash"].apply(PAGE))
    assert no_slash[0].tag == "{http://purl.org/dc/elements/1.1}title"
    dcterms = _metadata(VARIANTS["dcterms-title-only"].apply(PAGE))
    assert [el.tag for el in dcterms] == [
        "{http://purl.org/dc/terms/}title",
        DC_TITLE[:-5] + "creator",
    ]


def test_text_variants_keep_the_title_text() -> None:
    title = "Café & crème brulée"
    for name in ("cdata-titles", "entity-titles", "comments-pis", "xml-lang", "whitespace-values"):
        root = _metadata(VARIANTS[name].apply(PAGE))
        texts = [" ".join("".join(el.itertext()).split()) for el in root if el.tag == DC_TITLE]
        assert title in texts, name
    assert b"<![CDATA[Caf\xc3\xa9 & cr\xc3\xa8me" in VARIANTS["cdata-titles"].apply(PAGE)
    assert b"&#233;" in VARIANTS["entity-titles"].apply(PAGE)
    latin = VARIANTS["iso-8859-1"].apply(PAGE)
    assert latin.startswith(b"<?xml version='1.0' encoding='ISO-8859-1'?>") and b"Caf\xe9" in latin
    assert VARIANTS["utf8-bom"].apply(PAGE) == b"\xef\xbb\xbf" + PAGE


def test_record_variants_change_records_not_the_envelope() -> None:
    emptied = _metadata(VARIANTS["empty-elements"].apply(PAGE))
    assert [(el.tag, el.text) for el in emptied][:2] == [
        (DC_TITLE, None),
        (DC_TITLE, emptied[1].text),
    ]
    tree = parse(VARIANTS["deleted"].apply(PAGE))
    assert tree is not None
    (record,) = oai_records(tree)
    assert record.find(T_HEADER).get("status") == "deleted" and record.find(T_METADATA) is None
    assert b"<resumptionToken>t1</resumptionToken>" in VARIANTS["deleted"].apply(PAGE)
    assert VARIANTS["datacite-kernel-3"].apply(PAGE) == PAGE  # nothing DataCite in it


def test_combined_page_holds_every_variant_of_every_record() -> None:
    variants = [v for v in RECORD_VARIANTS if v.applies_to("oai_dc")]
    body, changed = combined(PAGE, variants)
    tree = parse(body)
    assert tree is not None
    ids = [r.findtext(f"{T_HEADER}/{T_IDENTIFIER}").strip() for r in oai_records(tree)]
    assert ids == [f"oai:x:1#{v.name}" for v in variants]
    assert changed == {v.name for v in variants}
    assert body.rstrip().endswith(b"<resumptionToken>t1</resumptionToken></ListRecords></OAI-PMH>")


# ----------------------------------------------------------------- known harvester gaps


@pytest.mark.parametrize("gap", list(HARVESTER_GAPS))
def test_one_malformed_metadata_element_does_not_lose_the_page(gap: str, workdir: Path) -> None:
    outcome = harvested(gap, workdir, names=("scrapi-upennsylvania",))["scrapi-upennsylvania"]
    others = outcome.expected.records[1:]
    assert outcome.result.records == len(outcome.expected.records) == 4
    assert all(outcome.landed.titles.get(i) for i in others)  # the well-formed ones land
    # the broken one lands: with its title when its elements can be read (root-less DC),
    # titleless with missing_title (empty metadata), or quarantined with its raw payload
    broken = outcome.expected.records[0]
    assert (
        outcome.landed.titles.get(broken)
        or broken in outcome.landed.missing_title
        or any(i == broken and raw for _, i, raw in outcome.landed.failures)
    )
