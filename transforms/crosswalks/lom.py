"""IEEE LOM (Learning Object Metadata) → Record, with the LOM-ES profile and IMS MD 1.2.

Versions / bindings:
    - IEEE 1484.12.3 XML binding, `http://ltsc.ieee.org/xsd/LOM` (also `…/LOMv1p0`): text
      in `<string language="…">`, vocabularies as `<source>`/`<value>` pairs. LOM-ES v1.0
      (the Spanish profile, Agrega) uses this namespace, any prefix (`lom:`, `lomes:`) or
      none, the vocabulary source "LOM-ESv1.0" and its own vocabulary values.
    - IMS Meta-data 1.2 (`imsmd_v1p2`, `imsmd_rootv1p2p1`): lower-case element names
      (`lifecycle`, `learningresourcetype`), `<langstring xml:lang>`, `catalogentry`,
      `centity/vcard`, `datetime`. Element names are matched case-insensitively, so one
      mapping serves both.

What maps where:
    general.title / description / keyword / coverage / language → titles / descriptions /
        subjects / coverage / languages; general.identifier (catalog + entry) → identifiers,
        a URL entry is also the landing page.
    lifeCycle.contribute: role author → creators, publisher → publishers, every other role
        → contributors (role as given); entity vCards read for FN (else N, else ORG), a FN
        listing three or more comma-separated names is split into one agent each (LOM-ES
        catalogues put a whole author list in one FN); e-mails are not kept. Contribute
        dates → dates, kind created (author) / issued (publisher), else from the date's
        description ("Fecha de publicación…" → issued), else none.
    technical.format → formats; technical.location: a URL to a file (an extension that is
        not a web page's) → downloads (media type guessed, or the one technical.format),
        any other URL → identifiers and landing page; locations that are not http(s) URLs
        (relative paths in packages) are dropped. technical.duration → duration.
    educational: interactivityType / interactivityLevel → interactivity_type / _level;
        learningResourceType → learning_resource_types (raw + HCRT); intendedEndUserRole →
        audiences; context → education_levels, except the LOM-ES values that name a
        setting rather than a level (classroom, home, distance, teacher…), which are
        dropped; typicalAgeRange → typical_age_ranges, as "min-max" when it can be read
        ("Para alumnos entre 12-13 años" → "12-13", "Edad mínima 16 años" → "16-"), else as
        given; typicalLearningTime → duration when technical.duration gave none;
        description → descriptions; language → languages.
    rights: cost → "cost: <value>"; copyrightAndOtherRestrictions → its value (LOM-ES
        names the licence, e.g. "creative commons: attribution - non commercial - share
        alike"; plain LOM yes/no becomes "copyright and other restrictions: <value>");
        description → as given, plus each URL found in it as its own rights value.
    relation: kind → related (ispartof → isPartOf … isbasedon → isDerivedFrom, isbasisfor
        → isSourceOf; Spanish labels too), target = resource identifier entry; a resource
        with only a description goes to relations as text.
    classification: each taxon → classifications (scheme = taxonPath source, raw = id,
        label = entry); purpose "educational level" also → education_levels (the path's
        entries joined by " > "); purpose accessibility (LOM-ES "accessibility
        restrictions") → accessibility properties (name = first taxon entry, value = the
        rest of the path) instead; classification keywords → subjects when the purpose is
        discipline or idea (or none), accessibility keywords → accessibility.
    accessibility (a category some profiles add) → accessibility, one property per leaf.

Dropped, and why: general.structure / aggregationLevel and lifeCycle.version / status
(about the packaging and the editorial state, no model field); metaMetadata (describes the
record, not the resource); technical.size / requirement / installationRemarks /
otherPlatformRequirements (no model field; mostly Flash plug-in notes); educational
semanticDensity / difficulty / LOM-ES cognitiveProcess (no model field); rights.access
(LOM-ES universal / non-universal, not a licence); annotation (comments about use);
classification.description. The raw payload keeps all of it. Coverage: `path_status` counts
the category elements themselves as mapped, while unknown elements inside them (a national
profile's extensions) stay unknown.

A record with no general.title takes the first `title` found anywhere in the record (a
non-standard placement is still the title). A record that says it is LOM-ES but lacks a
category LOM-ES requires gets a
`lomes_missing_category` info issue (Agrega's "metadatoNoValido" test record).
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree

from transforms.crosswalks import coverage
from transforms.crosswalks.common import (
    XML_LANG,
    add_agent,
    add_classification,
    add_date,
    add_download,
    add_identifier,
    add_issue,
    add_learning_resource_type,
    add_plain,
    add_relation,
    add_text,
    check_required,
    clean,
    element_text,
    is_url,
    local_name,
    set_duration,
    set_landing_page,
)
from transforms.model import Property, Record

NAME = "lom"
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
NAMESPACES = (
    LOM_NS,
    "http://ltsc.ieee.org/xsd/LOMv1p0",
    "http://www.imsglobal.org/xsd/imsmd_v1p2",
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
    "http://www.imsproject.org/xsd/imsmd_rootv1p2p1",
)
ROOT_NAMES = ("lom", "lomes")
PREFIXES = ("lom", "oai_lom", "ieee_lom", "lom_es", "lomes", "lomfr", "ims1_2_1", "imsmd")

_MAPPED = (
    "general/identifier",
    "general/catalogentry",  # IMS MD 1.2
    "general/title",
    "general/language",
    "general/description",
    "general/keyword",
    "general/coverage",
    "lifeCycle/contribute",
    "technical/format",
    "technical/location",
    "technical/duration",
    "educational/interactivityType",
    "educational/learningResourceType",
    "educational/interactivityLevel",
    "educational/intendedEndUserRole",
    "educational/context",
    "educational/typicalAgeRange",
    "educational/typicalLearningTime",
    "educational/description",
    "educational/language",
    "rights/cost",
    "rights/copyrightAndOtherRestrictions",
    "rights/description",
    "relation",
    "classification/purpose",
    "classification/taxonPath",
    "classification/keyword",
    "accessibility",
    "accesibilidad",
)
_DROPPED = (
    "general/structure",
    "general/aggregationLevel",
    "lifeCycle/version",
    "lifeCycle/status",
    "metaMetadata",
    "technical/size",
    "technical/requirement",
    "technical/installationRemarks",
    "technical/otherPlatformRequirements",
    "educational/semanticDensity",
    "educational/difficulty",
    "educational/cognitiveProcess",
    "rights/access",
    "annotation",
    "classification/description",
)
# IMS MD 1.2 spells the same paths in lower case.
MAPPED = frozenset(_MAPPED) | {p.lower() for p in _MAPPED}
DROPPED = frozenset(_DROPPED) | {p.lower() for p in _DROPPED}
# The category elements themselves are read, so mapped, but not everything inside them:
# an extension element of a national profile (general/documentType…) must stay unknown.
_CATEGORY_PATHS = frozenset(
    ("general", "lifeCycle", "lifecycle", "technical", "educational", "rights", "classification")
)


def path_status(path: str) -> str:
    """Coverage status of an element path (the hook coverage.Tally.rows calls)."""
    if path in _CATEGORY_PATHS:
        return coverage.MAPPED
    return coverage.classify(path, MAPPED, DROPPED)


_LOMES_REQUIRED = ("general", "lifecycle", "metametadata", "technical", "educational", "rights")
_ORDER = (  # technical before educational: technical.duration beats typicalLearningTime
    "general",
    "lifecycle",
    "technical",
    "educational",
    "rights",
    "relation",
    "classification",
    "accessibility",
    "accesibilidad",
)

# ---------------------------------------------------------------- element access


_LOWER_NAMES: dict[str, str] = {}  # Clark tag → lower-case local name: tags repeat a lot


def _lname(tag: str) -> str:
    name = _LOWER_NAMES.get(tag)
    if name is None:
        name = local_name(tag).lower()
        if len(_LOWER_NAMES) < 10_000:
            _LOWER_NAMES[tag] = name
    return name


def _kids(el: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """(lower-case local name, child element) for each child element."""
    cached = _LOWER_NAMES.get
    for c in el:
        tag = c.tag
        if isinstance(tag, str):
            yield cached(tag) or _lname(tag), c


def _named(el: etree._Element, *names: str) -> list[etree._Element]:
    # _lname() inlined as a dict lookup: this runs for every child of most LOM elements.
    # Comments and PIs: _lname() gives "", which is never one of `names`.
    cached = _LOWER_NAMES.get
    return [c for c in el if (cached(c.tag) or _lname(c.tag)) in names]


def _lang(el: etree._Element) -> str | None:
    value = (el.get("language") or el.get(XML_LANG) or el.get("lang") or "").strip()
    return value if value and value.lower() != "x-none" else None


def _langstrings(el: etree._Element) -> list[tuple[str, str | None]]:
    """The (text, language) pairs of a LOM LangString (`string` / IMS `langstring`)."""
    strings = _named(el, "string", "langstring")
    if strings:
        return [(t, _lang(s)) for s in strings if (t := element_text(s))]
    text = element_text(el)
    return [(text, _lang(el))] if text else []


def _first_text(el: etree._Element) -> str:
    found = _langstrings(el)
    return found[0][0] if found else ""


def _values(el: etree._Element) -> list[str]:
    """The values of a LOM Vocabulary element (one or more source/value pairs)."""
    values = _named(el, "value")
    if values:
        return [t for v in values if (t := element_text(v))]
    if len(el) == 0 and (text := element_text(el)):
        return [text]  # <learningResourceType>exercise</learningResourceType>
    return []


def _key(value: str) -> str:
    """Lower case, no accents, letters and digits only: vocabulary values compared loosely."""
    text = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in text if c.isalnum())


def _add_unique_text(record: Record, field: str, raw: str, lang: str | None = None) -> None:
    text = raw.strip()
    if text and not any(v["value"] == text for v in getattr(record, field)):
        add_text(record, field, text, lang)


# ---------------------------------------------------------------- vCard

_VCARD_PROPERTY = re.compile(
    r"(?:^|(?<=[\s:]))(BEGIN|END|VERSION|FN|N|ORG|EMAIL|TEL|ADR|URL|NOTE|TITLE|ROLE|UID|"
    r"LABEL|NICKNAME|PHOTO|LOGO|REV|SOURCE|KIND|GEO|TZ|BDAY|X-[A-Z0-9-]+)(?:;[^:\s]*)?:",
    re.I,
)
_VCARD_FOLD = re.compile(r"\r?\n[ \t]")
_VCARD_ESCAPE = re.compile(r"\\([,;\\])")
_NAME_LIST_AND = re.compile(r"\s+(?:y|e|i|and|&)\s+")
_AGENT_ID_HINT = ("orcid", "ror.org", "isni", "d-nb.info/gnd")


def read_vcard(text: str) -> dict[str, list[str]]:
    """Property name (upper case) → values, from a vCard, also one flattened onto one line.

    LOM entities are vCards, often with their line breaks lost ("BEGIN:VCARD VERSION:3.0
    FN: Ana EMAIL;TYPE=INTERNET:ORG:END:VCARD"): a property starts at a known name followed
    by its parameters and ':' after whitespace or another property's ':'.
    """
    unfolded = _VCARD_FOLD.sub("", text) if "\n" in text else text
    matches = list(_VCARD_PROPERTY.finditer(unfolded))
    props: dict[str, list[str]] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(unfolded)
        value = unfolded[match.end() : end].strip()
        if "\\" in value:  # the unescaping below only ever changes a value with a backslash
            value = _VCARD_ESCAPE.sub(r"\1", value).replace("\\n", " ").replace("\\N", " ")
        props.setdefault(match[1].upper(), []).append(value)
    return props


def _vcard_agents(text: str) -> tuple[list[str], str | None]:
    """Names in a LOM entity (vCard FN, else N, else ORG; plain text if no vCard) and an id."""
    if "begin:vcard" not in text.lower():
        return ([text.strip()] if any(c.isalnum() for c in text) else []), None
    props = read_vcard(text)
    name = next((v for v in props.get("FN", []) if v), "")
    if not name:
        n = next((v for v in props.get("N", []) if v.strip(" ;")), "")
        parts = [p.strip() for p in n.split(";")]
        name = ", ".join(p for p in parts[:2] if p)
    if not name:
        name = next((v.split(";")[0].strip() for v in props.get("ORG", []) if v.strip(" ;")), "")
    if not any(c.isalnum() for c in name):
        return [], None
    identifier = next(
        (
            v
            for key in ("X-ORCID", "UID", "URL")
            for v in props.get(key, [])
            if v and any(h in v.lower() for h in _AGENT_ID_HINT)
        ),
        None,
    )
    names = [p for p in (p.strip() for p in name.split(",")) if p]
    if len(names) < 3:
        return [name], identifier
    *head, last = names
    return [*head, *(p for p in _NAME_LIST_AND.split(last) if p.strip())], None


# ---------------------------------------------------------------- small readers

_AGE_NUMBER = re.compile(r"(?<!\d)\d{1,3}(?!\d)")  # ages, not years or ids
_AGE_MAX = re.compile(r"m[aá]x|hasta|\bbis\b|up to|under|menos de|<", re.I)
_AGE_MIN = re.compile(r"m[ií]n|desde|from|\bab\b|over|m[aá]s de|\+|older|or more|y m[aá]s", re.I)


def age_range(text: str) -> str:
    """A LOM typicalAgeRange as "min-max" ("12-13", "16-", "-6") when it can be read."""
    numbers = _AGE_NUMBER.findall(text)
    if len(numbers) >= 2 and int(numbers[0]) <= int(numbers[1]):
        return f"{int(numbers[0])}-{int(numbers[1])}"
    if len(numbers) == 1:
        n = int(numbers[0])
        if text.strip().endswith("-") or _AGE_MIN.search(text):
            return f"{n}-"
        if _AGE_MAX.search(text):
            return f"-{n}"
        if text.strip() == numbers[0]:
            return str(n)
    return text.strip()


_PAGE_EXTENSIONS = frozenset(
    {"html", "htm", "xhtml", "shtml", "php", "asp", "aspx", "jsp", "cfm", "do", "action", "cgi"}
)
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,5})$")


def _file_extension(url: str) -> str | None:
    """The extension of a URL's last path segment when it names a file, not a page."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    match = _EXTENSION.search(path.rsplit("/", 1)[-1])
    if not match or not any(c.isalpha() for c in match[1]):
        return None
    ext = match[1].lower()
    return None if ext in _PAGE_EXTENSIONS else ext


_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+")

_RELATION_KINDS = {
    _key(raw): kind
    for kind, raws in {
        "isPartOf": ("ispartof", "es parte de"),
        "hasPart": ("haspart", "tiene parte"),
        "isVersionOf": ("isversionof", "es versión de"),
        "hasVersion": ("hasversion", "tiene versión"),
        "isFormatOf": ("isformatof", "es formato de"),
        "hasFormat": ("hasformat", "tiene formato"),
        "references": ("references", "referencia"),
        "isReferencedBy": ("isreferencedby", "es referenciado por"),
        "isDerivedFrom": ("isbasedon", "se basa en"),
        "isSourceOf": ("isbasisfor", "es base para"),
        "requires": ("requires", "requiere"),
        "isRequiredBy": ("isrequiredby", "es requerido por"),
    }.items()
    for raw in raws
}

# LOM-ES 5.6 values (codes and Spanish labels) that name a setting, not an education level.
_SETTING_CONTEXTS = frozenset(
    _key(v)
    for v in (
        "classroom", "laboratory", "real environment", "home", "mixed", "teacher", "tutor",
        "family", "schoolmate", "independent", "blended", "presencial", "face to face",
        "distance", "aula", "laboratorio", "entorno real", "domicilio", "combinado",
        "docente", "familia", "compañero", "independiente", "asistencia mixta",
        "semipresencial", "distancia",
    )
)  # fmt: skip

_DATE_HINTS = (
    (re.compile(r"publica|publish|ver[öo]ffentl", re.I), "issued"),
    (re.compile(r"creaci|creat|erstell|cr[ée]ation", re.I), "created"),
    (re.compile(r"modifica|revis|updat|actualiza|ge[äa]ndert|[äÄ]nderung", re.I), "modified"),
)
_ROLE_FIELDS = {"author": "creators", "publisher": "publishers"}
_ROLE_DATE_KINDS = {"author": "created", "publisher": "issued"}


# ---------------------------------------------------------------- categories


def _identifier_entries(el: etree._Element) -> list[str]:
    """Entries of the LOM `identifier` / IMS `catalogentry` children of `el`.

    The catalog is not kept: classify_identifier recognises DOIs, handles, ISBNs and URLs
    by their form, and catalogs such as "Catálogo unificado mec-red.es-ccaa…" name no scheme.
    """
    out = []
    for ident in _named(el, "identifier", "catalogentry"):
        out.extend(text for entry in _named(ident, "entry") if (text := _first_text(entry)))
        if not _named(ident, "entry", "catalog") and (text := element_text(ident)):
            out.append(text)  # <identifier>http://…</identifier>
    return out


def _general(record: Record, el: etree._Element) -> None:
    for entry in _identifier_entries(el):
        add_identifier(record, entry)
        if is_url(entry):
            set_landing_page(record, entry)
    for name, c in _kids(el):
        if name == "title":
            for text, lang in _langstrings(c):
                add_text(record, "titles", text, lang)
        elif name == "description":
            for text, lang in _langstrings(c):
                add_text(record, "descriptions", text, lang)
        elif name == "keyword":
            for text, lang in _langstrings(c):
                _add_unique_text(record, "subjects", text, lang)
        elif name == "coverage":
            for text, _ in _langstrings(c):
                add_plain(record, "coverage", text)
        elif name == "language" and (text := element_text(c)):
            add_plain(record, "languages", text)


def _date_kind(role: str, description: str) -> str | None:
    if kind := _ROLE_DATE_KINDS.get(role):
        return kind
    return next((kind for pattern, kind in _DATE_HINTS if pattern.search(description)), None)


def _contribute(record: Record, el: etree._Element) -> None:
    roles = [v.strip().lower() for r in _named(el, "role") for v in _values(r)] or [""]
    agents: list[tuple[str, str | None]] = []
    for entity in _named(el, "entity", "centity"):
        cards = _named(entity, "vcard")
        for text in [element_text(c) for c in cards] if cards else [element_text(entity)]:
            names, identifier = _vcard_agents(text)
            agents.extend((name, identifier) for name in names)
    for role in roles:
        field = _ROLE_FIELDS.get(role, "contributors")
        for name, identifier in agents:
            known = getattr(record, field)
            if not any(a["name"] == name and a["role"] == (role or None) for a in known):
                add_agent(record, field, name, identifier, role or None)
    for date in _named(el, "date"):
        stamps = _named(date, "datetime")
        texts = [element_text(s) for s in stamps] if stamps else [element_text(date)]
        descriptions = [_first_text(d) for d in _named(date, "description")]
        for i, raw in enumerate(texts):
            description = descriptions[i] if i < len(descriptions) else ""
            kind = _date_kind(roles[0], description)
            raw = raw.strip()
            if raw and not any(d["raw"] == raw and d["kind"] == kind for d in record.dates):
                add_date(record, raw, kind)


def _lifecycle(record: Record, el: etree._Element) -> None:
    for c in _named(el, "contribute"):
        _contribute(record, c)


def _duration_text(el: etree._Element) -> str:
    inner = _named(el, "duration", "datetime")
    return element_text(inner[0]) if inner else ("" if len(el) else element_text(el))


def _technical(record: Record, el: etree._Element) -> None:
    formats = [t for c in _named(el, "format") if (t := element_text(c))]
    for media_type in formats:
        add_plain(record, "formats", media_type)
    for c in _named(el, "location"):
        url = element_text(c)
        if not is_url(url):
            continue
        ext = _file_extension(url)
        if ext is None:
            add_identifier(record, url)
            set_landing_page(record, url)
        else:
            guessed = mimetypes.guess_type(f"x.{ext}", strict=False)[0]
            add_download(record, url, guessed or (formats[0] if len(formats) == 1 else None))
    for c in _named(el, "duration"):
        set_duration(record, _duration_text(c))


def _educational(record: Record, el: etree._Element) -> None:
    for name, c in _kids(el):
        if name == "learningresourcetype":
            for value in _values(c):
                add_learning_resource_type(record, value)
        elif name == "interactivitytype" and record.interactivity_type is None:
            record.interactivity_type = next(iter(_values(c)), "").strip() or None
        elif name == "interactivitylevel" and record.interactivity_level is None:
            record.interactivity_level = next(iter(_values(c)), "").strip() or None
        elif name == "intendedenduserrole":
            for value in _values(c):
                _add_unique_text(record, "audiences", value)
        elif name == "context":
            for value in _values(c):
                if _key(value) not in _SETTING_CONTEXTS:
                    _add_unique_text(record, "education_levels", value)
        elif name == "typicalagerange":
            for text, _ in _langstrings(c):
                add_plain(record, "typical_age_ranges", age_range(text))
        elif name == "typicallearningtime":
            set_duration(record, _duration_text(c))
        elif name == "description":
            for text, lang in _langstrings(c):
                add_text(record, "descriptions", text, lang)
        elif name == "language" and (text := element_text(c)):
            add_plain(record, "languages", text)


def _rights(record: Record, el: etree._Element) -> None:
    for name, c in _kids(el):
        if name == "cost":
            for value in _values(c):
                add_plain(record, "rights", f"cost: {value}")
        elif name == "copyrightandotherrestrictions":
            for value in _values(c):
                yes_no = value.strip().lower() in ("yes", "no")
                add_plain(
                    record,
                    "rights",
                    f"copyright and other restrictions: {value}" if yes_no else value,
                )
        elif name == "description":
            for text, _ in _langstrings(c):
                add_plain(record, "rights", text)
                for url in _URL_IN_TEXT.findall(text):
                    add_plain(record, "rights", url.rstrip(".,;:"))


def _relation(record: Record, el: etree._Element) -> None:
    kinds = [k for c in _named(el, "kind") for k in _values(c)] or [""]
    for resource in _named(el, "resource"):
        targets = _identifier_entries(resource)
        for raw_kind in kinds:
            kind = _RELATION_KINDS.get(_key(raw_kind)) or raw_kind.strip() or "relation"
            for target in targets:
                add_relation(record, kind, target)
        if not targets:
            for d in _named(resource, "description"):
                for text, _ in _langstrings(d):
                    add_plain(record, "relations", text)


def _taxon_paths(el: etree._Element) -> list[tuple[str, list[tuple[str, str]]]]:
    """(source, [(taxon id, taxon entry)…]) of each taxonPath of a classification."""
    out = []
    for path in _named(el, "taxonpath"):
        source = next((t for s in _named(path, "source") if (t := _first_text(s))), "")
        taxa = []
        for taxon in _named(path, "taxon"):
            taxon_id = next((t for i in _named(taxon, "id") if (t := element_text(i))), "")
            entry = next((t for e in _named(taxon, "entry") if (t := _first_text(e))), "")
            if taxon_id or entry:
                taxa.append((taxon_id, entry))
        if taxa:
            out.append((source, taxa))
    return out


def _add_property(record: Record, name: str, value: str) -> None:
    prop = Property(name=name.strip(), value=clean(record, "accessibility", value))
    if prop["name"] and prop["value"] and prop not in record.accessibility:
        record.accessibility.append(prop)


def _classification(record: Record, el: etree._Element) -> None:
    purposes = [_key(v) for c in _named(el, "purpose") for v in _values(c)]
    accessibility = any("accessib" in p or "accesib" in p for p in purposes)
    level = any(p in ("educationallevel", "niveleducativo") for p in purposes)
    for source, taxa in _taxon_paths(el):
        if accessibility:
            entries = [entry or taxon_id for taxon_id, entry in taxa]
            rest = " > ".join(entries[1:])
            _add_property(record, entries[0] if rest else source, rest or entries[0])
            continue
        if level:
            _add_unique_text(record, "education_levels", " > ".join(e for _, e in taxa if e))
        for taxon_id, entry in taxa:
            term = (taxon_id or entry, source or None, entry or None)
            if not any((t["raw"], t["scheme"], t["label"]) == term for t in record.classifications):
                add_classification(record, term[0], term[1], label=term[2])
    subject_keywords = not purposes or any(p in ("discipline", "idea") for p in purposes)
    for c in _named(el, "keyword"):
        for text, lang in _langstrings(c):
            if subject_keywords:
                _add_unique_text(record, "subjects", text, lang)
            elif accessibility:
                _add_property(record, "keyword", text)


def _accessibility(record: Record, el: etree._Element) -> None:
    for leaf in el.iter():
        if isinstance(leaf.tag, str) and len(leaf) == 0 and (text := element_text(leaf)):
            _add_property(record, local_name(leaf.tag), text)


_CATEGORIES = {
    "general": _general,
    "lifecycle": _lifecycle,
    "technical": _technical,
    "educational": _educational,
    "rights": _rights,
    "relation": _relation,
    "classification": _classification,
    "accessibility": _accessibility,
    "accesibilidad": _accessibility,
}


def _check_lomes(record: Record, present: set[str], metadata: etree._Element) -> None:
    """Issue for a record that declares LOM-ES but lacks categories LOM-ES requires."""
    missing = [c for c in _LOMES_REQUIRED if c not in present]
    if not missing:
        return
    declares = any(
        "lom-es" in (el.text or "").lower()
        for el in metadata.iter()
        if isinstance(el.tag, str) and _lname(el.tag) in ("source", "metadataschema")
    )
    if declares:
        add_issue(
            record,
            "lomes_missing_category",
            "info",
            None,
            f"LOM-ES record lacks mandatory categories: {', '.join(missing)}",
        )


def map_metadata(record: Record, metadata: etree._Element) -> None:
    """Fill `record` from a `<lom>` element (IEEE LOM, LOM-ES or IMS MD 1.2)."""
    sections: dict[str, list[etree._Element]] = {}
    for name, c in _kids(metadata):
        sections.setdefault(name, []).append(c)
    for name in _ORDER:
        for el in sections.get(name, ()):
            _CATEGORIES[name](record, el)
    if not record.titles:  # a title outside general (non-standard): still the title
        for el in metadata.iter():
            if isinstance(el.tag, str) and _lname(el.tag) == "title":
                for text, lang in _langstrings(el):
                    add_text(record, "titles", text, lang)
                if record.titles:
                    break
    _check_lomes(record, set(sections), metadata)
    check_required(record)
