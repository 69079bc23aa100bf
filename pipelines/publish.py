"""`oer publish`: the warehouse's read-only snapshot, on demand (every ok or partial harvest
run also publishes it; harvest-all once, after its runs)."""

from __future__ import annotations

from pathlib import Path

from warehouse import connect, resolve_path
from warehouse.snapshot import Snapshot, publish


def publish_warehouse(db: str | Path | None = None) -> Snapshot:
    """Copy the warehouse at `db` to its snapshot (`<name>.snapshot.duckdb`, atomically).
    Raises WarehouseLocked while another process writes the warehouse."""
    con = connect(db)
    try:
        return publish(con, resolve_path(db))
    finally:
        con.close()
