"""XML-illegal characters: found, removed before the strict parse, and attributed.

XML 1.0 forbids C0 controls other than tab, LF and CR, U+FFFE, U+FFFF and surrogates, raw
or as character references (``&#1;``, ``&#x1F;``). Real repositories still send them, one
record in thousands, and libxml2 then rejects the whole page. We remove exactly those
characters (every other byte is kept as it was), never use recover mode, and say which
record each removal sat in, so the pipeline can warn per record.

Only a body that failed the strict parse is scanned (``parse.parse_document``): libxml2
rejects every one of these characters, so a page that parses has none. Encodings where a
byte scan would be wrong (UTF-16, UTF-32, ISO-2022) are left alone: their pages get the
strict parse and its error.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

_C0 = rb"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_UTF8_ONLY = rb"\xef\xbf[\xbe\xbf]|\xed[\xa0-\xbf][\x80-\xbf]"
# Character references to illegal code points, exactly (legal ones such as &#38; and
# &#xE9; do not match): C0 but 9/10/13, surrogates, U+FFFE/U+FFFF, beyond U+10FFFF.
_ILLEGAL_DECIMAL = (
    rb"&#0*(?:[0-8]|1[124-9]|2[0-9]|3[01]"
    rb"|5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}|573[0-3][0-9]|5734[0-3]"
    rb"|6553[45]"
    rb"|111411[2-9]|11141[2-9][0-9]|1114[2-9][0-9]{2}|111[5-9][0-9]{3}|11[2-9][0-9]{4}"
    rb"|1[2-9][0-9]{5}|[2-9][0-9]{6}|[1-9][0-9]{7,});"
)
_ILLEGAL_HEX = (
    rb"&#x0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF]"
    rb"|1[1-9a-fA-F][0-9a-fA-F]{4}|[2-9a-fA-F][0-9a-fA-F]{5}|[1-9a-fA-F][0-9a-fA-F]{6,});"
)
# One pattern per kind, because each alone is a fast scan (a literal prefix, or one
# character class) where their alternation is ~10x slower.
_C0_BYTES = bytes(b for b in range(0x20) if b not in (0x09, 0x0A, 0x0D))
_C0_PATTERN = re.compile(_C0)
_REFERENCE_PATTERN = re.compile(rb"&#(?:" + _ILLEGAL_DECIMAL[2:] + rb"|" + _ILLEGAL_HEX[2:] + rb")")
_NONCHARACTER_PATTERN = re.compile(rb"\xef\xbf[\xbe\xbf]")  # U+FFFE, U+FFFF
_SURROGATE_PATTERN = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")  # U+D800-U+DFFF
_UTF8_PATTERNS = (_REFERENCE_PATTERN, _NONCHARACTER_PATTERN, _SURROGATE_PATTERN)
_SINGLE_BYTE_PATTERNS = (_REFERENCE_PATTERN,)
_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']"""
)
_NO_BYTE_SCAN = ("utf-16", "utf16", "utf-32", "utf32", "ucs", "iso-2022", "utf-7", "ebcdic")


@dataclass(frozen=True)
class Removal:
    offset: int  # where the character was, as an offset into the cleaned bytes
    original_offset: int  # ... and into the bytes as received
    text: bytes  # what was removed: the raw bytes or the character reference
    codepoint: int

    @property
    def as_reference(self) -> bool:
        return self.text.startswith(b"&#")


def strip_illegal_chars(content: bytes) -> tuple[bytes, list[Removal]]:
    """``content`` without its XML-illegal characters, and what was removed where. A clean
    body is returned as the same object."""
    patterns = _patterns_for(content)
    if patterns is None:
        return content, []
    matches = [m for pattern in patterns for m in pattern.finditer(content)]
    if len(content.translate(None, _C0_BYTES)) != len(content):
        matches.extend(_C0_PATTERN.finditer(content))
    if not matches:
        return content, []
    matches.sort(key=lambda m: m.start())  # the kinds never overlap: disjoint byte sets
    pieces: list[bytes] = []
    removals: list[Removal] = []
    last = removed = 0
    for match in matches:
        text = match.group()
        pieces.append(content[last : match.start()])
        removals.append(Removal(match.start() - removed, match.start(), text, _codepoint(text)))
        removed += len(text)
        last = match.end()
    pieces.append(content[last:])
    return b"".join(pieces), removals


def _patterns_for(content: bytes) -> tuple[re.Pattern[bytes], ...] | None:
    if content[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in content[:4]:
        return None  # UTF-16/32: zero bytes are halves of characters
    declared = _ENCODING.match(content[:512])
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if encoding in ("utf-8", "utf8"):
        return _UTF8_PATTERNS
    if encoding.startswith(_NO_BYTE_SCAN):
        return None
    return _SINGLE_BYTE_PATTERNS  # Latin-1, Windows-125x...: a C0 byte is that character


def _codepoint(text: bytes) -> int:
    if text.startswith(b"&#x"):
        return int(text[3:-1], 16)
    if text.startswith(b"&#"):
        return int(text[2:-1])
    if len(text) == 1:
        return text[0]
    # three UTF-8 bytes (U+FFFE/U+FFFF or an encoded surrogate), decoded by hand
    return ((text[0] & 0x0F) << 12) | ((text[1] & 0x3F) << 6) | (text[2] & 0x3F)


def describe(removals: list[Removal]) -> str:
    """'2 XML-illegal characters removed: U+000B, U+0001 (as &#1;)'."""
    counts = Counter((r.codepoint, r.as_reference) for r in removals)
    parts = []
    for (codepoint, reference), count in sorted(counts.items()):
        name = f"U+{codepoint:04X}" + (" (as a character reference)" if reference else "")
        parts.append(f"{name} x{count}" if count > 1 else name)
    noun = "character" if len(removals) == 1 else "characters"
    return f"{len(removals)} XML-illegal {noun} removed before parsing: {', '.join(parts)}"


# --------------------------------------------------------------------------- attribution


def attribute(
    content: bytes, items: list[etree._Element], removals: list[Removal]
) -> tuple[list[list[Removal]], list[Removal]]:
    """Which item element each removal sat in: (per item, in the order given; outside any
    item). ``content`` is the cleaned body the elements were parsed from.

    lxml keeps no byte offsets, so the item elements are found again in the bytes: every
    start and end tag with the item's written name (``record``, ``oai:record``...) is
    matched in document order and paired with lxml's elements of that same written name
    (a nested MARC ``<record>`` included). If the two counts disagree (a tag inside a
    comment or CDATA), nothing is attributed: every removal is reported for the page."""
    per_item: list[list[Removal]] = [[] for _ in items]
    if not removals or not items:
        return per_item, list(removals)
    spans = _item_spans(content, items)
    if spans is None:
        return per_item, list(removals)
    starts = [start for start, _ in spans]
    outside: list[Removal] = []
    for removal in removals:
        index = bisect_right(starts, removal.offset) - 1
        if index >= 0 and removal.offset < spans[index][1]:
            per_item[index].append(removal)
        else:
            outside.append(removal)
    return per_item, outside


def _item_spans(content: bytes, items: list[etree._Element]) -> list[tuple[int, int]] | None:
    first = items[0]
    local = etree.QName(first).localname
    written = f"{first.prefix}:{local}" if first.prefix else local
    if any(item.prefix != first.prefix or etree.QName(item).localname != local for item in items):
        return None
    root = first.getroottree().getroot()
    same_name = [
        element
        for element in root.iter(etree.Element)
        if element.prefix == first.prefix and etree.QName(element).localname == local
    ]
    tag = re.compile(rb"<(/?)" + re.escape(written.encode()) + rb"(?=[\s/>])")
    spans: list[tuple[int, int]] = []
    open_starts: list[int] = []  # indexes into spans of elements not yet closed
    for match in tag.finditer(content):
        if match.group(1):  # an end tag
            if not open_starts:
                return None
            index = open_starts.pop()
            spans[index] = (spans[index][0], content.index(b">", match.end()) + 1)
            continue
        tag_end = content.find(b">", match.end())
        if tag_end < 0:
            return None
        spans.append((match.start(), -1))
        if content[tag_end - 1 : tag_end] == b"/":
            spans[-1] = (match.start(), tag_end + 1)
        else:
            open_starts.append(len(spans) - 1)
    if open_starts or len(spans) != len(same_name):
        return None
    # lxml hands back the same proxy for a node while a reference to it lives, and both
    # lists hold references, so identity pairs them.
    position = {id(element): index for index, element in enumerate(same_name)}
    if any(id(item) not in position for item in items):
        return None
    return [spans[position[id(item)]] for item in items]


# ---------------------------------------------------------------- undeclared prefixes
# Some repositories write `dc:title` without declaring `xmlns:dc` (seen in DPLA hub feeds).
# The document is then not namespace-well-formed and libxml2 rejects it. A prefix with one
# conventional meaning is declared with that namespace; any other one gets a URN that says
# it was never declared. The declarations go on the root element, so the rest of the bytes
# stay exactly as received, and the caller reports every prefix it declared.
CONVENTIONAL_PREFIXES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "oai_qdc": "http://worldcat.org/xmlschemas/qdc-1.0/",
    "qdc": "http://worldcat.org/xmlschemas/qdc-1.0/",
    "mods": "http://www.loc.gov/mods/v3",
    "marc": "http://www.loc.gov/MARC21/slim",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xlink": "http://www.w3.org/1999/xlink",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "datacite": "http://datacite.org/schema/kernel-4",
    "oaire": "http://namespace.openaire.eu/schema/oaire/",
    "oai": "http://www.openarchives.org/OAI/2.0/",
}
UNDECLARED_NAMESPACE = "urn:oer-pipeline:undeclared-prefix:"
_UNDEFINED_PREFIX = re.compile(r"Namespace prefix (\S+) (?:on|for) (?:\S+ on )?\S+ is not defined")
_PROLOG = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*<([^\s/>]+)",
    re.S,
)
MAX_DECLARED_PREFIXES = 32


def undefined_prefix(message: str) -> str | None:
    """The prefix a libxml2 'Namespace prefix X on Y is not defined' error names."""
    match = _UNDEFINED_PREFIX.search(message or "")
    return match[1] if match else None


def declare_prefix(content: bytes, prefix: str) -> bytes | None:
    """`content` with `xmlns:prefix` declared on its root element; None if no root is found."""
    match = _PROLOG.match(content)
    if match is None or not re.fullmatch(r"[A-Za-z_][\w.-]*", prefix):
        return None
    uri = CONVENTIONAL_PREFIXES.get(prefix, UNDECLARED_NAMESPACE + prefix)
    at = match.end()
    return content[:at] + f' xmlns:{prefix}="{uri}"'.encode() + content[at:]


def declare_missing_prefixes(
    content: bytes, parse: Callable[[bytes], etree._Element]
) -> tuple[etree._Element, bytes, list[str]]:
    """Parse with `parse`; while it fails on an undeclared prefix, declare it and retry.

    Returns the root, the bytes that parsed and the prefixes declared (in order). Any other
    error, or a prefix that cannot be declared, re-raises the parse error as is.
    """
    declared: list[str] = []
    while True:
        try:
            return parse(content), content, declared
        except etree.XMLSyntaxError as exc:
            prefix = undefined_prefix(str(exc))
            if prefix is None or prefix in declared or len(declared) >= MAX_DECLARED_PREFIXES:
                raise
            repaired = declare_prefix(content, prefix)
            if repaired is None:
                raise
            content = repaired
            declared.append(prefix)
