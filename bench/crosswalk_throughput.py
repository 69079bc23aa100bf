"""Crosswalk stage throughput per format: records/s of `map_item` alone, with the coverage
tally, and lxml parse + map, over the golden fixtures, varied per record.

Input per format: the non-deleted records of the golden fixtures the crosswalk tests use
(corpus via tests/support/corpus.py), repeated to N records. Each copy is varied before it
is serialised: the record number goes into titles, descriptions (and their LOM/DataCite/
MARC spellings) and into URL/DOI/handle/URN identifiers, so the text caches (clean_text,
parse_date) see new strings as in a real harvest; agent names, subjects, rights, types and
dates repeat across copies, as they do in a real repository. `oai_dc-bench` is the synthetic
100k bench server's oai_dc (the first N records of ../shared/bench/oai_server.py, seed 42),
the same records `docs/performance.md`'s harvest maps.

Modes, each timed best of --repeat in one process, every lru cache under transforms/
cleared before each timed run, GC as in a harvest (`fewer_gc_passes`):
  map        map_item on pre-parsed metadata elements (JSON-LD: map_json_item on dicts)
  map+tally  the same with a coverage Tally
  parse+map  etree.fromstring of the serialised record, then map_item (JSON-LD: json.loads)

    .venv/bin/python bench/crosswalk_throughput.py [--n 20000] [--repeat 3] [--formats ...]
        [--json out.json]
    .venv/bin/python bench/crosswalk_throughput.py --profile mods [--n 20000]
    .venv/bin/python bench/crosswalk_throughput.py --snapshot /tmp/before.json
        (record_fields + ids + hashes of every fixture record, and a digest of the varied
        set's records and tally rows: compare two snapshots to prove identical output)
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import functools
import gc
import hashlib
import importlib
import io
import json
import os
import pstats
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import SHARED_BENCH, code_state  # noqa: E402

from harvesters.web import extract_jsonld, resolve_references  # noqa: E402
from pipelines.harvest import fewer_gc_passes  # noqa: E402
from tests.support.corpus import AGREGA_LOM_FILES, AGREGA_MANIFEST, corpus_path  # noqa: E402
from tests.support.golden import DATA, fixture_items, record_fields  # noqa: E402
from transforms.crosswalks import DECLARATIONS, JsonItem, map_item, map_json_item  # noqa: E402
from transforms.crosswalks.coverage import Tally  # noqa: E402

OAI = "{http://www.openarchives.org/OAI/2.0/}"
SHA = "0" * 64
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
FORMATS = ("oai_dc", "oai_dc-bench", "qdc", "lom", "datacite", "openaire", "mods", "marcxml")
FORMATS += ("jsonld",)


@dataclass(slots=True)
class Item:
    identifier: str
    datestamp: str
    set_specs: list[str]
    deleted: bool
    metadata: etree._Element | None
    raw: bytes = b""
    about: list = field(default_factory=list)


@dataclass(slots=True)
class Template:
    identifier: str
    datestamp: str
    set_specs: list[str]
    metadata: Any  # an element (XML formats) or a dict (JSON-LD)


# ---------------------------------------------------------------- fixtures, as the tests use them


def oai_items(path: Path) -> list[Template]:
    """<record>s of an OAI-PMH response (Zenodo's carry an xml-stylesheet PI: no splitting)."""
    out = []
    for rec in etree.parse(str(path), PARSER).getroot().iter(f"{OAI}record"):
        header = rec.find(f"{OAI}header")
        metadata = rec.find(f"{OAI}metadata")
        if header is None or header.get("status") == "deleted" or metadata is None:
            continue
        out.append(
            Template(
                header.findtext(f"{OAI}identifier") or "",
                header.findtext(f"{OAI}datestamp") or "",
                [s.text or "" for s in header.findall(f"{OAI}setSpec")],
                metadata[0],
            )
        )
    return out


def golden_items(path: Path) -> list[Template]:
    return [
        Template(i.identifier, i.datestamp, i.set_specs, i.metadata)
        for i in fixture_items(path)
        if not i.deleted and i.metadata is not None
    ]


def zenodo(*parts: str) -> Path:
    return corpus_path("zenodo-oaipmh-scythe", "extracted", *parts)


def load_oai_dc() -> list[Template]:
    pages = ["01_ListRecords_oai_dc.xml", "02_ListRecords_oai_dc.xml"]
    pages += ["08_ListRecords_oai_dc.xml", "12_ListRecords_oai_dc.xml"]
    out = oai_items(zenodo("get_record", "03_GetRecord_oai_dc.xml"))
    for page in pages:
        out += oai_items(zenodo("list_records", page))
    return out


def load_oai_dc_bench(n: int) -> list[Template]:
    sys.path.insert(0, str(SHARED_BENCH))  # oai_server imports synth_vocab
    try:
        server = importlib.import_module("oai_server")
    finally:
        sys.path.remove(str(SHARED_BENCH))
    repo = server.Repository(server.build_args(["--n", str(n)]))
    return [
        Template(r.ident, r.datestamp, list(r.sets), etree.fromstring(r.dc.encode())[0])
        for r in repo.records
        if not r.deleted
    ]


def load_qdc() -> list[Template]:
    names = ("in", "il", "scdl", "ohio", "wi")
    return [t for n in names for t in golden_items(corpus_path(f"dpla-ingestion3/{n}.xml"))]


def load_lom() -> list[Template]:
    out = [t for n in AGREGA_LOM_FILES for t in golden_items(corpus_path("agrega2-lom-es", n))]
    manifest = corpus_path("agrega2-lom-es", AGREGA_MANIFEST)
    lom_tag = "{http://ltsc.ieee.org/xsd/LOM}lom"
    root = etree.fromstring(manifest.read_bytes())
    out += [Template(manifest.stem, "", [], el) for el in root.iter(lom_tag)]
    return out


def load_datacite() -> list[Template]:
    return oai_items(zenodo("get_record", "02_GetRecord_datacite.xml")) + oai_items(
        zenodo("list_records", "05_ListRecords_datacite.xml")
    )


def load_openaire() -> list[Template]:
    names = ("article", "learning-object", "variant")
    return [t for n in names for t in golden_items(DATA / "openaire" / f"{n}.xml")]


def load_mods() -> list[Template]:
    names = ("bhl", "ct", "ma-creator", "mt", "northwest-heritage", "nypl", "oklahoma")
    out = [t for n in names for t in golden_items(corpus_path("dpla-ingestion3", f"{n}.xml"))]
    return out + golden_items(corpus_path("oersi-etl-duepublico-oer", "duepub-metafacture.xml"))


def load_marcxml() -> list[Template]:
    out = golden_items(DATA / "marcxml" / "handmade.xml")
    for name in ("gpo", "gpo_ebooks", "hathi"):
        out += golden_items(corpus_path("dpla-ingestion3", f"{name}.xml"))
    return out


def load_jsonld() -> list[Template]:
    hoou = {
        "hoou-ifm-erzaehlung-wie": "https://www.hoou.de/materials/ifm-erzahlung-wie",
        "hoou-online-punkteabfrage": "https://www.hoou.de/materials/online-punkteabfrage",
        "hoou-tutorial-lernen-lernen": "https://www.hoou.de/materials/tutorial-lernen-lernen",
    }
    pages = [(corpus_path("oersi-etl-hoou", f"{k}.html"), v) for k, v in hoou.items()]
    pages.append(
        (
            corpus_path("extruct-web-pages", "schema.org", "CreativeWork.001.html"),
            "https://schema.org/CreativeWork.001.html",
        )
    )
    out = []
    for path, url in pages:
        result = extract_jsonld(path.read_bytes(), url)
        out += [Template(o.identifier, "", [], o.obj) for o in result.resources]
    grants = json.loads(
        corpus_path("oerworldmap", "hewlett", "hewlett_grants.part.json").read_text()
    )
    agents_path = corpus_path("oerworldmap", "hewlett", "agents.json")
    agents = json.loads(agents_path.read_bytes().decode("utf-8-sig"))
    resolved = resolve_references(grants + agents)[: len(grants)]
    out += [Template(g["@id"], "", [], g) for g in resolved]
    for name in ("amb-course", "amb-video", "amb-graph"):
        out.append(
            Template(name, "", [], json.loads((DATA / "jsonld" / f"{name}.json").read_text()))
        )
    return out


LOADERS: dict[str, Callable[[], list[Template]]] = {
    "oai_dc": load_oai_dc,
    "qdc": load_qdc,
    "lom": load_lom,
    "datacite": load_datacite,
    "openaire": load_openaire,
    "mods": load_mods,
    "marcxml": load_marcxml,
    "jsonld": load_jsonld,
}
PREFIX = {"qdc": "oai_qdc", "oai_dc-bench": "oai_dc"}


# ---------------------------------------------------------------- per-record variation

# Text elements (by local name; their leaf children too: LOM title/string, MODS titleInfo
# is not a text element but its title child is) and identifier elements.
TEXT = frozenset(["title", "description", "abstract", "alternative", "subTitle"])
IDS = frozenset(["identifier", "alternateIdentifier", "catalogEntry"])
MARC_TEXT = {"245": "ab", "246": "a", "520": "a"}
MARC_IDS = {"024": "a", "856": "u"}
_TRAILING = re.compile(r"[\s/:;,.=\]]*$")  # ISBD punctuation and spaces stay at the end
_ID_LIKE = re.compile(r"^(?:https?://|10\.\d|hdl:|urn:|oai:|doi:)", re.I)
JSON_TEXT = ("name", "headline", "alternateName", "description", "abstract")
JSON_AGENTS = frozenset(["Person", "Organization"])


def vary_text(text: str, n: int) -> str:
    cut = _TRAILING.search(text).start()  # type: ignore[union-attr]
    return f"{text[:cut]} {n}{text[cut:]}" if cut else text


def vary_id(text: str, n: int) -> str:
    stripped = text.rstrip()
    return f"{stripped}-{n}{text[len(stripped) :]}" if _ID_LIKE.match(text.strip()) else text


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def vary_xml(root: etree._Element, n: int) -> etree._Element:
    root = copy.deepcopy(root)
    for el in root.iter():
        name = _local(el.tag)
        if not el.text or not el.text.strip():
            continue
        parent = el.getparent()
        pname = _local(parent.tag) if parent is not None else ""
        if name == "subfield" and parent is not None:
            tag, code = parent.get("tag", ""), el.get("code", "")
            if code and code in MARC_TEXT.get(tag, ""):
                el.text = vary_text(el.text, n)
            elif code and code in MARC_IDS.get(tag, ""):
                el.text = vary_id(el.text, n)
        elif name == "controlfield" and el.get("tag") == "001":
            el.text = f"{el.text}{n}"
        elif name in TEXT or (pname in TEXT and not len(el)):
            el.text = vary_text(el.text, n)
        elif name in IDS or (pname in IDS and name == "entry"):
            el.text = vary_id(el.text, n)
    return root


def _types(node: dict) -> set[str]:
    value = node.get("@type", node.get("type", []))
    return {value} if isinstance(value, str) else {v for v in value if isinstance(v, str)}


def _vary_value(value: Any, n: int) -> Any:
    if isinstance(value, str):
        return vary_text(value, n)
    if isinstance(value, list):
        return [_vary_value(v, n) for v in value]
    if isinstance(value, dict) and isinstance(value.get("@value"), str):
        return {**value, "@value": vary_text(value["@value"], n)}
    return value


def vary_json(obj: dict, n: int) -> dict:
    obj = copy.deepcopy(obj)
    nodes = [obj] + [g for g in obj.get("@graph", []) if isinstance(g, dict)]
    for node in nodes:
        if _types(node) & JSON_AGENTS:
            continue
        for key in JSON_TEXT:
            if key in node:
                node[key] = _vary_value(node[key], n)
        if isinstance(node.get("url"), str):
            node["url"] = vary_id(node["url"], n)
    return obj


@dataclass
class Workload:
    """N records of one format: serialised payloads and pre-parsed items."""

    fmt: str
    prefix: str
    templates: int
    items: list[Any]  # Item (XML) or JsonItem
    payloads: list[bytes]
    headers: list[tuple[str, str, list[str]]]


def build(fmt: str, n: int) -> Workload:
    if fmt == "oai_dc-bench":
        templates = load_oai_dc_bench(int(n / 0.95) + 100)[:n]  # 5 % of the server's are deleted
        vary = False
    else:
        templates = LOADERS[fmt]()
        vary = True
    items, payloads, headers = [], [], []
    for i in range(n):
        t = templates[i % len(templates)]
        ident = f"{t.identifier}#{i}" if vary else t.identifier
        headers.append((ident, t.datestamp, t.set_specs))
        if fmt == "jsonld":
            obj = vary_json(t.metadata, i)
            raw = json.dumps(obj, ensure_ascii=False).encode()
            payloads.append(raw)
            items.append(JsonItem(ident, t.datestamp, json.loads(raw), raw))
        else:
            el = vary_xml(t.metadata, i) if vary else t.metadata
            raw = etree.tostring(el)
            payloads.append(raw)
            items.append(
                Item(ident, t.datestamp, t.set_specs, False, etree.fromstring(raw, PARSER))
            )
    return Workload(fmt, PREFIX.get(fmt, fmt), len(templates), items, payloads, headers)


# ---------------------------------------------------------------- timing


def clear_caches() -> None:
    """Every lru cache under transforms/ except load-once ones (maxsize 1: vocabularies)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("transforms"):
            continue
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper) and value.cache_info().maxsize != 1:
                value.cache_clear()


def run_map(w: Workload, tally: Tally | None = None) -> None:
    if w.fmt == "jsonld":
        for item in w.items:
            map_json_item("bench", "jsonld", item, SHA, tally)
    else:
        for item in w.items:
            map_item("bench", w.prefix, item, SHA, tally)


def run_parse_map(w: Workload) -> None:
    if w.fmt == "jsonld":
        for (ident, stamp, _), raw in zip(w.headers, w.payloads, strict=True):
            map_json_item("bench", "jsonld", JsonItem(ident, stamp, json.loads(raw), raw), SHA)
    else:
        for (ident, stamp, sets), raw in zip(w.headers, w.payloads, strict=True):
            item = Item(ident, stamp, sets, False, etree.fromstring(raw, PARSER), raw)
            map_item("bench", w.prefix, item, SHA)


MODES: dict[str, Callable[[Workload], None]] = {
    "map": run_map,
    "map+tally": lambda w: run_map(w, Tally()),
    "parse+map": run_parse_map,
}


def measure(w: Workload, run: Callable[[Workload], None], repeat: int) -> dict:
    cpu, wall = [], []
    for _ in range(repeat):
        clear_caches()
        gc.collect()
        with fewer_gc_passes():
            c0, w0 = time.process_time(), time.perf_counter()
            run(w)
            c1, w1 = time.process_time(), time.perf_counter()
        cpu.append(c1 - c0)
        wall.append(w1 - w0)
    n = len(w.items)
    return {
        "cpu_s": [round(x, 3) for x in cpu],
        "wall_s": [round(x, 3) for x in wall],
        "rec_s_cpu": round(n / min(cpu)),
        "rec_s_wall": round(n / min(wall)),
        "us_per_rec_cpu": round(min(cpu) / n * 1e6, 1),
    }


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench(formats: list[str], n: int, repeat: int) -> dict:
    out: dict[str, Any] = {"n": n, "repeat": repeat, "code": code_state(), "formats": {}}
    out["load_start"] = loadavg()
    for fmt in formats:
        w = build(fmt, n)
        row: dict[str, Any] = {"templates": w.templates, "load": loadavg()}
        for mode, run in MODES.items():
            row[mode] = measure(w, run, repeat)
        out["formats"][fmt] = row
        print(
            f"{fmt:13} {w.templates:4} tpl  "
            + "  ".join(
                f"{m} {row[m]['rec_s_cpu']:>7,}/s cpu {row[m]['rec_s_wall']:>7,}/s wall"
                for m in MODES
            )
            + f"  (load {row['load']})",
            flush=True,
        )
        del w
    out["load_end"] = loadavg()
    return out


def profile(fmt: str, n: int) -> None:
    w = build(fmt, n)
    clear_caches()
    prof = cProfile.Profile()
    with fewer_gc_passes():
        prof.enable()
        run_map(w)
        prof.disable()
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(30)
        print(buf.getvalue())


# ---------------------------------------------------------------- identical-output snapshot


def _fields(record: Any) -> dict:
    fields = record_fields(record)
    fields["record_id"], fields["content_hash"] = record.record_id, record.content_hash
    return json.loads(json.dumps(fields))


def hygiene_inputs() -> list[str]:
    """Strings for clean_text: every text of the fixtures, and seeded mixtures of HTML,
    entities, odd whitespace, mojibake-prone characters and real mis-decoded text."""
    rng = random.Random(20261201)
    texts: set[str] = set()
    for fmt, load in LOADERS.items():
        for t in load():
            if fmt == "jsonld":
                texts.update(_json_strings(t.metadata))
            else:
                texts.update(t.metadata.itertext())
    import ftfy.badness

    cats = "".join(ftfy.badness.MOJIBAKE_CATEGORIES.values())
    alphabet = sorted(set(cats) | set("ÂÃÎÐØÙàВГРСΒΓΞΟβ€вЂ‚Ä√≈×²³Œœ") | set("aZz .,?!<>&;#\n\t-"))
    alphabet += [chr(c) for c in range(0x80, 0xA0)] + ["<p>", "</p>", "&amp;", "&lt;b&gt;", "  "]
    alphabet += [*"\r\f\v\u00a0\u2000\u2007\u200a\u202f\u205f\u3000", " \n ", "\n\n", "   "]
    out = sorted(texts)
    out += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16))) for _ in range(50_000)]
    for text in sorted(t for t in texts if not t.isascii())[:3000]:
        for enc in ("cp1252", "latin-1", "cp1251", "mac_roman", "cp1253", "cp1257"):
            out.append(text.encode("utf-8").decode(enc, errors="replace")[:400])
    return out


def _json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _json_strings(v)]
    return []


def snapshot(path: Path, n: int) -> None:
    """Fixture records as the golden tests map them, digests of the varied sets, and
    clean_text of `hygiene_inputs`."""
    from transforms.text import clean_text

    out: dict[str, Any] = {}
    hygiene = [[*clean_text(s)[:1], sorted(clean_text(s)[1])] for s in hygiene_inputs()]
    out["clean_text"] = {
        "inputs": len(hygiene),
        "mojibake": sum("mojibake" in fixes for _, fixes in hygiene),
        "digest": hashlib.sha256(json.dumps(hygiene).encode()).hexdigest(),
    }
    print(f"clean_text {out['clean_text']}")
    for fmt, load in LOADERS.items():
        records = []
        for t in load():
            if fmt == "jsonld":
                raw = json.dumps(t.metadata).encode()
                item = JsonItem(t.identifier, t.datestamp, t.metadata, raw)
                records.append(_fields(map_json_item("golden", "jsonld", item, SHA)))
            else:
                item = Item(t.identifier, t.datestamp, t.set_specs, False, t.metadata)
                records.append(_fields(map_item("golden", PREFIX.get(fmt, fmt), item, SHA)))
        w = build(fmt, n)
        clear_caches()
        tally = Tally()
        digest = hashlib.sha256()
        for item in w.items:
            if fmt == "jsonld":
                record = map_json_item("bench", "jsonld", item, SHA, tally)
            else:
                record = map_item("bench", w.prefix, item, SHA, tally)
            digest.update(json.dumps(_fields(record), sort_keys=True).encode())
        rows = tally.rows(DECLARATIONS)
        out[fmt] = {
            "fixture_records": records,
            "varied_n": n,
            "varied_digest": digest.hexdigest(),
            "tally_rows": rows,
        }
        print(f"{fmt:10} {len(records):4} fixture records, {n} varied: {digest.hexdigest()[:16]}")
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False, sort_keys=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--profile", choices=FORMATS)
    ap.add_argument("--snapshot", type=Path)
    args = ap.parse_args()
    if args.snapshot:
        snapshot(args.snapshot, min(args.n, 5_000))
        return
    if args.profile:
        profile(args.profile, args.n)
        return
    result = bench(args.formats, args.n, args.repeat)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
