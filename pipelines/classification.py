"""The classifier over texts and over the warehouse, and human label decisions.

- `as_row`: `oer classify`, one JSON-ready dict per text.
- `classify_pending` / `classify_warehouse`: classify the stored resources that are new,
  changed (another content_hash) or classified by another method, in batches, into
  resource_labels / resource_classification (`oer reclassify`; after every harvest run,
  pipelines/run.py). The vocabulary tables sdg_goals and action_areas are refreshed first.
- `decide` (add, remove, clear) and `list_labels` / `list_decisions`: the human decisions
  of `oer labels`, which always win over the classifier (warehouse/sql/005_classification.sql).
  Bad input raises ValueError.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from transforms.classify import METHOD, classify_fields, classify_text
from vocabularies.action_areas import SLUGS, action_areas
from vocabularies.sdg import goals
from warehouse import connect
from warehouse.labels import (
    CLASSIFICATION_SCHEMA,
    LABEL_SCHEMA,
    add_decision,
    decision_history,
    decision_in_force,
    drop_deleted,
    find_resource,
    labels_in_force,
    load_vocabularies,
    pending_texts,
    replace_labels,
    vocabularies_loaded,
)

__all__ = [
    "METHOD",
    "ClassifyResult",
    "as_row",
    "classify_pending",
    "classify_warehouse",
    "decide",
    "decide_in_warehouse",
    "list_decisions",
    "list_labels",
    "list_warehouse",
]


def as_row(identifier: object, text: str, lang: str | None = None) -> dict:
    """{"id", "sdgs": [{"goal", "score", "evidence", "targets"}], "action_areas": [{"area",
    "score", "evidence"}], "method"} for one text, only the labels assigned."""
    result = classify_text(text, lang)
    return {
        "id": identifier,
        "sdgs": [
            {"goal": lb.code, "score": lb.score, "evidence": list(lb.evidence),
             "targets": list(lb.targets)}
            for lb in result.sdgs
        ],
        "action_areas": [
            {"area": lb.code, "score": lb.score, "evidence": list(lb.evidence)}
            for lb in result.action_areas
        ],
        "method": result.method,
    }  # fmt: skip


# ------------------------------------------------------------------ the warehouse


@dataclass
class ClassifyResult:
    records: int = 0  # resources classified
    labels: int = 0  # classifier labels written for them
    seconds: float = 0.0
    deleted: int = 0  # deleted resources whose classifier labels were removed


def classify_pending(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str | None = None,
    batch_size: int = 5000,
    force: bool = False,
) -> ClassifyResult:
    """Classify the live resources (of `source`, or all) with no classification, or one
    of another content_hash or method (`force`: all of them), `batch_size` at a time: one
    SELECT reads a batch's texts, one transaction writes its labels. Deleted resources lose
    their classifier labels first. sdg_goals and action_areas are refreshed from the
    vocabularies when there is something to classify (or they are empty). Human decisions
    are never touched."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    started = time.perf_counter()
    result = ClassifyResult(deleted=drop_deleted(con, source=source))
    after = None
    refresh = True  # the vocabulary tables, before the first batch (or when empty)
    while True:
        batch = pending_texts(
            con, METHOD, source=source, force=force, after=after, limit=batch_size
        )
        if refresh and (batch.num_rows or not vocabularies_loaded(con)):
            refresh_vocabularies(con)
            refresh = False
        if batch.num_rows == 0:
            break
        rows = batch.to_pylist()
        classified, labels = _classify(rows)
        result.labels += replace_labels(con, classified, labels)
        result.records += len(rows)
        after = rows[-1]["record_id"]
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def classify_warehouse(
    db: str | Path | None = None, *, source: str | None = None, force: bool = False
) -> ClassifyResult:
    """`classify_pending` on the warehouse file `db` (default: the configured one)."""
    con = connect(db)
    try:
        return classify_pending(con, source=source, force=force)
    finally:
        con.close()


def _classify(rows: list[dict]) -> tuple[pa.Table, pa.Table]:
    """Classify one batch of `pending_texts` rows → (classified, labels) Arrow tables."""
    classified: dict[str, list] = {name: [] for name in CLASSIFICATION_SCHEMA.names}
    labels: dict[str, list] = {name: [] for name in LABEL_SCHEMA.names}
    for row in rows:
        result = classify_fields(row["titles"] or [], row["descriptions"] or [],
                                 row["subjects"] or [], row["language_tags"])  # fmt: skip
        for kind, found in (("sdg", result.sdgs), ("action_area", result.action_areas)):
            for lb in found:  # one label per code: classify_text gives each code once
                labels["record_id"].append(row["record_id"])
                labels["kind"].append(kind)
                labels["label"].append(str(lb.code))
                labels["goal"].append(int(lb.code) if kind == "sdg" else None)
                labels["score"].append(float(lb.score))
                labels["targets"].append(list(lb.targets))
                labels["evidence"].append([e for e in lb.evidence if e])
                labels["method"].append(result.method)
        classified["record_id"].append(row["record_id"])
        classified["content_hash"].append(row["content_hash"])
        classified["method"].append(result.method)
        classified["sdg_count"].append(len(result.sdgs))
        classified["action_area_count"].append(len(result.action_areas))
    return (
        pa.Table.from_pydict(classified, schema=CLASSIFICATION_SCHEMA),
        pa.Table.from_pydict(labels, schema=LABEL_SCHEMA),
    )


_refreshing = threading.Lock()  # harvest-all: runs finishing at once must not both rewrite


def refresh_vocabularies(con: duckdb.DuckDBPyConnection) -> None:
    """Fill sdg_goals and action_areas from vocabularies/ (English names)."""
    with _refreshing:
        _refresh_vocabularies(con)


def _refresh_vocabularies(con: duckdb.DuckDBPyConnection) -> None:
    sdg = goals()
    areas = list(action_areas().values())
    load_vocabularies(
        con,
        pa.table({
            "goal": pa.array([g.goal for g in sdg], pa.int32()),
            "name": [_english(g.labels) for g in sdg],
            "title": [_english(g.definitions) or _english(g.alt_labels) for g in sdg],
        }),
        pa.table({
            "area": [a.slug for a in areas],
            "name": [_english(a.labels) for a in areas],
            "definition": pa.array([_english(a.definitions) for a in areas], pa.string()),
        }),
    )  # fmt: skip


def _english(texts: dict[str, tuple[str, ...]]) -> str | None:
    values = texts.get("en") or ()
    return values[0] if values else None


# ------------------------------------------------------------------ human decisions


def label_of(sdg: int | None = None, area: str | None = None) -> tuple[str, str]:
    """(kind, label) for an SDG goal number or an action-area slug, checked against the
    vocabularies; ValueError unless exactly one valid label is given."""
    if (sdg is None) == (area is None):
        raise ValueError("give exactly one label: an SDG goal (1–17) or an action area")
    if sdg is not None:
        if isinstance(sdg, bool) or not isinstance(sdg, int) or not 1 <= sdg <= 17:
            raise ValueError(f"SDG goal must be a number from 1 to 17, not {sdg!r}")
        return "sdg", str(sdg)
    if area not in SLUGS:
        raise ValueError(f"unknown action area {area!r} (known: {', '.join(SLUGS)})")
    return "action_area", area


def _label_text(kind: str, label: str) -> str:
    return f"SDG {label}" if kind == "sdg" else f"action area {label}"


def decide(
    con: duckdb.DuckDBPyConnection,
    record: str,
    decision: str,
    *,
    sdg: int | None = None,
    area: str | None = None,
    by: str,
    why: str,
) -> dict:
    """Record a human decision (add, remove or clear) on one label of the resource named
    by `record` (its record_id, or an OAI identifier only one resource has). Returns the
    decision row plus `classifier` (whether the classifier currently gives the label) and
    `in_force_before` (the decision it replaces, or None). A clear needs a decision in
    force to withdraw."""
    kind, label = label_of(sdg, area)
    if not (by or "").strip():
        raise ValueError("say who decides (--by must not be empty)")
    if not (why or "").strip():
        raise ValueError("say why (--why must not be empty)")
    resource = _resource(con, record)
    record_id = resource["record_id"]
    before = decision_in_force(con, record_id, kind, label)
    if decision == "clear" and before is None:
        raise ValueError(
            f"no decision in force on {_label_text(kind, label)} of {record_id}: nothing to clear"
        )
    if not vocabularies_loaded(con):  # label_explanations names labels from these tables
        refresh_vocabularies(con)
    row = add_decision(
        con, record_id=record_id, kind=kind, label=label, decision=decision, decided_by=by,
        reason=why,
    )  # fmt: skip
    classifier = con.execute(
        "SELECT count(*) FROM resource_labels WHERE record_id = ? AND kind = ? AND label = ?",
        [record_id, kind, label],
    ).fetchall()[0][0]
    return {**row, "source": resource["source"], "deleted": resource["deleted"],
            "classifier": bool(classifier), "in_force_before": before}  # fmt: skip


def decide_in_warehouse(db: str | Path | None, record: str, decision: str, **kw) -> dict:
    """`decide` on the warehouse file `db` (default: the configured one)."""
    con = connect(db)
    try:
        return decide(con, record, decision, **kw)
    finally:
        con.close()


def _resource(con: duckdb.DuckDBPyConnection, record: str) -> dict:
    resource = find_resource(con, record)
    if resource is None:
        raise ValueError(f"no resource with record_id or OAI identifier {record!r}")
    return resource


def _record_id(con: duckdb.DuckDBPyConnection, record: str | None) -> str | None:
    return None if record is None else _resource(con, record)["record_id"]


def list_labels(
    con: duckdb.DuckDBPyConnection, record: str | None = None, *, source: str | None = None
) -> list[dict]:
    """The labels in force (of one resource, of a source, or all), each with its origin and
    explanation."""
    return labels_in_force(con, record_id=_record_id(con, record), source=source)


def list_decisions(
    con: duckdb.DuckDBPyConnection, record: str | None = None, *, source: str | None = None
) -> list[dict]:
    """The decision history (of one resource, of a source, or all), oldest first."""
    return decision_history(con, record_id=_record_id(con, record), source=source)


def list_warehouse(
    db: str | Path | None = None,
    record: str | None = None,
    *,
    source: str | None = None,
    decisions: bool = False,
) -> list[dict]:
    """`list_labels` (or `list_decisions`) on the warehouse file `db`, read-only."""
    con = connect(db, read_only=True)
    try:
        lister = list_decisions if decisions else list_labels
        return lister(con, record, source=source)
    finally:
        con.close()
