"""`oer report`: the warehouse as a static HTML site coordinators open offline.

Queries (the analytics views only: v_resources, v_resource_sdg, v_resource_action_area,
v_source_scorecard, v_harvest_runs, v_quality_issues, plus sdg_goals and action_areas) →
plain data → one page rendered by Jinja2 (`templates/report.html`, autoescaped) with the
inline SVG charts of `charts.py` → written to a temporary directory next to the output,
then renamed into place.

Security model (docs/report.md): every text from a source is escaped by the template (none
is marked safe), links are made only of http(s) URLs, and a Content-Security-Policy meta tag
forbids scripts and any fetch, so even an escaping bug could not run code or call out.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import langcodes
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipelines.charts import Bar, bar_chart
from pipelines.outdir import replaced_atomically
from vocabularies.action_areas import SLUGS as ACTION_AREA_ORDER
from warehouse import connect, resolve_path
from warehouse.db import query_dicts

DEFAULT_OUT = Path("out/report")
TEMPLATES = Path(__file__).parent / "templates"
MARKER = ".oer-report"  # in every report directory: only such a directory is ever replaced
RECENT_RUNS = 20
TOP_ISSUES = 15
EXAMPLES_PER_ISSUE = 3
LATEST_RESOURCES = 10
DESCRIPTION_CHARS = 240
CHART_BARS = 15  # bars beyond these are summed into one "other" bar; the table lists all

# The official SDG colours (UN Department of Global Communications guidelines).
SDG_COLOURS = ("#e5243b", "#dda63a", "#4c9f38", "#c5192d", "#ff3a21", "#26bde2", "#fcc30b",
               "#a21942", "#fd6925", "#dd1367", "#fd9d24", "#bf8b2e", "#3f7e44", "#0a97d9",
               "#56c02b", "#00689d", "#19486a")  # fmt: skip
NONE_COLOUR = "#a0aec0"
OPENNESS_COLOURS = {"yes": "#2f855a", "no": "#c53030", "unknown": NONE_COLOUR}
STATUS_OK = frozenset({"ok"})
STATUS_BAD = frozenset({"failed", "blocked", "interrupted"})

_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)
_CC_FAMILY = re.compile(r"by(-(nc|nd|sa))*")
_RIGHTS_STATEMENT = re.compile(r"(InC|NoC)(-[A-Z]+)*|CNE|UND|NKC")  # rightsstatements.org


class ReportError(Exception):
    """The report cannot be written (output not ours to replace, disk error); one line."""


@dataclass(frozen=True)
class ReportResult:
    path: str  # the index.html written
    bytes: int
    seconds: float
    resources: int
    sources: int


# ---------------------------------------------------------------- queries

TOTALS_SQL = """
SELECT count(*) AS resources,
       count(DISTINCT source) AS sources,
       count(DISTINCT lower(split_part(language, '-', 1))) AS languages,
       count(*) FILTER (WHERE open_for_adaptation = 'yes') AS open,
       count(*) FILTER (WHERE len(sdgs) = 0) AS without_sdg,
       count(*) FILTER (WHERE len(action_areas) = 0) AS without_area
FROM v_resources
"""

SDG_SQL = """
WITH counts AS (
    SELECT goal, any_value(goal_name) AS goal_name, count(DISTINCT record_id) AS resources
    FROM v_resource_sdg GROUP BY goal
)
SELECT coalesce(g.goal, c.goal) AS goal, coalesce(g.name, c.goal_name) AS goal_name,
       coalesce(c.resources, 0) AS resources
FROM sdg_goals g
FULL JOIN counts c ON c.goal = g.goal
ORDER BY 1
"""

AREA_SQL = """
WITH counts AS (
    SELECT area, any_value(area_name) AS area_name, count(DISTINCT record_id) AS resources
    FROM v_resource_action_area GROUP BY area
)
SELECT coalesce(a.area, c.area) AS area, coalesce(a.name, c.area_name) AS area_name,
       coalesce(c.resources, 0) AS resources
FROM action_areas a
FULL JOIN counts c ON c.area = a.area
ORDER BY coalesce(list_position($order, coalesce(a.area, c.area)), 99), 1
"""

LANGUAGE_SQL = """
SELECT language, count(*) AS resources
FROM v_resources
GROUP BY language
ORDER BY resources DESC, language NULLS LAST
"""

LICENCE_SQL = """
SELECT licence_family,
       count(*) AS resources,
       count(*) FILTER (WHERE open_for_adaptation = 'yes') AS open_yes,
       count(*) FILTER (WHERE open_for_adaptation = 'no') AS open_no,
       count(*) FILTER (WHERE open_for_adaptation NOT IN ('yes', 'no')
                        OR open_for_adaptation IS NULL) AS open_unknown
FROM v_resources
GROUP BY licence_family
ORDER BY resources DESC, licence_family NULLS LAST
"""

SCORECARD_SQL = """
SELECT source, kind, enabled, resources, deleted, pct_licence, pct_open, pct_language,
       pct_description, pct_sdg, pct_action_area, languages, last_run_status,
       strftime(last_run_started_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') AS last_run_started,
       last_error_code, runs, failed_runs, quality_issues
FROM v_source_scorecard
ORDER BY source
"""

RUNS_SQL = """
SELECT run_id, source, mode, status,
       strftime(started_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') AS started,
       duration_s, records_seen, records_new, records_updated, records_deleted,
       records_quarantined + records_failed AS records_not_loaded, issues,
       error_code, error_message, error_url
FROM v_harvest_runs
ORDER BY started_at DESC, run_id
LIMIT $limit
"""

ISSUES_SQL = """
SELECT q.code, q.severity, q.level,
       count(*) AS issues,
       count(DISTINCT q.source) AS sources,
       list({'source': q.source, 'record_id': q.record_id, 'title': r.title,
             'field': q.field, 'message': q.message, 'url': q.url}
            ORDER BY q.source, q.record_id, q.message)[1:$examples] AS examples
FROM v_quality_issues q
LEFT JOIN v_resources r USING (record_id)
GROUP BY q.code, q.severity, q.level
ORDER BY CASE q.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
         issues DESC, q.code, q.level
LIMIT $limit
"""

LATEST_SQL = """
SELECT record_id, source, title, description, language, licence_spdx, licence_family,
       open_for_adaptation, sdgs, landing_page,
       strftime(coalesce(last_changed_at, first_seen_at) AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M')
           AS changed
FROM v_resources
ORDER BY coalesce(last_changed_at, first_seen_at) DESC, record_id
LIMIT $limit
"""


# ---------------------------------------------------------------- data for the page


def safe_url(value: str | None) -> str | None:
    """The URL when it may be a link (http or https, a host, no spaces or control
    characters); else None, and the template shows the text only."""
    if value and _SAFE_URL.fullmatch(value) and value.split("/", 3)[2]:
        return value
    return None


def licence_label(family: str | None) -> str:
    if family is None:
        return "no licence recognised"
    if _CC_FAMILY.fullmatch(family):
        return "CC " + family.upper()
    if _RIGHTS_STATEMENT.fullmatch(family):
        return f"RightsStatements {family}"
    return {"cc0": "CC0", "pdm": "Public Domain Mark"}.get(family, family)


def language_name(tag: str) -> str:
    """English name of a BCP 47 primary language ("en" → "English"); the tag when unknown."""
    try:
        name = langcodes.Language.get(tag).display_name()
    except (ValueError, LookupError):
        return tag
    return tag if name.startswith("Unknown language") and tag != "und" else name


def top_bars(bars: list[Bar], other: str, limit: int = CHART_BARS) -> list[Bar]:
    """The first `limit` - 1 bars and one summing the rest, when there are more than `limit`."""
    if len(bars) <= limit:
        return bars
    rest = bars[limit - 1 :]
    summed = Bar(f"{other} ({len(rest)})", sum(b.value for b in rest), NONE_COLOUR)
    return [*bars[: limit - 1], summed]


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def chart(chart_id: str, title: str, about: str, bars: list[Bar]) -> Markup:
    """A bar chart whose description also says every number (for screen readers)."""
    numbers = "; ".join(f"{b.label}: {b.value:,}" for b in bars)
    return bar_chart(chart_id, title, f"Horizontal bar chart: {about} {numbers}.", bars)


def sdg_section(con: duckdb.DuckDBPyConnection, totals: dict) -> dict[str, Any]:
    rows = query_dicts(con, SDG_SQL)
    bars = [
        Bar(f"{r['goal']}. {r['goal_name'] or 'SDG ' + str(r['goal'])}", r["resources"],
            SDG_COLOURS[r["goal"] - 1] if 1 <= r["goal"] <= 17 else NONE_COLOUR)
        for r in rows
    ]  # fmt: skip
    bars.append(Bar("no SDG", totals["without_sdg"], NONE_COLOUR))
    return _counted_chart(
        "chart-sdg",
        "Resources per Sustainable Development Goal",
        "number of current resources labelled with each of the 17 SDGs, "
        "and of those with no SDG. A resource with two goals counts under each.",
        bars,
        totals["resources"],
    )


def area_section(con: duckdb.DuckDBPyConnection, totals: dict) -> dict[str, Any]:
    rows = query_dicts(con, AREA_SQL, {"order": list(ACTION_AREA_ORDER)})
    bars = [Bar(r["area_name"] or r["area"], r["resources"]) for r in rows]
    bars.append(Bar("none", totals["without_area"], NONE_COLOUR))
    return _counted_chart(
        "chart-action-area",
        "Resources per action area of the 2019 UNESCO Recommendation on OER",
        "number of current resources labelled with each of the five "
        "action areas, and of those with none.",
        bars,
        totals["resources"],
    )


def _counted_chart(
    element_id: str, title: str, description: str, bars: list[Bar], total: int
) -> dict[str, Any]:
    """A bar chart and its table: label, count, share of `total`."""
    table = [(b.label, b.value, percent(b.value, total)) for b in bars]
    return {"chart": chart(element_id, title, description, bars), "table": table}


def language_section(con: duckdb.DuckDBPyConnection, totals: dict) -> dict[str, Any]:
    """Main languages grouped by primary subtag (en, en-GB, en-US → English), tags listed."""
    groups: dict[str, dict[str, Any]] = {}
    for row in query_dicts(con, LANGUAGE_SQL):
        tag = row["language"]
        primary = tag.split("-")[0].lower() if tag else None
        group = groups.setdefault(primary or "", {"primary": primary, "resources": 0, "tags": []})
        group["resources"] += row["resources"]
        group["tags"].append((tag or "none", row["resources"]))
    ordered = sorted(groups.values(), key=lambda g: (g["primary"] is None, -g["resources"]))
    for group in ordered:
        primary = group["primary"]
        group["name"] = f"{language_name(primary)} ({primary})" if primary else "unknown"
    bars = [Bar(g["name"], g["resources"], NONE_COLOUR if not g["primary"] else "#2b6cb0")
            for g in ordered]  # fmt: skip
    bars = top_bars(bars, "other languages")
    svg = chart(
        "chart-language",
        "Resources per main language",
        "number of current resources per main language (declared, "
        "source default or detected), regional variants grouped.",
        bars,
    )
    table = [
        (g["name"], g["resources"], percent(g["resources"], totals["resources"]),
         ", ".join(f"{tag} {n:,}" for tag, n in g["tags"]))
        for g in ordered
    ]  # fmt: skip
    return {"chart": svg, "table": table}


def licence_section(con: duckdb.DuckDBPyConnection, totals: dict) -> dict[str, Any]:
    rows = query_dicts(con, LICENCE_SQL)
    family_bars = top_bars([
        Bar(licence_label(r["licence_family"]), r["resources"],
            NONE_COLOUR if r["licence_family"] is None else "#6b46c1")
        for r in rows
    ], "other licences")  # fmt: skip
    families = chart(
        "chart-licence",
        "Resources per licence family",
        "number of current resources per recognised licence family.",
        family_bars,
    )
    openness = {k: sum(r[f"open_{k}"] for r in rows) for k in ("yes", "no", "unknown")}
    open_bars = [Bar(k, n, OPENNESS_COLOURS[k]) for k, n in openness.items()]
    open_chart = chart(
        "chart-open",
        "Open for adaptation per the 2019 UNESCO Recommendation",
        "number of current resources whose licence makes them open for "
        "adaptation (yes), not (no), or cannot tell (unknown).",
        open_bars,
    )
    table = [
        (licence_label(r["licence_family"]), r["resources"],
         percent(r["resources"], totals["resources"]), r["open_yes"], r["open_no"],
         r["open_unknown"])
        for r in rows
    ]  # fmt: skip
    open_table = [(k, n, percent(n, totals["resources"])) for k, n in openness.items()]
    return {"chart": families, "table": table, "open_chart": open_chart, "open_table": open_table}


def status_class(status: str | None) -> str:
    if status in STATUS_OK:
        return "ok"
    if status in STATUS_BAD:
        return "bad"
    return "warn" if status else "none"


def runs_section(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict]:
    runs = query_dicts(con, RUNS_SQL, {"limit": limit})
    for run in runs:
        run["status_class"] = status_class(run["status"])
        run["error_link"] = safe_url(run["error_url"])
    return runs


def issues_section(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict]:
    issues = query_dicts(con, ISSUES_SQL, {"limit": limit, "examples": EXAMPLES_PER_ISSUE})
    for issue in issues:
        for example in issue["examples"]:
            example["link"] = safe_url(example["url"])
    return issues


def shorten(text: str | None, limit: int = DESCRIPTION_CHARS) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def latest_section(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict]:
    rows = query_dicts(con, LATEST_SQL, {"limit": limit})
    for row in rows:
        row["link"] = safe_url(row["landing_page"])
        row["description"] = shorten(row["description"])
        row["licence"] = row["licence_spdx"] or licence_label(row["licence_family"])
    return rows


def collect(con: duckdb.DuckDBPyConnection, runs_limit: int = RECENT_RUNS) -> dict[str, Any]:
    """Everything the page shows, as plain values (and the charts' SVG)."""
    totals = query_dicts(con, TOTALS_SQL)[0]
    totals["pct_open"] = percent(totals["open"], totals["resources"])
    totals["pct_sdg"] = percent(totals["resources"] - totals["without_sdg"], totals["resources"])
    scorecard = query_dicts(con, SCORECARD_SQL)
    for row in scorecard:
        row["status_class"] = status_class(row["last_run_status"])
    return {
        "totals": totals,
        "sdg": sdg_section(con, totals),
        "areas": area_section(con, totals),
        "languages": language_section(con, totals),
        "licences": licence_section(con, totals),
        "scorecard": scorecard,
        "runs": runs_section(con, runs_limit),
        "runs_limit": runs_limit,
        "issues": issues_section(con, TOP_ISSUES),
        "latest": latest_section(con, LATEST_RESOURCES),
    }


# ---------------------------------------------------------------- HTML and files


def _number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _percent_value(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=_number, pct=_percent_value, seconds=_seconds)
    return env


def render(data: dict[str, Any], warehouse_path: str, generated_at: datetime) -> str:
    page = environment().get_template("report.html")
    return page.render(
        **data,
        warehouse_path=warehouse_path,
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
    )


def write_site(out_dir: Path, files: dict[str, str]) -> None:
    """Write the files as the directory `out_dir`, atomically (pipelines/outdir.py): replaced
    only when missing, empty, or a report this function wrote (it holds MARKER)."""
    try:
        with replaced_atomically(
            out_dir, MARKER, "a report written by oer report", ReportError
        ) as staging:
            for name, text in files.items():
                (staging / name).write_text(text, encoding="utf-8")
            (staging / MARKER).write_text("written by oer report; replaced by the next one\n")
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out_dir}: {exc}") from exc


def build_report(
    db: str | Path | None = None,
    out_dir: str | Path = DEFAULT_OUT,
    *,
    runs_limit: int = RECENT_RUNS,
) -> ReportResult:
    """Read the warehouse (read-only), write `out_dir/index.html`; what was written."""
    started = time.perf_counter()
    path = resolve_path(db)
    con = connect(path, read_only=True)
    try:
        data = collect(con, runs_limit)
    finally:
        con.close()
    html = render(data, str(path.resolve()), datetime.now(UTC))
    out = Path(out_dir)
    write_site(out, {"index.html": html})
    return ReportResult(
        path=str(out / "index.html"),
        bytes=len(html.encode("utf-8")),
        seconds=round(time.perf_counter() - started, 3),
        resources=data["totals"]["resources"],
        sources=len(data["scorecard"]),
    )
