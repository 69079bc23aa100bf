"""`harvest-all`: every enabled source of the registry, several at once, one per host.

The sources run as `harvest-and-load` task runs (the same task as `harvest-source`) on a
thread pool of `max_parallel` workers, all in this process: DuckDB allows one writer
process per file, and threads of one process share it. The flow starts a source only when
none of its host runs (`run_one_per_host`), and each task also holds its host's Prefect
concurrency limit (`host-<host>`, limit 1) for the whole run, so two sources of one host
never overlap beside a `harvest-source` run either. A table artifact (`harvest-all`) has
one row per source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flows.settings import apply_defaults

apply_defaults()

from prefect import flow, get_run_logger  # noqa: E402
from prefect.artifacts import create_table_artifact  # noqa: E402
from prefect.exceptions import ObjectNotFound  # noqa: E402
from prefect.futures import PrefectFuture, as_completed  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from flows.harvest import (  # noqa: E402
    FAILED,
    HarvestFailed,
    deferred_artifact,
    ensure_host_limits,
    harvest_and_load,
    harvest_key,
    schedule_continuation,
)
from flows.publish import publish_snapshot  # noqa: E402
from pipelines.harvest import SourceDeferred, prepare_warehouse  # noqa: E402
from pipelines.registry import Source, load_sources  # noqa: E402
from pipelines.run import PUBLISHED  # noqa: E402

ARTIFACT_KEY = "harvest-all"


def run_one_per_host(
    sources: list[Source], max_parallel: int, start: Callable[[Source], PrefectFuture]
) -> dict[str, PrefectFuture]:
    """Start each source (`start`) as soon as fewer than `max_parallel` run and none of its
    host does, in registry order; the future of every source, by name, once all ended.
    A host's next source starts the moment its previous one ends: no polling for a slot."""
    waiting, running, ended = list(sources), {}, {}
    busy: set[str] = set()
    while waiting or running:
        for source in [s for s in waiting if s.host not in busy]:
            if len(running) >= max_parallel:
                break
            if source.host in busy:  # a source of this host was started in this pass
                continue
            waiting.remove(source)
            busy.add(source.host)
            running[start(source)] = source
        finished = next(as_completed(list(running)))
        source = running.pop(finished)
        busy.discard(source.host)
        ended[source.name] = finished
    return ended


def _row(source: Source, future: PrefectFuture) -> dict:
    """One line of the table artifact for the source's task run, whatever its end."""
    row = {"source": source.name, "host": source.host}
    future.wait()
    try:
        result = future.result()
    except SourceDeferred as exc:
        deferred_artifact(source.name, exc)
        return {**row, "status": "not run (deferred)", "error": str(exc)}
    except Exception as exc:  # the task failed before the pipeline could record a run
        return {**row, "status": "error", "error": f"{type(exc).__name__}: {exc}"}
    return {
        **row,
        "status": result["status"],
        **{k: result[k] for k in ("records", "new", "updated", "deleted", "quarantined")},
        "not_mappable": result["failed"],
        "issues": sum(result["issues"].values()),
        "seconds": round(result["wall_s"], 1),
        "error": result["error"],
        "run_id": result["run_id"],
        "deferred_until": result["deferred_until"] and result["deferred_until"].isoformat(),
    }


def _continue_later(source: str, at: datetime, db: str | None, registry: str | None) -> None:
    """A source the repository deferred continues at `at` through its own deployment
    (harvest-source/harvest-<source>), when there is one; else at its next run."""
    logger, name = get_run_logger(), f"harvest-source/{harvest_key(source)}"
    try:
        follow_up = schedule_continuation(
            name, {"source": source, "db": db, "registry": registry}, at
        )
    except ObjectNotFound:
        logger.warning("%s deferred until %s; no deployment %s to continue it: it continues "
                       "at its next run", source, at, name)  # fmt: skip
        return
    logger.info("%s deferred: continuation %s scheduled for %s", source, follow_up.name, at)


def _run_name() -> str:
    return f"harvest-all/{datetime.now(UTC):%Y-%m-%d}"


@flow(name="harvest-all", flow_run_name=_run_name, log_prints=False)
def harvest_all(max_parallel: int = 4, db: str | None = None, registry: str | None = None) -> list:
    """Harvest every enabled source of pipelines/sources.toml (or `registry`), at most
    `max_parallel` at once and one per host. Fails when any source did not complete,
    after all of them ran."""
    if max_parallel < 1:
        raise ValueError(f"max_parallel must be at least 1, not {max_parallel}")
    logger = get_run_logger()
    registry_path = Path(registry) if registry else None
    sources = [
        s for s in (load_sources(registry_path) if registry_path else load_sources()).values()
        if s.enabled
    ]  # fmt: skip
    prepare_warehouse(db)  # migrate once, before several runs open it at once
    ensure_host_limits({s.host for s in sources})
    logger.info("harvesting %d sources (hosts: %d), %d at a time", len(sources),
                len({s.host for s in sources}), max_parallel)  # fmt: skip
    with ThreadPoolTaskRunner(max_workers=max_parallel) as runner:
        ended = run_one_per_host(
            sources, max_parallel,
            lambda s: runner.submit(
                harvest_and_load,
                {"source": s.name, "db": db, "registry": registry, "publish": False},
            ),
        )  # fmt: skip
        rows = [_row(source, ended[source.name]) for source in sources]
    if any(row["status"] in PUBLISHED for row in rows):  # once, no run writing any more
        snapshot = publish_snapshot(db)
        logger.info("published %s (%s bytes)", snapshot["path"], f"{snapshot['bytes']:,}")
    for row in rows:
        if row["status"] == "deferred" and row["deferred_until"]:
            at = datetime.fromisoformat(row["deferred_until"])
            _continue_later(row["source"], at, db, registry)
    create_table_artifact(
        table=rows,
        key=ARTIFACT_KEY,
        description=f"harvest-all: {len(rows)} sources, "
        + ", ".join(f"{n} {status}" for status, n in sorted(_statuses(rows).items())),
    )
    stopped = [r for r in rows if r["status"] in (*FAILED, "error")]
    if stopped:
        raise HarvestFailed(
            f"{len(stopped)} of {len(rows)} sources did not complete: "
            + "; ".join(f"{r['source']} ({r['status']}: {r['error']})" for r in stopped)
        )
    return rows


def _statuses(rows: list[dict]) -> Counter[str]:
    return Counter(row["status"] for row in rows)
