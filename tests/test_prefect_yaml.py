"""flows/prefect.yaml: current with the registry, and accepted by `prefect deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.corpus import REPO_ROOT


def test_prefect_yaml_is_generated_from_the_current_registry() -> None:
    from flows.prefect_yaml import PATH, render

    assert PATH.read_text(encoding="utf-8") == render(), (
        "flows/prefect.yaml is stale: run `python -m flows.prefect_yaml`"
    )


def test_prefect_yaml_declares_what_oer_serve_serves() -> None:
    import yaml

    from flows.deployments import deployments
    from flows.prefect_yaml import PATH

    declared = {d["name"]: d for d in yaml.safe_load(PATH.read_text())["deployments"]}
    served = {d.name: d for d in deployments()}
    assert sorted(declared) == sorted(served)
    for name, deployment in served.items():
        crons = [s.schedule.cron for s in deployment.schedules]
        assert [s["cron"] for s in declared[name].get("schedules", [])] == crons
        assert declared[name].get("parameters", {}) == deployment.parameters


@pytest.mark.prefect
def test_prefect_deploy_registers_every_deployment_on_a_process_pool(
    prefect_harness: None, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.settings import PREFECT_API_URL

    from flows.prefect_yaml import PATH, WORK_POOL

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=WORK_POOL, type="process"))
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PWD": str(REPO_ROOT)}
    prefect = Path(sys.executable).with_name("prefect")
    done = subprocess.run(
        [str(prefect), "--no-prompt", "deploy", "--all", "--prefect-file", str(PATH)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with get_client(sync_client=True) as client:
        names = {d.name: d for d in client.read_deployments()}
    assert {"harvest-demo", "harvest-all", "reclassify", "publish"} <= set(names)
    demo = names["harvest-demo"]
    assert demo.work_pool_name == WORK_POOL and demo.parameters == {"source": "demo"}
    assert demo.pull_steps == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO_ROOT)}}
    ]
