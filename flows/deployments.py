"""Deployments of the flows, one per enabled source with a `schedule` in pipelines/sources.toml.

`deployments()` builds them (no API call); `serve()` (`oer serve`) runs them with Prefect's
`serve`: schedules without a work pool, the runs execute in this process's subprocesses.
Deployment names: `harvest-<source>` (cron from the registry, UTC; parameter `source`),
`harvest-all`, `reclassify` and `publish` (no schedule: run them from the UI or `prefect deployment
run`). `flows/prefect.yaml` declares the same deployments for a process work pool.
"""

from __future__ import annotations

from flows.settings import apply_defaults

apply_defaults()

import prefect  # noqa: E402
from prefect.deployments.runner import RunnerDeployment  # noqa: E402
from prefect.schedules import Cron  # noqa: E402

from flows.harvest import harvest_source  # noqa: E402
from flows.harvest_all import harvest_all  # noqa: E402
from flows.prefect_yaml import harvest_spec, scheduled  # noqa: E402
from flows.publish import publish  # noqa: E402
from flows.reclassify import reclassify  # noqa: E402
from pipelines.registry import Source, UnknownSource, load_sources  # noqa: E402


def deployments(sources: dict[str, Source] | None = None) -> list[RunnerDeployment]:
    sources = load_sources() if sources is None else sources
    out = []
    for source in scheduled(sources):
        spec = harvest_spec(source)
        cron = spec.pop("cron")
        out.append(harvest_source.to_deployment(**spec, schedule=Cron(cron, timezone="UTC")))
    out.append(harvest_all.to_deployment(name="harvest-all", tags=["harvest"]))
    out.append(reclassify.to_deployment(name="reclassify", tags=["reclassify"]))
    out.append(publish.to_deployment(name="publish", tags=["publish"]))
    return out


def serve(only: list[str] | None = None) -> None:
    """Serve the deployments (of the sources `only`, with harvest-all and reclassify; all
    by default) until interrupted (Ctrl-C)."""
    sources = load_sources()
    for name in only or ():
        if name not in sources:
            raise UnknownSource(name, sorted(sources))
    chosen = {k: v for k, v in sources.items() if not only or k in only}
    prefect.serve(*deployments(chosen))
