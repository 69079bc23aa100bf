"""Generate `vocabularies/licences.ttl` (and its JSON cache) from the shared vocab sources.

Run `python -m vocabularies.build_licences` from the repository root. Sources are read from
`$OER_VOCAB_SOURCES` (default `../shared/vocab-sources` relative to the repository root):

- `cc-licenserdf/licenses/*.rdf`: every Creative Commons licence, version and port, CC0,
  the Public Domain Mark, the retired ones (sampling, devnations, the old public domain
  dedication) and CC's four software wrappers (GPL, LGPL, BSD, MIT, kept only as
  skos:closeMatch of the SPDX concepts).
- `spdx/licenses.json`: SPDX ids of the CC licences (matched through SPDX's `seeAlso` URLs)
  and the common non-CC open licences listed in `OTHER_LICENCES`.
- `rightsstatements/*.json` + `rights-statements.ttl`: the 12 RightsStatements.org statements.
- `coar-access-rights/access_rights_1.1_concept_scheme.nt`: the 4 COAR access rights.

The output is deterministic (sorted, no timestamps), so regenerating gives identical bytes.
`licences.json` (generated, not tracked) holds the same concepts as loader-ready records
and the SHA-256 of the .ttl
it was built from (it is built by parsing the written .ttl, so the two cannot disagree);
`vocabularies.loader.licences()` uses it because parsing the .ttl with rdflib takes seconds.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

REPO_ROOT = Path(__file__).resolve().parent.parent
VOCAB_DIR = REPO_ROOT / "vocabularies"
TTL_PATH = VOCAB_DIR / "licences.ttl"
JSON_PATH = VOCAB_DIR / "licences.json"

OERL = "https://w3id.org/oer-pipeline/licences#"
CC_NS = "http://creativecommons.org/ns#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCQ_NS = "http://purl.org/dc/terms/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

CC_ELEMENTS = ("by", "nc", "nd", "sa")  # canonical order of a family name: by-nc-sa
CC_SOFTWARE_WRAPPERS = {  # CC's wrappers: close to (not the same as) the SPDX licence
    "http://creativecommons.org/licenses/GPL/2.0/": "GPL-2.0-only",
    "http://creativecommons.org/licenses/LGPL/2.1/": "LGPL-2.1-only",
    "http://creativecommons.org/licenses/BSD/": "BSD-3-Clause",
    "http://creativecommons.org/licenses/MIT/": "MIT",
}

# Non-CC open licences OER uses, by SPDX id → (share_alike, requires_attribution). All of
# them permit adaptation, commercial use and redistribution (OSI/FSF approved or the Open
# Definition's conformant data licences); share_alike marks copyleft (strong or weak:
# GPL, LGPL, MPL, EUPL, GFDL, ODbL); attribution = the licence requires keeping a copyright
# notice / attribution statement (not: PDDL, Unlicense, 0BSD).
OTHER_LICENCES: dict[str, tuple[bool, bool]] = {
    "0BSD": (False, False),
    "Apache-2.0": (False, True),
    "BSD-2-Clause": (False, True),
    "BSD-3-Clause": (False, True),
    "EUPL-1.2": (True, True),
    "GFDL-1.2-only": (True, True),
    "GFDL-1.2-or-later": (True, True),
    "GFDL-1.3-only": (True, True),
    "GFDL-1.3-or-later": (True, True),
    "GPL-2.0-only": (True, True),
    "GPL-2.0-or-later": (True, True),
    "GPL-3.0-only": (True, True),
    "GPL-3.0-or-later": (True, True),
    "LGPL-2.1-only": (True, True),
    "LGPL-2.1-or-later": (True, True),
    "LGPL-3.0-only": (True, True),
    "LGPL-3.0-or-later": (True, True),
    "MIT": (False, True),
    "MPL-2.0": (True, True),
    "ODC-By-1.0": (False, True),
    "ODbL-1.0": (True, True),
    "etalab-2.0": (False, True),
    "OGL-UK-3.0": (False, True),
    "PDDL-1.0": (False, False),
    "Unlicense": (False, False),
}

# GNU licence families: the short names, GNU's page for the family (a versionless concept,
# like CC's family URIs: "GPL" alone names no version) and the full name.
GNU_FAMILIES = {
    "GPL": ("https://www.gnu.org/licenses/gpl.html", "GNU General Public License"),
    "LGPL": ("https://www.gnu.org/licenses/lgpl.html", "GNU Lesser General Public License"),
    "GFDL": ("https://www.gnu.org/licenses/fdl.html", "GNU Free Documentation License"),
}
GNU_ABBREVIATIONS = {"GFDL": ("FDL",), "GPL": (), "LGPL": ()}
# Names the SPDX list lacks for licences in OTHER_LICENCES (their own French/English titles).
EXTRA_LABELS = {
    "etalab-2.0": ("Licence Ouverte 2.0", "Licence Ouverte / Open Licence 2.0", "Open Licence 2.0",
                   "Licence Ouverte v2.0", "Licence Ouverte version 2.0"),
    "Apache-2.0": ("Apache License, Version 2.0", "Apache License Version 2.0", "Apache 2.0"),
    "OGL-UK-3.0": ("Open Government Licence 3.0", "Open Government Licence version 3.0", "OGL v3.0",
                   "OGL 3.0"),
    # Open Data Commons licences have one version each: their bare names name it
    "ODbL-1.0": ("ODbL", "Open Database License", "ODC Open Database License",
                 "Open Data Commons Open Database License", "ODbL 1.0"),
    "ODC-By-1.0": ("ODC-By", "ODC Attribution License", "Open Data Commons Attribution License",
                   "ODC-BY 1.0"),
    "PDDL-1.0": ("PDDL", "Public Domain Dedication and License", "ODC Public Domain Dedication and "
                 "License", "Open Data Commons Public Domain Dedication and License", "ODC-PDDL"),
}  # fmt: skip


def gnu_labels(lid: str) -> list[str]:
    """Spellings of a GNU licence id: `GPL-3.0-only` → "GPLv3", "GNU GPL 3.0", "GNU General
    Public License, version 3"…; `-or-later` ones with "or later" / "or any later version"
    (SPDX ids such as `GPL-3.0+` are read by the spdx rule). A version without "only" or
    "or later" is read as "-only", as SPDX reads its deprecated bare ids (`GPL-3.0`)."""
    m = re.fullmatch(r"(L?GPL|GFDL)-(\d\.\d)-(only|or-later)", lid)
    if not m:
        return []
    short, version, scope = m.groups()
    name = GNU_FAMILIES[short][1]
    versions = {version, version.removesuffix(".0")}
    shorts = {short, f"GNU {short}", *(f"GNU {a}" for a in GNU_ABBREVIATIONS[short])}
    bases = set()
    for v in versions:
        for sh in shorts:
            bases |= {f"{sh}-{v}", f"{sh} {v}", f"{sh}v{v}", f"{sh} v{v}", f"{sh} version {v}"}
        bases |= {f"{name} {v}", f"{name} v{v}", f"{name} version {v}", f"{name}, version {v}"}
    if scope == "only":
        return sorted(bases | {f"{b} only" for b in bases})
    # no "GPLv3+": labels are compared without punctuation, so it would equal "GPLv3"
    return sorted({f"{b} or later" for b in bases} | {f"{b} or any later version" for b in bases})


# info:eu-repo access terms (OpenAIRE guidelines) ↔ COAR access rights: our mapping, the
# COAR data only links the eprints terms.
EU_REPO_ACCESS = {
    "http://purl.org/coar/access_right/c_abf2": "info:eu-repo/semantics/openAccess",
    "http://purl.org/coar/access_right/c_f1cf": "info:eu-repo/semantics/embargoedAccess",
    "http://purl.org/coar/access_right/c_16ec": "info:eu-repo/semantics/restrictedAccess",
    "http://purl.org/coar/access_right/c_14cb": "info:eu-repo/semantics/closedAccess",
}

RS_STATUS = {
    "collection-ic": "in-copyright",
    "collection-nc": "no-copyright",
    "collection-other": "other",
}


@dataclass
class Concept:
    uri: str
    kind: str  # cc | cc-family | spdx | spdx-family | rights-statement | access-right
    literals: dict[str, set[tuple[str, str, str]]] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=dict)

    def add(self, prop: str, value: str | bool, lang: str = "", datatype: str = "") -> None:
        """A literal value (bool → xsd:boolean)."""
        if isinstance(value, bool):
            value, datatype = ("true" if value else "false"), "boolean"
        self.literals.setdefault(prop, set()).add((value, lang, datatype))

    def link(self, prop: str, uri: str) -> None:
        self.links.setdefault(prop, set()).add(uri)


# ------------------------------------------------------------------ sources


def sources_dir() -> Path:
    env = os.environ.get("OER_VOCAB_SOURCES")
    return Path(env) if env else (REPO_ROOT / ".." / "shared" / "vocab-sources").resolve()


def https(uri: str) -> str:
    return "https://" + uri.removeprefix("http://").removeprefix("https://")


def clean_title(text: str) -> str:
    """Strip the HTML some CC titles carry (`<abbr>`, `<i>`) and squeeze whitespace."""
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


def family_of(elements: str) -> str:
    """`by-nd-nc` → `by-nc-nd`: the elements in canonical order (others left as they are)."""
    parts = elements.split("-")
    if all(p in CC_ELEMENTS for p in parts):
        return "-".join(p for p in CC_ELEMENTS if p in parts)
    return elements


def add_labels(concept: Concept, titles: list[tuple[str, str]]) -> None:
    """One prefLabel per language (the first, sorted), further ones as altLabels; regional
    variants identical to their base language are left out."""
    by_lang: dict[str, list[str]] = {}
    for lang, text in titles:
        if text and text not in by_lang.setdefault(lang, []):
            by_lang[lang].append(text)
    # a regional variant that says what its base language says adds nothing (es-ec = es)
    by_lang = {
        lang: texts
        for lang, texts in by_lang.items()
        if "-" not in lang or sorted(texts) != sorted(by_lang.get(lang.split("-")[0], []))
    }
    for lang, texts in by_lang.items():
        texts.sort()
        concept.add("skos:prefLabel", texts[0], lang)
        for text in texts[1:]:
            concept.add("skos:altLabel", text, lang)


def read_cc(src: Path, notes: list[str]) -> tuple[dict[str, Concept], dict[str, Concept]]:
    """(licence concepts, family concepts) from the CC licence RDF; keys are http:// URIs."""
    out: dict[str, Concept] = {}
    titles_of: dict[str, dict[str, str]] = {}
    for path in sorted((src / "cc-licenserdf" / "licenses").glob("*.rdf")):
        lic = ET.parse(path).getroot().find(f"{{{CC_NS}}}License")
        if lic is None:
            notes.append(f"{path.name}: no cc:License")
            continue
        http_uri = lic.get(f"{{{RDF_NS}}}about", "")
        if http_uri in CC_SOFTWARE_WRAPPERS:
            continue
        res: dict[str, list[str]] = {}
        text: dict[str, list[str]] = {}
        titles: list[tuple[str, str]] = []
        for el in lic:
            name = el.tag.split("}")[1]
            if (r := el.get(f"{{{RDF_NS}}}resource")) is not None:
                res.setdefault(name, []).append(r)
            elif name == "title":
                lang = (el.get(XML_LANG) or "").lower()
                if lang.startswith("x-") or "${" in (el.text or ""):
                    continue  # CC's i18n template strings
                titles.append((lang, clean_title(el.text or "")))
            else:
                text.setdefault(name, []).append((el.text or "").strip())
        out[http_uri] = make_cc_concept(http_uri, res, text, titles, notes)
        titles_of[http_uri] = dict(titles)
    fix_title_glitches(out, titles_of, notes)
    return out, make_families(out, titles_of)


def make_cc_concept(
    http_uri: str,
    res: dict[str, list[str]],
    text: dict[str, list[str]],
    titles: list[tuple[str, str]],
    notes: list[str],
) -> Concept:
    path = http_uri.removeprefix("http://creativecommons.org/").strip("/").split("/")
    c = Concept(https(http_uri), "cc")
    c.link("skos:exactMatch", http_uri)
    version = (text.get("hasVersion") or [""])[0]
    port = ""
    for j in res.get("jurisdiction", []):
        port = j.rstrip("/").rsplit("/", 1)[-1]
    if path[0] == "publicdomain":  # publicdomain/zero/1.0, publicdomain/mark/1.0
        elements = path[1]
        family = {"zero": "cc0", "mark": "pdm"}.get(elements, elements)
    else:  # licenses/<elements>[/<version>[/<port>]]
        elements = path[1]
        family = family_of(elements)
    c.add("oerl:family", family)
    c.add("oerl:elements", elements)
    if version:
        c.add("oerl:version", version)
    if port:
        c.add("oerl:port", port)
    c.add("skos:notation", "/".join(path[1:]))

    def cc_terms(prop: str) -> set[str]:
        return {r.removeprefix(CC_NS) for r in res.get(prop, [])}

    permits, requires, prohibits = cc_terms("permits"), cc_terms("requires"), cc_terms("prohibits")
    for prop, terms in (("permits", permits), ("requires", requires), ("prohibits", prohibits)):
        for term in terms:
            c.link(f"cc:{prop}", CC_NS + term)
    parts = set(elements.split("-"))
    if parts <= set(CC_ELEMENTS):  # cross-check the RDF against the licence's elements
        expected = "nd" not in parts
        if ("DerivativeWorks" in permits) != expected:
            notes.append(f"{http_uri}: RDF permits DerivativeWorks={not expected}; corrected")
            c.add(
                "skos:editorialNote",
                "The CC RDF omits cc:permits cc:DerivativeWorks for this licence; "
                "flags corrected from its licence elements.",
                "en",
            )
            permits = (permits | {"DerivativeWorks"}) if expected else permits - {"DerivativeWorks"}
    adaptation = "DerivativeWorks" in permits
    commercial = "CommercialUse" not in prohibits
    c.add("oerl:allowsAdaptation", adaptation)
    c.add("oerl:allowsCommercial", commercial)
    c.add("oerl:shareAlike", "ShareAlike" in requires)
    c.add("oerl:requiresAttribution", "Attribution" in requires)
    distribution = bool(permits & {"Distribution", "Sharing"})
    if not adaptation:
        ofa = "no"
    elif distribution and prohibits <= {"CommercialUse"}:
        ofa = "yes"
    else:  # sampling 1.0 (no redistribution), devnations (no use in high-income nations)
        ofa = "unknown"
    c.add("oerl:openForAdaptation", ofa)
    for date in text.get("deprecatedOn", []):
        c.add("oerl:deprecatedOn", date, datatype="date")
        c.add("owl:deprecated", True)
    for replaced in res.get("isReplacedBy", []):
        c.link("dct:isReplacedBy", https(replaced))
    for source in res.get("source", []):
        c.link("dct:source", https(source))
    for legal in sorted(set(res.get("legalcode", []))):
        if legal.startswith("http://creativecommons.org/"):
            c.link("cc:legalcode", https(legal))
    add_labels(c, titles)
    code = "CC0" if family == "cc0" else "PDM" if family == "pdm" else f"CC {family.upper()}"
    if family in ("cc0", "pdm") or parts <= set(CC_ELEMENTS):
        c.add("skos:altLabel", " ".join(x for x in (code, version, port.upper()) if x))
    return c


def fix_title_glitches(
    concepts: dict[str, Concept], titles_of: dict[str, dict[str, str]], notes: list[str]
) -> None:
    """Some fr titles of the 4.0 licences end in a stray sentence ("Ceci peut être votre site
    web …") instead of "International": replace such tails of unported licences by the English
    one. Detected generically: a tail after the version longer than 40 characters."""
    for http_uri, titles in titles_of.items():
        c = concepts[http_uri]
        version = next((v for v, _, _ in c.literals.get("oerl:version", ())), "")
        if not version or "oerl:port" in c.literals or f" {version} " not in titles.get("en", ""):
            continue
        en_tail = titles["en"].split(f" {version} ", 1)[1]
        for lang, title in titles.items():
            head, sep, tail = title.partition(f" {version} ")
            if sep and len(tail) > 40:
                fixed = f"{head} {version} {en_tail}"
                for prop in ("skos:prefLabel", "skos:altLabel"):
                    if (title, lang, "") in c.literals.get(prop, set()):
                        c.literals[prop].discard((title, lang, ""))
                        c.literals[prop].add((fixed, lang, ""))
                titles[lang] = fixed
                notes.append(f"{http_uri} @{lang}: title tail replaced by {en_tail!r}")


def make_families(
    licences: dict[str, Concept], titles_of: dict[str, dict[str, str]]
) -> dict[str, Concept]:
    """A versionless concept per by/nc/nd/sa family (`https://creativecommons.org/licenses/
    by-sa/`), labelled from its newest unported version's titles without the version."""
    newest: dict[str, tuple[tuple[int, ...], str]] = {}
    for http_uri, c in licences.items():
        family = next(iter(c.literals["oerl:family"]))[0]
        version = next(iter(c.literals.get("oerl:version", {("", "", "")})))[0]
        if (
            "oerl:port" in c.literals
            or not version
            or not set(family.split("-")) <= set(CC_ELEMENTS)
        ):
            continue
        key = tuple(int(x) for x in version.split("."))
        if family not in newest or key > newest[family][0]:
            newest[family] = (key, http_uri)
    out: dict[str, Concept] = {}
    for family, (_, http_uri) in sorted(newest.items()):
        src = licences[http_uri]
        version = next(iter(src.literals["oerl:version"]))[0]
        fam = Concept(f"https://creativecommons.org/licenses/{family}/", "cc-family")
        fam.link("skos:exactMatch", f"http://creativecommons.org/licenses/{family}/")
        fam.add("oerl:family", family)
        fam.add("skos:notation", family)
        for prop in (
            "oerl:allowsAdaptation",
            "oerl:allowsCommercial",
            "oerl:shareAlike",
            "oerl:requiresAttribution",
            "oerl:openForAdaptation",
        ):
            fam.literals[prop] = set(src.literals[prop])
        titles = []
        for lang, title in titles_of[http_uri].items():
            head, sep, _ = title.partition(f" {version}")
            if sep and head.strip():
                titles.append((lang, head.strip()))
        add_labels(fam, titles)
        fam.add("skos:altLabel", f"CC {family.upper()}")
        out[fam.uri] = fam
        for c in licences.values():
            if next(iter(c.literals["oerl:family"]))[0] == family:
                c.link("skos:broader", fam.uri)
    return out


def read_spdx(src: Path, cc: dict[str, Concept], notes: list[str]) -> dict[str, Concept]:
    """SPDX ids on the CC concepts; concepts for the OTHER_LICENCES (`http://spdx.org/licenses/
    <id>`, the SPDX licence list's own URIs)."""
    data = json.loads((src / "spdx" / "licenses.json").read_text(encoding="utf-8"))
    by_https = {c.uri: c for c in cc.values()}
    entries = {e["licenseId"]: e for e in data["licenses"]}
    for lid, entry in sorted(entries.items()):
        if not (lid.startswith("CC-") or lid.startswith("CC0")):
            continue
        target = None
        for url in entry.get("seeAlso", []):
            base = https(re.sub(r"legalcode(\.[a-z_-]+)?$", "", url.strip()))
            target = target or by_https.get(base if base.endswith("/") else base + "/")
        if target is None:
            notes.append(f"SPDX {lid}: no CC licence matches its seeAlso URLs")
            continue
        target.add("oerl:spdx", lid)
        target.add("skos:altLabel", lid)
        target.add("skos:altLabel", " ".join(entry["name"].split()), "en")
    deprecated_alias = {}  # deprecated SPDX ids → the current id they meant
    for e in data["licenses"]:
        old = e["licenseId"]
        new = old[:-1] + "-or-later" if old.endswith("+") else old + "-only"
        if e.get("isDeprecatedLicenseId") and new in OTHER_LICENCES:
            deprecated_alias[old] = new
    out: dict[str, Concept] = {}
    for lid, (share_alike, attribution) in sorted(OTHER_LICENCES.items()):
        entry = entries.get(lid)
        if entry is None:
            notes.append(f"SPDX {lid}: not in the SPDX list")
            continue
        c = Concept(f"http://spdx.org/licenses/{lid}", "spdx")
        c.link("skos:exactMatch", f"https://spdx.org/licenses/{lid}")
        c.add("oerl:spdx", lid)
        c.add("oerl:family", lid)
        c.add("skos:notation", lid)
        c.add("skos:prefLabel", " ".join(entry["name"].split()), "en")
        c.add("skos:altLabel", lid)
        for old, new in deprecated_alias.items():
            if new == lid:
                c.add("oerl:spdxDeprecated", old)
                c.add("skos:altLabel", old)
        for label in (*gnu_labels(lid), *EXTRA_LABELS.get(lid, ())):
            c.add("skos:altLabel", label)
        for url in entry.get("seeAlso", []):
            c.link("rdfs:seeAlso", url.strip())
        for wrapper, spdx_id in CC_SOFTWARE_WRAPPERS.items():
            if spdx_id == lid:
                c.link("skos:closeMatch", wrapper)
        c.add("oerl:allowsAdaptation", True)
        c.add("oerl:allowsCommercial", True)
        c.add("oerl:shareAlike", share_alike)
        c.add("oerl:requiresAttribution", attribution)
        c.add("oerl:openForAdaptation", "yes")
        c.add("oerl:osiApproved", bool(entry.get("isOsiApproved")))
        out[c.uri] = c
    for short, (uri, name) in GNU_FAMILIES.items():
        fam = Concept(uri, "spdx-family")
        fam.add("oerl:family", short)
        fam.add("skos:prefLabel", name, "en")
        for label in (short, f"GNU {short}", *(f"GNU {a}" for a in GNU_ABBREVIATIONS[short])):
            fam.add("skos:altLabel", label)
        for flag in ("oerl:allowsAdaptation", "oerl:allowsCommercial", "oerl:shareAlike",
                     "oerl:requiresAttribution"):  # fmt: skip
            fam.add(flag, True)
        fam.add("oerl:openForAdaptation", "yes")
        for member in out.values():
            if re.fullmatch(rf"{short}-\d\.\d-(only|or-later)", member.uri.rsplit("/", 1)[-1]):
                member.link("skos:broader", uri)
        out[uri] = fam
    return out


def read_rightsstatements(src: Path) -> dict[str, Concept]:
    folder = src / "rightsstatements"
    scheme = Graph().parse(folder / "rights-statements.ttl", format="turtle")
    status: dict[str, str] = {}
    for coll, value in RS_STATUS.items():
        for member in scheme.objects(
            URIRef(f"http://rightsstatements.org/vocab/{coll}/1.0/"), SKOS.member
        ):
            status[str(member)] = value
    out: dict[str, Concept] = {}
    for uri, value in sorted(status.items()):
        rid = uri.removeprefix("http://rightsstatements.org/vocab/").split("/")[0]
        c = Concept(uri, "rights-statement")
        c.link("skos:exactMatch", https(uri))
        c.add("skos:notation", rid)
        c.add("oerl:family", rid)
        c.add("oerl:version", "1.0")
        c.add("oerl:copyrightStatus", value)
        c.add("oerl:openForAdaptation", "no" if value == "in-copyright" else "unknown")
        for match in scheme.objects(URIRef(uri), SKOS.closeMatch):
            c.link("skos:closeMatch", str(match))
        for match in scheme.objects(URIRef(uri), SKOS.relatedMatch):
            c.link("skos:relatedMatch", str(match))
        titles = []
        for path in sorted(folder.glob(f"{rid}_*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("@id") != uri:
                continue
            lang = (doc.get("@context", {}).get("@language") or path.stem.split("_", 1)[1]).lower()
            titles.append((lang, " ".join(str(doc.get("prefLabel", "")).split())))
        add_labels(c, titles)
        c.add("skos:altLabel", rid)
        out[uri] = c
    return out


def read_coar(src: Path) -> dict[str, Concept]:
    graph = Graph().parse(
        src / "coar-access-rights" / "access_rights_1.1_concept_scheme.nt", format="nt"
    )
    out: dict[str, Concept] = {}
    for uri, eu_repo in sorted(EU_REPO_ACCESS.items()):
        subject = URIRef(uri)
        c = Concept(uri, "access-right")
        c.link("skos:exactMatch", eu_repo)
        c.link("skos:exactMatch", https(uri))
        c.add("skos:notation", uri.rsplit("/", 1)[1])
        c.add("oerl:openForAdaptation", "unknown")  # access is not a licence
        for match in graph.objects(subject, SKOS.relatedMatch):
            c.link("skos:relatedMatch", str(match))
        for prop in ("prefLabel", "altLabel"):
            for lit in graph.objects(subject, SKOS[prop]):
                if isinstance(lit, Literal) and str(lit).strip():
                    c.add(f"skos:{prop}", " ".join(str(lit).split()), (lit.language or "").lower())
        out[uri] = c
    return out


# ------------------------------------------------------------------ output

PREFIXES = {
    "cc": CC_NS,
    "dct": DCQ_NS,
    "oerl": OERL,
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
PROPERTY_ORDER = [
    "oerl:kind", "skos:notation", "oerl:family", "oerl:elements", "oerl:version", "oerl:port",
    "oerl:spdx", "oerl:spdxDeprecated", "oerl:allowsAdaptation", "oerl:allowsCommercial",
    "oerl:shareAlike", "oerl:requiresAttribution", "oerl:openForAdaptation",
    "oerl:copyrightStatus", "oerl:osiApproved", "owl:deprecated", "oerl:deprecatedOn",
    "dct:isReplacedBy", "dct:source", "skos:broader", "skos:exactMatch", "skos:closeMatch",
    "skos:relatedMatch", "cc:permits", "cc:requires", "cc:prohibits", "cc:legalcode",
    "rdfs:seeAlso", "skos:editorialNote", "skos:prefLabel", "skos:altLabel",
]  # fmt: skip


def turtle_literal(value: str, lang: str, datatype: str) -> str:
    if datatype == "boolean":
        return value
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    if datatype:
        return f'"{escaped}"^^xsd:{datatype}'
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def header(src: Path) -> str:
    return f"""\
# Licences, rights statements and access rights — GENERATED by
#   python -m vocabularies.build_licences   (do not edit by hand; edit the script)
# from the files in $OER_VOCAB_SOURCES (../shared/vocab-sources, see its MANIFEST.md):
#   cc-licenserdf/licenses/*.rdf      creativecommons/cc.licenserdf @3ac4d56e (MIT)
#   spdx/licenses.json                SPDX License List 3.27.0 via fsfe/reuse-tool (CC0-1.0)
#   rightsstatements/*.json, rights-statements.ttl
#                                     rightsstatements/data-model @9521dff2 (CC0 1.0)
#   coar-access-rights/access_rights_1.1_concept_scheme.nt
#                                     COAR Access Rights 1.1 (CC BY 4.0, © COAR and the
#                                     creators in access_rights_1.1_config.yaml)
#
# Concepts (skos:Concept, oerl:kind):
#   "cc"               every CC licence (all versions and ports), CC0 1.0, the Public Domain
#                      Mark 1.0 and the retired licences, at https://creativecommons.org/...;
#                      the RDF's http:// URI is kept as skos:exactMatch; dc:title in every
#                      language → skos:prefLabel (one per language, extra ones altLabel);
#                      cc:permits/requires/prohibits copied; owl:deprecated/oerl:deprecatedOn
#                      from cc:deprecatedOn; dct:isReplacedBy, dct:source from the RDF.
#   "cc-family"        ours: one versionless concept per by/nc/nd/sa family, labelled from
#                      its newest unported version's titles minus the version.
#   "spdx"             common non-CC open licences from the SPDX list (URI
#                      http://spdx.org/licenses/<id>); flags are ours (see the script).
#   "rights-statement" the 12 RightsStatements.org statements, labels from the JSON files.
#   "access-right"     the 4 COAR access rights; the info:eu-repo/semantics/*Access
#                      exactMatches are ours (OpenAIRE guidelines).
# Our properties (oerl:, {OERL}):
#   family elements version port spdx spdxDeprecated, allowsAdaptation (= cc:permits
#   DerivativeWorks), allowsCommercial (= not cc:prohibits CommercialUse), shareAlike
#   (= cc:requires ShareAlike), requiresAttribution, openForAdaptation ("yes" | "no" |
#   "unknown", per the UNESCO OER Recommendation: yes = adaptation and redistribution
#   allowed, NC included; no = ND and in-copyright; unknown = everything else),
#   copyrightStatus (in-copyright | no-copyright | other), osiApproved, deprecatedOn.
# Our corrections of the CC data: flags of the four by*/2.5/scotland licences (their RDF
# lacks cc:permits DerivativeWorks); the fr titles of the 4.0 licences whose tail is a stray
# sentence instead of "International"; HTML stripped from titles; x-i18n titles dropped.
# Sources read from: {src.name}/
"""


def write_ttl(concepts: list[Concept], src: Path) -> str:
    lines = [header(src)]
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    lines += [
        "",
        "oerl:scheme a skos:ConceptScheme ;",
        '    skos:prefLabel "Licences, rights statements and access rights (oer-pipeline)"@en .',
    ]
    for c in sorted(concepts, key=lambda c: c.uri):
        c.add("oerl:kind", c.kind)
        objects: dict[str, list[str]] = {}
        for prop, values in c.literals.items():
            objects[prop] = sorted(turtle_literal(*v) for v in values)
        for prop, uris in c.links.items():
            objects.setdefault(prop, []).extend(sorted(f"<{u}>" for u in uris))
        unknown = set(objects) - set(PROPERTY_ORDER)
        if unknown:
            raise ValueError(f"{c.uri}: properties without an order: {sorted(unknown)}")
        lines += ["", f"<{c.uri}> a skos:Concept ;", "    skos:inScheme oerl:scheme ;"]
        body = [
            f"    {prop} {', '.join(objects[prop])}" for prop in PROPERTY_ORDER if prop in objects
        ]
        lines.append(" ;\n".join(body) + " .")
    return "\n".join(lines) + "\n"


def build(src: Path | None = None) -> dict[str, object]:
    """Write licences.ttl and licences.json; return counts and notes."""
    src = src or sources_dir()
    notes: list[str] = []
    cc, families = read_cc(src, notes)
    spdx = read_spdx(src, cc, notes)
    rs = read_rightsstatements(src)
    coar = read_coar(src)
    concepts = [*cc.values(), *families.values(), *spdx.values(), *rs.values(), *coar.values()]
    text = write_ttl(concepts, src)
    TTL_PATH.write_text(text, encoding="utf-8")

    from vocabularies.loader import write_licence_cache

    graph = Graph().parse(data=text, format="turtle")
    write_licence_cache(text, graph, JSON_PATH)
    counts: dict[str, int] = {}
    for c in concepts:
        counts[c.kind] = counts.get(c.kind, 0) + 1
    return {"counts": counts, "notes": sorted(notes), "triples": len(graph)}


def main() -> int:
    start = time.perf_counter()
    result = build()
    ms = (time.perf_counter() - start) * 1000
    print(f"wrote {TTL_PATH.name} and {JSON_PATH.name}: {result['counts']}, "
          f"{result['triples']} triples, {ms:.0f} ms")  # fmt: skip
    for note in result["notes"]:  # type: ignore[union-attr]
        print("  note:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
