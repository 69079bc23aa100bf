"""Identifiers: which scheme a string is, and its normalised form.

DOIs become lower-case `10.…` (the DOI Handbook: case-insensitive), handles `prefix/suffix`,
ISBNs ISBN-13 digits (checksum verified), URNs lower-case scheme and NID. Anything else
stays as given, with scheme `url` for http(s) links and `other` otherwise.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from transforms.model import Identifier

_DOI = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.I)
_HANDLE = re.compile(r"^(?:hdl:\s*|https?://hdl\.handle\.net/)(\d[\w.]*/\S+)$", re.I)
_ISBN = re.compile(r"^(?:isbn(?:-1[03])?:?\s*)?([\d\- ]{9,17}[\dXx])$", re.I)
_ISSN = re.compile(r"^(?:issn:?\s*)?(\d{4}-?\d{3}[\dXx])$", re.I)
_URN = re.compile(r"^urn:([a-z0-9][a-z0-9-]{0,31}):(\S+)$", re.I)


def isbn13(raw_digits: str) -> str | None:
    """ISBN-10 or ISBN-13 (hyphens/spaces allowed) → ISBN-13 digits, None if the checksum fails."""
    digits = re.sub(r"[\s-]", "", raw_digits).upper()
    if len(digits) == 10 and re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        if total % 11:
            return None
        body = "978" + digits[:9]
    elif len(digits) == 13 and digits.isdigit() and digits[:3] in ("978", "979"):
        body = digits[:12]
        if _isbn13_check(body) != digits[12]:
            return None
        return digits
    else:
        return None
    return body + _isbn13_check(body)


def _isbn13_check(body: str) -> str:
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    return str((10 - total % 10) % 10)


def classify_identifier(value: str) -> Identifier:
    text = value.strip()
    if match := _DOI.match(text):
        return Identifier(value=value, scheme="doi", normalized=unquote(match[1]).lower())
    if match := _HANDLE.match(text):
        return Identifier(value=value, scheme="handle", normalized=match[1])
    if text.lower().startswith(("http://", "https://")):
        return Identifier(value=value, scheme="url", normalized=text)
    if text.lower().startswith("oai:"):
        return Identifier(value=value, scheme="oai", normalized=text)
    if match := _URN.match(text):
        return Identifier(
            value=value, scheme="urn", normalized=f"urn:{match[1].lower()}:{match[2]}"
        )
    if (match := _ISBN.match(text)) and (isbn := isbn13(match[1])):
        return Identifier(value=value, scheme="isbn", normalized=isbn)
    if match := _ISSN.match(text):
        digits = match[1].replace("-", "").upper()
        return Identifier(value=value, scheme="issn", normalized=f"{digits[:4]}-{digits[4:]}")
    return Identifier(value=value, scheme="other", normalized=None)
