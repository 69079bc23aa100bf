"""Evidence phrases for the SDGs, `vocabularies/sdg-evidence/*.ttl` (hand-written, ours).

Each file states `oersdg:keyword` phrases (with a language tag) on UN goal URIs
(`http://metadata.un.org/sdg/3`) and target URIs (`…/3.3`): a phrase that, found in a
record's title, description or keywords, is evidence that the record is about that goal
(or target). `evidence()` → goal number → language → tuple of (phrase, target notation or
None), read once (cached). A target's phrases count for its goal. `oersdg:ecosystemKeyword`
phrases (`ecosystem_evidence()`) count only in a text about the OER ecosystem (an action-area
keyword found too): "open educational resources" names the practice SDG 4 covers, but every
subject OER says it of itself. `oersdg:supportKeyword` phrases (`support_evidence()`) count
only with a second phrase of the same goal.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef

EVIDENCE_DIR = Path(__file__).resolve().parent / "sdg-evidence"
OERSDG = Namespace("https://w3id.org/oer-pipeline/sdg-evidence#")
SDG = "http://metadata.un.org/sdg/"

Phrase = tuple[str, str | None]  # (phrase, target notation such as "3.3", or None)


def read_graph(directory: Path = EVIDENCE_DIR) -> Graph:
    graph = Graph()
    for path in sorted(directory.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def evidence_from_graph(
    graph: Graph, predicate: URIRef = OERSDG.keyword
) -> dict[int, dict[str, tuple[Phrase, ...]]]:
    found: dict[int, dict[str, set[Phrase]]] = {}
    for subject, literal in graph.subject_objects(predicate):
        if not (isinstance(subject, URIRef) and isinstance(literal, Literal)):
            continue
        notation = str(subject).removeprefix(SDG)
        goal = int(notation.split(".", 1)[0])
        target = notation if "." in notation else None
        phrase = " ".join(str(literal).split())
        found.setdefault(goal, {}).setdefault(literal.language or "", set()).add((phrase, target))

    def ordered(phrases: set[Phrase]) -> tuple[Phrase, ...]:
        return tuple(sorted(phrases, key=lambda x: (x[0].casefold(), x[1] or "")))

    return {
        goal: {lang: ordered(phrases) for lang, phrases in sorted(by_lang.items())}
        for goal, by_lang in sorted(found.items())
    }


@cache
def _graph() -> Graph:
    return read_graph()


@cache
def evidence() -> dict[int, dict[str, tuple[Phrase, ...]]]:
    """Goal → language (BCP 47) → (phrase, target or None), sorted; cached."""
    return evidence_from_graph(_graph())


@cache
def support_evidence() -> dict[int, dict[str, tuple[Phrase, ...]]]:
    """The `oersdg:supportKeyword` phrases, as `evidence()`: words of a goal's field that are
    evidence only together with another phrase of the goal ("drug", "medicine", "nutrition")."""
    return evidence_from_graph(_graph(), OERSDG.supportKeyword)


@cache
def ecosystem_evidence() -> dict[int, dict[str, tuple[Phrase, ...]]]:
    """The `oersdg:ecosystemKeyword` phrases, as `evidence()`: evidence for their goal only in a
    text that is about the OER ecosystem, i.e. where an action-area keyword is found too
    ("open educational resources" is SDG 4 in an OER policy, not in a chemistry OER)."""
    return evidence_from_graph(_graph(), OERSDG.ecosystemKeyword)
