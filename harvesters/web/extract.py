"""JSON-LD (and microdata) objects of one HTML page, one object per described thing.

`extract_jsonld(html, url)` returns every top-level node the page states, split into
`resources` (the nodes a harvest maps to records: CreativeWork subtypes, LearningResource,
Course…, or a WebPage whose `mainEntity` is one) and `others` (Organization, BreadcrumbList,
WebSite, events… kept for whoever needs them), plus the `problems` met on the way.

How a page is read
- The charset is the one given (HTTP header), else a BOM, else `<meta charset>` in the head,
  else UTF-8; the tree is parsed once (`extruct.utils.parse_html`).
- JSON-LD: every `<script type="application/ld+json">` (type compared case-insensitively,
  parameters such as `; charset=utf-8` ignored) is parsed **block by block** with the same
  parse extruct uses (`json.loads(strict=False)`, then extruct's `JsonLdExtractor` with its
  comment-tolerant fallback). Block by block because `extruct.extract` raises on the first
  bad block (`errors="strict"`) or silently drops *every* JSON-LD block of the page
  (`errors="ignore"`/`"log"`): we must keep the good blocks and report the bad one.
  A block only extruct's fallback reads → `lenient_json` warning; a block nothing reads →
  `invalid_json` error with the raw block text. Neither is ever swallowed.
- Microdata: `extruct.extract(tree, syntaxes=["microdata"], uniform=True)`; top-level items
  only (nested items are values of their parents). RDFa is not converted: extruct's RDFa
  output is the page's whole expanded graph (OpenGraph, XHTML vocab) and OER pages that
  have RDFa state the same facts in JSON-LD.
- Top-level arrays and `@graph` (nested too) are flattened into nodes; a `@graph` node
  inherits the `@context` of its graph, so the crosswalk can read `@language` from it.
- Relative IRIs are resolved against the page URL, as a JSON-LD processor does with the
  document base: `@id`/`id` and the URL-valued schema.org properties in `_URL_KEYS`.
- `@id` references: a value that is only `{"@id": X}` (optionally with `@type`) is replaced
  by a copy of the page's node with that id, recursively (cycles stop at the first repeat),
  so every object handed over is self-contained. References to ids not on the page stay.
- A resource node that names neither `url` nor `mainEntityOfPage` gets the page URL as its
  `mainEntityOfPage` (a WebPage node: as its `url`): the page it was found on describes it.
- Nodes with the same `@id` are merged into the first (its values win; a `duplicate_node`
  info problem notes it).

Item identifiers (`ExtractedObject.identifier`, the record's oai_identifier): the node's id
when it is an absolute http(s) URL or a URN; for a WebPage wrapping its main entity the
main entity's id is tried first. Otherwise `<page URL without fragment>#<n>`, n = the
node's 0-based position among all top-level nodes of the page (JSON-LD blocks in document
order, arrays and graphs flattened, then microdata items). `item_identifier` is the rule,
for JSON files as well (the file's URL as the base).

May import: the standard library, lxml, extruct (see harvesters/web/README.md).
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin

import extruct
import lxml.html
from extruct.jsonld import JsonLdExtractor
from extruct.utils import parse_html
from lxml import etree

JSON = Any

# schema.org types whose nodes are resources (local names; any prefix/IRI form accepted).
RESOURCE_TYPES = frozenset(
    """CreativeWork LearningResource Course Quiz Syllabus EducationalOccupationalProgram
    Book Audiobook Chapter Article ScholarlyArticle NewsArticle TechArticle Report
    BlogPosting Thesis Manuscript Dataset DataCatalog DataDownload MediaObject VideoObject
    AudioObject ImageObject TextObject 3DModel Podcast PodcastEpisode PodcastSeries Episode
    Clip Movie CreativeWorkSeries Periodical PublicationIssue PublicationVolume Collection
    Map SoftwareApplication WebApplication MobileApplication SoftwareSourceCode Game
    VideoGame DigitalDocument TextDigitalDocument PresentationDigitalDocument
    SpreadsheetDigitalDocument NoteDigitalDocument HowTo Guide Photograph Painting Drawing
    Poster VisualArtwork Sculpture MusicRecording""".split()  # noqa: SIM905
)
# WebPage and its subtypes: a resource only when their mainEntity is one.
PAGE_TYPES = frozenset(
    """WebPage ItemPage AboutPage CollectionPage MediaGallery ImageGallery VideoGallery
    ContactPage FAQPage QAPage ProfilePage SearchResultsPage CheckoutPage MedicalWebPage
    RealEstateListing""".split()  # noqa: SIM905
)
# Properties whose string values are IRIs in the schema.org context ("@type": "@id").
_URL_KEYS = frozenset(
    """@id id url image thumbnailUrl contentUrl embedUrl logo sameAs license mainEntityOfPage
    discussionUrl downloadUrl installUrl""".split()  # noqa: SIM905
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_MAX_DEPTH = 32  # bound for reference embedding and flattening


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong on the page; `raw` keeps the block (or value) it is about."""

    code: str  # invalid_json, lenient_json, empty_block, not_an_object, duplicate_node,
    # microdata_error, html_error
    severity: str  # error, warning, info
    message: str
    block: int | None = None  # index of the ld+json script block on the page
    raw: str | None = None


@dataclass(slots=True)
class ExtractedObject:
    """One top-level node: what a harvester turns into a `JsonItem`."""

    identifier: str  # see the module docstring
    obj: dict[str, JSON]  # references resolved, relative IRIs absolute
    raw: bytes  # the block as found (JSON-LD), or the extruct item as JSON (microdata)
    syntax: str  # json-ld or microdata
    types: tuple[str, ...]  # @type values as given
    block: int | None = None


@dataclass(slots=True)
class ExtractResult:
    url: str
    resources: list[ExtractedObject] = field(default_factory=list)
    others: list[ExtractedObject] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def objects(self) -> list[ExtractedObject]:
        return [*self.resources, *self.others]


# ---------------------------------------------------------------- small JSON-LD helpers


def local_type(value: str) -> str:
    """`http://schema.org/Book`, `schema:Book`, `Book` → `Book`."""
    return re.split(r"[/#:]", value.rstrip("/"))[-1]


def node_id(node: dict[str, JSON]) -> str | None:
    value = node.get("@id", node.get("id"))
    return value.strip() or None if isinstance(value, str) else None


def node_types(node: dict[str, JSON]) -> tuple[str, ...]:
    value = node.get("@type", node.get("type"))
    values = value if isinstance(value, list) else [value]
    return tuple(v for v in values if isinstance(v, str) and v.strip())


def _is_reference(value: dict[str, JSON]) -> bool:
    return (
        bool(value)
        and all(k in ("@id", "id", "@type", "type") for k in value)
        and (node_id(value) is not None)
    )


def is_resource(node: dict[str, JSON]) -> bool:
    """Whether a node describes a resource (directly, or as a WebPage's main entity)."""
    types = {local_type(t) for t in node_types(node)}
    if types & RESOURCE_TYPES:
        return True
    if types & PAGE_TYPES:
        main = main_entity(node)
        return main is not None and bool({local_type(t) for t in node_types(main)} & RESOURCE_TYPES)
    return False


def main_entity(node: dict[str, JSON]) -> dict[str, JSON] | None:
    value = node.get("mainEntity")
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            return item
    return None


def _absolute_id(value: str | None) -> bool:
    return bool(value) and value.lower().startswith(("http://", "https://", "urn:"))  # type: ignore[union-attr]


def item_identifier(node: dict[str, JSON], base_url: str, index: int) -> str:
    """The item identifier rule (module docstring): absolute id, else `<base>#<index>`."""
    candidates = []
    if {local_type(t) for t in node_types(node)} & PAGE_TYPES and (main := main_entity(node)):
        candidates.append(node_id(main))
    candidates.append(node_id(node))
    for candidate in candidates:
        if _absolute_id(candidate):
            return candidate  # type: ignore[return-value]
    return f"{urldefrag(base_url)[0]}#{index}"


def flatten(data: JSON, context: JSON = None, depth: int = 0) -> list[dict[str, JSON]]:
    """Top-level nodes of a JSON-LD document: arrays and @graph flattened, @context kept."""
    if depth > _MAX_DEPTH:
        return []
    if isinstance(data, list):
        return [n for item in data for n in flatten(item, context, depth + 1)]
    if not isinstance(data, dict):
        return []
    ctx = data.get("@context", context)
    if "@graph" not in data:
        if ctx is not None and "@context" not in data:
            data = {"@context": ctx, **data}
        return [data]
    nodes = flatten(data["@graph"], ctx, depth + 1)
    rest = {k: v for k, v in data.items() if k not in ("@graph", "@context")}
    if rest and set(rest) - {"@id", "id"}:  # a named graph that describes something itself
        nodes.insert(0, {"@context": ctx, **rest} if ctx is not None else rest)
    return nodes


def absolutize(value: JSON, base_url: str, depth: int = 0) -> JSON:
    """Resolve relative IRIs of `_URL_KEYS` properties against `base_url` (new structure)."""
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, list):
        return [absolutize(v, base_url, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, inner in value.items():
        if key in _URL_KEYS and base_url:
            inner = _resolve_iri(inner, base_url)
        out[key] = absolutize(inner, base_url, depth + 1)
    return out


def _resolve_iri(value: JSON, base_url: str) -> JSON:
    if isinstance(value, list):
        return [_resolve_iri(v, base_url) for v in value]
    if isinstance(value, str):
        text = value.strip()
        if text and not text.startswith("_:") and not _SCHEME.match(text):
            return urljoin(base_url, text)
    return value


def resolve_references(nodes: list[dict[str, JSON]]) -> list[dict[str, JSON]]:
    """Copies of `nodes` with `{"@id": X}` values replaced by the node with id X, if given.

    Nodes sharing an id are merged into the first one (its values win). Works for any list
    of nodes: one page's, or a JSON dump's (e.g. OER World Map actions plus their agents).
    """
    by_id: dict[str, dict[str, JSON]] = {}
    for node in nodes:
        ident = node_id(node)
        if ident and not _is_reference(node):
            if ident in by_id:
                for key, value in node.items():
                    by_id[ident].setdefault(key, value)
            else:
                by_id[ident] = dict(node)

    def embed(value: JSON, seen: tuple[str, ...], depth: int) -> JSON:
        if depth > _MAX_DEPTH:
            return value
        if isinstance(value, list):
            return [embed(v, seen, depth + 1) for v in value]
        if not isinstance(value, dict):
            return value
        ident = node_id(value)
        if ident and _is_reference(value) and ident in by_id and ident not in seen:
            return embed(by_id[ident], (*seen, ident), depth + 1)
        inner_seen = (*seen, ident) if ident else seen
        return {k: embed(v, inner_seen, depth + 1) for k, v in value.items()}

    out = []
    for node in nodes:
        ident = node_id(node)
        full = by_id.get(ident, node) if ident else node
        out.append(embed(full, (ident,) if ident else (), 0))
    return out


# ---------------------------------------------------------------- the page


def sniff_encoding(html: bytes, declared: str | None = None) -> str:
    for candidate in (declared, _bom_encoding(html), _meta_charset(html)):
        if candidate:
            try:
                return codecs.lookup(candidate).name
            except LookupError:
                continue
    return "utf-8"


def _bom_encoding(html: bytes) -> str | None:
    if html.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if html.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _meta_charset(html: bytes) -> str | None:
    match = _META_CHARSET.search(html[:4096])
    return match[1].decode("ascii") if match else None


def _is_jsonld_script(el: etree._Element) -> bool:
    kind = (el.get("type") or "").split(";")[0].strip().lower()
    return kind == "application/ld+json"


def _parse_block(text: str, index: int, problems: list[Problem]) -> list[JSON] | None:
    """The block's top-level JSON values, or None (with a problem) when it is not JSON."""
    try:
        data = json.loads(text, strict=False)
        return data if isinstance(data, list) else [data]
    except ValueError as strict_error:
        try:
            script = lxml.html.Element("script", type="application/ld+json")
            script.text = text  # lxml refuses control characters: then it is not JSON either
            items = list(JsonLdExtractor().extract_items(script))
        except Exception:  # extruct's fallback raises whatever jstyleson raises
            problems.append(
                Problem(
                    "invalid_json",
                    "error",
                    f"ld+json block {index} is not JSON: {strict_error}",
                    index,
                    text,
                )
            )
            return None
        problems.append(
            Problem(
                "lenient_json",
                "warning",
                f"ld+json block {index} is not strict JSON ({strict_error}); read after "
                "removing comments / trailing commas",
                index,
                text,
            )
        )
        return items


def extract_jsonld(html: bytes, url: str, encoding: str | None = None) -> ExtractResult:
    """All JSON-LD and microdata nodes of a page; never raises on bad input."""
    result = ExtractResult(url=url)
    try:
        tree = parse_html(html, sniff_encoding(html, encoding))
    except Exception as exc:  # lxml refuses empty or undecodable documents
        result.problems.append(Problem("html_error", "error", f"page not parsed: {exc}"))
        return result
    if tree is None:
        result.problems.append(Problem("html_error", "error", "page has no document"))
        return result

    found: list[tuple[dict[str, JSON], str, int | None, bytes]] = []
    scripts = [el for el in tree.iter("script") if _is_jsonld_script(el)]
    for index, script in enumerate(scripts):
        text = script.xpath("string()")
        if not text.strip():
            result.problems.append(
                Problem("empty_block", "info", f"ld+json block {index} is empty", index, text)
            )
            continue
        values = _parse_block(text, index, result.problems)
        if values is None:
            continue
        raw = text.strip().encode("utf-8")
        for value in values:
            nodes = flatten(value)
            if not nodes and value not in (None, {}, []):
                result.problems.append(
                    Problem(
                        "not_an_object",
                        "warning",
                        f"ld+json block {index} holds a {type(value).__name__}, not an object",
                        index,
                        text,
                    )
                )
            found.extend((absolutize(n, url), "json-ld", index, raw) for n in nodes if n)

    try:
        microdata = extruct.extract(tree, base_url=url, syntaxes=["microdata"], uniform=True)
    except Exception as exc:
        result.problems.append(Problem("microdata_error", "error", f"microdata: {exc}"))
        microdata = {}
    for item in microdata.get("microdata", []):
        if isinstance(item, dict) and item:
            raw = json.dumps(item, ensure_ascii=False).encode("utf-8")
            found.append((item, "microdata", None, raw))

    _report_duplicates(found, result.problems)
    resolved = resolve_references([node for node, _, _, _ in found])
    seen: set[str] = set()
    for position, (node, (original, syntax, block, raw)) in enumerate(
        zip(resolved, found, strict=True)
    ):
        ident = node_id(original)
        if ident and ident in seen and not _is_reference(original):
            continue  # merged into the first node with this id
        if ident:
            seen.add(ident)
        if _is_reference(original):
            continue  # a bare reference at top level says nothing by itself
        if is_resource(node) and not any(k in node for k in ("url", "mainEntityOfPage")):
            page = bool({local_type(t) for t in node_types(node)} & PAGE_TYPES)
            node = {**node, ("url" if page else "mainEntityOfPage"): urldefrag(url)[0]}
        obj = ExtractedObject(
            identifier=item_identifier(node, url, position),
            obj=node,
            raw=raw,
            syntax=syntax,
            types=node_types(node),
            block=block,
        )
        (result.resources if is_resource(node) else result.others).append(obj)
    _drop_wrapped_entities(result)
    return result


def _report_duplicates(
    found: list[tuple[dict[str, JSON], str, int | None, bytes]], problems: list[Problem]
) -> None:
    seen: set[str] = set()
    for node, _, block, _ in found:
        ident = node_id(node)
        if ident and not _is_reference(node):
            if ident in seen:
                problems.append(
                    Problem(
                        "duplicate_node",
                        "info",
                        f"node {ident} is described more than once; merged into the first",
                        block,
                    )
                )
            seen.add(ident)


def _drop_wrapped_entities(result: ExtractResult) -> None:
    """A resource that is also a page's main entity is mapped through the page: one item."""
    wrapped = {
        result_id
        for obj in result.resources
        if (main := main_entity(obj.obj)) is not None
        and {local_type(t) for t in obj.types} & PAGE_TYPES
        and (result_id := node_id(main))
    }
    keep, moved = [], []
    for obj in result.resources:
        page = bool({local_type(t) for t in obj.types} & PAGE_TYPES)
        (moved if not page and node_id(obj.obj) in wrapped else keep).append(obj)
    result.resources = keep
    result.others.extend(moved)
