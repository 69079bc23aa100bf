"""Overhead of a harvest run as the Prefect flow `harvest-source` vs the pipeline called directly.

    .venv/bin/python bench/flow_overhead.py [N] [--runs 1]

Starts the shared bench OAI-PMH server (../shared/bench/oai_server.py, N records, default
100,000), writes a one-source registry for it (oai_dc pinned), and in each run harvests it
twice into fresh warehouses: `pipelines.harvest.harvest_source` called directly, then the
`harvest-source` flow (under a temporary PREFECT_HOME; the flow is called once on a tiny
source first so the ephemeral API is up, and that start-up is reported apart). Wall clock;
prints one JSON line per run: direct_s, flow_s, overhead (flow / direct − 1), api_start_s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = Path(os.environ.get("SHARED_BENCH", ROOT.parent / "shared" / "bench")) / "oai_server.py"


def start_server(n: int, workdir: Path) -> tuple[subprocess.Popen, str]:
    port_file = workdir / "url"
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "--n", str(n), "--port", "0", "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        if port_file.exists() and port_file.read_text().strip():
            text = port_file.read_text().strip()
            return proc, json.loads(text)["base_url"] if text.startswith("{") else text
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the bench server did not start")


def registry(workdir: Path, url: str) -> Path:
    path = workdir / "sources.toml"
    path.write_text(
        f'[sources.bench]\nkind = "oai-pmh"\nendpoint = "{url}"\nmetadata_prefix = "oai_dc"\n',
        encoding="utf-8",
    )
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="oer-flow-overhead-"))
    os.environ["PREFECT_HOME"] = str(work / "prefect-home")
    server, url = start_server(args.n, work)
    try:
        reg = registry(work, url)
        from pipelines.harvest import harvest_source
        from pipelines.registry import get_source

        started = time.perf_counter()
        from flows.harvest import harvest_source as flow

        (work / "small").mkdir()
        small, small_url = start_server(50, work / "small")
        small_registry = registry(work / "small", small_url)
        try:  # brings the ephemeral API up (its cost is reported apart) and warms both paths
            flow(source="bench", db=str(work / "warm-flow.duckdb"), registry=str(small_registry))
            api_start_s = time.perf_counter() - started
            harvest_source(get_source("bench", small_registry), db=work / "warm-direct.duckdb")
        finally:
            small.kill()
        for run in range(args.runs):
            t = time.perf_counter()
            direct = harvest_source(get_source("bench", reg), db=work / f"direct{run}.duckdb")
            direct_s = time.perf_counter() - t
            t = time.perf_counter()
            result = flow(source="bench", db=str(work / f"flow{run}.duckdb"), registry=str(reg))
            flow_s = time.perf_counter() - t
            print(json.dumps({
                "n": args.n, "run": run + 1, "direct_s": round(direct_s, 2),
                "flow_s": round(flow_s, 2), "overhead": round(flow_s / direct_s - 1, 4),
                "direct_records": direct.records, "flow_records": result["records"],
                "api_start_s": round(api_start_s, 2),
            }))  # fmt: skip
    finally:
        server.kill()


if __name__ == "__main__":
    main()
