"""Retrying one OAI-PMH request: what is retried, how long we wait, what we record.

Retried: transport failures that can pass (timeouts, connection refused or reset, a
server hanging up mid-body) and the statuses in ``RetryPolicy.retry_statuses`` (429 and
5xx by default). Not retried: any other 4xx, a valid OAI-PMH error document (whatever its
status: the answer is final), TLS verification failures, and bodies that are not OAI-PMH
on a 2xx (a login page does not go away by asking again).

The wait is the server's ``Retry-After`` on 429 and 503 (both RFC 9110 forms), else
exponential backoff with jitter. A single wait longer than ``max_wait_s`` raises
``RetryAfterTooLong`` (the run is deferred, not failed). Every retry is recorded as a
``RetryEvent``.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Protocol, TypeVar

from harvesters.oai.errors import HarvestError, OAIError, RetryAfterTooLong, TransportError
from harvesters.oai.parse import parse_oai


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """How a request is retried. ``jitter`` is a fraction: each backoff wait is drawn
    uniformly from ``[w * (1 - jitter), w * (1 + jitter)]`` (then capped at
    ``backoff_max_s``), where ``w = backoff_base_s * backoff_factor ** (retry - 1)``.
    ``rng``, ``sleep`` and ``now`` are injectable so tests are deterministic and fast."""

    max_attempts: int = 6
    backoff_base_s: float = 1.0
    backoff_factor: float = 2.0
    backoff_max_s: float = 120.0
    jitter: float = 0.5
    max_wait_s: float = 900.0
    retry_statuses: tuple[int, ...] = (429, 500, 502, 503, 504)
    retry_after_statuses: tuple[int, ...] = (429, 503)
    # A badResumptionToken answer is an OAI error, so by default it is final. Some
    # load-balanced servers forget tokens on one node only; 1 asks once more.
    bad_token_retries: int = 0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    now: Callable[[], datetime] = field(default=_utc_now, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter is a fraction between 0 and 1")
        if self.backoff_base_s < 0 or self.backoff_factor < 1 or self.max_wait_s < 0:
            raise ValueError("backoff_base_s >= 0, backoff_factor >= 1, max_wait_s >= 0")

    def backoff_s(self, retry: int) -> float:
        """The wait before retry number ``retry`` (1 = the first retry), with jitter."""
        wait = self.backoff_base_s * self.backoff_factor ** (retry - 1)
        wait = min(wait, self.backoff_max_s)
        if self.jitter:
            wait *= 1.0 + self.jitter * (2.0 * self.rng.random() - 1.0)
        return min(wait, self.backoff_max_s)


@dataclass(frozen=True)
class RetryEvent:
    """One retry: the attempt that failed, why, and how long we waited before the next."""

    code: ClassVar[str] = "retried"
    severity: ClassVar[str] = "info"

    url: str
    attempt: int  # the attempt that failed (1 = the first request)
    reason: str  # "http_503", "timeout", "connection_error", "bad_resumption_token", ...
    wait_s: float
    at: datetime  # when the failed attempt ended (UTC)
    wait_source: str = "backoff"  # "backoff" or "retry-after"
    detail: str = ""

    @property
    def message(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return (
            f"attempt {self.attempt} failed ({self.reason}{detail}); "
            f"retried after {self.wait_s:.2f}s ({self.wait_source})"
        )


# ------------------------------------------------------------------ Retry-After

_DELTA_SECONDS = re.compile(r"\d+")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)"
_LONG_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_TIME = r"(\d{2}):(\d{2}):(\d{2})"
# RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms.
_IMF_FIXDATE = re.compile(rf"{_DAY}, (\d{{2}}) ([a-z]{{3}}) (\d{{4}}) {_TIME} gmt")
_RFC850 = re.compile(rf"{_LONG_DAY}, (\d{{2}})-([a-z]{{3}})-(\d{{2}}) {_TIME} gmt")
_ASCTIME = re.compile(rf"{_DAY} ([a-z]{{3}}) ([ \d]\d) {_TIME} (\d{{4}})")


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait for a ``Retry-After`` value: delay-seconds or an HTTP-date (a date
    in the past means 0). None for anything else, and the caller falls back to backoff."""
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        return float(int(text))
    moment = _http_date(text.lower(), now)
    if moment is None:
        return None
    return max(0.0, (moment - now).total_seconds())


def _http_date(text: str, now: datetime) -> datetime | None:
    try:
        if match := _IMF_FIXDATE.fullmatch(text):
            day, month, year, hour, minute, second = match.groups()
        elif match := _RFC850.fullmatch(text):
            day, month, short_year, hour, minute, second = match.groups()
            # RFC 9110: a two-digit year more than 50 years ahead is in the past century.
            year_number = 2000 + int(short_year)
            if year_number > now.year + 50:
                year_number -= 100
            year = str(year_number)
        elif match := _ASCTIME.fullmatch(text):
            month, day, hour, minute, second, year = match.groups()
        else:
            return None
        if month not in _MONTHS:
            return None
        return datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except ValueError:  # 31 Feb, hour 25...
        return None


# ------------------------------------------------------------------ the loop


class Response(Protocol):
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    attempts: int

    @property
    def content_type(self) -> str | None: ...


R = TypeVar("R", bound=Response)

_BAD_TOKEN = re.compile(rb"""code\s*=\s*["']badResumptionToken["']""")


def send_with_retry(
    policy: RetryPolicy,
    send: Callable[[], R],
    *,
    url: str,
    params: Mapping[str, str],
    record: Callable[[RetryEvent], None],
    hold_off: Callable[[float], None] | None = None,
) -> R:
    """``send()`` until it gives an answer worth keeping, under ``policy``.

    Returns the response (``attempts`` set), including the last one of a retried status
    when attempts run out: the caller classifies it and names the attempt count. Raises
    the last TransportError (``attempts`` set) or RetryAfterTooLong. ``hold_off(s)`` is
    told of every wait, so other clients of the same host hold back too."""
    bad_token_retries = 0
    attempt = 0
    while True:
        attempt += 1
        try:
            response = send()
        except TransportError as exc:
            if not exc.retryable or attempt >= policy.max_attempts:
                exc.note_attempts(attempt)
                raise
            reason, status, body, retry_after = exc.reason, None, exc.body, None
            detail = exc.message
        else:
            reason, retry_after = _retry_reason(policy, response, params)
            if reason == "bad_resumption_token":
                bad_token_retries += 1
                if bad_token_retries > policy.bad_token_retries:
                    reason = None
            if reason is None or attempt >= policy.max_attempts:
                return replace(response, attempts=attempt)
            status, body, detail = response.status, response.content, ""
        wait_s, source = _wait(policy, attempt, retry_after)
        if wait_s > policy.max_wait_s:
            error = RetryAfterTooLong(
                f"{reason}: asked to wait {wait_s:.0f}s ({source}), more than "
                f"max_wait_s={policy.max_wait_s:.0f}",
                resume_at=policy.now() + timedelta(seconds=wait_s),
                wait_s=wait_s,
                status=status,
                url=url,
                body=body,
            )
            error.note_attempts(attempt)
            raise error
        record(RetryEvent(url, attempt, reason, wait_s, policy.now(), source, detail))
        if hold_off is not None:
            hold_off(wait_s)
        policy.sleep(wait_s)


def _retry_reason(
    policy: RetryPolicy, response: Response, params: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """(why to retry, the Retry-After value to honour), or (None, None) to keep it."""
    status = response.status
    if status in policy.retry_statuses:
        if _is_oai_error(response):
            return None, None
        retry_after = (
            response.headers.get("retry-after") if status in policy.retry_after_statuses else None
        )
        return f"http_{status}", retry_after
    if (
        policy.bad_token_retries
        and "resumptionToken" in params
        and _BAD_TOKEN.search(response.content)
        and _is_oai_error(response)
    ):
        return "bad_resumption_token", None
    return None, None


def _is_oai_error(response: Response) -> bool:
    if b"error" not in response.content:
        return False
    try:
        parse_oai(
            response.content,
            url=response.url,
            http_status=response.status,
            content_type=response.content_type,
        )
    except OAIError:
        return True
    except HarvestError:
        return False
    return False


def _wait(policy: RetryPolicy, attempt: int, retry_after: str | None) -> tuple[float, str]:
    if retry_after is None:
        return policy.backoff_s(attempt), "backoff"
    seconds = parse_retry_after(retry_after, policy.now())
    if seconds is None:
        return policy.backoff_s(attempt), f"backoff; Retry-After {retry_after!r} not understood"
    return seconds, "retry-after"
