"""The published snapshot: a read-only copy of the warehouse that readers open while the
next harvest writes the live file (DuckDB allows one writer per file, and a reader cannot
open a file another process is writing).

`publish(con, path)` runs on the writer's own connection: CHECKPOINT folds the WAL into the
file, and while the connection (and so the file lock) is held nobody else can write, so a
byte copy of the file is a consistent database; it is written next to the snapshot and
renamed over it (atomic on one filesystem: a reader sees the old snapshot or the new one,
and one that has the old one open keeps reading it).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

SUFFIX = ".snapshot"


@dataclass(frozen=True)
class Snapshot:
    path: Path
    bytes: int
    seconds: float
    published_at: datetime


def snapshot_path(path: str | Path) -> Path:
    """`data/warehouse.duckdb` → `data/warehouse.snapshot.duckdb`."""
    p = Path(path)
    return p.with_name(f"{p.stem}{SUFFIX}{p.suffix}")


def published_at(path: str | Path) -> datetime | None:
    """When the snapshot of the warehouse at `path` was published; None when it never was."""
    snap = snapshot_path(path)
    return datetime.fromtimestamp(snap.stat().st_mtime, UTC) if snap.exists() else None


def publish(con: duckdb.DuckDBPyConnection, path: str | Path) -> Snapshot:
    """Copy the warehouse at `path`, open for writing as `con`, to its snapshot, atomically.
    No other transaction of this process may be writing (harvest-all publishes once, after
    its runs)."""
    started = time.perf_counter()
    target = snapshot_path(path)
    partial = target.with_name(target.name + ".partial")
    con.execute("CHECKPOINT")
    try:
        shutil.copyfile(path, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Snapshot(target, target.stat().st_size, round(time.perf_counter() - started, 3),
                    published_at(path))  # fmt: skip
