"""The five areas of action of the 2019 UNESCO Recommendation on OER (`action-areas.ttl`).

`action_areas()` → slug → `ActionArea` (cached; read-only), in the Recommendation's order
(i–v). `ActionArea.keywords` are the concept's skos:altLabels: our per-language keyword
lists, phrases whose presence in a record's metadata is evidence for the area. `matches`
are the UNESCO Thesaurus concepts the area is aligned to (skos:closeMatch and
skos:relatedMatch). The .ttl is small, so it is parsed with rdflib (no JSON cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from vocabularies.loader import load

NAMESPACE = "https://w3id.org/oer-pipeline/action-areas/"
SCHEME = NAMESPACE + "scheme"
SLUGS = (  # in notation order, i–v
    "capacity-building",
    "supportive-policy",
    "inclusive-equitable-quality",
    "sustainability-models",
    "international-cooperation",
)

ByLang = dict[str, tuple[str, ...]]  # language tag ("" if none) → values, sorted


@dataclass(frozen=True)
class ActionArea:
    slug: str
    uri: str
    notation: str  # "i" … "v"
    labels: ByLang  # skos:prefLabel
    definitions: ByLang  # skos:definition
    keywords: ByLang  # skos:altLabel: our keyword lists
    matches: tuple[str, ...]  # UNESCO Thesaurus concept URIs (closeMatch + relatedMatch)


def _by_lang(graph: Graph, subject: URIRef, predicate: URIRef) -> ByLang:
    out: dict[str, list[str]] = {}
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            out.setdefault(value.language or "", []).append(str(value))
    return {lang: tuple(sorted(values)) for lang, values in sorted(out.items())}


def _area(graph: Graph, subject: URIRef) -> ActionArea:
    notations = sorted(str(n) for n in graph.objects(subject, SKOS.notation))
    matches = {
        str(o) for p in (SKOS.closeMatch, SKOS.relatedMatch) for o in graph.objects(subject, p)
    }
    return ActionArea(
        slug=str(subject).removeprefix(NAMESPACE),
        uri=str(subject),
        notation=notations[0] if notations else "",
        labels=_by_lang(graph, subject, SKOS.prefLabel),
        definitions=_by_lang(graph, subject, SKOS.definition),
        keywords=_by_lang(graph, subject, SKOS.altLabel),
        matches=tuple(sorted(matches)),
    )


def areas_from_graph(graph: Graph) -> dict[str, ActionArea]:
    """Slug → ActionArea for every skos:Concept of the graph under NAMESPACE, i–v order."""
    areas = [
        _area(graph, s)
        for s in graph.subjects(RDF.type, SKOS.Concept)
        if isinstance(s, URIRef) and str(s).startswith(NAMESPACE)
    ]
    # roman numerals i, ii, iii, iv, v happen to sort alphabetically in their own order
    return {area.slug: area for area in sorted(areas, key=lambda a: (a.notation, a.slug))}


@cache
def action_areas() -> dict[str, ActionArea]:
    """Slug → ActionArea for the five areas of action-areas.ttl (cached; do not modify)."""
    return areas_from_graph(load("action-areas"))
