"""Server-side SVG for the who-says-what page: stacked bars and a count heatmap whose every segment and
cell links to the claims behind it (pure; no Django).

Built on the agreement dashboard's helpers, so every text (labels, titles, tooltips, numbers) and every
link goes through ``html.escape`` here; the template may mark the result safe. Colour is never the only
cue: each bar segment and cell carries its count as text where it fits, a tooltip naming its series, and
the legend lists the series in the order the segments are drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from annotator.agreement.charts import MUTED, _label_width, _svg, _text, _title_width, text_colour

# Okabe & Ito's colour-blind-safe palette, for series whose schema entry names no colour.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999")
EMPTY_FILL = "#f2f4f7"


@dataclass(frozen=True)
class Series:
    """One kind of segment (a perspective, an attribution): its key, name and fill."""

    key: str
    label: str
    fill: str


@dataclass(frozen=True)
class Segment:
    series: str
    value: int
    href: str
    tip: str


@dataclass(frozen=True)
class BarRow:
    label: str
    segments: Sequence[Segment]


def series_fills(keys: Sequence[str], colours: dict[str, str | None]) -> dict[str, str]:
    """A fill per key: the schema's colour when it is a #rrggbb, else the next palette colour."""
    fills = {}
    for index, key in enumerate(keys):
        colour = colours.get(key) or ""
        valid = (
            len(colour) == 7
            and colour.startswith("#")
            and all(c in "0123456789abcdefABCDEF" for c in colour[1:])
        )
        fills[key] = colour.lower() if valid else PALETTE[index % len(PALETTE)]
    return fills


def _with_desc(svg: str, desc: str) -> str:
    """The chart with a <desc> after its <title>, for screen readers, as a named group: an image's
    content is hidden from assistive technology, and these charts hold links."""
    head, _, tail = svg.replace(' role="img" ', ' role="group" ', 1).partition("</title>")
    return f"{head}</title><desc>{escape(desc)}</desc>{tail}"


def _link(href: str, tip: str, inner: str) -> str:
    # The <title> names the link (and is its tooltip); an aria-label would have to repeat the count drawn
    # inside, or screen-reader users hear a name that does not match what sighted users see.
    return f'<a href="{escape(href)}"><title>{escape(tip)}</title>{inner}</a>'


def _legend(series: Sequence[Series], y: float, width: float) -> tuple[list[str], float]:
    """Swatches with names, wrapped to ``width``; returns the parts and the height used."""
    parts, x, row = [], 0.0, 0
    for item in series:
        step = 18 + len(item.label) * 11 * 0.6 + 14
        if x and x + step > width:
            x, row = 0.0, row + 1
        top = y + row * 18
        parts.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="12" height="12" rx="2" fill="{item.fill}" '
            f'stroke="#1d2330" stroke-width="0.5"/>' + _text(x + 17, top + 10, item.label, size=11)
        )
        x += step
    return parts, (row + 1) * 18 if series else 0


def stacked_bars(
    rows: Sequence[BarRow],
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    shares: bool = False,
    plot_width: int = 420,
    row_height: int = 28,
) -> str:
    """Horizontal bars, one per row, stacked by series; each segment links to its claims.

    With ``shares`` every bar fills the width and segments show their share of the row, else bars are
    scaled to the longest row and segments show counts.
    """
    order = {item.key: index for index, item in enumerate(series)}
    fills = {item.key: item.fill for item in series}
    left = _label_width([row.label for row in rows])
    width = max(left + plot_width + 70, _title_width(title))
    legend, legend_height = _legend(series, 26, width)
    top = 34 + legend_height
    height = top + len(rows) * row_height + 8
    longest = max((sum(s.value for s in row.segments) for row in rows), default=0) or 1
    body = [_text(0, 14, title, size=13, weight="600"), *legend]
    for index, row in enumerate(rows):
        y = top + index * row_height
        row_total = sum(segment.value for segment in row.segments)
        body.append(_text(left - 6, y + row_height / 2 + 4, row.label, anchor="end"))
        scale = plot_width / (row_total if shares else longest) if row_total else 0.0
        x = left
        for segment in sorted(row.segments, key=lambda s: order.get(s.series, len(order))):
            if segment.value <= 0:
                continue
            span = segment.value * scale
            fill = fills.get(segment.series, EMPTY_FILL)
            shown = f"{segment.value / row_total:.0%}" if shares else str(segment.value)
            inner = (
                f'<rect x="{x:.1f}" y="{y + 4}" width="{max(span, 1.5):.1f}" height="{row_height - 8}" '
                f'fill="{fill}" stroke="#ffffff" stroke-width="1"/>'
            )
            if span >= len(shown) * 7 + 6:
                inner += _text(x + span / 2, y + row_height / 2 + 4, shown, size=11, anchor="middle",
                               fill=text_colour(fill))  # fmt: skip
            body.append(_link(segment.href, segment.tip, inner))
            x += span
        total_text = "100%" if shares and row_total else str(row_total)
        body.append(_text(x + 6, y + row_height / 2 + 4, total_text if not shares else f"n = {row_total}",
                          size=11, fill=MUTED))  # fmt: skip
    return _with_desc(_svg(width, height, title, body), desc)


def count_heatmap(
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    values: Sequence[Sequence[int]],
    hrefs: Sequence[Sequence[str]],
    *,
    title: str,
    desc: str,
    cell: int = 52,
) -> str:
    """Rows × columns of counts, shaded by the count against the largest; each non-empty cell links to
    its claims and shows its count as text."""
    left = _label_width(row_labels)
    top = 30 + _label_width(col_labels, 11) * 0.7
    overhang = _label_width(list(col_labels[-1:]), 11) * 0.7
    width = max(left + len(col_labels) * cell + overhang, _title_width(title))
    height = top + len(row_labels) * cell + 8
    peak = max((v for row in values for v in row), default=0) or 1
    body = [_text(0, 14, title, size=13, weight="600")]
    for j, label in enumerate(col_labels):
        x, y = left + j * cell + cell / 2, top - 6
        body.append(_text(x, y, label, size=11, extra=f' transform="rotate(-40 {x:.1f} {y:.1f})"'))
    for i, label in enumerate(row_labels):
        y = top + i * cell
        body.append(_text(left - 6, y + cell / 2 + 4, label, size=11, anchor="end"))
        for j, column in enumerate(col_labels):
            value = values[i][j]
            share = value / peak
            # The confusion matrices' ramp: white to the dashboard's dark blue.
            red, green, blue = (round(255 - share * (255 - end)) for end in (36, 84, 214))
            fill = f"#{red:02x}{green:02x}{blue:02x}"
            rect = (
                f'<rect x="{left + j * cell:.1f}" y="{y:.1f}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{fill if value else EMPTY_FILL}"/>'
            )
            count = _text(left + j * cell + (cell - 2) / 2, y + (cell - 2) / 2 + 4, str(value), size=11,
                          anchor="middle", fill=text_colour(fill) if value else MUTED)  # fmt: skip
            tip = f"{label} × {column}: {value} claims"
            if value:
                body.append(_link(hrefs[i][j], tip, rect + count))
            else:
                body.append(f"<g><title>{escape(tip)}</title>{rect}{count}</g>")
    return _with_desc(_svg(width, height, title, body), desc)
