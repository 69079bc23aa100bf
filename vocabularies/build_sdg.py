"""Generate `vocabularies/sdg.ttl`, the 17 SDGs and their 169 targets, from the shared sources.

Run `python -m vocabularies.build_sdg` from the repository root. Sources are read from
`$OER_VOCAB_SOURCES` (default `../shared/vocab-sources` relative to the repository root):

- `un-sdg-kos/unstats-sdg-kos-goals-targets-indicators.ttl`: the UN SDG KOS. Concept URIs,
  notations, hierarchy and skos:exactMatch (SDGIO, Wikidata) come from here; its en/es/fr
  texts only cross-check the open-sdg ones (they carry a few glitches: stray labels on 12.3,
  a footnote mark in 14.6, a garbled fr 17.13).
- `open-sdg-sdg-translations/<lang>/global_{goals,targets}.yml`: every label and definition,
  in all 26 languages (the six UN languages among them). Flat YAML, read by
  `read_flat_yaml` (PyYAML may not be imported here).
- `un-sdg-kos/sdg-kos-en-es-fr-de.ttl`: German texts for any goal or target open-sdg's `de`
  lacks (none at the pinned commit; it is cross-checked all the same).
- `unesco-thesaurus/unesco-thesaurus.ttl`: the UNESCO Thesaurus (CC BY-SA 3.0 IGO), read only
  to resolve the hand-written `THESAURUS_ALIGNMENTS` (English prefLabels) to concept URIs,
  written as skos:closeMatch / skos:relatedMatch; none of its text is copied (~2 s to parse).

Goals: skos:prefLabel = the short name ("Quality education"), skos:definition and
skos:altLabel = the full title. Targets: skos:prefLabel = the target's text, which is also its
definition (written once; the loader gives it as both).
The output is deterministic (sorted, no timestamps): regenerating gives identical bytes.
"""

from __future__ import annotations

import difflib
import re
import string
import sys
import textwrap
import time
import unicodedata
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from vocabularies.build_licences import sources_dir, turtle_literal
from vocabularies.sdg import notation_key

REPO_ROOT = Path(__file__).resolve().parent.parent
VOCAB_DIR = REPO_ROOT / "vocabularies"
TTL_PATH = VOCAB_DIR / "sdg.ttl"

SDG = "http://metadata.un.org/sdg/"
SCHEME = "http://metadata.un.org/sdg"
SDGO = "http://metadata.un.org/sdg/ontology#"

UN_KOS = Path("un-sdg-kos") / "unstats-sdg-kos-goals-targets-indicators.ttl"
GERMAN_KOS = Path("un-sdg-kos") / "sdg-kos-en-es-fr-de.ttl"
TRANSLATIONS = Path("open-sdg-sdg-translations")
YAML_FILES = ("global_goals.yml", "global_targets.yml")
THESAURUS_FILE = Path("unesco-thesaurus") / "unesco-thesaurus.ttl"
UNT = "http://vocabularies.unesco.org/thesaurus/"
THESAURUS_SCHEME = "http://vocabularies.unesco.org/thesaurus"
THESAURUS_CONCEPT = re.compile(re.escape(UNT) + r"concept\d+")  # not its domain / mt groups

REQUIRED_LANGUAGES = ("ar", "de", "en", "es", "fr", "ru", "zh-Hans")  # UN languages + German
LANGUAGE_TAGS = {"nb_NO": "nb"}  # open-sdg directory → BCP 47 tag, where they differ

# ------------------------------------------------------------------ UNESCO Thesaurus alignments

# Goal or target notation → [(relation, the UNESCO Thesaurus concept's English prefLabel)],
# hand-chosen (oer-pipeline). The build resolves each label, exactly, to the one skos:Concept
# `unt:conceptN` that has it as English prefLabel, and stops if a label matches none or
# several; only the URIs are written to sdg.ttl (the thesaurus is CC BY-SA 3.0 IGO: we copy
# none of its text). CLOSE (skos:closeMatch): the concept is the goal's or target's topic
# itself ("Poverty" for "End poverty…"); RELATED (skos:relatedMatch): a part, an aspect or a
# neighbouring topic. Every goal has at least one; targets only where a concept plainly fits.
CLOSE, RELATED = "closeMatch", "relatedMatch"
# fmt: off
THESAURUS_ALIGNMENTS: dict[str, list[tuple[str, str]]] = {
    "1": [(CLOSE, "Poverty"), (RELATED, "Poverty alleviation")],
    "1.1": [(RELATED, "Poverty alleviation")],
    "1.2": [(RELATED, "Poverty alleviation")],
    "1.3": [(RELATED, "Social welfare")],  # social protection systems
    "1.5": [(RELATED, "Disaster risk reduction")],
    "2": [(CLOSE, "Hunger"), (RELATED, "Food security"), (RELATED, "Nutrition"),
          (RELATED, "Food production"), (RELATED, "Agriculture")],
    "2.1": [(RELATED, "Food security")],
    "2.2": [(CLOSE, "Malnutrition")],
    "2.3": [(RELATED, "Agricultural production")],
    "2.4": [(RELATED, "Food production")],
    "2.a": [(RELATED, "Agricultural research"), (RELATED, "Rural extension")],
    "2.b": [(RELATED, "Agricultural markets")],
    "3": [(CLOSE, "Health"), (RELATED, "Well-being"), (RELATED, "Health services"),
          (RELATED, "Health policy")],  # the thesaurus' concept for public health
    "3.1": [(RELATED, "Maternal and child health")],
    "3.2": [(CLOSE, "Child mortality")],
    "3.3": [(RELATED, "AIDS"), (RELATED, "Malaria"), (RELATED, "Infectious diseases")],
    "3.5": [(RELATED, "Drug abuse"), (RELATED, "Alcoholism")],
    "3.6": [(RELATED, "Transport safety")],  # road traffic accidents
    "3.7": [(RELATED, "Family planning")],
    "3.8": [(RELATED, "Health services")],  # universal health coverage
    "3.9": [(RELATED, "Pollution")],
    "4": [(CLOSE, "Educational quality"), (RELATED, "Access to education"),
          (RELATED, "Right to education"), (RELATED, "Inclusive education"),
          (RELATED, "Lifelong learning"), (RELATED, "Education for sustainable development")],
    "4.1": [(RELATED, "Primary education"), (RELATED, "Secondary education")],
    "4.2": [(CLOSE, "Early childhood education"), (RELATED, "Access to education")],
    "4.3": [(RELATED, "Access to education"), (RELATED, "Vocational education"),
            (RELATED, "Technical education"), (RELATED, "Higher education")],
    "4.5": [(RELATED, "Access to education")],
    "4.6": [(RELATED, "Literacy"), (RELATED, "Numeracy")],
    "4.7": [(RELATED, "Education for sustainable development"),
            (RELATED, "Global citizenship education")],
    "4.a": [(RELATED, "Educational facilities")],
    "4.b": [(CLOSE, "Scholarships")],
    "4.c": [(RELATED, "Teacher education")],
    "5": [(CLOSE, "Gender equality"), (RELATED, "Empowerment"), (RELATED, "Womens rights")],
    "5.1": [(CLOSE, "Gender discrimination")],
    "5.2": [(CLOSE, "Gender-based violence")],
    "5.3": [(RELATED, "Child marriage"), (RELATED, "Excision")],  # … female genital mutilation
    "5.5": [(RELATED, "Womens participation")],
    "5.6": [(RELATED, "Reproductive rights")],
    "6": [(RELATED, "Water supply"), (RELATED, "Sanitation"), (RELATED, "Water resources"),
          (RELATED, "Water resources management")],
    "6.1": [(RELATED, "Water supply")],  # drinking water
    "6.2": [(RELATED, "Sanitation"), (RELATED, "Hygiene")],
    "6.3": [(CLOSE, "Water quality"), (RELATED, "Water pollution")],
    "6.4": [(RELATED, "Water consumption"), (RELATED, "Water security")],
    "6.5": [(CLOSE, "Water resources management")],
    "6.6": [(RELATED, "Aquatic ecosystems"), (RELATED, "Wetlands")],
    "7": [(RELATED, "Energy resources"), (RELATED, "Renewable energy sources"),
          (RELATED, "Energy supply")],
    "7.1": [(RELATED, "Energy supply")],
    "7.2": [(RELATED, "Renewable energy sources")],
    "7.3": [(RELATED, "Energy conservation")],  # energy efficiency
    "8": [(RELATED, "Economic growth"), (RELATED, "Employment"), (RELATED, "Labour market"),
          (RELATED, "Working conditions")],  # decent work
    "8.1": [(CLOSE, "Economic growth")],
    "8.3": [(RELATED, "Employment creation")],
    "8.5": [(RELATED, "Employment")],
    "8.6": [(RELATED, "Youth unemployment")],
    "8.7": [(RELATED, "Forced labour"), (RELATED, "Child labour"),
            (RELATED, "Human trafficking")],
    "8.8": [(RELATED, "Working conditions"), (RELATED, "Occupational safety")],
    "8.9": [(RELATED, "Ecotourism")],  # sustainable tourism
    "8.b": [(RELATED, "Youth employment")],
    "9": [(RELATED, "Industrialization"), (RELATED, "Innovation"),
          (RELATED, "Transport infrastructure")],  # the only infrastructure concept
    "9.1": [(RELATED, "Transport infrastructure")],
    "9.2": [(CLOSE, "Industrialization")],
    "9.5": [(RELATED, "Research and development")],
    "9.c": [(RELATED, "Information technology"), (RELATED, "Internet")],
    "10": [(RELATED, "Social inequality"), (RELATED, "Equal opportunity"),
           (RELATED, "Income distribution")],
    "10.1": [(RELATED, "Income distribution")],
    "10.3": [(RELATED, "Equal opportunity"), (RELATED, "Discrimination")],
    "10.7": [(RELATED, "Migration"), (RELATED, "Migration policy")],
    "10.b": [(RELATED, "Development aid")],
    "11": [(RELATED, "Urban development"), (RELATED, "Human settlements"),
           (RELATED, "Urban areas"), (RELATED, "Inclusive cities")],
    "11.1": [(RELATED, "Housing"), (RELATED, "Slums")],
    "11.2": [(RELATED, "Urban transport")],
    "11.3": [(RELATED, "Urbanization"), (RELATED, "Urban planning")],
    "11.4": [(RELATED, "Cultural heritage"), (RELATED, "Natural heritage")],
    "11.5": [(RELATED, "Disaster risk reduction")],
    "11.6": [(RELATED, "Urban environment"), (RELATED, "Air pollution")],
    "11.7": [(RELATED, "Urban spaces")],
    "11.b": [(RELATED, "Disaster risk reduction")],
    "12": [(RELATED, "Consumption"), (RELATED, "Production"),
           (RELATED, "Resources management")],
    "12.2": [(RELATED, "Resources management")],  # natural resources management
    "12.4": [(RELATED, "Chemicals"), (RELATED, "Wastes")],
    "12.5": [(RELATED, "Wastes")],
    "12.8": [(RELATED, "Environmental awareness")],
    "12.b": [(RELATED, "Ecotourism")],
    "13": [(CLOSE, "Climate change"), (RELATED, "Climate change adaptation")],
    "13.1": [(CLOSE, "Climate change adaptation")],
    "13.3": [(RELATED, "Climate change adaptation"), (RELATED, "Environmental education")],
    "14": [(RELATED, "Oceans"), (RELATED, "Seas"), (RELATED, "Marine resources"),
           (RELATED, "Marine ecosystems"), (RELATED, "Fishery resources")],
    "14.1": [(CLOSE, "Marine pollution")],
    "14.2": [(RELATED, "Marine ecosystems"), (RELATED, "Coastal zones")],
    "14.4": [(RELATED, "Fisheries"), (RELATED, "Fishery resources")],
    "14.7": [(RELATED, "Marine resources")],
    "14.a": [(RELATED, "Oceanography"), (RELATED, "Technology transfer")],
    "14.c": [(RELATED, "Law of the sea")],
    "15": [(RELATED, "Terrestrial ecosystems"), (RELATED, "Forests"),
           (RELATED, "Desertification"), (RELATED, "Biodiversity"),
           (RELATED, "Soil degradation")],  # land degradation
    "15.1": [(RELATED, "Terrestrial ecosystems")],
    "15.2": [(RELATED, "Forest management"), (RELATED, "Deforestation")],
    "15.3": [(RELATED, "Desertification"), (RELATED, "Soil degradation")],
    "15.4": [(RELATED, "Mountains")],
    "15.5": [(RELATED, "Biodiversity"), (RELATED, "Endangered species")],
    "15.7": [(RELATED, "Wildlife conservation")],  # poaching, trafficking of species
    "15.8": [(CLOSE, "Invasive species")],
    "15.c": [(RELATED, "Wildlife conservation")],
    "16": [(RELATED, "Peace"), (RELATED, "Justice"), (RELATED, "Corruption"),
           (RELATED, "Violence"), (RELATED, "Governance"), (RELATED, "Institution building")],
    "16.1": [(RELATED, "Violence")],
    "16.2": [(RELATED, "Child abuse"), (RELATED, "Human trafficking"), (RELATED, "Torture")],
    "16.3": [(RELATED, "Rule of law"), (RELATED, "Right to justice")],
    "16.4": [(RELATED, "Crime")],  # organized crime, illicit financial and arms flows
    "16.5": [(CLOSE, "Corruption")],
    "16.6": [(RELATED, "Institution building")],
    "16.10": [(RELATED, "Access to information"), (RELATED, "Right to information")],
    "17": [(RELATED, "International cooperation"), (RELATED, "Development aid")],
    "17.1": [(RELATED, "Taxation")],
    "17.2": [(RELATED, "Development aid")],  # official development assistance
    "17.4": [(RELATED, "External debt"), (RELATED, "Debt relief")],
    "17.6": [(RELATED, "Scientific cooperation"), (RELATED, "South South relations")],
    "17.7": [(RELATED, "Technology transfer")],
    "17.9": [(RELATED, "Capacity building")],
    "17.10": [(RELATED, "International trade")],
    "17.17": [(RELATED, "Public private partnerships")],
    "17.18": [(RELATED, "Statistical data")],
}
# fmt: on


# ------------------------------------------------------------------ flat YAML


YAML_KEY = re.compile(r"([^\s#'\"][^:]*):(?: +(.*))?")
YAML_UNSUPPORTED = tuple("|>[{&*!%@`")  # block scalars, flow collections, anchors, tags
YAML_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
YAML_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def read_flat_yaml(text: str) -> dict[str, str]:
    """The `key: value` map of a flat YAML file such as open-sdg's translations.

    Understands exactly their shape: one key per line at column 0, a plain, 'single-' or
    "double-quoted" string value continued on indented lines (folded as YAML folds them: one
    line break → a space, each empty line → a line break), full-line comments. Anything else
    (nesting, block scalars, flow collections, anchors, duplicate keys) raises ValueError."""
    entries: list[tuple[str, list[str]]] = []
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip() or line[0] in " \t":
            if entries:
                entries[-1][1].append(line)
            elif line.strip():
                raise ValueError(f"line {number}: indented line before the first key")
            continue
        if line.startswith("#") or line == "---":
            continue
        match = YAML_KEY.fullmatch(line)
        if not match:
            raise ValueError(f"line {number}: not a `key: value` line: {line[:60]!r}")
        entries.append((match[1], [match[2] or ""]))
    out: dict[str, str] = {}
    for key, lines in entries:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        try:
            out[key] = yaml_scalar("\n".join(lines))
        except ValueError as err:
            raise ValueError(f"{key}: {err}") from None
    return out


def yaml_scalar(raw: str) -> str:
    """The string value of one entry: the text after `key: ` and its continuation lines."""
    raw = raw.strip(" \t\n")
    if raw[:1] in ("'", '"'):
        value, rest = quoted_scalar(raw)
        if rest.strip():
            raise ValueError(f"text after the closing quote: {rest.strip()[:30]!r}")
        return value
    if raw.startswith(YAML_UNSUPPORTED) or raw.startswith("- "):
        raise ValueError(f"unsupported YAML value: {raw[:30]!r}")
    if " #" in raw or "\t#" in raw or ": " in raw:
        raise ValueError("comment or `: ` inside a plain scalar")
    return fold_lines([line.strip(" \t") for line in raw.split("\n")])


def fold_lines(lines: list[str]) -> str:
    """YAML line folding of lines already stripped: a line break between two lines → a
    space; n empty lines between them → n line breaks."""
    out, empty = lines[0], 0
    for line in lines[1:]:
        if not line:
            empty += 1
            continue
        out += "\n" * empty if empty else " "
        out += line
        empty = 0
    return out


def quoted_scalar(raw: str) -> tuple[str, str]:
    """(value, text after the closing quote) of a quoted scalar; `raw[0]` is the quote.

    Line breaks fold as in plain scalars; the whitespace around a line break goes, except
    what escapes produced. Double quotes: backslash escapes, a backslash before a line break
    joins the lines without a space. Single quotes: `''` is a quote."""
    quote, out, kept, i = raw[0], [], 0, 1  # out[:kept] is never trimmed (escaped text)
    while i < len(raw):
        char = raw[i]
        if char == quote and quote == "'" and raw[i + 1 : i + 2] == "'":
            out.append("'")
            i, kept = i + 2, len(out)
        elif char == quote:
            return "".join(out), raw[i + 1 :]
        elif char == "\\" and quote == '"' and raw[i + 1 : i + 2] == "\n":
            i, kept = skip_blanks(raw, i + 2), len(out)
        elif char == "\\" and quote == '"':
            text, i = yaml_escape(raw, i)
            out.append(text)
            kept = len(out)
        elif char == "\n":
            while len(out) > kept and out[-1] in " \t":
                out.pop()
            breaks, i = 0, skip_blanks(raw, i + 1)
            while raw[i : i + 1] == "\n":
                breaks, i = breaks + 1, skip_blanks(raw, i + 1)
            out.append("\n" * breaks or " ")
        else:
            out.append(char)
            i += 1
    raise ValueError("no closing quote")


def skip_blanks(text: str, i: int) -> int:
    while text[i : i + 1] in (" ", "\t"):
        i += 1
    return i


def yaml_escape(raw: str, i: int) -> tuple[str, int]:
    """(the character, index after it) of the double-quoted escape at `raw[i]` == "\\"."""
    code = raw[i + 1 : i + 2]
    if code in YAML_HEX_ESCAPES:
        digits = raw[i + 2 : i + 2 + YAML_HEX_ESCAPES[code]]
        if len(digits) != YAML_HEX_ESCAPES[code] or not set(digits) <= set(string.hexdigits):
            raise ValueError(f"bad escape \\{code}{digits}")
        return chr(int(digits, 16)), i + 2 + len(digits)
    if code in YAML_ESCAPES:
        return YAML_ESCAPES[code], i + 2
    raise ValueError(f"unknown escape \\{code}")


# ------------------------------------------------------------------ sources


@dataclass
class Concept:
    notation: str  # "4", "4.7", "4.a"
    kind: str  # goal | target
    exact_match: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)  # language → text
    definitions: dict[str, str] = field(default_factory=dict)
    alt_labels: dict[str, str] = field(default_factory=dict)
    matches: dict[str, set[str]] = field(default_factory=dict)  # CLOSE | RELATED → thesaurus URIs

    @property
    def uri(self) -> str:
        return SDG + self.notation

    @property
    def goal(self) -> str:
        return self.notation.split(".")[0]


def clean_text(text: str) -> str:
    """A label as we store it: NFC; C1 control characters read as the Windows-1252
    punctuation they were meant to be (de 14.c has \\x84…\\x93 for „…“); soft hyphens
    dropped (ca, from PDF copies); U+2010/U+2011 hyphens → "-"; whitespace squeezed."""
    text = re.sub("[\x80-\x9f]", lambda m: bytes([ord(m[0])]).decode("cp1252", "ignore"), text)
    text = text.replace("\xad", "").replace("\u2010", "-").replace("\u2011", "-")
    return " ".join(unicodedata.normalize("NFC", text).split())


UnTexts = dict[tuple[str, str], list[str]]  # (language, "short" | "title") → texts
Gap = tuple[str, str, str]  # (notation, language, "short" | "title"): no such text


def read_un_kos(src: Path, notes: list[str]) -> dict[str, tuple[Concept, UnTexts]]:
    """Notation → (concept with kind and exactMatch, the KOS's own texts for cross-checks:
    prefLabels as "title", the goals' English altLabels, their short names, as "short")."""
    graph = Graph().parse(src / UN_KOS, format="turtle")
    out: dict[str, tuple[Concept, UnTexts]] = {}
    for kind, cls in (("goal", "Goal"), ("target", "Target")):
        for subject in graph.subjects(RDF.type, URIRef(SDGO + cls)):
            concept = Concept(str(subject).removeprefix(SDG), kind)
            concept.exact_match = {str(o) for o in graph.objects(subject, SKOS.exactMatch)}
            texts: UnTexts = {}
            for prop, role in ((SKOS.prefLabel, "title"), (SKOS.altLabel, "short")):
                for label in graph.objects(subject, prop):
                    if isinstance(label, Literal) and label.language:
                        texts.setdefault((label.language, role), []).append(clean_text(label))
            broader = {str(o).removeprefix(SDG) for o in graph.objects(subject, SKOS.broader)}
            if kind == "target" and broader != {concept.goal}:
                notes.append(f"UN KOS {concept.notation}: skos:broader {sorted(broader)}")
            out[concept.notation] = (concept, texts)
    fix_sdgio_of_tenth_targets(out, notes)
    return out


def fix_sdgio_of_tenth_targets(
    concepts: dict[str, tuple[Concept, UnTexts]], notes: list[str]
) -> None:
    """The UN KOS gives targets 8.1, 16.1 and 17.1 two SDGIO matches and 8.10, 16.10, 17.10
    none (their notation read as a number): the second, higher id is the x.10 one (SDGIO
    numbers the targets in order: 16.9 = 218, 16.10 = 219, 16.a = 220)."""
    for notation in sorted(concepts, key=notation_key):
        if not notation.endswith(".1") or notation + "0" not in concepts:
            continue
        concept, tenth = concepts[notation][0], concepts[notation + "0"][0]
        sdgio = sorted(m for m in concept.exact_match if "/SDGIO_" in m)
        if len(sdgio) == 2 and not tenth.exact_match:
            concept.exact_match.discard(sdgio[1])
            tenth.exact_match.add(sdgio[1])
            notes.append(f"UN KOS {notation}: 2nd SDGIO match {sdgio[1]} moved to {notation}0")


def language_tag(directory: str) -> str:
    return LANGUAGE_TAGS.get(directory, directory.replace("_", "-"))


def read_translations(src: Path) -> dict[str, dict[str, str]]:
    """Language tag → open-sdg key (`4-short`, `4-title`, `4-7-title`) → cleaned text."""
    out: dict[str, dict[str, str]] = {}
    for folder in sorted(p for p in (src / TRANSLATIONS).iterdir() if p.is_dir()):
        texts: dict[str, str] = {}
        for name in YAML_FILES:
            path = folder / name
            if path.is_file():
                texts.update(read_flat_yaml(path.read_text(encoding="utf-8")))
        out[language_tag(folder.name)] = {k: clean_text(v) for k, v in texts.items() if v.strip()}
    return out


def read_german_kos(src: Path) -> dict[str, dict[str, str]]:
    """Notation → {"short" | "title": German text} from the en-es-fr-de copy of the KOS
    (goals: prefLabel = short name, altLabel = title; targets: prefLabel = text)."""
    graph = Graph().parse(src / GERMAN_KOS, format="turtle")
    out: dict[str, dict[str, str]] = {}
    for subject in set(graph.subjects(RDF.type, SKOS.Concept)):
        notation = str(subject).removeprefix(SDG)
        if notation.isdigit():
            props = {"short": SKOS.prefLabel, "title": SKOS.altLabel}
        else:
            props = {"title": SKOS.prefLabel}
        for role, prop in props.items():
            texts = sorted(
                clean_text(label)
                for label in graph.objects(subject, prop)
                if isinstance(label, Literal) and label.language == "de"
            )
            if texts:
                out.setdefault(notation, {})[role] = texts[0]
    return out


def yaml_key(notation: str, role: str) -> str:
    """open-sdg's key: goal `4` → `4-short` / `4-title`; target `4.7` → `4-7-title`."""
    return f"{notation.replace('.', '-')}-{role}"


# ------------------------------------------------------------------ assembly


def assemble(src: Path, notes: list[str], gaps: list[Gap]) -> list[Concept]:
    un = read_un_kos(src, notes)
    translations = read_translations(src)
    german = read_german_kos(src)
    known = {yaml_key(n, r) for n, (c, _) in un.items() for r in roles(c)}
    for lang, texts in sorted(translations.items()):
        if extra := sorted(set(texts) - known):
            notes.append(f"open-sdg {lang}: keys with no UN KOS concept: {extra[:5]}")
    languages = sorted({*translations, *REQUIRED_LANGUAGES})
    concepts = []
    for notation in sorted(un, key=notation_key):
        concept, un_texts = un[notation]
        for lang in languages:
            for role in roles(concept):
                text = translations.get(lang, {}).get(yaml_key(notation, role))
                if text is None and lang == "de" and role in german.get(notation, {}):
                    text = german[notation][role]
                    notes.append(f"{notation}@de {role}: from {GERMAN_KOS.name}")
                if text:
                    set_text(concept, role, lang, text)
                else:
                    gaps.append((notation, lang, role))
        cross_check(concept, un_texts, german.get(notation, {}), notes)
        concepts.append(concept)
    return concepts


def roles(concept: Concept) -> tuple[str, ...]:
    return ("short", "title") if concept.kind == "goal" else ("title",)


def set_text(concept: Concept, role: str, lang: str, text: str) -> None:
    if concept.kind == "goal" and role == "short":
        concept.labels[lang] = text
    elif concept.kind == "goal":
        concept.definitions[lang] = concept.alt_labels[lang] = text
    else:
        concept.labels[lang] = concept.definitions[lang] = text


def cross_check(
    concept: Concept, un_texts: UnTexts, german: dict[str, str], notes: list[str]
) -> None:
    """Note where the UN KOS or the German KOS copy says something other than open-sdg."""
    checks = [("UN KOS", lang, role, texts) for (lang, role), texts in sorted(un_texts.items())]
    checks += [("de KOS", "de", role, [text]) for role, text in sorted(german.items())]
    for source, lang, role, texts in checks:
        ours = (concept.labels if role == "short" else concept.definitions).get(lang)
        if ours is None or texts == [ours]:
            continue
        closest = ours if ours in texts else max(texts, key=partial(similarity, ours))
        parts = [first_difference(closest, ours)] if closest != ours else []
        if stray := [t for t in texts if t != closest]:
            parts.append(f"stray prefLabel(s) {stray}")
        notes.append(f"{source} {concept.notation}@{lang}: {'; '.join(parts)}")


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def first_difference(theirs: str, ours: str) -> str:
    """`"…theirs…" vs open-sdg "…ours…"` around the first differing stretch."""
    matcher = difflib.SequenceMatcher(None, theirs, ours, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            a = theirs[max(0, i1 - 12) : i2 + 12]
            b = ours[max(0, j1 - 12) : j2 + 12]
            return f'"…{a}…" vs open-sdg "…{b}…"'
    return "same text"


# ------------------------------------------------------------------ thesaurus alignments


class AlignmentError(ValueError):
    """THESAURUS_ALIGNMENTS does not resolve against the thesaurus file (the build stops)."""


@dataclass
class Thesaurus:
    labels: dict[str, list[str]]  # English prefLabel → URIs of the skos:Concepts that have it
    modified: str  # the scheme's dct:modified date, "2024-03-25"


def read_thesaurus(src: Path) -> Thesaurus:
    path = src / THESAURUS_FILE
    if not path.is_file():
        raise AlignmentError(f"UNESCO Thesaurus not found at {path}: it is needed to resolve "
                             "THESAURUS_ALIGNMENTS")  # fmt: skip
    return thesaurus_of(Graph().parse(path, format="turtle"))


def thesaurus_of(graph: Graph) -> Thesaurus:
    """The label index of a thesaurus graph: only `unt:conceptN` skos:Concepts count (its
    domains and microthesauri, `unt:domain…` / `unt:mt…` skos:Collections, never)."""
    labels: dict[str, set[str]] = {}
    for subject in graph.subjects(RDF.type, SKOS.Concept):
        if not THESAURUS_CONCEPT.fullmatch(str(subject)):
            continue
        for label in graph.objects(subject, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language == "en":
                labels.setdefault(str(label), set()).add(str(subject))
    modified = graph.value(URIRef(THESAURUS_SCHEME), DCTERMS.modified)
    return Thesaurus(
        labels={label: sorted(uris) for label, uris in labels.items()},
        modified=str(modified)[:10] if modified is not None else "unknown",
    )


def resolve_alignments(
    table: dict[str, list[tuple[str, str]]], thesaurus: Thesaurus, notations: set[str]
) -> dict[str, dict[str, set[str]]]:
    """Notation → CLOSE | RELATED → concept URIs, each label matched exactly to the English
    prefLabel of one thesaurus concept. Raises AlignmentError naming every entry that is
    not found, ambiguous, for an unknown notation, of an unknown relation or a duplicate."""
    problems: list[str] = []
    out: dict[str, dict[str, set[str]]] = {}
    for notation, pairs in table.items():
        if notation not in notations:
            problems.append(f"{notation}: no such SDG goal or target")
        seen: set[str] = set()
        for relation, label in pairs:
            uris = thesaurus.labels.get(label, [])
            where = f"{notation} {label!r}"
            if relation not in (CLOSE, RELATED):
                problems.append(f"{where}: relation {relation!r} is neither {CLOSE} nor {RELATED}")
            elif not uris:
                near = difflib.get_close_matches(label, thesaurus.labels, n=3, cutoff=0.75)
                hint = f" (close: {', '.join(map(repr, near))})" if near else ""
                problems.append(f"{where}: no thesaurus concept has this English prefLabel{hint}")
            elif len(uris) > 1:
                problems.append(f"{where}: ambiguous, the English prefLabel of {', '.join(uris)}")
            elif uris[0] in seen:
                problems.append(f"{where}: {uris[0]} is listed twice for {notation}")
            else:
                seen.add(uris[0])
                out.setdefault(notation, {}).setdefault(relation, set()).add(uris[0])
    if problems:
        raise AlignmentError(
            "THESAURUS_ALIGNMENTS in vocabularies/build_sdg.py does not resolve against "
            f"{THESAURUS_FILE}:\n  " + "\n  ".join(problems)
        )
    return out


# ------------------------------------------------------------------ output

PREFIXES = {
    "sdg": SDG,
    "sdgo": SDGO,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "unt": UNT,
}


HEADER_SOURCES = [
    "# The UN Sustainable Development Goals (17) and their targets (169), SKOS — GENERATED by",
    "#   python -m vocabularies.build_sdg   (do not edit by hand; edit the script)",
    "# from the files in $OER_VOCAB_SOURCES (../shared/vocab-sources, see its MANIFEST.md):",
    "#   un-sdg-kos/unstats-sdg-kos-goals-targets-indicators.ttl",
    "#       the UN SDG KOS, UNStats/LOD4Stats @0ae578bacb1f4339596f5a6a19338457e4b22ba3",
    "#       (file last changed in 8a67ce65); no licence file in the repository (unverified;",
    "#       UN Statistics Division, published at http://metadata.un.org/sdg): concept URIs,",
    "#       notations, skos:broader/narrower, skos:exactMatch (SDGIO, Wikidata); its en/es/fr",
    "#       texts are used only to cross-check the open-sdg ones (differences below).",
    "#   open-sdg-sdg-translations/<lang>/global_goals.yml, global_targets.yml (26 languages)",
    "#       open-sdg/sdg-translations @0cda585851a5c6f04040a9a2755fbb4496c4eead (MIT); the",
    "#       wording is the UN's (A/RES/70/1, A/RES/71/313): every label and definition.",
    "#   un-sdg-kos/sdg-kos-en-es-fr-de.ttl",
    "#       aparschalk/skohub-docker-vocabs @6d90da825e2f9adf56edfacd41765f039ba4e131",
    "#       (repository Apache-2.0; data derived from the UN SDG KOS): German texts where",
    "#       open-sdg's de lacks one (a fallback; cross-checked against open-sdg).",
    "#   unesco-thesaurus/unesco-thesaurus.ttl",
    "#       the UNESCO Thesaurus (http://vocabularies.unesco.org/thesaurus), © UNESCO, CC BY-SA",
    "#       3.0 IGO, kos-kit/unesco-thesaurus-explorer @4df293ac50ecc132c480c0975a138ea18851e8a4",
    "#       (thesaurus dct:modified {modified}): only its concept URIs are referenced (below).",
    "#",
    "# Concepts (a skos:Concept and sdgo:Goal or sdgo:Target, URIs as in the UN KOS):",
    '#   goals    skos:notation "4"; skos:prefLabel = the short name ("Quality education");',
    "#            skos:definition and skos:altLabel = the full title; skos:topConceptOf,",
    "#            skos:narrower its targets.",
    '#   targets  skos:notation "4.7", "4.a"; skos:prefLabel = the target\'s text (also its',
    "#            definition: written once, vocabularies/sdg.py gives it as both);",
    "#            skos:broader its goal. No indicators.",
    "#   both     skos:closeMatch / skos:relatedMatch to UNESCO Thesaurus concepts (unt:).",
]
HEADER_CLEANUP = [
    "# There is no Portuguese (pt) in the sources. cnr (Montenegrin) is kept: its texts are",
    "# its own, identical to no other language's.",
    "# Our clean-up of the texts: NFC; whitespace squeezed; soft hyphens dropped (ca); U+2010",
    '# and U+2011 hyphens → "-"; C1 controls read as Windows-1252 (de 14.c: „…“).',
]


def header(
    src: Path, concepts: list[Concept], notes: list[str], gaps: list[Gap], modified: str
) -> str:
    languages = sorted({lang for c in concepts for lang in c.labels})
    lines = [line.replace("{modified}", modified) for line in HEADER_SOURCES]
    lines += comment_lines(alignment_summary(concepts), "# ")
    lines += comment_lines(
        f"Languages ({len(languages)}, BCP 47; open-sdg's nb_NO → nb): {' '.join(languages)}.", "# "
    )
    lines += HEADER_CLEANUP
    required = [g for g in gaps if g[1] in REQUIRED_LANGUAGES]
    listed = "; ".join(f"{notation}@{lang} {role}" for notation, lang, role in gaps) or "none"
    lines += comment_lines(
        f"Gaps (no text in a language: {len(gaps)}, in {', '.join(REQUIRED_LANGUAGES)}: "
        f"{len(required)}): {listed}.",
        "# ",
    )
    lines.append("# Notes of the build (source glitches found, corrections made):")
    for note in notes or ["none"]:
        lines += comment_lines(note, "#   - ", "#     ")
    lines.append(f"# Sources read from: {src.name}/")
    return "\n".join(lines) + "\n"


def alignment_summary(concepts: list[Concept]) -> str:
    aligned = [c for c in concepts if c.matches]
    counts = {r: sum(len(c.matches.get(r, ())) for c in concepts) for r in (CLOSE, RELATED)}
    distinct = {uri for c in concepts for uris in c.matches.values() for uri in uris}
    return (
        "Alignments to the UNESCO Thesaurus: skos:closeMatch where the thesaurus concept is the "
        "goal's or target's topic itself, skos:relatedMatch otherwise; chosen by hand (ours) in "
        "vocabularies/build_sdg.py (THESAURUS_ALIGNMENTS, by English prefLabel) and resolved to "
        f"concept URIs by the build against the file above. "
        f"{sum(c.kind == 'goal' for c in aligned)} goals and "
        f"{sum(c.kind == 'target' for c in aligned)} targets: {counts[CLOSE]} closeMatch, "
        f"{counts[RELATED]} relatedMatch, to {len(distinct)} thesaurus concepts. We only "
        "reference the concept URIs: no label or other text of the thesaurus is copied here."
    )


def comment_lines(text: str, first: str, rest: str = "") -> list[str]:
    return textwrap.wrap(text, 96, initial_indent=first, subsequent_indent=rest or first,
                         break_long_words=False, break_on_hyphens=False)  # fmt: skip


def literal_lines(prop: str, values: dict[str, str]) -> list[str]:
    """`    skos:prefLabel` and one indented literal per language, sorted by language."""
    literals = [turtle_literal(values[lang], lang, "") for lang in sorted(values)]
    return [f"    {prop}", *(f"        {lit}," for lit in literals[:-1]), f"        {literals[-1]}"]


def concept_block(concept: Concept, narrower: list[str]) -> str:
    cls = "sdgo:Goal" if concept.kind == "goal" else "sdgo:Target"
    statements = [
        [f"sdg:{concept.notation} a skos:Concept, {cls}"],
        [f"    skos:inScheme <{SCHEME}>"],
        [f"    skos:notation {turtle_literal(concept.notation, '', '')}"],
    ]
    if concept.kind == "goal":
        statements.append([f"    skos:topConceptOf <{SCHEME}>"])
        statements.append([f"    skos:narrower {', '.join(f'sdg:{n}' for n in narrower)}"])
    else:
        statements.append([f"    skos:broader sdg:{concept.goal}"])
    if concept.exact_match:
        statements.append(
            [f"    skos:exactMatch {', '.join(f'<{m}>' for m in sorted(concept.exact_match))}"]
        )
    for relation in (CLOSE, RELATED):
        if uris := concept.matches.get(relation):
            curies = ", ".join(f"unt:{uri.removeprefix(UNT)}" for uri in sorted(uris))
            statements.append([f"    skos:{relation} {curies}"])
    statements.append(literal_lines("skos:prefLabel", concept.labels))
    if concept.alt_labels:
        statements.append(literal_lines("skos:altLabel", concept.alt_labels))
    if concept.kind == "goal":  # a target's definition is its prefLabel: written once
        statements.append(literal_lines("skos:definition", concept.definitions))
    return " ;\n".join("\n".join(s) for s in statements) + " ."


def write_ttl(
    concepts: list[Concept], src: Path, notes: list[str], gaps: list[Gap], modified: str
) -> str:
    goals = [c.notation for c in concepts if c.kind == "goal"]
    lines = [header(src, concepts, notes, gaps, modified)]
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    lines += [
        "",
        f"<{SCHEME}> a skos:ConceptScheme ;",
        '    skos:prefLabel "Sustainable Development Goals Taxonomy"@en ;',
        f"    skos:hasTopConcept {', '.join(f'sdg:{g}' for g in goals)} .",
    ]
    for concept in concepts:
        narrower = [
            c.notation for c in concepts if c.kind == "target" and c.goal == concept.notation
        ]
        lines += ["", concept_block(concept, narrower)]
    return "\n".join(lines) + "\n"


def build(src: Path | None = None) -> dict[str, object]:
    """Write sdg.ttl; return counts, notes and gaps."""
    src = src or sources_dir()
    notes: list[str] = []
    gaps: list[Gap] = []
    concepts = assemble(src, notes, gaps)
    thesaurus = read_thesaurus(src)
    resolved = resolve_alignments(THESAURUS_ALIGNMENTS, thesaurus, {c.notation for c in concepts})
    for concept in concepts:
        concept.matches = resolved.get(concept.notation, {})
    text = write_ttl(concepts, src, notes, gaps, thesaurus.modified)
    TTL_PATH.write_text(text, encoding="utf-8")
    graph = Graph().parse(data=text, format="turtle")  # the output must parse
    counts = {kind: sum(c.kind == kind for c in concepts) for kind in ("goal", "target")}
    languages = sorted({lang for c in concepts for lang in c.labels})
    matches = {r: sum(len(c.matches.get(r, ())) for c in concepts) for r in (CLOSE, RELATED)}
    return {"counts": counts, "languages": languages, "notes": notes, "gaps": gaps,
            "triples": len(graph), "matches": matches}  # fmt: skip


def main() -> int:
    start = time.perf_counter()
    try:
        result = build()
    except AlignmentError as err:
        print(f"build_sdg: {err}", file=sys.stderr)
        return 1
    ms = (time.perf_counter() - start) * 1000
    print(f"wrote {TTL_PATH.name}: {result['counts']}, {len(result['languages'])} languages, "  # type: ignore[arg-type]
          f"{result['triples']} triples, thesaurus {result['matches']}, {ms:.0f} ms")  # fmt: skip
    for note in result["notes"]:  # type: ignore[union-attr]
        print("  note:", note)
    for gap in result["gaps"]:  # type: ignore[union-attr]
        print("  gap:", gap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
