"""DuckDB warehouse: schema migrations (warehouse/sql) and Arrow loaders."""

from warehouse.db import (
    WarehouseError,
    WarehouseLocked,
    connect,
    default_path,
    migrate,
    resolve_path,
    schema_version,
    transaction,
)
from warehouse.load import (
    LoadCounts,
    add_pages,
    add_run_issue,
    finish_run,
    load_raw_records,
    load_records,
    start_run,
    upsert_sources,
)

__all__ = [
    "LoadCounts",
    "WarehouseError",
    "WarehouseLocked",
    "add_pages",
    "add_run_issue",
    "connect",
    "default_path",
    "finish_run",
    "load_raw_records",
    "load_records",
    "migrate",
    "resolve_path",
    "schema_version",
    "start_run",
    "transaction",
    "upsert_sources",
]
