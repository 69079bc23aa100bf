"""Records of a recorded corpus file (`../shared/corpus`), for evaluation and golden tests.

A gold set names records by a locator — the file relative to the corpus root and the
record's identifier — rather than copying their texts. `CorpusReader(root).record(file,
identifier)` maps that record with our own crosswalks, as a harvest would:

- `.xml`: every OAI `<record>` in the file (any wrapper; several documents concatenated in one
  file are split; undeclared prefixes declared), or the file's root as one record without an
  OAI header (identifier: the file name without `.xml`, e.g. Agrega's LOM files);
- `.json`: a JSON-LD node list (e.g. OER World Map actions); references to nodes in the
  other `.json` files of its folder (the agents) are resolved first;
- `.html`: the page's JSON-LD / microdata resources, read as if fetched from the URL the
  identifier starts with (`<page URL>#<n>`: the extractor's identifiers);
- `.csv`: `oerworldmap/OERRepositories/input.csv` rows (Name, Description, Topic, Audience,
  Language(s), license(s)); identifier `row:<n>:<Name>`, n the spreadsheet row (header: 1).
"""

from __future__ import annotations

import csv
import json
import os
import re
from functools import cache
from pathlib import Path

from lxml import etree

from harvesters.oai.hygiene import declare_missing_prefixes
from harvesters.oai.parse import RecordItem
from harvesters.web import extract_jsonld, resolve_references
from transforms.crosswalks import JsonItem, UnsupportedFormat, map_item, map_json_item
from transforms.model import Record

_XML_DECL = re.compile(rb"<\?xml\s[^>]*\?>")
_REPO_ROOT = Path(__file__).resolve().parents[1]
_NO_RAW = "0" * 64


# A record of a recorded file: the harvester's own item type (same fields, no warnings).
FixtureItem = RecordItem


def corpus_root() -> Path:
    """The recorded corpus: $OER_CORPUS, default ../shared/corpus beside the repository."""
    configured = Path(os.environ.get("OER_CORPUS") or "../shared/corpus")
    return configured if configured.is_absolute() else (_REPO_ROOT / configured).resolve()


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text(el: etree._Element, name: str) -> str:
    found = next((c for c in el if _local(c.tag) == name), None)
    return (found.text or "").strip() if found is not None else ""


def parse_fixture(content: bytes) -> list[etree._Element]:
    """Roots of a recorded file; several XML documents concatenated in one file are split."""
    starts = [m.start() for m in _XML_DECL.finditer(content)]
    chunks = (
        [content[a:b] for a, b in zip(starts, [*starts[1:], len(content)], strict=True)]
        if len(starts) > 1
        else [content]
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    roots = []
    for chunk in chunks:
        root, _, _ = declare_missing_prefixes(chunk.strip(), lambda b: etree.fromstring(b, parser))
        roots.append(root)
    return roots


def fixture_items(path: Path) -> list[FixtureItem]:
    """OAI `<record>`s in the file (any wrapper), or the file's root as one bare metadata record."""
    items: list[FixtureItem] = []
    for root in parse_fixture(path.read_bytes()):
        records = [
            el
            for el in root.iter()
            if _local(el.tag) == "record" and any(_local(c.tag) == "header" for c in el)
        ]
        if not records:
            items.append(FixtureItem(path.stem, "", [], False, root, etree.tostring(root)))
            continue
        for rec in records:
            header = next(c for c in rec if _local(c.tag) == "header")
            meta = next((c for c in rec if _local(c.tag) == "metadata"), None)
            payload = (
                next((c for c in meta if isinstance(c.tag, str)), None)
                if meta is not None
                else None
            )
            items.append(
                FixtureItem(
                    identifier=_text(header, "identifier"),
                    datestamp=_text(header, "datestamp"),
                    set_specs=[
                        (c.text or "").strip() for c in header if _local(c.tag) == "setSpec"
                    ],
                    deleted=header.get("status") == "deleted",
                    metadata=payload,
                    raw=etree.tostring(rec),
                )
            )
    return items


def _json(path: Path) -> list[dict]:
    data = json.loads(path.read_bytes().decode("utf-8-sig"))  # some dumps start with a BOM
    return data if isinstance(data, list) else [data]


def _csv_record(source: str, number: int, row: dict[str, str]) -> Record:
    def values(column: str) -> list[str]:
        return [v.strip() for v in re.split(r"[;,]", row.get(column) or "") if v.strip()]

    description = (row.get("Description") or "").strip()
    return Record(
        source=source,
        oai_identifier=f"row:{number}:{row['Name']}",
        metadata_prefix="csv",
        titles=[{"value": row["Name"].strip(), "lang": None}],
        descriptions=[{"value": d, "lang": None} for d in [description] if d],
        subjects=[{"value": v, "lang": None} for v in values("Topic") + values("Audience")],
        languages=values("Language(s)"),
        rights=values("license(s)"),
    ).finalise()


class CorpusReader:
    """Maps the records of recorded files under `root`, one file at a time (cached)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def record(self, relative: str, identifier: str) -> Record | None:
        """The record `identifier` of the file `relative`, or None when it is not there."""
        if relative.endswith(".html"):
            return self._page(relative, identifier.partition("#")[0]).get(identifier)
        return self._file(relative).get(identifier)

    @cache  # noqa: B019 - one reader per evaluation; the cache lives as long as it
    def _file(self, relative: str) -> dict[str, Record]:
        path = self.root / relative
        source = relative.split("/", 1)[0]
        out: dict[str, Record] = {}
        if path.suffix == ".xml":
            for item in fixture_items(path):
                try:
                    out[item.identifier] = map_item(source, "corpus", item, _NO_RAW)
                except UnsupportedFormat:
                    continue
        elif path.suffix == ".json":
            nodes = _json(path)
            others = [n for p in sorted(path.parent.glob("*.json")) if p != path for n in _json(p)]
            resolved = resolve_references(nodes + others)[: len(nodes)]
            for node, original in zip(resolved, nodes, strict=True):
                item = JsonItem(str(node.get("@id", "")), "", node, json.dumps(original).encode())
                out[item.identifier] = map_json_item(source, "jsonld", item, _NO_RAW)
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as fh:
                for number, row in enumerate(csv.DictReader(fh), start=2):  # header: row 1
                    if row.get("Name"):
                        record = _csv_record(source, number, row)
                        out[record.oai_identifier] = record
        return out

    @cache  # noqa: B019 - as above
    def _page(self, relative: str, url: str) -> dict[str, Record]:
        result = extract_jsonld((self.root / relative).read_bytes(), url)
        source = relative.split("/", 1)[0]
        records = (
            map_json_item(source, "jsonld", JsonItem(o.identifier, "", o.obj, o.raw), _NO_RAW)
            for o in result.resources
        )
        return {r.oai_identifier: r for r in records}
