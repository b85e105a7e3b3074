"""The actions' map of France reused for subscribers and relays, with the overseas
départements as labelled insets beside metropolitan France (the vendored map has only
the metropolitan outlines)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cac_news import territories
from cac_news.content.francemap import SHADES, ShadedShape, shade, shaded_map

OVERSEAS = ("971", "972", "973", "974", "976")
INSET_X, INSET_SIZE, INSET_GAP = 625, 70, 40


@dataclass(frozen=True)
class Inset:
    """An overseas département drawn as a labelled square."""

    code: str
    name: str
    count: int
    shade: int
    x: int
    y: int
    size: int = INSET_SIZE


@dataclass(frozen=True)
class CountMap:
    """Everything the map template draws."""

    view_box: str
    shapes: list[ShadedShape]
    insets: list[Inset]
    label: Callable[[str, int], str]  # (name, count) -> "Gironde : 3 relais locaux"
    shades: int = SHADES


def count_map(counts: dict[str, int], label: Callable[[str, int], str]) -> CountMap:
    """Metropolitan outlines and overseas insets, shaded on one common scale."""
    view_box, shapes = shaded_map(counts)
    highest = max(counts.values(), default=0)
    insets = []
    for i, code in enumerate(OVERSEAS):
        territory = territories.get(code)
        count = counts.get(code, 0)
        y = 10 + i * (INSET_SIZE + INSET_GAP)
        insets.append(
            Inset(code, territory.name if territory else code, count, shade(count, highest),
                  INSET_X, y)
        )  # fmt: skip
    x, y, width, height = view_box.split()
    wide = f"{x} {y} {INSET_X + INSET_SIZE + 10} {max(float(height), 10 + 5 * 110)}"
    return CountMap(wide, shapes, insets, label)
