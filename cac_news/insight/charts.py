"""Charts drawn on the server as SVG geometry: no JavaScript, no external service.

A chart is computed here (points, bars, axis ticks) and drawn by the template macro
templates/admin/reports/_chart.html, which adds its <title>, a text summary and the data
table behind a <details> for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28
MAX_LABELS = 8  # x-axis labels shown at most (the table has them all)


@dataclass(frozen=True)
class Series:
    """One named line or set of bars, one value per label; ``style`` picks its colour."""

    name: str
    values: tuple[int, ...]
    style: int = 1


@dataclass
class Chart:
    """A line or bar chart ready to draw: geometry in SVG user units."""

    title: str
    summary: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    kind: str = "line"  # line | bar
    width: int = WIDTH
    height: int = HEIGHT
    highest: int = 0
    lines: list[tuple[Series, str]] = field(default_factory=list)  # series, points
    bars: list[tuple[Series, float, float, float, float, int]] = field(default_factory=list)
    ticks: list[tuple[float, int]] = field(default_factory=list)  # y, value
    x_labels: list[tuple[float, str]] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        """The data table: one row per label, one column per series."""
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]


def _nice_top(value: int) -> int:
    """The smallest 1, 2, 5 × 10^n at or above ``value`` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return max(1, step * factor)
        step *= 10


def build_chart(
    title: str, summary: str, labels: list[str], series: list[Series], kind: str = "line"
) -> Chart:
    """Compute the geometry of a chart over ``labels`` (x) and its series (y)."""
    chart = Chart(title, summary, tuple(labels), tuple(series), kind)
    count = len(labels)
    top = _nice_top(max((v for s in series for v in s.values), default=0))
    chart.highest = top
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: int) -> float:
        return round(TOP + plot_h - value * plot_h / top, 1)

    chart.ticks = [(y_of(top * i // 4), top * i // 4) for i in range(5)]
    if count == 0:
        return chart
    slot = plot_w / count
    if kind == "line":
        for s in series:
            points = " ".join(
                f"{round(LEFT + slot * (i + 0.5), 1)},{y_of(v)}" for i, v in enumerate(s.values)
            )
            chart.lines.append((s, points))
    else:
        width = slot * 0.8 / max(1, len(series))
        for j, s in enumerate(series):
            for i, v in enumerate(s.values):
                x = LEFT + slot * i + slot * 0.1 + width * j
                y = y_of(v)
                chart.bars.append(
                    (s, round(x, 1), y, round(width, 1), round(TOP + plot_h - y, 1), v)
                )
    every = max(1, -(-count // MAX_LABELS))
    chart.x_labels = [
        (round(LEFT + slot * (i + 0.5), 1), label)
        for i, label in enumerate(labels)
        if i % every == 0
    ]
    return chart
