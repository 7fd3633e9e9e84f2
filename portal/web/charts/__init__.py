"""Server-rendered, accessible SVG charts: grouped bars, stacked bars and lines, no scripts, no inline styles."""

from portal.web.charts.bars import grouped_bar_chart, stacked_bar_chart
from portal.web.charts.lines import line_chart
from portal.web.charts.svg import Series

__all__ = ["Series", "grouped_bar_chart", "line_chart", "stacked_bar_chart"]
