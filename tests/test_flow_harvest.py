"""The harvest-source flow under a real (temporary) Prefect API, on the embedded demo server."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.demo.server import load_sample


@pytest.mark.prefect
def test_harvest_source_flow_lands_every_demo_record(prefect_harness: None, tmp_path: Path) -> None:
    from flows.harvest import harvest_source

    db = tmp_path / "wh.duckdb"
    state = harvest_source(source="demo", db=str(db), return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    expected = len(load_sample())
    assert (result["status"], result["records"], result["new"]) == ("ok", expected, expected)

    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT source, status, records_seen FROM harvest_runs").fetchall()
        resources = con.execute("SELECT count(*) FROM resources").fetchone()
    assert runs == [("demo", "ok", expected)]
    assert resources == (expected,)
