"""Accuracy of the normalisers on labelled dev sets (`oer evaluate licences|languages|detection`).

File formats (tab-separated, `#` lines are comments), as in tests/data/:
- licences:  raw, expected licence URI (empty: none), expected access-rights URI, note.
  The expected `open_for_adaptation` is the expected licence's own flag in
  vocabularies/licences.ttl ("unknown" when no licence is expected).
- languages: raw, expected BCP 47 tags comma-separated (empty: none), note.
- detection: expected BCP 47 tag, field, where the text is from, text. A detection counts as
  right when its primary language subtag is the expected one (Norwegian `no`/`nb`/`nn` are
  one language); a text with fewer than 20 letters, or no answer, counts as wrong.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.corpus import CorpusReader, corpus_root
from transforms.classify import METHOD, classify_text, record_text
from transforms.detection import DEFAULT_DETECTOR, detect
from transforms.languages import normalise_language
from transforms.licences import normalise_licence
from vocabularies.loader import licences as licence_concepts
from vocabularies.sdg import sdg_concepts


@dataclass
class Evaluation:
    what: str
    items: int = 0
    scores: dict[str, float] = field(default_factory=dict)  # name → accuracy 0..1
    per_label: dict[str, tuple[int, int]] = field(default_factory=dict)  # label → (right, all)
    confusions: list[tuple[str, str, str, int]] = field(default_factory=list)
    notes: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "what": self.what,
            "items": self.items,
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "per_label": {k: {"right": r, "items": n} for k, (r, n) in self.per_label.items()},
            "confusions": [
                {"input": i, "expected": e, "got": g, "count": c} for i, e, g, c in self.confusions
            ],
            **self.notes,
        }


def read_rows(path: Path, columns: int) -> list[list[str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < columns:
            raise ValueError(f"{path}:{number}: expected {columns} tab-separated columns")
        rows.append(parts)
    return rows


def _accuracy(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def evaluate_licences(path: Path) -> Evaluation:
    concepts = licence_concepts()
    rows = read_rows(path, 3)
    uri_ok, access_ok, open_ok, licensed_ok = [], [], [], []
    confusions = []
    for raw, licence, access, *_ in rows:
        got = normalise_licence(raw)
        expected_open = concepts[licence].open_for_adaptation if licence else "unknown"
        same = (got.licence_uri or "") == licence
        uri_ok.append(same)
        access_ok.append((got.access_rights_uri or "") == access)
        open_ok.append(got.open_for_adaptation == expected_open)
        if licence:
            licensed_ok.append(same)
        if not same or not access_ok[-1]:
            confusions.append(
                (raw, f"{licence or '-'} {access or ''}".strip(),
                 f"{got.licence_uri or '-'} {got.access_rights_uri or ''} ({got.rule})".strip(), 1)
            )  # fmt: skip
    return Evaluation(
        "licences",
        len(rows),
        {
            "licence_uri": _accuracy(uri_ok),
            "licence_uri (lines with a licence)": _accuracy(licensed_ok),
            "access_rights_uri": _accuracy(access_ok),
            "open_for_adaptation": _accuracy(open_ok),
        },
        confusions=confusions,
        notes={"lines_with_a_licence": len(licensed_ok)},
    )


def evaluate_languages(path: Path) -> Evaluation:
    rows = read_rows(path, 2)
    ok, confusions = [], []
    for raw, expected, *_ in rows:
        want = tuple(t for t in expected.split(",") if t)
        got = normalise_language(raw)
        ok.append(got.languages == want)
        if not ok[-1]:
            confusions.append((raw, ",".join(want) or "-", f"{','.join(got.languages) or '-'} "
                               f"({got.rule})", 1))  # fmt: skip
    return Evaluation("languages", len(rows), {"languages": _accuracy(ok)}, confusions=confusions)


def _primary(tag: str | None) -> str | None:
    if not tag:
        return None
    primary = tag.split("-", 1)[0].casefold()
    return "no" if primary in ("nb", "nn") else primary


def evaluate_detection(path: Path, detector: str = DEFAULT_DETECTOR) -> Evaluation:
    rows = read_rows(path, 4)
    per: dict[str, list[int]] = {}
    by_field: dict[str, list[bool]] = {}
    wrong: Counter[tuple[str, str]] = Counter()
    ok = []
    detect("warm-up: load the detector's model before timing", detector)
    start = time.process_time()
    found = [detect(row[3], detector) for row in rows]
    seconds = time.process_time() - start
    for (expected, field_name, *_), got in zip(rows, found, strict=True):
        right = got is not None and _primary(got.lang) == _primary(expected)
        ok.append(right)
        by_field.setdefault(field_name, []).append(right)
        counts = per.setdefault(expected, [0, 0])
        counts[0] += right
        counts[1] += 1
        if not right:
            wrong[(expected, got.lang if got else "none")] += 1
    per_label = {k: (v[0], v[1]) for k, v in sorted(per.items())}
    good = [k for k, (r, n) in per_label.items() if r / n >= 0.97]
    return Evaluation(
        "detection",
        len(rows),
        {"detection": _accuracy(ok), **{f"field {k}": _accuracy(v) for k, v in by_field.items()}},
        per_label,
        [("", e, g, c) for (e, g), c in wrong.most_common()],
        {
            "detector": detector,
            "languages": len(per_label),
            "languages_at_97": len(good),
            "us_per_text": round(seconds / max(len(rows), 1) * 1e6, 1),
        },
    )


# ------------------------------------------------------------------ SDGs and action areas


def _gold_text(row: dict, reader: CorpusReader) -> str:
    if "text" in row:
        return row["text"]
    record = reader.record(row["corpus"], row["identifier"])
    if record is None:
        raise ValueError(f"gold record not in the corpus: {row['corpus']} {row['identifier']}")
    return record_text(record.titles, record.descriptions, record.subjects)


def gold_set(paths: list[Path], corpus: Path | None = None) -> list[tuple[dict, str]]:
    """(gold row, the text it labels) for every line of the gold files, texts read from the
    corpus (`OER_CORPUS`) through our crosswalks unless the row carries its "text"."""
    reader = CorpusReader(corpus or corpus_root())
    return [
        (row, _gold_text(row, reader))
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for row in [json.loads(line)]
    ]


def evaluate_labels(paths: list[Path], what: str, corpus: Path | None = None) -> Evaluation:
    """Precision, recall and F1 per label, micro and macro, of `classify_text` against a gold
    set (one or more files): JSON lines with "sdgs" / "action_areas" and either "text" or a
    corpus locator ("corpus", "identifier"; tests/data/classification/LABELLING.md)."""
    field_name = {"sdg": "sdgs", "action-areas": "action_areas"}[what]
    counts: dict[str, list[int]] = {}  # label → [tp, fp, fn]
    confusions: Counter[tuple[str, str]] = Counter()
    start = time.process_time()
    rows, texts = zip(*gold_set(paths, corpus), strict=True) if paths else ((), ())
    read_s = time.process_time() - start
    classify_text("")  # build the phrase trie before timing
    start = time.process_time()
    found = [classify_text(text) for text in texts]
    seconds = time.process_time() - start
    for row, result in zip(rows, found, strict=True):
        labels = result.sdgs if what == "sdg" else result.action_areas
        got = {str(label.code) for label in labels}
        want = {str(code) for code in row[field_name]}
        for label in got | want:
            c = counts.setdefault(label, [0, 0, 0])
            c[0 if label in got and label in want else 1 if label in got else 2] += 1
        for label in got - want:
            confusions[("false positive", label)] += 1
        for label in want - got:
            confusions[("missed", label)] += 1
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    per_f1 = {label: _f1(*c) for label, c in counts.items()}
    per_label = {
        label: {
            "precision": round(c[0] / max(c[0] + c[1], 1), 4),
            "recall": round(c[0] / max(c[0] + c[2], 1), 4),
            "f1": round(per_f1[label], 4),
            "support": c[0] + c[2],
            "assigned": c[0] + c[1],
        }
        for label, c in counts.items()
    }
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    key = int if what == "sdg" else str  # goals in numeric order
    return Evaluation(
        what,
        len(rows),
        {
            "micro precision": precision,
            "micro recall": recall,
            "micro F1": _f1(tp, fp, fn),
            "macro F1": sum(per_f1.values()) / max(len(per_f1), 1),
        },
        {k: (counts[k][0], counts[k][0] + counts[k][2]) for k in sorted(counts, key=key)},
        [(kind, label, "", n) for (kind, label), n in confusions.most_common()],
        {
            "method": METHOD,
            "f1_per_label": {k: round(per_f1[k], 4) for k in sorted(per_f1, key=key)},
            "label_scores": {k: per_label[k] for k in sorted(per_label, key=key)},
            "us_per_record": round(seconds / max(len(rows), 1) * 1e6, 1),
            "corpus_read_s": round(read_s, 2),
        },
    )


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


# ------------------------------------------------------------------ cross-lingual agreement

UN_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh-Hans")


def top_goal(text: str, lang: str) -> int | None:
    """The goal with the most distinct matches in `text` (the highest score: the evidence's
    length also counts its sentence, when one was found); None when none, or a tie."""
    sdgs = classify_text(text, lang).sdgs
    if not sdgs:
        return None
    best = max(label.score for label in sdgs)
    top = [label.code for label in sdgs if label.score == best]
    return top[0] if len(top) == 1 else None


def evaluate_cross_lingual(languages: tuple[str, ...] = UN_LANGUAGES) -> Evaluation:
    """The official text of each of the 169 targets, in each language, classified with its
    language: it lands when its own goal is the single top goal. Agreement: the share of
    targets that land in every language. The phrases were written with these texts at hand,
    so this checks that the classifier works alike in every language, not how it generalises
    (that is the gold sets' job)."""
    targets = [c for c in sdg_concepts().values() if c.kind == "target"]
    landed = Counter()
    together = 0
    misses: Counter[tuple[str, str, str]] = Counter()
    classify_text("")  # build the phrase tries before timing
    start = time.process_time()
    for target in targets:
        outcomes = {lang: top_goal(target.labels[lang][0], lang) for lang in languages}
        for lang, goal in outcomes.items():
            if goal == target.goal:
                landed[lang] += 1
            else:
                misses[(f"{target.notation} {lang}", str(target.goal), str(goal or "-"))] += 1
        together += all(goal == target.goal for goal in outcomes.values())
    seconds = time.process_time() - start
    n = len(targets)
    return Evaluation(
        "cross-lingual",
        n,
        {"agreement (all languages)": together / n}
        | {f"landed {lang}": landed[lang] / n for lang in languages},
        {lang: (landed[lang], n) for lang in languages},
        [(text, expected, got, k) for (text, expected, got), k in sorted(misses.items())],
        {"method": METHOD, "us_per_text": round(seconds / (n * len(languages)) * 1e6, 1)},
    )
