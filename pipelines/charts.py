"""Inline SVG charts for the HTML report: plain functions, no JavaScript, every label escaped.

Each function returns `markupsafe.Markup` (a `str`): the SVG is our own markup, and every
piece of text in it (labels, titles, descriptions) goes through `escape`, so the template
can insert it as it is. The chart is an image to assistive technology (`role="img"`,
`aria-labelledby` its `<title>` and `<desc>`); each bar carries its own `<title>` (a
tooltip), and the report also prints the numbers in a table next to it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

DEFAULT_COLOUR = "#2b6cb0"
WIDTH = 720
ROW_HEIGHT = 22
BAR_HEIGHT = 15
LABEL_WIDTH = 290
VALUE_WIDTH = 60
TOP, BOTTOM = 8, 8
CHARS_PER_LABEL = 44  # what fits in LABEL_WIDTH at 12 px; the full text is in the tooltip

_ID = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    colour: str = DEFAULT_COLOUR
    tooltip: str | None = None  # defaults to "label: value"


def _short(text: str, limit: int = CHARS_PER_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{3,8}", value):
        raise ValueError(f"bar colour must be #rgb/#rrggbb, not {value!r}")
    return value


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """A horizontal bar chart: one row per bar (label, bar, value), bars scaled to the
    largest value. A bar of value 0 keeps its row (label and 0) but draws no rectangle."""
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"chart id must be lowercase letters, digits and dashes: {chart_id!r}")
    height = TOP + BOTTOM + ROW_HEIGHT * max(len(bars), 1)
    largest = max((b.value for b in bars), default=0)
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="system-ui, sans-serif" '
        'font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line x1="{LABEL_WIDTH}" y1="{TOP - 4}" x2="{LABEL_WIDTH}" y2="{height - BOTTOM + 4}" '
        'stroke="#999" stroke-width="1"/>',
    ]
    if not bars:
        parts.append(f'<text x="{LABEL_WIDTH + 8}" y="{TOP + 15}" fill="#555">no data</text>')
    for i, bar in enumerate(bars):
        y = TOP + i * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2 + 4
        length = math.ceil(room * bar.value / largest) if largest and bar.value > 0 else 0
        tooltip = bar.tooltip if bar.tooltip is not None else f"{bar.label}: {bar.value:,}"
        parts.append(f"<g><title>{escape(tooltip)}</title>")
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.0f}" text-anchor="end" fill="#222">'
            f"{escape(_short(bar.label))}</text>"
        )
        if length:
            parts.append(
                f'<rect class="bar" x="{LABEL_WIDTH + 1}" y="{y + (ROW_HEIGHT - BAR_HEIGHT) / 2}" '
                f'width="{length}" height="{BAR_HEIGHT}" fill="{_colour(bar.colour)}"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{middle:.0f}" fill="#222">'
            f"{bar.value:,}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
