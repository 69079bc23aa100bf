"""`publish`: what portal teams and coordinators read, refreshed in one flow run.

Three task runs: the warehouse's read-only snapshot (pipelines.publish), then the exports
(pipelines.exports) and the report (pipelines.report), both read from that snapshot so a
harvest may write the live file meanwhile. A Markdown artifact `publish` lists what was
written. Deployment `publish/publish` (no schedule: run it after harvest-all, or on a cron
of your own in the UI).
"""

from __future__ import annotations

from pathlib import Path

from flows.settings import apply_defaults

apply_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402

from pipelines.exports import DEFAULT_OUT as EXPORT_OUT  # noqa: E402
from pipelines.exports import ExportOptions, export_warehouse, parse_formats  # noqa: E402
from pipelines.publish import publish_warehouse  # noqa: E402
from pipelines.report import DEFAULT_OUT as REPORT_OUT  # noqa: E402
from pipelines.report import build_report  # noqa: E402
from pipelines.reports import count_table  # noqa: E402


@task(name="publish-snapshot")
def publish_snapshot(db: str | None) -> dict:
    snapshot = publish_warehouse(db)
    return {"path": str(snapshot.path), "bytes": snapshot.bytes, "seconds": snapshot.seconds}


@task(name="export")
def export(snapshot: str, out: str, formats: list[str]) -> dict:
    options = ExportOptions(formats=parse_formats(formats), out=Path(out))
    result = export_warehouse(snapshot, options)
    return {"out": result.out, "formats": result.formats, "rows": result.rows,
            "bytes": result.bytes, "files": len(result.files)}  # fmt: skip


@task(name="report")
def report(snapshot: str, out: str) -> dict:
    result = build_report(snapshot, out)
    return {"path": result.path, "bytes": result.bytes, "resources": result.resources}


@flow(name="publish", log_prints=False)
def publish(
    db: str | None = None,
    export_dir: str = str(EXPORT_OUT),
    report_dir: str = str(REPORT_OUT),
    formats: list[str] | None = None,
) -> dict:
    """Snapshot, then exports (`formats`, default all) and the report from the snapshot."""
    snapshot = publish_snapshot(db)
    exported = export(snapshot["path"], export_dir, formats or [])
    reported = report(snapshot["path"], report_dir)
    formats_written = ", ".join(exported["formats"])
    get_run_logger().info("published %s; exported %s to %s; report %s", snapshot["path"],
                          formats_written, exported["out"], reported["path"])  # fmt: skip
    lines = [
        "## publish", "",
        f"Snapshot `{snapshot['path']}` ({snapshot['bytes']:,} bytes); exports in "
        f"`{exported['out']}` ({', '.join(exported['formats'])}); report `{reported['path']}`.",
        "", *count_table(sorted(exported["rows"].items()), "view exported"),
    ]  # fmt: skip
    create_markdown_artifact(markdown="\n".join(lines) + "\n", key="publish",
                             description="snapshot, exports and report")  # fmt: skip
    return {"snapshot": snapshot, "export": exported, "report": reported}
