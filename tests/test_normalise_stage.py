"""The normalisation stage: record columns and issues, the warehouse, renormalising."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipelines.normalise import renormalise
from pipelines.registry import RegistryError, Source, load_sources
from transforms.model import DERIVED_FIELDS, Record
from transforms.normalise import NORMALISER_VERSION, Settings, normalise_record
from warehouse import connect

EN = "This open course introduces statistics for teachers in secondary schools."
DE = "Dieser offene Kurs führt Lehrkräfte an Schulen in die Statistik ein."
BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"


def record(**fields) -> Record:
    fields.setdefault("titles", [{"value": "Statistics for teachers", "lang": None}])
    fields.setdefault("descriptions", [{"value": EN, "lang": None}])
    return Record(source="s", oai_identifier="oai:x:1", metadata_prefix="oai_dc", **fields)


def codes(r: Record) -> list[str]:
    return [i["code"] for i in r.issues]


def test_declared_language_wins_and_nothing_is_detected() -> None:
    r = normalise_record(record(languages=["ger"], descriptions=[{"value": EN, "lang": None}]))
    assert (r.language_tags, r.language_source, r.text_languages) == (["de"], "declared", [])


def test_undeclared_language_is_detected_per_field_and_the_longer_text_decides() -> None:
    r = normalise_record(record(titles=[{"value": "Statistik für Lehrkräfte", "lang": None}]))
    assert r.language_source == "detected"
    assert r.language_tags == ["en"]  # the description (74 letters) over the title (22)
    assert [(t["field"], t["lang"]) for t in r.text_languages] == [
        ("titles", "de"),
        ("descriptions", "en"),
    ]
    assert all(t["method"] == Settings().detector and t["confidence"] for t in r.text_languages)


def test_own_xml_lang_is_used_before_detection() -> None:
    r = normalise_record(record(descriptions=[{"value": DE, "lang": "de-DE"}]))
    assert (r.language_tags, r.language_source) == (["de-DE"], "xml:lang")
    assert r.text_languages[0] == {
        "field": "descriptions", "index": 0, "lang": "de-DE", "method": "xml:lang",
        "confidence": None,
    }  # fmt: skip


def test_too_little_text_gives_no_language_rather_than_a_guess() -> None:
    r = normalise_record(record(titles=[{"value": "Statistik", "lang": None}], descriptions=[]))
    assert (r.language_tags, r.language_source, r.text_languages) == ([], None, [])


def test_repository_default_checked_against_the_text() -> None:
    agrees = normalise_record(record(), Settings(default_language="en"))
    assert (agrees.language_tags, agrees.language_source) == (["en"], "repository-default")
    assert "language_mismatch" not in codes(agrees)
    wrong = normalise_record(record(), Settings(default_language="Deutsch"))
    assert (wrong.language_tags, wrong.language_source) == (["en"], "detected")
    assert codes(wrong) == ["language_mismatch"]
    assert "'de'" in wrong.issues[0]["message"] and "'en'" in wrong.issues[0]["message"]


def test_a_record_stamped_with_the_repository_default_is_checked_too() -> None:
    r = normalise_record(record(languages=["de"]), Settings(default_language="de"))
    assert (r.language_tags, codes(r)) == (["en"], ["language_mismatch"])
    other = normalise_record(record(languages=["fr"]), Settings(default_language="de"))
    assert (other.language_tags, codes(other)) == (["fr"], [])  # declared, not the default


def test_unparsable_language_values_are_issues_and_the_rest_is_kept() -> None:
    r = normalise_record(record(languages=["en", "Klingonisch-ish", "und"]))
    assert r.language_tags == ["en"]
    assert codes(r) == ["unparsable_language"]
    assert r.issues[0]["field"] == "languages[1]"
    bad_lang = normalise_record(record(descriptions=[{"value": EN, "lang": "xx-!!"}]))
    assert "unparsable_language" in codes(bad_lang)


def test_licence_columns_and_access_rights_apart() -> None:
    r = normalise_record(record(rights=["info:eu-repo/semantics/openAccess", "CC BY-NC 4.0"]))
    assert r.licence_uri == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert (r.licence_spdx, r.licence_family, r.licence_version) == ("CC-BY-NC-4.0", "by-nc", "4.0")
    assert (r.licence_allows_adaptation, r.licence_allows_commercial) == (True, False)
    assert (r.open_for_adaptation, r.licence_rule, r.licence_raw) == (
        "yes", "label", "CC BY-NC 4.0",
    )  # fmt: skip
    assert r.access_rights_uri == "http://purl.org/coar/access_right/c_abf2"
    assert r.issues == []


def test_unrecognised_rights_value_is_a_warning_unless_another_gave_the_licence() -> None:
    alone = normalise_record(record(rights=["Free to use for educational purposes"]))
    assert (alone.licence_uri, alone.open_for_adaptation) == (None, "unknown")
    assert [(i["code"], i["severity"]) for i in alone.issues] == [
        ("unrecognised_licence", "warning")
    ]
    beside = normalise_record(record(rights=["Free to use", BY_SA]))
    assert beside.licence_uri == BY_SA
    assert [(i["code"], i["severity"], i["field"]) for i in beside.issues] == [
        ("unrecognised_licence", "info", "rights[0]")
    ]


def test_conflicting_licences_are_an_issue() -> None:
    r = normalise_record(record(rights=[BY_SA, "https://creativecommons.org/licenses/by-nd/4.0/"]))
    assert codes(r) == ["conflicting_licences"]
    assert r.licence_uri == BY_SA


def test_normalising_again_replaces_its_issues_and_keeps_the_mapping_ones() -> None:
    r = record(rights=["nonsense"], languages=["???!"])
    r.issues.append({"code": "missing_title", "severity": "warning", "field": None, "message": ""})
    normalise_record(r)
    first = list(r.issues)
    normalise_record(r)
    assert r.issues == first
    assert codes(r).count("missing_title") == 1
    assert r.normaliser_version == NORMALISER_VERSION


def test_deleted_record_has_no_normalised_values() -> None:
    r = normalise_record(record(deleted=True, rights=[BY_SA], languages=["en"]))
    assert (r.licence_uri, r.language_tags, r.open_for_adaptation) == (None, [], "unknown")


def test_normalisation_does_not_change_the_content_hash() -> None:
    r = record(rights=[BY_SA]).finalise()
    before = r.content_hash
    normalise_record(r)
    assert r.finalise().content_hash == before


def test_registry_rejects_a_default_language_that_is_not_one_language(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    entry = '[sources.x]\nkind = "oai-pmh"\nendpoint = "http://x/oai"\n'
    path.write_text(entry + 'defaults = { language = "Deutsch" }\n')
    assert load_sources(path)["x"].defaults == {"language": "Deutsch"}
    for bad in ('language = "en; fr"', 'language = "Klingon-ish"', 'language_detector = "x"'):
        path.write_text(entry + f"defaults = {{ {bad} }}\n")
        with pytest.raises(RegistryError, match=r"defaults\.language"):
            load_sources(path)


# ---------------------------------------------------------------- in the warehouse


def test_harvest_lands_normalised_columns(demo_warehouse: Path) -> None:
    con = connect(demo_warehouse, read_only=True)
    try:
        live, licensed, with_lang, versions = con.execute(
            "SELECT count(*), count(licence_uri), count(*) FILTER (len(language_tags) > 0), "
            "list(DISTINCT normaliser_version) FROM resources WHERE NOT deleted"
        ).fetchall()[0]
        sources = dict(con.execute(
            "SELECT language_source, count(*) FROM resources WHERE NOT deleted GROUP BY ALL"
        ).fetchall())  # fmt: skip
        opens = {r[0] for r in con.execute("SELECT DISTINCT open_for_adaptation FROM resources")
                 .fetchall()}  # fmt: skip
        issue_codes = {r[0] for r in con.execute(
            "SELECT DISTINCT i.code FROM (SELECT unnest(issues) AS i FROM resources)"
        ).fetchall()}  # fmt: skip
        declared = {r[0] for r in con.execute("SELECT code FROM issue_codes").fetchall()}
    finally:
        con.close()
    assert versions == [NORMALISER_VERSION]
    assert licensed > live * 0.5 and with_lang > live * 0.9
    assert {"declared", "detected"} <= set(sources)
    assert opens <= {"yes", "no", "unknown"} and "yes" in opens
    assert issue_codes <= declared  # every record issue code is in the taxonomy


def test_renormalise_changes_nothing_after_a_harvest_then_fills_old_rows(
    demo_warehouse: Path, tmp_path: Path
) -> None:
    db = tmp_path / "copy.duckdb"
    db.write_bytes(demo_warehouse.read_bytes())
    con = connect(db)
    try:
        assert renormalise(con, load_sources()).changed == 0
        wiped = ", ".join(f"{c} = NULL" for c in DERIVED_FIELDS)
        con.execute(f"UPDATE resources SET {wiped} WHERE oai_identifier LIKE '%1'")
        stale = con.execute("SELECT count(*) FROM resources WHERE normaliser_version IS NULL")
        n = stale.fetchall()[0][0]
        history = con.execute("SELECT count(*) FROM resource_history").fetchall()[0][0]
        result = renormalise(con, load_sources())
        assert (result.changed, result.by_source) == (n, {"demo": n})
        left = con.execute("SELECT count(*) FROM resources WHERE normaliser_version IS NULL")
        assert left.fetchall()[0][0] == 0
        # renormalising is not a change at the source: no history
        assert con.execute("SELECT count(*) FROM resource_history").fetchall()[0][0] == history
    finally:
        con.close()


def test_reharvest_fills_rows_normalised_by_an_older_version(demo_warehouse: Path, tmp_path: Path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(demo_warehouse.read_bytes())
    con = connect(db)
    con.execute("UPDATE resources SET normaliser_version = '0', licence_uri = NULL")
    con.close()
    result = CliRunner().invoke(
        app, ["harvest", "demo", "--db", str(db), "--mode", "full", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"updated": 0' in result.stdout  # the normaliser is no change at the source
    con = duckdb.connect(str(db), read_only=True)
    try:
        versions = con.execute("SELECT DISTINCT normaliser_version FROM resources").fetchall()
        licensed = con.execute("SELECT count(licence_uri) FROM resources").fetchall()[0][0]
    finally:
        con.close()
    assert versions == [(NORMALISER_VERSION,)]
    assert licensed > 0


def test_source_settings_reach_the_stage() -> None:
    source = Source(name="x", kind="oai-pmh", endpoint="http://x", defaults={"language": "fr"})
    assert Settings.for_source(source.defaults) == Settings(default_language="fr")
