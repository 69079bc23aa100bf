"""`harvest-source`: the harvest pipeline of one source as a Prefect flow.

Thin on purpose: one task runs `pipelines.harvest.harvest_source` (batched inside), so a
100,000-record harvest costs a handful of task runs, not one per page or record. Retries
live where they help: a window inside the pipeline (bad token, failing pages), and the
task only while another process writes the warehouse (DuckDB allows one writer per file).
"""

from __future__ import annotations

import re
import time
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from flows.settings import apply_defaults

apply_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.client.orchestration import get_client  # noqa: E402
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate  # noqa: E402
from prefect.client.schemas.objects import FlowRun  # noqa: E402
from prefect.concurrency.sync import concurrency  # noqa: E402
from prefect.deployments import run_deployment  # noqa: E402
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound  # noqa: E402
from prefect.runtime import deployment, flow_run  # noqa: E402
from prefect.states import Completed, State  # noqa: E402

from pipelines.harvest import SourceDeferred  # noqa: E402
from pipelines.harvest import harvest_source as run_harvest  # noqa: E402
from pipelines.registry import Source, get_source  # noqa: E402
from pipelines.reports import run_summary_markdown  # noqa: E402
from warehouse import WarehouseLocked  # noqa: E402

LOCK_RETRIES = 240  # × LOCK_RETRY_S: a run waits up to 4 h for another writer to finish
LOCK_RETRY_S = 60
PROGRESS_EVERY_S = 30.0


class HarvestFailed(RuntimeError):
    """The harvest ran and was recorded, but did not complete: the flow run fails."""


def _slug(text: str, fallback: str) -> str:
    # Prefect artifact keys allow lowercase letters, digits and dashes only
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or fallback


def harvest_key(source: str) -> str:
    """`harvest-<source>`: the key of a source's run artifact and the name of its deployment."""
    return "harvest-" + _slug(source, "source")


def host_limit(host: str) -> str:
    """`host-<host>`: the Prefect global concurrency limit of one host (limit 1 unless an
    operator changed it in the UI): no two harvests hit one host at once."""
    return "host-" + _slug(host, "unknown")


def ensure_host_limits(hosts: set[str]) -> None:
    """Create the missing host limits with limit 1; existing ones (and their operators'
    settings) are left alone."""
    with get_client(sync_client=True) as client:
        for name in sorted(host_limit(h) for h in hosts):
            try:
                client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                with suppress(ObjectAlreadyExists):  # another run created it meanwhile
                    client.create_global_concurrency_limit(
                        GlobalConcurrencyLimitCreate(name=name, limit=1)
                    )


def run_name(source: str, when: datetime) -> str:
    return f"harvest-source/{source}/{when:%Y-%m-%d}"


def _run_name() -> str:
    return run_name(flow_run.parameters.get("source", "?"), datetime.now(UTC))


def schedule_continuation(deployment_name: str, parameters: dict, at: datetime) -> FlowRun:
    """A run of deployment `deployment_name` ("harvest-source/harvest-demo") scheduled at
    `at`: a deferred harvest continues when the repository allows it, without an operator."""
    return run_deployment(
        name=deployment_name,
        parameters=parameters,
        scheduled_time=at,
        timeout=0,  # schedule it and return
        as_subflow=False,
        flow_run_name=run_name(parameters["source"], at) + "-continued",
    )


def _load_source(source: str, registry: str | None) -> Source:
    return get_source(source, Path(registry)) if registry else get_source(source)


def _locked(task, task_run, state) -> bool:  # Prefect's retry_condition_fn signature
    try:
        state.result()
    except WarehouseLocked:
        return True
    except BaseException:  # any other failure: the pipeline recorded it, no retry
        return False
    return False


def _progress_logger(source: str):
    logger, last = get_run_logger(), [time.monotonic()]

    def progress(done: int, expected: int | None) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY_S:
            last[0] = time.monotonic()
            of = f" of {expected:,}" if expected else ""
            logger.info("%s: %s%s records", source, f"{done:,}", of)

    return progress


@task(
    name="harvest-and-load",
    task_run_name="harvest-{source}",
    retries=LOCK_RETRIES,
    retry_delay_seconds=LOCK_RETRY_S,
    retry_condition_fn=_locked,
)
def harvest_and_load(
    source: str, db: str | None, registry: str | None = None, publish: bool = True
) -> dict:
    """One source's run, holding its host's concurrency slot for the whole run; `publish`:
    the warehouse's snapshot after an ok or partial run."""
    entry = _load_source(source, registry)
    with concurrency(host_limit(entry.host), occupy=1, strict=True):
        progress = _progress_logger(source)
        return run_harvest(entry, db=db, progress=progress, publish=publish).as_json()


def deferred_artifact(source: str, exc: SourceDeferred) -> None:
    create_markdown_artifact(
        markdown=f"## {source}: not run\n\n{exc}.\n",
        key=harvest_key(source),
        description=f"harvest of {source}: deferred until {exc.until:%Y-%m-%d %H:%M} UTC",
    )


@flow(name="harvest-source", flow_run_name=_run_name, log_prints=False)
def harvest_source(source: str, db: str | None = None, registry: str | None = None) -> dict | State:
    """Harvest → crosswalk → normalise → load → classify one source of pipelines/sources.toml;
    a Markdown artifact (key `harvest-<source>`) summarises the run. `registry`: another
    sources.toml than pipelines/sources.toml."""
    logger = get_run_logger()
    ensure_host_limits({_load_source(source, registry).host})
    try:
        result = harvest_and_load(source, db, registry)
    except SourceDeferred as exc:  # a scheduled run while the source asks us to wait
        logger.warning("%s", exc)
        deferred_artifact(source, exc)
        return Completed(message=str(exc))
    logger.info(
        "%s: %s, %d records (%d new, %d updated, %d deleted) in %.1f s",
        source,
        result["status"],
        result["records"],
        result["new"],
        result["updated"],
        result["deleted"],
        result["wall_s"],
    )
    create_markdown_artifact(
        markdown=run_summary_markdown(result),
        key=harvest_key(source),
        description=f"harvest of {source}: {result['status']}, {result['records']} records",
    )
    if result["status"] == "deferred" and result["deferred_until"] and deployment.id:
        follow_up = schedule_continuation(
            f"harvest-source/{deployment.name}", {"source": source, "db": db, "registry": registry},
            result["deferred_until"],
        )  # fmt: skip
        logger.info("%s deferred: continuation %s scheduled for %s", source, follow_up.name,
                    result["deferred_until"])  # fmt: skip
    # partial and suspect runs completed (their issues say what to look at); deferred ones
    # wait for the repository; these did not complete:
    if result["status"] in FAILED:
        raise HarvestFailed(failure_message(result))
    return result


FAILED = ("failed", "blocked", "interrupted")


def failure_message(result: dict) -> str:
    """`source: status: error` (the error names its code and page)."""
    return f"{result['source']}: {result['status']}: {result['error']}"
