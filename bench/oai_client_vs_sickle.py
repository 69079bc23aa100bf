"""Our OAI-PMH client vs Sickle 0.7: speed on the same pages, and behaviour on bad pages.

Starts the synthetic server (../shared/bench/oai_server.py) in a subprocess, fetches every
ListRecords page once into memory, then times, on those same bytes and with HTTP stubbed
out on both sides:

  sickle_iterate        Sickle's own ListRecords iterator (``_request`` replaced)
  sickle_headers_only   the same with class_mapping -> a header-only item class
                        (Sickle's per-page cost without its xml_to_dict metadata)
  ours_parse            parse_oai + parse_list_page per page (header fields, raw bytes)
  ours_client           OAIClient.list_records with ``request`` replaced (PageChain too)
  ours_client_dicts     ours_client plus a Sickle-like dict of the metadata per record

and both over real HTTP (Sickle: requests.get per page; ours: one keep-alive httpx client).
Then it feeds both the same hostile sequences (HTML page mid-chain, truncated page,
HTTP 422 carrying an OAI error, noRecordsMatch after a token, 503 with an HTTP-date
Retry-After) and reports what each does.

    .venv/bin/python bench/oai_client_vs_sickle.py [--n 20000] [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
import sickle
from sickle import Sickle
from sickle.models import Header

from harvesters.oai import (
    HarvestError,
    OAIClient,
    RawResponse,
    parse_list_page,
    parse_oai,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OER_SHARED", REPO_ROOT.parent / "shared"))
SERVER = SHARED / "bench" / "oai_server.py"
CORPUS = Path(os.environ.get("OER_CORPUS", SHARED / "corpus"))
FAKE_BASE = "http://bench.invalid/oai"
OAI_HEADER = "{http://www.openarchives.org/OAI/2.0/}header"

Exchange = tuple[int, bytes, dict[str, str]]  # status, body, headers


# ----------------------------------------------------------------- the pages


def start_server(n: int, page_size: int) -> tuple[subprocess.Popen[bytes], str]:
    port_file = Path(tempfile.mkdtemp()) / "port.json"
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "--n", str(n), "--page-size", str(page_size),
         "--port", "0", "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("synthetic OAI server did not start")
        time.sleep(0.1)
    return process, json.loads(port_file.read_text())["base_url"]


def fetch_pages(base_url: str) -> tuple[list[bytes], float]:
    started = time.perf_counter()
    with OAIClient(base_url) as client:
        pages = [page.content for page in client.list_records("oai_dc")]
    return pages, time.perf_counter() - started


# ----------------------------------------------------------------- Sickle, HTTP stubbed


def fake_requests_response(status: int, body: bytes, headers: dict[str, str]) -> Any:
    response = requests.models.Response()
    response.status_code = status
    response._content = body
    response.url = FAKE_BASE
    response.headers.update({"Content-Type": "text/xml; charset=utf-8", **headers})
    return response


def stubbed_sickle(exchanges: list[Exchange], **options: Any) -> Sickle:
    replies = iter(exchanges)
    client = Sickle(FAKE_BASE, **options)
    client._request = lambda kwargs: fake_requests_response(*next(replies))
    return client


class HeaderOnly(Header):
    """class_mapping target: what Sickle costs without building the metadata dict."""

    def __init__(self, record_element: Any):
        super().__init__(record_element.find(OAI_HEADER))


def sickle_iterate(pages: list[bytes], header_only: bool = False) -> int:
    options: dict[str, Any] = {}
    if header_only:
        options["class_mapping"] = {**sickle.app.DEFAULT_CLASS_MAP, "ListRecords": HeaderOnly}
    client = stubbed_sickle([(200, p, {}) for p in pages], **options)
    return sum(1 for _ in client.ListRecords(metadataPrefix="oai_dc"))


# ----------------------------------------------------------------- ours, HTTP stubbed


class MemoryClient(OAIClient):
    """OAIClient whose ``request`` answers from memory: the rest is the real code."""

    def __init__(self, exchanges: list[Exchange]):  # no httpx client
        self._replies = iter(exchanges)

    def request(self, verb: str, **params: str | None) -> RawResponse:
        status, body, headers = next(self._replies)
        query = {"verb": verb, **{k: v for k, v in params.items() if v is not None}}
        return RawResponse(
            url=f"{FAKE_BASE}?{urlencode(query)}", params=query, method="GET", status=status,
            headers={"content-type": "text/xml; charset=utf-8", **headers}, content=body,
            elapsed_s=0.0, fetched_at=datetime.now(UTC),
        )  # fmt: skip


def ours_parse(pages: list[bytes]) -> int:
    count = 0
    for content in pages:
        count += len(parse_list_page(parse_oai(content, url=FAKE_BASE), verb="ListRecords").items)
    return count


def ours_client(pages: list[bytes], with_dicts: bool = False) -> int:
    count = 0
    for page in MemoryClient([(200, p, {}) for p in pages]).list_records("oai_dc"):
        for item in page.items:
            if with_dicts and item.metadata is not None:
                fields: dict[str, list[str | None]] = {}
                for element in item.metadata:
                    fields.setdefault(element.tag.rpartition("}")[2], []).append(element.text)
            count += 1
    return count


# ----------------------------------------------------------------- timing


def best_of(runs: int, fn: Callable[[], int]) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(runs):
        started = time.perf_counter()
        count = fn()
        best = min(best, time.perf_counter() - started)
    return best, count


def over_http_sickle(base_url: str) -> int:
    return sum(1 for _ in Sickle(base_url, timeout=60).ListRecords(metadataPrefix="oai_dc"))


def over_http_ours(base_url: str) -> int:
    with OAIClient(base_url) as client:
        return sum(len(page.items) for page in client.list_records("oai_dc"))


# ----------------------------------------------------------------- bad pages


def behaviour(exchanges: list[Exchange], *, sickle_options: dict[str, Any] | None = None) -> dict:
    return {
        "sickle": run_sickle(exchanges, sickle_options or {}),
        "ours": run_ours(exchanges),
    }


def run_sickle(exchanges: list[Exchange], options: dict[str, Any]) -> str:
    records = 0
    try:
        for _ in stubbed_sickle(exchanges, **options).ListRecords(metadataPrefix="oai_dc"):
            records += 1
    except Exception as exc:  # we report whatever Sickle does
        return f"{records} records, then {type(exc).__module__}.{type(exc).__name__}: {exc}"[:120]
    return f"{records} records, then ended normally (no error)"


def run_ours(exchanges: list[Exchange]) -> str:
    records = 0
    chain = MemoryClient(exchanges).list_records("oai_dc")
    try:
        for page in chain:
            records += len(page.items)
    except HarvestError as exc:
        return f"{records} records, then {type(exc).__name__} ({exc.code}) naming {exc.url}"
    return f"{records} records, then ended cleanly ({chain.end_reason})"


def bad_page_cases(pages: list[bytes]) -> dict[str, dict]:
    first, second = pages[0], pages[1]
    login = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Login</body></html>"
    zenodo_422 = CORPUS / "zenodo-oaipmh-scythe/extracted/list_records/04_ListRecords_XXX.xml"
    mla_end = CORPUS / "scrapi-vcr/extracted/mla/14_ListRecords_resumption.xml"
    http_date = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    return {
        "html_login_page_as_page_2": behaviour([(200, first, {}), (200, login, {})]),
        "page_2_truncated_in_half": behaviour(
            [(200, first, {}), (200, second[: len(second) // 2], {})]
        ),
        "http_422_with_oai_badArgument": behaviour([(422, zenodo_422.read_bytes(), {})]),
        "noRecordsMatch_after_a_token": behaviour(
            [(200, first, {}), (200, mla_end.read_bytes(), {})]
        ),
        "503_with_http_date_retry_after": behaviour(
            [(503, b"busy", http_date), (200, first, {})], sickle_options={"max_retries": 1}
        ),
    }


# ----------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    process, base_url = start_server(args.n, args.page_size)
    try:
        pages, fetch_s = fetch_pages(base_url)
        http = {
            "sickle_http": best_of(1, lambda: over_http_sickle(base_url)),
            "ours_http": best_of(1, lambda: over_http_ours(base_url)),
        }
    finally:
        process.terminate()
        process.wait(timeout=10)

    variants = {
        "sickle_iterate": lambda: sickle_iterate(pages),
        "sickle_headers_only": lambda: sickle_iterate(pages, header_only=True),
        "ours_parse": lambda: ours_parse(pages),
        "ours_client": lambda: ours_client(pages),
        "ours_client_dicts": lambda: ours_client(pages, with_dicts=True),
    }
    timings = {name: best_of(args.runs, fn) for name, fn in variants.items()} | http
    counts = {count for _, count in timings.values()}
    if counts != {args.n}:
        raise SystemExit(f"record counts differ between variants: {timings}")

    total_bytes = sum(map(len, pages))
    result = {
        "n": args.n,
        "pages": len(pages),
        "mb": round(total_bytes / 1e6, 2),
        "first_fetch_s": round(fetch_s, 3),
        "seconds": {k: round(s, 4) for k, (s, _) in timings.items()},
        "records_per_s": {k: round(args.n / s) for k, (s, _) in timings.items()},
        "ratio_vs_sickle_iterate": {
            k: round(timings["sickle_iterate"][0] / s, 2) for k, (s, _) in timings.items()
        },
        "bad_pages": bad_page_cases(pages),
        "python": sys.version.split()[0],
        "sickle": getattr(sickle, "__version__", "0.7.0"),
    }
    print(f"{args.n} records, {len(pages)} pages, {result['mb']} MB, best of {args.runs}\n")
    print("| variant | s | records/s | x vs sickle_iterate |\n|---|---|---|---|")
    for name in timings:
        print(f"| {name} | {result['seconds'][name]} | {result['records_per_s'][name]} | "
              f"{result['ratio_vs_sickle_iterate'][name]} |")  # fmt: skip
    print("\n| case | Sickle 0.7 | ours |\n|---|---|---|")
    for case, outcome in result["bad_pages"].items():
        print(f"| {case} | {outcome['sickle']} | {outcome['ours']} |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
