"""Text hygiene for harvested strings: HTML to text, double-escaped entities, whitespace,
mojibake.

`clean_text` returns the cleaned text and which fixes it applied, so the caller can keep
the raw value (`Record.originals`) and report what changed. Mojibake is only flagged, never
"repaired": a guess at the original encoding could change a correct text, and the raw value
is what a person needs to judge it.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import ftfy.badness
from lxml import etree
from lxml import html as lxml_html

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "table",
        "blockquote",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "dd",
        "dt",
        "dl",
        "hr",
    ]
)
_DROPPED_TAGS = ("script", "style", "template", "noscript")


@lru_cache(maxsize=65536)
def clean_text(raw: str) -> tuple[str, frozenset[str]]:
    """`raw` → (clean text, fixes) where fixes ⊆ {html, entities, whitespace, mojibake}.

    Order matters: entities first only when the text was escaped twice (`&amp;lt;p&amp;gt;`
    arrives as `&lt;p&gt;` after XML parsing), then tags, then whitespace.
    """
    if raw.isascii() and "<" not in raw and "&" not in raw and _is_tidy(raw):
        return raw, frozenset()
    fixes: set[str] = set()
    text = raw
    for _ in range(3):  # some repositories escape two or three times over
        if "&" not in text or not _ENTITY.search(text):
            break
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
        fixes.add("entities")
    if "<" in text and _TAG.search(text):
        text = _html_to_text(text)
        fixes.add("html")
    tidy = _normalise_space(text)
    if tidy != text:
        if not fixes or text.strip() != tidy:
            fixes.add("whitespace")
        text = tidy
    if not text.isascii() and ftfy.badness.is_bad(text):
        fixes.add("mojibake")
    return text, frozenset(fixes)


def _is_tidy(text: str) -> bool:
    return (
        text == text.strip()
        and "  " not in text
        and "\t" not in text
        and "\r" not in text
        and "\n\n" not in text
        and " \n" not in text
        and "\n " not in text
    )


def _normalise_space(text: str) -> str:
    """Runs of spaces → one space; line breaks kept (one per paragraph), ends stripped."""
    text = _SPACE.sub(" ", text)
    if "\n" in text:
        text = _BLANK_LINES.sub("\n", text)
    return text.strip()


def _html_to_text(markup: str) -> str:
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return _TAG.sub(" ", markup)
    for bad in root.iter(*_DROPPED_TAGS):
        bad.drop_tree()
    parts: list[str] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if el.tail and el is not root:
                parts.append(el.tail)
    return "".join(parts)
