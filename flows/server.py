"""A local Prefect server (API + UI) on 127.0.0.1 for operators (`make ui`) and tests, offline.

`start()` runs `prefect server start` in a subprocess of its own session (Ctrl-C in the
terminal that started it does not stop it), analytics off, logging to
`<PREFECT_HOME>/server.log`, and waits for `GET /api/health`; a healthy server already on the
port is reused. A pid file (`<PREFECT_HOME>/oer-server.pid`) lets another process stop it.
`trigger()` waits until a deployment is served (`oer serve`) and creates a run of it now.

    python -m flows.server start|stop|status [--port 4200] [--home PREFECT_HOME]
    python -m flows.server trigger [harvest-source/harvest-demo] [--port 4200]

Does not import Prefect: the server is a subprocess, the API is called with plain HTTP.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from flows.settings import apply_defaults
from warehouse.state import pid_alive

DEFAULT_PORT = 4200
HOST = "127.0.0.1"
DEMO_DEPLOYMENT = "harvest-source/harvest-demo"
PID_FILE = "oer-server.pid"
LOG_FILE = "server.log"


class ServerError(RuntimeError):
    """The server did not come up (the message ends with the tail of its log)."""


def ui_url(port: int = DEFAULT_PORT) -> str:
    return f"http://{HOST}:{port}"


def api_url(port: int = DEFAULT_PORT) -> str:
    return f"{ui_url(port)}/api"


def healthy(port: int = DEFAULT_PORT, timeout: float = 2.0) -> bool:
    """Whether a Prefect API answers `GET /api/health` on the port."""
    try:
        with urllib.request.urlopen(f"{api_url(port)}/health", timeout=timeout) as response:
            return response.status == 200 and response.read().strip() == b"true"
    except (OSError, ValueError):
        return False


def server_env(port: int, home: Path) -> dict[str, str]:
    """The environment of a server (or of a process talking to it): offline, no analytics."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_SERVER_API_HOST=HOST,
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_UI_API_URL=api_url(port),  # else the UI calls the default port, 4200
    )
    return env


def _home(home: str | Path | None) -> Path:
    if home is None:
        apply_defaults()
        home = os.environ["PREFECT_HOME"]
    path = Path(home).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_tail(path: Path, lines: int) -> str | None:
    """The last `lines` lines of a log file; None when there is no such file."""
    if not path.exists():
        return None
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def log_tail(home: Path, lines: int = 30) -> str:
    return file_tail(home / LOG_FILE, lines) or "(no log)"


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on (the OS picks it)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class ServerHandle:
    port: int
    home: Path
    pid: int | None  # None: a server we reused and know no pid of
    started: bool  # False: it was already running; stop() leaves it alone
    process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return api_url(self.port)

    @property
    def ui_url(self) -> str:
        return ui_url(self.port)

    @property
    def log_path(self) -> Path:
        return self.home / LOG_FILE

    def env(self) -> dict[str, str]:
        """The environment for a process that talks to this server."""
        return {**server_env(self.port, self.home), "PREFECT_API_URL": self.api_url}

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server if this handle started it."""
        if not self.started or self.pid is None:
            return
        _terminate(self.pid, timeout, self.process)
        _remove_pid_file(self.home, self.pid)


def start(
    port: int = DEFAULT_PORT, home: str | Path | None = None, timeout: float = 90.0
) -> ServerHandle:
    """A healthy server on 127.0.0.1:`port` (this one's PREFECT_HOME: `home`, default the
    project's `.prefect`), started unless one already answers there."""
    home = _home(home)
    if healthy(port):
        recorded = _read_pid_file(home)
        pid = recorded["pid"] if recorded and recorded["port"] == port else None
        return ServerHandle(port, home, pid, started=False)
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST,
               "--port", str(port), "--analytics-off"]  # fmt: skip
    with (home / LOG_FILE).open("ab") as log:
        process = subprocess.Popen(
            command,
            env=server_env(port, home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C elsewhere spares it
        )
    handle = ServerHandle(port, home, process.pid, started=True, process=process)
    deadline = time.monotonic() + timeout
    while not healthy(port, timeout=1.0):
        if process.poll() is not None:
            raise ServerError(
                f"the Prefect server on port {port} exited with code {process.returncode} "
                f"before it was healthy; {handle.log_path}:\n{log_tail(home)}"
            )
        if time.monotonic() > deadline:
            handle.stop()
            raise ServerError(
                f"the Prefect server on port {port} was not healthy after {timeout:.0f} s; "
                f"{handle.log_path}:\n{log_tail(home)}"
            )
        time.sleep(0.25)
    (home / PID_FILE).write_text(json.dumps({"pid": process.pid, "port": port}) + "\n")
    return handle


def api(port: int, method: str, path: str, body: dict | None = None, timeout: float = 10.0):
    """One JSON call to the server's REST API (`path` after /api), e.g. `api(4200, "GET",
    "/flow_runs/<id>")`."""
    request = urllib.request.Request(
        api_url(port) + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


def trigger(deployment: str, port: int = DEFAULT_PORT, timeout: float = 120.0) -> dict:
    """Once deployment `deployment` ("harvest-source/harvest-demo") is served (registered,
    not paused, status READY: a runner such as `oer serve` polls it), a run of it now: the
    flow run (JSON). `serve` pauses its deployments when it stops, and unpauses them when
    it starts again."""
    flow_name, _, name = deployment.partition("/")
    path = f"/deployments/name/{urllib.parse.quote(flow_name)}/{urllib.parse.quote(name)}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = api(port, "GET", path)
            if found.get("status") == "READY" and not found.get("paused"):
                return api(port, "POST", f"/deployments/{found['id']}/create_flow_run", {})
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                raise
        except OSError:
            pass  # the server is not up (yet)
        if time.monotonic() > deadline:
            raise ServerError(f"deployment {deployment} was not served within {timeout:.0f} s")
        time.sleep(1.0)


def stop(port: int | None = None, home: str | Path | None = None, timeout: float = 15.0) -> bool:
    """Stop the server the pid file in `home` names (only if it serves `port`, when given);
    False when there is none."""
    home = _home(home)
    recorded = _read_pid_file(home)
    if recorded is None or (port is not None and recorded["port"] != port):
        return False
    _remove_pid_file(home, recorded["pid"])
    if not _is_server(recorded["pid"]):
        return False  # gone already, or the pid now belongs to something else
    _terminate(recorded["pid"], timeout)
    return True


def _read_pid_file(home: Path) -> dict | None:
    try:
        data = json.loads((home / PID_FILE).read_text())
        return {"pid": int(data["pid"]), "port": int(data["port"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _remove_pid_file(home: Path, pid: int) -> None:
    recorded = _read_pid_file(home)
    if recorded is not None and recorded["pid"] == pid:
        (home / PID_FILE).unlink(missing_ok=True)


def _is_server(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: trust the pid file
        return pid_alive(pid)
    return b"prefect" in cmdline and b"server" in cmdline


def _terminate(pid: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    """SIGTERM to the server's process group, SIGKILL after `timeout` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None:
                if process.poll() is not None:
                    return
            elif not pid_alive(pid):
                return
            time.sleep(0.1)
    if process is not None:
        process.wait(timeout=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flows.server",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["start", "stop", "status", "trigger"])
    parser.add_argument(
        "deployment", nargs="?", default=DEMO_DEPLOYMENT, help="trigger: flow/deployment"
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--home", help="PREFECT_HOME (default: $PREFECT_HOME, else .prefect)")
    args = parser.parse_args(argv)
    port, home = args.port, _home(args.home)
    try:
        if args.command == "start":
            handle = start(port, home)
            how = "started" if handle.started else "already running"
            print(f"Prefect server {how} (PREFECT_HOME {home}, log {handle.log_path})")
        elif args.command == "stop":
            if stop(port, home):
                print(f"Prefect server on port {port} stopped")
            elif healthy(port):
                print(f"a Prefect server answers on port {port}, but {home} has no pid file "
                      "for it: left running")  # fmt: skip
            else:
                print(f"no Prefect server running on port {port}")
        elif args.command == "status":
            if not healthy(port):
                print(f"no Prefect server on port {port}")
                return 1
            print(f"Prefect server healthy: UI {ui_url(port)}, API {api_url(port)}")
        else:
            # `make ui` runs this in the background of its shell, which ignores Ctrl-C there:
            # listen to it again, so that Ctrl-C ends the wait along with `oer serve`
            signal.signal(signal.SIGINT, signal.default_int_handler)
            run = trigger(args.deployment, port)
            print(f"triggered {args.deployment}: {ui_url(port)}/runs/flow-run/{run['id']}")
    except ServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
