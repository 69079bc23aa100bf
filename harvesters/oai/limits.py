"""Per-host politeness shared by every OAIClient in the process.

``HostLimiter.for_host("example.org:8080")`` is one object per host[:port]. It holds a
minimum delay between request starts and a maximum number of requests in flight. Each
client registers its wishes; the strictest of the clients alive wins (the longest delay,
the fewest concurrent requests), so one polite client is never undone by another.
A ``Retry-After`` seen by one client holds back every client of that host (``hold_off``).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ClassVar

import httpx


def host_key(url: str) -> str:
    """host[:port] of a URL, lower-cased; the port only when the URL names one."""
    parsed = httpx.URL(url)
    host = parsed.host.lower()
    return f"{host}:{parsed.port}" if parsed.port is not None else host


class HostLimiter:
    _registry: ClassVar[dict[str, HostLimiter]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()
    _ids: ClassVar[itertools.count] = itertools.count(1)

    def __init__(self, key: str):
        self.key = key
        self._cond = threading.Condition()
        self._wishes: dict[int, tuple[float, int]] = {}
        self._active = 0
        self._next_start = 0.0  # time.monotonic() before which no request may start
        self._hold_until = 0.0  # ... because a server asked us to wait
        self._held_by: int | None = None  # the client that was asked (it waits by itself)

    @classmethod
    def for_host(cls, key: str) -> HostLimiter:
        with cls._registry_lock:
            limiter = cls._registry.get(key)
            if limiter is None:
                limiter = cls._registry[key] = HostLimiter(key)
            return limiter

    # ------------------------------------------------------------ registration

    def register(self, delay_s: float = 0.0, max_concurrent: int = 1) -> int:
        """Add one client's limits; returns the handle for ``unregister``."""
        if delay_s < 0 or max_concurrent < 1:
            raise ValueError("delay_s must be >= 0 and max_concurrent >= 1")
        handle = next(self._ids)
        with self._cond:
            self._wishes[handle] = (delay_s, max_concurrent)
        return handle

    def unregister(self, handle: int) -> None:
        with self._cond:
            self._wishes.pop(handle, None)
            if self._held_by == handle:  # its wait is over or abandoned with it
                self._hold_until, self._held_by = 0.0, None
            self._cond.notify_all()  # a looser limit may let a waiter go

    @property
    def delay_s(self) -> float:
        with self._cond:
            return max((d for d, _ in self._wishes.values()), default=0.0)

    @property
    def max_concurrent(self) -> int:
        with self._cond:
            return min((c for _, c in self._wishes.values()), default=1)

    # ------------------------------------------------------------ use

    @contextmanager
    def slot(
        self, handle: int | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> Iterator[None]:
        """Hold one of the host's request slots, starting no sooner than the delay and any
        hold-off allow (a hold-off does not apply to the client it came from)."""
        with self._cond:
            while self._active >= min((c for _, c in self._wishes.values()), default=1):
                self._cond.wait()
            self._active += 1
            delay = max((d for d, _ in self._wishes.values()), default=0.0)
            start = max(time.monotonic(), self._next_start)
            if handle is None or handle != self._held_by:
                start = max(start, self._hold_until)
            self._next_start = start + delay
        try:
            wait = start - time.monotonic()
            if wait > 0:
                sleep(wait)
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify()

    def hold_off(self, seconds: float, handle: int | None = None) -> None:
        """No request to this host starts in the next ``seconds``: the server asked client
        ``handle``, which sleeps by itself before it asks again."""
        with self._cond:
            until = time.monotonic() + seconds
            if until > self._hold_until:
                self._hold_until = until
                self._held_by = handle
