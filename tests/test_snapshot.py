"""The published snapshot: readers read it while another process writes the live file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipelines.harvest import HarvestOptions, harvest_source
from pipelines.registry import adhoc_source, get_source
from warehouse import WarehouseLocked, connect
from warehouse.snapshot import snapshot_path


def _count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM resources").fetchone()[0]


@contextmanager
def _writer(db: Path) -> Iterator[None]:
    """Another process holding the live warehouse open for writing, as a harvest does."""
    code = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"  # noqa: E501
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield
    finally:
        proc.kill()
        proc.wait()


def test_a_harvest_publishes_a_snapshot_readers_open_while_the_live_file_is_written(
    tmp_path: Path,
) -> None:
    db = tmp_path / "wh.duckdb"
    result = harvest_source(get_source("demo"), db=db)
    assert result.status == "ok"
    snapshot = snapshot_path(db)
    assert result.snapshot == str(snapshot) == str(tmp_path / "wh.snapshot.duckdb")
    assert _count(snapshot) == _count(db) == 360
    with _writer(db):
        with pytest.raises(WarehouseLocked) as locked:
            connect(db, read_only=True)
        assert "read the snapshot published" in str(locked.value)
        assert f"--db {snapshot}" in str(locked.value)
        done = CliRunner().invoke(app, ["sql", "SELECT count(*) AS n FROM v_resources",
                                        "--db", str(snapshot), "--json"])  # fmt: skip
        assert done.exit_code == 0, done.output
        assert json.loads(done.output) == {"n": 352}  # one row: one object


def test_publish_replaces_the_snapshot_atomically_and_an_open_reader_keeps_its_copy(
    tmp_path: Path, demo_warehouse: Path
) -> None:
    db = tmp_path / "wh.duckdb"
    shutil.copy(demo_warehouse, db)
    first = CliRunner().invoke(app, ["publish", "--db", str(db), "--json"])
    assert first.exit_code == 0, first.output
    published = json.loads(first.output)
    assert published["path"] == str(snapshot_path(db)) and published["bytes"] > 0
    reader = duckdb.connect(published["path"], read_only=True)
    try:
        with duckdb.connect(str(db)) as con:
            con.execute("DELETE FROM resource_labels")
            con.execute("DELETE FROM resources WHERE source = 'demo' AND deleted")
        again = CliRunner().invoke(app, ["publish", "--db", str(db)])
        assert again.exit_code == 0, again.output
        assert "Published" in again.output
        assert reader.execute("SELECT count(*) FROM resources").fetchone() == (360,)
    finally:
        reader.close()
    assert _count(snapshot_path(db)) == 352
    assert not list(tmp_path.glob("*.partial"))


def test_a_failed_run_leaves_the_previous_snapshot(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    harvest_source(get_source("demo"), db=db)
    before = snapshot_path(db).stat().st_mtime_ns
    gone = adhoc_source("http://127.0.0.1:9/oai", "oai_dc")
    failed = harvest_source(gone, db=db, options=HarvestOptions(max_retries=1, timeout=2))
    assert failed.status == "failed" and failed.snapshot is None
    assert snapshot_path(db).stat().st_mtime_ns == before


def test_publish_says_so_while_another_process_writes(tmp_path: Path, demo_warehouse: Path) -> None:
    db = tmp_path / "wh.duckdb"
    shutil.copy(demo_warehouse, db)
    with _writer(db):
        done = CliRunner().invoke(app, ["publish", "--db", str(db)])
    assert done.exit_code != 0
    assert "is locked" in done.output and "Traceback" not in done.output
