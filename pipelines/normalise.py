"""Batch interfaces over the normalisers, and renormalising the warehouse.

One raw value per input line, one JSON-ready dict per value, in the same order (the CLI's
`oer normalise licence|language|detect` reads stdin and writes JSON lines). `renormalise`
recomputes the normalised columns of stored resources (`oer renormalise`), e.g. after a
better normaliser or a changed `defaults.language`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.registry import Source, load_sources
from transforms.detection import DEFAULT_DETECTOR, DETECTORS, detect, letters
from transforms.languages import normalise_language
from transforms.licences import normalise_licence
from transforms.model import DERIVED_FIELDS, Record, records_to_arrow
from transforms.normalise import Settings, normalise_batch
from warehouse import connect, transaction

__all__ = [
    "DEFAULT_DETECTOR",
    "DETECTORS",
    "detections",
    "languages",
    "licences",
    "renormalise",
    "renormalise_warehouse",
]


def _values(lines: Iterable[str]) -> Iterator[str]:
    """One raw value per input line, its line ending removed (nothing else: spaces count)."""
    for line in lines:
        yield line.rstrip("\r\n")


def languages(lines: Iterable[str]) -> Iterator[dict]:
    """Each declared language value → {input, languages (BCP 47, [] when none), rule, junk}."""
    for raw in _values(lines):
        result = normalise_language(raw)
        yield {
            "input": raw,
            "languages": list(result.languages),
            "rule": result.rule,
            "junk": result.junk,
        }


def licences(lines: Iterable[str]) -> Iterator[dict]:
    """Each raw rights value → its licence URI (or None), SPDX id, flags, access rights, rule."""
    for raw in _values(lines):
        r = normalise_licence(raw)
        yield {
            "input": raw,
            "licence_uri": r.licence_uri,
            "spdx": r.spdx,
            "access_rights_uri": r.access_rights_uri,
            "open_for_adaptation": r.open_for_adaptation,
            "allows_adaptation": r.allows_adaptation,
            "allows_commercial": r.allows_commercial,
            "share_alike": r.share_alike,
            "family": r.family,
            "version": r.version,
            "port": r.port,
            "rule": r.rule,
        }


def detections(lines: Iterable[str], detector: str = DEFAULT_DETECTOR) -> Iterator[dict]:
    """Each text → {input, lang (BCP 47 or None), confidence, detector, letters}; None when the
    text has fewer than 20 letters or the detector gives no answer."""
    for raw in _values(lines):
        found = detect(raw, detector)
        yield {
            "input": raw,
            "lang": found.lang if found else None,
            "confidence": found.confidence if found else None,
            "detector": detector,
            "letters": found.letters if found else letters(raw),
        }


# ------------------------------------------------------------------ the warehouse, again

_READ_COLUMNS = ("record_id", "source", "oai_identifier", "metadata_prefix", "deleted", "titles",
                 "descriptions", "languages", "rights", "issues")  # fmt: skip
_WRITTEN = (*DERIVED_FIELDS, "issues")


@dataclass
class RenormaliseResult:
    records: int = 0
    changed: int = 0
    by_source: dict[str, int] = field(default_factory=dict)


def renormalise(
    con: duckdb.DuckDBPyConnection,
    sources: dict[str, Source],
    *,
    source: str | None = None,
    detector: str | None = None,
    batch_size: int = 10_000,
) -> RenormaliseResult:
    """Recompute the normalised columns (and normalisation issues) of stored resources, with
    each source's settings from the registry (defaults when a source is not in it), without
    harvesting. One transaction per batch; rows whose values stay the same are not written."""
    result = RenormaliseResult()
    where, params = ("WHERE source = $source", {"source": source}) if source else ("", {})
    ids = [row[0] for row in con.execute(
        f"SELECT record_id FROM resources {where} ORDER BY record_id", params
    ).fetchall()]  # fmt: skip
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        table = con.sql(
            f"SELECT {', '.join(_READ_COLUMNS)}, {', '.join(DERIVED_FIELDS)} FROM resources "
            "WHERE record_id IN (SELECT unnest($ids)) ORDER BY record_id",
            params={"ids": chunk},
        ).to_arrow_table()
        rows = table.to_pylist()
        records = [Record(**{k: row[k] for k in _READ_COLUMNS}) for row in rows]
        by_source: dict[str, list[Record]] = {}
        for record in records:
            by_source.setdefault(record.source, []).append(record)
        for name, batch in by_source.items():
            normalise_batch(batch, _settings(sources.get(name), detector))
        changed = [
            r for r, row in zip(records, rows, strict=True)
            if any(getattr(r, name) != row[name] for name in _WRITTEN)
        ]  # fmt: skip
        result.records += len(records)
        result.changed += len(changed)
        for r in changed:
            result.by_source[r.source] = result.by_source.get(r.source, 0) + 1
        if changed:
            _write(con, changed)
    return result


def _settings(source: Source | None, detector: str | None) -> Settings:
    return Settings.for_source(source.defaults if source else {}, detector)


def _write(con: duckdb.DuckDBPyConnection, records: list[Record]) -> None:
    arrow = records_to_arrow(records).select(["record_id", *_WRITTEN])
    assignments = ", ".join(f"{c} = n.{c}" for c in _WRITTEN)
    with transaction(con):
        con.register("_renormalised", arrow)
        try:
            con.execute(
                f"UPDATE resources SET {assignments} FROM _renormalised AS n "
                "WHERE resources.record_id = n.record_id"
            )
        finally:
            con.unregister("_renormalised")


def renormalise_warehouse(
    db: str | Path | None = None, *, source: str | None = None, detector: str | None = None
) -> RenormaliseResult:
    """`renormalise` on the warehouse file `db` (default: the configured one), with the
    registry's source settings."""
    con = connect(db)
    try:
        return renormalise(con, load_sources(), source=source, detector=detector)
    finally:
        con.close()
