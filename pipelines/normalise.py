"""Batch interfaces over the normalisers, for evaluation and other tools.

One raw value per input line, one JSON-ready dict per value, in the same order (the CLI's
`oer normalise language` reads stdin and writes JSON lines).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from transforms.languages import normalise_language


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
