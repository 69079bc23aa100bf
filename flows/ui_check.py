"""`make ui-check`: a demo harvest as a deployment run, seen in the Prefect UI by a real browser.

Starts a Prefect server on a free port with a temporary PREFECT_HOME, runs `oer serve`
against it (warehouse in the same temporary directory), triggers `harvest-source/harvest-demo`,
waits until the flow run is Completed, then has headless Chromium render the flow-run page and
the run's artifact page. Checks the rendered pages say what they should (run name, Completed,
deployment, the artifact's summary) and that the screenshots are not blank, writes
docs/img/prefect-flow-run.png and docs/img/prefect-artifact.png, and stops everything.

    python -m flows.ui_check [--out-dir docs/img] [--keep]
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from flows import server
from flows.settings import PROJECT_ROOT

DEPLOYMENT = "harvest-source/harvest-demo"
WINDOW = (1440, 1000)
MIN_PNG_BYTES = 30_000
MIN_COLOURS = 256  # a blank or one-colour page has a handful


class CheckFailed(RuntimeError):
    pass


def chromium() -> str:
    found = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not found:
        raise CheckFailed("no chromium: apt-get install chromium (make ui-check does)")
    return found


def render(url: str, png: Path, profile: Path) -> str:
    """Screenshot of `url` after the single-page app has loaded; the page's text."""
    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}", "--virtual-time-budget=20000",
        "--run-all-compositor-stages-before-draw",  # else the run graph's axis smears
        f"--screenshot={png}", "--dump-dom", url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or not png.exists():
        raise CheckFailed(f"chromium failed on {url} ({done.returncode}): {done.stderr[-2000:]}")
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", done.stdout, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def png_colours(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct colours) of an 8-bit RGB/RGBA PNG, decoded with zlib."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise CheckFailed(f"{path} is not a PNG")
    pos, idat, width, height, colour_type = 8, [], 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour_type not in (2, 6) or body[12] != 0:
                raise CheckFailed(f"{path}: not an 8-bit non-interlaced RGB(A) PNG")
        elif kind == b"IDAT":
            idat.append(body)
    raw = zlib.decompress(b"".join(idat))
    bpp = 3 if colour_type == 2 else 4
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise CheckFailed(f"{path}: truncated image data")
    prev, colours = bytearray(stride), set()
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride) if kind else ():  # undo the row filter (PNG spec, 9.2)
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            if kind == 1:
                row[i] = (row[i] + a) & 255
            elif kind == 2:
                row[i] = (row[i] + b) & 255
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            else:
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        colours.update(bytes(row[i : i + bpp]) for i in range(0, stride, bpp))
        prev = row
    return width, height, len(colours)


def check_png(path: Path) -> str:
    size = path.stat().st_size
    width, height, colours = png_colours(path)
    if size < MIN_PNG_BYTES or colours < MIN_COLOURS or (width, height) != WINDOW:
        raise CheckFailed(
            f"{path} looks blank: {size:,} bytes, {width}x{height}, {colours} colours"
        )
    return f"{size / 1024:.0f} KB, {width}x{height}, {colours:,} colours"


def expect(text: str, what: str, *needles: str) -> None:
    missing = [n for n in needles if n not in text]
    if missing or "Can't connect to Server API" in text:
        raise CheckFailed(f"the {what} page does not show {missing or 'the API'}: {text[:1500]}")


def wait_completed(port: int, flow_run_id: str, serving: subprocess.Popen, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = server.api(port, "GET", f"/flow_runs/{flow_run_id}")
        if run["state_type"] == "COMPLETED":
            return run
        if run["state_type"] in ("FAILED", "CRASHED", "CANCELLED"):
            raise CheckFailed(f"flow run {run['name']} ended {run['state_name']}")
        if serving.poll() is not None:
            raise CheckFailed(f"oer serve exited with code {serving.returncode}")
        time.sleep(1.0)
    raise CheckFailed(f"flow run {flow_run_id} not Completed after {timeout:.0f} s")


def stop_serving(serving: subprocess.Popen) -> None:
    """Ctrl-C, as an operator would; harder if it does not listen."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if serving.poll() is not None:
            return
        os.killpg(serving.pid, sig)
        try:
            serving.wait(timeout=15)
        except subprocess.TimeoutExpired:
            continue


def check(out_dir: Path, work: Path) -> list[str]:
    """Everything above; lines saying what was done."""
    said: list[str] = []
    t0 = time.monotonic()
    port = server.free_port()
    handle = server.start(port, work / "prefect-home")
    said.append(f"Prefect server on {handle.ui_url} (PREFECT_HOME {handle.home}) up in "
                f"{time.monotonic() - t0:.1f} s")  # fmt: skip
    serve_log = work / "serve.log"
    env = {**handle.env(), "OER_WAREHOUSE": str(work / "warehouse.duckdb"),
           "PREFECT_RUNNER_POLL_FREQUENCY": "2"}  # fmt: skip
    serving = None
    try:
        with serve_log.open("wb") as log:
            serving = subprocess.Popen(
                [sys.executable, "-m", "flows.cli", "serve", "--source", "demo"],
                cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        try:
            created = server.trigger(DEPLOYMENT, port, timeout=120)
            run = wait_completed(port, created["id"], serving, timeout=180)
        except (CheckFailed, server.ServerError) as exc:
            raise CheckFailed(
                f"{exc}\n--- {serve_log}:\n{server.file_tail(serve_log, 40) or ''}"
            ) from None
        said.append(f"`oer serve` served {DEPLOYMENT}; run {run['name']} ({run['id']}) "
                    f"{run['state_name']} {time.monotonic() - t0:.1f} s after start")  # fmt: skip
        artifacts = server.api(port, "POST", "/artifacts/filter",
                               {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}})  # fmt: skip
        if [a["key"] for a in artifacts] != ["harvest-demo"]:
            raise CheckFailed(f"run {run['name']} has artifacts {artifacts}, not harvest-demo")
        artifact = artifacts[0]

        out_dir.mkdir(parents=True, exist_ok=True)
        pages = [
            ("flow-run", f"{handle.ui_url}/runs/flow-run/{run['id']}", "prefect-flow-run.png",
             (run["name"], "Completed", "Deployment", "harvest-demo", "demo: ok, ")),
            ("artifact", f"{handle.ui_url}/artifacts/artifact/{artifact['id']}",
             "prefect-artifact.png", ("demo: ok", "records received", run["name"])),
        ]  # fmt: skip
        for what, url, name, needles in pages:
            shot = work / name
            text = render(url, shot, work / f"chromium-{what}")
            expect(text, what, *needles)
            summary = check_png(shot)
            shutil.copyfile(shot, out_dir / name)
            said.append(f"{out_dir / name}: {url} ({summary})")
    finally:
        if serving is not None:
            stop_serving(serving)
        handle.stop()
    said.append(f"stopped oer serve and the server; {time.monotonic() - t0:.1f} s in all")
    return said


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flows.ui_check",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out-dir", type=Path, default=PROJECT_ROOT / "docs" / "img")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory.")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="oer-ui-check-"))
    ok = False
    try:
        for line in check(args.out_dir, work):
            print(line)
        ok = True
    except (CheckFailed, server.ServerError) as exc:
        print(f"ui-check failed: {exc}", file=sys.stderr)
    finally:
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work} (server.log, serve.log, screenshots)", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
