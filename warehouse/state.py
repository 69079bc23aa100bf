"""Harvest state: per-source cursor, date windows and checkpoints, resume, sweeps.

The tables are in `sql/002_harvest_state.sql`. Every function takes a connection and
works inside the caller's transaction (`warehouse.db.transaction` joins one already
open): the pipeline loads a batch's records AND calls `checkpoint` in one transaction,
so after a crash (kill -9 included) the checkpoint says exactly what is loaded.

A run lists one or more windows (set × date range). Window life cycle:

    create_windows → pending → start_window → running → checkpoint ... → finish_window
                                                        ↘ retry_window → pending (token lost)
                                                        ↘ split_window → split (+ children)
    merge_windows: pending windows → merged (+ one wider window)

Resume: a run that died stays 'running' (old heartbeat, dead pid) — `mark_run_interrupted`
— or finished 'interrupted' / 'deferred'. `resumable_run` finds it; the pipeline starts a
run with `mode='resume', resumed_from_run_id=...` and calls `carry_windows`, which copies
every window with its checkpoint, so the new run holds the whole picture (done windows
included) and continues from the last token.

Values from the server (from/until, datestamps, responseDate) are kept as strings in the
repository's granularity, exactly as sent or received.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa

from warehouse.db import query_dicts, query_one, transaction
from warehouse.load import (
    COMPLETE_STATUSES,
    RUN_CHAIN_SQL,
    RUN_MODES,
    RUN_STATUSES,
    _record_source_status,
    _registered,
    _require_columns,
    _require_values,
    add_run_issue,
    effective_mode,
)

GRANULARITY_DAY = "YYYY-MM-DD"
GRANULARITY_SECOND = "YYYY-MM-DDThh:mm:ssZ"
GRANULARITIES = (GRANULARITY_DAY, GRANULARITY_SECOND)
DELETED_RECORD_VALUES = ("no", "transient", "persistent")
WINDOW_STATUSES = ("pending", "running", "done", "failed", "split", "merged")
CLOSED_WINDOW_STATUSES = ("done", "split", "merged")  # every other status is still to do
RESUMABLE_RUN_STATUSES = ("running", "interrupted", "deferred")
# Least to most severe: when two outcomes apply, the run takes the later one.
STATUS_PRECEDENCE = ("ok", "partial", "suspect", "deferred", "failed", "blocked")
WINDOW_FIELDS = ("window_no", "set_spec", "from_date", "until_date", "parent_window_no")
LISTING_COLUMNS = ("oai_identifier",)
LISTING_OPTIONAL_COLUMNS = ("window_no", "datestamp", "deleted")

_CLOSED = "('done', 'split', 'merged')"


# ---------------------------------------------------------------- source state


def get_state(con: duckdb.DuckDBPyConnection, source: str) -> dict | None:
    """The harvest_state row of `source` as a dict (column → value), None if it has none."""
    found = query_dicts(con, "SELECT * FROM harvest_state WHERE source = ?", [source])
    return found[0] if found else None


def save_identify(
    con: duckdb.DuckDBPyConnection,
    source: str,
    *,
    granularity: str,
    earliest_datestamp: str | None,
    deleted_record: str,
) -> None:
    """Store what Identify said (creates the row if missing); identify_checked_at = now.

    `granularity` is the OAI value (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ), `deleted_record`
    no / transient / persistent. Raises ValueError for other values.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}; OAI-PMH allows {GRANULARITIES}")
    if deleted_record not in DELETED_RECORD_VALUES:
        raise ValueError(
            f"unknown deletedRecord {deleted_record!r}; OAI-PMH allows {DELETED_RECORD_VALUES}"
        )
    con.execute(
        "INSERT INTO harvest_state (source, granularity, earliest_datestamp, deleted_record, "
        "identify_checked_at, updated_at) VALUES (?, ?, ?, ?, now(), now()) "
        "ON CONFLICT (source) DO UPDATE SET granularity = excluded.granularity, "
        "earliest_datestamp = excluded.earliest_datestamp, "
        "deleted_record = excluded.deleted_record, identify_checked_at = now(), updated_at = now()",
        [source, granularity, earliest_datestamp, deleted_record],
    )


def set_cursor(
    con: duckdb.DuckDBPyConnection,
    source: str,
    *,
    cursor_from: str | None,
    run_id: str,
    response_date: str | None,
    records: int | None,
) -> None:
    """Advance the incremental cursor after a complete run (creates the row if missing).

    `cursor_from`: the `from` of the next incremental run, in the repository granularity
    (see `overlap_cursor`); None makes the next run full. `response_date`: the server's
    responseDate the cursor was taken from (that of the run's first page); `records`:
    records listed by the run. The run must be of `source` and still running (call it in
    the transaction that finishes the run) or finished ok/partial; a suspect, failed or
    otherwise incomplete run never moves the cursor (ValueError).
    """
    run = _run(con, run_id, source)
    if run["status"] not in ("running", *COMPLETE_STATUSES):
        raise ValueError(
            f"run {run_id} ended {run['status']!r}: only a complete (ok/partial) run moves the "
            "cursor"
        )
    con.execute(
        "INSERT INTO harvest_state (source, cursor_from, last_complete_run_id, "
        "last_complete_response_date, last_complete_records, updated_at) "
        "VALUES (?, ?, ?, ?, ?, now()) "
        "ON CONFLICT (source) DO UPDATE SET cursor_from = excluded.cursor_from, "
        "last_complete_run_id = excluded.last_complete_run_id, "
        "last_complete_response_date = excluded.last_complete_response_date, "
        "last_complete_records = excluded.last_complete_records, updated_at = now()",
        [source, cursor_from, run_id, response_date, records],
    )


def overlap_cursor(response_date: str, granularity: str) -> str:
    """`response_date` (OAI responseDate, UTC, e.g. 2024-05-10T10:00:00Z) minus one unit
    of `granularity`, written in that granularity: the `from` of the next incremental run.

    >>> overlap_cursor("2024-05-10T10:00:00Z", "YYYY-MM-DD")
    '2024-05-09'
    >>> overlap_cursor("2024-05-10T00:00:00Z", "YYYY-MM-DDThh:mm:ssZ")
    '2024-05-09T23:59:59Z'
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}; OAI-PMH allows {GRANULARITIES}")
    when = datetime.fromisoformat(response_date.strip())
    if granularity == GRANULARITY_DAY:
        return (when.date() - timedelta(days=1)).isoformat()
    return (when.replace(microsecond=0) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def set_source_status(
    con: duckdb.DuckDBPyConnection,
    source: str,
    status: str,
    deferred_until: datetime | None = None,
) -> None:
    """Set the source's current status (one of RUN_STATUSES; row created if missing).

    `deferred_until` is kept only with status deferred (cleared otherwise).
    finish_run and mark_run_interrupted already do this for the run's source.
    """
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown status {status!r}; known: {', '.join(RUN_STATUSES)}")
    until = deferred_until if status == "deferred" else None
    _record_source_status(con, source, status, None, until)


def worse_status(a: str, b: str) -> str:
    """The more severe of two run outcomes by STATUS_PRECEDENCE (e.g. partial + suspect →
    suspect, suspect + failed → failed)."""
    return max(a, b, key=STATUS_PRECEDENCE.index)


# ---------------------------------------------------------------- windows


def create_windows(con: duckdb.DuckDBPyConnection, run_id: str, windows: list[dict]) -> None:
    """Add windows to a run, status pending.

    Each dict has keys of WINDOW_FIELDS (window_no, set_spec, from_date, until_date,
    parent_window_no); a missing key is NULL, a missing window_no takes the next free
    number. Raises ValueError for an unknown run or key, or a window_no already used.
    """
    _run(con, run_id)
    if not windows:
        return
    with transaction(con):
        next_no = _next_window_no(con, run_id)
        for w in windows:
            unknown = set(w) - set(WINDOW_FIELDS)
            if unknown:
                raise ValueError(f"unknown window field(s) {sorted(unknown)}")
            no = w.get("window_no")
            if no is None:
                no, next_no = next_no, next_no + 1
            elif query_one(con, _WINDOW_EXISTS, [run_id, no]) is not None:
                raise ValueError(f"run {run_id} already has window {no}")
            else:
                next_no = max(next_no, int(no) + 1)
            con.execute(
                "INSERT INTO harvest_windows (run_id, window_no, set_spec, from_date, "
                "until_date, parent_window_no, updated_at) VALUES (?, ?, ?, ?, ?, ?, now())",
                [run_id, no, w.get("set_spec"), w.get("from_date"), w.get("until_date"),
                 w.get("parent_window_no")],
            )  # fmt: skip


def start_window(con: duckdb.DuckDBPyConnection, run_id: str, window_no: int) -> None:
    """Mark an open window running and count an attempt (started_at set the first time)."""
    _update_open_window(
        con,
        run_id,
        window_no,
        "status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now())",
        [],
    )


def checkpoint(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    window_no: int,
    *,
    resumption_token: str | None,
    pages_done: int,
    records_done: int,
    complete_list_size: int | None,
    response_date: str | None,
) -> None:
    """Record progress of a window after a page (or batch) is loaded; bumps the run's
    heartbeat_at. Call it in the transaction that loads those records.

    `resumption_token`: the token to request next (None after the last page);
    `pages_done` / `records_done`: totals for the window so far in this attempt (not
    increments); `complete_list_size`: as last given (None keeps the one stored);
    `response_date`: the page's responseDate. A pending window becomes running.
    Raises ValueError for an unknown or closed (done/split/merged) window.
    """
    with transaction(con):
        _update_open_window(
            con,
            run_id,
            window_no,
            "status = 'running', started_at = coalesce(started_at, now()), "
            "resumption_token = ?, pages_done = ?, records_done = ?, "
            "complete_list_size = coalesce(?, complete_list_size), last_response_date = ?",
            [resumption_token, pages_done, records_done, complete_list_size, response_date],
        )
        con.execute("UPDATE harvest_runs SET heartbeat_at = now() WHERE run_id = ?", [run_id])


def finish_window(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    window_no: int,
    status: str,
    error_code: str | None = None,
    error_message: str | None = None,
) -> None:
    """Close a window: status done (listing complete; token cleared) or failed (retries
    exhausted; token kept for the record). The error, if given, goes to last_error_*."""
    if status not in ("done", "failed"):
        raise ValueError(
            f"finish_window takes done or failed, got {status!r} (split_window, "
            "merge_windows and retry_window do the rest)"
        )
    token = "NULL" if status == "done" else "resumption_token"
    _update_open_window(
        con,
        run_id,
        window_no,
        f"status = ?, resumption_token = {token}, finished_at = now(), "
        "last_error_code = coalesce(?, last_error_code), "
        "last_error_message = coalesce(?, last_error_message)",
        [status, error_code, error_message],
    )


def retry_window(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    window_no: int,
    *,
    error_code: str,
    error_message: str | None = None,
) -> None:
    """Put a window back to pending to redo it from its first page (e.g. after
    bad_resumption_token): token, pages_done, records_done and complete_list_size are
    reset, the error kept. Records already loaded stay (loading is idempotent)."""
    _update_open_window(
        con,
        run_id,
        window_no,
        "status = 'pending', resumption_token = NULL, pages_done = 0, records_done = 0, "
        "complete_list_size = NULL, last_error_code = ?, last_error_message = ?",
        [error_code, error_message],
    )


def split_window(
    con: duckdb.DuckDBPyConnection, run_id: str, window_no: int, children: list[dict]
) -> list[int]:
    """Replace an open window by `children` (dicts as for create_windows; set_spec
    defaults to the parent's, parent_window_no is set to `window_no`). The parent
    becomes split. Returns the children's window numbers, in order."""
    if not children:
        raise ValueError("split_window needs at least one child window")
    with transaction(con):
        parent = _open_window(con, run_id, window_no)
        first = _next_window_no(con, run_id)
        rows = [
            {"set_spec": parent["set_spec"], **c, "parent_window_no": window_no}
            | ({} if c.get("window_no") is not None else {"window_no": first + i})
            for i, c in enumerate(children)
        ]
        con.execute(
            "UPDATE harvest_windows SET status = 'split', finished_at = now(), "
            "updated_at = now() WHERE run_id = ? AND window_no = ?",
            [run_id, window_no],
        )
        create_windows(con, run_id, rows)
    return [int(r["window_no"]) for r in rows]


def merge_windows(
    con: duckdb.DuckDBPyConnection, run_id: str, window_nos: list[int], merged: dict
) -> int:
    """Replace pending, never-paged windows by one wider window (`merged`: a dict as for
    create_windows). The old ones become merged, parent_window_no pointing at the new
    one. Returns the new window's number."""
    if not window_nos:
        raise ValueError("merge_windows needs windows to merge")
    with transaction(con):
        for no in window_nos:
            w = _open_window(con, run_id, no)
            if w["status"] != "pending" or w["pages_done"]:
                raise ValueError(f"window {no} of run {run_id} has started; only merge pending")
        new_no = merged.get("window_no") or _next_window_no(con, run_id)
        create_windows(con, run_id, [{**merged, "window_no": new_no}])
        marks = ", ".join("?" for _ in window_nos)
        con.execute(
            "UPDATE harvest_windows SET status = 'merged', parent_window_no = ?, "
            f"finished_at = now(), updated_at = now() WHERE run_id = ? AND window_no IN ({marks})",
            [new_no, run_id, *window_nos],
        )
    return int(new_no)


def windows(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """Every window of the run (harvest_windows columns), by window_no."""
    return query_dicts(
        con, "SELECT * FROM harvest_windows WHERE run_id = ? ORDER BY window_no", [run_id]
    )


def window_totals(con: duckdb.DuckDBPyConnection, run_id: str) -> dict:
    """Totals for the completeness gates: records (sum of records_done of done windows),
    expected (sum of complete_list_size where given, None if never), open (windows not
    done/split/merged) and failed (windows failed)."""
    row = query_one(
        con,
        "SELECT coalesce(sum(records_done) FILTER (WHERE status = 'done'), 0), "
        "sum(complete_list_size) FILTER (WHERE status = 'done'), "
        f"count(*) FILTER (WHERE status NOT IN {_CLOSED}), "
        "count(*) FILTER (WHERE status = 'failed') "
        "FROM harvest_windows WHERE run_id = ?",
        [run_id],
    )
    assert row is not None
    return {"records": int(row[0]), "expected": row[1], "open": row[2], "failed": row[3]}


# ---------------------------------------------------------------- runs: resume, history


def resumable_run(
    con: duckdb.DuckDBPyConnection, source: str, *, listed_too: bool = False
) -> dict | None:
    """The run of `source` to resume, with its windows (key "windows"), or None.

    That is the latest run whose status is running, interrupted or deferred, that still
    has windows not done/split/merged, that no other run resumed already, and that
    started after the source's last complete (ok/partial) run. The dict holds the
    harvest_runs columns plus effective_mode and process_alive (see `process_alive`);
    a running run whose process is alive must not be resumed, and a deferred one not
    before its deferred_until. `listed_too` also returns a run whose windows are all done
    (killed after listing everything, before it finished): resuming it only finishes it.
    """
    found = query_dicts(
        con,
        "SELECT r.* FROM harvest_runs r WHERE r.source = $source "
        "AND r.status IN ('running', 'interrupted', 'deferred') "
        "AND NOT EXISTS (SELECT 1 FROM harvest_runs n WHERE n.resumed_from_run_id = r.run_id) "
        "AND EXISTS (SELECT 1 FROM harvest_windows w WHERE w.run_id = r.run_id "
        f"  AND ($listed_too OR w.status NOT IN {_CLOSED})) "
        "AND r.started_at > coalesce((SELECT max(c.started_at) FROM harvest_runs c "
        "  WHERE c.source = r.source AND c.status IN ('ok', 'partial')), '-infinity') "
        "ORDER BY r.started_at DESC, r.run_id DESC LIMIT 1",
        {"source": source, "listed_too": listed_too},
    )
    if not found:
        return None
    run = found[0]
    run["effective_mode"] = effective_mode(con, run["run_id"])
    run["process_alive"] = process_alive(run)
    run["windows"] = windows(con, run["run_id"])
    return run


def process_alive(run: dict) -> bool | None:
    """Whether the process that ran `run` (a dict with pid, hostname) still lives: True or
    False when it ran on this host, None when that cannot be told (other host, no pid).

    A harvesting process holds the warehouse open (one writer per file), so a process
    that has the file open read-write knows any other 'running' run is dead.
    """
    pid, host = run.get("pid"), run.get("hostname")
    if not pid or host != socket.gethostname():
        return None
    return pid == os.getpid() or pid_alive(pid)


def pid_alive(pid: int) -> bool:
    """Whether a process `pid` lives on this host (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def carry_windows(con: duckdb.DuckDBPyConnection, run_id: str, from_run_id: str) -> list[dict]:
    """Copy every window of `from_run_id` into the resume run `run_id` (which must have
    resumed_from_run_id = from_run_id and no windows yet), with its checkpoint.

    Closed windows (done/split/merged) are copied as they are, so the resume run's
    windows account for the whole harvest; open ones (pending/running/failed) become
    pending, keeping token, pages_done, records_done and attempts. The old run must not
    be running (mark_run_interrupted first). Returns the new run's windows.
    """
    run = _run(con, run_id)
    if run["resumed_from_run_id"] != from_run_id:
        raise ValueError(f"run {run_id} does not resume {from_run_id}")
    old = _run(con, from_run_id, run["source"])
    if old["status"] == "running":
        raise ValueError(f"run {from_run_id} is still running; mark_run_interrupted it first")
    with transaction(con):
        if query_one(con, "SELECT 1 FROM harvest_windows WHERE run_id = ?", [run_id]):
            raise ValueError(f"run {run_id} already has windows")
        con.execute(
            "INSERT INTO harvest_windows (run_id, window_no, set_spec, from_date, until_date, "
            "parent_window_no, carried_from_run_id, status, attempts, resumption_token, "
            "pages_done, records_done, complete_list_size, last_response_date, "
            "last_error_code, last_error_message, started_at, updated_at, finished_at) "
            "SELECT $new, window_no, set_spec, from_date, until_date, parent_window_no, $old, "
            f"CASE WHEN status IN {_CLOSED} THEN status ELSE 'pending' END, attempts, "
            "resumption_token, pages_done, records_done, complete_list_size, "
            "last_response_date, last_error_code, last_error_message, started_at, now(), "
            f"CASE WHEN status IN {_CLOSED} THEN finished_at END "
            "FROM harvest_windows WHERE run_id = $old",
            {"new": run_id, "old": from_run_id},
        )
    return windows(con, run_id)


def interrupt_dead_runs(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """Mark the source's 'running' runs interrupted; call with the write lock held.

    Holding the warehouse's write lock means no live process is writing a run, so every
    'running' run left is one whose process died. Returns their run ids.
    """
    dead = [
        run_id
        for (run_id,) in con.execute(
            "SELECT run_id FROM harvest_runs WHERE source = ? AND status = 'running'", [source]
        ).fetchall()
    ]
    for run_id in dead:
        mark_run_interrupted(con, run_id, "its process ended without finishing")
    return dead


def mark_run_interrupted(
    con: duckdb.DuckDBPyConnection, run_id: str, message: str | None = None
) -> None:
    """Close a 'running' run whose process died as 'interrupted': finished_at = its last
    heartbeat, error_code interrupted, an 'interrupted' run issue, issue_counts filled,
    and the source's status interrupted. Its windows keep their checkpoints.
    Raises ValueError unless the run is running."""
    run = _run(con, run_id)
    if run["status"] != "running":
        raise ValueError(f"run {run_id} is {run['status']!r}, not running")
    message = message or (
        f"process {run['pid']} on {run['hostname']} stopped; last heartbeat {run['heartbeat_at']}"
    )
    with transaction(con):
        add_run_issue(con, run_id, code="interrupted", severity="error", message=message)
        con.execute(
            "UPDATE harvest_runs SET status = 'interrupted', "
            "finished_at = coalesce(heartbeat_at, started_at), "
            "error_code = coalesce(error_code, 'interrupted'), "
            "error_message = coalesce(error_message, ?), "
            "issue_counts = (SELECT json_group_object(code, n) FROM (SELECT code, count(*) AS n "
            "  FROM run_issues i WHERE i.run_id = harvest_runs.run_id GROUP BY code)) "
            "WHERE run_id = ?",
            [message, run_id],
        )
        _record_source_status(con, run["source"], "interrupted", run_id, None)


def previous_complete_run(
    con: duckdb.DuckDBPyConnection, source: str, mode: str | None = None
) -> dict | None:
    """The latest finished ok/partial run of `source` (harvest_runs columns plus
    effective_mode and window_records: sum of records_done over its done windows, None
    when it has no windows), optionally only of effective mode `mode` (a resume run
    counts as the mode it continues). None if there is none."""
    if mode is not None and mode not in RUN_MODES:
        raise ValueError(f"unknown run mode {mode!r}; known: {', '.join(RUN_MODES)}")
    candidates = query_dicts(
        con,
        "SELECT r.*, (SELECT sum(w.records_done) FROM harvest_windows w "
        "  WHERE w.run_id = r.run_id AND w.status = 'done') AS window_records "
        "FROM harvest_runs r WHERE source = ? AND status IN ('ok', 'partial') "
        "ORDER BY started_at DESC, run_id DESC",
        [source],
    )
    for run in candidates:
        run["effective_mode"] = run["mode"]
        if run["mode"] == "resume":
            run["effective_mode"] = effective_mode(con, run["run_id"])
        if mode is None or run["effective_mode"] == mode:
            return run
    return None


# ---------------------------------------------------------------- listings and sweeps


def add_listed(con: duckdb.DuckDBPyConnection, run_id: str, table: pa.Table) -> None:
    """Store identifiers a (sweep) run listed: column oai_identifier, optional window_no,
    datestamp, deleted. Call it with the page's checkpoint so a resumed sweep keeps them."""
    _require_columns(table, LISTING_COLUMNS, "listing", optional=LISTING_OPTIONAL_COLUMNS)
    _require_values(table, LISTING_COLUMNS, "listing")
    _run(con, run_id)
    names = [*LISTING_COLUMNS, *(c for c in LISTING_OPTIONAL_COLUMNS if c in table.column_names)]
    cols = ", ".join(names)
    with _registered(con, "_wh_listed", table.select(names)):
        con.execute(
            f"INSERT INTO harvest_listings (run_id, {cols}) SELECT ?, {cols} FROM _wh_listed",
            [run_id],
        )


def listed_identifiers(con: duckdb.DuckDBPyConnection, run_id: str) -> pa.Table:
    """Distinct identifiers in harvest_listings of the run and of the runs it resumes
    (one column, oai_identifier): the listing to give sweep_deleted."""
    return con.sql(
        RUN_CHAIN_SQL + "SELECT DISTINCT oai_identifier FROM harvest_listings "
        "WHERE run_id IN (SELECT run_id FROM chain) ORDER BY oai_identifier",
        params={"run_id": run_id},
    ).to_arrow_table()


_SWEEP_CANDIDATES_SQL = (
    RUN_CHAIN_SQL
    + """
SELECT r.record_id, r.content_hash, r.raw_sha256
FROM resources r
WHERE r.source = $source AND NOT r.deleted AND r.metadata_prefix = $prefix
  AND ($sets IS NULL OR list_has_any(r.set_specs, string_split($sets, ',')))
  -- a record first loaded after the listing began may be missing from it legitimately
  AND r.first_seen_at < (SELECT min(started_at) FROM chain)
  AND NOT EXISTS (SELECT 1 FROM _wh_listed l WHERE l.oai_identifier = r.oai_identifier)
"""
)


def sweep_deleted(
    con: duckdb.DuckDBPyConnection, run_id: str, source: str, listed_identifiers: pa.Table
) -> int:
    """Mark-and-sweep: resources of `source` not in `listed_identifiers` (a table with
    column oai_identifier: everything the run listed, deleted headers included) become
    deleted (deleted_reason 'swept', swept_run_id, deleted_at now), each with a
    resource_history row (change 'deleted', changed_fields [deleted]). Returns the count.

    Only resources the listing covers are swept: same metadata_prefix as the run, in one
    of its sets when it names sets, first seen before the listing began. Refuses
    (ValueError, nothing written) unless the run is a complete full listing: finished
    ok/partial, effective mode sweep or full, no window left open or failed, and a
    listing that is not empty. Adds records_swept, a deleted_swept issue and
    harvest_state.last_sweep_*.
    """
    run = _run(con, run_id, source)
    if run["status"] not in COMPLETE_STATUSES:
        raise ValueError(
            f"run {run_id} ended {run['status']!r}: never sweep on a partial or suspect listing"
        )
    mode = effective_mode(con, run_id)
    if mode not in ("sweep", "full"):
        raise ValueError(f"run {run_id} is a {mode} run; sweep needs a full or sweep listing")
    totals = window_totals(con, run_id)
    if totals["open"] or totals["failed"]:
        raise ValueError(
            f"run {run_id} has {totals['open']} window(s) not done; not a complete listing"
        )
    if "oai_identifier" not in listed_identifiers.column_names:
        raise ValueError("listed_identifiers needs an oai_identifier column")
    listed = listed_identifiers.select(["oai_identifier"])
    if listed.num_rows == 0:
        raise ValueError(f"run {run_id} listed nothing; refusing to sweep every resource")
    _require_values(listed, LISTING_COLUMNS, "listed identifiers")
    params = {
        "run_id": run_id,
        "source": source,
        "prefix": run["metadata_prefix"],
        "sets": run["set_spec"],
    }
    with _registered(con, "_wh_listed", listed), transaction(con):
        con.execute("CREATE OR REPLACE TEMP TABLE _wh_swept AS " + _SWEEP_CANDIDATES_SQL, params)
        (n,) = query_one(con, "SELECT count(*) FROM _wh_swept") or (0,)
        con.execute(
            "INSERT INTO resource_history (record_id, run_id, changed_at, change, "
            "changed_fields, previous_hash, new_hash, previous_raw_sha256, new_raw_sha256) "
            "SELECT record_id, ?, now(), 'deleted', ['deleted'], content_hash, content_hash, "
            "raw_sha256, raw_sha256 FROM _wh_swept",
            [run_id],
        )
        con.execute(
            "UPDATE resources SET deleted = true, deleted_at = now(), deleted_reason = 'swept', "
            "swept_run_id = $run_id, last_changed_run = $run_id, last_changed_at = now() "
            "WHERE record_id IN (SELECT record_id FROM _wh_swept)",
            {"run_id": run_id},
        )
        con.execute("DROP TABLE _wh_swept")
        if n:
            add_run_issue(
                con,
                run_id,
                code="deleted_swept",
                severity="info",
                message=f"{n} resource(s) missing from the complete listing marked deleted",
            )
        con.execute(
            "UPDATE harvest_runs SET records_swept = coalesce(records_swept, 0) + $n, "
            "issue_counts = CASE WHEN $n = 0 THEN issue_counts ELSE json_merge_patch("
            "  coalesce(issue_counts, '{}'), json_object('deleted_swept', "
            "  coalesce(CAST(issue_counts->>'deleted_swept' AS BIGINT), 0) + $n)) END "
            "WHERE run_id = $run_id",
            {"n": n, "run_id": run_id},
        )
        con.execute(
            "INSERT INTO harvest_state (source, last_sweep_run_id, last_sweep_at, updated_at) "
            "VALUES (?, ?, now(), now()) ON CONFLICT (source) DO UPDATE SET "
            "last_sweep_run_id = excluded.last_sweep_run_id, last_sweep_at = now(), "
            "updated_at = now()",
            [source, run_id],
        )
    return int(n)


# ---------------------------------------------------------------- helpers

_WINDOW_EXISTS = "SELECT 1 FROM harvest_windows WHERE run_id = ? AND window_no = ?"


def _run(con: duckdb.DuckDBPyConnection, run_id: str, source: str | None = None) -> dict:
    found = query_dicts(con, "SELECT * FROM harvest_runs WHERE run_id = ?", [run_id])
    if not found:
        raise ValueError(f"no harvest run {run_id}; call start_run first")
    if source is not None and found[0]["source"] != source:
        other = found[0]["source"]
        raise ValueError(f"harvest run {run_id} is of source {other!r}, not {source!r}")
    return found[0]


def _next_window_no(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    sql = "SELECT coalesce(max(window_no), 0) + 1 FROM harvest_windows WHERE run_id = ?"
    row = query_one(con, sql, [run_id])
    return int(row[0]) if row else 1


def _open_window(con: duckdb.DuckDBPyConnection, run_id: str, window_no: int) -> dict:
    found = query_dicts(
        con, "SELECT * FROM harvest_windows WHERE run_id = ? AND window_no = ?", [run_id, window_no]
    )
    if not found:
        raise ValueError(f"run {run_id} has no window {window_no}")
    if found[0]["status"] in CLOSED_WINDOW_STATUSES:
        raise ValueError(f"window {window_no} of run {run_id} is {found[0]['status']}")
    return found[0]


def _update_open_window(
    con: duckdb.DuckDBPyConnection, run_id: str, window_no: int, sets: str, params: list
) -> None:
    """UPDATE one open window (one statement on the hot path); explain a miss."""
    row = query_one(
        con,
        f"UPDATE harvest_windows SET {sets}, updated_at = now() "
        f"WHERE run_id = ? AND window_no = ? AND status NOT IN {_CLOSED}",
        [*params, run_id, window_no],
    )
    if not row or not row[0]:
        _open_window(con, run_id, window_no)  # raises the precise error
        raise ValueError(f"window {window_no} of run {run_id} was not updated")


def set_format(
    con: duckdb.DuckDBPyConnection, source: str, metadata_prefix: str, reason: str
) -> bool:
    """Record the metadataPrefix a run of `source` harvests; True when it changed.

    A change clears the incremental cursor: records of the new format have never been
    harvested, so the next run must be full (and stays full until one completes).
    """
    row = con.execute(
        "SELECT metadata_prefix FROM harvest_state WHERE source = ?", [source]
    ).fetchone()
    changed = row is not None and row[0] is not None and row[0] != metadata_prefix
    con.execute(
        "INSERT INTO harvest_state (source, metadata_prefix, metadata_prefix_reason, updated_at) "
        "VALUES (?, ?, ?, now()) ON CONFLICT (source) DO UPDATE SET "
        "metadata_prefix = excluded.metadata_prefix, "
        "metadata_prefix_reason = excluded.metadata_prefix_reason, updated_at = now()"
        + (", cursor_from = NULL" if changed else ""),
        [source, metadata_prefix, reason],
    )
    return changed
