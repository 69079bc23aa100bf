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


def _artifacts(flow_run_id) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )


@pytest.mark.prefect
def test_a_harvest_run_leaves_a_markdown_artifact_with_its_counts(
    prefect_harness: None, tmp_path: Path
) -> None:
    from flows.harvest import harvest_key, harvest_source

    state = harvest_source(source="demo", db=str(tmp_path / "wh.duckdb"), return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    [artifact] = _artifacts(state.state_details.flow_run_id)
    assert artifact.key == harvest_key("demo") == "harvest-demo"
    assert artifact.type == "markdown"
    assert f"## demo: {result['status']}" in artifact.data
    assert f"| new | {result['new']:,} |" in artifact.data
    assert f"| classified | {result['classified']:,} |" in artifact.data
    assert harvest_key("url:127.0.0.1:8080/oai") == "harvest-url-127-0-0-1-8080-oai"


@pytest.mark.prefect
def test_the_reclassify_flow_classifies_again_without_harvesting(
    prefect_harness: None, demo_warehouse: Path, tmp_path: Path
) -> None:
    import shutil

    from flows.reclassify import reclassify

    db = tmp_path / "wh.duckdb"
    shutil.copy(demo_warehouse, db)
    state = reclassify(db=str(db), force=True, return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    assert result["classified"]["records"] == result["normalised"]["records"] - _deleted(db)
    assert result["normalised"]["changed"] == 0  # the harvest already normalised them
    [artifact] = _artifacts(state.state_details.flow_run_id)
    assert artifact.key == "reclassify" and "records classified" in artifact.data
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM harvest_runs").fetchone() == (1,)


def _deleted(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM resources WHERE deleted").fetchone()[0]


def test_deployments_come_from_the_registry(tmp_path: Path) -> None:
    from flows.deployments import deployments
    from pipelines.registry import load_sources

    registry = tmp_path / "sources.toml"
    entry = '[sources.{}]\nkind = "oai-pmh"\nendpoint = "https://{}.example/oai"\n'
    registry.write_text(
        entry.format("a", "a") + 'schedule = "0 3 * * *"\n'
        + entry.format("b", "b") + 'schedule = "0 4 * * 1"\nenabled = false\n'
        + entry.format("c", "c"),
        encoding="utf-8",
    )  # fmt: skip
    built = {d.name: d for d in deployments(load_sources(registry))}
    assert sorted(built) == ["harvest-a", "reclassify"]  # b is disabled, c has no schedule
    harvest = built["harvest-a"]
    assert harvest.parameters == {"source": "a"}
    [schedule] = harvest.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 3 * * *", "UTC")
    assert built["reclassify"].schedules == []


@pytest.mark.prefect
def test_a_deferred_harvest_schedules_its_own_continuation(prefect_harness: None) -> None:
    from datetime import UTC, datetime, timedelta

    from prefect.client.orchestration import get_client

    from flows.deployments import deployments
    from flows.harvest import schedule_continuation

    [demo] = [d for d in deployments() if d.name == "harvest-demo"]
    demo.apply()
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    run = schedule_continuation("harvest-source/harvest-demo", {"source": "demo", "db": None}, at)
    with get_client(sync_client=True) as client:
        stored = client.read_flow_run(run.id)
    assert stored.state.is_scheduled()
    assert stored.state.state_details.scheduled_time == at
    assert stored.parameters == {"source": "demo", "db": None}
    assert stored.name.endswith("-continued")
