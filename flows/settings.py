"""Prefect settings chosen for operators; imported before Prefect itself.

- a project-local PREFECT_HOME unless the caller set one, so that a checkout never writes
  into the user's global Prefect profile by surprise;
- analytics off (PREFECT_SERVER_ANALYTICS_ENABLED, DO_NOT_TRACK);
- the pipeline's own log lines (run issues naming page, window and record) sent to the
  Prefect run's log: PREFECT_LOGGING_EXTRA_LOGGERS (Prefect reads it when it is imported).

Runner heartbeats stay off (PREFECT_RUNNER_HEARTBEAT_FREQUENCY unset, Prefect's default):
each would be one more API call every 30 s or more per run, for nothing `serve` needs.
Every value here is a default: an operator's environment wins.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXTRA_LOGGERS = "pipelines"


def apply_defaults() -> None:
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", EXTRA_LOGGERS)
