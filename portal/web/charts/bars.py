"""Grouped vertical bars (opened vs solved per day) and horizontal stacked bars (SLA met / missed / pending)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.etree import ElementTree as ET  # noqa: S405 - building only

from markupsafe import Markup

from portal.web.charts.svg import (
    Series,
    axis_maximum,
    empty_note,
    frame,
    has_values,
    legend,
    plain_number,
    rect,
    text,
    to_markup,
    x_labels,
    y_axis,
)

WIDTH, HEIGHT = 880, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 34, 36


def grouped_bar_chart(*, chart_id: str, title: str, description: str, categories: Sequence[str],
                      series: Sequence[Series], fmt: Callable[[float], str] = plain_number, whole: bool = True,
                      empty: str = "Nothing to show for this period.") -> Markup:
    """Bars side by side per category, one colour per series, heights proportional to the values."""
    root = frame(chart_id, title, description, WIDTH, HEIGHT)
    legend(root, series, LEFT, 18)
    plot_bottom, plot_right = HEIGHT - BOTTOM, WIDTH - RIGHT
    values = [v for s in series for v in s.values if v is not None]
    maximum = axis_maximum(max(values, default=0), whole=whole)
    y_axis(root, left=LEFT, right=plot_right, top=TOP, bottom=plot_bottom, maximum=maximum, fmt=fmt)
    band = (plot_right - LEFT) / max(1, len(categories))
    bar = band * 0.8 / max(1, len(series))
    bars = ET.SubElement(root, "g", {"class": "chart-bars"})
    for index, category in enumerate(categories):
        for number, item in enumerate(series):
            value = item.values[index] if index < len(item.values) else None
            if value is None:
                continue
            height = (plot_bottom - TOP) * value / maximum
            rect(bars, LEFT + band * (index + 0.1) + bar * number, plot_bottom - height, bar, height,
                 css=f"chart-bar {item.css}", fill=item.colour, tooltip=f"{category}: {fmt(value)} {item.name.lower()}")
    x_labels(root, categories, left=LEFT, band=band, y=HEIGHT - BOTTOM + 16)
    if not has_values(series):
        empty_note(root, WIDTH, HEIGHT, empty)
    return to_markup(root)


ROW_HEIGHT, ROW_GAP, LABEL_WIDTH, NOTE_WIDTH = 26, 12, 130, 120


def stacked_bar_chart(*, chart_id: str, title: str, description: str, rows: Sequence[str],
                      series: Sequence[Series], notes: Sequence[str] = (),
                      empty: str = "Nothing to show for this period.") -> Markup:
    """One horizontal bar per row split into the series' shares of that row's total, with a note on the right."""
    height = TOP + len(rows) * (ROW_HEIGHT + ROW_GAP) + 8
    root = frame(chart_id, title, description, WIDTH, max(height, 80))
    legend(root, series, LABEL_WIDTH, 18)
    span = WIDTH - LABEL_WIDTH - NOTE_WIDTH - RIGHT
    bars = ET.SubElement(root, "g", {"class": "chart-bars"})
    for index, label in enumerate(rows):
        y = TOP + index * (ROW_HEIGHT + ROW_GAP)
        text(root, LABEL_WIDTH - 8, y + ROW_HEIGHT / 2 + 4, label, anchor="end")
        total = sum(s.values[index] or 0 for s in series)
        x = float(LABEL_WIDTH)
        if not total:
            rect(bars, x, y, span, ROW_HEIGHT, css="chart-bar chart-none", fill="#eef0f3", tooltip=f"{label}: none")
        for item in series:
            value = item.values[index] or 0
            if not total or not value:
                continue
            width = span * value / total
            rect(bars, x, y, width, ROW_HEIGHT, css=f"chart-bar {item.css}", fill=item.colour,
                 tooltip=f"{label}: {plain_number(value)} {item.name.lower()}")
            x += width
        if index < len(notes):
            text(root, LABEL_WIDTH + span + 10, y + ROW_HEIGHT / 2 + 4, notes[index])
    if not rows or not has_values(series):
        empty_note(root, WIDTH, max(height, 80), empty)
    return to_markup(root)
