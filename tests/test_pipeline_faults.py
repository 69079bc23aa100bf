"""Every fault of tests/support/fault_server.py, through the whole pipeline: harvest_source
over real HTTP into a real DuckDB warehouse, compared with a clean harvest of the same
records. Each fault either heals (the run ends ok, the warehouse equals the clean one,
and an issue names what happened) or is terminal (the run ends with the status and code
that name it, keeps what it received, and a later run without the fault ends clean)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.demo.server import load_sample
from pipelines.harvest import HarvestOptions, HarvestResult, SourceDeferred, harvest_source
from pipelines.registry import Source
from pipelines.run import Batch, Checkpoint, Run
from tests.support.fault_server import BROKEN_TITLE, Fault, FaultServer
from transforms.model import RECORD_SCHEMA

RECORDS = load_sample()[::3]  # 120 demo records (2 deleted), datestamps 2019-2026
PAGE = 10  # windows of 1 to 5 pages; page 2 first exists in window 6, page 3 in window 8
NAME = "faulty"
FAST = {"backoff_base_s": 0.01, "timeout": 2.0, "max_retries": 3, "max_wait_s": 5.0}
MODEL_COLUMNS = [*RECORD_SCHEMA.names, "deleted_reason"]
RAW_COLUMNS = ["source", "oai_identifier", "metadata_prefix", "payload_sha256", "datestamp"]
HISTORY_COLUMNS = [
    "change",
    "changed_fields",
    "previous_hash",
    "new_hash",
    "previous_raw_sha256",
    "new_raw_sha256",
]


# ----------------------------------------------------------------- helpers


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def scalar(db: Path, sql: str, params: list[Any] | None = None) -> Any:
    (row,) = rows(db, sql, params)
    (value,) = row.values()
    return value


def execute(db: Path, sql: str, params: list[Any] | None = None) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(sql, params)


def source_of(server: FaultServer, name: str = NAME) -> Source:
    return Source(name=name, kind="oai-pmh", endpoint=server.base_url)


def harvest(
    server: FaultServer,
    db: Path,
    name: str = NAME,
    progress: Callable[[int, int | None], None] | None = None,
    **options: Any,
) -> HarvestResult:
    return harvest_source(
        source_of(server, name),
        db=db,
        progress=progress,
        options=HarvestOptions(**{**FAST, **options}),
    )


def serve(records: list[dict] | None = None, **options: Any) -> FaultServer:
    return FaultServer(RECORDS if records is None else records, page_size=PAGE, **options)


@dataclass
class Warehouse:
    resources: dict[str, dict]  # oai_identifier → model columns
    raw: set[tuple]  # raw_records rows (payload included), page_url excluded
    history: Counter  # (oai_identifier, change, hashes...) rows, run ids/timestamps excluded


def snapshot(db: Path) -> Warehouse:
    model = ", ".join(f'"{c}"' for c in MODEL_COLUMNS)
    resources = {r["oai_identifier"]: r for r in rows(db, f"SELECT {model} FROM resources")}
    raw = {
        tuple(r.values())
        for r in rows(db, f"SELECT {', '.join(RAW_COLUMNS)}, payload FROM raw_records")
    }
    history = Counter(
        tuple(r.values())
        for r in rows(
            db,
            f"SELECT r.oai_identifier, {', '.join('h.' + c for c in HISTORY_COLUMNS)} "
            "FROM resource_history h JOIN resources r USING (record_id)",
        )
    )
    return Warehouse(resources, raw, history)


def differences(got: dict[str, dict], want: dict[str, dict]) -> list[str]:
    """Field-by-field differences of two resources snapshots, for a readable failure."""
    found = [f"missing {i}" for i in sorted(want.keys() - got.keys())]
    found += [f"unexpected {i}" for i in sorted(got.keys() - want.keys())]
    for identifier in sorted(want.keys() & got.keys()):
        for column in MODEL_COLUMNS:
            if got[identifier][column] != want[identifier][column]:
                found.append(f"{identifier}.{column}: {got[identifier][column]!r}")
    return found


def assert_clean(db: Path, clean: Warehouse, *, history: bool = False) -> None:
    got = snapshot(db)
    assert differences(got.resources, clean.resources) == []
    assert got.raw == clean.raw
    if history:
        assert got.history == clean.history


def assert_kept(db: Path, clean: Warehouse, received: int) -> Warehouse:
    """After a failed run: what it loaded is exactly what it received, each as clean."""
    got = snapshot(db)
    assert 0 < len(got.resources) == received
    subset = {i: clean.resources[i] for i in got.resources if i in clean.resources}
    assert differences(got.resources, subset) == []
    assert got.raw <= clean.raw
    return got


def issues(db: Path, run_id: str, code: str | None = None) -> list[dict]:
    return rows(
        db,
        "SELECT code, severity, message, url, oai_identifier, raw_body FROM run_issues "
        "WHERE run_id = ? AND (? IS NULL OR code = ?) ORDER BY seq",
        [run_id, code, code],
    )


def run_row(db: Path, run_id: str) -> dict:
    (row,) = rows(db, "SELECT * FROM harvest_runs WHERE run_id = ?", [run_id])
    return row


def list_hits(server: FaultServer) -> list[dict[str, str]]:
    return [hit.params for hit in server.requests if hit.verb == "ListRecords"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    db = tmp_path_factory.mktemp("clean") / "wh.duckdb"
    with serve() as server:
        result = harvest(server, db)
    assert (result.status, result.records, result.new) == ("ok", 120, 120)
    assert issues(db, result.run_id) == []
    return snapshot(db)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh.duckdb"


# ----------------------------------------------------------------- faults that heal

RETRIED = [
    Fault("status", page=2, verb="ListRecords", status=503, retry_after="1"),
    Fault("status", page=2, verb="ListRecords", status=429, retry_after="+1"),
    Fault("status", page=3, verb="ListRecords", status=503, retry_after="+1"),
    Fault("status", page=2, verb="ListRecords", times=2, status=500),
    Fault("status", page=2, verb="ListRecords", times=2, status=502),
    Fault("status", page=3, verb="ListRecords", times=2, status=504),
    Fault("status", page=1, verb="ListRecords", status=503, body=b"<html>busy</html>"),
    Fault("reset", page=2, verb="ListRecords", times=2),
    Fault("hangup", page=2, verb="ListRecords"),
    Fault("slow", page=2, verb="ListRecords", delay_s=0.8),
    Fault("status", verb="Identify", status=503, retry_after="0"),
]
RETRIED_IDS = [
    "503-retry-after-seconds",
    "429-retry-after-http-date",
    "503-retry-after-http-date",
    "500",
    "502",
    "504",
    "503-html-body-page-1",
    "reset",
    "hangup-mid-body",
    "slow-beyond-timeout",
    "503-on-identify",
]


@pytest.mark.parametrize("fault", RETRIED, ids=RETRIED_IDS)
def test_retried_fault_ends_ok_and_clean(fault: Fault, db: Path, clean: Warehouse) -> None:
    timeout = 0.4 if fault.kind == "slow" else FAST["timeout"]
    with serve(faults=[fault]) as server:
        result = harvest(server, db, timeout=timeout)
        faulted = [hit for hit in server.requests if hit.fault]
    assert result.status == "ok", result.error
    assert len(faulted) == fault.times
    retried = issues(db, result.run_id, "retried")
    assert len(retried) == fault.times
    assert {i["severity"] for i in retried} == {"info"}
    assert all(i["url"].startswith(server.base_url) for i in retried)
    if fault.retry_after is not None:
        assert all("(retry-after)" in i["message"] for i in retried)
        if fault.retry_after == "1":  # the server's wait was honoured
            after = next(h for h in server.requests if h.started > faulted[0].ended)
            assert after.started - faulted[0].ended >= 0.9
    assert {i["code"] for i in issues(db, result.run_id)} == {"retried"}
    assert result.issues["retried"] == fault.times
    assert_clean(db, clean, history=True)


def test_wrong_content_type_is_a_warning(db: Path, clean: Warehouse) -> None:
    fault = Fault("content_type", page=2, verb="ListRecords", content_type="text/plain")
    with serve(faults=[fault]) as server:
        result = harvest(server, db)
    assert result.status == "ok", result.error
    (warning,) = issues(db, result.run_id)
    assert (warning["code"], warning["severity"]) == ("unexpected_content_type", "warning")
    assert "text/plain" in warning["message"]
    assert_clean(db, clean, history=True)


def test_bad_token_once_redoes_only_that_window(db: Path, clean: Warehouse) -> None:
    fault = Fault("bad_token", page=3, verb="ListRecords")
    with serve(faults=[fault]) as server:
        result = harvest(server, db)
        hits = list_hits(server)
    assert result.status == "ok", result.error
    (warning,) = issues(db, result.run_id)
    assert (warning["code"], warning["severity"]) == ("bad_resumption_token", "warning")
    assert b"badResumptionToken" in warning["raw_body"]
    # window 8 (3 pages) asked again from its first page, and no other window was
    (window,) = rows(db, "SELECT * FROM harvest_windows WHERE attempts > 1")
    assert (window["window_no"], window["status"]) == (8, "done")
    assert window["last_error_code"] == "badResumptionToken"
    again = [dict(p) for p, n in Counter(tuple(sorted(h.items())) for h in hits).items() if n > 1]
    assert [p.get("from") for p in again] == [window["from_date"], None, None]
    assert len(hits) == 19 + 3  # a clean run's 19 requests, and pages 1-3 of window 8 again
    # the completeListSize given (single-page windows give none), window 8's once
    assert run_row(db, result.run_id)["expected_records"] == 11 + 14 + 23 + 48 + 18
    assert_clean(db, clean, history=True)


@pytest.mark.parametrize("text", ["\x0b", "&#1;"], ids=["raw-control-char", "char-reference"])
def test_illegal_xml_char_is_removed_with_a_record_warning(
    text: str, db: Path, clean: Warehouse
) -> None:
    target = RECORDS[40]["identifier"]
    with serve(illegal_chars={target: text}) as server:
        result = harvest(server, db)
    assert result.status == "ok", result.error
    (warning,) = issues(db, result.run_id)
    assert (warning["code"], warning["severity"]) == ("illegal_xml_char", "warning")
    assert warning["oai_identifier"] == target
    assert "U+0001" in warning["message"] or "U+000B" in warning["message"]
    # removing the character gives back the record exactly as the clean server sends it
    assert_clean(db, clean, history=True)


def test_huge_text_node_parses(db: Path, clean: Warehouse) -> None:
    target, size = RECORDS[60]["identifier"], 10_500_000  # libxml2's default cap is 10 MB
    with serve(huge_text={target: size}) as server:
        result = harvest(server, db, timeout=10.0)
    assert result.status == "ok", result.error
    assert issues(db, result.run_id) == []
    got = snapshot(db)
    huge = got.resources.pop(target)
    want = dict(clean.resources)
    title = want.pop(target)["titles"][0]["value"]
    assert huge["titles"][0]["value"] == "x" * size + title
    assert differences(got.resources, want) == []
    assert len(got.raw - clean.raw) == 1


def test_server_ignoring_from_until_is_listed_once(db: Path, clean: Warehouse) -> None:
    with serve(ignore_from_until=True) as server:
        result = harvest(server, db)
        hits = list_hits(server)
    assert result.status == "ok", result.error
    (warning,) = issues(db, result.run_id)
    assert (warning["code"], warning["severity"]) == ("from_ignored", "warning")
    # the first window already listed everything: no further window asks again
    assert len(hits) == len(RECORDS) // PAGE
    assert result.records == len(RECORDS)
    assert scalar(db, "SELECT count(*) FROM resource_history") == len(RECORDS)
    assert_clean(db, clean, history=True)


def test_empty_pages_under_the_cap_are_followed(db: Path, clean: Warehouse) -> None:
    fault = Fault("empty_pages", page=4, verb="ListRecords", count=3)
    with serve(faults=[fault]) as server:
        result = harvest(server, db)
    assert result.status == "ok", result.error
    assert result.pages == 18 + 3
    assert_clean(db, clean, history=True)


def test_truncated_page_falls_back_to_record_by_record(db: Path, clean: Warehouse) -> None:
    fault = Fault("truncate", page=2, verb="ListRecords")
    with serve(faults=[fault]) as server:
        result = harvest(server, db)
        counts = Counter(hit.verb for hit in server.requests)
    assert result.status == "ok", result.error
    (warning,) = issues(db, result.run_id)
    assert (warning["code"], warning["severity"]) == ("xml_parse_error", "warning")
    assert counts["ListIdentifiers"] == 2  # window 6 (11 records), listed again by header
    assert counts["GetRecord"] == 11
    assert result.quarantined == 0
    assert_clean(db, clean, history=True)


def test_broken_record_alone_is_quarantined(db: Path, clean: Warehouse) -> None:
    target = RECORDS[50]["identifier"]
    with serve(broken_records={target}) as server:
        result = harvest(server, db)
    assert result.status == "partial", result.error
    assert result.quarantined == 1
    codes = [(i["code"], i["severity"]) for i in issues(db, result.run_id)]
    assert codes == [("xml_parse_error", "warning"), ("record_quarantined", "error")]
    (kept,) = issues(db, result.run_id, "record_quarantined")
    assert kept["oai_identifier"] == target
    assert BROKEN_TITLE in kept["raw_body"]
    assert f"<identifier>{target}</identifier>".encode() in kept["raw_body"]
    got = snapshot(db)
    want = {i: r for i, r in clean.resources.items() if i != target}
    assert differences(got.resources, want) == []
    assert got.raw == {r for r in clean.raw if r[1] != target}
    assert scalar(db, "SELECT status FROM harvest_state") == "partial"


# ----------------------------------------------------------------- terminal faults

WINDOWED, ONE_LIST = {}, {"windowed": False}
TERMINAL = [
    (Fault("html", page=2, verb="ListRecords"), "failed", "not_oai_response", WINDOWED),
    (Fault("json", page=2, verb="ListRecords"), "failed", "not_oai_response", WINDOWED),
    (Fault("empty", page=3, verb="ListRecords"), "failed", "not_oai_response", WINDOWED),
    (Fault("token_loop", page=4, verb="ListRecords"), "failed", "resumption_token_loop", WINDOWED),
    (Fault("repeat_page", page=4, verb="ListRecords"), "failed", "repeated_page", WINDOWED),
    (
        Fault("empty_pages", page=4, verb="ListRecords", count=5),
        "failed",
        "empty_pages_with_token",
        WINDOWED,
    ),
    (Fault("status", page=2, verb="ListRecords", status=403), "blocked", "access_denied", WINDOWED),
    (Fault("status", page=5, times=None, status=500), "failed", "http_error", ONE_LIST),
]
TERMINAL_IDS = [
    "html-login-page",
    "json-body",
    "empty-body",
    "token-loop",
    "repeated-page",
    "empty-pages-beyond-cap",
    "403",
    "persistent-500-unwindowed",
]


@pytest.mark.parametrize(("fault", "status", "code", "options"), TERMINAL, ids=TERMINAL_IDS)
def test_terminal_fault_keeps_what_arrived_and_a_later_run_ends_clean(
    fault: Fault, status: str, code: str, options: dict, db: Path, clean: Warehouse
) -> None:
    with serve(faults=[fault]) as server:
        first = harvest(server, db, max_retries=2, **options)
    assert (first.status, first.error_code) == (status, code)
    (error,) = issues(db, first.run_id, code)
    assert error["severity"] == "error"
    assert error["url"] is not None and error["url"].startswith(server.base_url)
    assert error["raw_body"] is not None
    assert scalar(db, "SELECT status FROM v_harvest_status") == status
    kept = assert_kept(db, clean, first.records)
    assert len(kept.resources) >= 16  # windows 1-5 and the pages before the fault
    with serve() as server:
        second = harvest(server, db, **options)
    assert second.status == "ok", second.error
    assert second.mode in ("full", "resume")
    assert_clean(db, clean)
    assert scalar(db, "SELECT status FROM v_harvest_status") == "ok"


# ----------------------------------------------------------------- deferred


def test_retry_after_beyond_max_wait_defers_then_resumes(db: Path, clean: Warehouse) -> None:
    fault = Fault("status", page=3, verb="ListRecords", status=429, retry_after="3600")
    with serve(faults=[fault]) as server:
        first = harvest(server, db, max_wait_s=1)
        asked = len(server.requests)
        assert first.status == "deferred"
        assert first.error_code == "retry_after_too_long"
        expected = datetime.now(UTC) + timedelta(seconds=3600)
        assert abs((first.deferred_until - expected).total_seconds()) < 30
        run = run_row(db, first.run_id)
        assert abs((run["deferred_until"] - expected).total_seconds()) < 30
        state = rows(db, "SELECT status, deferred_until FROM harvest_state")[0]
        assert state["status"] == "deferred"
        assert abs((state["deferred_until"] - expected).total_seconds()) < 30
        (window,) = rows(db, "SELECT * FROM harvest_windows WHERE status NOT IN ('done')")
        assert window["pages_done"] == 2 and window["resumption_token"]
        assert scalar(db, "SELECT status FROM v_harvest_status") == "deferred"
        # before deferred_until: refused without a single request
        with pytest.raises(SourceDeferred) as deferred:
            harvest(server, db, max_wait_s=1)
        assert deferred.value.until == state["deferred_until"]
        assert len(server.requests) == asked
    execute(db, "UPDATE harvest_runs SET deferred_until = now() - INTERVAL 1 MINUTE")
    execute(db, "UPDATE harvest_state SET deferred_until = now() - INTERVAL 1 MINUTE")
    with serve() as server:
        second = harvest(server, db, max_wait_s=1)
        hits = list_hits(server)
    assert second.status == "ok", second.error
    assert (second.mode, second.resumed_from) == ("resume", first.run_id)
    assert run_row(db, second.run_id)["resumed_from_run_id"] == first.run_id
    # only the rest of the deferred window, then the windows after it
    assert hits[0] == {"verb": "ListRecords", "resumptionToken": window["resumption_token"]}
    assert len(hits) == 1 + 5 + 2  # page 3 of window 8, windows 9 and 10
    assert second.records == 120 - first.records
    assert_clean(db, clean, history=True)


def test_expired_token_after_a_deferral_redoes_the_window(db: Path, clean: Warehouse) -> None:
    fault = Fault("status", page=3, verb="ListRecords", status=503, retry_after="3600")
    with serve(faults=[fault]) as server:
        first = harvest(server, db, max_wait_s=1, windowed=False)
    assert first.status == "deferred"
    execute(db, "UPDATE harvest_runs SET deferred_until = now() - INTERVAL 1 MINUTE")
    with serve(faults=[Fault("bad_token", page=3, verb="ListRecords")]) as server:
        second = harvest(server, db, max_wait_s=1, windowed=False)
        hits = list_hits(server)
    assert second.status == "ok", second.error
    assert second.mode == "resume"
    assert [i["code"] for i in issues(db, second.run_id)] == ["bad_resumption_token"]
    assert "resumptionToken" not in hits[1]  # the window again from its first page
    assert_clean(db, clean)


# ----------------------------------------------------------------- incremental


def changed(records: list[dict], picks: list[int], when: datetime) -> list[dict]:
    out = [dict(r) for r in records]
    for n, i in enumerate(picks):
        metadata = dict(out[i]["metadata"])
        metadata["title"] = [{"value": f"Revised edition {n}", "lang": "en"}]
        stamp = (when + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out[i] = {**out[i], "metadata": metadata, "datestamp": stamp}
    return out


def test_incremental_run_lists_only_the_changed_records(db: Path) -> None:
    began = time.time()
    with serve() as server:
        first = harvest(server, db)
    assert first.status == "ok"
    response_date = scalar(db, "SELECT last_complete_response_date FROM harvest_state")
    moment = datetime.strptime(response_date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert began - 1 < moment.timestamp() <= time.time()  # the first run's Identify
    cursor = (moment - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert scalar(db, "SELECT cursor_from FROM harvest_state") == cursor
    picks = [3, 30, 77, 101]
    assert not any(RECORDS[i].get("deleted") for i in picks)
    modified = changed(RECORDS, picks, datetime.now(UTC) + timedelta(seconds=1))
    with serve(modified) as server:
        second = harvest(server, db)
        hits = list_hits(server)
    assert (second.status, second.mode) == ("ok", "incremental")
    assert hits == [{"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": cursor}]
    assert (second.records, second.updated, second.new) == (4, 4, 0)
    updated = rows(
        db,
        "SELECT r.oai_identifier, h.change, r.titles[1].value AS title FROM resource_history h "
        "JOIN resources r USING (record_id) WHERE h.run_id = ? ORDER BY 1",
        [second.run_id],
    )
    want = sorted(
        (modified[i]["identifier"], "updated", f"Revised edition {n}") for n, i in enumerate(picks)
    )
    assert [tuple(r.values()) for r in updated] == want
    datestamps = rows(db, "SELECT oai_identifier, datestamp FROM resources")
    assert {r["oai_identifier"]: r["datestamp"] for r in datestamps} == {
        r["identifier"]: r["datestamp"] for r in modified
    }
    state = rows(db, "SELECT * FROM harvest_state")[0]
    assert state["last_complete_run_id"] == second.run_id
    assert state["cursor_from"] >= cursor  # the same second when both runs are that fast


# ----------------------------------------------------------------- windows


def test_a_page_failing_persistently_heals_by_splitting(db: Path, clean: Warehouse) -> None:
    fault = Fault("status", page=2, verb="ListRecords", times=None, status=500)
    with serve(faults=[fault]) as server:
        result = harvest(server, db, max_retries=2)
    assert result.status == "ok", result.error
    splits = issues(db, result.run_id, "window_split")
    assert splits and all("HTTP 500" in i["message"] for i in splits)
    done = rows(db, "SELECT pages_done FROM harvest_windows WHERE status = 'done'")
    assert max(w["pages_done"] for w in done) == 1  # no window reached a page 2
    assert_clean(db, clean, history=True)


def test_large_windows_split_and_end_clean(db: Path, clean: Warehouse) -> None:
    with serve() as server:
        result = harvest(server, db, max_window_records=12)
    assert result.status == "ok", result.error
    splits = issues(db, result.run_id, "window_split")
    assert splits and {i["severity"] for i in splits} == {"info"}
    windows = rows(db, "SELECT * FROM harvest_windows WHERE run_id = ?", [result.run_id])
    split = [w for w in windows if w["status"] == "split"]
    assert len(split) == len(splits)
    assert {w["status"] for w in windows} == {"done", "split"}
    assert max(w["records_done"] for w in windows if w["status"] == "done") <= 12
    children = [w for w in windows if w["parent_window_no"] is not None]
    assert {w["parent_window_no"] for w in children} == {w["window_no"] for w in split}
    assert run_row(db, result.run_id)["expected_records"] == scalar(
        db,
        "SELECT sum(complete_list_size) FROM harvest_windows WHERE run_id = ? AND status = 'done'",
        [result.run_id],
    )
    assert_clean(db, clean, history=True)


def test_every_set_is_listed_up_to_the_present(db: Path, clean: Warehouse) -> None:
    sets = ("type:textbook", "type:course")
    with serve() as server:
        source = Source(name=NAME, kind="oai-pmh", endpoint=server.base_url, sets=sets)
        result = harvest_source(source, db=db, options=HarvestOptions(**FAST))
    assert result.status == "ok", result.error
    reach = rows(
        db, "SELECT set_spec, count(*) FILTER (WHERE until_date IS NULL) AS open_ended "
        "FROM harvest_windows GROUP BY ALL ORDER BY 1",
    )  # fmt: skip
    assert [tuple(r.values()) for r in reach] == [("type:course", 1), ("type:textbook", 1)]
    want = {r["identifier"] for r in RECORDS if set(r["sets"]) & set(sets)}
    got = snapshot(db)
    assert differences(got.resources, {i: clean.resources[i] for i in want}) == []


def test_a_window_failing_persistently_splits_then_fails_the_run(
    db: Path, clean: Warehouse
) -> None:
    probe_db = db.with_name("probe.duckdb")
    with serve() as server:
        harvest(server, probe_db)
    start = scalar(probe_db, "SELECT from_date FROM harvest_windows WHERE window_no = 7")
    fault = Fault("status", verb="ListRecords", times=None, status=500, where={"from": start})
    with serve(faults=[fault]) as server:
        result = harvest(server, db, max_retries=2)
    assert (result.status, result.error_code) == ("failed", "http_error")
    splits = issues(db, result.run_id, "window_split")
    assert len(splits) >= 5 and all("http_error" in i["message"] for i in splits)
    windows = rows(
        db, "SELECT * FROM harvest_windows WHERE run_id = ? ORDER BY window_no", [result.run_id]
    )
    (stuck,) = [w for w in windows if w["status"] == "failed"]
    assert (stuck["from_date"], stuck["last_error_code"]) == (start, "http_error")
    assert stuck["parent_window_no"] is not None
    assert {w["status"] for w in windows} == {"done", "split", "failed", "pending"}
    # everything before the window is loaded; the run stopped there
    got = assert_kept(db, clean, result.records)
    assert got.resources.keys() == {r["identifier"] for r in RECORDS if r["datestamp"] < start}
    assert scalar(db, "SELECT cursor_from FROM harvest_state") is None


# ----------------------------------------------------------------- completeness gates


def test_overstated_complete_list_size_is_suspect(db: Path, clean: Warehouse) -> None:
    with serve() as server:
        first = harvest(server, db)
    cursor = scalar(db, "SELECT cursor_from FROM harvest_state")
    with serve(overstate_list_size=10) as server:
        result = harvest(server, db, mode="full")
    assert result.status == "suspect"
    gaps = issues(db, result.run_id, "incomplete_list")
    assert gaps and {i["severity"] for i in gaps} == {"warning"}
    assert scalar(db, "SELECT cursor_from FROM harvest_state") == cursor
    assert scalar(db, "SELECT last_complete_run_id FROM harvest_state") == first.run_id
    assert scalar(db, "SELECT status FROM v_harvest_status") == "suspect"
    assert_clean(db, clean)


def test_count_drop_against_the_previous_full_run_is_suspect(db: Path) -> None:
    with serve() as server:
        harvest(server, db)
    cursor = scalar(db, "SELECT cursor_from FROM harvest_state")
    with serve(RECORDS[:100]) as server:  # 16.7 % fewer
        result = harvest(server, db, mode="full")
    assert result.status == "suspect"
    (drop,) = issues(db, result.run_id, "count_drop")
    assert "100" in drop["message"] and "120" in drop["message"]
    assert run_row(db, result.run_id)["previous_records"] == 120
    assert scalar(db, "SELECT cursor_from FROM harvest_state") == cursor
    assert scalar(db, "SELECT count(*) FROM resources WHERE NOT deleted") == 118


def test_count_drop_after_a_resumed_full_run_is_suspect(db: Path) -> None:
    with serve() as server, pytest.raises(KeyboardInterrupt):
        harvest(server, db, windowed=False, progress=interrupt_after(40))
    with serve() as server:
        resumed = harvest(server, db, windowed=False)
    assert (resumed.status, resumed.mode) == ("ok", "resume")
    with serve(RECORDS[:90]) as server:
        result = harvest(server, db, mode="full", windowed=False)
    assert result.status == "suspect"
    assert issues(db, result.run_id, "count_drop")


# ----------------------------------------------------------------- mark-and-sweep

LIVE = [r for r in RECORDS if not r.get("deleted")]  # deletedRecord "no": nothing reported


def test_sweep_marks_records_missing_from_a_full_listing(db: Path) -> None:
    with serve(LIVE, deleted_record="no") as server:
        first = harvest(server, db)
    assert first.status == "ok"
    assert scalar(db, "SELECT deleted_record FROM harvest_state") == "no"
    # the first full run keeps its listing (and sweeps, finding nothing) already
    listed = scalar(db, "SELECT count(*) FROM harvest_listings WHERE run_id = ?", [first.run_id])
    assert listed == len(LIVE)
    assert scalar(db, "SELECT last_sweep_run_id FROM harvest_state") == first.run_id
    gone = [LIVE[i]["identifier"] for i in (5, 20, 44, 70, 110)]
    with serve([r for r in LIVE if r["identifier"] not in gone], deleted_record="no") as server:
        second = harvest(server, db, mode="full")
    assert second.status == "ok", second.error
    swept = rows(
        db,
        "SELECT oai_identifier, deleted, deleted_reason, swept_run_id, deleted_at FROM resources "
        "WHERE deleted ORDER BY 1",
    )
    assert [r["oai_identifier"] for r in swept] == sorted(gone)
    assert {(r["deleted_reason"], r["swept_run_id"]) for r in swept} == {("swept", second.run_id)}
    assert all(r["deleted_at"] is not None for r in swept)
    history = rows(
        db,
        "SELECT r.oai_identifier, h.change, h.changed_fields FROM resource_history h "
        "JOIN resources r USING (record_id) WHERE h.run_id = ? ORDER BY 1",
        [second.run_id],
    )
    assert [tuple(h.values()) for h in history] == [
        (i, "deleted", ["deleted"]) for i in sorted(gone)
    ]
    assert run_row(db, second.run_id)["records_swept"] == 5
    assert [i["code"] for i in issues(db, second.run_id, "deleted_swept")] == ["deleted_swept"]


def test_a_quarantined_record_is_not_swept(db: Path) -> None:
    with serve(LIVE, deleted_record="no") as server:
        harvest(server, db)
    target = LIVE[50]["identifier"]
    with serve(LIVE, deleted_record="no", broken_records={target}) as server:
        second = harvest(server, db, mode="full")
    assert (second.status, second.quarantined) == ("partial", 1)
    assert scalar(db, "SELECT count(*) FROM resources WHERE deleted") == 0
    assert run_row(db, second.run_id)["records_swept"] == 0


def test_periodic_sweep_is_a_listidentifiers_pass_after_an_incremental_run(db: Path) -> None:
    with serve(LIVE, deleted_record="no") as server:
        harvest(server, db)
    gone = [LIVE[i]["identifier"] for i in (3, 30, 60)]
    with serve([r for r in LIVE if r["identifier"] not in gone], deleted_record="no") as server:
        second = harvest(server, db, sweep_every_days=0)  # auto: incremental, then the sweep
        verbs = [hit.verb for hit in server.requests]
    assert (second.mode, second.status, second.records) == ("incremental", "ok", 0)
    assert second.sweep is not None and second.sweep["swept"] == 3
    sweep = run_row(db, second.sweep["run_id"])
    assert (sweep["mode"], sweep["status"], sweep["records_swept"]) == ("sweep", "ok", 3)
    # the sweep asked for headers only, and loaded no record from them
    assert "ListIdentifiers" in verbs
    assert verbs.count("ListRecords") == 1  # the incremental run's one request
    assert scalar(db, "SELECT count(*) FROM raw_records WHERE payload NOT LIKE '%<metadata%'") == 0
    swept = rows(
        db, "SELECT oai_identifier FROM resources WHERE deleted_reason = 'swept' ORDER BY 1"
    )
    assert [r["oai_identifier"] for r in swept] == sorted(gone)
    assert scalar(db, "SELECT count(*) FROM resources WHERE deleted") == 3


def test_a_sweep_listing_far_shorter_than_the_warehouse_sweeps_nothing(db: Path) -> None:
    with serve(LIVE, deleted_record="no") as server:
        harvest(server, db)
    with serve(LIVE[: len(LIVE) // 2], deleted_record="no") as server:
        sweep = harvest(server, db, mode="sweep")
    assert (sweep.status, sweep.issues.get("count_drop")) == ("suspect", 1)
    assert scalar(db, "SELECT count(*) FROM resources WHERE deleted") == 0


def test_suspect_or_failed_runs_never_sweep(db: Path) -> None:
    with serve(LIVE, deleted_record="no") as server:
        harvest(server, db)
    with serve(LIVE[:90], deleted_record="no") as server:  # 23 % fewer: suspect
        suspect = harvest(server, db, mode="full")
    assert suspect.status == "suspect"
    html = Fault("html", page=3, verb="ListRecords")
    with serve(LIVE[:-3], deleted_record="no", faults=[html]) as server:
        failed = harvest(server, db, mode="full")
    assert failed.status == "failed"
    assert scalar(db, "SELECT count(*) FROM resources WHERE deleted") == 0
    assert scalar(db, "SELECT count(*) FROM harvest_runs WHERE records_swept > 0") == 0


# ----------------------------------------------------------------- interrupted and resumed


def interrupt_after(n: int):
    def progress(records: int, expected: int | None) -> None:
        if records >= n:
            raise KeyboardInterrupt

    return progress


@pytest.mark.parametrize("after", [1, 35, 95], ids=["first-page", "mid-window", "late"])
def test_interrupted_run_resumes_to_the_clean_warehouse(
    after: int, db: Path, clean: Warehouse
) -> None:
    with serve() as server, pytest.raises(KeyboardInterrupt):
        harvest(server, db, progress=interrupt_after(after))
    (first,) = rows(db, "SELECT * FROM harvest_runs")
    assert (first["status"], first["error_code"]) == ("interrupted", "interrupted")
    loaded = scalar(db, "SELECT count(*) FROM resources")
    assert loaded == first["records_seen"] >= after
    assert scalar(db, "SELECT status FROM v_harvest_status") == "interrupted"
    with serve() as server:
        second = harvest(server, db)
        hits = list_hits(server)
    assert (second.status, second.mode) == ("ok", "resume")
    assert second.resumed_from == first["run_id"]
    assert second.records == 120 - loaded
    assert not any(h.get("from") is None and "resumptionToken" not in h for h in hits[1:])
    assert_clean(db, clean, history=True)


def test_a_run_stopped_between_two_windows_resumes(
    db: Path, clean: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    flush = Run.flush

    def flush_then_stop(run: Run, batch: Batch, point: Checkpoint | None) -> None:
        flush(run, batch, point)
        if point is not None and point.window_done and point.window_no == 6:
            raise KeyboardInterrupt  # as a kill right after window 6's last transaction

    monkeypatch.setattr(Run, "flush", flush_then_stop)
    with serve() as server, pytest.raises(KeyboardInterrupt):
        harvest(server, db)
    monkeypatch.setattr(Run, "flush", flush)
    assert scalar(db, "SELECT count(*) FROM resources") == 17  # windows 1-6
    with serve() as server:
        second = harvest(server, db)
        hits = list_hits(server)
    assert (second.status, second.mode, second.records) == ("ok", "resume", 120 - 17)
    assert len(hits) == 2 + 3 + 5 + 2  # windows 7-10 only
    assert_clean(db, clean, history=True)


# ----------------------------------------------------------------- v_harvest_status


@pytest.fixture
def many_sources(db: Path) -> Iterator[Path]:
    with serve() as server:
        harvest(server, db, "clean")
    with serve(broken_records={RECORDS[50]["identifier"]}) as server:
        harvest(server, db, "broken")
    with serve(faults=[Fault("html", page=2, verb="ListRecords")]) as server:
        harvest(server, db, "login")
    busy = Fault("status", page=2, verb="ListRecords", status=503, retry_after="7200")
    with serve(faults=[busy]) as server:
        harvest(server, db, "busy", max_wait_s=1)
    with serve(faults=[Fault("status", page=2, status=401)]) as server:
        harvest(server, db, "closed")
    with serve(overstate_list_size=20) as server:
        harvest(server, db, "short")
    with serve() as server, pytest.raises(KeyboardInterrupt):
        harvest(server, db, "killed", progress=interrupt_after(30))
    yield db


def test_v_harvest_status_names_each_source_status(many_sources: Path) -> None:
    got = {
        r["source"]: (r["status"], r["last_run_status"], r["last_error_code"])
        for r in rows(many_sources, "SELECT * FROM v_harvest_status")
    }
    assert got == {
        "clean": ("ok", "ok", None),
        "broken": ("partial", "partial", None),
        "login": ("failed", "failed", "not_oai_response"),
        "busy": ("deferred", "deferred", "retry_after_too_long"),
        "closed": ("blocked", "blocked", "access_denied"),
        "short": ("suspect", "suspect", None),
        "killed": ("interrupted", "interrupted", "interrupted"),
    }
    (busy,) = rows(many_sources, "SELECT * FROM v_harvest_status WHERE source = 'busy'")
    assert busy["deferred_until"] > datetime.now(UTC) + timedelta(seconds=7000)
    (broken,) = rows(many_sources, "SELECT * FROM v_harvest_status WHERE source = 'broken'")
    assert "record_quarantined 1" in broken["last_run_issues"]
    assert broken["cursor_from"] is not None
