"""`harvest-all`: every enabled source of the registry, several at once, one per host.

The sources run as `harvest-and-load` task runs (the same task as `harvest-source`) on a
thread pool of `max_parallel` workers, all in this process: DuckDB allows one writer
process per file, and threads of one process share it. Each task holds its host's Prefect
concurrency limit (`host-<host>`, limit 1) for the whole run, so two sources of one host
never overlap, in this flow or beside a `harvest-source` run; sources are queued round-robin
over hosts so that the workers start on different hosts. A table artifact (`harvest-all`)
has one row per source.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from itertools import chain, zip_longest
from pathlib import Path

from flows.settings import apply_defaults

apply_defaults()

from prefect import flow, get_run_logger  # noqa: E402
from prefect.artifacts import create_table_artifact  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from flows.harvest import (  # noqa: E402
    FAILED,
    HarvestFailed,
    deferred_artifact,
    ensure_host_limits,
    harvest_and_load,
)
from pipelines.harvest import SourceDeferred, prepare_warehouse  # noqa: E402
from pipelines.registry import Source, load_sources  # noqa: E402

ARTIFACT_KEY = "harvest-all"


def run_order(sources: list[Source]) -> list[Source]:
    """Round-robin over hosts (in registry order): a, b, c, a2, b2… rather than a, a2, b…"""
    by_host: dict[str, list[Source]] = {}
    for source in sources:
        by_host.setdefault(source.host, []).append(source)
    rounds = zip_longest(*by_host.values())
    return [s for s in chain.from_iterable(rounds) if s is not None]


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
    }


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
    ordered = run_order(sources)
    logger.info("harvesting %d sources (hosts: %d), %d at a time", len(ordered),
                len({s.host for s in ordered}), max_parallel)  # fmt: skip
    with ThreadPoolTaskRunner(max_workers=max_parallel) as runner:
        futures = [
            (s, runner.submit(harvest_and_load, {"source": s.name, "db": db, "registry": registry}))
            for s in ordered
        ]
        rows = [_row(source, future) for source, future in futures]
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
