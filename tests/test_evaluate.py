"""`oer evaluate` on the dev sets (the issue's bars), `oer normalise detect`, `oer renormalise`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from flows.cli import app

DATA = Path(__file__).resolve().parent / "data"


def evaluate(*args: str) -> dict:
    result = CliRunner().invoke(app, ["evaluate", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_licence_dev_set_meets_the_bars() -> None:
    report = evaluate("licences", str(DATA / "licences" / "dev.tsv"))
    assert report["lines_with_a_licence"] >= 150
    assert report["scores"]["licence_uri"] >= 0.98
    assert report["scores"]["open_for_adaptation"] >= 0.99


def test_declared_language_dev_set_is_all_right() -> None:
    report = evaluate("languages", str(DATA / "languages" / "declared_dev.tsv"))
    assert report["items"] >= 60
    assert report["scores"]["languages"] == 1.0
    assert report["confusions"] == []


def test_evaluation_lists_confusions(tmp_path: Path) -> None:
    dev = tmp_path / "dev.tsv"
    dev.write_text("# a wrong label\nDeutsch\tfr\tnote\nEnglish\ten\tnote\n", encoding="utf-8")
    report = evaluate("languages", str(dev))
    assert report["scores"]["languages"] == 0.5
    assert report["confusions"] == [
        {"input": "Deutsch", "expected": "fr", "got": "de (name)", "count": 1}
    ]
    table = CliRunner().invoke(app, ["evaluate", "languages", str(dev)])
    assert "50.00%" in table.stdout and "Deutsch" in table.stdout


def test_detection_evaluation_reports_per_language_and_speed(tmp_path: Path) -> None:
    dev = tmp_path / "det.tsv"
    dev.write_text(
        "de\ttitle\tx\tBis 2030 die extreme Armut für alle Menschen überall beseitigen\n"
        "en\ttitle\tx\tShort\n",
        encoding="utf-8",
    )
    report = evaluate("detection", str(dev), "--detector", "cld2")
    assert report["per_label"] == {"de": {"right": 1, "items": 1}, "en": {"right": 0, "items": 1}}
    assert report["confusions"] == [{"input": "", "expected": "en", "got": "none", "count": 1}]
    assert report["detector"] == "cld2" and report["us_per_text"] > 0


def test_bad_dev_set_and_unknown_detector_are_one_error_line(tmp_path: Path) -> None:
    dev = tmp_path / "bad.tsv"
    dev.write_text("only-one-column\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "detection", str(dev), "--detector", "nope"])
    assert result.exit_code == 2 and "unknown detector 'nope'" in result.output
    result = CliRunner().invoke(app, ["evaluate", "detection", str(dev)])
    assert result.exit_code == 2
    assert result.output.strip().endswith("bad.tsv:1: expected 4 tab-separated columns")


def test_normalise_detect_one_json_line_per_text_in_order() -> None:
    lines = ["Poner fin a la pobreza en todas sus formas en todo el mundo", "2020", ""]
    result = CliRunner().invoke(app, ["normalise", "detect"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in rows] == lines
    assert [r["lang"] for r in rows] == ["es", None, None]
    assert rows[0]["confidence"] > 0.5 and rows[1]["letters"] == 0


def test_renormalise_on_a_harvested_warehouse(demo_warehouse: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    db.write_bytes(demo_warehouse.read_bytes())
    result = CliRunner().invoke(app, ["renormalise", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["records"] > 300 and report["changed"] == 0
    other = CliRunner().invoke(
        app, ["renormalise", "--db", str(db), "--detector", "langdetect", "--source", "demo"]
    )
    assert other.exit_code == 0 and "resources normalised again" in other.stdout
