"""Classification labels in the warehouse (005) and human decisions on them (`oer labels`)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import pipelines.run
from flows.cli import app
from pipelines.classification import METHOD, classify_pending
from warehouse import connect
from warehouse.labels import CLASSIFICATION_SCHEMA, LABEL_SCHEMA, add_decision, replace_labels

TABLES_005 = {
    "sdg_goals",
    "action_areas",
    "resource_labels",
    "resource_classification",
    "label_decisions",
}
VIEWS_005 = {
    "label_decisions_in_force",
    "labels_in_force",
    "resource_sdg",
    "resource_action_area",
    "label_explanations",
}


def oer(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def decide(verb: str, record_id: str, label: list, by: str, why: str, db: Path):
    """`oer labels set|remove|clear RECORD_ID --sdg N | --area SLUG --by … --why … --db …`."""
    return oer("labels", verb, record_id, *label, "--by", by, "--why", why, "--db", db)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def copy_of(demo_warehouse: Path, tmp_path: Path) -> Path:
    db = tmp_path / "wh.duckdb"
    db.write_bytes(demo_warehouse.read_bytes())
    return db


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return rows(con, sql, params)
    finally:
        con.close()


def a_classifier_sdg(db: Path) -> tuple[str, int]:
    """A live record and one of the SDGs the classifier gave it."""
    ((record_id, goal),) = query(
        db,
        "SELECT l.record_id, l.goal FROM resource_labels l JOIN resources r USING (record_id) "
        "WHERE l.kind = 'sdg' AND NOT r.deleted ORDER BY l.record_id, l.goal LIMIT 1",
    )
    return record_id, goal


def in_force(db: Path, record_id: str) -> dict[tuple[str, str], str]:
    """(kind, label) → origin of the record's labels in force, from the two views."""
    found = query(
        db,
        "SELECT 'sdg', goal::VARCHAR, origin FROM resource_sdg WHERE record_id = ? UNION ALL "
        "SELECT 'action_area', area, origin FROM resource_action_area WHERE record_id = ?",
        [record_id, record_id],
    )
    return {(kind, label): origin for kind, label, origin in found}


def error_line(result) -> str:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# ---------------------------------------------------------------- after a harvest


def test_a_demo_harvest_classifies_every_live_resource(demo_warehouse: Path) -> None:
    (live, classified, current, deleted_rows, deleted) = query(
        demo_warehouse,
        "SELECT count(*) FILTER (NOT r.deleted), count(c.record_id) FILTER (NOT r.deleted), "
        "count(*) FILTER (NOT r.deleted AND c.content_hash = r.content_hash AND c.method = ?), "
        "count(c.record_id) FILTER (r.deleted), count(*) FILTER (r.deleted) "
        "FROM resources r LEFT JOIN resource_classification c USING (record_id)",
        [METHOD],
    )[0]
    assert live > 300 and deleted > 0
    assert classified == current == live  # records without labels have their row too
    assert deleted_rows == 0
    ((with_labels, without, counts_agree),) = query(
        demo_warehouse,
        "SELECT count(*) FILTER (sdg_count + action_area_count > 0), "
        "count(*) FILTER (sdg_count + action_area_count = 0), "
        "bool_and(sdg_count = (SELECT count(*) FROM resource_labels l "
        "WHERE l.record_id = c.record_id AND l.kind = 'sdg')) "
        "FROM resource_classification c",
    )
    assert with_labels > live / 2 and without > 0 and counts_agree
    assert query(demo_warehouse, "SELECT count(*) FROM sdg_goals") == [(17,)]
    assert query(demo_warehouse, "SELECT name FROM sdg_goals WHERE goal = 4") == [
        ("Quality education",)
    ]
    assert query(demo_warehouse, "SELECT count(*) FROM action_areas WHERE name <> ''") == [(5,)]


def test_every_label_in_force_has_a_readable_explanation(demo_warehouse: Path) -> None:
    labels = query(
        demo_warehouse,
        "SELECT f.kind, f.label, f.evidence, f.score, e.label_name, e.explanation "
        "FROM labels_in_force f LEFT JOIN label_explanations e USING (record_id, kind, label)",
    )
    assert len(labels) > 300
    assert query(demo_warehouse, "SELECT count(*) FROM label_explanations") == [(len(labels),)]
    for kind, label, evidence, score, name, explanation in labels:
        assert evidence and name, (kind, label)
        head = f"SDG {label} {name} — " if kind == "sdg" else f"Action area “{name}” ({label}) — "
        assert explanation.startswith(head + f"classifier {METHOD}, score {score:.2f}")
        assert f"“{evidence[0]}”" in explanation  # the evidence a person reads


# ---------------------------------------------------------------- decisions


def test_remove_hides_a_label_through_reclassify_and_reharvest(
    demo_warehouse: Path, tmp_path: Path
) -> None:
    db = copy_of(demo_warehouse, tmp_path)
    record_id, goal = a_classifier_sdg(db)
    assert in_force(db, record_id)[("sdg", str(goal))] == "classifier"
    done = decide("remove", record_id, ["--sdg", goal], "alice", "not about this goal", db)
    assert done.exit_code == 0, done.output
    assert f"remove SDG {goal}" in done.stdout
    assert ("sdg", str(goal)) not in in_force(db, record_id)
    kept = "SELECT count(*) FROM resource_labels WHERE record_id = ? AND goal = ?"
    assert query(db, kept, [record_id, goal]) == [(1,)]  # the classifier's row stays

    again = oer("reclassify", "--force", "--db", db, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["records"] > 300
    assert ("sdg", str(goal)) not in in_force(db, record_id)

    # a re-harvest that reloads the record and classifies it again
    con = connect(db)
    con.execute(
        "UPDATE resource_classification SET content_hash = 'old' WHERE record_id = ?", [record_id]
    )
    con.close()
    harvest = oer("harvest", "demo", "--mode", "full", "--db", db, "--json")
    assert harvest.exit_code == 0, harvest.output
    assert json.loads(harvest.stdout.splitlines()[-1])["classified"] >= 1
    assert query(
        db,
        "SELECT c.content_hash = r.content_hash FROM resource_classification c "
        "JOIN resources r USING (record_id) WHERE record_id = ?",
        [record_id],
    ) == [(True,)]
    assert query(db, kept, [record_id, goal]) == [(1,)]
    assert ("sdg", str(goal)) not in in_force(db, record_id)
    assert query(db, "SELECT count(*), list(decision) FROM label_decisions") == [(1, ["remove"])]

    # clear: back to the classifier
    cleared = decide("clear", record_id, ["--sdg", goal], "alice", "I was wrong", db)
    assert cleared.exit_code == 0, cleared.output
    assert in_force(db, record_id)[("sdg", str(goal))] == "classifier"


def test_add_shows_a_human_label_with_who_and_why(demo_warehouse: Path, tmp_path: Path) -> None:
    db = copy_of(demo_warehouse, tmp_path)
    record_id, goal = a_classifier_sdg(db)
    other = next(g for g in range(1, 18) if ("sdg", str(g)) not in in_force(db, record_id))
    for args in (["--sdg", other], ["--sdg", goal], ["--area", "supportive-policy"]):
        done = decide("set", record_id, args, "bob", "read the syllabus", db)
        assert done.exit_code == 0, done.output
    labels = in_force(db, record_id)
    assert labels[("sdg", str(other))] == labels[("sdg", str(goal))] == "human"
    assert labels[("action_area", "supportive-policy")] == "human"
    sdg = dict(query(db, "SELECT goal, score FROM resource_sdg WHERE record_id = ?", [record_id]))
    assert sdg[other] is None and sdg[goal] is not None  # the classifier's score is kept
    listed = oer("labels", "list", record_id, "--json", "--db", db)
    assert listed.exit_code == 0, listed.output
    (line,) = listed.stdout.splitlines()
    by_label = {(r["kind"], r["label"]): r for r in json.loads(line)}
    assert set(by_label) == set(labels)
    added = by_label[("sdg", str(other))]
    assert (added["origin"], added["decided_by"], added["reason"]) == (
        "human",
        "bob",
        "read the syllabus",
    )
    assert "added by bob on " in added["explanation"]
    assert added["explanation"].endswith(": read the syllabus")
    assert "the classifier found it too" in by_label[("sdg", str(goal))]["explanation"]
    history = oer("labels", "list", "--decisions", "--source", "demo", "--json", "--db", db)
    decisions = json.loads(history.stdout)
    assert [d["decision"] for d in decisions] == ["add", "add", "add"]
    assert all(d["latest"] and d["source"] == "demo" for d in decisions)
    shown = oer("labels", "list", record_id, "--db", db)
    assert "[human] SDG" in shown.stdout and "read the syllabus" in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sdg", "0", "--by", "a", "--why", "b"], "SDG goal must be a number from 1 to 17"),
        (["--sdg", "18", "--by", "a", "--why", "b"], "not 18"),
        (["--area", "nope", "--by", "a", "--why", "b"], "unknown action area 'nope'"),
        (["--sdg", "4", "--by", "a", "--why", "  "], "--why must not be empty"),
        (["--sdg", "4", "--by", "", "--why", "b"], "--by must not be empty"),
        (["--by", "a", "--why", "b"], "give one label"),
        (["--sdg", "4", "--area", "supportive-policy", "--by", "a", "--why", "b"], "one label"),
    ],
)
def test_invalid_decisions_fail_with_a_message(
    demo_warehouse: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    db = copy_of(demo_warehouse, tmp_path)
    record_id, _ = a_classifier_sdg(db)
    assert message in error_line(oer("labels", "set", record_id, *args, "--db", db))
    assert query(db, "SELECT count(*) FROM label_decisions") == [(0,)]


def test_unknown_record_and_nothing_to_clear_fail(demo_warehouse: Path, tmp_path: Path) -> None:
    db = copy_of(demo_warehouse, tmp_path)
    record_id, goal = a_classifier_sdg(db)
    line = error_line(
        oer("labels", "set", "no-such-record", "--sdg", 4, "--by", "a", "--why", "b", "--db", db)
    )
    assert "no resource with record_id or OAI identifier 'no-such-record'" in line
    line = error_line(
        oer("labels", "clear", record_id, "--sdg", goal, "--by", "a", "--why", "b", "--db", db)
    )
    assert "nothing to clear" in line
    assert "no resource" in error_line(oer("labels", "list", "no-such-record", "--db", db))
    assert query(db, "SELECT count(*) FROM label_decisions") == [(0,)]


def test_a_record_may_be_named_by_its_oai_identifier(demo_warehouse: Path, tmp_path: Path):
    db = copy_of(demo_warehouse, tmp_path)
    record_id, goal = a_classifier_sdg(db)
    ((oai_id,),) = query(
        db, "SELECT oai_identifier FROM resources WHERE record_id = ?", [record_id]
    )
    done = oer("labels", "remove", oai_id, "--sdg", goal, "--by", "a", "--why", "b", "--db", db)
    assert done.exit_code == 0, done.output
    assert query(db, "SELECT record_id FROM label_decisions") == [(record_id,)]


def test_deleted_resources_lose_classifier_labels_and_keep_decisions(
    demo_warehouse: Path, tmp_path: Path
) -> None:
    db = copy_of(demo_warehouse, tmp_path)
    record_id, goal = a_classifier_sdg(db)
    con = connect(db)
    try:
        add_decision(
            con,
            record_id=record_id,
            kind="action_area",
            label="capacity-building",
            decision="add",
            decided_by="carol",
            reason="workshop",
        )
        con.execute("UPDATE resources SET deleted = true WHERE record_id = ?", [record_id])
        result = classify_pending(con, source="demo")
        assert (result.records, result.deleted) == (0, 1)
        assert rows(
            con, "SELECT count(*) FROM resource_labels WHERE record_id = ?", [record_id]
        ) == [(0,)]
        assert rows(
            con, "SELECT count(*) FROM labels_in_force WHERE record_id = ?", [record_id]
        ) == [(0,)]
        assert rows(con, "SELECT count(*) FROM label_decisions") == [(1,)]
        con.execute("UPDATE resources SET deleted = false WHERE record_id = ?", [record_id])
        assert classify_pending(con).records == 1  # back: classified again
    finally:
        con.close()
    labels = in_force(db, record_id)
    assert labels[("sdg", str(goal))] == "classifier"
    assert labels[("action_area", "capacity-building")] == "human"


def test_classify_pending_pages_through_batches_and_follows_the_method(
    demo_warehouse: Path, tmp_path: Path
) -> None:
    db = copy_of(demo_warehouse, tmp_path)
    con = connect(db)
    try:
        everything = "SELECT record_id, kind, label, score, evidence FROM resource_labels"
        before = sorted(rows(con, everything))
        live = rows(con, "SELECT count(*) FROM resources WHERE NOT deleted")[0][0]
        assert classify_pending(con).records == 0  # nothing pending after the harvest
        assert classify_pending(con, force=True, batch_size=37).records == live
        assert sorted(rows(con, everything)) == before
        con.execute(
            "UPDATE resource_classification SET method = 'older-method' "
            "WHERE record_id IN (SELECT record_id FROM resource_classification LIMIT 10)"
        )
        assert classify_pending(con, batch_size=3).records == 10
        assert rows(
            con, "SELECT count(*) FROM resource_classification WHERE method <> ?", [METHOD]
        ) == [(0,)]
        assert classify_pending(con, source="no-such-source", force=True).records == 0
    finally:
        con.close()


def test_a_classifier_failure_is_a_run_issue_and_the_run_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(con, **kw):
        raise RuntimeError("the classifier broke")

    monkeypatch.setattr(pipelines.run, "classify_pending", broken)
    db = tmp_path / "wh.duckdb"
    done = oer("harvest", "demo", "--db", db, "--json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout.splitlines()[-1])
    assert (report["status"], report["classified"]) == ("ok", None)
    assert report["issues"]["classification_failed"] == 1
    ((status, counts),) = query(db, "SELECT status, issue_counts FROM harvest_runs")
    assert status == "ok" and json.loads(counts)["classification_failed"] == 1
    assert query(
        db, "SELECT severity, message FROM v_run_issues WHERE code = 'classification_failed'"
    ) == [("error", "RuntimeError: the classifier broke")]
    monkeypatch.undo()
    assert query(db, "SELECT count(*) FROM resource_classification") == [(0,)]
    done = oer("reclassify", "--db", db)
    assert done.exit_code == 0 and "resources classified" in done.stdout
    assert query(db, "SELECT count(*) FROM resource_classification") == query(
        db, "SELECT count(*) FROM resources WHERE NOT deleted"
    )


# ---------------------------------------------------------------- the schema and loaders


def test_every_table_view_and_column_of_005_has_a_comment(con) -> None:
    tables = dict(
        rows(
            con,
            "SELECT table_name, comment FROM duckdb_tables() "
            "WHERE database_name = current_database()",
        )
    )
    views = dict(
        rows(
            con,
            "SELECT view_name, comment FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal",
        )
    )
    assert set(tables) >= TABLES_005 and set(views) >= VIEWS_005
    for name in TABLES_005:
        assert (tables[name] or "").strip(), name
    for name in VIEWS_005:
        assert (views[name] or "").strip(), name
    columns = rows(
        con,
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE table_name IN (SELECT unnest(?))",
        [sorted(TABLES_005 | VIEWS_005)],
    )
    assert {t for t, _, _ in columns} == TABLES_005 | VIEWS_005
    assert [(t, c) for t, c, comment in columns if not (comment or "").strip()] == []
    assert rows(
        con,
        "SELECT comment <> '' FROM duckdb_sequences() WHERE sequence_name = 'label_decision_ids'",
    ) == [(True,)]
    assert rows(con, "SELECT severity FROM issue_codes WHERE code = 'classification_failed'") == [
        ("error",)
    ]


def test_loaders_refuse_bad_input_before_writing(con) -> None:
    classified = pa.Table.from_pylist(
        [
            {
                "record_id": "r1",
                "content_hash": "h",
                "method": "m",
                "sdg_count": 1,
                "action_area_count": 0,
            }
        ],
        schema=CLASSIFICATION_SCHEMA,
    )
    label = {
        "record_id": "r1",
        "kind": "sdg",
        "label": "4",
        "goal": 4,
        "score": 0.5,
        "targets": [],
        "evidence": ["x"],
        "method": "m",
    }
    for bad in ({"kind": "topic"}, {"goal": 5}, {"record_id": "r2"}, {"score": None}):
        labels = pa.Table.from_pylist([{**label, **bad}], schema=LABEL_SCHEMA)
        with pytest.raises(ValueError, match="labels: "):
            replace_labels(con, classified, labels)
    assert rows(con, "SELECT count(*) FROM resource_classification") == [(0,)]
    assert replace_labels(con, classified, pa.Table.from_pylist([label], schema=LABEL_SCHEMA)) == 1
    with pytest.raises(ValueError, match="no resource 'r1'"):
        add_decision(
            con, record_id="r1", kind="sdg", label="4", decision="add", decided_by="a", reason="b"
        )
    for bad in ({"kind": "topic"}, {"decision": "maybe"}, {"reason": " "}, {"decided_by": ""}):
        args = {
            "record_id": "r1",
            "kind": "sdg",
            "label": "4",
            "decision": "add",
            "decided_by": "a",
            "reason": "b",
            **bad,
        }
        with pytest.raises(ValueError):
            add_decision(con, **args)
    with pytest.raises(duckdb.ConstraintException):  # the table refuses it too
        con.execute(
            "INSERT INTO label_decisions (record_id, kind, label, decision, decided_by, "
            "reason) VALUES ('r1', 'sdg', '4', 'add', 'a', '')"
        )
