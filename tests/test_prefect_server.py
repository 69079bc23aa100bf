"""A real Prefect server (flows.server): a demo harvest run in another process lands in it.

Not the session's test harness: `prefect server start` on a free port of 127.0.0.1 with a
temporary PREFECT_HOME, the flow in a subprocess pointed at it with PREFECT_API_URL, and the
run and its artifact read back over HTTP.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from flows import server
from flows.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[server.ServerHandle]:
    handle = server.start(server.free_port(), tmp_path_factory.mktemp("prefect-home"), timeout=120)
    try:
        yield handle
    finally:
        handle.stop()
    assert not server.healthy(handle.port), "the server still answers after stop()"


@pytest.mark.prefect
def test_a_harvest_run_in_another_process_is_recorded_by_the_server(
    prefect_server: server.ServerHandle, tmp_path: Path
) -> None:
    assert prefect_server.started and server.healthy(prefect_server.port)
    env = prefect_server.env()
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false" and env["DO_NOT_TRACK"] == "1"
    db = tmp_path / "wh.duckdb"
    code = (
        "import sys; from flows.harvest import harvest_source; harvest_source('demo', sys.argv[1])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert db.exists()

    with httpx.Client(base_url=prefect_server.api_url, timeout=10) as api:
        runs = api.post("/flow_runs/filter", json={"flows": {"name": {"any_": ["harvest-source"]}}})
        runs.raise_for_status()
        [run] = runs.json()
        assert run["name"].startswith("harvest-source/demo/"), run["name"]
        assert run["state_type"] == "COMPLETED", run["state"]
        assert run["parameters"]["source"] == "demo"

        artifacts = api.post(
            "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}
        )
        artifacts.raise_for_status()
        [artifact] = artifacts.json()
    assert (artifact["key"], artifact["type"]) == ("harvest-demo", "markdown")
    assert "## demo: ok" in artifact["data"]


@pytest.mark.prefect
def test_start_reuses_a_healthy_server_and_only_its_starter_stops_it(
    prefect_server: server.ServerHandle,
) -> None:
    again = server.start(prefect_server.port, prefect_server.home)
    assert not again.started and again.pid == prefect_server.pid
    again.stop()  # not the one that started it: a no-op
    assert server.healthy(prefect_server.port)
    assert server.stop(prefect_server.port + 1, prefect_server.home) is False  # not its port
    assert server.healthy(prefect_server.port)


@pytest.mark.prefect
def test_a_server_that_cannot_start_fails_with_its_log(tmp_path: Path) -> None:
    with socket.socket() as taken:  # something that is not Prefect holds the port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(server.ServerError, match=r"(?s)exited with code \d+.*in use"):
            server.start(port, tmp_path / "home", timeout=60)
    assert not (tmp_path / "home" / server.PID_FILE).exists()
