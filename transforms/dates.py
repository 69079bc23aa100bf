"""Dates as sources write them → ISO 8601, never guessing.

`parse_date` returns the ISO form at the precision the source gave ("2021", "2021-03",
"2021-03-15", "2021-03-15T10:00:00Z") or None. Ambiguous day/month orders are None:
a wrong date is worse than a missing one, and the raw value is always kept.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan", "enero", "janvier", "januar", "janeiro"),
            ("february", "feb", "febrero", "février", "fevrier", "februar", "fevereiro"),
            ("march", "mar", "marzo", "mars", "märz", "marz", "março", "marco"),
            ("april", "apr", "abril", "avril"),
            ("may", "mayo", "mai", "maio"),
            ("june", "jun", "junio", "juin", "juni", "junho"),
            ("july", "jul", "julio", "juillet", "juli", "julho"),
            ("august", "aug", "agosto", "août", "aout"),
            ("september", "sep", "sept", "septiembre", "septembre", "setembro"),
            ("october", "oct", "octubre", "octobre", "oktober", "outubro"),
            ("november", "nov", "noviembre", "novembre", "novembro"),
            ("december", "dec", "diciembre", "décembre", "decembre", "dezember", "dezembro"),
        ],
        start=1,
    )
    for name in names
}

_ISO = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)
_NUMERIC_DMY = re.compile(r"^(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<y>\d{4})$")
# "March 2021", "5 March 2021", "febrero de 2023", "5 de febrero de 2023"
_MONTH_YEAR = re.compile(
    r"^(?:(?P<d>\d{1,2})\.?\s+(?:de\s+)?)?(?P<mon>[^\W\d_]+)\.?,?\s+(?:de\s+)?(?P<y>\d{4})$"
)
_MONTH_DAY_YEAR = re.compile(r"^(?P<mon>[^\W\d_]+)\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})$")


def _valid(y: int, m: int, d: int = 1) -> bool:
    try:
        datetime(y, m, d)
    except ValueError:
        return False
    return True


def _ymd(y: int, m: int | None, d: int | None) -> str | None:
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}" if 1 <= m <= 12 else None
    return f"{y:04d}-{m:02d}-{d:02d}" if _valid(y, m, d) else None


@lru_cache(maxsize=65_536)  # sources repeat the same few date strings a lot
def parse_date(raw: str) -> str | None:
    """ISO 8601 form of `raw` at the precision given, or None when unparsable/ambiguous."""
    text = raw.strip()
    if match := _ISO.match(text):
        y, m, d = match["y"], match["m"], match["d"]
        date = _ymd(int(y), int(m) if m else None, int(d) if d else None)
        if date is None or match["H"] is None:
            return date
        hh, mm, ss = int(match["H"]), int(match["M"]), int(match["S"] or 0)
        if hh > 23 or mm > 59 or ss > 59:
            return None
        tz = match["tz"] or ""
        if tz and tz != "Z" and ":" not in tz:
            tz = f"{tz[:3]}:{tz[3:]}"
        return f"{date}T{hh:02d}:{mm:02d}:{ss:02d}{tz}"
    if match := _NUMERIC_DMY.match(text):
        a, b, y = int(match["a"]), int(match["b"]), int(match["y"])
        if a > 12 >= b:
            return _ymd(y, b, a)
        if b > 12 >= a:
            return _ymd(y, a, b)
        if a == b:
            return _ymd(y, a, b)
        return None  # 03/04/2020: day-month order unknown
    for pattern in (_MONTH_YEAR, _MONTH_DAY_YEAR):
        if match := pattern.match(text):
            month = _MONTHS.get(match["mon"].lower())
            if month is None:
                return None
            day = match["d"]
            return _ymd(int(match["y"]), month, int(day) if day else None)
    return None
