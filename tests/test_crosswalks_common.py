"""Shared crosswalk helpers: date ranges, durations, agent identifiers, identifier dedup."""

from __future__ import annotations

import pytest

from transforms.crosswalks.common import (
    add_identifier,
    date_range_iso,
    duration_iso,
    normalize_agent_id,
)
from transforms.model import Record


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("1900-1922", "1900/1922"),
        ("1900 – 1922.", "1900/1922"),
        ("2020-01-05/2021-02", "2020-01-05/2021-02"),
        ("2020/", "2020/.."),
        ("../2021", "../2021"),
        ("1922-1900", None),  # backwards: not a range
        ("03/04/2020", None),  # two slashes: a date, not a range
        ("spring/summer", None),
        ("/", None),
    ],
)
def test_date_ranges_become_iso_intervals(raw: str, iso: str | None) -> None:
    assert date_range_iso(raw) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [("PT1H30M", "PT1H30M"), ("90 min", "PT90M"), ("1,5 Stunden", "PT1.5H"),
     ("00:43:43", "PT43M43S"), ("2:05", "PT2H5M"), ("P7DT", None), ("soon", None)],
)  # fmt: skip
def test_durations(raw: str, iso: str | None) -> None:
    assert duration_iso(raw) == iso


@pytest.mark.parametrize(
    ("raw", "scheme", "uri"),
    [
        ("0000-0002-1825-0097", None, "https://orcid.org/0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1825-009x", None, "https://orcid.org/0000-0002-1825-009X"),
        ("04wxnsj81", "ROR", "https://ror.org/04wxnsj81"),
        ("04wxnsj81", None, "04wxnsj81"),  # a bare ROR id needs the scheme to be recognised
        ("118540238", "gnd", "https://d-nb.info/gnd/118540238"),
        ("0000 0001 2103 2683", "ISNI", "https://isni.org/isni/0000000121032683"),
        ("  ", None, None),
    ],
)
def test_agent_identifiers_are_canonical_uris(raw: str, scheme: str | None, uri) -> None:
    assert normalize_agent_id(raw, scheme) == uri


def test_the_same_identifier_in_another_spelling_is_kept_once() -> None:
    record = Record(source="s", oai_identifier="oai:x:1", metadata_prefix="p")
    for raw in ("https://doi.org/10.1234/ABC", "10.1234/abc", "doi:10.1234/abc", "urn:x:1"):
        add_identifier(record, raw)
    assert [i["value"] for i in record.identifiers] == ["https://doi.org/10.1234/ABC", "urn:x:1"]
