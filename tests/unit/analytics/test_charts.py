"""The who-says-what SVG: well-formed, accessible, every text and link escaped."""

import xml.etree.ElementTree as ET

from annotator.analytics.charts import (
    PALETTE,
    BarRow,
    Segment,
    Series,
    count_heatmap,
    series_fills,
    stacked_bars,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output; raises on anything unescaped


def test_stacked_bars_escape_labels_tips_and_links():
    series = [Series("a", HOSTILE, "#0072b2"), Series("b", "B", "#e69f00")]
    rows = [
        BarRow(
            HOSTILE,
            [Segment("a", 3, '/c/?outlet="><script>', f"{HOSTILE}: 3 claims"), Segment("b", 1, "/c/?b", "b")],
        )
    ]
    svg = stacked_bars(rows, series, title=HOSTILE, desc=HOSTILE)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == HOSTILE
    assert root.find(f"{SVG}desc").text == HOSTILE
    assert root.get("role") == "group" and root.get("aria-label") == HOSTILE
    links = root.findall(f"{SVG}a")
    assert [link.get("href") for link in links] == ['/c/?outlet="><script>', "/c/?b"]
    assert links[0].find(f"{SVG}title").text == f"{HOSTILE}: 3 claims"
    # The count is drawn as text inside the segment, not left to colour.
    assert [t.text for t in links[0].iter(f"{SVG}text")] == ["3"]


def test_shares_fill_each_bar_and_print_percentages():
    series = [Series("direct", "Direct", "#0072b2"), Series("indirect", "Indirect", "#e69f00")]
    rows = [BarRow("US", [Segment("direct", 1, "/d", "d"), Segment("indirect", 3, "/i", "i")])]
    root = parse(stacked_bars(rows, series, title="Voice", desc="d", shares=True, plot_width=400))
    widths = [float(a.find(f"{SVG}rect").get("width")) for a in root.findall(f"{SVG}a")]
    assert widths == [100.0, 300.0]
    assert [t.text for a in root.findall(f"{SVG}a") for t in a.iter(f"{SVG}text")] == ["25%", "75%"]


def test_segments_follow_the_legend_order_whatever_the_row_order():
    series = [Series("a", "A", "#0072b2"), Series("b", "B", "#e69f00")]
    rows = [BarRow("x", [Segment("b", 2, "/b", "b"), Segment("a", 1, "/a", "a")])]
    root = parse(stacked_bars(rows, series, title="t", desc="d"))
    assert [a.get("href") for a in root.findall(f"{SVG}a")] == ["/a", "/b"]


def test_heatmap_links_only_cells_with_claims_and_escapes_names():
    svg = count_heatmap(
        [HOSTILE, "author's voice"],
        ["US", "Chinese"],
        [[2, 0], [0, 5]],
        [["/c?1", "/c?2"], ["/c?3", "/c?4&x=<"]],
        title="Speaker type × perspective",
        desc="cells link",
    )
    root = parse(svg)
    assert [a.get("href") for a in root.findall(f"{SVG}a")] == ["/c?1", "/c?4&x=<"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert HOSTILE in texts and "author's voice" in texts
    assert texts.count("0") == 2 and "5" in texts


def test_schema_colours_are_used_only_when_valid():
    fills = series_fills(["a", "b", "c"], {"a": "#ABCDEF", "b": 'red" onload="x', "c": None})
    assert fills == {"a": "#abcdef", "b": PALETTE[1], "c": PALETTE[2]}
