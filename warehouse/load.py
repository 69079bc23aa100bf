"""Load harvest output into the warehouse: run bookkeeping, raw layer, resources.

Batches arrive as Arrow tables and are read by DuckDB straight from Arrow (`register`),
so a 10,000-record batch is a handful of set-based statements, not 10,000 inserts.
Loading is idempotent: the same raw payloads insert nothing, the same records only
bump `last_seen_*`; a changed record updates `resources` and appends `resource_history`.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from transforms.model import DERIVED_FIELDS, RECORD_SCHEMA
from warehouse.db import query_one, transaction

# Model columns compared for resource_history.changed_fields: all but the id and hashes.
# The normalised (derived) columns are left out: they change with the normaliser, not the source.
COMPARED_FIELDS: tuple[str, ...] = tuple(
    n
    for n in RECORD_SCHEMA.names
    if n not in ("record_id", "content_hash", "raw_sha256") and n not in DERIVED_FIELDS
)
SOURCE_COLUMNS = (
    "name", "kind", "endpoint", "metadata_prefix", "sets", "schedule", "enabled", "defaults",
    "notes",
)  # fmt: skip
PAGE_COLUMNS = (
    "page_number", "url", "http_status", "fetched_at", "elapsed_s", "size_bytes", "n_items",
    "resumption_token", "complete_list_size", "response_date",
)  # fmt: skip
RAW_RECORD_COLUMNS = (
    "source", "oai_identifier", "metadata_prefix", "datestamp", "payload_sha256", "payload",
    "page_url",
)  # fmt: skip
RAW_KEY = ("source", "oai_identifier", "metadata_prefix", "payload_sha256")
COUNT_COLUMNS = (
    "records_seen", "records_new", "records_updated", "records_unchanged", "records_deleted",
    "records_undeleted", "records_failed", "records_quarantined", "pages", "bytes",
)  # fmt: skip
PAGE_OPTIONAL_COLUMNS = ("window_no",)
RUN_MODES = ("full", "incremental", "resume", "sweep")
# Final statuses finish_run accepts (harvest_runs.status; 'running' until then).
RUN_STATUSES = ("ok", "partial", "deferred", "suspect", "blocked", "failed", "interrupted")
COMPLETE_STATUSES = ("ok", "partial")

# The run and the runs it resumes, nearest first (depth 0 = the run itself).
RUN_CHAIN_SQL = """
WITH RECURSIVE chain(run_id, mode, resumed_from_run_id, started_at, depth) AS (
    SELECT run_id, mode, resumed_from_run_id, started_at, 0 FROM harvest_runs
    WHERE run_id = $run_id
    UNION ALL
    SELECT h.run_id, h.mode, h.resumed_from_run_id, h.started_at, c.depth + 1
    FROM harvest_runs h JOIN chain c ON h.run_id = c.resumed_from_run_id
    WHERE c.depth < 1000
)
"""


@dataclass(frozen=True, slots=True)
class LoadCounts:
    """What one `load_records` call did, one count per distinct record_id in the batch."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    undeleted: int = 0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.deleted + self.undeleted

    def __add__(self, other: LoadCounts) -> LoadCounts:
        return LoadCounts(**{k: v + getattr(other, k) for k, v in asdict(self).items()})

    def as_counts(self) -> dict[str, int]:
        """As `finish_run(counts=...)` keys: records_new, records_updated, ..."""
        return {f"records_{k}": v for k, v in asdict(self).items()}


# ---------------------------------------------------------------- sources and runs


def upsert_sources(con: duckdb.DuckDBPyConnection, sources: list[dict]) -> None:
    """Insert or update `sources` rows by name; keys are sources columns (name required).

    A key left out is stored as NULL (enabled: true); `defaults` is a dict, stored as JSON.
    """
    rows = []
    for s in sources:
        unknown = set(s) - set(SOURCE_COLUMNS)
        if unknown:
            raise ValueError(f"unknown sources column(s) {sorted(unknown)} in {s.get('name')!r}")
        if not s.get("name"):
            raise ValueError(f"source without a name: {s!r}")
        row = {c: s.get(c) for c in SOURCE_COLUMNS}
        row["enabled"] = True if row["enabled"] is None else bool(row["enabled"])
        row["defaults"] = None if row["defaults"] is None else json.dumps(row["defaults"])
        rows.append(row)
    if not rows:
        return
    cols = ", ".join(SOURCE_COLUMNS)
    marks = ", ".join("?" for _ in SOURCE_COLUMNS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in SOURCE_COLUMNS if c != "name")
    sql = (
        f"INSERT INTO sources ({cols}, updated_at) VALUES ({marks}, now()) "
        f"ON CONFLICT (name) DO UPDATE SET {sets}, updated_at = now()"
    )
    with transaction(con):
        for row in rows:  # a few dozen sources: per-row statements are fine here
            con.execute(sql, [row[c] for c in SOURCE_COLUMNS])


def start_run(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    endpoint: str,
    metadata_prefix: str,
    set_spec: str | None,
    from_: str | None,
    until: str | None,
    options: dict,
    pipeline_version: str,
    mode: str | None = None,
    resumed_from_run_id: str | None = None,
) -> str:
    """Record a new harvest run with status 'running'; returns its run_id (UUID4 text).

    `mode`: full, incremental, resume or sweep; by default full when `from_` is None,
    else incremental. A resume run names the run it continues (`resumed_from_run_id`,
    same source) and inherits its mode (see `effective_mode`). The run's pid and
    hostname are stored and heartbeat_at starts now (checkpoints move it).
    """
    if mode is None:
        mode = "resume" if resumed_from_run_id else ("full" if from_ is None else "incremental")
    if mode not in RUN_MODES:
        raise ValueError(f"unknown run mode {mode!r}; known: {', '.join(RUN_MODES)}")
    if (mode == "resume") != (resumed_from_run_id is not None):
        raise ValueError("a resume run needs resumed_from_run_id, and only a resume run has one")
    if resumed_from_run_id is not None:
        row = query_one(
            con, "SELECT source FROM harvest_runs WHERE run_id = ?", [resumed_from_run_id]
        )
        if row is None or row[0] != source:
            raise ValueError(f"no harvest run {resumed_from_run_id} of source {source!r}")
    run_id = str(uuid.uuid4())
    con.execute(
        "INSERT INTO harvest_runs (run_id, source, endpoint, metadata_prefix, set_spec, "
        "from_date, until_date, started_at, status, options, pipeline_version, mode, "
        "resumed_from_run_id, heartbeat_at, pid, hostname) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, now(), 'running', ?, ?, ?, ?, now(), ?, ?)",
        [
            run_id, source, endpoint, metadata_prefix, set_spec, from_, until,
            json.dumps(options, sort_keys=True), pipeline_version, mode, resumed_from_run_id,
            os.getpid(), socket.gethostname(),
        ],
    )  # fmt: skip
    return run_id


def effective_mode(con: duckdb.DuckDBPyConnection, run_id: str) -> str | None:
    """The mode a run harvests in: its own, or for a resume run that of the run its
    chain of resumes started from (full, incremental or sweep). None for an unknown run."""
    row = query_one(
        con,
        RUN_CHAIN_SQL + "SELECT mode FROM chain WHERE mode IS DISTINCT FROM 'resume' "
        "ORDER BY depth LIMIT 1",
        {"run_id": run_id},
    )
    return row[0] if row else None


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    status: str,
    counts: dict[str, int],
    error_code: str | None = None,
    error_message: str | None = None,
    error_url: str | None = None,
    wall_s: float,
    peak_rss_mb: float,
    mode: str | None = None,
    records_quarantined: int | None = None,
    expected_records: int | None = None,
    previous_records: int | None = None,
    issue_counts: dict[str, int] | None = None,
    deferred_until: datetime | None = None,
) -> None:
    """Close a running run: status, counts, run-level error, timings; update harvest_state.

    `status` is one of RUN_STATUSES. `counts` keys are harvest_runs count columns
    (records_seen, ..., records_quarantined, pages, bytes); the records_ prefix may be
    left out (seen, new, ...). Counts not given stay NULL. `mode` overrides the mode the
    run started with; `issue_counts` (code → n) defaults to the run's run_issues by code;
    `deferred_until` (tz-aware, or naive UTC) is when a deferred run may resume.
    harvest_state of the source gets status, last_run_id and deferred_until (kept only
    for status deferred); an ok/partial run of effective mode full also sets last_full_*.
    Works inside the caller's transaction. Raises ValueError for an unknown status, mode
    or count, an unknown run or a run already finished.
    """
    if not status or status == "running":
        raise ValueError(f"finish_run needs a final status, got {status!r}")
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r}; known: {', '.join(RUN_STATUSES)}")
    if mode is not None and mode not in RUN_MODES:
        raise ValueError(f"unknown run mode {mode!r}; known: {', '.join(RUN_MODES)}")
    values: dict[str, int | None] = {}
    for key, n in counts.items():
        col = key if key in COUNT_COLUMNS else f"records_{key}"
        if col not in COUNT_COLUMNS:
            raise ValueError(f"unknown count {key!r}; known: {', '.join(COUNT_COLUMNS)}")
        values[col] = int(n)
    if records_quarantined is not None:
        values["records_quarantined"] = int(records_quarantined)
    row = query_one(con, "SELECT status, source FROM harvest_runs WHERE run_id = ?", [run_id])
    if row is None:
        raise ValueError(f"no harvest run {run_id}")
    if row[0] != "running":
        raise ValueError(f"harvest run {run_id} already finished with status {row[0]!r}")
    source = row[1]
    extra = {
        "expected_records": expected_records,
        "previous_records": previous_records,
        "deferred_until": deferred_until if status == "deferred" else None,
    }
    if mode is not None:
        extra["mode"] = mode
    sets = "".join(f", {c} = ?" for c in [*values, *extra])
    issues_sql = "?" if issue_counts is not None else _ISSUE_COUNTS_SQL
    issues_arg = [json.dumps(issue_counts, sort_keys=True)] if issue_counts is not None else []
    with transaction(con):
        con.execute(
            "UPDATE harvest_runs SET finished_at = now(), heartbeat_at = now(), status = ?, "
            "error_code = ?, error_message = ?, error_url = ?, wall_s = ?, peak_rss_mb = ?, "
            f"issue_counts = {issues_sql}{sets} WHERE run_id = ?",
            [status, error_code, error_message, error_url, wall_s, peak_rss_mb, *issues_arg,
             *values.values(), *extra.values(), run_id],
        )  # fmt: skip
        _record_source_status(con, source, status, run_id, extra["deferred_until"])
        if status in COMPLETE_STATUSES and effective_mode(con, run_id) == "full":
            con.execute(
                "UPDATE harvest_state SET last_full_run_id = ?, last_full_at = now() "
                "WHERE source = ?",
                [run_id, source],
            )


_ISSUE_COUNTS_SQL = (
    "coalesce((SELECT json_group_object(code, n) FROM (SELECT code, count(*) AS n "
    "FROM run_issues i WHERE i.run_id = harvest_runs.run_id GROUP BY code)), '{}')"
)


def _record_source_status(
    con: duckdb.DuckDBPyConnection,
    source: str,
    status: str,
    run_id: str | None,
    deferred_until: datetime | None,
) -> None:
    """harvest_state.status of `source` (row created if missing); last_run_id if given."""
    con.execute(
        "INSERT INTO harvest_state (source, status, last_run_id, deferred_until, updated_at) "
        "VALUES ($source, $status, $run_id, $until, now()) "
        "ON CONFLICT (source) DO UPDATE SET status = excluded.status, "
        "last_run_id = coalesce(excluded.last_run_id, harvest_state.last_run_id), "
        "deferred_until = excluded.deferred_until, updated_at = now()",
        {"source": source, "status": status, "run_id": run_id, "until": deferred_until},
    )


def add_run_issue(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    code: str,
    severity: str,
    message: str,
    url: str | None = None,
    oai_identifier: str | None = None,
    raw_body: bytes | None = None,
) -> None:
    """Append one issue to the run (seq = next number in the run), keeping raw_body."""
    _require_run(con, run_id)
    con.execute(
        "INSERT INTO run_issues (run_id, seq, recorded_at, code, severity, message, url, "
        "oai_identifier, raw_body) "
        "SELECT ?, coalesce(max(seq), 0) + 1, now(), ?, ?, ?, ?, ?, ? "
        "FROM run_issues WHERE run_id = ?",
        [run_id, code, severity, message, url, oai_identifier, raw_body, run_id],
    )


def add_pages(con: duckdb.DuckDBPyConnection, run_id: str, pages: pa.Table) -> None:
    """Insert page metadata; `pages` has the raw_pages columns minus run_id
    (window_no optional: NULL when left out)."""
    _require_columns(pages, PAGE_COLUMNS, "pages", optional=PAGE_OPTIONAL_COLUMNS)
    _require_run(con, run_id)
    names = [*PAGE_COLUMNS, *(c for c in PAGE_OPTIONAL_COLUMNS if c in pages.column_names)]
    cols = ", ".join(names)
    with _registered(con, "_wh_pages", pages.select(names)):
        con.execute(
            f"INSERT INTO raw_pages (run_id, {cols}) SELECT ?, {cols} FROM _wh_pages", [run_id]
        )


# ---------------------------------------------------------------- raw layer


def load_raw_records(con: duckdb.DuckDBPyConnection, run_id: str, table: pa.Table) -> int:
    """Store payloads not stored yet (key: source, oai_identifier, metadata_prefix,
    payload_sha256); returns the number of rows inserted (0 when all were known)."""
    _require_columns(table, RAW_RECORD_COLUMNS, "raw records")
    _require_values(table, (*RAW_KEY, "payload"), "raw records")
    _require_run(con, run_id)
    key = ", ".join(RAW_KEY)
    match = " AND ".join(f"r.{c} = b.{c}" for c in RAW_KEY)
    batch = _with_position(table.select(list(RAW_RECORD_COLUMNS)))
    with _registered(con, "_wh_raw", batch):
        row = query_one(
            con,
            "INSERT INTO raw_records (source, oai_identifier, metadata_prefix, payload_sha256, "
            "datestamp, payload, first_run_id, first_seen_at, page_url) "
            "SELECT b.source, b.oai_identifier, b.metadata_prefix, b.payload_sha256, "
            "b.datestamp, b.payload, ?, now(), b.page_url "
            # the same payload twice in one batch: keep its first occurrence
            f"FROM (FROM _wh_raw QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _pos) = 1)"
            f" AS b WHERE NOT EXISTS (SELECT 1 FROM raw_records r WHERE {match})",
            [run_id],
        )
    return int(row[0]) if row else 0


# ---------------------------------------------------------------- resources


def _changed_fields_sql() -> str:
    checks = ", ".join(
        f"CASE WHEN b.{c} IS DISTINCT FROM r.{c} THEN '{c}' END" for c in COMPARED_FIELDS
    )
    return f"list_filter([{checks}], lambda f: f IS NOT NULL)"


_MODEL_COLUMNS = ", ".join(RECORD_SCHEMA.names)

# One row per distinct record_id of the batch, with its change against resources.
# A repository may list the same item twice in one harvest (e.g. on two pages): the
# last occurrence by position wins and the record is counted once.
_STAGE_SQL = f"""
CREATE OR REPLACE TEMP TABLE _wh_stage AS
WITH b AS (
    SELECT * EXCLUDE (_pos) FROM _wh_batch
    QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY _pos DESC) = 1
)
SELECT
    b.*,
    CASE
        WHEN r.record_id IS NULL THEN 'new'
        -- a swept resource keeps its content_hash: coming back is an undelete
        WHEN b.content_hash = r.content_hash AND b.deleted = r.deleted THEN 'unchanged'
        WHEN b.deleted AND NOT r.deleted THEN 'deleted'
        WHEN r.deleted AND NOT b.deleted THEN 'undeleted'
        ELSE 'updated'
    END AS _change,
    CASE WHEN r.record_id IS NOT NULL
        AND (b.content_hash <> r.content_hash OR b.deleted <> r.deleted)
        THEN {_changed_fields_sql()} END AS _changed_fields,
    r.content_hash AS _previous_hash,
    r.raw_sha256 AS _previous_raw_sha256,
    r.first_seen_run AS _first_seen_run,
    r.first_seen_at AS _first_seen_at,
    r.deleted_at AS _deleted_at,
    r.deleted_reason AS _deleted_reason,
    r.swept_run_id AS _swept_run_id
FROM b LEFT JOIN resources AS r ON r.record_id = b.record_id
"""

_HISTORY_SQL = """
INSERT INTO resource_history (record_id, run_id, changed_at, change, changed_fields,
    previous_hash, new_hash, previous_raw_sha256, new_raw_sha256)
SELECT record_id, $run_id, now(), _change, _changed_fields,
    _previous_hash, content_hash, _previous_raw_sha256, raw_sha256
FROM _wh_stage WHERE _change <> 'unchanged'
"""

_SEEN_SQL = """
UPDATE resources SET last_seen_run = $run_id, last_seen_at = now()
FROM _wh_stage AS s
WHERE resources.record_id = s.record_id AND s._change = 'unchanged'
"""

# An unchanged record normalised by another normaliser version takes the new normalised
# columns (and issues, which hold the normalisation issues) without counting as a change.
_RENORMALISED_SQL = f"""
UPDATE resources SET {", ".join(f"{c} = s.{c}" for c in (*DERIVED_FIELDS, "issues"))}
FROM _wh_stage AS s
WHERE resources.record_id = s.record_id AND s._change = 'unchanged'
    AND resources.normaliser_version IS DISTINCT FROM s.normaliser_version
"""

# Changed rows are replaced (DELETE + INSERT), not UPDATEd: DuckDB updates of LIST/STRUCT
# columns cost ~10x more (measured: 0.14-0.36 s vs < 0.02 s for 1,000 of 50,000 rows).
_DROP_CHANGED_SQL = """
DELETE FROM resources
WHERE record_id IN (
    SELECT record_id FROM _wh_stage WHERE _change IN ('updated', 'deleted', 'undeleted')
)
"""

# A resource deleted before (by header or sweep) keeps its first deletion's date and reason.
_WRITE_SQL = f"""
INSERT INTO resources ({_MODEL_COLUMNS}, first_seen_run, first_seen_at, last_seen_run,
    last_seen_at, last_changed_run, last_changed_at, deleted_at, deleted_reason, swept_run_id)
SELECT {_MODEL_COLUMNS},
    coalesce(_first_seen_run, $run_id), coalesce(_first_seen_at, now()),
    $run_id, now(), $run_id, now(),
    CASE WHEN deleted THEN coalesce(_deleted_at, now()) END,
    CASE WHEN deleted THEN coalesce(_deleted_reason, 'header') END,
    CASE WHEN deleted THEN _swept_run_id END
FROM _wh_stage WHERE _change <> 'unchanged'
"""


def load_records(con: duckdb.DuckDBPyConnection, run_id: str, table: pa.Table) -> LoadCounts:
    """Merge a batch in RECORD_SCHEMA into resources, logging changes in resource_history.

    One transaction (or the caller's). Change detection is by content_hash:
    new → insert; same hash → only last_seen_run/last_seen_at move; other hash →
    'deleted' if it turned deleted, 'undeleted' if it came back, else 'updated', and the
    row takes the new values (deleted_at: when the deleted header was first seen).
    A record that is new and already deleted counts as new (with deleted_at set).
    """
    batch = _as_record_batch(table)
    _require_values(batch, ("record_id", "content_hash", "source", "oai_identifier"), "records")
    _require_run(con, run_id)
    params = {"run_id": run_id}
    with _registered(con, "_wh_batch", _with_position(batch)), transaction(con):
        # On error the transaction rolls back, and the temp table with it.
        con.execute(_STAGE_SQL)
        con.execute(_HISTORY_SQL, params)
        con.execute(_SEEN_SQL, params)
        con.execute(_RENORMALISED_SQL)
        con.execute(_DROP_CHANGED_SQL)
        con.execute(_WRITE_SQL, params)
        rows = con.execute("SELECT _change, count(*) FROM _wh_stage GROUP BY ALL").fetchall()
        con.execute("DROP TABLE _wh_stage")
    return LoadCounts(**dict(rows))


# ---------------------------------------------------------------- helpers


class _registered:
    """Context manager: an Arrow table visible to SQL under `name`, unregistered after."""

    def __init__(self, con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
        self.con, self.name, self.table = con, name, table

    def __enter__(self) -> None:
        self.con.register(self.name, self.table)

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            self.con.unregister(self.name)
            return
        # Already failing: inside an aborted transaction unregister() fails too, and
        # must not hide the original error; its failure goes on that error as a note.
        try:
            self.con.unregister(self.name)
        except duckdb.Error as e:
            exc.add_note(f"also: could not unregister {self.name}: {e}")


def _as_record_batch(table: pa.Table) -> pa.Table:
    if table.schema.equals(RECORD_SCHEMA, check_metadata=False):
        return table
    missing = [n for n in RECORD_SCHEMA.names if n not in table.column_names]
    if missing:
        raise ValueError(f"records table lacks RECORD_SCHEMA column(s): {', '.join(missing)}")
    try:
        return table.select(RECORD_SCHEMA.names).cast(RECORD_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as e:
        raise ValueError(f"records table does not fit RECORD_SCHEMA: {e}") from e


def _with_position(table: pa.Table) -> pa.Table:
    return table.append_column("_pos", pa.array(range(table.num_rows), pa.int64()))


def _require_columns(
    table: pa.Table, columns: tuple[str, ...], what: str, *, optional: tuple[str, ...] = ()
) -> None:
    missing = [c for c in columns if c not in table.column_names]
    extra = [c for c in table.column_names if c not in columns and c not in optional]
    if missing or extra:
        raise ValueError(
            f"{what} table: missing column(s) {missing or '-'}, unknown column(s) {extra or '-'}"
        )


def _require_values(table: pa.Table, columns: tuple[str, ...], what: str) -> None:
    """Key columns must be non-null and non-empty: a NULL key would break idempotence."""
    for c in columns:
        col = table.column(c)
        bad = pc.or_kleene(pc.is_null(col), pc.equal(pc.binary_length(col), 0))
        n = pc.sum(bad).as_py() or 0
        if n:
            first = pc.index(bad, True).as_py()
            raise ValueError(f"{what}: {n} row(s) with empty {c} (first at row {first})")


def _require_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    if query_one(con, "SELECT 1 FROM harvest_runs WHERE run_id = ?", [run_id]) is None:
        raise ValueError(f"no harvest run {run_id}; call start_run first")


# ---------------------------------------------------------------- crosswalk coverage

_COVERAGE_SCHEMA = pa.schema(
    [
        ("crosswalk", pa.string()),
        ("path", pa.string()),
        ("status", pa.string()),
        ("elements", pa.int64()),
        ("records", pa.int64()),
    ]
)

_COVERAGE_SQL = """
INSERT INTO crosswalk_coverage AS c
    (run_id, source, metadata_prefix, crosswalk, path, status, elements, records)
SELECT $run_id, $source, $prefix, crosswalk, path, status, elements, records FROM _wh_coverage
ON CONFLICT (run_id, crosswalk, path) DO UPDATE SET
    elements = c.elements + excluded.elements, records = c.records + excluded.records,
    status = excluded.status
"""


def load_coverage(
    con: duckdb.DuckDBPyConnection, run_id: str, source: str, metadata_prefix: str, rows: list[dict]
) -> None:
    """Add a batch's crosswalk coverage counts (coverage.Tally.rows) to the run's totals."""
    if not rows:
        return
    table = pa.Table.from_pylist(rows, schema=_COVERAGE_SCHEMA)
    params = {"run_id": run_id, "source": source, "prefix": metadata_prefix}
    with _registered(con, "_wh_coverage", table):
        con.execute(_COVERAGE_SQL, params)
