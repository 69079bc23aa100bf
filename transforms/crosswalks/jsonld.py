"""schema.org / LRMI / AMB JSON-LD → Record.

Input: one JSON-LD node as found on the web (harvesters.web.extract hands them over, one
per resource): compacted with the schema.org context (`@id`/`@type`), the AMB profile
(https://w3id.org/kim/amb/context.jsonld, also the older …/lrmi-profile/draft/context.jsonld:
`id`/`type` without `@`, `prefLabel` language maps, HCRT / LRMI concept URIs), LRMI terms,
extruct's uniform microdata (`id`, nested `value`), OER World Map actions, and keys as full
schema.org IRIs or `schema:` CURIEs (mapped by their local name). Every property may be a
single value or a list; text may be a string, a value object `{"@value", "@language"}` or a
language map `{"de": …, "en": …}`. A node with `@graph` is mapped through its first
resource node, with `@id` references resolved within the graph (the extractor already
embeds references across a page; see harvesters/web/extract.py).

Language of text: the value object's `@language`, else the language map key, else the
`@language` of the node's `@context`, else `inLanguage` when it is one language tag.

What maps where (MAPPED below is the list of top-level keys; a key covers what is beneath):
- name, then headline / alternativeHeadline / alternateName → titles; description /
  abstract / disambiguatingDescription → descriptions
- creator / author → creators; contributor (and editor, translator, illustrator, producer,
  copyrightHolder as roles) → contributors; publisher / provider / sourceOrganization →
  publishers; Action `agent` → creators (role "agent"), `participant` → contributors.
  Agents: name, else "family, given", else legalName; identifier = the first ORCID / ROR /
  GND / ISNI / Wikidata id among id, sameAs and identifier, else the first absolute id.
  schema.org Role wrappers (`{"roleName", "author": {…}}`) give the role. An agent with an
  id but no name (an unresolved reference) is not invented: `unresolved_reference` issue.
- dateCreated → created, datePublished → issued, dateModified → modified, uploadDate →
  available, copyrightYear → copyrighted, startTime / startDate → start, endTime / endDate
  → end
- keywords (comma-separated string or list) → subjects; about / teaches / assesses
  (strings or concepts with prefLabel / name and id) → subjects (every label) and, when
  the concept has an id or code, classifications (scheme = inScheme / inDefinedTermSet, else
  the id's namespace); educationalAlignment (and AlignmentObject properties put on the node
  itself, as HOOU does) → classifications (scheme = educationalFramework), plus
  education_levels / subjects for alignmentType educationalLevel / educationalSubject
- inLanguage / language → languages (raw; a Language object's alternateName or name)
- license / useRightsUrl (URL, or object id / url / name), copyrightNotice,
  conditionsOfAccess (concept id or label) → rights; isAccessibleForFree → rights as
  "isAccessibleForFree=true|false" (the statement as given, named so it reads alone)
- learningResourceType (text, URI, or concept: raw = id, else label) → learning resource
  types (HCRT mapping by common.add_learning_resource_type)
- educationalLevel → education_levels; audience (educationalRole / audienceType / concept)
  and a stray top-level educationalRole → audiences; concept values give their labels,
  else their id. typicalAgeRange (and audience suggestedMinAge/MaxAge) → typical_age_ranges
- timeRequired, else duration → duration; accessMode, accessModeSufficient,
  accessibilityFeature / Hazard / Summary / API / Control → accessibility;
  interactivityType (text or LRMI concept; URI → its last segment) → interactivity_type
- isPartOf, hasPart, isBasedOn / isBasedOnUrl (isDerivedFrom), workExample (hasVersion),
  exampleOfWork (isVersionOf), translationOfWork / workTranslation, citation (references)
  → related (target = id, else url, else name)
- funder → funders; funding / isFundedBy (Grant: funder / isAwardedBy, award = the grant's
  id / url / sameAs / identifier / name)
- url, mainEntityOfPage, id (absolute http URLs) → landing_page, first wins, and
  identifiers (a URN id too); sameAs, identifier (string or PropertyValue), isbn, issn →
  identifiers
- encoding / associatedMedia (MediaObject contentUrl with encodingFormat, embedUrl),
  contentUrl, embedUrl → downloads; encodingFormat / fileFormat / bookFormat → formats
- image / thumbnailUrl / thumbnail (URL or ImageObject) → thumbnails
- @type → resource_types (all, as given)
- location / spatialCoverage / contentLocation (Place name or address), temporalCoverage
  → coverage
- A WebPage (or subtype) whose mainEntity is an object: the main entity is mapped (an info
  issue `main_entity_mapped` says so); landing page = the entity's url / mainEntityOfPage,
  else the page's url / id, else the entity's id.

Dropped (DROPPED): page furniture and commerce (breadcrumb, offers, aggregateRating, review,
potentialAction…), full text (text, articleBody), counts (numberOfPages, position…),
educationalUse, genre, competencyRequired, caption, trailer and version (no model field;
the raw payload keeps them), metadata about the metadata (sd*) and AMB `mainEntityOfPage`
provider / dates (who published the *metadata*); the last are declared as sub-paths of
mapped keys, which the coverage tally reports as dropped. Agents keep their first
affiliation (affiliation, memberOf or worksFor: name and id). `mainEntity` of a node that
is not a page is not mapped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from transforms.crosswalks.common import (
    add_agent,
    add_classification,
    add_date,
    add_download,
    add_funder,
    add_identifier,
    add_issue,
    add_learning_resource_type,
    add_plain,
    add_relation,
    add_text,
    add_thumbnail,
    check_required,
    clean,
    is_url,
    set_duration,
    set_landing_page,
)
from transforms.model import Record

NAME = "jsonld"
JSON = Any

_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_NOT_LANG_KEYS = frozenset({"id", "url", "type", "value", "name", "sex"})
_PID = re.compile(r"orcid\.org/|ror\.org/|d-nb\.info/gnd/|isni\.org/|wikidata\.org/", re.I)
_SPLIT_TYPE = re.compile(r"[/#:]")

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
)  # the same list as harvesters.web.extract (transforms may not import harvesters)
PAGE_TYPES = frozenset(
    """WebPage ItemPage AboutPage CollectionPage MediaGallery ImageGallery VideoGallery
    ContactPage FAQPage QAPage ProfilePage SearchResultsPage CheckoutPage MedicalWebPage
    RealEstateListing""".split()  # noqa: SIM905
)


# ---------------------------------------------------------------- reading values


@dataclass(slots=True)
class _Ctx:
    record: Record
    lang: str | None  # default language of plain strings
    node: dict[str, JSON] = field(default_factory=dict)  # the node being mapped
    nodes: dict[str, dict[str, JSON]] = field(default_factory=dict)  # @graph by id
    unresolved: list[str] = field(default_factory=list)


def _list(value: JSON) -> list[JSON]:
    """A value as a flat list: None → [], nested lists flattened (iteratively: no depth limit)."""
    if not isinstance(value, list):
        return [] if value is None else [value]
    out: list[JSON] = []
    stack = [iter(value)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            if item is not None:
                out.append(item)
        else:
            stack.pop()
    return out


def _str(value: JSON) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value).strip()
    return ""


def _id(value: JSON) -> str:
    """The node id (`@id` / `id`), '' for blank nodes and non-objects."""
    if not isinstance(value, dict):
        return ""
    ident = _str(value.get("@id")) or _str(value.get("id"))
    return "" if ident.startswith("_:") else ident


def _types(node: dict[str, JSON]) -> list[str]:
    return [t for t in (_str(v) for v in _list(node.get("@type", node.get("type")))) if t]


def _local(value: str) -> str:
    return _SPLIT_TYPE.split(value.rstrip("/"))[-1]


def _is_lang_map(value: dict[str, JSON]) -> bool:
    return bool(value) and all(
        isinstance(k, str)
        and (k == "@none" or (_LANG_TAG.match(k) and k not in _NOT_LANG_KEYS))
        and all(isinstance(v, str) for v in _list(x))
        for k, x in value.items()
    )


def _texts(value: JSON, lang: str | None) -> list[tuple[str, str | None]]:
    """(text, lang) pairs of a literal value: strings, value objects, language maps."""
    out: list[tuple[str, str | None]] = []
    for item in _list(value):
        if isinstance(item, dict):
            if "@value" in item:
                text = _str(item["@value"])
                if text:
                    out.append((text, _str(item.get("@language")) or lang))
            elif _is_lang_map(item):
                for key, inner in item.items():
                    key_lang = None if key == "@none" else key
                    out.extend((t, key_lang) for t in (_str(v) for v in _list(inner)) if t)
        elif text := _str(item):
            out.append((text, lang if isinstance(item, str) else None))
    return out


def _labels(node: dict[str, JSON], lang: str | None) -> list[tuple[str, str | None]]:
    """Labels of a concept / thing: prefLabel, else name, else (microdata) value."""
    for key in ("prefLabel", "name", "value", "@value", "termCode"):
        if key in node and (found := _texts(node[key], lang)):
            return found
    return []


def _is_node(value: JSON) -> bool:
    """An object that is neither a value object nor a language map."""
    return isinstance(value, dict) and "@value" not in value and not _is_lang_map(value)


def _first_label(node: dict[str, JSON], lang: str | None = None) -> tuple[str, str | None]:
    labels = _labels(node, lang)
    return labels[0] if labels else ("", None)


def _first_text(value: JSON, lang: str | None = None) -> str:
    found = _texts(value, lang)
    return found[0][0] if found else ""


def _normalise_keys(node: dict[str, JSON]) -> dict[str, JSON]:
    """`http://schema.org/name`, `schema:name`, `sdo:name` → `name` (other keys as given)."""
    if not any(isinstance(k, str) and ":" in k for k in node):
        return node
    out: dict[str, JSON] = {}
    for key, value in node.items():
        if isinstance(key, str) and ":" in key and not key.startswith("@"):
            key = _SPLIT_TYPE.split(key.rstrip("/"))[-1]
        out.setdefault(key, value)
    return out


def _deref(ctx: _Ctx, value: JSON) -> JSON:
    """A `{"@id": X}` reference → the graph's node X when the graph has it."""
    if isinstance(value, dict):
        ident = _id(value)
        if ident and ident in ctx.nodes and set(value) <= {"@id", "id", "@type", "type"}:
            return ctx.nodes[ident]
        return _normalise_keys(value)
    return value


def _objects(ctx: _Ctx, value: JSON) -> list[JSON]:
    return [_deref(ctx, v) for v in _list(value)]


def _context_lang(context: JSON) -> str | None:
    for item in _list(context):
        if isinstance(item, dict) and (lang := _str(item.get("@language"))):
            return lang
    return None


# ---------------------------------------------------------------- field mappers

Mapper = Callable[[_Ctx, JSON], None]


def _text_field(field_name: str) -> Mapper:
    def mapper(ctx: _Ctx, value: JSON) -> None:
        for item in _objects(ctx, value):
            pairs = _labels(item, ctx.lang) if _is_node(item) else _texts(item, ctx.lang)
            for text, lang in pairs:
                add_text(ctx.record, field_name, text, lang)

    return mapper


def _agent_name(node: dict[str, JSON], lang: str | None) -> str:
    if name := _first_text(node.get("name"), lang):
        return name
    family = _first_text(node.get("familyName"), lang)
    given = _first_text(node.get("givenName"), lang)
    if family or given:
        return ", ".join(p for p in (family, given) if p)
    return _first_text(node.get("legalName"), lang) or _first_text(node.get("value"), lang)


def _agent_id(node: dict[str, JSON]) -> str | None:
    candidates = [_id(node)]
    candidates += [_str(v) for v in _list(node.get("sameAs"))]
    for ident in _list(node.get("identifier")):
        candidates.append(_str(ident.get("value")) if isinstance(ident, dict) else _str(ident))
    candidates = [c for c in candidates if c]
    for candidate in candidates:
        if _PID.search(candidate):
            return candidate
    return next((c for c in candidates if is_url(c) or c.lower().startswith("urn:")), None)


_ROLE_KEYS = ("author", "creator", "contributor", "publisher", "editor", "agent", "funder")


def _agents(field_name: str, role: str | None = None) -> Mapper:
    def mapper(ctx: _Ctx, value: JSON) -> None:
        for item in _objects(ctx, value):
            _add_agent(ctx, field_name, item, role)

    return mapper


def _add_agent(ctx: _Ctx, field_name: str, item: JSON, role: str | None) -> None:
    if isinstance(item, dict) and "@value" not in item:
        if "roleName" in item and (inner := next((k for k in _ROLE_KEYS if k in item), None)):
            role_name = _first_text(item.get("roleName")) or role
            for nested in _objects(ctx, item[inner]):
                _add_agent(ctx, field_name, nested, role_name)
            return
        name = _agent_name(item, ctx.lang)
        ident = _agent_id(item)
        if name:
            affiliation, affiliation_id = _affiliation(ctx, item)
            add_agent(
                ctx.record,
                field_name,
                name,
                ident,
                role,
                affiliation=affiliation,
                affiliation_id=affiliation_id,
            )
        elif ident:
            ctx.unresolved.append(ident)
        return
    text = _first_text(item, ctx.lang)
    if text and (is_url(text) or text.startswith("/")):
        ctx.unresolved.append(text)  # a link to the agent, not its name
    elif text:
        add_agent(ctx.record, field_name, text, None, role)


def _affiliation(ctx: _Ctx, agent: dict) -> tuple[str | None, str | None]:
    """An agent's first affiliation (or memberOf / worksFor): name and id (ROR when given)."""
    for key in ("affiliation", "memberOf", "worksFor"):
        for org in _objects(ctx, agent.get(key)):
            if isinstance(org, dict):
                name = _agent_name(org, ctx.lang)
                if name or _agent_id(org):
                    return name or None, _agent_id(org)
            elif text := _first_text(org, ctx.lang):
                return text, None
    return None, None


def _dates(kind: str) -> Mapper:
    def mapper(ctx: _Ctx, value: JSON) -> None:
        for text, _ in _texts(value, None):
            add_date(ctx.record, text, kind)

    return mapper


def _keywords(ctx: _Ctx, value: JSON) -> None:
    """A list of keywords, or one comma-separated string; repeated keywords once."""
    items = _list(value)
    for item in items:
        if _is_node(item):
            _concept(ctx, _deref(ctx, item), subjects=True)
            continue
        for text, lang in _texts(item, ctx.lang):
            for part in text.split(",") if len(items) == 1 else [text]:
                keyword = part.strip()
                if not any(
                    s["value"] == keyword and s["lang"] == lang for s in ctx.record.subjects
                ):
                    add_text(ctx.record, "subjects", keyword, lang)


def _scheme_of(node: dict[str, JSON], uri: str) -> str | None:
    for key in ("inScheme", "inDefinedTermSet", "educationalFramework"):
        for item in _list(node.get(key)):
            scheme = (_id(item) or _first_label(item)[0]) if isinstance(item, dict) else _str(item)
            if scheme:
                return scheme
    if is_url(uri):
        cut = max(uri.rstrip("/").rfind("/"), uri.rfind("#"))
        return uri[: cut + 1] if cut > len("https://") else None
    return None


def _concept(ctx: _Ctx, item: JSON, subjects: bool) -> None:
    """A subject concept: labels → subjects; id / code → a classification."""
    if not isinstance(item, dict) or "@value" in item:
        for text, lang in _texts(item, ctx.lang):
            if is_url(text):
                add_classification(ctx.record, text, _scheme_of({}, text), text)
            elif subjects:
                add_text(ctx.record, "subjects", text, lang)
        return
    labels = _labels(item, ctx.lang)
    if subjects:
        for text, lang in labels:
            add_text(ctx.record, "subjects", text, lang)
    uri = _id(item) or _str(item.get("url"))
    code = _first_text(item.get("termCode")) or _first_text(item.get("codeValue"))
    if uri or code:
        label = labels[0][0] if labels else None
        add_classification(ctx.record, code or uri, _scheme_of(item, uri), uri or None, label)


def _concepts(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        _concept(ctx, item, subjects=True)


def _concept_values(ctx: _Ctx, item: JSON) -> list[tuple[str, str | None]]:
    """Labels of a concept value (every language), else its id; plain text as given."""
    if isinstance(item, dict) and "@value" not in item:
        return _labels(item, ctx.lang) or ([(_id(item), None)] if _id(item) else [])
    return _texts(item, ctx.lang)


def _alignment(ctx: _Ctx, node: dict[str, JSON]) -> None:
    name = _first_text(node.get("targetName"), ctx.lang)
    target = _first_text(node.get("targetUrl"))
    framework = _first_text(node.get("educationalFramework"))
    if not (name or target):
        return
    kind = _first_text(node.get("alignmentType")).lower()
    if kind == "educationallevel":
        add_text(ctx.record, "education_levels", name or target, ctx.lang if name else None)
    elif kind == "educationalsubject" and name:
        add_text(ctx.record, "subjects", name, ctx.lang)
    add_classification(ctx.record, name or target, framework or None, target or None, name)


def _alignments(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        if isinstance(item, dict):
            _alignment(ctx, item)


def _languages(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        if isinstance(item, dict) and "@value" not in item:
            text = _first_text(item.get("alternateName")) or _first_text(item.get("name"))
            text = text or _id(item)
            if text:
                add_plain(ctx.record, "languages", text)
        else:
            for text, _ in _texts(item, None):
                add_plain(ctx.record, "languages", text)


def _rights(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        if isinstance(item, dict) and "@value" not in item:
            text = _id(item) or _first_text(item.get("url")) or _first_label(item)[0]
            if text:
                add_plain(ctx.record, "rights", text)
        else:
            for text, _ in _texts(item, None):
                add_plain(ctx.record, "rights", text)


def _free(ctx: _Ctx, value: JSON) -> None:
    for text, _ in _texts(value, None):
        add_plain(ctx.record, "rights", f"isAccessibleForFree={text.lower()}")


def _lrt(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        if isinstance(item, dict) and "@value" not in item:
            label, lang = _first_label(item, ctx.lang)
            if ident := _id(item):
                add_learning_resource_type(ctx.record, ident)
            elif label:
                add_learning_resource_type(ctx.record, label, lang)
        else:
            for text, lang in _texts(item, ctx.lang):
                add_learning_resource_type(ctx.record, text, lang)


def _values_into(field_name: str) -> Mapper:
    def mapper(ctx: _Ctx, value: JSON) -> None:
        for item in _objects(ctx, value):
            for text, lang in _concept_values(ctx, item):
                add_text(ctx.record, field_name, text, lang)

    return mapper


def _audience(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        if isinstance(item, dict) and "@value" not in item:
            inner = _objects(ctx, item.get("educationalRole"))
            inner += _objects(ctx, item.get("audienceType"))
            if inner:
                pairs = [p for v in inner for p in _concept_values(ctx, v)]
            else:
                pairs = _concept_values(ctx, item)
            for text, lang in pairs:
                add_text(ctx.record, "audiences", text, lang)
            _age_range(ctx, item)
        else:
            for text, lang in _texts(item, ctx.lang):
                add_text(ctx.record, "audiences", text, lang)


def _age_range(ctx: _Ctx, node: dict[str, JSON]) -> None:
    low = _first_text(node.get("suggestedMinAge"))
    high = _first_text(node.get("suggestedMaxAge"))
    if low or high:
        add_plain(ctx.record, "typical_age_ranges", f"{low}-{high}")


def _plain(field_name: str) -> Mapper:
    def mapper(ctx: _Ctx, value: JSON) -> None:
        for item in _objects(ctx, value):
            pairs = _concept_values(ctx, item)
            for text, _ in pairs:
                add_plain(ctx.record, field_name, text)

    return mapper


def _duration(ctx: _Ctx, value: JSON) -> None:
    text = _first_text(value)
    if text:
        set_duration(ctx.record, text)


def _accessibility(name: str) -> Mapper:
    def mapper(ctx: _Ctx, value: JSON) -> None:
        for item in _objects(ctx, value):
            for text, _ in _concept_values(ctx, item):
                add_property(ctx.record, "accessibility", name, text)

    return mapper


def add_property(record: Record, field_name: str, name: str, raw: str) -> None:
    """Append a Property (name, cleaned value) to a list field, no duplicates."""
    text = clean(record, field_name, raw)
    values = getattr(record, field_name)
    if text and not any(p["name"] == name and p["value"] == text for p in values):
        values.append({"name": name, "value": text})


def _interactivity(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        text = (_id(item) or _first_label(item)[0]) if _is_node(item) else _first_text(item)
        if text and ctx.record.interactivity_type is None:
            ctx.record.interactivity_type = _local(text) if is_url(text) else text


def _relations(kind: str) -> Mapper:
    def mapper(ctx: _Ctx, value: JSON) -> None:
        for item in _objects(ctx, value):
            if isinstance(item, dict) and "@value" not in item:
                target = (
                    _id(item)
                    or _first_text(item.get("url"))
                    or _first_text(item.get("name"), ctx.lang)
                )
            else:
                target = _first_text(item)
            if target:
                add_relation(ctx.record, kind, target)

    return mapper


def _funders(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        if isinstance(item, dict) and "@value" not in item:
            add_funder(ctx.record, _agent_name(item, ctx.lang), _agent_id(item))
        elif text := _first_text(item):
            add_funder(ctx.record, text)


def _grants(ctx: _Ctx, value: JSON) -> None:
    """schema.org `funding` / OER World Map `isFundedBy`: Grant objects with their funder."""
    for grant in _objects(ctx, value):
        if not isinstance(grant, dict):
            if text := _first_text(grant):
                add_funder(ctx.record, "", None, text)
            continue
        award = (
            _id(grant)
            or _first_text(grant.get("url"))
            or _first_text(grant.get("sameAs"))
            or _first_text(
                [
                    i.get("value") if isinstance(i, dict) else i
                    for i in _list(grant.get("identifier"))
                ]
            )
            or _first_text(grant.get("name"), ctx.lang)
        )
        funders = _objects(ctx, grant.get("funder")) + _objects(ctx, grant.get("isAwardedBy"))
        funders += _objects(ctx, grant.get("sponsor"))
        for funder in funders or [None]:
            if isinstance(funder, dict):
                name, ident = _agent_name(funder, ctx.lang), _agent_id(funder)
                if not name and ident:
                    ctx.unresolved.append(ident)
            else:
                name, ident = _first_text(funder, ctx.lang), None
            add_funder(ctx.record, name, ident, award or None)


def _links(ctx: _Ctx, value: JSON) -> None:
    """url / mainEntityOfPage / id: http URLs → landing page (first wins) and identifiers."""
    for item in _objects(ctx, value):
        text = (_id(item) or _first_text(item.get("url"))) if isinstance(item, dict) else ""
        text = text or _first_text(item)
        if is_url(text):
            set_landing_page(ctx.record, text)
            add_identifier(ctx.record, text)
        elif text.lower().startswith("urn:"):
            add_identifier(ctx.record, text)


def _identifiers(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        if isinstance(item, dict) and "@value" not in item:
            text = _first_text(item.get("value")) or _id(item) or _first_text(item.get("url"))
        else:
            text = _first_text(item)
        if text:
            add_identifier(ctx.record, text)


def _media(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        if isinstance(item, dict) and "@value" not in item:
            media_type = _first_text(item.get("encodingFormat") or item.get("fileFormat"))
            content = _first_text(item.get("contentUrl")) or _first_text(item.get("url"))
            if content:
                add_download(ctx.record, content, media_type)
            if embed := _first_text(item.get("embedUrl")):
                add_download(ctx.record, embed)
            if media_type:
                add_plain(ctx.record, "formats", media_type)
        elif text := _first_text(item):
            add_download(ctx.record, text)


def _content_url(ctx: _Ctx, value: JSON) -> None:
    """The node's own contentUrl, with the node's encodingFormat as its media type."""
    media_type = _first_text(ctx.node.get("encodingFormat") or ctx.node.get("fileFormat"))
    for text, _ in _texts(value, None):
        add_download(ctx.record, text, media_type or None)


def _embed_url(ctx: _Ctx, value: JSON) -> None:
    for text, _ in _texts(value, None):
        add_download(ctx.record, text)


def _images(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        if isinstance(item, dict) and "@value" not in item:
            for key in ("contentUrl", "url", "@id", "id", "thumbnailUrl"):
                if text := _first_text(item.get(key)):
                    add_thumbnail(ctx.record, text)
                    break
        elif text := _first_text(item):
            add_thumbnail(ctx.record, text)


def _place(ctx: _Ctx, value: JSON) -> None:
    for item in _objects(ctx, value):
        if isinstance(item, dict) and "@value" not in item:
            text = _first_text(item.get("name"), ctx.lang)
            if not text:
                address = _deref(ctx, item.get("address"))
                if isinstance(address, dict):
                    parts = [
                        _first_text(address.get(k))
                        for k in (
                            "streetAddress",
                            "postalCode",
                            "addressLocality",
                            "addressRegion",
                            "addressCountry",
                        )
                    ]
                    text = ", ".join(p for p in parts if p)
                else:
                    text = _first_text(address)
            if text:
                add_plain(ctx.record, "coverage", text)
        else:
            for text, _ in _texts(item, None):
                add_plain(ctx.record, "coverage", text)


def _resource_types(ctx: _Ctx, value: JSON) -> None:
    for text, _ in _texts(value, None):
        add_plain(ctx.record, "resource_types", text)


def _nothing(ctx: _Ctx, value: JSON) -> None:
    """Keys read elsewhere (context, mainEntity) or only through another key."""


# Mapped in this order, whatever the order of the keys in the object: name before
# headline before alternateName, url before mainEntityOfPage before id…
BY_KEY: dict[str, Mapper] = {
    "context": _nothing,
    "type": _resource_types,
    "name": _text_field("titles"),
    "headline": _text_field("titles"),
    "alternativeHeadline": _text_field("titles"),
    "alternateName": _text_field("titles"),
    "description": _text_field("descriptions"),
    "abstract": _text_field("descriptions"),
    "disambiguatingDescription": _text_field("descriptions"),
    "creator": _agents("creators"),
    "author": _agents("creators"),
    "agent": _agents("creators", "agent"),
    "contributor": _agents("contributors"),
    "editor": _agents("contributors", "editor"),
    "translator": _agents("contributors", "translator"),
    "illustrator": _agents("contributors", "illustrator"),
    "producer": _agents("contributors", "producer"),
    "participant": _agents("contributors", "participant"),
    "copyrightHolder": _agents("contributors", "rightsHolder"),
    "publisher": _agents("publishers"),
    "provider": _agents("publishers"),
    "sourceOrganization": _agents("publishers"),
    "dateCreated": _dates("created"),
    "datePublished": _dates("issued"),
    "dateModified": _dates("modified"),
    "uploadDate": _dates("available"),
    "copyrightYear": _dates("copyrighted"),
    "startTime": _dates("start"),
    "startDate": _dates("start"),
    "endTime": _dates("end"),
    "endDate": _dates("end"),
    "keywords": _keywords,
    "about": _concepts,
    "teaches": _concepts,
    "assesses": _concepts,
    "inLanguage": _languages,
    "language": _languages,
    "license": _rights,
    "useRightsUrl": _rights,
    "copyrightNotice": _rights,
    "conditionsOfAccess": _rights,
    "isAccessibleForFree": _free,
    "learningResourceType": _lrt,
    "educationalLevel": _values_into("education_levels"),
    "typicalAgeRange": _plain("typical_age_ranges"),
    "audience": _audience,
    "educationalRole": _values_into("audiences"),
    "educationalAlignment": _alignments,
    "timeRequired": _duration,
    "duration": _duration,
    "accessMode": _accessibility("accessMode"),
    "accessModeSufficient": _accessibility("accessModeSufficient"),
    "accessibilityFeature": _accessibility("accessibilityFeature"),
    "accessibilityHazard": _accessibility("accessibilityHazard"),
    "accessibilitySummary": _accessibility("accessibilitySummary"),
    "accessibilityAPI": _accessibility("accessibilityAPI"),
    "accessibilityApi": _accessibility("accessibilityAPI"),
    "accessibilityControl": _accessibility("accessibilityControl"),
    "interactivityType": _interactivity,
    "isPartOf": _relations("isPartOf"),
    "hasPart": _relations("hasPart"),
    "isBasedOn": _relations("isDerivedFrom"),
    "isBasedOnUrl": _relations("isDerivedFrom"),
    "workExample": _relations("hasVersion"),
    "exampleOfWork": _relations("isVersionOf"),
    "translationOfWork": _relations("isTranslationOf"),
    "workTranslation": _relations("hasTranslation"),
    "citation": _relations("references"),
    "funder": _funders,
    "funding": _grants,
    "isFundedBy": _grants,
    "url": _links,
    "mainEntityOfPage": _links,
    "id": _links,
    "sameAs": _identifiers,
    "identifier": _identifiers,
    "isbn": _identifiers,
    "issn": _identifiers,
    "encoding": _media,
    "associatedMedia": _media,
    "contentUrl": _content_url,
    "embedUrl": _embed_url,
    "encodingFormat": _plain("formats"),
    "fileFormat": _plain("formats"),
    "bookFormat": _plain("formats"),
    "image": _images,
    "thumbnailUrl": _images,
    "thumbnail": _images,
    "location": _place,
    "spatialCoverage": _place,
    "contentLocation": _place,
    "temporalCoverage": _plain("coverage"),
    "mainEntity": _nothing,  # see map_jsonld
    # AlignmentObject properties put on the resource itself (HOOU): one implicit alignment
    "targetName": _nothing,
    "targetUrl": _nothing,
    "targetDescription": _nothing,
    "educationalFramework": _nothing,
    "alignmentType": _nothing,
    "suggestedMinAge": _nothing,
    "suggestedMaxAge": _nothing,
}
# Keys as the object spells them: JSON-LD keywords with "@", AMB's aliases without.
_KEYWORDS = {"context": "@context", "type": "@type", "id": "@id"}

# "graph": the members of an @graph are mapped as nodes (see _select).
MAPPED: frozenset[str] = frozenset(BY_KEY) | {"graph"}
DROPPED: frozenset[str] = frozenset(
    """breadcrumb offers aggregateRating review reviews potentialAction interactionStatistic
    commentCount comment numberOfPages pagination position text articleBody wordCount
    educationalUse genre competencyRequired version schemaVersion creativeWorkStatus
    sdDatePublished sdPublisher sdLicense logo alignementType mainEntityOfPage/provider
    mainEntityOfPage/dateCreated mainEntityOfPage/dateModified
    isFundedBy/hasMonetaryValue speakable
    publishingPrinciples isFamilyFriendly contentRating award accountablePerson caption
    trailer
    """.split()  # noqa: SIM905
)


def _select(obj: dict[str, JSON]) -> tuple[dict[str, JSON], dict[str, dict[str, JSON]]]:
    """The node to map and the graph's nodes by id (empty without @graph)."""
    if "@graph" not in obj:
        return obj, {}
    nodes: list[dict[str, JSON]] = []
    stack: list[JSON] = [obj["@graph"]]
    while stack and len(nodes) < 10_000:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if "@graph" in item:
                stack.append(item["@graph"])
            else:
                nodes.append(item)
    by_id = {i: n for n in nodes if (i := _id(n)) and set(n) - {"@id", "id", "@type", "type"}}
    chosen = next(
        (n for n in nodes if {_local(t) for t in _types(n)} & (RESOURCE_TYPES | PAGE_TYPES)),
        nodes[0] if nodes else {},
    )
    if "@context" not in chosen and "@context" in obj:
        chosen = {"@context": obj["@context"], **chosen}
    return chosen, by_id


def map_jsonld(record: Record, obj: dict[str, Any]) -> None:
    """Fill `record` from one JSON-LD node (see the module docstring)."""
    if not isinstance(obj, dict):
        add_issue(record, "not_an_object", "error", None, "JSON-LD item is not an object")
        check_required(record)
        return
    node, graph = _select(_normalise_keys(obj))
    node = _normalise_keys(node)
    lang = _context_lang(node.get("@context"))
    ctx = _Ctx(record, lang, nodes=graph)
    page: dict[str, JSON] | None = None
    if {_local(t) for t in _types(node)} & PAGE_TYPES:
        main = next((m for m in _objects(ctx, node.get("mainEntity")) if isinstance(m, dict)), None)
        if main is not None:
            page, node = node, main
            ctx.lang = _context_lang(main.get("@context")) or lang
            add_issue(
                record,
                "main_entity_mapped",
                "info",
                None,
                f"{'/'.join(_types(page)) or 'page'} wraps its mainEntity: the entity is mapped",
            )
    if ctx.lang is None:
        languages = [t for t, _ in _texts(node.get("inLanguage"), None)]
        if len(languages) == 1 and _LANG_TAG.match(languages[0]):
            ctx.lang = languages[0]
    if page is not None:  # the entity's own page, else the wrapping page, else its id
        for source, key in ((node, "url"), (node, "mainEntityOfPage"), (page, "url")):
            _links(ctx, source.get(key))
        _links(ctx, page.get("@id", page.get("id")))
    _map_node(ctx, node)
    if any(k in node for k in ("targetName", "targetUrl")):
        _alignment(ctx, node)
    _age_range(ctx, node)
    if ctx.unresolved:
        add_issue(
            record,
            "unresolved_reference",
            "warning",
            None,
            "referenced node(s) not in the input, their names unknown: "
            + ", ".join(ctx.unresolved[:5]),
        )
    check_required(record)


def _map_node(ctx: _Ctx, node: dict[str, JSON]) -> None:
    ctx.node = node
    for key, mapper in BY_KEY.items():
        spelled = _KEYWORDS.get(key)
        value = node.get(spelled) if spelled else None
        if value is None:
            value = node.get(key)
        if value is not None:
            mapper(ctx, value)
