"""The SVG charts: valid XML, accessible names, proportional marks, escaped labels, nothing CSP would block."""

from __future__ import annotations

import pytest
from lxml import etree

from portal.web.charts import Series, grouped_bar_chart, line_chart, stacked_bar_chart
from portal.web.charts.bars import BOTTOM, HEIGHT
from portal.web.charts.svg import axis_maximum

BASELINE = HEIGHT - BOTTOM

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(markup):
    return etree.fromstring(str(markup).encode())


def bars(root, css):
    return [b for b in root.iterfind(".//s:rect", NS) if css in b.get("class", "").split() and "chart-bar" in b.get("class", "")]


def assert_accessible(root, chart_id, title):
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find("s:title", NS).text == title and root.find("s:title", NS).get("id") == f"{chart_id}-title"
    assert root.find("s:desc", NS).get("id") == f"{chart_id}-desc" and root.find("s:desc", NS).text
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert not any(name.startswith("on") for name in element.attrib), element.tag
        assert etree.QName(element).localname not in {"script", "foreignObject", "image", "a"}


def test_grouped_bars_are_proportional_and_labelled():
    markup = grouped_bar_chart(chart_id="opened-solved", title="Opened and solved", description="Two series.",
                               categories=["1 Mar", "2 Mar", "3 Mar"],
                               series=[Series("Opened", [4, 8, 0], "opened"), Series("Solved", [2, None, 6], "solved")])
    root = parse(markup)
    assert_accessible(root, "opened-solved", "Opened and solved")
    opened, solved = bars(root, "chart-opened"), bars(root, "chart-solved")
    assert len(opened) == 3 and len(solved) == 2  # no bar for a missing value
    heights = [float(b.get("height")) for b in opened]
    assert heights[1] == pytest.approx(2 * heights[0]) and heights[2] == 0
    assert float(solved[1].get("height")) == pytest.approx(3 * float(solved[0].get("height")))
    assert heights[0] == pytest.approx(float(solved[1].get("height")) * 4 / 6)
    for bar in opened + solved:  # bars stand on the same baseline
        assert float(bar.get("y")) + float(bar.get("height")) == pytest.approx(BASELINE)
    texts = ["".join(t.itertext()) for t in root.iterfind(".//s:text", NS)]
    assert {"Opened", "Solved", "1 Mar", "2 Mar", "3 Mar", "0", "8"} <= set(texts)
    assert opened[1].find("s:title", NS).text == "2 Mar: 8 opened"


def test_labels_from_data_are_escaped():
    evil = '<script>alert("x")</script> & "quotes"'
    markup = grouped_bar_chart(chart_id="x", title=f"Title {evil}", description=evil, categories=[evil],
                               series=[Series(evil, [3])])
    assert "<script>" not in str(markup)
    root = parse(markup)
    assert root.find("s:title", NS).text == f"Title {evil}"
    assert evil in ["".join(t.itertext()) for t in root.iterfind(".//s:text", NS)]
    assert not root.findall(".//s:script", NS)


def test_chart_ids_are_made_safe():
    root = parse(line_chart(chart_id='a" onload="x', title="t", description="d", categories=["a"],
                            series=[Series("s", [1.0])]))
    assert root.get("id") == "a-onload-x"
    assert root.get("aria-labelledby") == "a-onload-x-title a-onload-x-desc"


def test_line_chart_leaves_gaps_and_scales_points():
    root = parse(line_chart(chart_id="frt", title="First response", description="Median per day.",
                            categories=["a", "b", "c", "d"], series=[Series("Median", [1.0, 2.0, None, 4.0], "median")]))
    assert_accessible(root, "frt", "First response")
    lines = root.findall(".//s:polyline", NS)
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # the lone point after the gap has no line
    points = root.findall(".//s:circle", NS)
    assert len(points) == 3
    rises = [BASELINE - float(p.get("cy")) for p in points]
    assert rises[1] == pytest.approx(2 * rises[0]) and rises[2] == pytest.approx(4 * rises[0])


def test_stacked_bars_split_each_row_by_share():
    root = parse(stacked_bar_chart(chart_id="sla", title="SLA", description="Attainment.",
                                   rows=["First response", "Resolution", "Next update"],
                                   series=[Series("Met", [6, 1, 0], "met"), Series("Missed", [2, 1, 0], "missed"),
                                           Series("Pending", [0, 2, 0], "pending")],
                                   notes=["75.0 % met", "50.0 % met", "no target"]))
    assert_accessible(root, "sla", "SLA")
    met, missed, pending = bars(root, "chart-met"), bars(root, "chart-missed"), bars(root, "chart-pending")
    assert float(met[0].get("width")) == pytest.approx(3 * float(missed[0].get("width")))
    assert float(met[1].get("width")) == pytest.approx(float(missed[1].get("width")))
    assert float(pending[0].get("width")) == pytest.approx(2 * float(met[1].get("width")))
    assert float(missed[0].get("x")) == pytest.approx(float(met[0].get("x")) + float(met[0].get("width")))
    assert len(bars(root, "chart-none")) == 1  # the row without figures is drawn empty, not missing
    assert "no target" in ["".join(t.itertext()) for t in root.iterfind(".//s:text", NS)]


def test_empty_chart_says_so():
    root = parse(grouped_bar_chart(chart_id="e", title="t", description="d", categories=["a", "b"],
                                   series=[Series("Opened", [0, 0])], empty="No tickets in this period."))
    assert "No tickets in this period." in ["".join(t.itertext()) for t in root.iterfind(".//s:text", NS)]


@pytest.mark.parametrize(("largest", "whole", "expected"), [
    (0, True, 4), (3, True, 4), (5, True, 8), (9, True, 12), (10, True, 12), (17, True, 20), (101, True, 120),
    (0, False, 1.0), (0.3, False, 0.4), (2.2, False, 4.0), (7, False, 8.0),
])
def test_axis_maximum(largest, whole, expected):
    assert axis_maximum(largest, whole=whole) == pytest.approx(expected)
    assert axis_maximum(largest, whole=whole) >= largest
