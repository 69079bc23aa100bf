"""harvest-all with max_parallel 1 vs several: what bounded parallelism buys over hosts.

    .venv/bin/python bench/harvest_all_parallel.py [--sources 4] [--n 5000] [--latency-ms 100]

Starts one shared bench OAI-PMH server (../shared/bench/oai_server.py) per source, each on
its own loopback address (127.0.0.1, 127.0.0.2, …: one host each), answering every request
after `latency-ms` like a distant repository; writes a registry of them and runs the
harvest-all flow (temporary PREFECT_HOME; the ephemeral API is brought up first by a run
over no sources, reported apart)
with max_parallel 1, then max_parallel = sources, into fresh warehouses. With --same-host
every server is on 127.0.0.1 (other ports): the host limit must then serialise them, and
parallel should take as long as sequential. Prints one JSON line per setting and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flow_overhead import start_server


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", type=int, default=4)
    ap.add_argument("--n", type=int, default=5_000)
    ap.add_argument("--latency-ms", type=int, default=100)
    ap.add_argument("--same-host", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="oer-harvest-all-"))
    os.environ["PREFECT_HOME"] = str(work / "prefect-home")
    servers = []
    try:
        lines = []
        for i in range(args.sources):
            host = "127.0.0.1" if args.same_host else f"127.0.0.{i + 1}"
            (work / f"s{i}").mkdir()
            proc, url = start_server(
                args.n, work / f"s{i}", "--host", host, "--latency-ms", str(args.latency_ms)
            )
            servers.append(proc)
            lines.append(f'[sources.s{i}]\nkind = "oai-pmh"\nendpoint = "{url}"\n'
                         'metadata_prefix = "oai_dc"\n')  # fmt: skip
        registry = work / "sources.toml"
        registry.write_text("".join(lines), encoding="utf-8")
        started = time.perf_counter()
        from flows.harvest_all import harvest_all

        empty = work / "empty.toml"
        empty.write_text("", encoding="utf-8")
        harvest_all(db=str(work / "warm.duckdb"), registry=str(empty))  # the API comes up
        api_start_s = time.perf_counter() - started
        walls = {}
        for parallel in (1, args.sources):
            t = time.perf_counter()
            rows = harvest_all(max_parallel=parallel, db=str(work / f"p{parallel}.duckdb"),
                               registry=str(registry))  # fmt: skip
            walls[parallel] = time.perf_counter() - t
            print(json.dumps({
                "max_parallel": parallel, "wall_s": round(walls[parallel], 2),
                "records": sum(r["records"] for r in rows),
                "statuses": sorted({r["status"] for r in rows}),
                "hosts": len({r["host"] for r in rows}),
            }))  # fmt: skip
        print(json.dumps({
            "sources": args.sources, "n": args.n, "latency_ms": args.latency_ms,
            "same_host": args.same_host, "api_start_s": round(api_start_s, 2),
            "speedup": round(walls[1] / walls[args.sources], 2),
        }))  # fmt: skip
    finally:
        for proc in servers:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
