"""The harvest-source flow under a real (temporary) Prefect API, on the embedded demo server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import duckdb
import pytest

from pipelines.demo.server import load_sample
from tests.support.fault_server import Fault, FaultServer


@pytest.fixture
def demo_copy(demo_warehouse: Path, tmp_path: Path) -> Path:
    """A writable copy of the module's demo warehouse, tmp_path/wh.duckdb."""
    import shutil

    return Path(shutil.copy(demo_warehouse, tmp_path / "wh.duckdb"))


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
    prefect_harness: None, demo_copy: Path
) -> None:
    from flows.reclassify import reclassify

    db = demo_copy
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
    # b is disabled, c has no schedule
    assert sorted(built) == ["harvest-a", "harvest-all", "publish", "reclassify"]
    harvest = built["harvest-a"]
    assert harvest.parameters == {"source": "a"}
    [schedule] = harvest.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 3 * * *", "UTC")
    assert all(built[n].schedules == [] for n in ("harvest-all", "publish", "reclassify"))


@contextmanager
def deferring_deployment(tmp_path: Path) -> Iterator[tuple[FaultServer, Path, UUID]]:
    """A source `busy` whose repository answers page 2 with 429 and Retry-After 3600 (more
    than its max_wait_s), registered in tmp_path/sources.toml, and its `harvest-busy`
    deployment applied: (server, registry, deployment id)."""
    from flows.deployments import deployments
    from pipelines.registry import load_sources

    fault = Fault("status", page=2, verb="ListRecords", status=429, retry_after="3600")
    with FaultServer(load_sample()[:30], page_size=10, faults=[fault]) as server:
        registry = tmp_path / "sources.toml"
        registry.write_text(
            f'[sources.busy]\nkind = "oai-pmh"\nendpoint = "{server.base_url}"\n'
            'metadata_prefix = "oai_dc"\nschedule = "0 3 * * *"\n'
            "defaults = { max_wait_s = 1 }\n",
            encoding="utf-8",
        )
        [busy] = [d for d in deployments(load_sources(registry)) if d.name == "harvest-busy"]
        yield server, registry, busy.apply()


def scheduled_continuation(deployment_id: UUID, db: str):
    """The one scheduled run of the deployment for warehouse `db` (other tests of the
    session schedule runs of the same deployment for other warehouses)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )
    [continuation] = [r for r in runs if r.state.is_scheduled() and r.parameters["db"] == db]
    return continuation


def _run_from_deployment(deployment_id, parameters: dict):
    """Create a run of the deployment and execute it here, as `serve` would in a subprocess."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow

    from flows.harvest import harvest_source

    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run_from_deployment(deployment_id, parameters=parameters)
    return run_flow(harvest_source, flow_run=flow_run, parameters=parameters, return_type="state")


@pytest.mark.prefect
def test_a_deferred_run_of_a_deployment_schedules_its_continuation_then_waits(
    prefect_harness: None, tmp_path: Path
) -> None:
    with deferring_deployment(tmp_path) as (server, registry, deployment_id):
        parameters = {
            "source": "busy",
            "db": str(tmp_path / "wh.duckdb"),
            "registry": str(registry),
        }
        first = _run_from_deployment(deployment_id, parameters)
        asked = len(server.requests)
        second = _run_from_deployment(deployment_id, parameters)  # still deferred: not run
        assert len(server.requests) == asked
    assert first.is_completed(), first.message
    assert first.result()["status"] == "deferred"
    until = first.result()["deferred_until"]
    assert second.is_completed() and "deferred until" in second.message
    continuation = scheduled_continuation(deployment_id, parameters["db"])
    assert continuation.name == f"harvest-source/busy/{until:%Y-%m-%d}-continued"
    assert continuation.state.state_details.scheduled_time == until
    assert continuation.parameters == parameters
    [artifact] = _artifacts(second.state_details.flow_run_id)
    assert artifact.key == "harvest-busy" and "## busy: not run" in artifact.data


@pytest.mark.prefect
def test_the_publish_flow_writes_snapshot_exports_and_report_from_the_snapshot(
    prefect_harness: None, demo_copy: Path, tmp_path: Path
) -> None:
    from flows.publish import publish

    db = demo_copy
    state = publish(
        db=str(db), export_dir=str(tmp_path / "export"), report_dir=str(tmp_path / "report"),
        formats=["csv", "datapackage"], return_state=True,
    )  # fmt: skip
    assert state.is_completed(), state.message
    result = state.result()
    assert Path(result["snapshot"]["path"]) == tmp_path / "wh.snapshot.duckdb"
    assert (tmp_path / "export" / "datapackage.json").exists()
    assert result["export"]["rows"]["v_resources"] == 352
    assert (tmp_path / "report" / "index.html").exists() and result["report"]["resources"] == 352
    [artifact] = _artifacts(state.state_details.flow_run_id)
    assert artifact.key == "publish" and "| v_resources | 352 |" in artifact.data
