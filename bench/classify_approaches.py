"""Compare SDG classification approaches on the gold sets (docs/decisions.md §22).

    OER_CORPUS=../shared/corpus .venv/bin/python bench/classify_approaches.py

Approaches, all on the same 567 gold records (tests/data/classification/gold_*.jsonl):
- phrases, exact: the evidence phrases, casefolded whole words, no stemming;
- phrases, stemmed: the default (transforms/classify.py): exact + Snowball stems in the
  text's language, suffix-only;
- BM25 on the official texts: each goal and target text of vocabularies/sdg.ttl in the
  text's language (26 languages) is a document; a goal is assigned when its best document
  scores ≥ a threshold (3 thresholds shown) with ≥ 2 shared terms. Terms: Snowball stems
  (zh: character bigrams), those in more than 15 % of the documents dropped;
- phrases ∪ BM25.
Prints micro precision / recall / F1 per approach as JSON lines.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path

import transforms.classify as classify
from pipelines.evaluate import gold_set
from transforms.classify import classify_text, text_language, words
from vocabularies.sdg import sdg_concepts

GOLD = Path(__file__).resolve().parents[1] / "tests" / "data" / "classification"

K1, B, MAX_DF = 1.2, 0.75, 0.15


def gold() -> list[tuple[str, str | None, set[int]]]:
    return [
        (text, text_language(text, None), set(row["sdgs"]))
        for row, text in gold_set(sorted(GOLD.glob("gold_*.jsonl")))
    ]


def terms(text: str, lang: str) -> list[str]:
    if lang == "zh":
        return [w[i : i + 2] for w in words(text) for i in range(max(len(w) - 1, 1))]
    if lang in classify.STEMMERS:
        return classify._stemmer(lang).stemWords(words(text))
    return words(text)


@cache
def index(lang: str) -> tuple[dict[str, list[tuple[int, float]]], list[int]]:
    tag = {"zh": "zh-Hans"}.get(lang, lang)
    docs = [(c.goal, c.labels[tag][0]) for c in sdg_concepts().values() if tag in c.labels]
    postings: dict[str, list[tuple[int, int]]] = {}
    lengths = []
    for j, (_, text) in enumerate(docs):
        found = terms(text, lang)
        lengths.append(len(found))
        for term in set(found):
            postings.setdefault(term, []).append((j, found.count(term)))
    n, mean = len(docs), sum(lengths) / max(len(docs), 1)
    weighted = {}
    for term, plist in postings.items():
        if len(plist) > MAX_DF * n or term.isdigit():
            continue
        idf = math.log(1 + (n - len(plist) + 0.5) / (len(plist) + 0.5))
        weighted[term] = [
            (j, idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[j] / mean)))
            for j, tf in plist
        ]
    return weighted, [goal for goal, _ in docs]


def bm25(text: str, lang: str | None, threshold: float) -> set[int]:
    if not lang or not index(lang)[1]:
        return set()
    weighted, goal_of = index(lang)
    scores: dict[int, float] = {}
    shared: dict[int, int] = {}
    for term in set(terms(text, lang)):
        for j, w in weighted.get(term, ()):
            scores[j] = scores.get(j, 0.0) + w
            shared[j] = shared.get(j, 0) + 1
    return {goal_of[j] for j, s in scores.items() if s >= threshold and shared[j] >= 2}


def phrases(text: str, lang: str | None) -> set[int]:
    return {label.code for label in classify_text(text, lang).sdgs}  # type: ignore[misc]


def exact(text: str, lang: str | None) -> set[int]:
    return phrases(text, "xx")  # a language without a stemmer: exact matching only


def score(rows: list, predict: Callable[[str, str | None], set[int]]) -> dict[str, float]:
    tp = fp = fn = 0
    for text, lang, want in rows:
        got = predict(text, lang)
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    return {
        "precision": round(tp / max(tp + fp, 1), 3),
        "recall": round(tp / max(tp + fn, 1), 3),
        "micro_f1": round(2 * tp / max(2 * tp + fp + fn, 1), 3),
    }


def main() -> None:
    rows = gold()
    approaches: dict[str, Callable[[str, str | None], set[int]]] = {
        "phrases, exact": exact,
        "phrases, stemmed (default)": phrases,
    }
    for threshold in (8.0, 14.0, 20.0):
        approaches[f"BM25 official texts >= {threshold:g}"] = lambda t, lang, th=threshold: bm25(
            t, lang, th
        )
    approaches["phrases + BM25 >= 20"] = lambda t, lang: phrases(t, lang) | bm25(t, lang, 20.0)
    for name, predict in approaches.items():
        print(json.dumps({"approach": name, "records": len(rows), **score(rows, predict)}))


if __name__ == "__main__":
    main()
