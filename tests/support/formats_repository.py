"""An OAI-PMH repository that offers every format we map, built from the golden fixtures.

Each fixture record (corpus files via OER_CORPUS, our own CC0 files in tests/data) becomes
one repository item available in its own format, with an oai_dc record of its title too,
as real repositories offer oai_dc beside their richer formats. Items get new identifiers
(`oai:formats.test:<prefix>:<n>`) and increasing datestamps; deleted fixture records stay
deleted (listed in every format).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

from tests.support.corpus import REPO_ROOT, corpus_path
from tests.support.golden import fixture_items

OWN = REPO_ROOT / "tests" / "data" / "crosswalks"


@dataclass(frozen=True)
class Format:
    prefix: str
    crosswalk: str
    schema: str
    namespace: str
    fixtures: tuple[str, ...]  # corpus paths, or own: tests/data/crosswalks/<path>


FORMATS = (
    Format(
        "oai_lom",
        "lom",
        "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd",
        "http://ltsc.ieee.org/xsd/LOM",
        tuple(
            f"agrega2-lom-es/{n}.xml"
            for n in (
                "catalogacion__metadato1_N23",
                "catalogacion__metadatoCompleto",
                "catalogacion__metadatoCompletoVacio",
                "empaquetadorbasico__metadato_media_PBSD02_oa02",
                "modificador__metadato_dibujo01_oa01",
                "modificador__metadato_media_TVSD01",
                "parseadorXML__metadatoLote1",
                "validador__metadato_infantil05",
            )
        ),
    ),
    Format(
        "oai_openaire",
        "openaire",
        "https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd",
        "http://namespace.openaire.eu/schema/oaire/",
        ("own:openaire/article.xml", "own:openaire/learning-object.xml"),
    ),
    Format(
        "oai_datacite",
        "datacite",
        "http://schema.datacite.org/meta/kernel-4/metadata.xsd",
        "http://datacite.org/schema/kernel-4",
        ("zenodo-oaipmh-scythe/extracted/list_records/05_ListRecords_datacite.xml",),
    ),
    Format(
        "mods",
        "mods",
        "http://www.loc.gov/standards/mods/v3/mods-3-7.xsd",
        "http://www.loc.gov/mods/v3",
        (
            *(
                f"dpla-ingestion3/{n}.xml"
                for n in ("bhl", "ct", "ma-creator", "mt", "northwest-heritage", "nypl", "oklahoma")
            ),
            "oersi-etl-duepublico-oer/duepub-metafacture.xml",
        ),
    ),
    Format(
        "marc21",
        "marcxml",
        "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
        "http://www.loc.gov/MARC21/slim",
        (
            "dpla-ingestion3/gpo.xml",
            "dpla-ingestion3/gpo_ebooks.xml",
            "dpla-ingestion3/hathi.xml",
            "own:marcxml/handmade.xml",
        ),
    ),
    Format(
        "oai_qdc",
        "qdc",
        "http://worldcat.org/xmlschemas/qdc/1.0/qdc-1.0.xsd",
        "http://worldcat.org/xmlschemas/qdc-1.0/",
        tuple(f"dpla-ingestion3/{n}.xml" for n in ("in", "il", "scdl", "ohio", "wi")),
    ),
)
# Fixture records with no title anywhere (an all-empty LOM skeleton): they must land
# with a missing_title issue instead.
UNTITLED = frozenset({"agrega2-lom-es/catalogacion__metadatoCompletoVacio.xml"})


def _path(fixture: str) -> Path:
    return OWN / fixture[4:] if fixture.startswith("own:") else corpus_path(fixture)


@dataclass
class Expected:
    identifier: str
    prefix: str
    crosswalk: str
    fixture: str
    deleted: bool


def build() -> tuple[list[dict], dict[str, tuple[str, str]], list[Expected]]:
    """(repository records, formats for OAIRepository, what each record must become)."""
    records: list[dict] = []
    expected: list[Expected] = []
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for fmt in FORMATS:
        for fixture in fmt.fixtures:
            for item in fixture_items(_path(fixture)):
                n = len(records)
                identifier = f"oai:formats.test:{fmt.prefix}:{n}"
                record: dict = {
                    "identifier": identifier,
                    "datestamp": (start + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "sets": [fmt.prefix],
                    "deleted": item.deleted or item.metadata is None,
                    "metadata": {"title": [f"{fmt.prefix} record {n}"]},
                }
                if not record["deleted"]:
                    record["payloads"] = {
                        fmt.prefix: etree.tostring(item.metadata, encoding="unicode")
                    }
                records.append(record)
                expected.append(
                    Expected(identifier, fmt.prefix, fmt.crosswalk, fixture, record["deleted"])
                )
    formats = {f.prefix: (f.schema, f.namespace) for f in FORMATS}
    return records, formats, expected
