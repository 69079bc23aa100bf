"""harvest-all under a real (temporary) Prefect API: parallel across hosts, never two at
once on one host, one table artifact with a row per source."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.demo.server import DemoServer, load_sample
from pipelines.registry import Source
from warehouse.snapshot import snapshot_path


class _TimedServer(DemoServer):
    """The demo repository, a little slow, remembering when it answered each request.

    `started` is set at its first request; before answering its third, it waits (up to
    20 s) for `waits_for`, another host's `started`, and remembers whether it came. Two
    servers waiting for each other both see it only if their harvests ran at once: proof of
    parallelism that does not hang on the machine's timing."""

    def __init__(self, host: str, started: threading.Event, waits_for: threading.Event) -> None:
        super().__init__(load_sample()[:120], host=host, page_size=10)
        self.delay_s = 0.05
        self.times: list[float] = []
        self._times_lock = threading.Lock()
        self.started = started
        self.waits_for = waits_for
        self.saw_other: bool | None = None

    def _count_request(self) -> None:
        super()._count_request()
        with self._times_lock:
            self.times.append(time.monotonic())
            third = len(self.times) == 3
        self.started.set()
        if third:
            self.saw_other = self.waits_for.wait(20)
        time.sleep(self.delay_s)

    def busy(self) -> tuple[float, float]:
        return min(self.times), max(self.times) + self.delay_s


def _registry(tmp_path: Path, servers: dict[str, DemoServer]) -> Path:
    registry = tmp_path / "sources.toml"
    registry.write_text(
        "".join(
            f'[sources.{name}]\nkind = "oai-pmh"\nendpoint = "{server.base_url}"\n'
            'metadata_prefix = "oai_dc"\n'
            for name, server in servers.items()
        ),
        encoding="utf-8",
    )
    return registry


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@pytest.mark.prefect
def test_harvest_all_runs_hosts_in_parallel_and_one_host_at_a_time(
    prefect_harness: None, tmp_path: Path
) -> None:
    from flows.harvest_all import ARTIFACT_KEY, harvest_all
    from tests.test_flow_harvest import _artifacts

    local, remote = threading.Event(), threading.Event()  # 127.0.0.1 / localhost began
    servers = {
        "first": _TimedServer("127.0.0.1", started=local, waits_for=remote),
        "second": _TimedServer("127.0.0.1", started=local, waits_for=remote),  # same host
        "other": _TimedServer("localhost", started=remote, waits_for=local),
    }
    for server in servers.values():
        server.start()
    try:
        db = tmp_path / "wh.duckdb"
        state = harvest_all(
            max_parallel=3, db=str(db), registry=str(_registry(tmp_path, servers)),
            return_state=True,
        )  # fmt: skip
    finally:
        for server in servers.values():
            server.stop()
    assert state.is_completed(), state.message
    rows = {row["source"]: row for row in state.result()}
    assert {name: (r["status"], r["new"]) for name, r in rows.items()} == {
        "first": ("ok", 120), "second": ("ok", 120), "other": ("ok", 120),
    }  # fmt: skip
    assert rows["first"]["host"] == rows["second"]["host"] == "127.0.0.1"

    first, second = (servers[n].busy() for n in ("first", "second"))
    assert not _overlap(first, second), "two sources of one host were harvested at once"
    assert servers["other"].saw_other, "hosts did not run in parallel"
    assert servers["first"].saw_other or servers["second"].saw_other, "hosts ran in turn"

    [artifact] = _artifacts(state.state_details.flow_run_id)
    assert (artifact.key, artifact.type) == (ARTIFACT_KEY, "table")
    assert sorted(r["source"] for r in json.loads(artifact.data)) == ["first", "other", "second"]
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT source, status FROM harvest_runs ORDER BY source").fetchall()
        held = con.execute("SELECT count(*) FROM resources").fetchone()
    assert runs == [("first", "ok"), ("other", "ok"), ("second", "ok")]
    assert held == (360,)
    # published once, after the three runs: the snapshot holds all of them
    with duckdb.connect(str(snapshot_path(db)), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM resources").fetchone() == (360,)
    assert all(row["run_id"] for row in rows.values())


def test_a_host_s_next_source_starts_when_its_previous_one_ends() -> None:
    from concurrent.futures import ThreadPoolExecutor
    from uuid import uuid4

    from prefect.futures import PrefectConcurrentFuture

    from flows.harvest_all import run_one_per_host

    def source(name: str, url: str) -> Source:
        return Source(name=name, kind="oai-pmh", endpoint=url)

    sources = [
        source("a1", "https://a.example/oai"),
        source("a2", "https://A.example:8443/oai"),  # the same host
        source("b1", "https://b.example/oai"),
        source("demo", "embedded:demo"),
        source("b2", "https://b.example/other"),
    ]
    assert [s.host for s in sources] == [
        "a.example", "a.example", "b.example", "embedded:demo", "b.example",
    ]  # fmt: skip
    lock, running, events = threading.Lock(), {}, []  # running: name → host

    def harvest(s: Source) -> str:
        with lock:
            assert s.host not in running.values(), f"{s.name}: its host is busy"
            running[s.name] = s.host
            events.append(("start", s.name, len(running)))
        time.sleep(0.05 if s.name != "a1" else 0.2)
        with lock:
            del running[s.name]
        return s.name

    with ThreadPoolExecutor(max_workers=2) as pool:
        ended = run_one_per_host(
            sources, 2,
            lambda s: PrefectConcurrentFuture(uuid4(), pool.submit(harvest, s)),
        )  # fmt: skip
    assert {name: f.wrapped_future.result() for name, f in ended.items()} == {
        s.name: s.name for s in sources
    }
    assert max(n for _, _, n in events) == 2  # never more than max_parallel at once
    started = [name for _, name, _ in events]
    assert started[:2] == ["a1", "b1"]  # a2 waits for a1 although it comes first
    assert started.index("a2") > started.index("demo")


@pytest.mark.prefect
def test_harvest_all_fails_after_running_every_source_when_one_fails(
    prefect_harness: None, tmp_path: Path
) -> None:
    from flows.harvest_all import harvest_all

    with DemoServer() as server:
        servers = {"good": server}
        registry = _registry(tmp_path, servers)
        with registry.open("a", encoding="utf-8") as fh:
            fh.write('[sources.gone]\nkind = "oai-pmh"\nendpoint = "http://127.0.0.1:9/oai"\n'
                     'defaults = { timeout = 2, max_retries = 1 }\n')  # fmt: skip
        state = harvest_all(db=str(tmp_path / "wh.duckdb"), registry=str(registry),
                            return_state=True)  # fmt: skip
    assert state.is_failed()
    assert "1 of 2 sources did not complete: gone (failed" in state.message
    # the pipeline's own log line, naming the page, is in the Prefect run's log
    page = "http://127.0.0.1:9/oai?verb=Identify"
    logs = _log_lines(state.state_details.flow_run_id, wait_for=page)
    assert any(line.startswith("gone: ") and page in line for line in logs), logs


def _log_lines(flow_run_id, wait_for: str, timeout_s: float = 15.0) -> list[str]:
    """The run's log messages, once one contains `wait_for` (log lines reach the API in
    batches, a second or two after they are written)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    deadline = time.monotonic() + timeout_s
    with get_client(sync_client=True) as client:
        while True:
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
            lines = [log.message for log in logs]
            if any(wait_for in line for line in lines) or time.monotonic() > deadline:
                return lines
            time.sleep(0.5)


@pytest.mark.prefect
def test_a_source_deferred_in_harvest_all_continues_through_its_own_deployment(
    prefect_harness: None, tmp_path: Path
) -> None:
    from datetime import datetime

    from flows.harvest_all import harvest_all
    from tests.test_flow_harvest import deferring_deployment, scheduled_continuation

    db = str(tmp_path / "wh.duckdb")
    with deferring_deployment(tmp_path) as (_, registry, deployment_id):
        state = harvest_all(db=db, registry=str(registry), return_state=True)
    assert state.is_completed(), state.message
    [row] = state.result()
    assert row["status"] == "deferred"
    until = datetime.fromisoformat(row["deferred_until"])
    continuation = scheduled_continuation(deployment_id, db)
    assert continuation.name == f"harvest-source/busy/{until:%Y-%m-%d}-continued"
    assert continuation.state.state_details.scheduled_time == until
    assert continuation.parameters == {"source": "busy", "db": db, "registry": str(registry)}
