import pytest

from transforms.dates import parse_date


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2019", "2019"),
        ("2019-07", "2019-07"),
        ("2020-03-15", "2020-03-15"),
        (" 2020-03-15 ", "2020-03-15"),
        ("2021-06-01T10:00:00Z", "2021-06-01T10:00:00Z"),
        ("2021-06-01T10:00Z", "2021-06-01T10:00:00Z"),
        ("2021-06-01T10:00:00.123+0200", "2021-06-01T10:00:00+02:00"),
        ("2021-06-01 10:00:00", "2021-06-01T10:00:00"),
        ("15/03/2020", "2020-03-15"),
        ("03/15/2020", "2020-03-15"),
        ("15.03.2020", "2020-03-15"),
        ("March 2021", "2021-03"),
        ("1 mars 2020", "2020-03-01"),
        ("June 5, 2019", "2019-06-05"),
        ("5 Dezember 2018", "2018-12-05"),
        ("febrero de 2023", "2023-02"),
        ("5 de março de 2019", "2019-03-05"),
    ],
)
def test_dates_become_iso_at_the_given_precision(raw: str, iso: str) -> None:
    assert parse_date(raw) == iso


@pytest.mark.parametrize(
    "raw",
    ["03/04/2020", "2020-02-30", "2021-13", "2021-06-01T25:00:00Z", "someday", "", "Foo 2020"],
)
def test_ambiguous_or_invalid_dates_are_not_guessed(raw: str) -> None:
    assert parse_date(raw) is None
