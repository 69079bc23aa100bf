"""Warehouse: schema, migrations, locking and loaders, on real DuckDB files in tmp_path."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.warehouse import one, rows
from transforms.model import DERIVED_FIELDS, RECORD_SCHEMA, Record, records_to_arrow
from warehouse import (
    LoadCounts,
    WarehouseError,
    WarehouseLocked,
    add_pages,
    add_run_issue,
    connect,
    default_path,
    finish_run,
    load_raw_records,
    load_records,
    migrate,
    schema_version,
    start_run,
    transaction,
    upsert_sources,
)
from warehouse.db import MIGRATIONS_DIR, pending
from warehouse.load import COMPARED_FIELDS

CORE_TABLES = {
    "schema_version",
    "sources",
    "harvest_runs",
    "run_issues",
    "raw_pages",
    "raw_records",
    "resources",
    "resource_history",
}
# Every migration shipped in warehouse/sql, in order: tests follow the directory, so adding
# a migration does not mean editing version numbers here.
SHIPPED = sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql"))
VERSIONS = [int(p.name[:3]) for p in SHIPPED]
LATEST = VERSIONS[-1]

BOOKKEEPING = (
    "first_seen_run",
    "first_seen_at",
    "last_seen_run",
    "last_seen_at",
    "last_changed_run",
    "last_changed_at",
    "deleted_at",
    "deleted_reason",
    "swept_run_id",
)


def new_run(con: duckdb.DuckDBPyConnection, source: str = "src") -> str:
    return start_run(
        con,
        source=source,
        endpoint="https://example.org/oai",
        metadata_prefix="oai_dc",
        set_spec=None,
        from_=None,
        until=None,
        options={"page_delay_s": 0.5},
        pipeline_version="test",
    )


def rec(i: int, title: str = "Title", *, deleted: bool = False, **kw) -> Record:
    """Record number i; a deleted one has no metadata, like a deleted OAI header."""
    values = {
        "datestamp": "2024-05-01",
        "titles": [] if deleted else [{"value": f"{title} {i}", "lang": "en"}],
        "creators": []
        if deleted
        else [
            {
                "name": "Ada",
                "identifier": None,
                "role": None,
                "affiliation": None,
                "affiliation_id": None,
            }
        ],
        "languages": [] if deleted else ["en"],
        "raw_sha256": f"raw-{i}-{title}-{deleted}-{kw.get('datestamp')}",
    } | kw
    r = Record(
        source="src",
        oai_identifier=f"oai:example.org:{i}",
        metadata_prefix="oai_dc",
        deleted=deleted,
        **values,
    )
    return r.finalise()


def load(con: duckdb.DuckDBPyConnection, records: list[Record], run_id: str | None = None):
    run_id = run_id or new_run(con)
    return run_id, load_records(con, run_id, records_to_arrow(records))


def raw_table(items: list[tuple[str, str]], source: str = "src") -> pa.Table:
    """(oai_identifier, payload) pairs → a load_raw_records table."""
    return pa.table(
        {
            "source": [source] * len(items),
            "oai_identifier": [i for i, _ in items],
            "metadata_prefix": ["oai_dc"] * len(items),
            "datestamp": ["2024-05-01"] * len(items),
            "payload_sha256": [f"sha-{p}" for _, p in items],
            "payload": [f"<record>{p}</record>" for _, p in items],
            "page_url": ["https://example.org/oai?verb=ListRecords"] * len(items),
        }
    )


# ---------------------------------------------------------------- schema


def test_fresh_file_has_every_table_and_column_commented(con):
    tables = dict(
        rows(
            con,
            "SELECT table_name, comment FROM duckdb_tables() "
            "WHERE database_name = current_database() AND NOT internal",
        )
    )
    assert set(tables) >= CORE_TABLES
    assert [t for t, c in tables.items() if not (c or "").strip()] == []
    views = dict(
        rows(
            con,
            "SELECT view_name, comment FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal",
        )
    )
    assert [v for v, c in views.items() if not (c or "").strip()] == []
    columns = rows(
        con,
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND NOT internal",
    )
    assert {t for t, _, _ in columns} == set(tables) | set(views)
    assert [(t, c) for t, c, comment in columns if not (comment or "").strip()] == []


def test_resources_has_record_schema_columns_and_bookkeeping(con):
    # Later migrations append model columns after the bookkeeping ones: names, not order.
    schema = con.sql("SELECT * FROM resources LIMIT 0").to_arrow_table().schema
    assert sorted(schema.names) == sorted([*RECORD_SCHEMA.names, *BOOKKEEPING])
    model_part = pa.schema([schema.field(n) for n in RECORD_SCHEMA.names])
    assert model_part.equals(RECORD_SCHEMA)
    # the normalised columns change with the normaliser, not the source: not compared
    assert set(COMPARED_FIELDS) == set(RECORD_SCHEMA.names) - {
        "record_id",
        "content_hash",
        "raw_sha256",
        *DERIVED_FIELDS,
    }


# ---------------------------------------------------------------- migrations


def test_migrations_apply_once_and_second_connect_applies_nothing(tmp_path):
    path = tmp_path / "wh.duckdb"
    raw = duckdb.connect(str(path))
    assert migrate(raw) == VERSIONS
    assert migrate(raw) == []
    raw.close()
    c = connect(path)
    assert pending(c) == []
    assert migrate(c) == []
    assert schema_version(c) == LATEST
    assert rows(c, "SELECT version, filename FROM schema_version ORDER BY version") == [
        (int(p.name[:3]), p.name) for p in SHIPPED
    ]
    c.close()


def _copy_migrations(tmp_path: Path) -> Path:
    d = tmp_path / "sql"
    shutil.copytree(MIGRATIONS_DIR, d)
    return d


def test_new_migration_in_other_dir_is_applied_once(tmp_path, con):
    d = _copy_migrations(tmp_path)
    (d / "999_fake.sql").write_text(
        "-- Fake migration for the test.\n"
        "CREATE TABLE fake (x INTEGER);\n"
        "COMMENT ON TABLE fake IS 'fake';\n"
        "COMMENT ON COLUMN fake.x IS 'x';\n"
    )
    assert pending(con, d) == [999]
    assert migrate(con, d) == [999]
    assert migrate(con, d) == []
    assert schema_version(con) == 999
    assert one(con, "SELECT description FROM schema_version WHERE version = 999") == (
        "Fake migration for the test."
    )
    assert one(con, "SELECT count(*) FROM fake") == 0


def test_failing_migration_is_rolled_back_whole(tmp_path, con):
    d = _copy_migrations(tmp_path)
    (d / "900_bad.sql").write_text("CREATE TABLE half_done (x INTEGER);\nCREATE TABLE oops (;\n")
    with pytest.raises(WarehouseError, match=r"migration 900_bad\.sql failed") as e:
        migrate(con, d)
    assert "\n" not in str(e.value)
    assert schema_version(con) == LATEST
    assert one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half_done'") == 0


def test_edited_applied_migration_is_refused(tmp_path, con):
    d = _copy_migrations(tmp_path)
    core = d / "001_core.sql"
    core.write_text(core.read_text() + "\n-- an edit after release\n")
    with pytest.raises(WarehouseError, match="edited after it was applied"):
        migrate(con, d)


def test_migration_numbered_below_current_is_refused(tmp_path, con):
    d = _copy_migrations(tmp_path)
    (d / "910_later.sql").write_text("CREATE TABLE later (x INTEGER);\n")
    assert migrate(con, d) == [910]
    (d / "905_late_branch.sql").write_text("CREATE TABLE late (x INTEGER);\n")
    with pytest.raises(WarehouseError, match="forward-only"):
        migrate(con, d)


# ---------------------------------------------------------------- connect


def test_default_path_env_and_fallback(monkeypatch, tmp_path):
    monkeypatch.delenv("OER_WAREHOUSE", raising=False)
    assert default_path() == Path("data/warehouse.duckdb")
    monkeypatch.setenv("OER_WAREHOUSE", "")
    assert default_path() == Path("data/warehouse.duckdb")
    target = tmp_path / "nested" / "dir" / "w.duckdb"
    monkeypatch.setenv("OER_WAREHOUSE", str(target))
    assert default_path() == target
    c = connect()  # creates the parent directories
    assert target.exists()
    assert schema_version(c) == LATEST
    c.close()


def test_read_only_connect_does_not_migrate(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    ro = connect(path, read_only=True)
    assert schema_version(ro) == 0
    assert pending(ro) == VERSIONS
    ro.close()
    rw = connect(path)
    assert schema_version(rw) == LATEST
    rw.close()
    ro = connect(path, read_only=True)
    assert one(ro, "SELECT count(*) FROM resources") == 0
    with pytest.raises(duckdb.Error, match="read-only"):
        ro.execute("DELETE FROM resources")
    ro.close()


def test_read_only_connect_upgrades_an_older_warehouse_first(tmp_path):
    only_001 = tmp_path / "sql"
    only_001.mkdir()
    shutil.copy(MIGRATIONS_DIR / "001_core.sql", only_001)
    path = tmp_path / "old.duckdb"
    connect(path, migrations_dir=only_001).close()
    ro = connect(path, read_only=True)
    assert schema_version(ro) == LATEST
    assert one(ro, "SELECT count(*) FROM v_crosswalk_coverage") == 0
    ro.close()


def test_read_only_connect_to_missing_file_is_a_warehouse_error(tmp_path):
    with pytest.raises(WarehouseError, match="does not exist"):
        connect(tmp_path / "nope.duckdb", read_only=True)
    assert not (tmp_path / "nope.duckdb").exists()


def test_not_a_duckdb_file_is_one_line_warehouse_error(tmp_path):
    path = tmp_path / "junk.duckdb"
    path.write_bytes(b"this is not a database\n" * 500)
    with pytest.raises(WarehouseError) as e:
        connect(path)
    assert not isinstance(e.value, WarehouseLocked)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


def test_second_process_holding_the_file_raises_warehouse_locked(tmp_path):
    path = tmp_path / "wh.duckdb"
    connect(path).close()
    holder = textwrap.dedent(
        f"""
        import sys, time, duckdb
        con = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for read_only in (False, True):
            with pytest.raises(WarehouseLocked) as e:
                connect(path, read_only=read_only)
            msg = str(e.value)
            assert "\n" not in msg
            assert str(path) in msg and "another process" in msg and "writing it" in msg
            assert f"PID {proc.pid}" in msg
            assert e.value.pid == proc.pid
    finally:
        proc.kill()
        proc.wait(timeout=10)
    connect(path).close()  # lock released with the process


# ---------------------------------------------------------------- runs, issues, pages, sources


def test_run_bookkeeping(con):
    run_id = new_run(con)
    assert rows(con, "SELECT status, options->>'page_delay_s' FROM harvest_runs") == [
        ("running", "0.5")
    ]
    counts = LoadCounts(new=3, updated=1).as_counts() | {"seen": 5, "failed": 1, "pages": 2}
    finish_run(
        con,
        run_id,
        status="partial",
        counts=counts,
        error_code="not_oai_response",
        error_message="page 3 is HTML",
        error_url="https://example.org/oai?resumptionToken=x",
        wall_s=1.5,
        peak_rss_mb=80.0,
    )
    got = rows(
        con,
        "SELECT status, records_seen, records_new, records_updated, records_unchanged, "
        "records_failed, pages, bytes, error_code, wall_s, finished_at >= started_at "
        "FROM harvest_runs",
    )
    assert got == [("partial", 5, 3, 1, 0, 1, 2, None, "not_oai_response", 1.5, True)]
    with pytest.raises(ValueError, match="already finished"):
        finish_run(con, run_id, status="ok", counts={}, wall_s=0, peak_rss_mb=0)
    with pytest.raises(ValueError, match="unknown count"):
        finish_run(con, new_run(con), status="ok", counts={"sen": 1}, wall_s=0, peak_rss_mb=0)
    with pytest.raises(ValueError, match="no harvest run"):
        finish_run(con, "nope", status="ok", counts={}, wall_s=0, peak_rss_mb=0)


def test_run_issues_are_numbered_and_keep_raw_body(con):
    run_id = new_run(con)
    body = b"<html>\xff\x00 not OAI</html>"
    add_run_issue(
        con,
        run_id,
        code="not_oai_response",
        severity="error",
        message="HTML page",
        url="https://example.org/oai",
        raw_body=body,
    )
    add_run_issue(
        con,
        run_id,
        code="missing_title",
        severity="warning",
        message="no title",
        oai_identifier="oai:example.org:1",
    )
    got = rows(con, "SELECT seq, code, raw_body, oai_identifier FROM run_issues ORDER BY seq")
    assert got == [
        (1, "not_oai_response", body, None),
        (2, "missing_title", None, "oai:example.org:1"),
    ]
    with pytest.raises(ValueError, match="no harvest run"):
        add_run_issue(con, "nope", code="x", severity="error", message="m")


def test_add_pages(con):
    run_id = new_run(con)
    pages = pa.table(
        {
            "page_number": [1, 2],
            "url": ["https://example.org/oai?verb=ListRecords", "https://example.org/oai?rt=a"],
            "http_status": [200, 200],
            "fetched_at": pa.array(
                [1_700_000_000_000_000, 1_700_000_001_000_000], pa.timestamp("us", tz="UTC")
            ),
            "elapsed_s": [0.5, 0.25],
            "size_bytes": [1000, 900],
            "n_items": [100, 90],
            "resumption_token": ["a", None],
            "complete_list_size": [190, 190],
            "response_date": ["2024-05-01T00:00:00Z", "2024-05-01T00:00:01Z"],
        }
    )
    add_pages(con, run_id, pages)
    got = rows(con, "SELECT run_id, page_number, resumption_token FROM raw_pages ORDER BY 2")
    assert got == [(run_id, 1, "a"), (run_id, 2, None)]
    with pytest.raises(ValueError, match="missing column"):
        add_pages(con, run_id, pages.drop_columns(["n_items"]))


def test_upsert_sources(con):
    upsert_sources(
        con,
        [
            {
                "name": "oerc",
                "kind": "oai-pmh",
                "endpoint": "https://a/oai",
                "sets": ["s1"],
                "defaults": {"timeout_s": 30},
            }
        ],
    )
    first = rows(
        con, "SELECT endpoint, sets, enabled, defaults->>'timeout_s', updated_at FROM sources"
    )
    assert first[0][:4] == ("https://a/oai", ["s1"], True, "30")
    upsert_sources(
        con, [{"name": "oerc", "endpoint": "https://b/oai", "sets": ["s1", "s2"], "enabled": False}]
    )
    second = rows(con, "SELECT endpoint, sets, enabled, defaults, updated_at FROM sources")
    assert second[0][:4] == ("https://b/oai", ["s1", "s2"], False, None)
    assert second[0][4] >= first[0][4]
    with pytest.raises(ValueError, match="unknown sources column"):
        upsert_sources(con, [{"name": "x", "url": "https://x"}])
    assert one(con, "SELECT count(*) FROM sources") == 1


# ---------------------------------------------------------------- raw layer


def test_raw_records_same_payload_twice_inserts_nothing(con):
    run1 = new_run(con)
    items = [("oai:a", "p1"), ("oai:b", "p2"), ("oai:a", "p1")]  # duplicate within batch
    assert load_raw_records(con, run1, raw_table(items)) == 2
    before = rows(con, "SELECT * FROM raw_records ORDER BY oai_identifier")
    run2 = new_run(con)
    assert load_raw_records(con, run2, raw_table(items)) == 0
    assert rows(con, "SELECT * FROM raw_records ORDER BY oai_identifier") == before
    # a changed payload of a known record is a new raw row; the old one is kept
    assert load_raw_records(con, run2, raw_table([("oai:a", "p1-changed")])) == 1
    assert rows(
        con,
        "SELECT payload, first_run_id FROM raw_records WHERE oai_identifier = 'oai:a' "
        "ORDER BY first_seen_at, payload",
    ) == [("<record>p1</record>", run1), ("<record>p1-changed</record>", run2)]


def test_raw_records_reject_empty_keys_and_unknown_columns(con):
    run_id = new_run(con)
    bad = raw_table([("oai:a", "p1")]).set_column(
        4, "payload_sha256", pa.array([None], pa.string())
    )
    with pytest.raises(ValueError, match="empty payload_sha256"):
        load_raw_records(con, run_id, bad)
    with pytest.raises(ValueError, match="unknown column"):
        load_raw_records(con, run_id, raw_table([("oai:a", "p")]).append_column("x", pa.array([1])))
    assert one(con, "SELECT count(*) FROM raw_records") == 0


# ---------------------------------------------------------------- resources


def test_same_batch_twice_changes_nothing_but_last_seen(con):
    batch = [rec(i) for i in range(50)]
    run1, counts1 = load(con, batch)
    assert counts1 == LoadCounts(new=50)
    assert rows(con, "SELECT change, count(*) FROM resource_history GROUP BY ALL") == [("new", 50)]
    history = rows(con, "SELECT * FROM resource_history ORDER BY record_id")
    model = ", ".join(RECORD_SCHEMA.names)
    state_sql = f"SELECT {model}, first_seen_run, last_changed_run FROM resources ORDER BY 1"
    state = rows(con, state_sql)
    run2, counts2 = load(con, batch)
    assert counts2 == LoadCounts(unchanged=50)
    assert rows(con, "SELECT * FROM resource_history ORDER BY record_id") == history
    assert rows(con, state_sql) == state
    runs = "SELECT DISTINCT first_seen_run, last_seen_run, last_changed_run FROM resources"
    assert rows(con, runs) == [(run1, run2, run1)]


def test_changed_record_updates_resource_and_appends_history(con):
    run1, _ = load(con, [rec(1), rec(2)])
    first_seen = one(con, "SELECT first_seen_at FROM resources WHERE oai_identifier LIKE '%:1'")
    changed = rec(1, "New title", rights=["CC-BY-4.0"])
    run2, counts = load(con, [changed, rec(2)])
    assert counts == LoadCounts(updated=1, unchanged=1)
    got = rows(
        con,
        "SELECT titles, rights, content_hash, raw_sha256, first_seen_run, first_seen_at, "
        "last_changed_run, last_seen_run FROM resources WHERE record_id = ?",
        [changed.record_id],
    )
    assert got == [
        (
            [{"value": "New title 1", "lang": "en"}],
            ["CC-BY-4.0"],
            changed.content_hash,
            changed.raw_sha256,
            run1,
            first_seen,
            run2,
            run2,
        )
    ]
    hist = rows(
        con,
        "SELECT run_id, change, changed_fields, previous_hash, new_hash, previous_raw_sha256, "
        "new_raw_sha256 FROM resource_history WHERE record_id = ? ORDER BY changed_at",
        [changed.record_id],
    )
    assert hist == [
        (run1, "new", None, None, rec(1).content_hash, None, rec(1).raw_sha256),
        (
            run2,
            "updated",
            ["titles", "rights"],
            rec(1).content_hash,
            changed.content_hash,
            rec(1).raw_sha256,
            changed.raw_sha256,
        ),
    ]
    assert one(con, "SELECT count(*) FROM resources") == 2


def test_deleted_and_undeleted_transitions(con):
    live = rec(7)
    gone = rec(7, deleted=True)
    run1, c1 = load(con, [live])
    run2, c2 = load(con, [gone])
    assert (c1, c2) == (LoadCounts(new=1), LoadCounts(deleted=1))
    deleted_at, deleted = rows(con, "SELECT deleted_at, deleted FROM resources")[0]
    assert deleted is True and deleted_at is not None
    assert one(con, "SELECT changed_fields FROM resource_history WHERE change = 'deleted'") == [
        "deleted",
        "titles",
        "creators",
        "languages",
    ]
    _, c3 = load(con, [gone])  # the deleted header again: unchanged, deleted_at kept
    assert c3 == LoadCounts(unchanged=1)
    assert one(con, "SELECT deleted_at FROM resources") == deleted_at
    restamped = rec(7, deleted=True, datestamp="2024-06-01")  # still deleted, new datestamp
    restamped_run, c3b = load(con, [restamped])
    assert c3b == LoadCounts(updated=1)
    assert rows(con, "SELECT deleted, deleted_at, datestamp FROM resources") == [
        (True, deleted_at, "2024-06-01")
    ]
    run4, c4 = load(con, [live])
    assert c4 == LoadCounts(undeleted=1)
    assert rows(con, "SELECT deleted, deleted_at, titles FROM resources") == [
        (False, None, live.titles)
    ]
    assert rows(con, "SELECT run_id, change FROM resource_history ORDER BY changed_at") == [
        (run1, "new"),
        (run2, "deleted"),
        (restamped_run, "updated"),
        (run4, "undeleted"),
    ]


def test_record_first_seen_deleted_is_new_with_deleted_at(con):
    _, counts = load(con, [rec(3, deleted=True)])
    assert counts == LoadCounts(new=1)
    assert rows(con, "SELECT deleted, deleted_at = first_seen_at FROM resources") == [(True, True)]


def test_duplicate_record_id_in_one_batch_keeps_last_and_counts_once(con):
    batch = [rec(1, "First"), rec(2), rec(1, "Second"), rec(1, "Third")]
    _, counts = load(con, batch)
    assert counts == LoadCounts(new=2)
    assert one(con, "SELECT count(*) FROM resources") == 2
    assert (
        one(con, "SELECT titles[1].value FROM resources WHERE record_id = ?", [batch[0].record_id])
        == "Third 1"
    )
    assert one(con, "SELECT count(*) FROM resource_history") == 2
    # and against an existing row: the last occurrence decides (here: unchanged)
    _, counts = load(con, [rec(1, "Other"), rec(1, "Third")])
    assert counts == LoadCounts(unchanged=1)


def test_bad_records_are_refused_before_anything_is_written(con):
    run_id = new_run(con)
    table = records_to_arrow([rec(1), rec(2)])
    no_hash = table.set_column(
        table.schema.get_field_index("content_hash"), "content_hash", pa.array(["x", ""])
    )
    with pytest.raises(ValueError, match=r"1 row.*empty content_hash"):
        load_records(con, run_id, no_hash)
    with pytest.raises(ValueError, match=r"lacks RECORD_SCHEMA column.*titles"):
        load_records(con, run_id, table.drop_columns(["titles"]))
    with pytest.raises(ValueError, match="no harvest run"):
        load_records(con, "nope", table)
    assert one(con, "SELECT count(*) FROM resources") == 0


def test_failed_load_rolls_back_history_too(con):
    run_id = new_run(con)
    table = records_to_arrow([rec(1), rec(2)])
    i = table.schema.get_field_index("deleted")
    broken = table.set_column(i, "deleted", pa.array([False, None], pa.bool_()))
    with pytest.raises(duckdb.ConstraintException):
        load_records(con, run_id, broken)
    assert one(con, "SELECT count(*) FROM resource_history") == 0
    assert one(con, "SELECT count(*) FROM resources") == 0
    with pytest.raises(duckdb.ConstraintException), transaction(con):  # not masked when nested
        load_records(con, run_id, broken)
    assert one(con, "SELECT count(*) FROM resource_history") == 0
    assert load_records(con, run_id, table) == LoadCounts(new=2)  # connection still usable


def test_loads_join_an_outer_transaction(con):
    run_id = new_run(con)
    with pytest.raises(RuntimeError), transaction(con):
        load_records(con, run_id, records_to_arrow([rec(1)]))
        load_raw_records(con, run_id, raw_table([("oai:a", "p1")]))
        raise RuntimeError("page failed after loading")
    assert one(con, "SELECT count(*) FROM resources") == 0
    assert one(con, "SELECT count(*) FROM raw_records") == 0
    with transaction(con):
        load_records(con, run_id, records_to_arrow([rec(1)]))
    assert one(con, "SELECT count(*) FROM resources") == 1


# One step: (record number, version, deleted). Loaded in batches, the warehouse must end
# with the last step of each record, and history must hold exactly its transitions.
_steps = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 2), st.booleans()), min_size=1, max_size=30
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=_steps, batch_size=st.integers(1, 7))
def test_history_replays_to_current_state(tmp_path_factory, steps, batch_size):
    c = connect(tmp_path_factory.mktemp("prop") / "wh.duckdb")
    try:
        expected_changes = 0
        state: dict[int, Record] = {}
        for start in range(0, len(steps), batch_size):
            batch = [rec(i, f"v{v}", deleted=d) for i, v, d in steps[start : start + batch_size]]
            last = {int(r.oai_identifier.rsplit(":", 1)[1]): r for r in batch}
            for i, r in last.items():
                if i not in state or state[i].content_hash != r.content_hash:
                    expected_changes += 1
                state[i] = r
            counts = load(c, batch)[1]
            assert counts.total == len(last)
        got = dict(rows(c, "SELECT record_id, content_hash FROM resources"))
        assert got == {r.record_id: r.content_hash for r in state.values()}
        assert one(c, "SELECT count(*) FROM resource_history") == expected_changes
        inconsistent = "SELECT count(*) FROM resources WHERE deleted <> (deleted_at IS NOT NULL)"
        assert one(c, inconsistent) == 0
    finally:
        c.close()
