"""Charts as SVG, drawn on the server: the page shows the same picture a mailed or printed
report carries, with no script and nothing for the Content Security Policy to allow
(presentation attributes, no style attributes). Pure: numbers in, markup out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 820, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 48, 16, 64  # room for the axes' labels and the legend
MAX_LABELS = 16  # x labels shown at most; the others stay in each bar's tooltip


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str


def nice_ceiling(value: float) -> float:
    """The axis top: 1, 2, 2.5 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return 10 * power  # never reached: the loop ends at 10


def _number(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value / 1000:g}k"


def bars_and_line(
    title: str,
    labels: Sequence[str],
    bars: Sequence[Series],
    line: Series | None = None,
    line_unit: str = "%",
) -> Markup:
    """Grouped bars on the left axis; ``line`` (0-100) on the right axis."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_ceiling(max((v or 0 for s in bars for v in s.values), default=0))
    count = max(len(labels), 1)
    group_w = plot_w / count
    bar_w = max(group_w * 0.8 / max(len(bars), 1), 1.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart" role="img" aria-label="{escape(title)}" font-family="sans-serif" '
        f'font-size="11"><title>{escape(title)}</title>'
    ]
    for step in range(5):  # grid and left axis
        y = TOP + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="#d0d4d9" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#444">'
            f"{_number(top * step / 4)}</text>"
        )
        if line is not None:
            parts.append(
                f'<text x="{LEFT + plot_w + 6}" y="{y + 4:.1f}" fill="#444">'
                f"{25 * step}{escape(line_unit)}</text>"
            )
    every = max(1, math.ceil(count / MAX_LABELS))
    for index, label in enumerate(labels):
        x0 = LEFT + group_w * index + group_w * 0.1
        for number, series in enumerate(bars):
            value = series.values[index] or 0
            height = plot_h * value / top
            x = x0 + bar_w * number
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{bar_w:.1f}" '
                f'height="{height:.1f}" fill="{series.colour}"><title>{escape(label)}: '
                f"{escape(series.name)} {_number(value)}</title></rect>"
            )
        if index % every == 0:
            x = LEFT + group_w * (index + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" '
                f'fill="#444">{escape(label)}</text>'
            )
    if line is not None:
        points = [
            (LEFT + group_w * (index + 0.5), TOP + plot_h - plot_h * min(value, 100) / 100)
            for index, value in enumerate(line.values)
            if value is not None
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{line.colour}" stroke-width="2"/>'
            )
            parts.extend(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{line.colour}"/>' for x, y in points
            )
    legend = [*bars, *([line] if line is not None else [])]
    x = LEFT
    for series in legend:
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10" fill="{series.colour}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 9}" fill="#222">{escape(series.name)}</text>'
        )
        x += 24 + 7 * len(series.name)
    parts.append("</svg>")
    return Markup("".join(parts))
