from datetime import UTC, datetime

from pipelines.windows import (
    DAY,
    SECONDS,
    Window,
    first_window,
    following,
    format_datestamp,
    parse_datestamp,
    split,
)

NOW = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)


def bounds(window: Window | None, granularity: str = SECONDS) -> tuple[str, str] | None:
    return window.bounds(granularity) if window else None


def test_datestamps_round_trip_in_both_granularities() -> None:
    assert format_datestamp(parse_datestamp("2021-03-04"), DAY) == "2021-03-04"
    stamp = "2021-03-04T05:06:07Z"
    assert format_datestamp(parse_datestamp(stamp), SECONDS) == stamp


def test_first_window_ends_with_its_month() -> None:
    window = first_window(parse_datestamp("2019-01-12T10:00:00Z"), NOW, SECONDS)
    assert bounds(window) == ("2019-01-12T10:00:00Z", "2019-01-31T23:59:59Z")
    assert bounds(first_window(parse_datestamp("2019-12-05"), NOW, DAY), DAY) == (
        "2019-12-05",
        "2019-12-31",
    )


def test_windows_tile_time_without_gaps_or_overlaps() -> None:
    window = first_window(parse_datestamp("2024-11-20T00:00:00Z"), NOW, SECONDS)
    seen = [window]
    while (window := following(window, NOW, SECONDS, grow=False)) is not None:
        assert (window.start - seen[-1].end).total_seconds() == 1
        seen.append(window)
    assert seen[-1].end == NOW.replace(microsecond=0)


def test_small_windows_grow_and_stop_at_now() -> None:
    window = Window(parse_datestamp("2026-01-01"), parse_datestamp("2026-01-31"))
    grown = following(window, NOW, DAY, grow=True)
    assert bounds(grown, DAY) == ("2026-02-01", "2026-04-03")  # twice 31 days
    last = Window(parse_datestamp("2026-11-01"), parse_datestamp("2026-11-30"))
    assert bounds(following(last, NOW, DAY, grow=True), DAY) == ("2026-12-01", "2026-12-01")
    assert following(Window(NOW, NOW), NOW, DAY, grow=False) is None


def test_split_halves_down_to_a_day_or_an_hour() -> None:
    month = Window(parse_datestamp("2020-01-01"), parse_datestamp("2020-01-31"))
    left, right = split(month, DAY) or (None, None)
    assert (bounds(left, DAY), bounds(right, DAY)) == (
        ("2020-01-01", "2020-01-16"),
        ("2020-01-17", "2020-01-31"),
    )
    assert split(Window(parse_datestamp("2020-01-01"), parse_datestamp("2020-01-01")), DAY) is None
    two_hours = Window(
        parse_datestamp("2020-01-01T00:00:00Z"), parse_datestamp("2020-01-01T01:59:59Z")
    )
    halves = split(two_hours, SECONDS)
    assert halves is not None and [bounds(h) for h in halves] == [
        ("2020-01-01T00:00:00Z", "2020-01-01T00:59:59Z"),
        ("2020-01-01T01:00:00Z", "2020-01-01T01:59:59Z"),
    ]
    assert split(halves[0], SECONDS) is None
