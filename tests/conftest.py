"""Shared fixtures: a fresh warehouse, a demo harvest; one Prefect test harness per session."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.settings import apply_defaults
from warehouse import connect

# Before any test imports Prefect: never the project's .prefect, and the operators' settings
# (analytics off, the pipeline's log lines in the runs' logs) apply to the tests too.
_PREFECT_HOME = os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="oer-tests-prefect-")
apply_defaults()


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A new, migrated warehouse file, open for writing."""
    c = connect(tmp_path / "wh.duckdb")
    yield c
    c.close()


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding one `oer harvest demo` run (one per test module; copy it to write)."""
    from flows.cli import app

    db = tmp_path_factory.mktemp("demo") / "wh.duckdb"
    result = CliRunner().invoke(app, ["harvest", "demo", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A real, temporary Prefect API for the whole session (its start-up costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
