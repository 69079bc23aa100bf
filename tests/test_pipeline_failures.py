"""Harvests that go wrong, against real HTTP servers on 127.0.0.1: a run must end `failed`
where it stopped, keep the raw response, and load every record received before; a record
no crosswalk maps is quarantined, not dropped; changed and deleted records are logged."""

from __future__ import annotations

import copy
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.demo.server import DemoServer, load_sample
from pipelines.harvest import HarvestOptions, HarvestResult, harvest_source
from pipelines.registry import Source, adhoc_source
from tests.support.corpus import REPO_ROOT
from tests.support.oai_fault_server import (
    HTML,
    LOGIN_PAGE,
    XML,
    Answer,
    FaultServer,
    Responder,
    foreign_record,
    oai_dc_record,
    oai_error,
    oai_identify,
    oai_list_records,
)

TOKEN = "page-2/oai_dc/3"
PAGE_ONE_IDS = ["oai:fault.test:1", "oai:fault.test:2", "oai:fault.test:3"]
PAGE_ONE = oai_list_records(
    [oai_dc_record(identifier, f"Record {identifier}") for identifier in PAGE_ONE_IDS], TOKEN
)
BAD_TOKEN_BODY = oai_error("badResumptionToken", "The resumptionToken has expired")


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def chain_with_page_two(page_two: Answer) -> Responder:
    """An endpoint whose first ListRecords page is fine and whose page 2 is `page_two`."""

    def answer(params: dict[str, str]) -> Answer:
        if params.get("verb") == "Identify":
            return 200, XML, oai_identify()
        if params.get("resumptionToken") == TOKEN:
            return page_two
        if params == {"verb": "ListRecords", "metadataPrefix": "oai_dc"}:
            return 200, XML, PAGE_ONE
        return 400, "text/plain", b"unexpected request"

    return answer


# The fault server answers one unwindowed chain; fail fast instead of backing off.
FAULT_SERVER = HarvestOptions(windowed=False, timeout=5, max_retries=1)


def harvest_url(url: str, db: Path) -> HarvestResult:
    return harvest_source(adhoc_source(url, "oai_dc"), db=db, options=FAULT_SERVER)


# ----------------------------------------------------------------- HTML login page on page 2


@pytest.fixture(scope="module")
def login_page_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[HarvestResult, Path]:
    db = tmp_path_factory.mktemp("login") / "wh.duckdb"
    with FaultServer(chain_with_page_two((200, HTML, LOGIN_PAGE))) as server:
        result = harvest_url(server.base_url, db)
    return result, db


def test_html_page_two_ends_the_run_failed_with_its_url(
    login_page_run: tuple[HarvestResult, Path],
) -> None:
    result, _ = login_page_run
    assert result.status == "failed"
    assert result.error_code == "not_oai_response"
    assert result.error_url is not None
    assert result.error_url.endswith("?verb=ListRecords&resumptionToken=page-2%2Foai_dc%2F3")
    assert (result.records, result.new, result.pages) == (3, 3, 1)
    assert result.issues == {"not_oai_response": 1}


def test_html_page_two_is_recorded_on_the_run_row(
    login_page_run: tuple[HarvestResult, Path],
) -> None:
    result, db = login_page_run
    rows = query(
        db,
        "SELECT status, error_code, error_url, records_seen, records_new, pages, "
        "finished_at IS NOT NULL FROM harvest_runs",
    )
    assert rows == [("failed", "not_oai_response", result.error_url, 3, 3, 1, True)]
    (message,) = query(db, "SELECT error_message FROM harvest_runs")[0]
    assert message.startswith("not_oai_response: HTML page")
    assert "\n" not in message


def test_html_page_two_body_is_kept_in_run_issues(
    login_page_run: tuple[HarvestResult, Path],
) -> None:
    result, db = login_page_run
    rows = query(db, "SELECT seq, code, severity, url, oai_identifier, raw_body FROM run_issues")
    assert rows == [(1, "not_oai_response", "error", result.error_url, None, LOGIN_PAGE)]


def test_html_page_two_keeps_page_one_records(login_page_run: tuple[HarvestResult, Path]) -> None:
    _, db = login_page_run
    rows = query(db, "SELECT oai_identifier, titles[1].value FROM resources ORDER BY 1")
    assert rows == [(i, f"Record {i}") for i in PAGE_ONE_IDS]
    assert query(db, "SELECT count(*) FROM raw_records") == [(3,)]
    assert query(db, "SELECT page_number, n_items, resumption_token FROM raw_pages") == [
        (1, 3, TOKEN)
    ]


def test_cli_json_reports_the_failed_run_and_one_error_line(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    with FaultServer(chain_with_page_two((200, HTML, LOGIN_PAGE))) as server:
        command = ["harvest", "--url", server.base_url, "--db", str(db), "--json", "--no-windows"]
        done = subprocess.run(
            [sys.executable, "-m", "flows.cli", *command],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={k: v for k, v in os.environ.items() if k != "FORCE_COLOR"},
        )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    picked = (report["status"], report["error_code"], report["records"])
    assert picked == ("failed", "not_oai_response", 3)
    assert "resumptionToken=page-2%2Foai_dc%2F3" in report["error_url"]
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, done.stderr
    assert errors[0].startswith("error: not_oai_response: HTML page")
    assert "Traceback" not in done.stderr
    assert report["error_url"] in errors[0], f"the error line does not name the URL: {errors[0]}"
    assert query(db, "SELECT count(*) FROM resources") == [(3,)]


# ----------------------------------------------------------------- OAI error mid-chain


@pytest.mark.parametrize("status", [200, 422], ids=["http-200", "http-422-like-zenodo"])
def test_bad_resumption_token_mid_chain_fails_with_that_code(tmp_path: Path, status: int) -> None:
    db = tmp_path / "wh.duckdb"
    with FaultServer(chain_with_page_two((status, XML, BAD_TOKEN_BODY))) as server:
        result = harvest_url(server.base_url, db)
    assert (result.status, result.error_code) == ("failed", "badResumptionToken")
    assert result.error == (
        "badResumptionToken: The resumptionToken has expired "
        f"[{server.base_url}?verb=ListRecords&resumptionToken=page-2%2Foai_dc%2F3]"
    )
    # The window is redone once from its first page (a token may just have expired), then
    # the run fails: page 1 was received twice, its three records loaded once.
    assert query(db, "SELECT status, error_code, records_seen FROM harvest_runs") == [
        ("failed", "badResumptionToken", 6)
    ]
    assert query(db, "SELECT code, severity, raw_body FROM run_issues ORDER BY seq") == [
        ("bad_resumption_token", "warning", BAD_TOKEN_BODY),
        ("badResumptionToken", "error", BAD_TOKEN_BODY),
    ]
    assert query(db, "SELECT count(*) FROM resources") == [(3,)]


def test_the_log_names_the_failing_page_and_window(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pipelines")
    with FaultServer(chain_with_page_two((200, XML, BAD_TOKEN_BODY))) as server:
        result = harvest_url(server.base_url, tmp_path / "wh.duckdb")
    page = f"{server.base_url}?verb=ListRecords&resumptionToken=page-2%2Foai_dc%2F3"
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("pipe")]
    source = result.source
    assert (
        "WARNING",
        f"{source}: bad_resumption_token: badResumptionToken: The resumptionToken has expired "
        f"[{page}]; redoing window 1 from its first page",
    ) in lines
    assert (
        "ERROR",
        f"{source}: window 1 (start..now) failed and cannot be split further: {result.error}",
    ) in lines
    assert ("ERROR", f"{source}: {result.error}") in lines  # it names its code and page


# ----------------------------------------------------------------- unknown metadata format


@pytest.fixture(scope="module")
def foreign_format_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[HarvestResult, Path]:
    page = oai_list_records(
        [
            oai_dc_record("oai:fault.test:dc-1", "First"),
            foreign_record("oai:fault.test:ead-1"),
            oai_dc_record("oai:fault.test:dc-2", "Second"),
        ]
    )

    def answer(params: dict[str, str]) -> Answer:
        if params.get("verb") == "Identify":
            return 200, XML, oai_identify()
        return 200, XML, page

    db = tmp_path_factory.mktemp("foreign") / "wh.duckdb"
    with FaultServer(answer) as server:
        return harvest_url(server.base_url, db), db


def test_unknown_format_record_makes_the_run_partial(
    foreign_format_run: tuple[HarvestResult, Path],
) -> None:
    result, db = foreign_format_run
    assert (result.status, result.error_code) == ("partial", None)
    assert (result.records, result.new, result.failed) == (3, 2, 1)
    assert result.issues == {"unsupported_format": 1}
    assert query(
        db, "SELECT status, records_seen, records_new, records_failed FROM harvest_runs"
    ) == [("partial", 3, 2, 1)]


def test_unknown_format_record_is_quarantined_with_its_payload(
    foreign_format_run: tuple[HarvestResult, Path],
) -> None:
    _, db = foreign_format_run
    ((code, severity, identifier, message, raw_body),) = query(
        db, "SELECT code, severity, oai_identifier, message, raw_body FROM run_issues"
    )
    assert (code, severity, identifier) == ("unsupported_format", "error", "oai:fault.test:ead-1")
    assert message == "no crosswalk for metadata element {urn:isbn:1-931666-22-9}ead"
    assert raw_body.startswith(b"<record")
    assert b"<identifier>oai:fault.test:ead-1</identifier>" in raw_body
    assert b'xmlns="urn:isbn:1-931666-22-9"' in raw_body
    # the raw layer keeps it too, byte for byte
    assert query(
        db, "SELECT payload FROM raw_records WHERE oai_identifier = 'oai:fault.test:ead-1'"
    ) == [(raw_body.decode("utf-8"),)]


def test_unknown_format_record_does_not_stop_the_others(
    foreign_format_run: tuple[HarvestResult, Path],
) -> None:
    _, db = foreign_format_run
    rows = query(db, "SELECT oai_identifier, titles[1].value FROM resources ORDER BY 1")
    assert rows == [("oai:fault.test:dc-1", "First"), ("oai:fault.test:dc-2", "Second")]


# ----------------------------------------------------------------- changes between harvests

SAMPLE = load_sample()
RETITLED = 0  # index of the record whose title changes
WITHDRAWN = 1  # index of the record that turns deleted
NEW_TITLE = {"value": "Accessible Digital Learning, second edition", "lang": "en"}


def changed_sample() -> list[dict]:
    records = copy.deepcopy(SAMPLE)
    records[RETITLED]["metadata"]["title"] = [NEW_TITLE]
    records[WITHDRAWN]["deleted"] = True
    return records


def harvest_demo(records: list[dict], db: Path) -> HarvestResult:
    # A fixed source name: the second server listens on another port, and a source is
    # what it is called, not where it answers today.
    with DemoServer(records) as server:
        source = Source(name="demo-changes", kind="oai-pmh", endpoint=server.base_url)
        # full: the changed copies keep their datestamps, which an incremental run trusts
        return harvest_source(source, db=db, options=HarvestOptions(mode="full"))


@pytest.fixture(scope="module")
def changes(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[HarvestResult], Path]:
    db = tmp_path_factory.mktemp("changes") / "wh.duckdb"
    first = harvest_demo(SAMPLE, db)
    second = harvest_demo(changed_sample(), db)
    return [first, second], db


def history_of(db: Path, index: int) -> list[tuple]:
    return query(
        db,
        "SELECT h.change, h.changed_fields, h.run_id FROM resource_history h "
        "JOIN resources r USING (record_id) WHERE r.oai_identifier = ? ORDER BY h.changed_at",
        [SAMPLE[index]["identifier"]],
    )


def test_second_harvest_counts_one_update_and_one_deletion(
    changes: tuple[list[HarvestResult], Path],
) -> None:
    (first, second), db = changes
    n = len(SAMPLE)
    assert (first.status, first.records, first.new) == ("ok", n, n)
    assert (second.status, second.records, second.new) == ("ok", n, 0)
    assert (second.updated, second.deleted, second.unchanged) == (1, 1, n - 2)
    assert query(db, "SELECT count(*) FROM resources") == [(n,)]


def test_retitled_record_is_updated_with_titles_as_the_changed_field(
    changes: tuple[list[HarvestResult], Path],
) -> None:
    (first, second), db = changes
    assert history_of(db, RETITLED) == [
        ("new", None, first.run_id),
        ("updated", ["titles"], second.run_id),
    ]
    rows = query(
        db,
        "SELECT titles, deleted, first_seen_run, last_changed_run FROM resources "
        "WHERE oai_identifier = ?",
        [SAMPLE[RETITLED]["identifier"]],
    )
    assert rows == [([NEW_TITLE], False, first.run_id, second.run_id)]


def test_withdrawn_record_is_logged_deleted_and_kept(
    changes: tuple[list[HarvestResult], Path],
) -> None:
    (_, second), db = changes
    ((change, fields, run_id),) = history_of(db, WITHDRAWN)[1:]
    assert (change, run_id) == ("deleted", second.run_id)
    assert "deleted" in fields and "titles" in fields
    rows = query(
        db,
        "SELECT deleted, deleted_at IS NOT NULL, titles, set_specs FROM resources "
        "WHERE oai_identifier = ?",
        [SAMPLE[WITHDRAWN]["identifier"]],
    )
    assert rows == [(True, True, [], SAMPLE[WITHDRAWN]["sets"])]


def test_run_rows_count_the_changes(changes: tuple[list[HarvestResult], Path]) -> None:
    _, db = changes
    n = len(SAMPLE)
    rows = query(
        db,
        "SELECT records_new, records_updated, records_unchanged, records_deleted "
        "FROM harvest_runs ORDER BY started_at",
    )
    assert rows == [(n, 0, 0, 0), (0, 1, n - 2, 1)]
    changes_logged = query(db, "SELECT change, count(*) FROM resource_history GROUP BY ALL")
    assert sorted(changes_logged) == [("deleted", 1), ("new", n), ("updated", 1)]


def test_record_that_comes_back_is_counted_undeleted(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    harvest_demo(changed_sample(), db)  # the withdrawn record arrives deleted
    back = harvest_demo(SAMPLE, db)  # ... and comes back (the title reverts too)
    assert history_of(db, WITHDRAWN)[-1][0] == "undeleted"
    withdrawn = SAMPLE[WITHDRAWN]["identifier"]
    assert query(db, "SELECT deleted FROM resources WHERE oai_identifier = ?", [withdrawn]) == [
        (False,)
    ]
    # harvest_runs has a records_undeleted column, and records_updated does not count
    # undeleted records (its COMMENT says so): the run row must keep them apart.
    rows = query(
        db,
        "SELECT records_updated, records_undeleted FROM harvest_runs WHERE run_id = ?",
        [back.run_id],
    )
    assert rows == [(1, 1)]


def test_a_run_killed_before_it_planned_a_window_is_closed_by_the_next(tmp_path: Path) -> None:
    from warehouse import connect
    from warehouse.load import start_run, upsert_sources

    db = tmp_path / "wh.duckdb"
    with DemoServer() as server:
        source = Source(name="killed-early", kind="oai-pmh", endpoint=server.base_url)
        con = connect(db)
        upsert_sources(con, [source.as_row()])
        dead = start_run(
            con, source=source.name, endpoint=server.base_url, metadata_prefix="oai_dc",
            set_spec=None, from_=None, until=None, options={}, pipeline_version="test",
        )  # fmt: skip
        con.close()  # as if killed during Identify: 'running', no window, no finish time
        result = harvest_source(source, db=db)
    assert (result.status, result.mode, result.resumed_from) == ("ok", "full", None)
    assert query(db, "SELECT status, finished_at IS NOT NULL FROM harvest_runs WHERE run_id = ?",
                 [dead]) == [("interrupted", True)]  # fmt: skip


def test_a_run_stopped_after_listing_everything_is_finished_not_redone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipelines.harvest as harvest_module

    db = tmp_path / "wh.duckdb"
    gates = harvest_module._Harvest._gates

    def stop_before_the_end(self: harvest_module._Harvest) -> None:
        raise KeyboardInterrupt  # every window is done; gates, cursor and finish are not

    with DemoServer() as server:
        source = Source(name="stopped-late", kind="oai-pmh", endpoint=server.base_url)
        monkeypatch.setattr(harvest_module._Harvest, "_gates", stop_before_the_end)
        with pytest.raises(KeyboardInterrupt):
            harvest_source(source, db=db)
        monkeypatch.setattr(harvest_module._Harvest, "_gates", gates)
        before = server.requests
        result = harvest_source(source, db=db)
        requests = server.requests - before
    assert (result.status, result.mode, result.records) == ("ok", "resume", 0)
    assert requests == 1  # Identify only: nothing is listed again
    assert query(db, "SELECT count(*) FROM resources") == [(len(load_sample()),)]
    (cursor,) = query(db, "SELECT cursor_from FROM harvest_state WHERE source = 'stopped-late'")
    assert cursor[0] is not None


def test_identify_values_oai_does_not_allow_are_said_not_guessed(tmp_path: Path) -> None:
    identify = (
        oai_identify()
        .replace(b"YYYY-MM-DDThh:mm:ssZ", b"YYYY-MM-DDThh:mm:ss")
        .replace(b"<deletedRecord>persistent", b"<deletedRecord>sometimes")
    )
    page = oai_list_records([oai_dc_record("oai:fault.test:1", "One")])

    def answer(params: dict[str, str]) -> Answer:
        return 200, XML, identify if params.get("verb") == "Identify" else page

    db = tmp_path / "wh.duckdb"
    with FaultServer(answer) as server:
        result = harvest_url(server.base_url, db)
    assert (result.status, result.records, result.issues["identify_value"]) == ("ok", 1, 2)
    assert query(db, "SELECT granularity, deleted_record FROM harvest_state") == [
        ("YYYY-MM-DDThh:mm:ssZ", "no")
    ]
    messages = [m for (m,) in query(db, "SELECT message FROM run_issues ORDER BY seq")]
    assert messages == [
        "Identify gives granularity 'YYYY-MM-DDThh:mm:ss', not one of YYYY-MM-DD, "
        "YYYY-MM-DDThh:mm:ssZ; harvesting as 'YYYY-MM-DDThh:mm:ssZ'",
        "Identify gives deletedRecord 'sometimes', not one of no, transient, persistent; "
        "harvesting as 'no'",
    ]
