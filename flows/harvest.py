"""`harvest-source`: the harvest pipeline of one source as a Prefect flow.

Thin on purpose: one task runs `pipelines.harvest.harvest_source` (batched inside), so a
100,000-record harvest costs a handful of task runs, not one per page or record.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flows.settings import apply_defaults

apply_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402

from pipelines.harvest import harvest_source as run_harvest  # noqa: E402
from pipelines.registry import get_source  # noqa: E402


class HarvestFailed(RuntimeError):
    """The harvest ran and was recorded, but did not complete: the flow run fails."""


def _run_name() -> str:
    source = flow_run.parameters.get("source", "?")
    return f"harvest-source/{source}/{datetime.now(UTC):%Y-%m-%d}"


@task(name="harvest-and-load")
def harvest_and_load(source: str, db: str | None) -> dict:
    result = run_harvest(get_source(source), db=db)
    return result.as_json()


@flow(name="harvest-source", flow_run_name=_run_name, log_prints=False)
def harvest_source(source: str, db: str | None = None) -> dict:
    """Harvest → crosswalk → load one source from pipelines/sources.toml."""
    logger = get_run_logger()
    result = harvest_and_load(source, db)
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
    # partial and suspect runs completed (their issues say what to look at); deferred ones
    # wait for the repository; these did not complete:
    if result["status"] in ("failed", "blocked", "interrupted"):
        raise HarvestFailed(f"{source}: {result['status']}: {result['error']}")
    return result
