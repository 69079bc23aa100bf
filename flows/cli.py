"""`oer`: the command line. Calls `pipelines` exactly as the flows do.

Bad input (unknown source, unreachable URL, not an OAI-PMH endpoint, locked warehouse)
ends with one clear `error:` line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines import classification, evaluate, normalise, reports
from pipelines.harvest import HarvestOptions, HarvestResult, SourceDeferred, harvest_source
from pipelines.registry import (
    RegistryError,
    Source,
    UnknownSource,
    adhoc_sitemap_source,
    adhoc_source,
    get_source,
    load_sources,
)
from pipelines.web import SitemapOptions
from warehouse import WarehouseError, WarehouseLocked

app = typer.Typer(
    help="oer-pipeline: harvest OER metadata into a DuckDB warehouse.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
sources_app = typer.Typer(
    help="The source registry (pipelines/sources.toml).", no_args_is_help=True
)
app.add_typer(sources_app, name="sources")
crosswalk_app = typer.Typer(
    help="How the crosswalks read a source: mapped, dropped and unknown elements.",
    no_args_is_help=True,
)
app.add_typer(crosswalk_app, name="crosswalk")
normalise_app = typer.Typer(
    help="Normalise raw values read from stdin, one per line; JSON lines out, same order.",
    no_args_is_help=True,
)
app.add_typer(normalise_app, name="normalise")
evaluate_app = typer.Typer(
    help="Accuracy of the normalisers on a labelled dev set (formats: pipelines/evaluate.py).",
    no_args_is_help=True,
)
app.add_typer(evaluate_app, name="evaluate")
labels_app = typer.Typer(
    help="SDG and action-area labels in force, and human decisions on them (always win over "
    "the classifier, survive re-classification and re-harvest).",
    no_args_is_help=True,
)
app.add_typer(labels_app, name="labels")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file (default: $OER_WAREHOUSE or data/warehouse.duckdb)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON line instead of tables.")]

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def clear_errors() -> Iterator[None]:
    """Turn the errors users cause into one line and an exit code."""
    try:
        yield
    except (UnknownSource, RegistryError, WarehouseLocked, WarehouseError) as exc:
        raise fail(str(exc)) from None
    except SourceDeferred as exc:
        raise fail(str(exc), EXIT_FAILED) from None
    except duckdb.Error as exc:
        raise fail(f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None


def print_table(columns: list[str], rows: list[tuple], title: str | None = None) -> None:
    table = Table(title=title, title_justify="left", show_lines=False)
    for i, column in enumerate(columns):
        # the first column names the row (a source, a value): never fold it
        table.add_column(column, overflow="fold", no_wrap=i == 0, min_width=len(column))
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    out.print(table)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=str, ensure_ascii=False) + "\n")


@contextmanager
def harvest_progress(enabled: bool) -> Iterator[Callable[[int, int | None], None] | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("harvesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("harvest", total=None)

        def update(done: int, expected: int | None) -> None:
            progress.update(task, completed=done, total=expected)

        yield update


def report_harvest(result: HarvestResult, as_json: bool) -> None:
    if as_json:
        print_json(result.as_json())
    else:
        out.print(
            f"[bold]{escape(result.source)}[/]: {result.status} — {result.records:,} records "
            f"({result.new:,} new, {result.updated:,} updated, {result.unchanged:,} unchanged, "
            f"{result.deleted:,} deleted, {result.undeleted:,} undeleted, "
            f"{result.failed:,} failed) in {result.pages:,} pages, "
            f"{result.wall_s:.1f} s, peak RSS {result.peak_rss_mb:.0f} MB",
            soft_wrap=True,
        )
        if result.issues:
            issues = ", ".join(f"{code} ×{n}" for code, n in sorted(result.issues.items()))
            out.print(f"issues: {issues}")
    if result.status != "ok":
        raise fail(result.error or result.status, EXIT_FAILED)


def _options_for(entry: Source, **given: object) -> HarvestOptions | SitemapOptions:
    """Harvest options of the source's kind from the command line's values."""
    if entry.kind == "sitemap":
        shared = {k: given[k] for k in ("mode", "timeout", "max_wait_s", "max_retries")}
        return SitemapOptions.for_source(entry, **shared)
    return HarvestOptions.for_source(entry, **given)


@app.command()
def harvest(
    source: Annotated[str | None, typer.Argument(help="A source name from sources.toml.")] = None,
    url: Annotated[str | None, typer.Option(help="Harvest this OAI-PMH base URL instead.")] = None,
    sitemap: Annotated[
        str | None,
        typer.Option(help="Harvest the pages this sitemap lists (schema.org/LRMI JSON-LD)."),
    ] = None,
    prefix: Annotated[
        str,
        typer.Option(help="metadataPrefix (with --url); auto = the richest format offered."),
    ] = "auto",
    set_spec: Annotated[
        list[str] | None, typer.Option("--set", help="setSpec to harvest (repeatable).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    mode: Annotated[
        str,
        typer.Option(
            help="auto (resume an interrupted run, else incremental when a cursor exists, "
            "else full), full, incremental or sweep (ListIdentifiers + mark-and-sweep)."
        ),
    ] = "auto",
    batch_size: Annotated[int | None, typer.Option(help="Records per load batch.")] = None,
    timeout: Annotated[float | None, typer.Option(help="HTTP read timeout in seconds.")] = None,
    windows: Annotated[
        bool, typer.Option(help="Harvest in date windows (off: one unwindowed listing).")
    ] = True,
    retries: Annotated[
        int | None, typer.Option(help="Attempts per request (1 = no retries).")
    ] = None,
    max_wait: Annotated[
        float | None, typer.Option(help="Longest Retry-After to wait for before deferring (s).")
    ] = None,
) -> None:
    """Harvest one source (or any OAI-PMH endpoint with --url, or a sitemap with --sitemap)."""
    if sum(x is not None for x in (source, url, sitemap)) != 1:
        raise fail("give one of: a SOURCE name, --url URL, --sitemap URL")
    with clear_errors():
        if url is not None:
            entry = adhoc_source(url, prefix, tuple(set_spec or ()))
        elif sitemap is not None:
            entry = adhoc_sitemap_source(sitemap)
        else:
            entry = get_source(source or "")
        with harvest_progress(not as_json and err.is_terminal) as progress:
            try:
                options = _options_for(
                    entry,
                    mode=mode,
                    windowed=windows,
                    batch_size=batch_size,
                    timeout=timeout,
                    max_wait_s=max_wait,
                    max_retries=retries,
                )
            except ValueError as exc:
                raise fail(str(exc)) from None
            result = harvest_source(entry, db=db, progress=progress, options=options)
    report_harvest(result, as_json)


@sources_app.command("list")
def sources_list(as_json: JsonOption = False) -> None:
    """List the sources in the registry."""
    with clear_errors():
        sources = load_sources()
    if as_json:
        print_json([s.as_row() for s in sources.values()])
        return
    columns = ["name", "kind", "endpoint", "metadata_prefix", "sets", "schedule", "enabled"]
    rows = [
        (s.name, s.kind, s.endpoint, s.metadata_prefix, ",".join(s.sets), s.schedule, s.enabled)
        for s in sources.values()
    ]
    print_table(columns, rows, title="Sources (pipelines/sources.toml)")


@sources_app.command("probe")
def sources_probe(
    url: Annotated[str, typer.Argument(help="The OAI-PMH base URL to look at.")],
    name: Annotated[str, typer.Option(help="Name for the sources.toml entry.")] = "new-source",
    as_json: JsonOption = False,
) -> None:
    """Look at an endpoint before adding it: granularity, formats, sets, deletions, whether
    from/until really filter, page size, size; then print a ready sources.toml entry."""

    from harvesters.oai import HarvestError
    from harvesters.oai.probe import probe, to_toml_entry

    try:
        report = probe(url)
    except HarvestError as exc:
        raise fail(str(exc), EXIT_FAILED) from None
    if as_json:
        print_json({**asdict(report), "toml": to_toml_entry(report, name)})
        return
    facts = [
        ("repository", report.repository_name),
        ("granularity", report.granularity),
        ("earliest datestamp", report.earliest_datestamp),
        ("deletedRecord", report.deleted_record),
        ("formats", ", ".join(f.prefix for f in report.formats)),
        ("richest format", report.preferred_prefix),
        ("sets", report.sets_count),
        ("page size", report.page_size),
        ("size (completeListSize or estimate)", report.complete_list_size or report.size_estimate),
        ("from filters", report.from_filters),
        ("until filters", report.until_filters),
        ("requests made", report.requests),
    ]
    print_table(["what", "found"], facts, title=f"Probe of {url}")
    for note in report.notes:
        out.print(f"note: {escape(note)}")
    out.print("\n[bold]Entry for pipelines/sources.toml[/]")
    out.print(escape(to_toml_entry(report, name)), soft_wrap=True)


@normalise_app.command("licence")
def normalise_licence_values() -> None:
    """Rights values → licence: {"input", "licence_uri", "spdx", "access_rights_uri",
    "open_for_adaptation", "allows_commercial", "rule", …}."""
    for row in normalise.licences(sys.stdin):
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


@normalise_app.command("language")
def normalise_language_values() -> None:
    """Declared language values → BCP 47 tags: {"input", "languages", "rule", "junk"}."""
    for row in normalise.languages(sys.stdin):
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


@normalise_app.command("detect")
def normalise_detect_texts(
    detector: Annotated[str, typer.Option(help="cld2+fasttext, cld2, fasttext, langdetect.")] = (
        normalise.DEFAULT_DETECTOR
    ),
) -> None:
    """Texts → detected language: {"input", "lang", "confidence", "detector", "letters"};
    lang is null below 20 letters."""
    if detector not in normalise.DETECTORS:
        raise fail(f"unknown detector {detector!r} (known: {', '.join(normalise.DETECTORS)})")
    for row in normalise.detections(sys.stdin, detector):
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


DevSet = Annotated[Path, typer.Argument(help="Labelled dev set (tab-separated).", exists=True)]
Confusions = Annotated[int, typer.Option(help="How many confusions to list.")]


def show_evaluation(result: evaluate.Evaluation, as_json: bool, confusions: int) -> None:
    if as_json:
        print_json(result.as_json())
        return
    rows = [(name, f"{score:.2%}") for name, score in result.scores.items()]
    label_scores = result.notes.get("label_scores")
    rows += [(k, v) for k, v in result.notes.items() if k not in ("label_scores", "f1_per_label")]
    print_table(["measure", f"{result.items} items"], rows, title=f"Evaluation: {result.what}")
    if isinstance(label_scores, dict):
        print_table(
            ["label", "precision", "recall", "F1", "support", "assigned"],
            [(k, f"{v['precision']:.1%}", f"{v['recall']:.1%}", f"{v['f1']:.3f}", v["support"],
              v["assigned"]) for k, v in label_scores.items()],
        )  # fmt: skip
    elif result.per_label:
        print_table(
            ["label", "right", "items", "accuracy"],
            [(k, r, n, f"{r / n:.1%}") for k, (r, n) in result.per_label.items()],
        )
    if result.confusions:
        print_table(
            ["input", "expected", "got", "count"],
            result.confusions[:confusions],
            title=f"Confusions ({len(result.confusions)})",
        )


def read_dev_set(run: Callable[[], evaluate.Evaluation]) -> evaluate.Evaluation:
    try:
        return run()
    except ValueError as exc:  # a line without its columns: say which
        raise fail(str(exc)) from None


@evaluate_app.command("licences")
def evaluate_licences(path: DevSet, as_json: JsonOption = False, confusions: Confusions = 30):
    """Licence URI, access rights and open_for_adaptation accuracy."""
    show_evaluation(read_dev_set(lambda: evaluate.evaluate_licences(path)), as_json, confusions)


@evaluate_app.command("languages")
def evaluate_languages(path: DevSet, as_json: JsonOption = False, confusions: Confusions = 30):
    """Declared language values → BCP 47 tags accuracy."""
    show_evaluation(read_dev_set(lambda: evaluate.evaluate_languages(path)), as_json, confusions)


@evaluate_app.command("detection")
def evaluate_detection(
    path: DevSet,
    detector: Annotated[str, typer.Option(help="cld2+fasttext, cld2, fasttext, langdetect.")] = (
        normalise.DEFAULT_DETECTOR
    ),
    as_json: JsonOption = False,
    confusions: Confusions = 30,
):
    """Language detection accuracy, per language, and the speed per text."""
    if detector not in normalise.DETECTORS:
        raise fail(f"unknown detector {detector!r} (known: {', '.join(normalise.DETECTORS)})")
    show_evaluation(
        read_dev_set(lambda: evaluate.evaluate_detection(path, detector)), as_json, confusions
    )


GoldFiles = Annotated[
    list[Path], typer.Argument(help="Gold set file(s), JSON lines (LABELLING.md).", exists=True)
]


@evaluate_app.command("sdg")
def evaluate_sdg(paths: GoldFiles, as_json: JsonOption = False, confusions: Confusions = 30):
    """SDG labels: precision, recall, F1 per goal, micro and macro."""
    show_evaluation(read_dev_set(lambda: evaluate.evaluate_labels(paths, "sdg")), as_json,
                    confusions)  # fmt: skip


@evaluate_app.command("cross-lingual")
def evaluate_cross_lingual(as_json: JsonOption = False, confusions: Confusions = 30) -> None:
    """The 169 official target texts in the six UN languages: does each land on its goal?"""
    show_evaluation(evaluate.evaluate_cross_lingual(), as_json, confusions)


@evaluate_app.command("action-areas")
def evaluate_action_areas(
    paths: GoldFiles, as_json: JsonOption = False, confusions: Confusions = 30
):
    """Action-area labels: precision, recall, F1 per area, micro and macro."""
    show_evaluation(read_dev_set(lambda: evaluate.evaluate_labels(paths, "action-areas")),
                    as_json, confusions)  # fmt: skip


@app.command()
def classify() -> None:
    """JSON lines {"id", "text", "lang"?} on stdin → one JSON line per input, same order:
    {"id", "sdgs": [{"goal", "score", "evidence", "targets"}], "action_areas": [{"area",
    "score", "evidence"}], "method"}, listing only the labels assigned. A line that is not
    such an object gets {"id", "error"} in its place; the exit code is then 1."""
    bad = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            item, problem = None, f"not JSON ({exc})"
        else:
            problem = _classify_input_problem(item)
        if problem:
            bad += 1
            row = {"id": item.get("id") if isinstance(item, dict) else None,
                   "error": f"stdin line {number}: {problem}"}  # fmt: skip
            sys.stderr.write(f"error: {row['error']}\n")
        else:
            row = classification.as_row(item.get("id"), item["text"], item.get("lang"))
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    if bad:
        raise typer.Exit(1)


def _classify_input_problem(item: object) -> str | None:
    if not isinstance(item, dict):
        return f"not a JSON object but {type(item).__name__}"
    if not isinstance(item.get("text"), str):
        return 'no "text" string'
    if item.get("lang") is not None and not isinstance(item["lang"], str):
        return '"lang" is not a string'
    return None


@app.command()
def renormalise(
    source: Annotated[str | None, typer.Option(help="Only this source's resources.")] = None,
    detector: Annotated[
        str | None, typer.Option(help="Detector for every source (default: each source's).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute the normalised licence/language columns of stored resources (no harvest)."""
    if detector is not None and detector not in normalise.DETECTORS:
        raise fail(f"unknown detector {detector!r} (known: {', '.join(normalise.DETECTORS)})")
    with clear_errors():
        result = normalise.renormalise_warehouse(db, source=source, detector=detector)
    if as_json:
        print_json(asdict(result))
        return
    out.print(f"{result.records} resources normalised again, {result.changed} changed")
    for name, count in sorted(result.by_source.items()):
        out.print(f"  {escape(name)}: {count} changed")


@app.command()
def reclassify(
    source: Annotated[str | None, typer.Option(help="Only this source's resources.")] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Classify every live resource, not only new/changed ones."),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Classify stored resources (SDGs, action areas) that are new, changed or were classified
    by another method; human label decisions stay in force."""
    with clear_errors():
        result = classification.classify_warehouse(db, source=source, force=force)
    if as_json:
        print_json(asdict(result))
        return
    out.print(
        f"{result.records:,} resources classified, {result.labels:,} classifier labels, "
        f"in {result.seconds:.1f} s; labels of {result.deleted:,} deleted resources removed"
    )


RecordArg = Annotated[
    str, typer.Argument(metavar="RECORD_ID", help="record_id (or an OAI identifier).")
]
SdgOption = Annotated[int | None, typer.Option("--sdg", help="SDG goal number, 1–17.")]
AreaOption = Annotated[
    str | None, typer.Option("--area", help="Action-area slug, e.g. capacity-building.")
]
ByOption = Annotated[str, typer.Option("--by", help="Who decides (name or login).")]
WhyOption = Annotated[str, typer.Option("--why", help="Why: kept with the decision.")]


def record_decision(
    decision: str,
    record: str,
    sdg: int | None,
    area: str | None,
    by: str,
    why: str,
    db: Path | None,
) -> None:
    if (sdg is None) == (area is None):
        raise fail("give one label: --sdg N or --area SLUG")
    with clear_errors():
        try:
            row = classification.decide_in_warehouse(
                db, record, decision, sdg=sdg, area=area, by=by, why=why
            )
        except ValueError as exc:
            raise fail(str(exc)) from None
    what = f"SDG {row['label']}" if row["kind"] == "sdg" else f"action area {row['label']}"
    gives = "gives it" if row["classifier"] else "does not give it now"
    effect = {
        "add": "in force, origin human",
        "remove": f"not in force (the classifier {gives})",
        "clear": f"back to the classifier (which {gives})",
    }[decision]
    out.print(
        f"decision {row['decision_id']}: {decision} {what} on {escape(row['record_id'])} "
        f"({escape(row['source'])}) by {escape(row['decided_by'])} — {effect}",
        soft_wrap=True,
    )
    if row["deleted"]:
        out.print("note: the resource is deleted; the decision applies if it comes back")


def _decision_command(decision: str, doc: str) -> Callable[..., None]:
    def command(
        record: RecordArg, by: ByOption, why: WhyOption, sdg: SdgOption = None,
        area: AreaOption = None, db: DbOption = None,
    ) -> None:  # fmt: skip
        record_decision(decision, record, sdg, area, by, why, db)

    command.__doc__ = doc
    return command


for _verb, _decision, _doc in (
    ("set", "add", "Add a label to a resource (decision add): in force whatever the classifier"
     " says."),
    ("remove", "remove", "Remove a label from a resource (decision remove): hidden whatever the"
     " classifier says."),
    ("clear", "clear", "Withdraw the decision in force on a label (decision clear): back to the"
     " classifier."),
):  # fmt: skip
    labels_app.command(_verb)(_decision_command(_decision, _doc))


@labels_app.command("list")
def labels_list(
    record: Annotated[
        str | None,
        typer.Argument(metavar="RECORD_ID", help="Only this record_id (or OAI identifier)."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only this source's resources.")] = None,
    decisions: Annotated[
        bool, typer.Option("--decisions", help="The decision history instead of the labels.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The labels in force with origin and explanation (--decisions: the decision history)."""
    with clear_errors():
        try:
            rows = classification.list_warehouse(db, record, source=source, decisions=decisions)
        except ValueError as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json(rows)
        return
    if not rows:
        what = "label decisions" if decisions else "labels in force"
        out.print(f"No {what}" + (f" for {escape(record)}" if record else "") + ".")
        return
    if decisions:
        columns = ["decision_id", "record_id", "kind", "label", "decision", "decided_by",
                   "decided_at", "reason", "latest"]  # fmt: skip
        table = [
            tuple(f"{row[c]:%Y-%m-%d %H:%M}" if c == "decided_at" else row[c] for c in columns)
            for row in rows
        ]
        print_table(columns, table, title="Label decisions (latest: in force unless a clear)")
        return
    shown = None
    for row in rows:  # one block per resource: its labels' explanations
        if row["record_id"] != shown:
            shown = row["record_id"]
            out.print(f"[bold]{escape(shown)}[/] ({escape(row['source'])})")
        out.print(escape(f"  [{row['origin']}] {row['explanation']}"), soft_wrap=True)


@crosswalk_app.command("report")
def crosswalk_report(
    source: Annotated[str, typer.Argument(help="Source name as harvested (see oer status).")],
    status: Annotated[
        str | None, typer.Option(help="Only paths with this status: mapped, dropped, unknown.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Which input elements the source's latest run mapped, dropped or did not know."""
    if status not in (None, "mapped", "dropped", "unknown"):
        raise fail(f"--status must be mapped, dropped or unknown, not {status!r}")
    with clear_errors():
        columns, rows = reports.crosswalk_coverage(source, db, status)
    if as_json:
        print_json([dict(zip(columns, row, strict=True)) for row in rows])
        return
    if not rows:
        out.print(f"No crosswalk coverage recorded for {escape(source)}: harvest it first.")
        return
    summary = reports.coverage_summary(rows)
    out.print(
        ", ".join(
            f"{name}: {summary[name]['paths']} paths ({summary[name]['elements']:,} elements)"
            for name in ("unknown", "dropped", "mapped")
            if name in summary
        )
    )
    print_table(columns, rows, title=f"Crosswalk coverage of {source} (latest run)")


@app.command()
def serve(
    only: Annotated[
        list[str] | None,
        typer.Option("--source", help="Serve only this source's harvest (repeatable)."),
    ] = None,
) -> None:
    """Serve the flows' deployments with Prefect (`harvest-<source>` on each enabled source's
    cron schedule, UTC, `harvest-all` and `reclassify`) until Ctrl-C; no work pool needed.
    Uses PREFECT_API_URL, else the local server of `make ui` when it is up."""
    from flows import server

    if not os.environ.get("PREFECT_API_URL"):
        if server.healthy():
            os.environ["PREFECT_API_URL"] = server.api_url()
        else:
            err.print(f"No Prefect server at {server.ui_url()} and PREFECT_API_URL is not set: "
                      "serving against a temporary API, gone when this stops. To watch the "
                      "runs in the UI, start one first: make ui (or python -m flows.server "
                      "start).")  # fmt: skip
    err.print(f"Prefect API: {os.environ.get('PREFECT_API_URL', 'temporary')}; Ctrl-C stops.")
    from flows.deployments import serve as serve_deployments  # imports Prefect: only here

    try:
        with clear_errors():
            serve_deployments(only)
    except KeyboardInterrupt:
        err.print("Stopped serving.")


@app.command()
def docs(
    path: Annotated[Path, typer.Option("--out", help="Where to write the Markdown.")] = Path(
        "docs/data-dictionary.md"
    ),
    db: Annotated[
        Path | None,
        typer.Option(help="Document this warehouse (default: the schema of a new one)."),
    ] = None,
) -> None:
    """Write the data dictionary (every table, view and column with its meaning) from the
    warehouse's own COMMENT ON texts."""
    from pipelines.docs import write_dictionary

    with clear_errors():
        written = write_dictionary(path, db)
    objects = written.read_text(encoding="utf-8").count("\n### ")
    out.print(f"Wrote {written}: {objects} tables and views.")


@app.command()
def publish(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Publish the warehouse's read-only snapshot (<name>.snapshot.duckdb) for analysts and
    the portal, who read it while the next harvest writes the live file. Every ok or partial
    harvest run publishes it too."""
    from pipelines.publish import publish_warehouse

    with clear_errors():
        snapshot = publish_warehouse(db)
    if as_json:
        print_json({**asdict(snapshot), "path": str(snapshot.path)})
    else:
        size = f"{snapshot.bytes / 1e6:,.1f} MB"
        out.print(f"Published {snapshot.path} ({size}) in {snapshot.seconds:.2f} s; "
                  f"open it read-only: oer sql --db {snapshot.path} …")  # fmt: skip


@app.command()
def report(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory to write (replaced only if a report).")
    ] = Path("out/report"),
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the static HTML report (coverage by SDG and action area, languages, licences,
    source scorecard, recent runs, quality issues): OUT/index.html, to open offline."""
    from pipelines.report import ReportError, build_report

    with clear_errors():
        try:
            result = build_report(db, out_dir)
        except ReportError as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json(asdict(result))
    else:
        out.print(f"Wrote {escape(result.path)} ({result.bytes / 1024:,.0f} KB: "
                  f"{result.resources:,} resources, {result.sources} registered source(s)) "
                  f"in {result.seconds:.2f} s.", soft_wrap=True)  # fmt: skip


@app.command()
def export(
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            help="parquet, csv, jsonl, datapackage, dcat or amb "
            "(repeatable or comma-separated; default: all).",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Directory to write (default data/export), replaced whole "
            "and atomically; only an earlier export (manifest.json) is replaced.",
        ),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only this source's rows.")] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only resources first seen or changed since this ISO date "
            "(YYYY-MM-DD, UTC), and their labels; the summary views are skipped."
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export the analytics views for portal teams: Parquet (partitioned by source), CSV,
    JSON lines, a Frictionless Data Package, a DCAT-AP 3 catalogue, AMB JSON-LD
    (docs/exports.md)."""  # fmt: skip
    from pipelines.exports import (
        DEFAULT_OUT,
        ExportError,
        ExportOptions,
        export_warehouse,
        parse_formats,
        parse_since,
    )

    with clear_errors():
        try:
            options = ExportOptions(
                formats=parse_formats(formats), out=out_dir or DEFAULT_OUT, source=source,
                since=parse_since(since),
            )  # fmt: skip
            result = export_warehouse(db, options)
        except ExportError as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json(asdict(result))
        return
    rows = []
    for fmt in result.formats:
        written = [f for f in result.files if f["format"] == fmt]
        rows.append((fmt, len(written), f"{sum(f['rows'] for f in written):,}",
                     f"{sum(f['bytes'] for f in written) / 1024:,.0f}",
                     f"{result.seconds_by_format.get(fmt, 0):.2f}"))  # fmt: skip
    print_table(["format", "files", "rows", "KB", "seconds"], rows)
    views = ", ".join(f"{v} {n:,}" for v, n in result.rows.items())
    out.print(f"Exported {views} rows to {escape(result.out)} in {result.seconds:.2f} s.",
              soft_wrap=True)  # fmt: skip
    if result.skipped_views:
        out.print(f"Skipped (--since): {', '.join(result.skipped_views)}.")
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


@app.command()
def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The last harvest run of every source."""
    with clear_errors():
        columns, rows = reports.last_runs(db)
    if as_json:
        print_json([dict(zip(columns, row, strict=True)) for row in rows])
    elif rows:
        print_table(columns, rows, title="Last run per source")
    else:
        out.print("No harvest has run yet. Try: oer demo")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One SQL statement, run read-only.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a read-only SQL query against the warehouse."""
    with clear_errors():
        columns, rows = reports.run_sql(query, db)
    if as_json:
        for row in rows:
            print_json(dict(zip(columns, row, strict=True)))
    else:
        print_table(columns, rows)


@app.command()
def demo(db: DbOption = None) -> None:
    """Serve the bundled sample repository on 127.0.0.1, harvest it, show what landed."""
    with clear_errors():
        entry = get_source("demo")
        with harvest_progress(err.is_terminal) as progress:
            result = harvest_source(entry, db=db, progress=progress)
        report_harvest(result, as_json=False)
        totals = reports.resource_totals(db)
        out.print(
            f"\nThe warehouse holds {totals['resources']:,} resources "
            f"({totals['deleted']} deleted) with titles in {totals['title_languages']} languages."
        )
        for title, query in reports.EXAMPLE_QUERIES:
            out.print(f'\n[bold]{title}[/]\n[dim]oer sql "{" ".join(query.split())}"[/]')
            print_table(*reports.run_sql(query, db))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
