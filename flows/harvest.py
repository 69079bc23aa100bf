"""`harvest-source`: the harvest pipeline of one source as a Prefect flow.

Thin on purpose: one task runs `pipelines.harvest.harvest_source` (batched inside), so a
100,000-record harvest costs a handful of task runs, not one per page or record.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from flows.settings import apply_defaults

apply_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.client.schemas.objects import FlowRun  # noqa: E402
from prefect.deployments import run_deployment  # noqa: E402
from prefect.runtime import deployment, flow_run  # noqa: E402

from pipelines.harvest import harvest_source as run_harvest  # noqa: E402
from pipelines.registry import get_source  # noqa: E402
from pipelines.reports import run_summary_markdown  # noqa: E402


class HarvestFailed(RuntimeError):
    """The harvest ran and was recorded, but did not complete: the flow run fails."""


def harvest_key(source: str) -> str:
    """`harvest-<source>`: the key of a source's run artifact and the name of its deployment
    (Prefect artifact keys allow lowercase letters, digits and dashes only)."""
    return "harvest-" + (re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-") or "source")


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


@task(name="harvest-and-load")
def harvest_and_load(source: str, db: str | None, registry: str | None = None) -> dict:
    entry = get_source(source, Path(registry)) if registry else get_source(source)
    return run_harvest(entry, db=db).as_json()


@flow(name="harvest-source", flow_run_name=_run_name, log_prints=False)
def harvest_source(source: str, db: str | None = None, registry: str | None = None) -> dict:
    """Harvest → crosswalk → normalise → load → classify one source of pipelines/sources.toml;
    a Markdown artifact (key `harvest-<source>`) summarises the run. `registry`: another
    sources.toml than pipelines/sources.toml."""
    logger = get_run_logger()
    result = harvest_and_load(source, db, registry)
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
    if result["status"] in ("failed", "blocked", "interrupted"):
        raise HarvestFailed(f"{source}: {result['status']}: {result['error']}")
    return result
