"""Normalisation + detection throughput on harvested bench records.

    .venv/bin/python bench/normalise_throughput.py WAREHOUSE [--detector NAME] [--repeat 3]
        [--limit N]

WAREHOUSE is a warehouse an `oer harvest` of the shared bench server filled (e.g. by
bench/normalise_vs_truth.sh). Its mapped records are read back into Records and the
normalisation stage (transforms/normalise.normalise_batch: licences, declared languages,
detection where none is declared) is timed on them in batches of 1,000, as a harvest runs
it, with cold caches at the start of each repeat. CPU time; prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import duckdb

from transforms import languages, licences
from transforms.model import Record
from transforms.normalise import Settings, normalise_batch

COLUMNS = (
    "source, oai_identifier, metadata_prefix, deleted, titles, descriptions, languages, rights"
)


def read_records(path: str) -> list[Record]:
    con = duckdb.connect(path, read_only=True)
    rows = con.execute(f"SELECT {COLUMNS} FROM resources ORDER BY oai_identifier").fetchall()
    con.close()
    names = COLUMNS.split(", ")
    return [Record(**dict(zip(names, row, strict=True))) for row in rows]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("warehouse")
    ap.add_argument("--detector", default=Settings().detector)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=int, help="only the first N records (slow detectors)")
    args = ap.parse_args()
    settings = Settings(detector=args.detector)
    best = None
    for _ in range(args.repeat):
        records = read_records(args.warehouse)[: args.limit]
        languages.normalise_language.cache_clear()
        licences.normalise_licence.cache_clear()
        start = time.process_time()
        for i in range(0, len(records), 1000):
            normalise_batch(records[i : i + 1000], settings)
        seconds = time.process_time() - start
        best = seconds if best is None else min(best, seconds)
    detected = sum(1 for r in records for t in r.text_languages if t["method"] != "xml:lang")
    print(json.dumps({
        "records": len(records),
        "detector": args.detector,
        "cpu_s": round(best, 3),
        "records_per_s": round(len(records) / best),
        "detections": detected,
        "records_detected": sum(1 for r in records if r.language_source == "detected"),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
