"""The generated licence vocabulary (vocabularies/licences.ttl) and its loader."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from vocabularies import build_licences, loader
from vocabularies.loader import LicenceConcept, licence_by_spdx, licences, licences_by_match

CC = "https://creativecommons.org/licenses/"


@pytest.fixture(scope="module")
def lic() -> dict[str, LicenceConcept]:
    return licences()


def of_kind(lic: dict[str, LicenceConcept], kind: str) -> list[LicenceConcept]:
    return [c for c in lic.values() if c.kind == kind]


def test_counts(lic: dict[str, LicenceConcept]) -> None:
    cc = of_kind(lic, "cc")
    assert len([c for c in cc if c.version == "4.0"]) == 6
    assert len({c.port for c in cc if c.version == "3.0" and c.port}) > 30
    assert len(cc) == 610  # 614 RDF files minus CC's 4 software wrappers
    assert len(of_kind(lic, "rights-statement")) == 12
    assert len(of_kind(lic, "access-right")) == 4
    assert {c.family for c in of_kind(lic, "cc-family")} >= {
        "by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd"
    }  # fmt: skip
    assert lic["https://creativecommons.org/publicdomain/zero/1.0/"].family == "cc0"
    assert lic["https://creativecommons.org/publicdomain/mark/1.0/"].family == "pdm"


def test_uris_are_canonical_and_http_forms_kept(lic: dict[str, LicenceConcept]) -> None:
    for c in of_kind(lic, "cc"):
        assert c.uri.startswith("https://creativecommons.org/") and c.uri.endswith("/")
        assert "http://" + c.uri.removeprefix("https://") in c.exact_match
    match = licences_by_match()
    assert match["http://creativecommons.org/licenses/by-sa/3.0/de/"] == f"{CC}by-sa/3.0/de/"


def test_flags_by_nc_nd_4(lic: dict[str, LicenceConcept]) -> None:
    c = lic[f"{CC}by-nc-nd/4.0/"]
    assert (c.family, c.version, c.port, c.spdx) == ("by-nc-nd", "4.0", None, "CC-BY-NC-ND-4.0")
    assert (c.allows_adaptation, c.allows_commercial, c.share_alike) == (False, False, False)
    assert c.requires_attribution is True
    assert c.open_for_adaptation == "no"


def test_flags_by_sa_3_de(lic: dict[str, LicenceConcept]) -> None:
    c = lic[f"{CC}by-sa/3.0/de/"]
    assert (c.family, c.version, c.port, c.spdx) == ("by-sa", "3.0", "de", "CC-BY-SA-3.0-DE")
    assert (c.allows_adaptation, c.allows_commercial, c.share_alike) == (True, True, True)
    assert c.open_for_adaptation == "yes"
    assert c.broader == f"{CC}by-sa/"
    assert "Namensnennung-Weitergabe unter gleichen Bedingungen 3.0 Deutschland" in c.labels["de"]


def test_flags_cc0_and_nc(lic: dict[str, LicenceConcept]) -> None:
    c = lic["https://creativecommons.org/publicdomain/zero/1.0/"]
    assert (c.allows_adaptation, c.allows_commercial, c.share_alike) == (True, True, False)
    assert (c.requires_attribution, c.open_for_adaptation, c.spdx) == (False, "yes", "CC0-1.0")
    nc = lic[f"{CC}by-nc-sa/4.0/"]  # NC allows adaptation: open for adaptation, not commercial
    assert (nc.open_for_adaptation, nc.allows_commercial, nc.share_alike) == ("yes", False, True)


def test_scotland_flags_corrected(lic: dict[str, LicenceConcept]) -> None:
    assert lic[f"{CC}by/2.5/scotland/"].allows_adaptation is True  # the CC RDF omits it


def test_by_nd_nc_is_family_by_nc_nd(lic: dict[str, LicenceConcept]) -> None:
    c = lic[f"{CC}by-nd-nc/1.0/"]
    assert (c.family, c.elements, c.spdx) == ("by-nc-nd", "by-nd-nc", "CC-BY-NC-ND-1.0")


def test_deprecated_from_the_rdf(lic: dict[str, LicenceConcept]) -> None:
    assert lic[f"{CC}sampling/1.0/"].deprecated
    assert lic[f"{CC}devnations/2.0/"].deprecated
    assert lic[f"{CC}publicdomain/"].deprecated
    assert not lic[f"{CC}by/4.0/"].deprecated
    assert f"{CC}by-nc-nd/2.0/" in lic[f"{CC}by-nd-nc/1.0/"].replaced_by


def test_labels_in_many_languages(lic: dict[str, LicenceConcept]) -> None:
    c = lic[f"{CC}by/4.0/"]
    assert c.labels["de"] == ("Namensnennung 4.0 International",)
    assert c.labels["es"] == ("Atribución 4.0 Internacional",)
    assert c.labels["fr"] == ("Attribution 4.0 International",)  # stray sentence fixed
    assert len(c.labels) > 50
    assert not any(
        "${" in t or "<" in t for c in lic.values() for ts in c.labels.values() for t in ts
    )
    assert lic[f"{CC}by-sa/"].labels["en"] == ("Attribution-ShareAlike",)


def test_spdx_mapping(lic: dict[str, LicenceConcept]) -> None:
    by_spdx = licence_by_spdx()
    assert by_spdx["CC-BY-SA-4.0"] == f"{CC}by-sa/4.0/"
    assert lic[f"{CC}by-sa/4.0/"].spdx == "CC-BY-SA-4.0"
    assert by_spdx["CC-PDM-1.0"] == "https://creativecommons.org/publicdomain/mark/1.0/"
    for lid in ("MIT", "Apache-2.0", "GPL-3.0-or-later", "ODbL-1.0", "OGL-UK-3.0", "EUPL-1.2"):
        c = lic[by_spdx[lid]]
        assert (c.kind, c.allows_adaptation, c.allows_commercial) == ("spdx", True, True)
        assert c.open_for_adaptation == "yes"
    assert lic[by_spdx["GPL-3.0-or-later"]].share_alike is True
    assert lic[by_spdx["MIT"]].share_alike is False
    assert by_spdx["GPL-2.0"] == by_spdx["GPL-2.0-only"]  # deprecated SPDX id


def test_rightsstatements(lic: dict[str, LicenceConcept]) -> None:
    inc = lic["http://rightsstatements.org/vocab/InC/1.0/"]
    assert inc.labels["en"] == ("In Copyright",) and "de" in inc.labels
    assert (inc.copyright_status, inc.open_for_adaptation) == ("in-copyright", "no")
    noc = lic["http://rightsstatements.org/vocab/NoC-US/1.0/"]
    assert noc.labels["en"] == ("No Copyright - United States",)
    assert (noc.copyright_status, noc.open_for_adaptation) == ("no-copyright", "unknown")
    assert len(noc.labels) == 14
    assert lic["http://rightsstatements.org/vocab/UND/1.0/"].copyright_status == "other"


def test_coar_access_rights(lic: dict[str, LicenceConcept]) -> None:
    match = licences_by_match()
    open_access = "http://purl.org/coar/access_right/c_abf2"
    assert match["info:eu-repo/semantics/openAccess"] == open_access
    assert lic[open_access].labels["en"] == ("open access",)
    assert (
        match["info:eu-repo/semantics/closedAccess"] == "http://purl.org/coar/access_right/c_14cb"
    )
    assert lic[open_access].open_for_adaptation == "unknown"


def test_json_cache_matches_the_ttl() -> None:
    loader.licences()  # writes the (untracked) cache when missing or stale
    cache = json.loads(build_licences.JSON_PATH.read_text(encoding="utf-8"))
    digest = hashlib.sha256(build_licences.TTL_PATH.read_bytes()).hexdigest()
    assert cache["ttl_sha256"] == digest, "licences.json is stale: rerun build_licences"


def test_regenerating_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = build_licences.sources_dir()
    if not (src / "cc-licenserdf" / "licenses").is_dir():
        pytest.skip(f"vocab sources not available at {src}")
    monkeypatch.setattr(build_licences, "TTL_PATH", tmp_path / "licences.ttl")
    monkeypatch.setattr(build_licences, "JSON_PATH", tmp_path / "licences.json")
    loader.licences()  # the cache beside the tracked .ttl exists
    build_licences.build(src)
    for name in ("licences.ttl", "licences.json"):
        assert (tmp_path / name).read_bytes() == (loader.VOCAB_DIR / name).read_bytes(), name
