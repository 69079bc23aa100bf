"""Prefect settings chosen for operators; imported before Prefect itself.

Analytics off, and a project-local PREFECT_HOME unless the caller set one, so that a
checkout never writes into the user's global Prefect profile by surprise.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def apply_defaults() -> None:
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
