"""`oer export` on a copy of the demo warehouse: every format read back with real readers
(DuckDB, the csv module, frictionless, rdflib), filters, determinism and atomic replacement."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import duckdb
import pytest
from frictionless import validate
from rdflib import Graph, URIRef
from rdflib import namespace as ns
from typer.testing import CliRunner

from flows.cli import app
from pipelines.exports import ExportError, ExportOptions, export_warehouse, parse_since
from warehouse import connect
from warehouse import exports as wx

VIEWS = list(wx.VIEW_KEYS)
SPDX = "http://spdx.org/rdf/terms#"


@pytest.fixture(scope="module")
def warehouse(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("exports") / "wh.duckdb"
    shutil.copyfile(demo_warehouse, copy)
    return copy


@pytest.fixture(scope="module")
def exported(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export of every format."""
    out = tmp_path_factory.mktemp("out") / "export"
    export_warehouse(warehouse, ExportOptions(out=out))
    return out


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def comments(db: Path, view: str) -> dict[str, str]:
    sql = "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ?"
    return dict(query(db, sql, [view]))


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_every_format_is_written_and_the_manifest_lists_each_file(
    warehouse: Path, exported: Path
) -> None:
    files = manifest(exported)["files"]
    listed = {f["path"] for f in files}
    assert listed | {"manifest.json"} == set(tree(exported))
    for view in VIEWS:
        assert f"csv/{view}.csv" in listed
        assert f"jsonl/{view}.jsonl" in listed
        assert f"parquet/{view}/source=demo/data.parquet" in listed
    assert {"datapackage.json", "catalog.ttl", "amb/resources.jsonl"} <= listed
    for f in files:
        data = (exported / f["path"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (f["bytes"], f["sha256"])
    rows = manifest(exported)["rows"]
    for view in VIEWS:
        assert rows[view] == query(warehouse, f"SELECT count(*) FROM {view}")[0][0] > 0
    assert rows["v_resources"] == 352


def test_parquet_partitions_read_back_as_the_views(warehouse: Path, exported: Path) -> None:
    for view in VIEWS:
        key = ", ".join(wx.VIEW_KEYS[view])
        expected = query(warehouse, f"SELECT * FROM {view} ORDER BY {key} NULLS FIRST")
        columns = [c for (c,) in query(warehouse, f"SELECT column_name FROM (DESCRIBE {view})")]
        pattern = str(exported / "parquet" / view / "*" / "*.parquet")
        got = duckdb.execute(
            f"SELECT {', '.join(columns)} FROM read_parquet(?, hive_partitioning = true) "
            f"ORDER BY {key} NULLS FIRST",
            [pattern],
        ).fetchall()
        assert got == expected, view


def test_csv_has_json_arrays_iso_timestamps_and_empty_nulls(
    warehouse: Path, exported: Path
) -> None:
    with (exported / "csv" / "v_resources.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = query(
        warehouse,
        "SELECT record_id, subjects, sdgs, description FROM v_resources ORDER BY record_id",
    )
    assert [r["record_id"] for r in rows] == [e[0] for e in expected]
    for row, (_, subjects, sdgs, description) in zip(rows, expected, strict=True):
        assert json.loads(row["subjects"]) == subjects
        assert json.loads(row["sdgs"]) == sdgs
        assert row["description"] == (description or "")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", row["first_seen_at"])


def test_jsonl_has_one_object_per_row_with_the_views_columns(
    warehouse: Path, exported: Path
) -> None:
    lines = (exported / "jsonl" / "v_resource_sdg.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    columns = [c for (c,) in query(warehouse, "SELECT column_name FROM (DESCRIBE v_resource_sdg)")]
    assert all(list(r) == columns for r in rows)
    expected = query(warehouse, "SELECT record_id, goal, targets FROM v_resource_sdg")
    assert [(r["record_id"], r["goal"], r["targets"]) for r in rows] == sorted(expected)


def test_the_data_package_validates_and_documents_every_column(
    warehouse: Path, exported: Path
) -> None:
    report = validate(exported / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert package["licenses"][0]["name"] == "CC0-1.0"
    assert [r["name"] for r in package["resources"]] == VIEWS
    for resource in package["resources"]:
        documented = comments(warehouse, resource["name"])
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == list(documented)
        for field in fields:
            assert field["description"].startswith(documented[field["name"]])
            assert documented[field["name"]]
    types = {f["name"]: f["type"] for f in package["resources"][1]["schema"]["fields"]}
    assert types == {"record_id": "string", "source": "string", "goal": "integer",
                     "goal_name": "string", "score": "number", "targets": "array",
                     "evidence": "array", "origin": "string", "method": "string"}  # fmt: skip
    scorecard = {f["name"]: f["type"] for f in package["resources"][4]["schema"]["fields"]}
    assert (scorecard["enabled"], scorecard["last_run_started_at"]) == ("boolean", "datetime")


def test_a_changed_csv_fails_validation(exported: Path, tmp_path: Path) -> None:
    """The validation checks the data against the schema (and the hash): it can fail."""
    copy = tmp_path / "export"
    shutil.copytree(exported, copy)
    path = copy / "csv" / "v_resource_sdg.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r",demo,\d+,", ",demo,four,", text, count=1), encoding="utf-8")
    assert not validate(copy / "datapackage.json").valid


def test_the_dcat_catalogue_has_one_dataset_per_view_and_true_distributions(
    warehouse: Path, exported: Path
) -> None:
    path = exported / "catalog.ttl"
    g = Graph().parse(path, format="turtle", publicID=path.as_uri())
    datasets = set(g.subjects(ns.RDF.type, ns.DCAT.Dataset))
    assert len(datasets) == len(VIEWS)
    assert len(set(g.subjects(ns.RDF.type, ns.DCAT.Catalog))) == 1
    view_comments = dict(query(warehouse, "SELECT view_name, comment FROM duckdb_views()"))
    files = {f["path"]: f for f in manifest(exported)["files"]}
    distributions = 0
    for dataset in datasets:
        view = str(g.value(dataset, ns.DCTERMS.identifier))
        assert str(g.value(dataset, ns.DCTERMS.description)) == view_comments[view]
        assert g.value(dataset, ns.DCTERMS.title) is not None
        assert g.value(dataset, ns.DCTERMS.issued) is not None
        for distribution in g.objects(dataset, ns.DCAT.distribution):
            distributions += 1
            url = str(g.value(distribution, ns.DCAT.downloadURL))
            relative = unquote(url.removeprefix(exported.as_uri() + "/"))
            data = (exported / relative).read_bytes()
            assert int(g.value(distribution, ns.DCAT.byteSize)) == len(data)
            checksum = g.value(distribution, URIRef(SPDX + "checksum"))
            value = str(g.value(checksum, URIRef(SPDX + "checksumValue")))
            assert value == hashlib.sha256(data).hexdigest() == files[relative]["sha256"]
            assert g.value(distribution, ns.DCTERMS.license) is not None
            if relative.endswith(".csv"):
                media = URIRef("https://www.iana.org/assignments/media-types/text/csv")
                assert g.value(distribution, ns.DCAT.mediaType) == media
    data_files = [f for f in files.values() if f["format"] in ("parquet", "csv", "jsonl", "amb")]
    assert distributions == len(data_files)


def test_amb_documents_one_per_resource(warehouse: Path, exported: Path) -> None:
    lines = (exported / "amb" / "resources.jsonl").read_text(encoding="utf-8").splitlines()
    docs = [json.loads(line) for line in lines]
    assert len(docs) == 352
    sdgs = {
        page: goals
        for page, goals in query(warehouse, "SELECT landing_page, sdgs FROM v_resources")
    }
    for doc in docs:
        assert list(doc) == sorted(doc)
        assert doc["@context"][0] == "https://w3id.org/kim/amb/context.jsonld"
        assert re.fullmatch(r"[a-z]{2}", doc["@context"][1]["@language"])
        assert "LearningResource" in doc["type"]
        assert doc["name"] and doc["id"]
        about = [c["id"] for c in doc.get("about", [])]
        goals = [int(a.rsplit("/", 1)[1]) for a in about if "metadata.un.org/sdg/" in a]
        assert goals == sdgs[doc["id"]]
        assert all(re.fullmatch(r"[a-z]{2}", lang) for lang in doc.get("inLanguage", []))
        assert all(c["type"] in ("Person", "Organization") and c["name"]
                   for c in doc.get("creator", []) + doc.get("publisher", []))  # fmt: skip
        if "license" in doc:
            assert re.match(wx.AMB_LICENCE, doc["license"]["id"])
    labelled = [d for d in docs if d.get("about")]
    assert labelled and all(c.get("prefLabel", {}).get("en") for c in labelled[0]["about"])


def test_exports_of_the_same_warehouse_are_byte_identical(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export_warehouse(warehouse, ExportOptions(out=out))
    first = tree(out)
    export_warehouse(warehouse, ExportOptions(out=out))  # replaces the first
    second = tree(out)
    assert set(first) == set(second)
    stamped = {"manifest.json", "datapackage.json", "catalog.ttl"}
    for path in set(first) - stamped:
        assert first[path] == second[path], path

    def masked(path: str, data: bytes) -> bytes:
        text = data.decode("utf-8")
        text = re.sub(r'"(created|exported_at)": "[^"]+"', r'"\1": "…"', text)
        text = re.sub(r'dct:modified "[^"]+"\^\^xsd:dateTime ;\n    dct:publisher',
                      "dct:modified … ;\n    dct:publisher", text)  # fmt: skip
        if path == "manifest.json":  # the hashes of the two stamped files
            text = re.sub(r'"sha256": "\w+"(?=,\s+"source": null,\s+"view": ""\s)', "…", text)
        return text.encode()

    for path in stamped:
        assert masked(path, first[path]) == masked(path, second[path]), path


def test_source_and_since_filter_the_rows(warehouse: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    shutil.copyfile(warehouse, db)
    con = connect(db)
    old = [r for (r,) in con.execute(
        "SELECT record_id FROM v_resources ORDER BY record_id LIMIT 100").fetchall()]  # fmt: skip
    con.execute(
        "UPDATE resources SET first_seen_at = TIMESTAMPTZ '2020-01-01 00:00:00+00', "
        "last_changed_at = TIMESTAMPTZ '2020-03-01 00:00:00+00' "
        "WHERE list_contains(?, record_id)",
        [old],
    )
    con.close()
    result = export_warehouse(
        db,
        ExportOptions(formats=("csv", "datapackage"), out=tmp_path / "new",
                      source="demo", since=parse_since("2021-06-01")),
    )  # fmt: skip
    assert result.rows["v_resources"] == 352 - 100
    assert result.skipped_views == ["v_coverage", "v_source_scorecard"]
    with (tmp_path / "new" / "csv" / "v_resource_sdg.csv").open(encoding="utf-8") as f:
        labelled = {row["record_id"] for row in csv.DictReader(f)}
    assert labelled and not labelled & set(old)
    assert validate(tmp_path / "new" / "datapackage.json").valid
    everything = export_warehouse(
        db, ExportOptions(formats=("jsonl",), out=tmp_path / "all", since=parse_since("2019-01-01"))
    )
    assert everything.rows["v_resources"] == 352
    with pytest.raises(ExportError, match="unknown source 'nowhere'"):
        export_warehouse(db, ExportOptions(out=tmp_path / "x", source="nowhere"))
    with pytest.raises(ExportError, match="ISO date"):
        parse_since("01/06/2021")
    assert not (tmp_path / "x").exists()


def test_every_source_is_a_partition_even_with_a_name_unsafe_in_paths(
    warehouse: Path, tmp_path: Path
) -> None:
    db = tmp_path / "wh.duckdb"
    shutil.copyfile(warehouse, db)
    other = "url:example.org/oai"
    con = connect(db)
    con.execute("INSERT INTO sources BY NAME SELECT * REPLACE (? AS name) FROM sources", [other])
    con.execute(
        "UPDATE resources SET source = ? WHERE record_id IN "
        "(SELECT record_id FROM resources ORDER BY record_id LIMIT 50)",
        [other],
    )
    con.close()
    out = tmp_path / "export"
    result = export_warehouse(
        db, ExportOptions(formats=("parquet", "datapackage", "dcat"), out=out)
    )
    partitions = sorted(p.name for p in (out / "parquet" / "v_resources").iterdir())
    assert partitions == ["source=demo", "source=url%3Aexample.org%2Foai"]
    got = duckdb.execute(
        "SELECT source, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY ALL "
        "ORDER BY source",
        [str(out / "parquet" / "v_resources" / "*" / "*.parquet")],
    ).fetchall()
    assert got == query(db, "SELECT source, count(*) FROM v_resources GROUP BY ALL ORDER BY 1")
    assert validate(out / "datapackage.json").valid  # the foreign keys hold per source
    g = Graph().parse(out / "catalog.ttl", format="turtle", publicID=(out / "catalog.ttl").as_uri())
    urls = [unquote(str(u)) for u in g.objects(None, ns.DCAT.downloadURL)]
    assert len(urls) == len(result.files) - 2  # every file but the two metadata files
    assert all(Path(u.removeprefix("file://")).is_file() for u in urls)
    before = tree(out)
    export_warehouse(db, ExportOptions(formats=("parquet", "datapackage", "dcat"), out=out))
    after = tree(out)
    assert set(before) == set(after)
    changed = {p for p in before if before[p] != after[p]}
    assert changed <= {"datapackage.json", "catalog.ttl", "manifest.json"}  # the timestamps


def test_a_failed_export_leaves_the_previous_one_intact(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "export"
    export_warehouse(warehouse, ExportOptions(formats=("csv",), out=out))
    before = tree(out)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(wx, "write_dcat", broken)  # fails after the Parquet files are written
    with pytest.raises(OSError, match="disk full"):
        export_warehouse(warehouse, ExportOptions(formats=("parquet", "dcat"), out=out))
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # no staging left


def test_a_directory_that_is_not_an_export_is_never_replaced(
    warehouse: Path, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not an earlier export"):
        export_warehouse(warehouse, ExportOptions(out=tmp_path))
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_cli_export_json_and_one_line_errors(warehouse: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "export"
    done = runner.invoke(
        app, ["export", "--format", "csv,amb", "--out", str(out), "--db", str(warehouse),
              "--json"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["formats"] == ["csv", "amb"]
    assert {f["format"] for f in result["files"]} == {"csv", "amb"}
    assert (out / "amb" / "resources.jsonl").is_file()
    bad = runner.invoke(app, ["export", "--since", "yesterday", "--db", str(warehouse)])
    assert bad.exit_code == 2
    assert "error: --since must be an ISO date" in bad.stderr
    unknown = runner.invoke(app, ["export", "--format", "xlsx", "--db", str(warehouse)])
    assert unknown.exit_code == 2
    assert "unknown format xlsx" in unknown.stderr


def test_amb_with_dcat_catalogues_the_resources_view_only(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = export_warehouse(warehouse, ExportOptions(formats=("dcat", "amb"), out=out))
    assert (result.formats, result.views) == (["dcat", "amb"], ["v_resources"])
    assert sorted(tree(out)) == ["amb/resources.jsonl", "catalog.ttl", "manifest.json"]
    g = Graph().parse(out / "catalog.ttl", format="turtle", publicID=(out / "catalog.ttl").as_uri())
    (dataset,) = g.subjects(ns.RDF.type, ns.DCAT.Dataset)
    (distribution,) = g.objects(dataset, ns.DCAT.distribution)
    assert str(g.value(distribution, ns.DCAT.downloadURL)).endswith("/amb/resources.jsonl")
