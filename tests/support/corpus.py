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
__all__ = ["AGREGA_LOM_FILES", "AGREGA_MANIFEST", "REPO_ROOT", "corpus_path", "corpus_root"]

# The LOM-ES records of agrega2-lom-es (one per file), and its IMS content package manifest.
AGREGA_LOM_FILES = (
    "catalogacion__metadato1_N23.xml",
    "catalogacion__metadatoCompleto.xml",
    "catalogacion__metadatoCompletoVacio.xml",
    "catalogacion__metadatoNoValido.xml",
    "empaquetadorbasico__metadato_media_PBSD02_oa02.xml",
    "modificador__metadato_dibujo01_oa01.xml",
    "modificador__metadato_media_TVSD01.xml",
    "parseadorXML__metadatoLote1.xml",
    "validador__metadato_infantil05.xml",
)
AGREGA_MANIFEST = "modificador__imsmanifest.xml"


def corpus_path(*parts: str) -> Path:
    """Path of a corpus file; skips (locally) or fails (CI=true) when it is missing."""
    path = corpus_root().joinpath(*parts)
    if not path.exists():
        message = f"corpus file missing: {path} (set OER_CORPUS to the corpus directory)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
