"""The `oer` command line: in-process through typer's CliRunner where that is enough, and as
a real subprocess (`python -m flows.cli`) for exit codes and the one-line errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner, Result

from flows.cli import app
from pipelines import reports
from pipelines.demo.server import DemoServer, load_sample
from pipelines.registry import load_sources
from tests.support.corpus import REPO_ROOT
from tests.support.oai_fault_server import HTML, LOGIN_PAGE, FaultServer
from warehouse import connect

SAMPLE = load_sample()
SAMPLE_IDS = sorted(r["identifier"] for r in SAMPLE)
REGISTERED = [
    "demo", "doab", "oapen", "zenodo-oer", "skillscommons", "col-oasis", "unesdoc",
    "duepublico-oer",
]  # fmt: skip
HARVEST_KEYS = {"records", "wall_s", "peak_rss_mb", "status", "new", "updated", "unchanged"}


@pytest.fixture(autouse=True)
def narrow_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables render at 80 columns, what a pipe or a default terminal gets."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("OER_WAREHOUSE", raising=False)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def oer(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child process, from the repository root."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "OER_WAREHOUSE")}
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**env, "COLUMNS": "80"},
    )


def single_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The one non-empty stderr line, which must start with `error:`."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def cells(output: str, column: int = 0) -> list[str]:
    """The text of one column of a rich table, one entry per physical line of its body."""
    rows = [line for line in output.splitlines() if line.startswith("│")]
    return [row.split("│")[column + 1].strip() for row in rows]


# ----------------------------------------------------------------- sources


def test_sources_list_json_lists_demo_and_the_real_sources() -> None:
    result = invoke("sources", "list", "--json")
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    entries = json.loads(line)
    assert [e["name"] for e in entries] == REGISTERED
    by_name = {e["name"]: e for e in entries}
    assert by_name["demo"]["endpoint"] == "embedded:demo"
    assert by_name["zenodo-oer"]["endpoint"] == "https://zenodo.org/oai2d"
    assert by_name["zenodo-oer"]["sets"] == ["user-oer"]
    assert by_name["unesdoc"]["enabled"] is False
    assert [e["name"] for e in entries] == list(load_sources())


def test_sources_list_table_shows_every_source_name_whole() -> None:
    result = invoke("sources", "list")
    assert result.exit_code == 0
    assert "Sources (pipelines/sources.toml)" in result.stdout
    names = [name for name in cells(result.stdout) if name]
    assert names == REGISTERED, f"names folded across lines:\n{result.stdout}"


# ----------------------------------------------------------------- harvest


def test_harvest_url_json_prints_one_line_then_a_rerun_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    with DemoServer() as server:
        url = server.base_url
        first = invoke("harvest", "--url", url, "--db", str(db), "--json")
        second = invoke("harvest", "--url", url, "--db", str(db), "--json")
        third = invoke("harvest", "--url", url, "--db", str(db), "--json", "--mode", "full")
    reports_ = []
    for result in (first, second, third):
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert len(lines) == 1, result.stdout
        reports_.append(json.loads(lines[0]))
    one, two, three = reports_
    assert one.keys() >= HARVEST_KEYS
    n = len(SAMPLE)
    assert (one["status"], one["records"], one["new"], one["unchanged"]) == ("ok", n, n, 0)
    # the second run is incremental: nothing changed since the first, nothing is listed
    assert (two["mode"], two["status"], two["records"], two["new"]) == ("incremental", "ok", 0, 0)
    assert (three["mode"], three["records"], three["new"], three["unchanged"]) == ("full", n, 0, n)
    assert two["updated"] == 0
    for report in (one, two):
        assert isinstance(report["wall_s"], float) and report["wall_s"] > 0
        assert isinstance(report["peak_rss_mb"], float) and report["peak_rss_mb"] > 0
        assert report["source"] == "url:" + url.removeprefix("http://")
    assert query(db, "SELECT count(*) FROM resources") == [(n,)]


def test_harvest_unknown_source_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    done = oer("harvest", "no-such-source", "--db", str(tmp_path / "wh.duckdb"))
    assert done.returncode == 2
    known = ", ".join(sorted(load_sources()))
    assert single_error_line(done) == f"error: unknown source 'no-such-source' (known: {known})"
    assert done.stdout == ""


def test_harvest_without_source_or_url_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    done = oer("harvest", "--db", str(tmp_path / "wh.duckdb"))
    assert done.returncode == 2
    assert single_error_line(done) == "error: give one of: a SOURCE name, --url URL, --sitemap URL"
    assert not (tmp_path / "wh.duckdb").exists()


def test_harvest_with_both_source_and_url_is_refused() -> None:
    result = invoke("harvest", "demo", "--url", "http://127.0.0.1:9/oai")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: give one of: a SOURCE name, --url URL, --sitemap URL"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_harvest_unreachable_url_is_one_error_line_naming_it(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/oai"
    db = str(tmp_path / "wh.duckdb")
    done = oer("harvest", "--url", url, "--db", db, "--timeout", "5", "--retries", "1")
    assert done.returncode == 1  # the run is recorded, as failed
    line = single_error_line(done)
    assert line.startswith("error: transport_error: ConnectError")
    assert f"{url}?verb=Identify" in line, f"the error line does not name the URL: {line}"


def test_harvest_of_a_web_page_is_one_error_line_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    with FaultServer(lambda params: (200, HTML, LOGIN_PAGE)) as server:
        done = oer("harvest", "--url", server.base_url, "--db", str(db))
    assert done.returncode == 1
    line = single_error_line(done)
    assert line.startswith("error: not_oai_response: HTML page")
    assert f"{server.base_url}?verb=Identify" in line, f"the error line lacks the URL: {line}"
    assert query(db, "SELECT status, error_code, pages FROM harvest_runs") == [
        ("failed", "not_oai_response", 0)
    ]


@pytest.fixture
def held_warehouse(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A warehouse file another process has open for writing; yields (path, its PID)."""
    db = tmp_path / "wh.duckdb"
    code = (
        "import duckdb, sys\n"
        f"con = duckdb.connect({str(db)!r})\n"
        "con.execute('CREATE TABLE held (x INTEGER)')\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        yield db, holder.pid
    finally:
        if holder.stdin is not None:
            holder.stdin.close()
        try:
            holder.wait(timeout=10)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()


def test_harvest_into_a_locked_warehouse_is_one_error_line_and_exit_2(
    held_warehouse: tuple[Path, int],
) -> None:
    db, pid = held_warehouse
    done = oer("harvest", "demo", "--db", str(db))
    assert done.returncode == 2
    assert single_error_line(done) == (
        f"error: warehouse {db} is locked: another process (PID {pid}) is writing it or has "
        "it open (DuckDB allows one writer per file); wait for it to finish"
    )
    assert done.stdout == ""


# ----------------------------------------------------------------- status


def test_status_json_shows_the_last_run_of_the_source(demo_warehouse: Path) -> None:
    result = invoke("status", "--db", str(demo_warehouse), "--json")
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    (run,) = json.loads(line)
    n = len(SAMPLE)
    picked = (run["source"], run["status"], run["mode"], run["records"])
    assert picked == ("demo", "ok", "full", n)
    assert (run["error"], run["deferred_until"]) == (None, None)
    assert run["issues"] is None  # no run-level problem (record issues live on resources)
    assert run["next_from"].endswith("Z")  # the incremental cursor, seconds granularity


def test_status_table_shows_source_and_status_whole(demo_warehouse: Path) -> None:
    result = invoke("status", "--db", str(demo_warehouse))
    assert result.exit_code == 0
    assert "Last run per source" in result.stdout
    first_row = [cells(result.stdout, column)[0] for column in (0, 1)]
    assert first_row == ["demo", "ok"], f"columns folded across lines:\n{result.stdout}"


def test_status_before_any_harvest_says_so(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    connect(db).close()  # a migrated warehouse with no run yet
    result = invoke("status", "--db", str(db))
    assert result.exit_code == 0
    assert result.stdout == "No harvest has run yet. Try: oer demo\n"
    assert invoke("status", "--db", str(db), "--json").stdout == "[]\n"


# ----------------------------------------------------------------- sql


def test_sql_json_prints_one_object_per_row(demo_warehouse: Path) -> None:
    result = invoke(
        "sql", "SELECT count(*) AS n FROM resources", "--db", str(demo_warehouse), "--json"
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [json.dumps({"n": len(SAMPLE)})]
    by_deleted = "SELECT deleted, count(*) AS n FROM resources GROUP BY 1 ORDER BY 1"
    two = invoke("sql", by_deleted, "--db", str(demo_warehouse), "--json")
    deleted = sum(r["deleted"] for r in SAMPLE)
    assert [json.loads(line) for line in two.stdout.splitlines()] == [
        {"deleted": False, "n": len(SAMPLE) - deleted},
        {"deleted": True, "n": deleted},
    ]


def test_sql_syntax_error_is_one_error_line_and_exit_2(demo_warehouse: Path) -> None:
    done = oer("sql", "SELEC count(*) FROM resources", "--db", str(demo_warehouse))
    assert done.returncode == 2
    line = single_error_line(done)
    assert line == 'error: ParserException: Parser Error: syntax error at or near "SELEC"'
    assert done.stdout == ""


def test_sql_is_read_only(demo_warehouse: Path) -> None:
    result = invoke("sql", "DELETE FROM resources", "--db", str(demo_warehouse))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: InvalidInputException")
    assert len(result.stderr.strip().splitlines()) == 1
    assert query(demo_warehouse, "SELECT count(*) FROM resources") == [(len(SAMPLE),)]


# ----------------------------------------------------------------- demo


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    db = tmp_path_factory.mktemp("oer-demo") / "wh.duckdb"
    return CliRunner().invoke(app, ["demo", "--db", str(db)]), db


def test_demo_exits_0_and_prints_the_summary(demo_run: tuple[Result, Path]) -> None:
    result, _ = demo_run
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    n = len(SAMPLE)
    deleted = sum(r["deleted"] for r in SAMPLE)
    languages = {
        t["lang"] for r in SAMPLE if not r["deleted"] for t in r["metadata"]["title"] if t["lang"]
    }
    assert (
        f"demo: ok — {n} records ({n} new, 0 updated, 0 unchanged, 0 deleted, 0 undeleted, "
        "0 failed)" in text
    )
    assert (
        f"The warehouse holds {n} resources ({deleted} deleted) with titles in "
        f"{len(languages)} languages." in text
    )


def test_demo_prints_the_three_example_queries(demo_run: tuple[Result, Path]) -> None:
    result, _ = demo_run
    text = " ".join(result.stdout.split())
    assert len(reports.EXAMPLE_QUERIES) == 3
    for title, sql in reports.EXAMPLE_QUERIES:
        assert title in text
        assert f'oer sql "{" ".join(sql.split())}"' in text
    assert "Resources per language (BCP 47)" in text
    assert "Licences, and whether they make a resource OER" in text
    assert "Titles in set sdg:04 (quality education)" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in text  # a licence row


def test_demo_loads_every_sample_record(demo_run: tuple[Result, Path]) -> None:
    _, db = demo_run
    rows = query(db, "SELECT oai_identifier FROM resources ORDER BY oai_identifier")
    assert [r[0] for r in rows] == SAMPLE_IDS
    assert query(db, "SELECT source, status FROM harvest_runs") == [("demo", "ok")]


def test_sources_probe_prints_what_it_found_and_a_loadable_entry(tmp_path: Path) -> None:
    import tomllib

    with DemoServer() as server:
        url = server.base_url
        result = invoke("sources", "probe", url, "--name", "probed", "--json")
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    report = json.loads(line)
    assert (report["granularity"], report["deleted_record"]) == (
        "YYYY-MM-DDThh:mm:ssZ",
        "persistent",
    )
    assert (report["from_filters"], report["until_filters"]) == (True, True)
    assert (report["page_size"], report["complete_list_size"]) == (50, len(SAMPLE))
    entry = tomllib.loads(report["toml"])["sources"]["probed"]
    assert (entry["endpoint"], entry["metadata_prefix"]) == (url, "oai_dc")


def test_sources_probe_of_a_web_page_is_one_error_line() -> None:
    with FaultServer(lambda params: (200, HTML, LOGIN_PAGE)) as server:
        done = oer("sources", "probe", server.base_url)
    assert done.returncode == 1
    assert single_error_line(done).startswith("error: not_oai_response")


def test_crosswalk_report_lists_every_path_of_the_demo_with_its_status(
    demo_warehouse: Path,
) -> None:
    result = invoke("crosswalk", "report", "demo", "--db", str(demo_warehouse), "--json")
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    paths = {(r["crosswalk"], r["path"]): r for r in json.loads(line)}
    assert {p for _, p in paths} >= {"title", "creator", "date", "identifier", "rights"}
    assert {r["status"] for r in paths.values()} == {"mapped"}  # oai_dc: all 15 elements known
    assert paths[("oai_dc", "title")]["records"] == sum(1 for r in SAMPLE if not r.get("deleted"))
    table = invoke("crosswalk", "report", "demo", "--db", str(demo_warehouse))
    assert table.exit_code == 0 and table.stdout.startswith("mapped: 15 paths")


def test_crosswalk_report_for_an_unharvested_source_and_a_bad_status(
    demo_warehouse: Path,
) -> None:
    none = invoke("crosswalk", "report", "nowhere", "--db", str(demo_warehouse))
    assert none.exit_code == 0 and "No crosswalk coverage recorded for nowhere" in none.stdout
    bad = invoke("crosswalk", "report", "demo", "--status", "lost", "--db", str(demo_warehouse))
    assert bad.exit_code == 2


def test_normalise_language_writes_one_json_line_per_input_line_in_order() -> None:
    lines = ["en", "Deutsch", "spa; fre", "und", "", "English (United States)", "foo"]
    result = CliRunner().invoke(app, ["normalise", "language"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in rows] == lines
    assert [r["languages"] for r in rows] == [["en"], ["de"], ["es", "fr"], [], [], ["en-US"], []]
    assert [r["rule"] for r in rows][3:5] == ["junk", "empty"]
    assert rows[-1]["rule"] == "unparsable"


def test_normalise_licence_writes_one_json_line_per_input_line_in_order() -> None:
    lines = [
        "CC BY-SA",
        "https://creativecommons.org/licenses/by/4.0/deed.es",
        "info:eu-repo/semantics/openAccess",
        "Standard-YouTube-Lizenz",
        "",
    ]
    result = CliRunner().invoke(app, ["normalise", "licence"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in rows] == lines
    assert [r["licence_uri"] for r in rows] == [
        "https://creativecommons.org/licenses/by-sa/",  # no version given: none invented
        "https://creativecommons.org/licenses/by/4.0/",
        None,
        None,
        None,
    ]
    assert rows[1]["spdx"] == "CC-BY-4.0" and rows[1]["open_for_adaptation"] == "yes"
    assert rows[2]["access_rights_uri"] == "http://purl.org/coar/access_right/c_abf2"
    assert rows[3]["rule"] == "unrecognised"
    assert set(rows[0]) >= {"input", "licence_uri", "spdx", "access_rights_uri",
                            "open_for_adaptation", "allows_commercial", "rule"}  # fmt: skip
