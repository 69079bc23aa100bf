"""`flows/prefect.yaml`: the deployments of `flows.deployments`, for a process work pool.

`oer serve` needs no work pool. To run the flows on workers instead (Prefect's process work
pool), the same deployments are declared in flows/prefect.yaml, generated from
pipelines/sources.toml by `python -m flows.prefect_yaml` (a test fails when it is stale):

    prefect work-pool create oer-process --type process
    prefect --no-prompt deploy --all --prefect-file flows/prefect.yaml   # from the checkout
    prefect worker start --pool oer-process
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from pipelines.registry import Source, load_sources

PATH = Path(__file__).with_name("prefect.yaml")
WORK_POOL = "oer-process"
HEADER = """\
# Deployments for a Prefect process work pool; generated from pipelines/sources.toml by
# `python -m flows.prefect_yaml` (do not edit by hand). Deploy from the checkout's root:
#   prefect work-pool create oer-process --type process
#   prefect --no-prompt deploy --all --prefect-file flows/prefect.yaml
#   prefect worker start --pool oer-process
# `oer serve` serves the same deployments without a work pool.
"""


def harvest_spec(source: Source) -> dict:
    """The `harvest-<source>` deployment of an enabled source with a schedule (cron, UTC),
    as `oer serve` (flows.deployments) and prefect.yaml both declare it."""
    from flows.harvest import harvest_key  # imports Prefect: only when building

    return {
        "name": harvest_key(source.name),
        "description": source.notes or f"Harvest {source.name} ({source.endpoint}).",
        "tags": ["harvest", source.kind],
        "parameters": {"source": source.name},
        "cron": source.schedule,
    }


def _harvest(source: Source) -> dict:
    spec = harvest_spec(source)
    cron = spec.pop("cron")
    return {
        **spec,
        "entrypoint": "flows/harvest.py:harvest_source",
        "schedules": [{"cron": cron, "timezone": "UTC"}],
        "work_pool": {"name": WORK_POOL},
    }


def scheduled(sources: dict[str, Source]) -> list[Source]:
    return [s for s in sources.values() if s.enabled and s.schedule]


def document(sources: dict[str, Source] | None = None) -> dict:
    sources = load_sources() if sources is None else sources
    harvests = [_harvest(s) for s in scheduled(sources)]
    return {
        "name": "oer-pipeline",
        # the worker runs each flow from the checkout `prefect deploy` was run in
        "pull": [{"prefect.deployments.steps.set_working_directory": {"directory": "{{ $PWD }}"}}],
        "deployments": [
            *harvests,
            {"name": "harvest-all", "entrypoint": "flows/harvest_all.py:harvest_all",
             "tags": ["harvest"], "work_pool": {"name": WORK_POOL}},
            {"name": "reclassify", "entrypoint": "flows/reclassify.py:reclassify",
             "tags": ["reclassify"], "work_pool": {"name": WORK_POOL}},
            {"name": "publish", "entrypoint": "flows/publish.py:publish",
             "tags": ["publish"], "work_pool": {"name": WORK_POOL}},
        ],
    }  # fmt: skip


def render(sources: dict[str, Source] | None = None) -> str:
    return HEADER + yaml.safe_dump(document(sources), sort_keys=False, allow_unicode=True)


def main() -> None:
    PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {PATH}", file=sys.stderr)


if __name__ == "__main__":
    main()
