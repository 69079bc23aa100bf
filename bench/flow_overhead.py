"""Overhead of a harvest run as the Prefect flow `harvest-source` vs the pipeline called directly.

    .venv/bin/python bench/flow_overhead.py [N] [--runs 1]

Starts the shared bench OAI-PMH server (../shared/bench/oai_server.py, N records, default
100,000), writes a one-source registry for it (oai_dc pinned), and in each run harvests it
twice into fresh warehouses: `pipelines.harvest.harvest_source` called directly and the
`harvest-source` flow, alternating which goes first (under a temporary PREFECT_HOME; the
flow is called once on a tiny source first so the ephemeral API is up, and that start-up
is reported apart). Wall clock;
prints one JSON line per run: direct_s, flow_s, overhead (flow / direct − 1), api_start_s,
then the median overhead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
SERVER = Path(os.environ.get("SHARED_BENCH", ROOT.parent / "shared" / "bench")) / "oai_server.py"


def start_server(n: int, workdir: Path, *options: str) -> tuple[subprocess.Popen, str]:
    """The shared bench server with n records (and `options`, e.g. --host, --latency-ms)."""
    port_file = workdir / "url"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(SERVER),
            "--n",
            str(n),
            "--port",
            "0",
            "--port-file",
            str(port_file),
            *options,
        ],
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
        overheads = []
        for run in range(args.runs):
            # alternate which path goes first: the machine's drift falls on both alike
            paths = ["direct", "flow"] if run % 2 == 0 else ["flow", "direct"]
            seconds, records = {}, {}
            for path in paths:
                db = work / f"{path}{run}.duckdb"
                t = time.perf_counter()
                if path == "direct":
                    records[path] = harvest_source(get_source("bench", reg), db=db).records
                else:
                    records[path] = flow(source="bench", db=str(db), registry=str(reg))["records"]
                seconds[path] = time.perf_counter() - t
            overheads.append(seconds["flow"] / seconds["direct"] - 1)
            print(json.dumps({
                "n": args.n, "run": run + 1, "first": paths[0],
                "direct_s": round(seconds["direct"], 2), "flow_s": round(seconds["flow"], 2),
                "overhead": round(overheads[-1], 4), "direct_records": records["direct"],
                "flow_records": records["flow"], "api_start_s": round(api_start_s, 2),
            }))  # fmt: skip
        print(json.dumps({"runs": args.runs, "median_overhead": round(median(overheads), 4)}))
    finally:
        server.kill()
        shutil.rmtree(work, ignore_errors=True)  # a 100k warehouse is ~200 MB a run


if __name__ == "__main__":
    main()
