"""Open the warehouse file, turn DuckDB's open failures into one-line errors, migrate.

The schema lives in `warehouse/sql/NNN_<name>.sql`; `migrate` applies, in order, each
file whose number is not in `schema_version` yet, one transaction per file. Migrations
are forward-only: an applied file must not change (its checksum is kept) and a new file
must number above the current version.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.snapshot import published_at, snapshot_path

DEFAULT_PATH = Path("data/warehouse.duckdb")
ENV_VAR = "OER_WAREHOUSE"
MIGRATIONS_DIR = Path(__file__).parent / "sql"

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_CONFIG = {"checkpoint_threshold": "1GB"}
_PID = re.compile(r"\(PID (\d+)\)")


class WarehouseError(Exception):
    """The warehouse cannot be opened or migrated; str() is one line."""


class WarehouseLocked(WarehouseError):
    """Another process holds the DuckDB file lock (DuckDB allows one writer per file)."""

    def __init__(self, path: Path, pid: int | None, *, read_only: bool) -> None:
        self.path = path
        self.pid = pid
        who = f"another process (PID {pid})" if pid is not None else "another process"
        if read_only:
            what = f"{who} is writing it"
        else:
            what = f"{who} is writing it or has it open (DuckDB allows one writer per file)"
        then = "wait for it to finish"
        snapshot = snapshot_path(path)
        if read_only and snapshot.exists():
            then = (f"read the snapshot published {published_at(path):%Y-%m-%d %H:%M} UTC "
                    f"meanwhile: --db {snapshot}")  # fmt: skip
        super().__init__(f"warehouse {path} is locked: {what}; {then}")


def default_path() -> Path:
    """`$OER_WAREHOUSE` if set (and not empty), else data/warehouse.duckdb under the cwd."""
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env).expanduser() if env else DEFAULT_PATH


def resolve_path(path: str | Path | None = None) -> Path:
    """The warehouse file `connect(path)` opens: `path`, else `default_path()`."""
    return Path(path) if path is not None else default_path()


def connect(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    migrations_dir: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (default `default_path()`), applying pending migrations.

    Read-write: creates the parent directory and the file if missing, then migrates.
    Read-only: the file must exist; a warehouse with pending migrations is upgraded first
    (opened read-write once), so a reader never sees an older schema than this code expects.
    Raises WarehouseLocked when another process holds the file, WarehouseError otherwise.
    """
    p = resolve_path(path)
    if read_only and not p.exists():
        raise WarehouseError(f"warehouse {p} does not exist (open it read-write once to create it)")
    if not read_only:
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise WarehouseError(f"cannot create directory for warehouse {p}: {e}") from e
    try:
        con = duckdb.connect(str(p), read_only=read_only, config=_CONFIG)
    except duckdb.Error as e:
        msg = str(e)
        if "Could not set lock on file" in msg:
            m = _PID.search(msg)
            raise WarehouseLocked(p, int(m.group(1)) if m else None, read_only=read_only) from e
        raise WarehouseError(f"cannot open warehouse {p}: {_one_line(msg)}") from e
    try:
        # Timestamps without a zone (e.g. from Arrow) mean UTC, whatever the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            migrate(con, migrations_dir)
        elif schema_version(con) > 0 and pending(con, migrations_dir):
            # An older warehouse opened by a reader (oer status, oer sql): upgrade it once,
            # read-write, so readers see the views this version expects. A file that is not
            # a warehouse yet (schema 0) is left alone.
            con.close()
            connect(p, migrations_dir=migrations_dir).close()
            return connect(p, read_only=True, migrations_dir=migrations_dir)
    except BaseException:
        con.close()
        raise
    return con


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    path: Path
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.replace("\r\n", "\n").encode()).hexdigest()

    @property
    def description(self) -> str:
        for line in self.text.splitlines():
            if line.startswith("--"):
                return line.lstrip("-").strip() or self.path.stem
        return self.path.stem


def migrations(migrations_dir: Path | None = None) -> list[Migration]:
    """The migration files of `migrations_dir` (default warehouse/sql), by version."""
    d = migrations_dir or MIGRATIONS_DIR
    found: dict[int, Migration] = {}
    for f in sorted(d.glob("*.sql")):
        m = _MIGRATION_NAME.match(f.name)
        if not m:
            raise WarehouseError(f"bad migration file name {f} (want NNN_lower_snake.sql)")
        version = int(m.group(1))
        if version in found:
            raise WarehouseError(f"two migrations numbered {version}: {found[version].path}, {f}")
        found[version] = Migration(version, f, f.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def applied(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """Applied migration versions → checksum ({} on a fresh file)."""
    if not _has_table(con, "schema_version"):
        return {}
    rows = con.execute("SELECT version, checksum FROM schema_version").fetchall()
    return dict(rows)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Highest applied migration version, 0 on a fresh file."""
    return max(applied(con), default=0)


def pending(con: duckdb.DuckDBPyConnection, migrations_dir: Path | None = None) -> list[int]:
    """Versions `migrate` would apply now."""
    done = applied(con)
    return [m.version for m in migrations(migrations_dir) if m.version not in done]


def migrate(con: duckdb.DuckDBPyConnection, migrations_dir: Path | None = None) -> list[int]:
    """Apply the migrations not yet in schema_version, each in its own transaction.

    Returns the versions applied (empty when up to date). Raises WarehouseError when an
    applied file was edited, when a new file numbers below the current version, or when
    a migration fails (that migration is rolled back; earlier ones stay applied).
    """
    done = applied(con)
    current = max(done, default=0)
    todo: list[Migration] = []
    for m in migrations(migrations_dir):
        if m.version in done:
            if done[m.version] != m.checksum:
                raise WarehouseError(
                    f"migration {m.path.name} was edited after it was applied to this "
                    "warehouse; migrations are forward-only, add a new NNN_*.sql instead"
                )
        elif m.version < current:
            raise WarehouseError(
                f"migration {m.path.name} numbers below the warehouse schema version "
                f"{current}; migrations are forward-only, renumber it above {current}"
            )
        else:
            todo.append(m)
    for m in todo:
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(m.text)
            con.execute(
                "INSERT INTO schema_version (version, description, filename, checksum) "
                "VALUES (?, ?, ?, ?)",
                [m.version, m.description, m.path.name, m.checksum],
            )
            con.execute("COMMIT")
        except duckdb.Error as e:
            rollback(con)
            raise WarehouseError(f"migration {m.path.name} failed: {_one_line(str(e))}") from e
        except BaseException:
            rollback(con)
            raise
    return [m.version for m in todo]


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """True when `con` has an explicit transaction open.

    DuckDB has no direct test; in auto-commit mode every statement gets a new
    transaction id, inside BEGIN ... COMMIT the id stays the same.
    """
    return query_one(con, "SELECT txid_current()") == query_one(con, "SELECT txid_current()")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, ROLLBACK on any exception (re-raised).

    Inside a transaction the caller already opened, joins it: the caller commits or
    rolls back (DuckDB has no savepoints).
    """
    if in_transaction(con):
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        rollback(con)
        raise
    con.execute("COMMIT")


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK, tolerating only "no transaction is active" (a failed COMMIT already
    rolled back). Meant for error paths, where the original exception is re-raised."""
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException as e:
        if "no transaction is active" not in str(e):
            raise


def query_one(
    con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None
) -> tuple | None:
    """First row of a query, or None. Fetches all rows so that no unfinished result is
    left on the connection (DuckDB 2.0 refuses register() and other work until then)."""
    rows = con.execute(sql, params).fetchall()
    return rows[0] if rows else None


def query_dicts(
    con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None
) -> list[dict]:
    """Every row of a query as a dict keyed by column name."""
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = query_one(
        con,
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?",
        [name],
    )
    return bool(row and row[0])


def _one_line(msg: str) -> str:
    return " ".join(msg.split())
