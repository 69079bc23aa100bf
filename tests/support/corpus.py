"""Where the shared real-input corpus lives.

``OER_CORPUS`` (absolute, or relative to the repository root) overrides the default
``../shared/corpus`` next to the repository. A missing corpus skips the test locally and
fails it on CI (``CI=true``), so CI can never pass by skipping everything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.corpus import corpus_root

REPO_ROOT = Path(__file__).resolve().parents[2]
__all__ = ["REPO_ROOT", "corpus_path", "corpus_root"]


def corpus_path(*parts: str) -> Path:
    """Path of a corpus file; skips (locally) or fails (CI=true) when it is missing."""
    path = corpus_root().joinpath(*parts)
    if not path.exists():
        message = f"corpus file missing: {path} (set OER_CORPUS to the corpus directory)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
