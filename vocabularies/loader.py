"""Load the SKOS vocabularies of this directory with rdflib, once per process.

`load("hcrt")` parses `vocabularies/hcrt.ttl` into an `rdflib.Graph` (cached: the same
object on every call, so treat it as read-only). `concept_labels(graph)` gives every
skos:Concept with its labels by language, the way lookup tables are built from them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

VOCAB_DIR = Path(__file__).resolve().parent

Labels = dict[str, dict[str, list[str]]]  # concept URI → language ("" if none) → labels


def path_of(name: str) -> Path:
    """The Turtle file of vocabulary `name` (e.g. "hcrt")."""
    path = VOCAB_DIR / f"{name}.ttl"
    if not path.is_file():
        raise FileNotFoundError(f"no vocabulary {name!r}: {path} does not exist")
    return path


@cache
def load(name: str) -> Graph:
    """The parsed vocabulary `name` (cached; do not modify the returned graph)."""
    graph = Graph()
    graph.parse(path_of(name), format="turtle")
    return graph


def concepts(graph: Graph) -> list[str]:
    """URIs of the graph's skos:Concepts, sorted."""
    return sorted(str(s) for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef))


def _labels(graph: Graph, predicate: URIRef) -> Labels:
    out: Labels = {uri: {} for uri in concepts(graph)}
    for subject, literal in graph.subject_objects(predicate):
        uri = str(subject)
        if uri in out and isinstance(literal, Literal):
            text = str(literal).strip()
            by_lang = out[uri].setdefault(literal.language or "", [])
            if text and text not in by_lang:
                by_lang.append(text)
    for by_lang in out.values():
        for values in by_lang.values():
            values.sort()  # rdflib's triple order is not stable across runs
    return out


@cache
def concept_labels(graph: Graph, alt: bool = False) -> Labels:
    """Concept URI → language → skos:prefLabel values (skos:altLabel with `alt=True`)."""
    return _labels(graph, SKOS.altLabel if alt else SKOS.prefLabel)


def pref_label(graph: Graph, uri: str, lang: str = "en") -> str | None:
    """The concept's prefLabel in `lang`, None when it has none."""
    values = concept_labels(graph).get(uri, {}).get(lang)
    return values[0] if values else None


# ------------------------------------------------------------------ licences (licences.ttl)

OERL = Namespace("https://w3id.org/oer-pipeline/licences#")
_LICENCE_JSON = VOCAB_DIR / "licences.json"
_LICENCE_FLAGS = ("allowsAdaptation", "allowsCommercial", "shareAlike", "requiresAttribution")


@dataclass(frozen=True)
class LicenceConcept:
    """One concept of licences.ttl. Flags are None when the vocabulary does not state them
    (rights statements, access rights)."""

    uri: str
    kind: str  # cc | cc-family | spdx | spdx-family | rights-statement | access-right
    family: str | None
    version: str | None
    port: str | None
    elements: str | None  # the CC URI path segment, e.g. "by-nd-nc" for family "by-nc-nd"
    spdx: str | None
    allows_adaptation: bool | None
    allows_commercial: bool | None
    share_alike: bool | None
    requires_attribution: bool | None
    open_for_adaptation: str  # yes | no | unknown
    copyright_status: str | None  # rights statements: in-copyright | no-copyright | other
    deprecated: bool
    notation: str | None
    broader: str | None  # the cc-family concept of a CC licence
    replaced_by: tuple[str, ...]
    exact_match: tuple[str, ...]  # incl. the http:// form of CC URIs, info:eu-repo terms
    close_match: tuple[str, ...]
    spdx_deprecated: tuple[str, ...]
    labels: dict[str, tuple[str, ...]]  # language ("" if none) → prefLabels
    alt_labels: dict[str, tuple[str, ...]]  # language → altLabels


def licence_records_from_graph(graph: Graph) -> dict[str, dict[str, Any]]:
    """Concept URI → JSON-able record (the fields of LicenceConcept), from a parsed
    licences.ttl. build_licences writes these to licences.json."""

    def one(s: URIRef, p: URIRef) -> Any:
        values = sorted(str(o) if not isinstance(o, Literal) else o.toPython() for o in
                        graph.objects(s, p))  # fmt: skip
        return values[0] if values else None

    def many(s: URIRef, p: URIRef) -> list[str]:
        return sorted(str(o) for o in graph.objects(s, p))

    def by_lang(s: URIRef, p: URIRef) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for o in graph.objects(s, p):
            if isinstance(o, Literal):
                out.setdefault(o.language or "", []).append(str(o))
        return {k: sorted(v) for k, v in sorted(out.items())}

    records: dict[str, dict[str, Any]] = {}
    for uri in concepts(graph):
        s = URIRef(uri)
        flags = {name: one(s, OERL[name]) for name in _LICENCE_FLAGS}
        records[uri] = {
            "uri": uri,
            "kind": str(one(s, OERL.kind)),
            "family": one(s, OERL.family),
            "version": one(s, OERL.version),
            "port": one(s, OERL.port),
            "elements": one(s, OERL.elements),
            "spdx": one(s, OERL.spdx),
            "allows_adaptation": flags["allowsAdaptation"],
            "allows_commercial": flags["allowsCommercial"],
            "share_alike": flags["shareAlike"],
            "requires_attribution": flags["requiresAttribution"],
            "open_for_adaptation": one(s, OERL.openForAdaptation) or "unknown",
            "copyright_status": one(s, OERL.copyrightStatus),
            "deprecated": bool(one(s, OWL.deprecated)),
            "notation": one(s, SKOS.notation),
            "broader": one(s, SKOS.broader),
            "replaced_by": many(s, DCTERMS.isReplacedBy),
            "exact_match": many(s, SKOS.exactMatch),
            "close_match": many(s, SKOS.closeMatch),
            "spdx_deprecated": many(s, OERL.spdxDeprecated),
            "labels": by_lang(s, SKOS.prefLabel),
            "alt_labels": by_lang(s, SKOS.altLabel),
        }
    return records


def _licence_concept(record: dict[str, Any]) -> LicenceConcept:
    fields = dict(record)
    for name in ("replaced_by", "exact_match", "close_match", "spdx_deprecated"):
        fields[name] = tuple(fields[name])
    for name in ("labels", "alt_labels"):
        fields[name] = {lang: tuple(v) for lang, v in fields[name].items()}
    return LicenceConcept(**fields)


def write_licence_cache(
    ttl_text: str, graph: Graph, path: Path = _LICENCE_JSON
) -> dict[str, dict[str, Any]]:
    """Write the JSON cache of a parsed licences.ttl: its records and the .ttl's SHA-256.

    Generated, not tracked (.gitignore): build_licences writes it after a build, and
    `licences()` on the first load of a .ttl it does not match. Written to a temporary file
    and renamed, so a reader never sees half a cache. Returns the records."""
    records = licence_records_from_graph(graph)
    cache_data = {
        "ttl_sha256": hashlib.sha256(ttl_text.encode("utf-8")).hexdigest(),
        "concepts": records,
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(
        json.dumps(cache_data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    tmp.replace(path)
    return records


@cache
def licences() -> dict[str, LicenceConcept]:
    """Concept URI → LicenceConcept for every concept of licences.ttl (cached; read-only).

    Reads the JSON cache next to the .ttl when it was built from this very .ttl (SHA-256
    check, ~100 ms); otherwise parses the .ttl with rdflib (~2.5 s) and writes the cache."""
    ttl = path_of("licences")
    text = ttl.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if _LICENCE_JSON.is_file():
        cached = json.loads(_LICENCE_JSON.read_text(encoding="utf-8"))
        if cached.get("ttl_sha256") == digest:
            return {uri: _licence_concept(rec) for uri, rec in cached["concepts"].items()}
    graph = Graph().parse(data=text, format="turtle")
    try:
        records = write_licence_cache(text, graph)
    except OSError:  # a read-only install: the cache only saves start-up time
        records = licence_records_from_graph(graph)
    return {uri: _licence_concept(rec) for uri, rec in records.items()}


def licences_by_match() -> dict[str, str]:
    """Every concept URI and skos:exactMatch (http:// CC forms, https variants, info:eu-repo
    terms) → the concept URI; the first lookup of a licence or access-rights URI."""
    return _licences_by_match()


@cache
def _licences_by_match() -> dict[str, str]:
    out: dict[str, str] = {}
    for uri, concept in sorted(licences().items()):
        out.setdefault(uri, uri)
        for match in concept.exact_match:
            out.setdefault(match, uri)
    return out


def licence_by_spdx() -> dict[str, str]:
    """SPDX id (current and deprecated ids, as SPDX spells them) → concept URI."""
    out: dict[str, str] = {}
    for uri, concept in sorted(licences().items()):
        for lid in (concept.spdx, *concept.spdx_deprecated):
            if lid:
                out.setdefault(lid, uri)
    return out
