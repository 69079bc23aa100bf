"""Read-side helpers the CLI and flows share: last runs, ad-hoc SQL, the demo's examples."""

from __future__ import annotations

from pathlib import Path

from warehouse import connect

LAST_RUNS_SQL = """
SELECT source, status, last_run_mode AS mode,
       strftime(last_run_started_at, '%Y-%m-%d %H:%M') AS started,
       last_run_records AS records, last_run_issues AS issues,
       strftime(deferred_until, '%Y-%m-%d %H:%M') AS deferred_until,
       cursor_from AS next_from, last_error_code AS error
FROM v_harvest_status
ORDER BY source
"""

EXAMPLE_QUERIES: list[tuple[str, str]] = [
    (
        "Resources per language (BCP 47), and how the language was found",
        "SELECT language_tags[1] AS lang, language_source AS found_by, count(*) AS resources\n"
        "FROM resources WHERE NOT deleted\n"
        "GROUP BY ALL ORDER BY resources DESC, lang LIMIT 8",
    ),
    (
        "Licences, and whether they make a resource OER (open for adaptation)",
        "SELECT coalesce(licence_uri, '(none recognised)') AS licence, open_for_adaptation,\n"
        "       count(*) AS resources\n"
        "FROM resources WHERE NOT deleted\n"
        "GROUP BY ALL ORDER BY resources DESC, licence LIMIT 8",
    ),
    (
        "Titles in set sdg:04 (quality education), with the language the source states",
        "SELECT titles[1].value AS title, titles[1].lang AS lang\n"
        "FROM resources WHERE list_contains(set_specs, 'sdg:04') AND NOT deleted\n"
        "ORDER BY oai_identifier LIMIT 5",
    ),
]


def run_sql(
    sql: str, db: str | Path | None = None, params: list | None = None
) -> tuple[list[str], list[tuple]]:
    """Run one statement read-only; returns (column names, rows)."""
    con = connect(db, read_only=True)
    try:
        cursor = con.execute(sql, params or [])
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
        return columns, rows
    finally:
        con.close()


def last_runs(db: str | Path | None = None) -> tuple[list[str], list[tuple]]:
    return run_sql(LAST_RUNS_SQL, db)


def resource_totals(db: str | Path | None = None) -> dict[str, int]:
    """Counts for the demo summary: resources, deleted ones, languages stated on titles."""
    _, rows = run_sql(
        "SELECT count(*) AS resources, count(*) FILTER (WHERE deleted) AS deleted,"
        " (SELECT count(DISTINCT t.lang) FROM resources, unnest(titles) AS u(t)) AS title_languages"
        " FROM resources",
        db,
    )
    resources, deleted, languages = rows[0]
    return {"resources": resources, "deleted": deleted, "title_languages": languages}


COVERAGE_SQL = """
SELECT metadata_prefix, crosswalk, status, path, records, elements
FROM v_crosswalk_coverage
WHERE source = $1 AND ($2 IS NULL OR status = $2)
"""


def crosswalk_coverage(
    source: str, db: str | Path | None = None, status: str | None = None
) -> tuple[list[str], list[tuple]]:
    """Coverage of the source's latest run per format, unknown paths first."""
    return run_sql(COVERAGE_SQL, db, [source, status])


def coverage_summary(rows: list[tuple]) -> dict[str, dict[str, int]]:
    """status → {"paths", "elements"} over coverage rows (as crosswalk_coverage returns them)."""
    summary: dict[str, dict[str, int]] = {}
    for _, _, status, _, _, elements in rows:
        entry = summary.setdefault(status, {"paths": 0, "elements": 0})
        entry["paths"] += 1
        entry["elements"] += elements
    return summary


# ------------------------------------------------------------------ run summaries

_COUNTS = (("records", "records received"), ("new", "new"), ("updated", "updated"),
           ("unchanged", "unchanged"), ("deleted", "deleted"), ("undeleted", "undeleted"),
           ("quarantined", "quarantined (kept raw)"), ("failed", "not mappable (kept raw)"),
           ("classified", "classified"), ("pages", "pages"), ("windows", "windows"))  # fmt: skip


def count_table(rows: list[tuple[str, int]], heading: str = "what") -> list[str]:
    """A two-column Markdown table: `heading` | count, one line per (label, count)."""
    return [f"| {heading} | count |", "|---|---|", *(f"| {k} | {n:,} |" for k, n in rows)]


def run_summary_markdown(result: dict) -> str:
    """One harvest run (`HarvestResult.as_json()`) as Markdown for operators: status and
    duration, the counts, the issues by code, and the error that stopped it, if any."""
    lines = [
        f"## {result['source']}: {result['status']}",
        "",
        f"Run `{result['run_id']}`, mode {result['mode']}, {result['wall_s']:.1f} s, "
        f"peak RSS {result['peak_rss_mb']:.0f} MB; endpoint {result['endpoint']}.",
        "",
        *count_table([(label, result[k]) for k, label in _COUNTS if result.get(k) is not None]),
    ]
    issues = result.get("issues") or {}
    if issues:
        codes = [(f"`{code}`", n) for code, n in sorted(issues.items())]
        lines += ["", *count_table(codes, "issue code")]
    if result.get("deferred_until"):
        lines += ["", f"Deferred until {result['deferred_until']}: the source asked us to wait."]
    if result.get("error"):
        where = f" at {result['error_url']}" if result.get("error_url") else ""
        lines += ["", f"**{result.get('error_code') or 'error'}**{where}: {result['error']}"]
    lines += ["", f"Details: `SELECT * FROM v_run_issues WHERE run_id = '{result['run_id']}'`."]
    return "\n".join(lines) + "\n"
