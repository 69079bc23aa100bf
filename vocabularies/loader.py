"""Load the SKOS vocabularies of this directory with rdflib, once per process.

`load("hcrt")` parses `vocabularies/hcrt.ttl` into an `rdflib.Graph` (cached: the same
object on every call, so treat it as read-only). `concept_labels(graph)` gives every
skos:Concept with its labels by language, the way lookup tables are built from them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

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
