"""The geometry of a small line chart, for templates to draw as inline SVG (no JavaScript,
no external assets): one line per series over shared x labels, y ticks at round numbers,
and a legend below the plot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Distinct on screen and on a grey-scale printout (Tableau 10, red first for official print).
PALETTE = ("#c8161d", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")


@dataclass(frozen=True)
class Line:
    """One series: its label, colour, polyline points and (x, y, value) markers."""

    label: str
    color: str
    points: str
    markers: tuple[tuple[float, float, int], ...]


@dataclass(frozen=True)
class LineChart:
    """Everything a template needs to draw the chart."""

    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    x_labels: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, int], ...]
    lines: tuple[Line, ...]
    legend: tuple[tuple[float, float, str, str], ...]  # x, y, colour, label


def nice_step(top: int, ticks: int = 5) -> int:
    """A round tick step (1, 2, 5 × 10^n) so that about *ticks* steps reach *top*."""
    raw = max(top, 1) / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    return next(int(m * power) for m in (1, 2, 5, 10) if m * power >= raw)


def line_chart(
    x_labels: Sequence[str], series: Mapping[str, Sequence[int]], width: int = 900,
    plot_height: int = 260, legend_columns: int = 3,
) -> LineChart:
    """Lay out one line per entry of *series* (label → one value per x label)."""
    left, top, right = 48.0, 16.0, width - 24.0
    bottom = top + plot_height
    peak = max((v for values in series.values() for v in values), default=0)
    step = nice_step(peak)
    y_max = step * max(1, math.ceil(peak / step))
    count = len(x_labels)

    def x_at(i: int) -> float:  # inset from both axes, so the end labels fit
        inset = 40.0
        return left + inset + (right - left - 2 * inset) * (0.5 if count == 1
                                                            else i / (count - 1))

    def y_at(v: int) -> float:
        return bottom - (bottom - top) * v / y_max

    lines = []
    for n, (label, values) in enumerate(series.items()):
        markers = tuple((round(x_at(i), 1), round(y_at(v), 1), v) for i, v in enumerate(values))
        lines.append(Line(label, PALETTE[n % len(PALETTE)],
                          " ".join(f"{x},{y}" for x, y, _ in markers), markers))
    column_width = (right - left) / legend_columns
    legend = tuple(
        (left + column_width * (n % legend_columns), bottom + 48 + 22 * (n // legend_columns),
         line.color, line.label)
        for n, line in enumerate(lines)
    )
    rows = math.ceil(len(lines) / legend_columns)
    return LineChart(
        width, int(bottom + 48 + 22 * rows), left, top, right, bottom,
        tuple((round(x_at(i), 1), text) for i, text in enumerate(x_labels)),
        tuple((round(y_at(v), 1), v) for v in range(0, y_max + 1, step)),
        tuple(lines), legend,
    )
