"""SDG / action-area classification throughput (transforms/classify.py), one core.

    .venv/bin/python bench/classify_throughput.py [--warehouse WAREHOUSE] [--repeat 3]
        [--copies 20]

Texts: by default the 567 real records of the gold sets, read from the corpus ($OER_CORPUS)
through our crosswalks (research abstracts, OER World Map activities, cultural heritage, in
a dozen languages; median 255 characters, mean 631), each repeated `--copies` times with a
number appended so no two texts are the same; or, with --warehouse, every live resource of a
harvested warehouse (its language_tags as `lang`). Timed twice: with the record's language
given (as the pipeline does from language_tags) and without (cld2 detects it first). CPU
time of this process (single-threaded), best of `--repeat`; prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

from pipelines.evaluate import gold_set
from transforms.classify import METHOD, classify_text, record_text, text_language

GOLD = Path(__file__).resolve().parents[1] / "tests" / "data" / "classification"


def gold_texts(copies: int) -> list[tuple[str, str | None]]:
    texts = [text for _, text in gold_set(sorted(GOLD.glob("gold_*.jsonl")))]
    return [(f"{text} {n}", text_language(text, None)) for n in range(copies) for text in texts]


def warehouse_texts(path: str) -> list[tuple[str, str | None]]:
    con = duckdb.connect(path, read_only=True)
    rows = con.execute(
        "SELECT titles, descriptions, subjects, language_tags FROM resources WHERE NOT deleted"
    ).fetchall()
    con.close()
    return [(record_text(t or [], d or [], s or []), (tags or [None])[0]) for t, d, s, tags in rows]


def best_rate(texts: list[tuple[str, str | None]], with_lang: bool, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for text, lang in texts:
            classify_text(text, lang if with_lang else None)
        best = min(best, time.process_time() - start)
    return len(texts) / best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warehouse")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--copies", type=int, default=20)
    args = ap.parse_args()
    texts = warehouse_texts(args.warehouse) if args.warehouse else gold_texts(args.copies)
    start = time.process_time()
    classify_text("")  # build the phrase tries
    build_s = time.process_time() - start
    labelled = sum(1 for text, lang in texts if classify_text(text, lang).sdgs)
    print(json.dumps({
        "method": METHOD,
        "texts": len(texts),
        "from": args.warehouse or "gold sets (corpus)",
        "mean_chars": round(sum(len(t) for t, _ in texts) / max(len(texts), 1)),
        "with_sdg": labelled,
        "records_per_s_lang_given": round(best_rate(texts, True, args.repeat)),
        "records_per_s_detecting": round(best_rate(texts, False, args.repeat)),
        "trie_build_s": round(build_s, 2),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
