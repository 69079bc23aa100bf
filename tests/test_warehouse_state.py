"""Warehouse harvest state (002_harvest_state): schema, upgrade, windows, resume, sweeps."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa
import pytest

from tests.support.warehouse import one, rows
from transforms.model import Record, records_to_arrow
from warehouse import (
    add_pages,
    add_run_issue,
    connect,
    finish_run,
    load_records,
    schema_version,
    start_run,
    transaction,
    upsert_sources,
)
from warehouse import state as st
from warehouse.db import MIGRATIONS_DIR

NEW_TABLES = {"harvest_state", "harvest_windows", "harvest_listings", "issue_codes"}
VIEWS = {"v_harvest_status", "v_run_issues", "v_crosswalk_coverage"}  # and later migrations' views
REQUIRED_CODES = {
    "not_oai_response", "xml_parse_error", "http_error", "transport_error",
    "response_too_large", "retry_after_too_long", "retried", "bad_resumption_token",
    "badResumptionToken", "resumption_token_loop", "repeated_page", "empty_pages_with_token",
    "illegal_xml_char", "record_quarantined", "unsupported_format", "crosswalk_error",
    "count_drop", "incomplete_list", "from_ignored", "deleted_swept", "window_split",
    "interrupted", "internal_error", "badArgument", "badVerb", "cannotDisseminateFormat",
    "idDoesNotExist", "noSetHierarchy", "missing_title", "unparsable_date", "unknown_element",
}  # fmt: skip
STATUS_EFFECTS = {None, "partial", "suspect", "deferred", "blocked", "failed"}


def new_run(con: duckdb.DuckDBPyConnection, source: str = "src", **kw) -> str:
    args = {
        "source": source,
        "endpoint": "https://example.org/oai",
        "metadata_prefix": "oai_dc",
        "set_spec": None,
        "from_": None,
        "until": None,
        "options": {},
        "pipeline_version": "test",
    }
    return start_run(con, **(args | kw))


def end(con: duckdb.DuckDBPyConnection, run_id: str, status: str = "ok", **kw) -> None:
    finish_run(
        con, run_id, status=status, counts=kw.pop("counts", {}), wall_s=1, peak_rss_mb=1, **kw
    )


def rec(i: int, title: str = "Title", *, deleted: bool = False, source: str = "src") -> Record:
    r = Record(
        source=source,
        oai_identifier=f"oai:example.org:{i}",
        metadata_prefix="oai_dc",
        deleted=deleted,
        datestamp="2024-05-01",
        titles=[] if deleted else [{"value": f"{title} {i}", "lang": "en"}],
        raw_sha256=f"raw-{i}-{title}-{deleted}",
    )
    return r.finalise()


def listing(*ids: int) -> pa.Table:
    return pa.table(
        {"oai_identifier": pa.array([f"oai:example.org:{i}" for i in ids], pa.string())}
    )


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=30)
    return proc.pid


# ---------------------------------------------------------------- schema


def test_every_table_view_and_column_is_commented(con):
    tables = dict(rows(con, "SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal"))
    views = dict(rows(con, "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal"))
    assert set(tables) >= NEW_TABLES and set(views) >= VIEWS
    assert [n for n, c in (tables | views).items() if not (c or "").strip()] == []
    columns = rows(
        con, "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal"
    )
    assert {t for t, _, _ in columns} == set(tables) | set(views)
    assert [(t, c) for t, c, comment in columns if not (comment or "").strip()] == []


def test_fresh_file_is_at_the_latest_version_with_the_issue_taxonomy(con):
    assert schema_version(con) == max(int(p.name[:3]) for p in MIGRATIONS_DIR.glob("[0-9]*.sql"))
    codes = {
        c: (s, e)
        for c, s, e in rows(con, "SELECT code, severity, run_status_effect FROM issue_codes")
    }
    assert set(codes) >= REQUIRED_CODES
    assert {s for s, _ in codes.values()} <= {"info", "warning", "error"}
    assert {e for _, e in codes.values()} <= STATUS_EFFECTS
    assert {e for _, e in codes.values()} == STATUS_EFFECTS  # every status has a cause
    assert one(con, "SELECT count(*) FROM issue_codes WHERE meaning IS NULL OR meaning = ''") == 0


def test_later_migrations_upgrade_a_001_warehouse_holding_data(tmp_path):
    only_001 = tmp_path / "sql"
    only_001.mkdir()
    shutil.copy(MIGRATIONS_DIR / "001_core.sql", only_001)
    path = tmp_path / "old.duckdb"
    old = connect(path, migrations_dir=only_001)
    assert schema_version(old) == 1
    old.execute(
        "INSERT INTO harvest_runs (run_id, source, endpoint, metadata_prefix, started_at, status) "
        "VALUES ('r1', 'src', 'https://x/oai', 'oai_dc', now() - INTERVAL 2 DAY, 'ok'), "
        "('r2', 'src', 'https://x/oai', 'oai_dc', now() - INTERVAL 1 DAY, 'failed'), "
        "('r3', 'other', 'https://y/oai', 'oai_dc', now(), 'ok')"
    )
    old.execute(
        "INSERT INTO run_issues VALUES ('r2', 1, now(), 'http_error', 'error', 'm', NULL, NULL, "
        "NULL), ('r2', 2, now(), 'http_error', 'error', 'm', NULL, NULL, NULL)"
    )
    old.execute(
        "INSERT INTO raw_pages (run_id, page_number, url, response_date) VALUES "
        "('r1', 1, 'u1', '2024-05-01T10:00:00Z'), ('r1', 2, 'u2', '2024-05-01T10:05:00Z')"
    )
    for r, when in ((rec(1), None), (rec(2, deleted=True), "now()")):
        # the loaders of this version need schema 2: rows as 001-era code wrote them
        old.execute(
            "INSERT INTO resources (record_id, source, oai_identifier, metadata_prefix, "
            "deleted, content_hash, raw_sha256, first_seen_run, first_seen_at, last_seen_run, "
            "last_seen_at, last_changed_run, last_changed_at, deleted_at) "
            f"VALUES (?, 'src', ?, 'oai_dc', ?, ?, ?, 'r1', now(), 'r1', now(), 'r1', now(), "
            f"{when or 'NULL'})",
            [r.record_id, r.oai_identifier, r.deleted, r.content_hash, r.raw_sha256],
        )
    old.close()

    c = connect(path)  # applies 002 and later on top
    try:
        assert schema_version(c) == max(int(p.name[:3]) for p in MIGRATIONS_DIR.glob("[0-9]*.sql"))
        # 003: the new model columns read as empty, not NULL, on the old rows
        assert rows(c, "SELECT DISTINCT related, thumbnails, crosswalk FROM resources") == [
            ([], [], None)
        ]
        assert rows(c, "SELECT run_id, mode, issue_counts FROM harvest_runs ORDER BY run_id") == [
            ("r1", "full", "{}"),
            ("r2", "full", '{"http_error":2}'),
            ("r3", "full", "{}"),
        ]
        assert rows(
            c, "SELECT oai_identifier, deleted_reason FROM resources ORDER BY oai_identifier"
        ) == [("oai:example.org:1", None), ("oai:example.org:2", "header")]
        assert rows(
            c,
            "SELECT source, status, last_run_id, last_complete_run_id, "
            "last_complete_response_date, last_full_run_id FROM harvest_state ORDER BY source",
        ) == [
            ("other", "ok", "r3", "r3", None, "r3"),
            ("src", "failed", "r2", "r1", "2024-05-01T10:00:00Z", "r1"),
        ]
        assert rows(
            c,
            "SELECT source, status, last_run_id, last_run_issues FROM v_harvest_status ORDER BY 1",
        ) == [("other", "ok", "r3", None), ("src", "failed", "r2", "http_error 2")]
        # loaders still work on the upgraded file
        run = new_run(c)
        counts = load_records(c, run, records_to_arrow([rec(1), rec(3)]))
        assert (counts.new, counts.unchanged) == (1, 1)
        end(c, run)
    finally:
        c.close()


# ---------------------------------------------------------------- identify, cursor, status


def test_identify_cursor_and_status(con):
    assert st.get_state(con, "src") is None
    st.save_identify(
        con, "src", granularity="YYYY-MM-DD", earliest_datestamp="2001-01-01", deleted_record="no"
    )
    run = new_run(con)
    with transaction(con):
        st.set_cursor(
            con, "src", cursor_from=st.overlap_cursor("2024-05-10T10:00:00Z", "YYYY-MM-DD"),
            run_id=run, response_date="2024-05-10T10:00:00Z", records=42,
        )  # fmt: skip
        end(con, run, counts={"seen": 42})
    state = st.get_state(con, "src")
    assert state is not None
    picked = {k: state[k] for k in ("granularity", "deleted_record", "cursor_from", "status")}
    assert picked == {
        "granularity": "YYYY-MM-DD",
        "deleted_record": "no",
        "cursor_from": "2024-05-09",
        "status": "ok",
    }
    assert (state["last_complete_run_id"], state["last_complete_records"]) == (run, 42)
    assert state["last_full_run_id"] == run and state["identify_checked_at"] is not None
    with pytest.raises(ValueError, match="granularity"):
        st.save_identify(
            con, "src", granularity="YYYY", earliest_datestamp=None, deleted_record="no"
        )
    with pytest.raises(ValueError, match="deletedRecord"):
        st.save_identify(
            con, "src", granularity="YYYY-MM-DD", earliest_datestamp=None, deleted_record="yes"
        )
    suspect = new_run(con, mode="incremental")
    end(con, suspect, "suspect")
    with pytest.raises(ValueError, match="only a complete"):
        st.set_cursor(con, "src", cursor_from="x", run_id=suspect, response_date=None, records=0)
    assert st.get_state(con, "src")["cursor_from"] == "2024-05-09"
    until = datetime(2030, 1, 1, tzinfo=UTC)
    st.set_source_status(con, "src", "deferred", until)
    assert st.get_state(con, "src")["deferred_until"] == until
    st.set_source_status(con, "src", "ok", until)  # not deferred: no deferred_until
    assert st.get_state(con, "src")["deferred_until"] is None
    with pytest.raises(ValueError, match="unknown status"):
        st.set_source_status(con, "src", "fine")


def test_overlap_cursor():
    assert st.overlap_cursor("2024-03-01T00:00:10Z", "YYYY-MM-DD") == "2024-02-29"
    assert st.overlap_cursor("2024-03-01T00:00:00Z", "YYYY-MM-DDThh:mm:ssZ") == (
        "2024-02-29T23:59:59Z"
    )
    assert st.worse_status("partial", "suspect") == "suspect"
    assert st.worse_status("failed", "ok") == "failed"


def test_finish_run_new_fields_defaults_and_source_status(con):
    run = new_run(con, mode="incremental", from_="2024-05-01")
    add_run_issue(con, run, code="retried", severity="info", message="m")
    add_run_issue(con, run, code="retried", severity="info", message="m")
    until = datetime.now(UTC) + timedelta(hours=3)
    end(
        con, run, "deferred", counts={"seen": 5, "quarantined": 1}, expected_records=9,
        previous_records=8, deferred_until=until,
    )  # fmt: skip
    got = rows(
        con,
        "SELECT mode, status, records_seen, records_quarantined, expected_records, "
        "previous_records, issue_counts, deferred_until, pid, hostname IS NOT NULL, "
        "heartbeat_at >= started_at FROM harvest_runs",
    )
    assert got == [
        ("incremental", "deferred", 5, 1, 9, 8, '{"retried":2}', until, os.getpid(), True, True)
    ]
    state = st.get_state(con, "src")
    assert (state["status"], state["deferred_until"], state["last_run_id"]) == (
        "deferred",
        until,
        run,
    )
    assert state["last_full_run_id"] is None  # incremental
    run2 = new_run(con)
    end(con, run2, issue_counts={"missing_title": 3}, records_quarantined=0, mode="full")
    assert one(con, "SELECT issue_counts FROM harvest_runs WHERE run_id = ?", [run2]) == (
        '{"missing_title": 3}'
    )
    assert st.get_state(con, "src")["deferred_until"] is None
    with pytest.raises(ValueError, match="unknown run status"):
        end(con, new_run(con), "great")
    with pytest.raises(ValueError, match="resume run needs"):
        new_run(con, mode="resume")
    with pytest.raises(ValueError, match="no harvest run"):
        new_run(con, resumed_from_run_id="nope")


# ---------------------------------------------------------------- windows and checkpoints


def test_checkpoint_inside_a_caller_transaction_rolls_back_with_it(con):
    run = new_run(con)
    st.create_windows(con, run, [{"window_no": 1, "from_date": "2024-01-01"}])
    st.start_window(con, run, 1)
    beat = one(con, "SELECT heartbeat_at FROM harvest_runs")
    with pytest.raises(RuntimeError), transaction(con):
        load_records(con, run, records_to_arrow([rec(1), rec(2)]))
        st.checkpoint(
            con, run, 1, resumption_token="t1", pages_done=1, records_done=2,
            complete_list_size=10, response_date="2024-05-01T00:00:00Z",
        )  # fmt: skip
        raise RuntimeError("killed before commit")
    assert one(con, "SELECT count(*) FROM resources") == 0
    w = st.windows(con, run)[0]
    assert (w["resumption_token"], w["pages_done"], w["records_done"]) == (None, 0, 0)
    assert one(con, "SELECT heartbeat_at FROM harvest_runs") == beat
    with transaction(con):
        load_records(con, run, records_to_arrow([rec(1), rec(2)]))
        st.checkpoint(
            con, run, 1, resumption_token="t1", pages_done=1, records_done=2,
            complete_list_size=10, response_date="2024-05-01T00:00:00Z",
        )  # fmt: skip
    w = st.windows(con, run)[0]
    assert (w["status"], w["resumption_token"], w["records_done"], w["complete_list_size"]) == (
        "running",
        "t1",
        2,
        10,
    )
    assert one(con, "SELECT heartbeat_at FROM harvest_runs") > beat


def test_window_life_cycle(con):
    run = new_run(con)
    st.create_windows(
        con,
        run,
        [
            {"from_date": "2024-01-01", "until_date": "2024-01-31"},
            {"from_date": "2024-02-01", "until_date": "2024-02-29", "set_spec": "s"},
        ],
    )
    assert [(w["window_no"], w["status"]) for w in st.windows(con, run)] == [
        (1, "pending"),
        (2, "pending"),
    ]
    with pytest.raises(ValueError, match="already has window 1"):
        st.create_windows(con, run, [{"window_no": 1}])
    with pytest.raises(ValueError, match="unknown window field"):
        st.create_windows(con, run, [{"from": "x"}])
    st.start_window(con, run, 1)
    st.checkpoint(
        con, run, 1, resumption_token="a", pages_done=1, records_done=100,
        complete_list_size=None, response_date="r1",
    )  # fmt: skip
    st.retry_window(con, run, 1, error_code="bad_resumption_token", error_message="expired")
    w1 = st.windows(con, run)[0]
    assert (w1["status"], w1["attempts"], w1["resumption_token"], w1["records_done"]) == (
        "pending",
        1,
        None,
        0,
    )
    assert w1["last_error_code"] == "bad_resumption_token"
    st.start_window(con, run, 1)
    st.finish_window(con, run, 1, "done")
    with pytest.raises(ValueError, match="is done"):
        st.checkpoint(
            con, run, 1, resumption_token=None, pages_done=2, records_done=1,
            complete_list_size=None, response_date=None,
        )  # fmt: skip
    with pytest.raises(ValueError, match="has no window 9"):
        st.start_window(con, run, 9)
    children = st.split_window(
        con,
        run,
        2,
        [
            {"from_date": "2024-02-01", "until_date": "2024-02-14"},
            {"from_date": "2024-02-15", "until_date": "2024-02-29"},
        ],
    )
    assert children == [3, 4]
    merged = st.merge_windows(
        con, run, children, {"from_date": "2024-02-01", "until_date": "2024-02-29"}
    )
    assert merged == 5
    got = [
        (w["window_no"], w["status"], w["set_spec"], w["parent_window_no"])
        for w in st.windows(con, run)
    ]
    assert got == [
        (1, "done", None, None),
        (2, "split", "s", None),
        (3, "merged", "s", 5),
        (4, "merged", "s", 5),
        (5, "pending", None, None),
    ]
    st.finish_window(con, run, 5, "failed", "http_error", "503 x 5")
    assert st.window_totals(con, run) == {"records": 0, "expected": None, "open": 1, "failed": 1}
    with pytest.raises(ValueError, match="done or failed"):
        st.finish_window(con, run, 5, "split")


# ---------------------------------------------------------------- resume


def test_resumable_run_finds_an_interrupted_run_and_its_open_windows(con):
    done_before = new_run(con)
    end(con, done_before)
    run = new_run(con)
    st.create_windows(con, run, [{"window_no": n} for n in (1, 2, 3)])
    for no, token in ((1, None), (2, "tok-2")):
        st.start_window(con, run, no)
        st.checkpoint(
            con, run, no, resumption_token=token, pages_done=3, records_done=30,
            complete_list_size=60, response_date="2024-05-01T00:00:00Z",
        )  # fmt: skip
    st.finish_window(con, run, 1, "done")
    found = st.resumable_run(con, "src")
    assert found is not None and found["run_id"] == run
    assert found["process_alive"] is True  # it is this process
    con.execute("UPDATE harvest_runs SET pid = ? WHERE run_id = ?", [dead_pid(), run])
    found = st.resumable_run(con, "src")
    assert found["process_alive"] is False and found["status"] == "running"
    st.mark_run_interrupted(con, run)
    with pytest.raises(ValueError, match="not running"):
        st.mark_run_interrupted(con, run)
    found = st.resumable_run(con, "src")
    assert found is not None and found["status"] == "interrupted"
    assert found["effective_mode"] == "full"
    assert [(w["window_no"], w["status"], w["resumption_token"]) for w in found["windows"]] == [
        (1, "done", None),
        (2, "running", "tok-2"),
        (3, "pending", None),
    ]
    assert st.get_state(con, "src")["status"] == "interrupted"
    assert one(con, "SELECT code FROM v_run_issues WHERE run_id = ?", [run]) == "interrupted"

    resume = new_run(con, mode="resume", resumed_from_run_id=run)
    carried = st.carry_windows(con, resume, run)
    assert [
        (w["window_no"], w["status"], w["resumption_token"], w["records_done"]) for w in carried
    ] == [(1, "done", None, 30), (2, "pending", "tok-2", 30), (3, "pending", None, 0)]
    assert {w["carried_from_run_id"] for w in carried} == {run}
    found = st.resumable_run(con, "src")  # the old run is superseded by the resume run
    assert found is not None and found["run_id"] == resume
    assert found["effective_mode"] == "full"
    for no in (2, 3):
        st.finish_window(con, resume, no, "done")
    end(con, resume)
    assert st.resumable_run(con, "src") is None
    prev = st.previous_complete_run(con, "src", mode="full")
    assert (prev["run_id"], prev["effective_mode"], prev["window_records"]) == (resume, "full", 60)
    assert st.previous_complete_run(con, "src", mode="incremental") is None
    assert st.get_state(con, "src")["last_full_run_id"] == resume


def test_runs_older_than_a_complete_run_or_without_open_windows_are_not_resumable(con):
    stale = new_run(con)
    st.create_windows(con, stale, [{"window_no": 1}])
    end(con, stale, "interrupted")
    later = new_run(con)
    end(con, later)
    assert st.resumable_run(con, "src") is None
    no_windows = new_run(con)
    end(con, no_windows, "deferred", deferred_until=datetime(2030, 1, 1, tzinfo=UTC))
    assert st.resumable_run(con, "src") is None
    deferred = new_run(con)
    st.create_windows(con, deferred, [{"window_no": 1}])
    end(con, deferred, "deferred", deferred_until=datetime(2030, 1, 1, tzinfo=UTC))
    found = st.resumable_run(con, "src")
    assert found["run_id"] == deferred and found["deferred_until"].year == 2030
    assert st.resumable_run(con, "other") is None
    running = new_run(con)
    st.create_windows(con, running, [{"window_no": 1}])
    resume = new_run(con, mode="resume", resumed_from_run_id=running)
    with pytest.raises(ValueError, match="still running"):
        st.carry_windows(con, resume, running)


# ---------------------------------------------------------------- sweeps


def _full_run_with(con, records: list[Record], mode: str = "full") -> str:
    run = new_run(con, mode=mode)
    load_records(con, run, records_to_arrow(records))
    return run


def test_sweep_deleted_marks_exactly_the_missing_ones(con):
    loaded = _full_run_with(con, [rec(1), rec(2), rec(3), rec(4), rec(5, deleted=True)])
    end(con, loaded)
    other = new_run(con, source="other")
    load_records(con, other, records_to_arrow([rec(9, source="other")]))
    sweep = new_run(con, mode="sweep")
    st.create_windows(con, sweep, [{"window_no": 1}])
    st.add_listed(con, sweep, listing(1, 2))
    st.finish_window(con, sweep, 1, "done")
    end(con, sweep)
    n = st.sweep_deleted(con, sweep, "src", st.listed_identifiers(con, sweep))
    assert n == 2
    got = rows(
        con,
        "SELECT oai_identifier, deleted, deleted_reason, swept_run_id = ?, "
        "last_changed_run = ? FROM resources ORDER BY oai_identifier",
        [sweep, sweep],
    )
    assert got == [
        ("oai:example.org:1", False, None, None, False),
        ("oai:example.org:2", False, None, None, False),
        ("oai:example.org:3", True, "swept", True, True),
        ("oai:example.org:4", True, "swept", True, True),
        ("oai:example.org:5", True, "header", None, False),
        ("oai:example.org:9", False, None, None, False),
    ]
    assert (
        rows(
            con,
            "SELECT change, changed_fields, previous_hash = new_hash FROM resource_history "
            "WHERE run_id = ?",
            [sweep],
        )
        == [("deleted", ["deleted"], True)] * 2
    )
    assert rows(
        con, "SELECT records_swept, issue_counts FROM harvest_runs WHERE run_id = ?", [sweep]
    ) == [(2, '{"deleted_swept":2}')]
    assert st.get_state(con, "src")["last_sweep_run_id"] == sweep
    assert st.sweep_deleted(con, sweep, "src", listing(1, 2)) == 0  # idempotent
    # a swept record that comes back unchanged is undeleted
    back = new_run(con)
    counts = load_records(con, back, records_to_arrow([rec(3)]))
    assert counts.undeleted == 1
    assert rows(
        con,
        "SELECT deleted, deleted_at, deleted_reason, swept_run_id FROM resources "
        "WHERE oai_identifier = 'oai:example.org:3'",
    ) == [(False, None, None, None)]


@pytest.mark.parametrize("status", ["suspect", "failed", "interrupted", "deferred", "blocked"])
def test_sweep_refuses_on_an_incomplete_listing(con, status):
    end(con, _full_run_with(con, [rec(1), rec(2)]))
    run = new_run(con, mode="sweep")
    end(con, run, status)
    with pytest.raises(ValueError, match="never sweep"):
        st.sweep_deleted(con, run, "src", listing(1))
    assert one(con, "SELECT count(*) FROM resources WHERE deleted") == 0


def test_sweep_refuses_on_incremental_open_windows_empty_listing_or_other_source(con):
    end(con, _full_run_with(con, [rec(1), rec(2)]))
    incremental = new_run(con, from_="2024-01-01")
    end(con, incremental)
    with pytest.raises(ValueError, match="incremental run"):
        st.sweep_deleted(con, incremental, "src", listing(1))
    open_window = new_run(con, mode="sweep")
    st.create_windows(con, open_window, [{"window_no": 1}, {"window_no": 2}])
    st.finish_window(con, open_window, 1, "done")
    end(con, open_window)
    with pytest.raises(ValueError, match="not done"):
        st.sweep_deleted(con, open_window, "src", listing(1))
    empty = new_run(con, mode="sweep")
    end(con, empty)
    with pytest.raises(ValueError, match="listed nothing"):
        st.sweep_deleted(con, empty, "src", listing())
    with pytest.raises(ValueError, match="is of source"):
        st.sweep_deleted(con, empty, "other", listing(1))
    assert one(con, "SELECT count(*) FROM resources WHERE deleted") == 0


def test_a_resumed_sweep_uses_the_listing_of_the_whole_chain(con):
    end(con, _full_run_with(con, [rec(1), rec(2), rec(3)]))
    first = new_run(con, mode="sweep")
    st.create_windows(con, first, [{"window_no": 1}, {"window_no": 2}])
    with transaction(con):
        st.add_listed(
            con, first, pa.table({"oai_identifier": ["oai:example.org:1"], "window_no": [1]})
        )
        st.checkpoint(
            con, first, 1, resumption_token=None, pages_done=1, records_done=1,
            complete_list_size=None, response_date=None,
        )  # fmt: skip
    st.finish_window(con, first, 1, "done")
    end(con, first, "interrupted")
    second = new_run(con, mode="resume", resumed_from_run_id=first)
    st.carry_windows(con, second, first)
    st.add_listed(con, second, listing(2))
    st.finish_window(con, second, 2, "done")
    end(con, second)
    assert st.listed_identifiers(con, second).column("oai_identifier").to_pylist() == [
        "oai:example.org:1",
        "oai:example.org:2",
    ]
    assert st.sweep_deleted(con, second, "src", st.listed_identifiers(con, second)) == 1
    assert one(con, "SELECT oai_identifier FROM resources WHERE deleted") == "oai:example.org:3"


def test_sweep_only_covers_the_runs_sets(con):
    in_set = Record(
        source="src", oai_identifier="oai:example.org:1", metadata_prefix="oai_dc",
        set_specs=["a"], raw_sha256="x1",
    ).finalise()  # fmt: skip
    out_of_set = Record(
        source="src", oai_identifier="oai:example.org:2", metadata_prefix="oai_dc",
        set_specs=["b"], raw_sha256="x2",
    ).finalise()  # fmt: skip
    end(con, _full_run_with(con, [in_set, out_of_set]))
    run = new_run(con, mode="sweep", set_spec="a,c")
    end(con, run)
    assert st.sweep_deleted(con, run, "src", listing(7)) == 1
    assert one(con, "SELECT oai_identifier FROM resources WHERE deleted") == "oai:example.org:1"


# ---------------------------------------------------------------- views


def test_v_harvest_status_has_one_row_per_source_with_the_latest_run(con):
    upsert_sources(con, [{"name": "src"}, {"name": "never"}])
    first = new_run(con)
    end(con, first)
    latest = new_run(con)
    add_run_issue(con, latest, code="missing_title", severity="warning", message="m")
    add_run_issue(con, latest, code="retried", severity="info", message="m")
    add_run_issue(con, latest, code="retried", severity="info", message="m")
    end(con, latest, "partial", counts={"seen": 7}, error_code="http_error", error_url="u")
    other = new_run(con, source="adhoc")
    got = rows(
        con,
        "SELECT source, status, last_run_id, last_run_mode, last_run_records, last_run_issues, "
        "last_error_code, last_error_url FROM v_harvest_status ORDER BY source",
    )
    assert got == [
        ("adhoc", "running", other, "full", None, None, None, None),
        ("never", None, None, None, None, None, None, None),
        ("src", "partial", latest, "full", 7, "retried 2, missing_title 1", "http_error", "u"),
    ]
    issues = rows(
        con,
        "SELECT source, code, code_severity, run_status_effect, meaning IS NOT NULL "
        "FROM v_run_issues ORDER BY seq",
    )
    assert issues[0] == ("src", "missing_title", "warning", None, True)


def test_add_pages_accepts_window_no(con):
    run = new_run(con)
    pages = pa.table(
        {
            "page_number": [1],
            "url": ["u"],
            "http_status": [200],
            "fetched_at": pa.array([0], pa.timestamp("us", tz="UTC")),
            "elapsed_s": [0.1],
            "size_bytes": [10],
            "n_items": [1],
            "resumption_token": [None],
            "complete_list_size": [None],
            "response_date": ["2024-05-01T00:00:00Z"],
        }
    )
    add_pages(con, run, pages)
    add_pages(con, run, pages.set_column(0, "page_number", pa.array([2])).append_column(
        "window_no", pa.array([3], pa.int32())
    ))  # fmt: skip
    assert rows(con, "SELECT page_number, window_no FROM raw_pages ORDER BY 1") == [
        (1, None),
        (2, 3),
    ]
