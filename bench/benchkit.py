"""What our benchmark scripts share: paths, the code under test, the shared bench server."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = Path(os.environ.get("SHARED_BENCH", ROOT.parent / "shared" / "bench"))
OER_CMD = [str(ROOT / ".venv" / "bin" / "oer")]  # a script's --oer option replaces it in place
PRODUCT_DIRS = ("harvesters", "transforms", "vocabularies", "warehouse", "pipelines", "flows")


def code_state() -> dict:
    """The product code under test: commit, uncommitted changes, a digest of its files
    (the code may change while the benchmark runs: compare the states at start and end)."""

    root = Path(os.environ.get("OER_CODE_ROOT", ROOT))  # a snapshot run with --oer

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30)
        return done.stdout.strip()

    digest = hashlib.sha256()
    for d in PRODUCT_DIRS:
        for f in sorted((root / d).rglob("*")):
            if f.suffix in (".py", ".sql", ".toml") and "__pycache__" not in f.parts:
                digest.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted": git("status", "--porcelain", "--", *PRODUCT_DIRS).splitlines(),
        "digest": digest.hexdigest()[:16],
        "root": str(root),
    }


class BenchServer:
    """oai_server.py on 127.0.0.1 with a free port; stopped by PID."""

    def __init__(self, workdir: Path, args: list[str]):
        self.port_file = workdir / "server.json"
        self.port_file.unlink(missing_ok=True)
        self.log = open(workdir / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(SHARED_BENCH / "oai_server.py"),
                *("--host", "127.0.0.1", "--port", "0", "--port-file", str(self.port_file)),
                *args,
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while not self.port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"server did not start (see {workdir / 'server.log'})")
            time.sleep(0.05)
        self.info = json.loads(self.port_file.read_text())
        self.url = self.info["base_url"]

    def stats(self) -> dict:
        with urllib.request.urlopen(self.url.removesuffix("/oai") + "/stats", timeout=10) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def prepare(oer: str | None, out: Path | None, prefix: str) -> Path | None:
    """Point OER_CMD at `oer` (if given), check it exists, make the work dir (None: the CLI
    is missing), and let SIGTERM run the callers' finally blocks (servers get stopped)."""
    if oer:
        OER_CMD[:] = shlex.split(oer)
    if not Path(OER_CMD[0]).exists():
        print("run 'make setup' first", file=sys.stderr)
        return None
    base = Path(os.environ.get("TMPDIR", "/tmp")) / "oer-bench"
    base.mkdir(parents=True, exist_ok=True)
    workdir = out or Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    workdir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return workdir
