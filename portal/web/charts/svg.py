"""Building blocks of the server-rendered charts: an escaped SVG tree, scales, axes and legends.

Every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``. Text only ever enters
as element text or attribute values of ElementTree, which escapes it, so labels from data cannot inject markup.
No ``style`` attributes and no scripts (the CSP allows neither): colours come from classes in style.css, with
presentation attributes (``fill``, ``stroke``) as the fallback.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET  # noqa: S405 - we only build and serialise trees, never parse input
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
# Fallback colours (colour-blind-safe pairs); the stylesheet may override them through the class names.
PALETTE = {
    "opened": "#0b5cad", "solved": "#e08a00", "median": "#0b5cad", "p90": "#b3261e",
    "met": "#1d7a3e", "missed": "#b3261e", "pending": "#8a94a6", "count": "#0b5cad",
    "findable": "#1d7a3e", "registered": "#0b5cad", "draft": "#e08a00",
}
DEFAULT_COLOUR = "#5b6575"
CHAR_WIDTH = 6.5  # average width of a 12px system-ui character, for spacing labels


@dataclass(frozen=True)
class Series:
    """One named row of values (None = no value); ``key`` names its colour class ``chart-<key>``."""

    name: str
    values: Sequence[float | None]
    key: str = "count"

    @property
    def colour(self) -> str:
        return PALETTE.get(self.key, DEFAULT_COLOUR)

    @property
    def css(self) -> str:
        return f"chart-{re.sub(r'[^a-z0-9-]', '', self.key.lower()) or 'count'}"


def safe_id(raw: str) -> str:
    """An id usable in XML and CSS: lower-case letters, digits and dashes."""
    return re.sub(r"[^a-z0-9-]+", "-", raw.lower()).strip("-") or "chart"


def plain_number(value: float) -> str:
    """A number as an axis or tooltip shows it: no decimals when whole."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def axis_maximum(largest: float, *, ticks: int = 4, whole: bool = True) -> float:
    """The top of a value axis: ``ticks`` equal steps of 1, 2, 2.5, 3, 4 or 5 times a power of ten covering ``largest``.

    ``whole`` keeps every step a whole number, for counts.
    """
    if largest <= 0:
        return float(ticks) if whole else 1.0
    wanted = largest / ticks
    power = 10.0 ** math.floor(math.log10(wanted))
    for multiple in (1, 2, 2.5, 3, 4, 5, 10):
        step = multiple * power
        if whole and (step < 1 or not step.is_integer()):
            continue
        if step >= wanted - 1e-9:
            return step * ticks
    return 10 * power * ticks


def frame(chart_id: str, title: str, description: str, width: int, height: int) -> ET.Element:
    """The root ``<svg>`` with its accessible name and description."""
    cid = safe_id(chart_id)
    root = ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {width} {height}", "width": str(width), "height": str(height),
        "role": "img", "aria-labelledby": f"{cid}-title {cid}-desc", "class": "chart", "id": cid,
        "font-size": "12", "font-family": "system-ui, sans-serif",
    })
    ET.SubElement(root, "title", {"id": f"{cid}-title"}).text = title
    ET.SubElement(root, "desc", {"id": f"{cid}-desc"}).text = description
    return root


def text(parent: ET.Element, x: float, y: float, content: str, *, anchor: str = "start", css: str = "chart-label",
         **attrs: str) -> ET.Element:
    """A text element at (x, y)."""
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "text-anchor": anchor, "class": css,
                                             "fill": "#1d2430", **attrs})
    element.text = content
    return element


def rect(parent: ET.Element, x: float, y: float, width: float, height: float, *, css: str, fill: str,
         tooltip: str = "") -> ET.Element:
    """A rectangle, with an optional tooltip as its <title>."""
    element = ET.SubElement(parent, "rect", {"x": f"{x:.2f}", "y": f"{y:.2f}", "width": f"{max(width, 0):.2f}",
                                             "height": f"{max(height, 0):.2f}", "class": css, "fill": fill})
    if tooltip:
        ET.SubElement(element, "title").text = tooltip
    return element


def line(parent: ET.Element, x1: float, y1: float, x2: float, y2: float, *, css: str = "chart-grid",
         stroke: str = "#d9dee6") -> ET.Element:
    """A line, a grid line by default."""
    return ET.SubElement(parent, "line", {"x1": f"{x1:.1f}", "y1": f"{y1:.1f}", "x2": f"{x2:.1f}", "y2": f"{y2:.1f}",
                                          "class": css, "stroke": stroke})


def legend(parent: ET.Element, series: Sequence[Series], x: float, y: float) -> None:
    """Swatches with names in a row, starting at (x, y)."""
    group = ET.SubElement(parent, "g", {"class": "chart-legend"})
    for item in series:
        rect(group, x, y - 10, 12, 12, css=f"chart-swatch {item.css}", fill=item.colour)
        text(group, x + 17, y, item.name)
        x += 30 + CHAR_WIDTH * len(item.name)


def y_axis(parent: ET.Element, *, left: float, right: float, top: float, bottom: float, maximum: float,
           fmt: Callable[[float], str], ticks: int = 4) -> None:
    """Horizontal grid lines with their values on the left, from 0 to ``maximum``."""
    group = ET.SubElement(parent, "g", {"class": "chart-axis"})
    for index in range(ticks + 1):
        value = maximum * index / ticks
        y = bottom - (bottom - top) * index / ticks
        line(group, left, y, right, y, css="chart-grid" if index else "chart-baseline",
             stroke="#d9dee6" if index else "#5b6575")
        text(group, left - 6, y + 4, fmt(value), anchor="end", css="chart-tick")


def x_labels(parent: ET.Element, labels: Sequence[str], *, left: float, band: float, y: float) -> None:
    """Category labels under the plot; with many categories only every k-th, so they never overlap."""
    group = ET.SubElement(parent, "g", {"class": "chart-axis"})
    widest = max((len(label) for label in labels), default=1) * CHAR_WIDTH + 10
    every = max(1, math.ceil(widest / band)) if band > 0 else 1
    for index, label in enumerate(labels):
        if index % every == 0:
            text(group, left + band * (index + 0.5), y, label, anchor="middle", css="chart-tick")


def empty_note(parent: ET.Element, width: float, height: float, message: str) -> None:
    """A note in the middle of a chart that has nothing to draw."""
    text(parent, width / 2, height / 2, message, anchor="middle", css="chart-empty")


def has_values(series: Sequence[Series]) -> bool:
    """Whether any series has a non-zero value."""
    return any(v for s in series for v in s.values if v)


def to_markup(root: ET.Element) -> Markup:
    """The SVG as markup for a template; every text was escaped by the serialiser."""
    return Markup(ET.tostring(root, encoding="unicode", short_empty_elements=True))  # noqa: S704 - built by ElementTree, all text escaped
