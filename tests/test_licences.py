"""Licence normaliser: the labelled dev set line by line, the precedence of several rights
values, and that no string makes it raise."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.licences import LicenceResult, normalise_licence, normalise_rights

DEV = Path(__file__).resolve().parent / "data" / "licences" / "dev.tsv"
PDM = "https://creativecommons.org/publicdomain/mark/1.0/"
INC = "http://rightsstatements.org/vocab/InC/1.0/"
BY4 = "https://creativecommons.org/licenses/by/4.0/"


def dev_lines() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        raw, licence, access, note = line.split("\t")
        rows.append((raw, licence, access, note))
    return rows


def test_dev_set_is_big_enough_and_distinct() -> None:
    raws = [r[0] for r in dev_lines()]
    assert len(raws) >= 150
    assert sum(1 for r in dev_lines() if r[1]) >= 150  # lines naming a licence
    assert len(set(raws)) == len(raws)


@pytest.mark.parametrize(("raw", "licence", "access", "note"), dev_lines())
def test_dev_line(raw: str, licence: str, access: str, note: str) -> None:
    result = normalise_licence(raw)
    assert (result.licence_uri or "", result.access_rights_uri or "") == (licence, access), (
        result.rule
    )


def test_result_fields_of_a_ported_nc_nd_licence() -> None:
    r = normalise_licence("cc-by-nc-nd 3.0 de")
    assert (r.family, r.version, r.port, r.spdx) == ("by-nc-nd", "3.0", "de", "CC-BY-NC-ND-3.0-DE")
    assert (r.allows_adaptation, r.allows_commercial, r.open_for_adaptation) == (False, False, "no")


def test_nc_allows_adaptation_but_not_commercial_use() -> None:
    r = normalise_licence("CC BY-NC-SA 4.0")
    assert (r.open_for_adaptation, r.allows_commercial, r.share_alike) == ("yes", False, True)


def test_family_without_version_never_gets_one() -> None:
    r = normalise_licence("CC BY-SA")
    assert (r.licence_uri, r.version) == ("https://creativecommons.org/licenses/by-sa/", None)


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("http://creativecommons.org/licenses/by/4.0/", "uri"),
        ("https://creativecommons.org/licenses/by/4.0/deed.es", "deed-uri"),
        ("MIT", "spdx"),
        ("Namensnennung 4.0 International", "label"),
        ("cc_by_nc", "label"),
        ("CC BY-NC-SA 4.0 International", "cc-shorthand"),
        ("In Copyright", "rightsstatement"),
        ("Gemeinfrei", "public-domain"),
        ("© 2019 All rights reserved", "copyright-line"),
        ("info:eu-repo/semantics/openAccess", "access-right"),
        ("Standard-YouTube-Lizenz", "unrecognised"),
        ("CC BY, CC BY-NC", "multiple"),
        ("  ", "empty"),
    ],
)
def test_rule_names(raw: str, rule: str) -> None:
    assert normalise_licence(raw).rule == rule


def test_access_rights_stay_apart_from_the_licence() -> None:
    r = normalise_licence("info:eu-repo/semantics/openAccess")
    assert r.licence_uri is None and r.open_for_adaptation == "unknown"
    licence, access, issues = normalise_rights(
        ["info:eu-repo/semantics/openAccess", "https://creativecommons.org/licenses/by/4.0/"]
    )
    assert licence is not None and licence.licence_uri == BY4
    assert (
        access is not None
        and access.access_rights_uri == "http://purl.org/coar/access_right/c_abf2"
    )
    assert issues == []


def test_licence_uri_beats_copyright_line_without_conflict() -> None:
    licence, _, issues = normalise_rights(
        ["© 2019 Jane Doe", "https://creativecommons.org/licenses/by/4.0/"]
    )
    assert licence is not None and licence.licence_uri == BY4
    assert issues == []


def test_precedence_uri_over_label_over_statement() -> None:
    licence, _, _ = normalise_rights(["Public domain", "CC BY-SA 4.0"])
    assert licence is not None and licence.rule == "label"
    licence, _, _ = normalise_rights(["CC BY 4.0", "http://creativecommons.org/licenses/by/4.0/"])
    assert licence is not None and licence.rule == "uri"


def test_family_and_version_of_the_same_licence_agree() -> None:
    licence, _, issues = normalise_rights(["CC BY-SA", "CC BY-SA 4.0"])
    assert (
        licence is not None
        and licence.licence_uri == "https://creativecommons.org/licenses/by-sa/4.0/"
    )
    assert issues == []


def test_zenodo_label_and_legalcode_agree() -> None:
    licence, _, issues = normalise_rights(
        [
            "Creative Commons Attribution 4.0 International",
            "https://creativecommons.org/licenses/by/4.0/legalcode",
        ]
    )
    assert licence is not None and licence.licence_uri == BY4 and issues == []


def test_different_licences_are_a_conflict() -> None:
    licence, _, issues = normalise_rights(
        [
            "https://creativecommons.org/licenses/by/4.0/",
            "https://creativecommons.org/licenses/by-nc-nd/4.0/",
        ]
    )
    assert licence is not None and licence.licence_uri == BY4  # the first at the top level
    assert [i["code"] for i in issues] == ["conflicting_licences"]
    assert set(issues[0]) == {"code", "severity", "field", "message"}


def test_licence_against_in_copyright_statement_is_a_conflict() -> None:
    licence, _, issues = normalise_rights([INC, "CC BY 4.0"])
    assert licence is not None and licence.licence_uri == INC  # a URI beats a shorthand
    assert [i["code"] for i in issues] == ["conflicting_licences"]


def test_nothing_recognised() -> None:
    assert normalise_rights(["free text rights", ""]) == (None, None, [])
    assert normalise_rights([]) == (None, None, [])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(raw: str) -> None:
    assert isinstance(normalise_licence(raw), LicenceResult)


_PIECES = st.sampled_from(
    ["CC", "BY", "-", "NC", "SA", "ND", " ", "4.0", "3.0", "de", "http://", "creativecommons.org/",
     "licenses/", "/", "deed.", "©", "public domain", "info:eu-repo/semantics/", "0", "v", "(", ")"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), max_size=4))
def test_rights_never_raise_on_licence_like_junk(raws: list[str]) -> None:
    licence, _access, issues = normalise_rights(raws)
    assert licence is None or licence.licence_uri
    assert all(i["code"] == "conflicting_licences" for i in issues)


@pytest.mark.parametrize(
    ("raw", "licence"),
    [
        ("Dieses Werk ist lizenziert unter einer Creative Commons Namensnennung 4.0 "
         "International Lizenz.", "https://creativecommons.org/licenses/by/4.0/"),
        ("Ce(tte) œuvre est mise à disposition selon les termes de la Licence Creative Commons "
         "Attribution - Pas d’Utilisation Commerciale 4.0 International.",
         "https://creativecommons.org/licenses/by-nc/4.0/"),
        ("Este trabalho está licenciado com uma Licença Creative Commons - "
         "Atribuição-NãoComercial-CompartilhaIgual 4.0 Internacional.",
         "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
        ("Licencia Creative Commons Atribución 4.0 Internacional",
         "https://creativecommons.org/licenses/by/4.0/"),
        ("Licensed under the Apache License, Version 2.0", "http://spdx.org/licenses/Apache-2.0"),
        ("Creative Commons BY-NC-SA 3.0 ES", "https://creativecommons.org/licenses/by-nc-sa/3.0/es/"),
        ("CC BY 3.0 IGO license", "https://creativecommons.org/licenses/by/3.0/igo/"),
        ("Licencia: Reconocimiento-NoComercial-CompartirIgual (by-nc-sa)",
         "https://creativecommons.org/licenses/by-nc-sa/"),
        ("Public Domain Dedication and License", "http://spdx.org/licenses/PDDL-1.0"),
        ("ODbL", "http://spdx.org/licenses/ODbL-1.0"),  # one version exists: its name names it
    ],
)  # fmt: skip
def test_licence_titles_inside_sentences(raw: str, licence: str) -> None:
    assert normalise_licence(raw).licence_uri == licence


def test_two_titles_in_one_sentence_are_not_one_licence() -> None:
    raw = "Namensnennung 4.0 International oder Namensnennung-Keine Bearbeitung 4.0 International"
    assert normalise_licence(raw).licence_uri is None
