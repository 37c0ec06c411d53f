"""The dashboard's server-side SVG: well-formed, escaped, honest about undefined values."""

import math
import xml.etree.ElementTree as ET

import pytest

from annotator.agreement import charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "quotes"'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 (our own output) - raises on malformed XML, e.g. a bare "<"
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def test_heatmap_is_well_formed_and_shows_each_pair_once_with_its_value():
    svg = charts.heatmap(["ann1", "ann2", "ann3"], [[1, 0.5, None], [0.5, 1, 0.81], [None, 0.81, 1]])
    root = parse(svg)
    assert len(root.findall(f".//{SVG}rect")) == 9
    shown = texts(root)
    assert shown.count("0.50") == 2 and shown.count("0.81") == 2
    assert shown.count("n/a") == 2  # undefined is not drawn as zero


def test_every_label_and_title_is_escaped():
    for svg in (
        charts.heatmap([HOSTILE, "b"], [[1, 0.2], [0.2, 1]], title=HOSTILE),
        charts.bars([charts.Bar(HOSTILE, 0.7, 0.6, 0.8, 12)], title=HOSTILE),
        charts.confusion([HOSTILE, "b"], [HOSTILE, "b"], [[1, 2], [3, 4]], title=HOSTILE, row_title=HOSTILE),
    ):
        assert "<script>" not in svg
        root = parse(svg)
        assert HOSTILE in texts(root) or any(HOSTILE in (t.text or "") for t in root.iter(f"{SVG}title"))


def test_bars_draw_ci_whiskers_thresholds_and_na_for_undefined():
    svg = charts.bars(
        [charts.Bar("stance", 0.72, 0.61, 0.83, 40), charts.Bar("speaker", float("nan"), None, None, 0)]
    )
    root = parse(svg)
    shown = texts(root)
    assert "0.72 (n = 40)" in shown
    assert any("n/a" in text for text in shown)
    assert "0.667" in shown and "0.8" in shown  # Krippendorff's thresholds are labelled
    assert len(root.findall(f".//{SVG}path")) == 1  # one whisker: the undefined bar has none


def test_bars_extend_the_axis_below_zero_for_negative_agreement():
    root = parse(charts.bars([charts.Bar("perspective", -0.3, -0.5, -0.1, 9)]))
    assert "\u22120.6" in texts(root)


def test_confusion_matrix_shows_counts_and_outlines_the_diagonal():
    root = parse(charts.confusion(["favor", "against"], ["favor", "against"], [[5, 1], [0, 4]]))
    assert {"5", "1", "0", "4"} <= set(texts(root))
    outlined = [r for r in root.iter(f"{SVG}rect") if r.get("stroke")]
    assert len(outlined) == 2


@pytest.mark.parametrize(
    ("kappa", "name"),
    [
        (-0.1, "poor"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.21, "fair"),
        (0.5, "moderate"),
        (0.61, "substantial"),
        (0.8, "substantial"),
        (0.81, "almost perfect"),
        (math.nan, "undefined"),
    ],
)
def test_landis_koch_bands(kappa, name):
    assert charts.landis_koch(kappa) == name


@pytest.mark.parametrize(
    ("alpha", "band"),
    [
        (0.9, "reliable"),
        (0.8, "reliable"),
        (0.7, "tentative"),
        (0.667, "tentative"),
        (0.5, "unreliable"),
        (None, "undefined"),
    ],
)
def test_krippendorff_bands(alpha, band):
    assert charts.krippendorff_band(alpha) == band


def test_colours_separate_the_three_bands():
    assert charts.agreement_colour(None) == charts.MISSING_FILL
    low, mid, high = (charts.agreement_colour(v) for v in (0.3, 0.72, 0.95))
    assert len({low, mid, high}) == 3
    assert int(low[1:3], 16) > int(low[3:5], 16)  # reddish
    assert int(high[3:5], 16) > int(high[1:3], 16)  # greenish


def test_text_on_every_agreement_colour_meets_wcag_aa():
    for step in range(101):
        fill = charts.agreement_colour(step / 100)
        assert charts.contrast_ratio(fill, charts.text_colour(fill)) >= 4.5, fill
    assert charts.contrast_ratio(charts.MISSING_FILL, charts.text_colour(charts.MISSING_FILL)) >= 4.5


def test_fmt_uses_a_real_minus_sign_and_na():
    assert charts.fmt(-0.05) == "\u22120.05"
    assert charts.fmt(float("inf")) == "n/a"
