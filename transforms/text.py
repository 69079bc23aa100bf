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
import re._constants as sre_constants  # the stdlib's own regex parser, to read ftfy's regex
import re._parser as sre_parser
from collections.abc import Callable
from functools import lru_cache

import ftfy.badness
from lxml import etree
from lxml import html as lxml_html

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A run of spaces becomes one space. A lone plain space is left alone rather than replaced
# by itself: same result, without a substitution between every two words of an abstract.
_SPACE = re.compile(
    r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}"
    r"|[\t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]"
)
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
    if not text.isascii() and _is_bad(text):
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


def _fast_is_bad() -> Callable[[str], bool]:
    """`ftfy.badness.is_bad`, answered by the same regex with a cheap lookahead in front.

    `BADNESS_RE` is 37 alternatives, most starting with an ASCII class, so the regex engine
    tries them all at nearly every position of a text (~0.2 ms for a 1,000-character
    abstract). Every alternative has a position that must hold one of a few hundred
    non-ASCII characters, at most `reach` characters after the match start (read from the
    parsed regex, not copied). A match start is then only tried where such a character
    follows within `reach`: the same matches, hence the same answer, ~4× faster. Falls
    back to ftfy's function when the regex is not of that shape (another ftfy version).
    """
    pattern = ftfy.badness.BADNESS_RE
    try:
        found = _required_chars(pattern)
    except Exception:  # the private regex parser changed: keep ftfy's own function
        found = None
    if found is None:
        return ftfy.badness.is_bad
    required, reach = found
    chars = "".join(re.escape(chr(c)) for c in sorted(required))
    fast = re.compile(f"(?=[\\s\\S]{{0,{reach}}}[{chars}])(?:{pattern.pattern})", pattern.flags)
    return lambda text: fast.search(text) is not None


def _required_chars(pattern: re.Pattern[str]) -> tuple[set[int], int] | None:
    """Non-ASCII characters one of which every alternative of `pattern` must match, and the
    most characters before that position in a match; None when some alternative has none."""
    if pattern.flags & re.IGNORECASE:
        return None
    tree = sre_parser.parse(pattern.pattern, pattern.flags)
    ((op, av),) = tree.data
    if op is not sre_constants.BRANCH:
        return None
    required: set[int] = set()
    reach = 0
    for branch in av[1]:
        offset, found = 0, None  # offset: the most characters before the current item
        for item in branch.data:
            chars = _literal_chars(*item)
            if chars and min(chars) >= 0x80:
                found = (chars, offset)
                break
            offset += sre_parser.SubPattern(tree.state, [item]).getwidth()[1]
        if found is None:
            return None
        required |= found[0]
        reach = max(reach, found[1])
    return (required, reach) if required and reach <= 8 else None


def _literal_chars(op: object, av: object) -> set[int] | None:
    """Code points a single-character regex item matches, when it is literals / ranges only."""
    if op is sre_constants.LITERAL:
        return {av}  # type: ignore[arg-type]
    if op is not sre_constants.IN:
        return None
    chars: set[int] = set()
    for kind, value in av:  # type: ignore[attr-defined]
        if kind is sre_constants.LITERAL:
            chars.add(value)
        elif kind is sre_constants.RANGE:
            chars.update(range(value[0], value[1] + 1))
        else:  # NEGATE, CATEGORY (\w, \s…): not a closed set of characters
            return None
    return chars


_is_bad = _fast_is_bad()
