"""Classified harvest failures.

Every failure the OAI-PMH client can meet is one of these. Each carries the URL of the
request that failed (for POST, the equivalent GET URL, so a resumption token is visible)
and the raw response body when there was one, so the pipeline can store what it got.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

_BODY_PREVIEW = 200


class HarvestError(Exception):
    """Base of every classified harvest failure."""

    code: str = "harvest_error"
    attempts: int = 1  # how many times the request was sent (retries included)

    def __init__(self, message: str, *, url: str | None = None, body: bytes | None = None):
        super().__init__(message)
        self.message = message
        self.url = url
        self.body = body

    def note_attempts(self, attempts: int) -> None:
        """Record that the request was sent ``attempts`` times; named in the message."""
        self.attempts = attempts
        if attempts > 1 and "attempts)" not in self.message:
            self.message = f"{self.message} (after {attempts} attempts)"

    def __str__(self) -> str:
        where = f" [{self.url}]" if self.url else ""
        one_line = " ".join(self.message.split())
        return f"{self.code}: {one_line}{where}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self!s})"

    # Keyword-only constructors do not survive the default Exception pickling, and
    # orchestrators (Prefect) pickle exceptions across process boundaries.
    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.__dict__.copy()))


def _restore(cls: type[HarvestError], state: dict[str, Any]) -> HarvestError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class TransportError(HarvestError):
    """No usable HTTP response: timeout, connection refused/reset, DNS, broken stream.

    ``reason`` is one of "timeout", "connection_error", "tls_error", "protocol_error",
    "other"; ``retryable`` says whether sending the request again can help."""

    code = "transport_error"

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        body: bytes | None = None,
        reason: str = "other",
        retryable: bool = False,
    ):
        super().__init__(message, url=url, body=body)
        self.reason = reason
        self.retryable = retryable


class HTTPStatusError(HarvestError):
    """A non-2xx HTTP status whose body is not an OAI-PMH error document."""

    code = "http_error"

    def __init__(
        self, message: str, *, status: int, url: str | None = None, body: bytes | None = None
    ):
        super().__init__(message, url=url, body=body)
        self.status = status


class NotOAIResponse(HarvestError):
    """The body is something other than a usable OAI-PMH document (HTML, JSON, empty...)."""

    code = "not_oai_response"

    def __init__(
        self, reason: str, *, url: str | None = None, body: bytes | None = None, detail: str = ""
    ):
        message = f"{reason}: {detail}" if detail else reason
        super().__init__(message, url=url, body=body)
        self.reason = reason


class XMLParseError(HarvestError):
    """The body is not well-formed XML (or uses entities we refuse to expand)."""

    code = "xml_parse_error"


class ResponseTooLarge(HarvestError):
    """The body exceeded ``max_response_bytes``; ``body`` holds the bytes read so far."""

    code = "response_too_large"


class ResumptionTokenLoop(HarvestError):
    """The server handed back a resumption token it had already given in this chain."""

    code = "resumption_token_loop"


class RepeatedPage(HarvestError):
    """A page holds the same records, in the same order, as the page before it."""

    code = "repeated_page"


class EmptyPagesWithToken(HarvestError):
    """Too many consecutive pages with no records but a resumption token."""

    code = "empty_pages_with_token"


class TooManyPages(HarvestError):
    """A token chain went past the client's ``max_pages`` cap."""

    code = "too_many_pages"


class RetryAfterTooLong(HarvestError):
    """The server asks us to wait (Retry-After, or the next backoff step) longer than the
    policy's ``max_wait_s``: the run should end ``deferred`` and resume at ``resume_at``."""

    code = "retry_after_too_long"

    def __init__(
        self,
        message: str,
        *,
        resume_at: datetime,
        wait_s: float,
        status: int | None = None,
        url: str | None = None,
        body: bytes | None = None,
    ):
        super().__init__(message, url=url, body=body)
        self.resume_at = resume_at
        self.wait_s = wait_s
        self.status = status


class OAIError(HarvestError):
    """An OAI-PMH ``<error>`` answer; ``code`` is the OAI error code itself."""

    oai_code: str = ""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        url: str | None = None,
        body: bytes | None = None,
    ):
        super().__init__(message, url=url, body=body)
        self.code = code or self.oai_code or "unknownOAIError"


class BadArgument(OAIError):
    oai_code = "badArgument"


class BadResumptionToken(OAIError):
    oai_code = "badResumptionToken"


class BadVerb(OAIError):
    oai_code = "badVerb"


class CannotDisseminateFormat(OAIError):
    oai_code = "cannotDisseminateFormat"


class IdDoesNotExist(OAIError):
    oai_code = "idDoesNotExist"


class NoMetadataFormats(OAIError):
    oai_code = "noMetadataFormats"


class NoSetHierarchy(OAIError):
    oai_code = "noSetHierarchy"


class NoRecordsMatch(OAIError):
    """Not a failure for list requests: the list iterators turn it into an empty result."""

    oai_code = "noRecordsMatch"


_OAI_ERROR_CLASSES: dict[str, type[OAIError]] = {
    cls.oai_code: cls
    for cls in (
        BadArgument,
        BadResumptionToken,
        BadVerb,
        CannotDisseminateFormat,
        IdDoesNotExist,
        NoMetadataFormats,
        NoSetHierarchy,
        NoRecordsMatch,
    )
}


def oai_error_for(code: str, message: str, url: str | None, body: bytes | None) -> OAIError:
    """The typed error for an OAI error code; unknown codes give a plain ``OAIError``."""
    cls = _OAI_ERROR_CLASSES.get(code, OAIError)
    return cls(message or "(no message)", code=code, url=url, body=body)


def body_preview(body: bytes | None) -> str:
    """The first bytes of a body, for messages (the full body stays on the error)."""
    if not body:
        return ""
    text = body[:_BODY_PREVIEW].decode("utf-8", errors="replace")
    return " ".join(text.split())
