"""`reclassify`: normalisation and classification again over the warehouse, no harvest.

For a new normaliser or classifier (or a changed `defaults.language`): one task recomputes
the normalised columns (`pipelines.normalise.renormalise_warehouse`), one classifies what is
pending (`pipelines.classification.classify_warehouse`; `force`: every live resource).
Human label decisions are never touched.
"""

from __future__ import annotations

from flows.settings import apply_defaults

apply_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402

from pipelines.classification import METHOD, classify_warehouse  # noqa: E402
from pipelines.normalise import renormalise_warehouse  # noqa: E402
from pipelines.reports import count_table  # noqa: E402


@task(name="renormalise")
def renormalise(db: str | None, source: str | None) -> dict:
    result = renormalise_warehouse(db, source=source)
    return {"records": result.records, "changed": result.changed}


@task(name="classify")
def classify(db: str | None, source: str | None, force: bool) -> dict:
    result = classify_warehouse(db, source=source, force=force)
    return {"records": result.records, "labels": result.labels, "seconds": result.seconds}


@flow(name="reclassify", log_prints=False)
def reclassify(db: str | None = None, source: str | None = None, force: bool = False) -> dict:
    """Renormalise, then classify the resources (of `source`, or all) that need it."""
    normalised = renormalise(db, source)
    classified = classify(db, source, force)
    get_run_logger().info(
        "renormalised %d records (%d changed); classified %d records, %d labels (%s)",
        normalised["records"], normalised["changed"], classified["records"],
        classified["labels"], METHOD,
    )  # fmt: skip
    table = count_table([
        ("records renormalised", normalised["records"]),
        ("of them changed", normalised["changed"]),
        (f"records classified ({METHOD})", classified["records"]),
        ("labels written", classified["labels"]),
    ])  # fmt: skip
    create_markdown_artifact(
        markdown="\n".join([f"## reclassify {source or '(all sources)'}", "", *table]) + "\n",
        key="reclassify",
        description="renormalise + classify over the warehouse",
    )
    return {"normalised": normalised, "classified": classified}
