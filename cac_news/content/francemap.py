"""The map of France by département (vendored SVG, CC-BY-4.0), shaded by a count."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from xml.etree import ElementTree as ET

from cac_news import territories
from cac_news.locations import resource_dir

SVG_PATH = resource_dir("static") / "vendor" / "svg-maps-france" / "france.departments.svg"
SVG_NS = "{http://www.w3.org/2000/svg}"
SHADES = 4  # number of colour steps above zero


@dataclass(frozen=True)
class Shape:
    """One département's outline."""

    code: str
    name: str
    path: str


@dataclass(frozen=True)
class ShadedShape:
    """A département's outline with its count and colour step (0 = none)."""

    shape: Shape
    count: int
    shade: int


@lru_cache(maxsize=1)
def shapes() -> tuple[str, tuple[Shape, ...]]:
    """The map's viewBox and its départements (metropolitan France), read once."""
    root = ET.parse(SVG_PATH).getroot()  # noqa: S314 (a vendored, committed file)
    paths = tuple(
        Shape(el.get("id", ""), _name(el.get("id", ""), el.get("aria-label", "")), el.get("d", ""))
        for el in root.iter(f"{SVG_NS}path")
    )
    return root.get("viewBox", "0 0 613 585"), paths


def _name(code: str, fallback: str) -> str:
    """The official (INSEE) name of the département, as everywhere else in the app."""
    territory = territories.get(code)
    return territory.name if territory else fallback


def shade(count: int, highest: int) -> int:
    """Colour step of a count: 0 for none, 1..SHADES proportionally to the highest."""
    if count <= 0 or highest <= 0:
        return 0
    return max(1, min(SHADES, -(-count * SHADES // highest)))


def shaded_map(counts: dict[str, int]) -> tuple[str, list[ShadedShape]]:
    """The viewBox and every département with its count and colour step."""
    view_box, outlines = shapes()
    highest = max(counts.values(), default=0)
    return view_box, [
        ShadedShape(s, counts.get(s.code, 0), shade(counts.get(s.code, 0), highest))
        for s in outlines
    ]
