"""The analytics layer: every view has rows and comments on the demo warehouse, the data
dictionary is current, and each question of docs/analyst-guide.md runs and answers."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.support.corpus import REPO_ROOT

VIEWS = ("v_resources", "v_resource_sdg", "v_resource_action_area", "v_coverage",
         "v_source_scorecard", "v_harvest_runs", "v_quality_issues")  # fmt: skip
GUIDE = REPO_ROOT / "docs" / "analyst-guide.md"


@pytest.fixture(scope="module")
def demo(demo_warehouse: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("view", VIEWS)
def test_every_analytics_view_returns_rows_on_the_demo_warehouse(
    demo: duckdb.DuckDBPyConnection, view: str
) -> None:
    (rows,) = demo.execute(f"SELECT count(*) FROM {view}").fetchone()
    assert rows > 0


def test_every_table_view_and_column_has_a_comment(demo: duckdb.DuckDBPyConnection) -> None:
    from warehouse.dictionary import uncommented

    assert uncommented(demo) == []


def test_v_resources_is_one_row_per_live_resource(demo: duckdb.DuckDBPyConnection) -> None:
    (live,) = demo.execute("SELECT count(*) FROM resources WHERE NOT deleted").fetchone()
    rows = demo.execute("SELECT count(*), count(DISTINCT record_id) FROM v_resources").fetchone()
    assert rows == (live, live)
    sdgs = demo.execute("SELECT sum(len(sdgs)) FROM v_resources").fetchone()
    assert sdgs == demo.execute("SELECT count(*) FROM v_resource_sdg").fetchone()


def test_v_coverage_counts_every_resource_once_per_goal_and_area(
    demo: duckdb.DuckDBPyConnection,
) -> None:
    (pairs,) = demo.execute(
        "SELECT sum(greatest(len(sdgs), 1) * greatest(len(action_areas), 1)) FROM v_resources"
    ).fetchone()
    assert demo.execute("SELECT sum(resources) FROM v_coverage").fetchone() == (pairs,)
    unlabelled = demo.execute(
        "SELECT count(*) FROM v_resources WHERE len(sdgs) = 0 AND len(action_areas) = 0"
    ).fetchone()
    assert (
        unlabelled
        == demo.execute(
            "SELECT sum(resources) FROM v_coverage WHERE goal IS NULL AND area IS NULL"
        ).fetchone()
    )


def test_the_data_dictionary_is_generated_from_the_current_schema() -> None:
    from pipelines.docs import dictionary_markdown

    committed = (REPO_ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == dictionary_markdown(), "docs/data-dictionary.md is stale: run oer docs"
    for view in VIEWS:
        assert f"### `{view}` (view)" in committed


def _questions() -> list[tuple[str, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    found = re.findall(r"^## (\d+\. .+?)\n(?:.*?\n)*?```sql\n(.*?)```", text, re.M | re.S)
    return [(title, sql) for title, sql in found]


def test_the_analyst_guide_has_ten_questions() -> None:
    assert [t.split(".")[0] for t, _ in _questions()] == [str(n) for n in range(1, 11)]


@pytest.mark.parametrize("title, sql", _questions(), ids=[t[:40] for t, _ in _questions()])
def test_each_analyst_guide_question_runs_and_returns_rows(
    demo: duckdb.DuckDBPyConnection, title: str, sql: str
) -> None:
    rows = demo.execute(sql).fetchall()
    assert rows, f"{title}: no rows on the demo warehouse"
