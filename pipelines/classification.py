"""Batch interface over the classifier (`oer classify`): one JSON-ready dict per text."""

from __future__ import annotations

from transforms.classify import METHOD, classify_text

__all__ = ["METHOD", "as_row"]


def as_row(identifier: object, text: str) -> dict:
    """{"id", "sdgs": [{"goal", "score", "evidence", "targets"}], "action_areas": [{"area",
    "score", "evidence"}], "method"} for one text, only the labels assigned."""
    result = classify_text(text)
    return {
        "id": identifier,
        "sdgs": [
            {"goal": lb.code, "score": lb.score, "evidence": list(lb.evidence),
             "targets": list(lb.targets)}
            for lb in result.sdgs
        ],
        "action_areas": [
            {"area": lb.code, "score": lb.score, "evidence": list(lb.evidence)}
            for lb in result.action_areas
        ],
        "method": result.method,
    }  # fmt: skip
