"""Lines over days (first-response median and 90th percentile); days without a value leave a gap."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.etree import ElementTree as ET  # noqa: S405 - building only

from markupsafe import Markup

from portal.web.charts.bars import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH
from portal.web.charts.svg import (
    Series,
    axis_maximum,
    empty_note,
    frame,
    has_values,
    legend,
    plain_number,
    to_markup,
    x_labels,
    y_axis,
)


def line_chart(*, chart_id: str, title: str, description: str, categories: Sequence[str], series: Sequence[Series],
               fmt: Callable[[float], str] = plain_number, whole: bool = False,
               empty: str = "Nothing to show for this period.") -> Markup:
    """One line per series through the category centres, a marked point per value."""
    root = frame(chart_id, title, description, WIDTH, HEIGHT)
    legend(root, series, LEFT, 18)
    plot_bottom, plot_right = HEIGHT - BOTTOM, WIDTH - RIGHT
    values = [v for s in series for v in s.values if v is not None]
    maximum = axis_maximum(max(values, default=0), whole=whole)
    y_axis(root, left=LEFT, right=plot_right, top=TOP, bottom=plot_bottom, maximum=maximum, fmt=fmt)
    band = (plot_right - LEFT) / max(1, len(categories))
    for item in series:
        group = ET.SubElement(root, "g", {"class": f"chart-series {item.css}"})
        run: list[str] = []
        points: list[tuple[float, float, str]] = []
        for index, category in enumerate(categories):
            value = item.values[index] if index < len(item.values) else None
            if value is None:
                _polyline(group, run, item.colour, item.css)
                run = []
                continue
            x = LEFT + band * (index + 0.5)
            y = plot_bottom - (plot_bottom - TOP) * value / maximum
            run.append(f"{x:.1f},{y:.1f}")
            points.append((x, y, f"{category}: {item.name.lower()} {fmt(value)}"))
        _polyline(group, run, item.colour, item.css)
        for x, y, tooltip in points:
            dot = ET.SubElement(group, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "3.5",
                                                  "class": f"chart-point {item.css}", "fill": item.colour})
            ET.SubElement(dot, "title").text = tooltip
    x_labels(root, categories, left=LEFT, band=band, y=HEIGHT - BOTTOM + 16)
    if not has_values(series):
        empty_note(root, WIDTH, HEIGHT, empty)
    return to_markup(root)


def _polyline(parent: ET.Element, run: list[str], colour: str, css: str) -> None:
    if len(run) > 1:
        ET.SubElement(parent, "polyline", {"points": " ".join(run), "fill": "none", "stroke": colour,
                                           "stroke-width": "2", "class": f"chart-line {css}"})
