"""Sitemap harvesting end to end: a local web site → Scrapy in a child process → DuckDB.

The site (tests/support/web_server.py) serves a sitemap index, a plain and a gzipped
sitemap, the three HOOU pages of the corpus and tiny pages of tests/data/web/: one without
JSON-LD, one with a broken ld+json block, a 404, a 500-then-OK page, a 429 + Retry-After
page, a redirect and a page robots.txt disallows. Crawls are few (each costs a Scrapy
start-up, ~1 s): two harvests of one warehouse (full, then incremental), one CLI crawl,
one deferred harvest, one failed and one blocked harvest.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from harvesters.oai.client import user_agent_for
from harvesters.web.crawl import CrawlError, crawl, lastmod_time, read_pages, read_summary
from harvesters.web.spider import read_sitemap
from pipelines.harvest import SourceDeferred
from pipelines.registry import Source
from pipelines.web import ISSUE_CODES, SitemapOptions, harvest_sitemap, known_lastmods
from tests.support.web_server import HOOU_PAGES, Route, WebSite
from warehouse import connect

FAST = SitemapOptions(delay_s=0, autothrottle=False, backoff_base_s=0.05, timeout=10)
HOOU_TITLES = {
    "hoou-ifm-erzaehlung-wie": "IFM - Erzählung. Wie?",
    "hoou-online-punkteabfrage": "Online Punkteabfrage",
    "hoou-tutorial-lernen-lernen": "Tutorial: Lernen lernen",
}
TINY_TITLES = {
    "/pages/invalid-jsonld.html": "Fractions, step by step",
    "/pages/flaky.html": "Photosynthese für die Mittelstufe",
    "/pages/busy.html": "Plate tectonics",
    "/pages/lesson.html": "Reading maps",
}


def _source(url: str, name: str = "web-test") -> Source:
    return Source(name=name, kind="sitemap", endpoint=url)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ---------------------------------------------------------------- one warehouse, two runs


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory):
    """A full harvest, then (lastmod of one page changed, one page out of the sitemap, the
    404 fixed) an incremental one, of the same site into the same warehouse."""
    db = tmp_path_factory.mktemp("web") / "wh.duckdb"
    with WebSite() as site:
        source = _source(site.sitemap_url)
        progress: list[tuple[int, int | None]] = []
        first = harvest_sitemap(
            source, db=db, options=FAST, progress=lambda n, total: progress.append((n, total))
        )
        first_log = list(site.requests)
        first_requests = [path for path, _ in first_log]
        site.lastmods["/materials/hoou-online-punkteabfrage"] = "2024-06-01T10:00:00Z"
        site.extra.remove("/pages/flaky.html")
        site.routes["/pages/missing.html"] = site.routes["/pages/no-jsonld.html"]  # fixed
        second = harvest_sitemap(source, db=db, options=FAST)
        second_requests = site.paths_requested()[len(first_requests) :]
        origin = site.origin
    con = duckdb.connect(str(db), read_only=True)
    yield {
        "con": con,
        "first": first,
        "second": second,
        "first_requests": first_requests,
        "first_log": first_log,
        "second_requests": second_requests,
        "origin": origin,
        "progress": progress,
    }
    con.close()


def test_every_page_resource_landed_with_its_title(harvested):
    con, origin = harvested["con"], harvested["origin"]
    rows = _rows(
        con,
        "SELECT r.oai_identifier, r.titles, r.crosswalk, r.metadata_prefix, rr.page_url "
        "FROM resources r JOIN raw_records rr USING (source, oai_identifier, metadata_prefix) "
        "WHERE r.raw_sha256 = rr.payload_sha256",
    )
    titles = {row["page_url"]: row["titles"][0]["value"] for row in rows}
    expected = {f"{origin}/materials/{stem}": HOOU_TITLES[stem] for stem in HOOU_PAGES}
    expected.update({origin + path: title for path, title in TINY_TITLES.items()})
    assert titles == expected
    assert {row["crosswalk"] for row in rows} == {"jsonld"}
    assert {row["metadata_prefix"] for row in rows} == {"jsonld"}
    # identifiers: the node's absolute @id, else <page>#<position of the node on the page>
    ids = {row["oai_identifier"] for row in rows}
    assert "https://oer.example.org/lessons/reading-maps" in ids
    assert "https://oer.example.org/courses/plate-tectonics" in ids  # from an @graph
    assert f"{origin}/materials/hoou-online-punkteabfrage#2" in ids


def test_raw_payloads_are_the_blocks_as_found(harvested):
    con, origin = harvested["con"], harvested["origin"]
    row = _rows(
        con,
        "SELECT payload, datestamp, first_run_id FROM raw_records WHERE oai_identifier = ?",
        [f"{origin}/materials/hoou-online-punkteabfrage#2"],
    )[0]
    assert '"name":"Online Punkteabfrage"' in row["payload"]
    assert row["datestamp"] == "2019-03-11T00:31:06+01:00"  # the sitemap lastmod
    assert row["first_run_id"] == harvested["first"].run_id
    (n,) = con.execute("SELECT count(*) FROM raw_records").fetchone()
    # 7 resources, and the changed lastmod of the second run is a new datestamp, not payload
    assert n == 7


def test_first_run_is_partial_with_every_problem_classified(harvested):
    first, con, origin = harvested["first"], harvested["con"], harvested["origin"]
    assert first.mode == "full"
    assert first.status == "partial"  # the 404
    assert (first.records, first.new, first.failed) == (7, 7, 0)
    assert (first.listed, first.fetched, first.page_errors, first.skipped) == (10, 8, 2, 0)
    issues = _rows(
        con,
        "SELECT code, severity, url, octet_length(raw_body) AS body FROM run_issues "
        "WHERE run_id = ?",
        [first.run_id],
    )
    by_code = {(i["code"], i["url"].removeprefix(origin)): i for i in issues}
    assert set(by_code) == {
        ("page_not_found", "/pages/missing.html"),
        ("page_robots_disallowed", "/private/secret.html"),
        ("no_jsonld", "/pages/no-jsonld.html"),
        ("invalid_jsonld", "/pages/invalid-jsonld.html"),
        ("redirected", "/old/lesson"),
        ("retried", "/pages/flaky.html"),
        ("retried", "/pages/busy.html"),
    }
    assert by_code[("page_not_found", "/pages/missing.html")]["body"] > 0  # error page kept
    assert by_code[("no_jsonld", "/pages/no-jsonld.html")]["body"] > 0  # the page kept
    assert by_code[("invalid_jsonld", "/pages/invalid-jsonld.html")]["body"] > 0  # the block
    assert "/private/secret.html" not in harvested["first_requests"]  # robots.txt obeyed
    state = _rows(con, "SELECT * FROM harvest_state WHERE source = 'web-test'")[0]
    assert state["last_complete_run_id"] == harvested["second"].run_id


def test_every_fetched_document_is_a_raw_page(harvested):
    first, con, origin = harvested["first"], harvested["con"], harvested["origin"]
    pages = _rows(
        con,
        "SELECT url, http_status, n_items, size_bytes FROM raw_pages WHERE run_id = ? "
        "ORDER BY page_number",
        [first.run_id],
    )
    by_path = {p["url"].removeprefix(origin): p for p in pages}
    assert len(pages) == first.pages == 12  # 3 sitemaps, 8 pages, the 404
    assert by_path["/sitemaps/extra.xml.gz"]["n_items"] == 7  # URLs listed
    assert by_path["/pages/missing.html"]["http_status"] == 404
    assert by_path["/pages/lesson.html"]["n_items"] == 1  # final URL after the redirect
    assert by_path["/pages/no-jsonld.html"]["n_items"] == 0
    assert all(p["size_bytes"] > 0 for p in pages)
    run = _rows(con, "SELECT * FROM harvest_runs WHERE run_id = ?", [first.run_id])[0]
    assert run["expected_records"] == 10  # page URLs the sitemaps list
    assert run["records_seen"] == 7 and run["pages"] == 12 and run["metadata_prefix"] == "jsonld"


def test_second_run_is_incremental_and_reports_unlisted_pages(harvested):
    second, con, origin = harvested["second"], harvested["con"], harvested["origin"]
    assert second.mode == "incremental"
    assert second.status == "ok"  # the 404 is fixed; no JSON-LD and robots do not count
    assert second.page_errors == 1 and second.without_jsonld == 2  # robots; 2 w/o JSON-LD
    requested = set(harvested["second_requests"])
    # unchanged lastmod: not fetched again; changed lastmod, no lastmod, no resource yet,
    # and the redirected page (known by its final URL only): fetched
    assert "/materials/hoou-ifm-erzaehlung-wie" not in requested
    assert "/materials/hoou-tutorial-lernen-lernen" not in requested
    assert "/pages/busy.html" not in requested
    assert "/pages/invalid-jsonld.html" not in requested
    assert {"/materials/hoou-online-punkteabfrage", "/pages/no-jsonld.html",
            "/pages/missing.html", "/old/lesson"} <= requested  # fmt: skip
    assert second.skipped == 4 and second.listed == 9
    assert (second.updated, second.unchanged, second.new) == (1, 1, 0)
    row = _rows(
        con,
        "SELECT datestamp, last_changed_run FROM resources WHERE oai_identifier = ?",
        [f"{origin}/materials/hoou-online-punkteabfrage#2"],
    )[0]
    assert row == {"datestamp": "2024-06-01T10:00:00Z", "last_changed_run": second.run_id}
    unlisted = _rows(
        con,
        "SELECT url, severity FROM run_issues WHERE run_id = ? AND code = 'page_unlisted'",
        [second.run_id],
    )
    assert unlisted == [{"url": f"{origin}/pages/flaky.html", "severity": "info"}]
    assert second.unlisted == 1
    # reported only: no sweep
    (deleted,) = con.execute("SELECT count(*) FROM resources WHERE deleted").fetchone()
    assert deleted == 0


def test_known_lastmods_are_those_loaded(harvested):
    known = known_lastmods(harvested["con"], "web-test")
    origin = harvested["origin"]
    assert known[f"{origin}/materials/hoou-online-punkteabfrage"] == "2024-06-01T10:00:00Z"
    assert f"{origin}/pages/no-jsonld.html" not in known  # no resource: always fetched
    assert len(known) == 7


def test_progress_reaches_the_records_and_pages_listed(harvested):
    assert harvested["progress"][-1] == (7, 10)


def test_the_crawl_runs_in_a_child_process(harvested):
    first, second = harvested["first"], harvested["second"]
    assert first.crawl_pid and second.crawl_pid
    assert os.getpid() not in (first.crawl_pid, second.crawl_pid)
    assert first.crawl_pid != second.crawl_pid
    # the reactor lives and dies in the child: this process never started one
    assert "twisted.internet.reactor" not in sys.modules


def test_polite_defaults(harvested):
    # robots.txt is asked for first, with the contact User-Agent of the OAI client
    assert harvested["first_log"][0] == ("/robots.txt", user_agent_for(None))
    assert {ua for _, ua in harvested["first_log"]} == {user_agent_for(None)}
    row = _rows(harvested["con"], "SELECT options FROM harvest_runs ORDER BY started_at")[0]
    options = json.loads(row["options"])  # the options the run was started with
    assert options["obey_robots"] is True and options["concurrency"] == 1


# ---------------------------------------------------------------- other endings


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/no-such-sitemap.xml", "failed", "sitemap_error"),
        ("/private/sitemap.xml", "blocked", "robots_disallowed"),
    ],
)
def test_a_sitemap_that_cannot_be_read(tmp_path: Path, path: str, status: str, code: str):
    db = tmp_path / "wh.duckdb"
    with WebSite() as site:
        result = harvest_sitemap(_source(site.url(path)), db=db, options=FAST)
        assert not any(p.startswith(("/materials/", "/pages/")) for p in site.paths_requested())
    assert (result.status, result.error_code) == (status, code)
    assert result.records == 0
    con = connect(db)
    try:
        run = _rows(con, "SELECT status, error_code, error_url FROM harvest_runs")[0]
        assert run == {"status": status, "error_code": code, "error_url": site.url(path)}
        (issue,) = _rows(con, "SELECT code, severity FROM run_issues")
        assert issue == {"code": code, "severity": "error"}
        (state,) = con.execute("SELECT status FROM harvest_state").fetchone()
        assert state == status
    finally:
        con.close()


def test_a_long_retry_after_defers_the_run(tmp_path: Path):
    db = tmp_path / "wh.duckdb"
    with WebSite() as site:
        site.materials = []
        site.extra.insert(0, "mailto:oer@example.org")  # not a page URL
        site.fail_first["/pages/busy.html"] = [
            Route(status=503, body=b"maintenance", headers={"Retry-After": "3600"})
        ]
        source = _source(site.sitemap_url)
        options = SitemapOptions(delay_s=0, autothrottle=False, backoff_base_s=0.05,
                                 max_wait_s=60)  # fmt: skip
        result = harvest_sitemap(source, db=db, options=options)
        assert (result.status, result.error_code) == ("deferred", "retry_after_too_long")
        assert result.deferred_until is not None
        with pytest.raises(SourceDeferred):
            harvest_sitemap(source, db=db, options=options)
    con = connect(db)
    try:
        codes = dict(
            con.execute(
                "SELECT code, url FROM run_issues WHERE code IN "
                "('retry_after_too_long', 'page_bad_url')"
            ).fetchall()
        )
    finally:
        con.close()
    assert codes == {
        "page_bad_url": "mailto:oer@example.org",
        "retry_after_too_long": site.url("/pages/busy.html"),
    }


def test_cli_crawl_with_since_max_pages_and_user_agent(tmp_path: Path):
    out = tmp_path / "crawl.jsonl"
    with WebSite() as site:
        argv = [
            sys.executable, "-m", "harvesters.web.crawl", "--sitemap", site.url("/robots.txt"),
            "--out", str(out), "--delay", "0", "--no-autothrottle", "--backoff", "0.05",
            "--since", "2020-01-01", "--max-pages", "2",
            "--user-agent", "oer-test-bot/1.0 (+mailto:oer@example.org)",
        ]  # fmt: skip
        done = subprocess.run(argv, capture_output=True, timeout=60, check=False)
        requests = list(site.requests)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    items = list(read_pages(out))
    pages = [i for i in items if i.target == "page"]
    assert len(pages) == 2
    sitemaps = [i for i in items if i.kind == "sitemap"]
    assert [s.data["type"] for s in sitemaps if s.root] == ["robots"]  # Sitemap: followed
    assert sum(int(s.data["skipped"]) for s in sitemaps) == 8
    assert not any(path.startswith("/materials/") for path, _ in requests)  # lastmod 2019
    assert {ua for _, ua in requests} == {"oer-test-bot/1.0 (+mailto:oer@example.org)"}
    summary = read_summary(out)
    assert summary is not None and summary["finish_reason"] == "finished"
    assert summary["pid"] != os.getpid()


def test_crawl_raises_when_the_process_fails(tmp_path: Path):
    with pytest.raises(CrawlError, match="exited with code 2") as caught:
        crawl("http://127.0.0.1:9/sitemap.xml", tmp_path / "out.jsonl", since="not a date")
    assert "--since" in caught.value.log_tail


# ---------------------------------------------------------------- small parts


def test_read_sitemap_forms():
    urlset = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc> https://a.example/1 </loc><lastmod>2024-01-02</lastmod></url>"
        b"<url><loc>https://a.example/2</loc></url><url><lastmod>2024</lastmod></url></urlset>"
    )
    assert read_sitemap(urlset) == (
        "urlset", [["https://a.example/1", "2024-01-02"], ["https://a.example/2", None]], None
    )  # fmt: skip
    assert read_sitemap(gzip.compress(urlset))[1][0][0] == "https://a.example/1"
    kind, entries, problem = read_sitemap(
        b"<sitemapindex><sitemap><loc>https://a.example/s.xml</loc></sitemap></sitemapindex>"
    )
    assert (kind, entries, problem) == ("sitemapindex", [["https://a.example/s.xml", None]], None)
    # a sitemap cut short: what is there is read, and the problem said
    kind, entries, problem = read_sitemap(urlset[:-40])
    assert entries == [["https://a.example/1", "2024-01-02"], ["https://a.example/2", None]]
    assert problem and "recovery mode" in problem
    with pytest.raises(ValueError, match="not a sitemap"):
        read_sitemap(b"<html><body>Not here</body></html>")
    with pytest.raises(ValueError, match="not XML"):
        read_sitemap(b"")


def test_lastmod_time_forms():
    assert lastmod_time("2024-05-01").isoformat() == "2024-05-01T00:00:00+00:00"
    assert lastmod_time("2019-03-19T00:31:06+01:00").isoformat() == "2019-03-18T23:31:06+00:00"
    assert lastmod_time("2024-06-01T10:00:00Z").isoformat() == "2024-06-01T10:00:00+00:00"
    assert lastmod_time("2024-13") is None and lastmod_time("") is None


def test_new_issue_codes_are_declared():
    severities = {"info", "warning", "error"}
    effects = {None, "partial", "suspect", "deferred", "blocked", "failed"}
    for code, (severity, effect, meaning) in ISSUE_CODES.items():
        assert severity in severities and effect in effects and meaning.endswith("."), code


def test_failures_are_classified():
    from scrapy import exceptions
    from twisted.python.failure import Failure

    from harvesters.web.spider import classify_failure

    cases = {
        "dns_error": exceptions.CannotResolveHostError("no results for no-such.invalid"),
        "timeout": exceptions.DownloadTimeoutError("took longer than 30.0 seconds"),
        "connection_error": exceptions.DownloadConnectionRefusedError("refused"),
        "too_large": exceptions.DownloadCancelledError(
            "Received 99 bytes which is larger than download max size (10)"
        ),
        "robots_disallowed": exceptions.IgnoreRequest("Forbidden by robots.txt"),
        "tls_error": exceptions.DownloadFailedError("SSL routines: certificate verify failed"),
        "fetch_error": ValueError("something else"),
    }
    for code, exc in cases.items():
        assert classify_failure(Failure(exc))[0] == code, code
