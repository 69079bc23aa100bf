"""The classification layer (005_classification.sql): loaders and queries, SQL first.

The pipeline (pipelines/classification.py) classifies; this module only stores and reads:

- `pending_texts`: the next batch of resources to classify (one SELECT, keyset-paged);
- `replace_labels`: a batch of classifications (Arrow) in, one transaction: the records'
  resource_labels rows replaced, their resource_classification rows upserted;
- `drop_deleted`: deleted resources lose their classifier labels (decisions stay);
- `load_vocabularies`: sdg_goals and action_areas refreshed from Arrow tables;
- `add_decision` / `decision_in_force` / `find_resource`: label_decisions, append-only;
- `labels_in_force` / `decision_history`: what `oer labels list` shows.

Batches come as Arrow tables read by DuckDB (no executemany). Bad input raises ValueError
before anything is written.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from warehouse.db import query_dicts, query_one, transaction
from warehouse.load import _registered, _require_columns

__all__ = [
    "AREA_COLUMNS",
    "CLASSIFICATION_SCHEMA",
    "DECISIONS",
    "GOAL_COLUMNS",
    "KINDS",
    "LABEL_SCHEMA",
    "add_decision",
    "decision_history",
    "decision_in_force",
    "drop_deleted",
    "find_resource",
    "labels_in_force",
    "load_vocabularies",
    "pending_texts",
    "replace_labels",
    "vocabularies_loaded",
]

KINDS = ("sdg", "action_area")
DECISIONS = ("add", "remove", "clear")

LABEL_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("kind", pa.string()),
        ("label", pa.string()),
        ("goal", pa.int32()),
        ("score", pa.float64()),
        ("targets", pa.list_(pa.string())),
        ("evidence", pa.list_(pa.string())),
        ("method", pa.string()),
    ]
)
CLASSIFICATION_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("content_hash", pa.string()),
        ("method", pa.string()),
        ("sdg_count", pa.int32()),
        ("action_area_count", pa.int32()),
    ]
)
GOAL_COLUMNS = ("goal", "name", "title")
AREA_COLUMNS = ("area", "name", "definition")
_NOW = "timezone('UTC', now())"  # the layer's timestamps: TIMESTAMP in UTC


# ---------------------------------------------------------------- classifier output


def pending_texts(
    con: duckdb.DuckDBPyConnection,
    method: str,
    *,
    source: str | None = None,
    force: bool = False,
    after: str | None = None,
    limit: int = 5000,
) -> pa.Table:
    """The next `limit` live resources to classify, by record_id above `after`: those with
    no resource_classification row, or one of another content_hash or method (`force`:
    every live resource). Columns record_id, content_hash, titles, descriptions, subjects,
    language_tags. Keyset-paged, so rows classified meanwhile are never read twice."""
    where = ["NOT r.deleted"]
    params: dict[str, object] = {"limit": limit}
    if source is not None:
        where.append("r.source = $source")
        params["source"] = source
    if after is not None:
        where.append("r.record_id > $after")
        params["after"] = after
    if not force:
        where.append(
            "(c.record_id IS NULL OR c.content_hash <> r.content_hash OR c.method <> $method)"
        )
        params["method"] = method
    return con.sql(
        "SELECT r.record_id, r.content_hash, r.titles, r.descriptions, r.subjects, "
        "r.language_tags FROM resources r "
        "LEFT JOIN resource_classification c ON c.record_id = r.record_id "
        f"WHERE {' AND '.join(where)} ORDER BY r.record_id LIMIT $limit",
        params=params,
    ).to_arrow_table()


def replace_labels(con: duckdb.DuckDBPyConnection, classified: pa.Table, labels: pa.Table) -> int:
    """Store one batch of classifications, in one transaction (or the caller's).

    `classified` (CLASSIFICATION_SCHEMA columns): one row per record classified, labels or
    not; `labels` (LABEL_SCHEMA columns): their labels. Every record of `classified` loses
    its earlier resource_labels rows and gets those of `labels`; its resource_classification
    row is replaced. Decisions are not touched. Returns the number of labels written."""
    _require_columns(classified, tuple(CLASSIFICATION_SCHEMA.names), "classified")
    _require_columns(labels, tuple(LABEL_SCHEMA.names), "labels")
    classified = classified.select(CLASSIFICATION_SCHEMA.names).cast(CLASSIFICATION_SCHEMA)
    labels = labels.select(LABEL_SCHEMA.names).cast(LABEL_SCHEMA)
    with _registered(con, "_wh_classified", classified), _registered(con, "_wh_labels", labels):
        bad = query_one(
            con,
            "SELECT count(*) FILTER (kind NOT IN ('sdg', 'action_area') OR kind IS NULL), "
            "count(*) FILTER (label IS NULL OR label = '' OR score IS NULL OR method IS NULL), "
            "count(*) FILTER (kind = 'sdg' AND (goal IS NULL OR goal::VARCHAR <> label)), "
            "count(*) FILTER (record_id NOT IN (SELECT record_id FROM _wh_classified)) "
            "FROM _wh_labels",
        )
        if bad and any(bad):
            raise ValueError(
                f"labels: {bad[0]} row(s) of unknown kind (want {' or '.join(KINDS)}), "
                f"{bad[1]} without label/score/method, {bad[2]} sdg row(s) whose goal is "
                f"not their label, {bad[3]} of a record not in the classified table"
            )
        with transaction(con):
            con.execute(
                "DELETE FROM resource_labels "
                "WHERE record_id IN (SELECT record_id FROM _wh_classified)"
            )
            con.execute(
                "INSERT INTO resource_labels (record_id, kind, label, goal, score, targets, "
                f"evidence, method, classified_at) SELECT *, {_NOW} FROM _wh_labels"
            )
            con.execute(
                "DELETE FROM resource_classification "
                "WHERE record_id IN (SELECT record_id FROM _wh_classified)"
            )
            con.execute(
                "INSERT INTO resource_classification (record_id, content_hash, method, "
                "classified_at, sdg_count, action_area_count) "
                f"SELECT record_id, content_hash, method, {_NOW}, sdg_count, action_area_count "
                "FROM _wh_classified"
            )
    return labels.num_rows


def drop_deleted(con: duckdb.DuckDBPyConnection, *, source: str | None = None) -> int:
    """Remove the classifier labels and classification rows of deleted resources (of
    `source`, or all); decisions stay. Returns the number of resources affected."""
    where, params = ("AND source = $source", {"source": source}) if source else ("", {})
    deleted = f"SELECT record_id FROM resources WHERE deleted {where}"
    with transaction(con):
        con.execute(f"DELETE FROM resource_labels WHERE record_id IN ({deleted})", params)
        row = query_one(
            con, f"DELETE FROM resource_classification WHERE record_id IN ({deleted})", params
        )
    return int(row[0]) if row else 0


def load_vocabularies(con: duckdb.DuckDBPyConnection, goals: pa.Table, areas: pa.Table) -> None:
    """Replace sdg_goals (columns goal, name, title) and action_areas (area, name,
    definition) with these rows, in one transaction."""
    _require_columns(goals, GOAL_COLUMNS, "sdg goals")
    _require_columns(areas, AREA_COLUMNS, "action areas")
    with (
        _registered(con, "_wh_goals", goals.select(list(GOAL_COLUMNS))),
        _registered(con, "_wh_areas", areas.select(list(AREA_COLUMNS))),
        transaction(con),
    ):
        con.execute("DELETE FROM sdg_goals")
        con.execute("INSERT INTO sdg_goals (goal, name, title) SELECT * FROM _wh_goals")
        con.execute("DELETE FROM action_areas")
        con.execute("INSERT INTO action_areas (area, name, definition) SELECT * FROM _wh_areas")


def vocabularies_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    row = query_one(
        con,
        "SELECT (SELECT count(*) FROM sdg_goals) > 0 AND (SELECT count(*) FROM action_areas) > 0",
    )
    return bool(row and row[0])


# ---------------------------------------------------------------- human decisions


def find_resource(con: duckdb.DuckDBPyConnection, record: str) -> dict | None:
    """The resource `record` names: a record_id, else an OAI identifier held by exactly one
    resource. {"record_id", "source", "oai_identifier", "deleted"}, or None when none.
    Raises ValueError when the OAI identifier is held by resources of several sources."""
    select = "SELECT record_id, source, oai_identifier, deleted FROM resources"
    rows = query_dicts(con, f"{select} WHERE record_id = ?", [record]) or query_dicts(
        con, f"{select} WHERE oai_identifier = ? ORDER BY source", [record]
    )
    if len(rows) > 1:
        sources = ", ".join(f"{r['source']} ({r['record_id']})" for r in rows)
        raise ValueError(f"OAI identifier {record!r} is held by several resources: {sources}; "
                         "give the record_id")  # fmt: skip
    return rows[0] if rows else None


def decision_in_force(
    con: duckdb.DuckDBPyConnection, record_id: str, kind: str, label: str
) -> dict | None:
    """The decision in force (add or remove) for the label, or None."""
    return _one_dict(
        con,
        "SELECT * FROM label_decisions_in_force WHERE record_id = ? AND kind = ? AND label = ?",
        [record_id, kind, label],
    )


def add_decision(
    con: duckdb.DuckDBPyConnection,
    *,
    record_id: str,
    kind: str,
    label: str,
    decision: str,
    decided_by: str,
    reason: str,
) -> dict:
    """Append one decision; returns its label_decisions row as a dict. Checks the kind,
    the decision, that who and why are not empty and that the resource exists (the label
    itself is checked by the caller, against the vocabularies)."""
    if kind not in KINDS:
        raise ValueError(f"unknown label kind {kind!r} (known: {', '.join(KINDS)})")
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r} (known: {', '.join(DECISIONS)})")
    if not (label or "").strip():
        raise ValueError("a decision needs a label")
    if not (decided_by or "").strip():
        raise ValueError("a decision needs who makes it (decided_by must not be empty)")
    if not (reason or "").strip():
        raise ValueError("a decision needs a reason (reason must not be empty)")
    if query_one(con, "SELECT 1 FROM resources WHERE record_id = ?", [record_id]) is None:
        raise ValueError(f"no resource {record_id!r} in the warehouse")
    with transaction(con):
        row = _one_dict(
            con,
            "INSERT INTO label_decisions (record_id, kind, label, decision, decided_by, reason) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            [record_id, kind, label, decision, decided_by.strip(), reason.strip()],
        )
    assert row is not None
    return row


# ---------------------------------------------------------------- reading


def labels_in_force(
    con: duckdb.DuckDBPyConnection, *, record_id: str | None = None, source: str | None = None
) -> list[dict]:
    """Labels in force with their explanation, by source, record, kind (SDGs first), goal."""
    where, params = _filter(record_id, source, "f.record_id", "f.source")
    return query_dicts(
        con,
        "SELECT f.record_id, f.source, f.kind, f.label, e.label_name, f.origin, f.score, "
        "f.targets, f.evidence, f.method, f.decided_by, f.reason, f.decided_at, e.explanation "
        "FROM labels_in_force f JOIN label_explanations e "
        "ON e.record_id = f.record_id AND e.kind = f.kind AND e.label = f.label "
        f"{where} ORDER BY f.source, f.record_id, f.kind DESC, f.goal, f.label",
        params,
    )


def decision_history(
    con: duckdb.DuckDBPyConnection, *, record_id: str | None = None, source: str | None = None
) -> list[dict]:
    """Every decision, oldest first, with the resource's source and whether it is the
    latest for its label (`latest`: then it is in force, unless it is a clear)."""
    where, params = _filter(record_id, source, "d.record_id", "r.source")
    return query_dicts(
        con,
        "SELECT d.decision_id, d.record_id, r.source, d.kind, d.label, d.decision, "
        "d.decided_by, d.reason, d.decided_at, "
        "d.decision_id = max(d.decision_id) OVER (PARTITION BY d.record_id, d.kind, d.label) "
        "AS latest FROM label_decisions d LEFT JOIN resources r ON r.record_id = d.record_id "
        f"{where} ORDER BY d.decision_id",
        params,
    )


def _filter(
    record_id: str | None, source: str | None, record_column: str, source_column: str
) -> tuple[str, dict]:
    where, params = [], {}
    if record_id is not None:
        where.append(f"{record_column} = $record_id")
        params["record_id"] = record_id
    if source is not None:
        where.append(f"{source_column} = $source")
        params["source"] = source
    return ("WHERE " + " AND ".join(where) if where else ""), params


def _one_dict(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict) -> dict | None:
    rows = query_dicts(con, sql, params)
    return rows[0] if rows else None
