"""Exports of the analytics views (`oer export`): SQL writers and the metadata builders.

Every data file is one DuckDB `COPY (SELECT …) TO …`, ordered by the view's key, so the same
warehouse gives the same bytes: Parquet (one file per source, Hive-style
`parquet/<view>/source=<s>/data.parquet`), CSV (`csv/<view>.csv`; lists as JSON arrays,
timestamps ISO 8601 UTC) and JSON lines (`jsonl/<view>.jsonl`). The AMB JSON-LD documents
(`amb/resources.jsonl`) are built in SQL too, one JSON text per resource.

The metadata — a Frictionless Data Package v2 (`datapackage.json`) over the CSV files and a
DCAT-AP 3 catalogue (`catalog.ttl`) over every data file — takes its descriptions from the
views' own COMMENT ON texts (`duckdb_views()`, `duckdb_columns()`): the data dictionary.

Reads only the v_* views (and nothing else of the project).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import duckdb
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from warehouse.db import query_one

# Exported views and the key their rows are ordered by (v_coverage: every dimension).
VIEW_KEYS: dict[str, tuple[str, ...]] = {
    "v_resources": ("record_id",),
    "v_resource_sdg": ("record_id", "goal"),
    "v_resource_action_area": ("record_id", "area"),
    "v_coverage": ("source", "goal", "area", "language", "open_for_adaptation"),
    "v_source_scorecard": ("source",),
}
# One row per resource or label: --since selects among them. The others are aggregates.
RECORD_VIEWS = ("v_resources", "v_resource_sdg", "v_resource_action_area")
VIEW_TITLES = {
    "v_resources": "Open educational resources",
    "v_resource_sdg": "SDG labels of the resources",
    "v_resource_action_area": "Action-area labels of the resources",
    "v_coverage": "Coverage by source, SDG, action area, language and openness",
    "v_source_scorecard": "Scorecard of the sources",
}
# v_coverage has NULL dimensions (resources with no goal or area): no primary key.
PRIMARY_KEYS = {v: list(k) for v, k in VIEW_KEYS.items() if v != "v_coverage"}
FOREIGN_KEYS = {  # view → (column, referenced view, referenced column)
    "v_resources": [("source", "v_source_scorecard", "source")],
    "v_resource_sdg": [("record_id", "v_resources", "record_id")],
    "v_resource_action_area": [("record_id", "v_resources", "record_id")],
    "v_coverage": [("source", "v_source_scorecard", "source")],
}

DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
AMB_CONTEXT = "https://w3id.org/kim/amb/context.jsonld"
AMB_PROFILE = "https://w3id.org/kim/amb/20231019/schemas/schema.json"
# AMB's license.json accepts only these open licences.
AMB_LICENCE = (
    r"^https?://(creativecommons\.org/(licenses|licences|publicdomain)/"
    r"|www\.gnu\.org/licenses/|www\.apache\.org/licenses/"
    r"|opensource\.org/licenses/MIT|www\.opensource\.org/licenses/BSD)"
)
COAR_OPEN_ACCESS = "http://purl.org/coar/access_right/c_abf2"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_ISO_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
_URI = r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$"

IANA = "https://www.iana.org/assignments/media-types/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_THEME_EDUCATION = "http://publications.europa.eu/resource/authority/data-theme/EDUC"
EU_LANGUAGE_ENGLISH = "http://publications.europa.eu/resource/authority/language/ENG"
SPDX = Namespace("http://spdx.org/rdf/terms#")
# format → (IANA media type or None when IANA registers none, EU file type)
MEDIA_TYPES: dict[str, tuple[str | None, str]] = {
    "parquet": ("application/vnd.apache.parquet", "PARQUET"),
    "csv": ("text/csv", "CSV"),
    "jsonl": (None, "JSON"),  # JSON lines: no IANA registration
    "amb": (None, "JSON_LD"),  # JSON lines of JSON-LD documents
}
FORMAT_NAMES = {"parquet": "Parquet", "csv": "CSV", "jsonl": "JSON lines", "amb": "AMB JSON-LD"}

_TABLE_SCHEMA_TYPES = {
    "VARCHAR": "string",
    "UUID": "string",
    "INTEGER": "integer",
    "BIGINT": "integer",
    "SMALLINT": "integer",
    "HUGEINT": "integer",
    "DOUBLE": "number",
    "DECIMAL": "number",
    "FLOAT": "number",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "datetime",
    "TIMESTAMP": "datetime",
}
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # ISO 8601, UTC (connect() sets TimeZone UTC)


class ExportError(Exception):
    """An export cannot be written as asked; str() is one line."""


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    comment: str

    @property
    def is_list(self) -> bool:
        return self.data_type.endswith("[]")

    @property
    def is_nested(self) -> bool:
        """A list, struct or map: written to CSV as JSON."""
        return self.is_list or self.data_type.startswith(("STRUCT", "MAP"))

    @property
    def is_timestamp(self) -> bool:
        return self.data_type.startswith("TIMESTAMP")


@dataclass(frozen=True)
class View:
    name: str
    comment: str
    columns: tuple[Column, ...]

    @property
    def title(self) -> str:
        return VIEW_TITLES.get(self.name, self.name)


@dataclass(frozen=True)
class Selection:
    """Which rows: one source's, and/or those of resources first seen or changed since."""

    source: str | None = None
    since: datetime | None = None

    def where(self, view: str) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if self.source is not None:
            clauses.append("source = ?")
            params.append(self.source)
        if self.since is not None:
            changed = "coalesce(last_changed_at, first_seen_at) >= ?"
            if view == "v_resources":
                clauses.append(changed)
            elif view in RECORD_VIEWS:
                clauses.append(f"record_id IN (SELECT record_id FROM v_resources WHERE {changed})")
            else:
                raise ExportError(f"{view} counts every resource: it cannot be cut by --since")
            params.append(self.since)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


@dataclass(frozen=True)
class WrittenFile:
    path: str  # relative to the export directory, with /
    format: str
    view: str
    rows: int
    bytes: int
    sha256: str
    source: str | None = None  # the partition of a Parquet file


@dataclass(frozen=True)
class Licence:
    uri: str
    spdx: str
    title: str


@dataclass(frozen=True)
class ExportMeta:
    """What the Data Package and the catalogue say about the export as a whole."""

    title: str
    description: str
    publisher: str
    licence: Licence
    exported_at: datetime
    issued: datetime | None  # first resource first seen (of the selection)
    modified: datetime | None  # last resource change (of the selection)
    keywords: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


# --- the data dictionary -------------------------------------------------------------------


def describe_views(con: duckdb.DuckDBPyConnection, names: list[str]) -> list[View]:
    """The views with their comments and columns (type and comment), in `names` order."""
    comments = dict(
        con.execute(
            "SELECT view_name, comment FROM duckdb_views() "
            "WHERE schema_name = 'main' AND NOT internal AND list_contains(?, view_name)",
            [names],
        ).fetchall()
    )
    columns: dict[str, list[Column]] = {}
    for view, name, data_type, comment in con.execute(
        "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND list_contains(?, table_name) "
        "ORDER BY table_name, column_index",
        [names],
    ).fetchall():
        columns.setdefault(view, []).append(Column(name, data_type, comment or ""))
    missing = [n for n in names if n not in comments]
    if missing:
        raise ExportError(f"the warehouse has no view {', '.join(missing)} (schema too old?)")
    return [View(n, comments[n] or "", tuple(columns[n])) for n in names]


def known_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Registered sources (v_source_scorecard: one row per source)."""
    return [
        s
        for (s,) in con.execute("SELECT source FROM v_source_scorecard ORDER BY source").fetchall()
    ]


def time_span(
    con: duckdb.DuckDBPyConnection, selection: Selection
) -> tuple[datetime | None, datetime | None]:
    """(first first_seen_at, last change) of the selected resources."""
    where, params = selection.where("v_resources")
    row = query_one(
        con,
        "SELECT min(first_seen_at), max(coalesce(last_changed_at, first_seen_at)) "
        f"FROM v_resources{where}",
        params,
    )
    assert row is not None
    return row[0], row[1]


# --- SQL writers ---------------------------------------------------------------------------


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _select(
    view: View,
    selection: Selection,
    *,
    lists_as_json: bool,
    text_timestamps: bool,
    exclude: tuple[str, ...] = (),
) -> tuple[str, list[object]]:
    columns = []
    for c in view.columns:
        if c.name in exclude:
            continue
        expr = _ident(c.name)
        if lists_as_json and c.is_nested:
            expr = f"to_json({expr})"
        elif text_timestamps and c.is_timestamp:
            expr = f"strftime({expr}, '{_TIMESTAMP_FORMAT}')"
        columns.append(expr if expr == _ident(c.name) else f"{expr} AS {_ident(c.name)}")
    where, params = selection.where(view.name)
    order = ", ".join(f"{_ident(k)} NULLS FIRST" for k in VIEW_KEYS[view.name])
    return f"SELECT {', '.join(columns)} FROM {view.name}{where} ORDER BY {order}", params


def _copy(
    con: duckdb.DuckDBPyConnection, select: str, params: list[object], path: Path, options: str
) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    row = query_one(con, f"COPY ({select}) TO {_literal(str(path))} ({options})", params)
    assert row is not None
    return int(row[0])


def _written(
    root: Path, path: Path, fmt: str, view: str, rows: int, source: str | None = None
) -> WrittenFile:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return WrittenFile(
        path=path.relative_to(root).as_posix(),
        format=fmt,
        view=view,
        rows=rows,
        bytes=path.stat().st_size,
        sha256=digest.hexdigest(),
        source=source,
    )


def partition_dir(source: str) -> str:
    """Hive partition directory of a source (percent-encoded, as DuckDB and Arrow read it)."""
    return "source=" + quote(source, safe="")


def write_parquet(
    con: duckdb.DuckDBPyConnection, view: View, selection: Selection, root: Path
) -> list[WrittenFile]:
    """One zstd Parquet file per source present, without the source column (it is the
    partition): parquet/<view>/source=<s>/data.parquet."""
    where, params = selection.where(view.name)
    sources = [
        s
        for (s,) in con.execute(
            f"SELECT DISTINCT source FROM {view.name}{where} ORDER BY source", params
        ).fetchall()
    ]
    files = []
    for source in sources:
        select, params = _select(
            view,
            Selection(source, selection.since),
            lists_as_json=False,
            text_timestamps=False,
            exclude=("source",),
        )
        path = root / "parquet" / view.name / partition_dir(source) / "data.parquet"
        rows = _copy(con, select, params, path, "FORMAT parquet, COMPRESSION zstd")
        files.append(_written(root, path, "parquet", view.name, rows, source))
    return files


def write_csv(
    con: duckdb.DuckDBPyConnection, view: View, selection: Selection, root: Path
) -> WrittenFile:
    """csv/<view>.csv: UTF-8, header, RFC 4180 quoting; lists as JSON arrays, timestamps ISO
    8601 UTC, NULL as an empty field."""
    select, params = _select(view, selection, lists_as_json=True, text_timestamps=True)
    path = root / "csv" / f"{view.name}.csv"
    rows = _copy(con, select, params, path, "FORMAT csv, HEADER true")
    return _written(root, path, "csv", view.name, rows)


def write_jsonl(
    con: duckdb.DuckDBPyConnection, view: View, selection: Selection, root: Path
) -> WrittenFile:
    """jsonl/<view>.jsonl: one JSON object per row, keys in column order, NULL as null."""
    select, params = _select(view, selection, lists_as_json=False, text_timestamps=True)
    path = root / "jsonl" / f"{view.name}.jsonl"
    rows = _copy(con, select, params, path, "FORMAT json")
    return _written(root, path, "jsonl", view.name, rows)


# --- AMB -----------------------------------------------------------------------------------


def _concept(uri: str, label: str) -> str:
    """A SKOS concept as AMB wants it: id, prefLabel (English) when known, type Concept."""
    return (
        f"CASE WHEN {label} IS NULL THEN json_object('id', {uri}, 'type', 'Concept') "
        f"ELSE json_object('id', {uri}, 'prefLabel', json_object('en', {label}), "
        "'type', 'Concept') END"
    )


def _nonempty(expr: str) -> str:
    return f"CASE WHEN len({expr}) > 0 THEN {expr} END"


# Key → SQL expression over the resource `r` (NULL: the key is left out), keys sorted.
_AMB_FIELDS: list[tuple[str, str]] = [
    ("@context", f"CASE WHEN lang IS NULL THEN [to_json({_literal(AMB_CONTEXT)})] "
                 f"ELSE [to_json({_literal(AMB_CONTEXT)}), json_object('@language', lang)] END"),
    ("about", _nonempty("list_concat(coalesce(g.concepts, []), coalesce(a.concepts, []))")),
    ("creator", _nonempty("list_transform(creators, lambda n: "
                          "json_object('name', n, 'type', 'Person'))")),
    ("datePublished", f"CASE WHEN regexp_matches(issued, '{_ISO_DATE}') "
                      f"OR regexp_matches(issued, '{_ISO_DATETIME}') THEN issued END"),
    ("description", "description"),
    ("id", f"coalesce(landing_page, CASE WHEN regexp_matches(oai_identifier, '{_URI}') "
           "THEN oai_identifier END, 'urn:uuid:' || record_id)"),
    ("inLanguage", _nonempty("in_language")),
    ("isAccessibleForFree", f"CASE WHEN access_rights_uri = '{COAR_OPEN_ACCESS}' THEN true END"),
    ("keywords", _nonempty("subjects")),
    ("learningResourceType", _nonempty(
        "list_transform(list_filter(learning_resource_types, lambda t: "
        "regexp_matches(t, '^https?://')), lambda t: json_object('id', t, 'type', 'Concept'))")),
    ("license", f"CASE WHEN regexp_matches(licence_uri, '{AMB_LICENCE}') "
                "THEN json_object('id', licence_uri) END"),
    ("mainEntityOfPage", f"CASE WHEN regexp_matches(oai_identifier, '{_URI}') THEN "
                         "[CASE WHEN regexp_matches(datestamp, "
                         f"'{_ISO_DATETIME}') THEN json_object('dateModified', datestamp, "
                         "'id', oai_identifier, 'type', 'WebContent') ELSE json_object('id', "
                         "oai_identifier, 'type', 'WebContent') END] END"),
    ("name", "title"),
    ("publisher", _nonempty("list_transform(publishers, lambda n: "
                            "json_object('name', n, 'type', 'Organization'))")),
    ("type", "['LearningResource']"),
]  # fmt: skip

_AMB_SQL = """
WITH r AS (
    SELECT *,
           -- AMB takes ISO 639-1 codes only: the primary subtag, when it has two letters
           CASE WHEN regexp_matches(language, '^[a-zA-Z]{{2}}(-|$)')
                THEN lower(left(language, 2)) END AS lang,
           list_filter(list_transform(languages, lambda l: lower(split_part(l, '-', 1))),
                       lambda l, i: length(l) = 2 AND list_position(
                           list_transform(languages, lambda m: lower(split_part(m, '-', 1))),
                           l) = i) AS in_language
    FROM v_resources{where}
), g AS (
    SELECT record_id, list({sdg_concept} ORDER BY goal) AS concepts
    FROM v_resource_sdg WHERE record_id IN (SELECT record_id FROM r) GROUP BY record_id
), a AS (
    SELECT record_id, list({area_concept} ORDER BY area) AS concepts
    FROM v_resource_action_area WHERE record_id IN (SELECT record_id FROM r) GROUP BY record_id
)
SELECT to_json(map_from_entries(list_filter([{entries}], lambda e: e.v IS NOT NULL)))::VARCHAR
FROM r LEFT JOIN g USING (record_id) LEFT JOIN a USING (record_id)
ORDER BY record_id
"""

_AMB_GAPS_SQL = f"""
SELECT count(*) FILTER (WHERE title IS NULL),
       count(*) FILTER (WHERE NOT regexp_matches(coalesce(language, ''),
                                                  '^[a-zA-Z]{{2}}(-|$)')),
       count(*) FILTER (WHERE licence_uri IS NOT NULL
                        AND NOT regexp_matches(licence_uri, '{AMB_LICENCE}'))
FROM v_resources"""


def amb_sql(selection: Selection, sdg_base: str, area_base: str) -> tuple[str, list[object]]:
    where, params = selection.where("v_resources")
    entries = ", ".join(f"{{'k': {_literal(k)}, 'v': to_json({e})}}" for k, e in _AMB_FIELDS)
    sql = _AMB_SQL.format(
        where=where,
        sdg_concept=_concept(f"{_literal(sdg_base)} || goal", "goal_name"),
        area_concept=_concept(f"{_literal(area_base)} || area", "area_name"),
        entries=entries,
    )
    return sql, params


def write_amb(
    con: duckdb.DuckDBPyConnection,
    selection: Selection,
    root: Path,
    *,
    sdg_base: str,
    area_base: str,
    batch_rows: int = 10_000,
) -> tuple[WrittenFile, list[str]]:
    """amb/resources.jsonl: one AMB JSON-LD document per current resource, keys sorted,
    by record_id; and the gaps AMB cannot express (in words), for the export's warnings."""
    sql, params = amb_sql(selection, sdg_base, area_base)
    path = root / "amb" / "resources.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        reader = con.sql(sql, params=params).to_arrow_reader(batch_rows)
        for batch in reader:
            docs = batch.column(0).to_pylist()
            if docs:
                f.write("\n".join(docs) + "\n")
            rows += len(docs)
    where, params = selection.where("v_resources")
    gaps = query_one(con, _AMB_GAPS_SQL + where, params)
    assert gaps is not None
    untitled, no_language, not_open = gaps
    warnings = []
    if untitled:
        warnings.append(f"amb: {untitled} resources have no title: their documents lack name")
    if no_language:
        warnings.append(
            f"amb: {no_language} resources have no ISO 639-1 language: their "
            "@context has no @language"
        )
    if not_open:
        warnings.append(
            f"amb: {not_open} resources have a licence AMB does not accept (not an "
            "open licence): their documents have no license"
        )
    return _written(root, path, "amb", "v_resources", rows), warnings


# --- Data Package --------------------------------------------------------------------------


def table_schema_field(column: Column) -> dict[str, object]:
    if column.is_list:
        return {
            "name": column.name,
            "type": "array",
            "description": f"{column.comment} (JSON array)".strip(),
        }
    if column.is_nested:  # a struct or map
        return {
            "name": column.name,
            "type": "object",
            "description": f"{column.comment} (JSON object)".strip(),
        }
    base = re.sub(r"\(.*\)$", "", column.data_type).strip()
    if base not in _TABLE_SCHEMA_TYPES:
        raise ExportError(f"no Table Schema type for {column.data_type} ({column.name})")
    return {"name": column.name, "type": _TABLE_SCHEMA_TYPES[base], "description": column.comment}


def iso_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def datapackage(views: list[View], csv_files: list[WrittenFile], meta: ExportMeta) -> dict:
    """A Data Package v2 descriptor over the CSV files (one tabular resource per view)."""
    by_view = {v.name: v for v in views}
    exported = {f.view for f in csv_files}
    resources = []
    for f in csv_files:
        view = by_view[f.view]
        schema: dict[str, object] = {
            "fields": [table_schema_field(c) for c in view.columns],
            "missingValues": [""],
        }
        if f.view in PRIMARY_KEYS:
            schema["primaryKey"] = PRIMARY_KEYS[f.view]
        foreign = [
            {"fields": [column], "reference": {"resource": target, "fields": [target_column]}}
            for column, target, target_column in FOREIGN_KEYS.get(f.view, [])
            if target in exported
        ]
        if foreign:
            schema["foreignKeys"] = foreign
        resources.append(
            {
                "name": f.view,
                "type": "table",
                "title": view.title,
                "description": view.comment,
                "path": f.path,
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": f.bytes,
                "hash": f"sha256:{f.sha256}",
                "dialect": {
                    "header": True,
                    "delimiter": ",",
                    "quoteChar": '"',
                    "doubleQuote": True,
                },
                "schema": schema,
            }
        )
    package: dict[str, object] = {
        "$schema": DATAPACKAGE_PROFILE,
        "name": "oer-pipeline-export",
        "title": meta.title,
        "description": meta.description,
        "created": iso_utc(meta.exported_at),
        "licenses": [
            {"name": meta.licence.spdx, "path": meta.licence.uri, "title": meta.licence.title}
        ],
        "contributors": [{"title": meta.publisher, "roles": ["publisher"]}],
        "keywords": list(meta.keywords),
        "resources": resources,
    }
    if meta.sources:
        package["sources"] = [{"title": s} for s in meta.sources]
    return package


def write_json(root: Path, relative: str, data: object) -> Path:
    """Pretty, sorted, UTF-8 JSON with a final newline (deterministic)."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8", newline="\n")
    return path


def write_datapackage(
    root: Path, views: list[View], csv_files: list[WrittenFile], meta: ExportMeta
) -> WrittenFile:
    path = write_json(root, "datapackage.json", datapackage(views, csv_files, meta))
    return _written(root, path, "datapackage", "", sum(f.rows for f in csv_files))


# --- DCAT-AP 3 -----------------------------------------------------------------------------


def _url(relative: str) -> URIRef:
    """A path of the export as a relative IRI: it resolves against catalog.ttl's location."""
    return URIRef(quote(relative, safe="/="))


def _datetime(moment: datetime) -> Literal:
    return Literal(iso_utc(moment), datatype=XSD.dateTime)


def dcat_graph(views: list[View], files: list[WrittenFile], meta: ExportMeta) -> Graph:
    """A DCAT-AP 3 catalogue: one dcat:Dataset per exported view, one dcat:Distribution per
    file (format, media type, size, SHA-256). IRIs are relative to the catalogue file."""
    g = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("spdx", SPDX),
    ):
        g.bind(prefix, namespace)
    catalogue, publisher, licence = (
        URIRef("#catalogue"),
        URIRef("#publisher"),
        URIRef(meta.licence.uri),
    )
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(meta.publisher)))
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    g.add((licence, DCTERMS.title, Literal(meta.licence.title)))
    g.add((catalogue, RDF.type, DCAT.Catalog))
    g.add((catalogue, DCTERMS.title, Literal(meta.title, lang="en")))
    g.add((catalogue, DCTERMS.description, Literal(meta.description, lang="en")))
    g.add((catalogue, DCTERMS.publisher, publisher))
    g.add((catalogue, DCTERMS.license, licence))
    g.add((catalogue, DCTERMS.language, URIRef(EU_LANGUAGE_ENGLISH)))
    g.add((catalogue, DCTERMS.modified, _datetime(meta.exported_at)))
    if meta.issued is not None:
        g.add((catalogue, DCTERMS.issued, _datetime(meta.issued)))
    for view in views:
        dataset = URIRef(f"#{view.name}")
        g.add((catalogue, DCAT.dataset, dataset))
        g.add((dataset, RDF.type, DCAT.Dataset))
        g.add((dataset, DCTERMS.identifier, Literal(view.name)))
        g.add((dataset, DCTERMS.title, Literal(view.title, lang="en")))
        g.add((dataset, DCTERMS.description, Literal(view.comment, lang="en")))
        g.add((dataset, DCTERMS.publisher, publisher))
        g.add((dataset, DCAT.theme, URIRef(EU_THEME_EDUCATION)))
        for keyword in meta.keywords:
            g.add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
        if meta.issued is not None:
            g.add((dataset, DCTERMS.issued, _datetime(meta.issued)))
        if meta.modified is not None:
            g.add((dataset, DCTERMS.modified, _datetime(meta.modified)))
    for f in files:
        if f.format not in MEDIA_TYPES:
            continue
        distribution = URIRef("#" + quote(f.path, safe="/="))
        media_type, file_type = MEDIA_TYPES[f.format]
        title = f"{f.view} — {FORMAT_NAMES[f.format]}" + (
            f", source {f.source}" if f.source is not None else ""
        )
        g.add((URIRef(f"#{f.view}"), DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(title, lang="en")))
        g.add((distribution, DCAT.accessURL, _url(f.path)))
        g.add((distribution, DCAT.downloadURL, _url(f.path)))
        g.add((distribution, DCTERMS.format, URIRef(EU_FILE_TYPE + file_type)))
        if media_type is not None:
            g.add((distribution, DCAT.mediaType, URIRef(IANA + media_type)))
        if f.format == "amb":
            g.add((distribution, DCTERMS.conformsTo, URIRef(AMB_PROFILE)))
        g.add((distribution, DCAT.byteSize, Literal(f.bytes, datatype=XSD.nonNegativeInteger)))
        g.add((distribution, DCTERMS.license, licence))
        checksum = BNode()
        g.add((distribution, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
    return g


def write_dcat(
    root: Path, views: list[View], files: list[WrittenFile], meta: ExportMeta
) -> WrittenFile:
    path = root / "catalog.ttl"
    path.write_text(dcat_graph(views, files, meta).serialize(format="turtle"), encoding="utf-8")
    return _written(root, path, "dcat", "", len(views))
