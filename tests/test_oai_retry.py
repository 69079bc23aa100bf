"""Retry policy, Retry-After, deferral, per-host politeness, User-Agent and TLS, against
real HTTP servers on 127.0.0.1 (tests/support/fault_server.py)."""

from __future__ import annotations

import itertools
import pickle
import random
import shutil
import ssl
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harvesters.oai import (
    DEFAULT_USER_AGENT,
    VERSION,
    BadArgument,
    CannotDisseminateFormat,
    HostLimiter,
    HTTPStatusError,
    OAIClient,
    RetryAfterTooLong,
    RetryEvent,
    RetryPolicy,
    TransportError,
    host_key,
    parse_retry_after,
)
from pipelines.demo.server import OAIRepository
from tests.support.fault_server import Fault, FaultServer, Hit, make_records

RECORDS = make_records(30)
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


class Sleeps(list):
    """An injectable sleep that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def policy(sleeps: Sleeps | None = None, **overrides: object) -> RetryPolicy:
    settings: dict[str, object] = {"backoff_base_s": 0.001, "rng": random.Random(5)}
    if sleeps is not None:
        settings["sleep"] = sleeps
    return RetryPolicy(**{**settings, **overrides})  # type: ignore[arg-type]


def identify_with(fault: Fault, retry: RetryPolicy) -> tuple[OAIClient, FaultServer]:
    with FaultServer(RECORDS, faults=[fault]) as server:
        client = OAIClient(server.base_url, retry=retry)
        try:
            client.identify()
        finally:
            client.close()
    return client, server


# ----------------------------------------------------------------- Retry-After parsing


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),  # IMF-fixdate
        ("Sunday, 01-Mar-26 12:01:00 GMT", 60.0),  # obsolete RFC 850
        ("Sun Mar  1 12:00:05 2026", 5.0),  # obsolete asctime
        ("Sat, 28 Feb 2026 12:00:00 GMT", 0.0),  # in the past: go now
        ("sun, 01 mar 2026 12:00:10 gmt", 10.0),  # case-insensitive
    ],
)
def test_retry_after_both_forms(value: str, seconds: float) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(
    "value",
    ["", "soon", "-5", "1.5", "10s", "Sun, 31 Feb 2026 12:00:00 GMT",
     "Sun, 01 Foo 2026 12:00:00 GMT", "2026-03-01T12:00:30Z", "Sun, 01 Mar 2026 12:00:30 CET"],
)  # fmt: skip
def test_retry_after_garbage_is_none(value: str) -> None:
    assert parse_retry_after(value, NOW) is None


# ----------------------------------------------------------------- backoff and jitter


def test_backoff_is_exponential_capped_and_without_jitter_exact() -> None:
    exact = RetryPolicy(jitter=0.0, backoff_base_s=1.0, backoff_factor=2.0, backoff_max_s=20.0)
    assert [exact.backoff_s(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 20, 20]


def test_jitter_is_deterministic_with_a_seeded_rng_and_within_bounds() -> None:
    def sequence(seed: int) -> list[float]:
        jittered = RetryPolicy(jitter=0.5, backoff_max_s=1000.0, rng=random.Random(seed))
        return [jittered.backoff_s(n) for n in range(1, 9)]

    first, again, other = sequence(42), sequence(42), sequence(43)
    assert first == again and first != other
    for n, wait in enumerate(first, start=1):
        assert 0.5 * 2 ** (n - 1) <= wait <= 1.5 * 2 ** (n - 1)
    assert len(set(first)) == len(first)
    capped = RetryPolicy(jitter=0.5, backoff_max_s=3.0, rng=random.Random(1))
    assert all(capped.backoff_s(n) <= 3.0 for n in range(1, 20))


def test_backoff_waits_over_http_follow_the_seeded_sequence() -> None:
    sleeps = Sleeps()
    fault = Fault("status", verb="Identify", status=500, times=3)
    client, _ = identify_with(fault, policy(sleeps, backoff_base_s=1.0, rng=random.Random(9)))
    reference = RetryPolicy(rng=random.Random(9))
    assert sleeps == [reference.backoff_s(n) for n in (1, 2, 3)]
    assert [e.wait_s for e in client.events] == sleeps
    assert [e.wait_source for e in client.events] == ["backoff"] * 3


def test_invalid_policies_are_refused() -> None:
    for bad in ({"max_attempts": 0}, {"jitter": 1.5}, {"backoff_factor": 0.5}):
        with pytest.raises(ValueError):
            RetryPolicy(**bad)  # type: ignore[arg-type]


# ----------------------------------------------------------------- Retry-After over HTTP


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_seconds_is_honoured(status: int) -> None:
    sleeps = Sleeps()
    fault = Fault("status", verb="Identify", status=status, retry_after="7")
    client, server = identify_with(fault, policy(sleeps))
    assert sleeps == [7.0] and server.count("Identify") == 2
    (event,) = client.events
    assert isinstance(event, RetryEvent)
    assert (event.reason, event.attempt, event.wait_s, event.wait_source) == (
        f"http_{status}", 1, 7.0, "retry-after"
    )  # fmt: skip
    assert event.url.endswith("/oai?verb=Identify") and event.at.tzinfo is not None
    assert event.code == "retried" and "retried after 7.00s" in event.message


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_http_date_in_the_future_is_honoured(status: int) -> None:
    sleeps = Sleeps()
    fault = Fault("status", verb="Identify", status=status, retry_after="+30")
    identify_with(fault, policy(sleeps))
    assert len(sleeps) == 1 and 28.0 <= sleeps[0] <= 30.5


def test_retry_after_on_a_500_is_not_a_promise_backoff_is_used() -> None:
    sleeps = Sleeps()
    fault = Fault("status", verb="Identify", status=500, retry_after="600")
    client, _ = identify_with(fault, policy(sleeps))
    assert sleeps[0] < 1 and client.events[0].wait_source == "backoff"


def test_unparsable_retry_after_falls_back_to_backoff_and_says_so() -> None:
    sleeps = Sleeps()
    fault = Fault("status", verb="Identify", status=503, retry_after="in a while")
    client, _ = identify_with(fault, policy(sleeps))
    assert sleeps[0] < 1
    assert "Retry-After 'in a while' not understood" in client.events[0].wait_source


@pytest.mark.parametrize("retry_after", ["3600", "+3600"], ids=["seconds", "http-date"])
def test_a_too_long_retry_after_defers_with_the_time_to_resume(retry_after: str) -> None:
    sleeps = Sleeps()
    fault = Fault("status", verb="ListRecords", page=2, status=503, retry_after=retry_after)
    with (
        FaultServer(RECORDS, faults=[fault]) as server,
        OAIClient(server.base_url, retry=policy(sleeps, max_wait_s=900)) as client,
    ):
        chain = client.list_records("oai_dc")
        next(chain)
        before = datetime.now(UTC)
        with pytest.raises(RetryAfterTooLong) as caught:
            next(chain)
    error = caught.value
    assert error.code == "retry_after_too_long" and error.status == 503
    assert 3590 <= error.wait_s <= 3600
    assert before + timedelta(seconds=3585) <= error.resume_at <= before + timedelta(seconds=3605)
    assert error.resume_at.tzinfo is UTC
    assert "resumptionToken=" in error.url and error.body == b"Service busy\n"
    assert sleeps == [] and client.events == []  # nothing waited, nothing retried
    assert server.count("ListRecords") == 2
    assert chain.resume_params is not None  # the deferred run resumes from here
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.resume_at, copy.wait_s, str(copy)) == (error.resume_at, error.wait_s, str(error))


def test_a_backoff_step_longer_than_max_wait_defers_too() -> None:
    fault = Fault("status", verb="Identify", status=502)
    with pytest.raises(RetryAfterTooLong) as caught:
        identify_with(fault, policy(Sleeps(), backoff_base_s=60.0, jitter=0.0, max_wait_s=30.0))
    assert caught.value.wait_s == 60.0 and "(backoff)" in str(caught.value)


# ----------------------------------------------------------------- what is not retried


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_a_4xx_other_than_429_is_not_retried(status: int) -> None:
    fault = Fault("status", verb="Identify", status=status, times=None)
    with pytest.raises(HTTPStatusError) as caught:
        identify_with(fault, policy(Sleeps()))
    assert caught.value.status == status and caught.value.attempts == 1


def test_an_oai_error_body_is_final_even_on_a_503() -> None:
    repository = OAIRepository(RECORDS)
    body = repository.respond({"verb": ["ListRecords"], "metadataPrefix": ["x"], "y": ["z"]}, "h")
    fault = Fault("status", verb="ListRecords", status=503, times=None, body=body)
    sleeps = Sleeps()
    with (
        FaultServer(RECORDS, faults=[fault]) as server,
        OAIClient(server.base_url, retry=policy(sleeps)) as client,
        pytest.raises(BadArgument),
    ):
        list(client.list_records("oai_dc"))
    assert server.count("ListRecords") == 1 and sleeps == []


def test_an_oai_error_on_200_is_not_retried() -> None:
    with (
        FaultServer(RECORDS) as server,
        OAIClient(server.base_url, retry=policy(Sleeps())) as client,
        pytest.raises(CannotDisseminateFormat),
    ):
        list(client.list_records("mods"))
    assert server.count("ListRecords") == 1 and client.events == []


# ----------------------------------------------------------------- per-host limits


def overlaps(hits: list[Hit]) -> int:
    ordered = sorted(hits, key=lambda h: h.started)
    return sum(1 for a, b in itertools.pairwise(ordered) if b.started < a.ended)


def two_clients_at_once(server: FaultServer, **options: object) -> None:
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with OAIClient(server.base_url, retry=None, **options) as client:  # type: ignore[arg-type]
                barrier.wait()
                assert sum(len(p.items) for p in client.list_records("oai_dc")) == 30
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert failures == []


def test_two_clients_on_one_host_never_overlap_requests() -> None:
    with FaultServer(RECORDS, page_size=10, handle_delay_s=0.03) as server:
        two_clients_at_once(server)
    assert len(server.requests) == 6 and overlaps(server.requests) == 0


def test_with_two_slots_per_host_the_same_clients_do_overlap() -> None:
    # the control for the test above: it can fail
    with FaultServer(RECORDS, page_size=10, handle_delay_s=0.03) as server:
        two_clients_at_once(server, max_concurrent_per_host=2)
    assert overlaps(server.requests) >= 1


def test_host_delay_spaces_request_starts_for_every_client_of_the_host() -> None:
    with FaultServer(RECORDS, page_size=10) as server:
        polite = OAIClient(server.base_url, retry=None, host_delay_s=0.05)
        eager = OAIClient(server.base_url, retry=None)  # the strictest live client wins
        list(eager.list_records("oai_dc"))
        list(polite.list_records("oai_dc"))
        polite.close()
        started = time.monotonic()
        list(eager.list_records("oai_dc"))  # the polite client is gone: no more delay
        fast_run = time.monotonic() - started
        eager.close()
    starts = [h.started for h in server.requests[:6]]
    assert all(b - a >= 0.045 for a, b in itertools.pairwise(starts))
    assert fast_run < 0.1


def test_hold_off_delays_other_clients_of_the_host_not_the_one_asked() -> None:
    limiter = HostLimiter.for_host("hold-off.test:1")
    asked, other = limiter.register(), limiter.register()
    limiter.hold_off(0.1, asked)
    started = time.monotonic()
    with limiter.slot(asked):  # it has slept the Retry-After by itself already
        own_wait = time.monotonic() - started
    with limiter.slot(other):
        waited = time.monotonic() - started
    limiter.unregister(asked)
    limiter.unregister(other)
    assert own_wait < 0.05 and 0.09 <= waited < 0.5


def test_host_key_is_host_and_explicit_port() -> None:
    assert host_key("https://Zenodo.org/oai2d") == "zenodo.org"
    assert host_key("http://127.0.0.1:8080/oai") == "127.0.0.1:8080"
    assert HostLimiter.for_host("a.test") is HostLimiter.for_host("a.test")
    with pytest.raises(ValueError):
        HostLimiter.for_host("a.test").register(max_concurrent=0)


# ----------------------------------------------------------------- User-Agent and TLS


def test_user_agent_names_the_version_and_the_contact_url() -> None:
    with FaultServer(RECORDS) as server:
        OAIClient(server.base_url, contact_url="https://oer.example.org/harvester").identify()
        OAIClient(server.base_url).identify()
        OAIClient(server.base_url, user_agent="custom/1", contact_url="https://x").identify()
    agents = [h.headers["user-agent"] for h in server.requests]
    assert agents == [
        f"oer-pipeline/{VERSION} (+https://oer.example.org/harvester)",
        DEFAULT_USER_AGENT,
        "custom/1",
    ]
    assert VERSION == "0.1.0"
    with pytest.raises(ValueError):
        OAIClient("http://127.0.0.1:9/oai", contact_url="https://x\r\nX-Evil: 1")


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def test_tls_is_verified_and_a_bad_certificate_is_not_retried(
    self_signed: tuple[Path, Path],
) -> None:
    cert, key = self_signed
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    sleeps = Sleeps()
    try:
        url = f"https://127.0.0.1:{httpd.server_address[1]}/oai"
        with (
            OAIClient(url, retry=policy(sleeps)) as client,
            pytest.raises(TransportError) as caught,
        ):
            client.identify()
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
    assert caught.value.reason == "tls_error" and not caught.value.retryable
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert caught.value.attempts == 1 and sleeps == [] and hits == []
