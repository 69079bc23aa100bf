"""One-line queries for the warehouse tests (the `con` fixture lives in conftest.py)."""

from __future__ import annotations

import duckdb


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return rows(con, sql, params)[0][0]
