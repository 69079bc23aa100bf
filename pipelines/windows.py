"""Date windows: the unit of retry and checkpointing of a harvest.

A window is an inclusive `from`/`until` pair in the repository's granularity (OAI-PMH
§3.3.1: both bounds are inclusive). Windows start a month long; a window that fails, or
whose listing is larger than `max_records`, splits in two, down to a day (day granularity)
or an hour (seconds granularity); after a small window the next one doubles, so sparse
years cost a few requests, not one per month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
# A window splits only while both halves are at least a day (an hour) long.
SPLITTABLE_SPAN = {DAY: timedelta(days=1), SECONDS: timedelta(hours=2) - timedelta(seconds=1)}
UNIT = {DAY: timedelta(days=1), SECONDS: timedelta(seconds=1)}
MAX_SPAN = timedelta(days=366 * 4)


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime  # inclusive, UTC
    end: datetime  # inclusive, UTC, on a granularity boundary

    def bounds(self, granularity: str) -> tuple[str, str]:
        return format_datestamp(self.start, granularity), format_datestamp(self.end, granularity)

    def span(self) -> timedelta:
        return self.end - self.start


def parse_datestamp(text: str) -> datetime:
    """An OAI datestamp (day or seconds granularity) as an aware UTC datetime."""
    text = text.strip()
    if len(text) == 10:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    return datetime.strptime(text.replace("Z", ""), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def format_datestamp(moment: datetime, granularity: str) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d" if granularity == DAY else "%Y-%m-%dT%H:%M:%SZ")


def floor(moment: datetime, granularity: str) -> datetime:
    moment = moment.astimezone(UTC)
    if granularity == DAY:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(microsecond=0)


def next_month(moment: datetime) -> datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return moment.replace(year=year, month=month, day=1, hour=0, minute=0, second=0)


def first_window(start: datetime, last: datetime, granularity: str) -> Window:
    """The window from `start` to the end of its calendar month (or `last`)."""
    start = floor(start, granularity)
    end = min(next_month(start) - UNIT[granularity], floor(last, granularity))
    return Window(start, max(start, end))


def following(previous: Window, last: datetime, granularity: str, *, grow: bool) -> Window | None:
    """The window after `previous`, of the same span (twice it when `grow`); None past `last`."""
    start = previous.end + UNIT[granularity]
    last = floor(last, granularity)
    if start > last:
        return None
    span = previous.span() + UNIT[granularity]
    if grow:
        span = min(span * 2, MAX_SPAN)
    end = min(start + span - UNIT[granularity], last)
    return Window(start, end)


def split(window: Window, granularity: str) -> tuple[Window, Window] | None:
    """Two halves on a granularity boundary, or None when the window is already minimal."""
    if window.span() < SPLITTABLE_SPAN[granularity]:
        return None
    middle = floor(window.start + window.span() / 2, granularity)
    left = Window(window.start, middle)
    right = Window(middle + UNIT[granularity], window.end)
    if right.start > right.end:
        return None
    return left, right
