"""Learning resource types → HCRT concepts (placeholder until the vocabulary lands)."""

from __future__ import annotations


def to_hcrt(raw: str) -> tuple[str, str] | None:
    """A raw learning resource type → (HCRT concept URI, English label), or None."""
    return None
