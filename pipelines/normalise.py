"""Batch interfaces over the normalisers, for evaluation and other tools.

One raw value per input line, one JSON-ready dict per value, in the same order (the CLI's
`oer normalise licence|language` reads stdin and writes JSON lines).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from transforms.languages import normalise_language
from transforms.licences import normalise_licence


def languages(lines: Iterable[str]) -> Iterator[dict]:
    """Each declared language value → {input, languages (BCP 47, [] when none), rule, junk}."""
    for line in lines:
        raw = line.rstrip("\r\n")
        result = normalise_language(raw)
        yield {
            "input": raw,
            "languages": list(result.languages),
            "rule": result.rule,
            "junk": result.junk,
        }


def licences(lines: Iterable[str]) -> Iterator[dict]:
    """Each raw rights value → its licence URI (or None), SPDX id, flags, access rights, rule."""
    for line in lines:
        raw = line.rstrip("\r\n")
        r = normalise_licence(raw)
        yield {
            "input": raw,
            "licence_uri": r.licence_uri,
            "spdx": r.spdx,
            "access_rights_uri": r.access_rights_uri,
            "open_for_adaptation": r.open_for_adaptation,
            "allows_adaptation": r.allows_adaptation,
            "allows_commercial": r.allows_commercial,
            "share_alike": r.share_alike,
            "family": r.family,
            "version": r.version,
            "port": r.port,
            "rule": r.rule,
        }
