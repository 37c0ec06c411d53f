"""Server-side SVG charts for the agreement dashboard: pure functions from numbers to SVG strings.

No Django and no JavaScript. Every piece of text that reaches the SVG (labels, titles, tooltips, numbers)
goes through `html.escape` here, which is why the dashboard template may mark the returned strings safe.
Values may be None or nan (undefined agreement): such cells and bars are drawn as "n/a", never as 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Krippendorff (2004: 241): rely on alpha >= .800; draw tentative conclusions only from .667 <= alpha.
ALPHA_RELIABLE = 0.8
ALPHA_TENTATIVE = 0.667
# Landis & Koch (1977) bands for kappa: (lower bound, name), checked from the top.
LANDIS_KOCH = (
    (0.81, "almost perfect"),
    (0.61, "substantial"),
    (0.41, "moderate"),
    (0.21, "fair"),
    (0.0, "slight"),
)
FONT = "system-ui, -apple-system, Segoe UI, sans-serif"
MISSING_FILL = "#eaecf0"
INK = "#1d2330"
MUTED = "#667085"


def _number(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def fmt(value: float | None, digits: int = 2) -> str:
    """A coefficient as text: '0.72', '−0.05', or 'n/a' when undefined."""
    number = _number(value)
    if number is None:
        return "n/a"
    text = f"{number:.{digits}f}"
    return text.replace("-", "\u2212")


def fmt_signed(value: float | None, digits: int = 3) -> str:
    """A difference as text with its sign: '+0.052', '−0.013', '0.000', or 'n/a' when undefined."""
    text = fmt(value, digits)
    return f"+{text}" if text[0].isdigit() and float(text) > 0 else text


def landis_koch(kappa: float | None) -> str:
    """Landis & Koch's name for a kappa value ('poor' below zero); 'undefined' for nan/None."""
    number = _number(kappa)
    if number is None:
        return "undefined"
    for bound, name in LANDIS_KOCH:
        if number >= bound - 1e-12:
            return name
    return "poor"


def krippendorff_band(alpha: float | None) -> str:
    """Krippendorff's reading of alpha: 'reliable' (>= .800), 'tentative' (>= .667) or 'unreliable'."""
    number = _number(alpha)
    if number is None:
        return "undefined"
    if number >= ALPHA_RELIABLE:
        return "reliable"
    if number >= ALPHA_TENTATIVE:
        return "tentative"
    return "unreliable"


def agreement_colour(value: float | None) -> str:
    """Fill for a coefficient: red below .667, amber to .800, green above; grey when undefined.

    Every fill on the ramp takes dark text (text_colour) at ≥ 5:1, so labels drawn on it meet WCAG AA.
    """
    number = _number(value)
    if number is None:
        return MISSING_FILL
    stops = (
        (0.0, (249, 112, 102)),
        (ALPHA_TENTATIVE, (247, 144, 9)),
        (ALPHA_RELIABLE, (50, 213, 131)),
        (1.0, (18, 183, 106)),
    )
    number = min(max(number, 0.0), 1.0)
    for (x0, c0), (x1, c1) in zip(stops, stops[1:], strict=False):
        if number <= x1:
            t = (number - x0) / (x1 - x0)
            rgb = tuple(round(a + (b - a) * t) for a, b in zip(c0, c1, strict=True))
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#12b76a"


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour(fill: str) -> str:
    """Dark or white text, whichever has the higher WCAG contrast on `fill` (a #rrggbb colour)."""
    return INK if contrast_ratio(INK, fill) >= contrast_ratio("#ffffff", fill) else "#ffffff"


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}"{extra}>{escape(content)}</text>'
    )


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _label_width(labels: Sequence[str], size: int = 12) -> float:
    return max((len(label) for label in labels), default=0) * size * 0.58 + 10


def _title_width(title: str) -> float:
    return len(title) * 13 * 0.6 + 4


def heatmap(
    labels: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    counts: Sequence[Sequence[float | None]] | None = None,
    title: str = "Pairwise agreement",
    cell: int = 50,
) -> str:
    """A square annotator x annotator heatmap; cell text is the coefficient, tooltips add n."""
    n = len(labels)
    left = _label_width(labels)
    top = 24 + _label_width(labels) * 0.75
    overhang = _label_width(labels[-1:]) * 0.75  # the last rotated column label reaches past the grid
    width, height = max(left + n * cell + overhang, _title_width(title)), top + n * cell + 8
    body = [_text(0, 14, title, size=13, weight="600")]
    for j, label in enumerate(labels):
        x, y = left + j * cell + cell / 2, top - 6
        body.append(_text(x, y, label, anchor="start", extra=f' transform="rotate(-40 {x:.1f} {y:.1f})"'))
    for i, row_label in enumerate(labels):
        y = top + i * cell
        body.append(_text(left - 6, y + cell / 2 + 4, row_label, anchor="end"))
        for j in range(n):
            x = left + j * cell
            value = _number(values[i][j]) if j < len(values[i]) else None
            fill = agreement_colour(value)
            n_text = ""
            if counts is not None and _number(counts[i][j]) is not None:
                n_text = f", n = {int(counts[i][j])}"
            tip = f"{row_label} × {labels[j]}: {fmt(value, 3)}{n_text}"
            body.append(
                f'<g><title>{escape(tip)}</title><rect x="{x:.1f}" y="{y:.1f}" width="{cell - 2}" '
                f'height="{cell - 2}" rx="3" fill="{fill}"/>'
                + _text(
                    x + (cell - 2) / 2,
                    y + (cell - 2) / 2 + 4,
                    "—" if i == j else fmt(value),
                    anchor="middle",
                    fill=text_colour(fill) if i != j else MUTED,
                )
                + "</g>"
            )
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Bar:
    """One coefficient with its 95% interval and the number of units it rests on."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None


def bars(
    items: Sequence[Bar],
    *,
    title: str = "Agreement per label",
    lower: float = 0.0,
    upper: float = 1.0,
    plot_width: int = 360,
    row: int = 26,
) -> str:
    """Horizontal bars with CI whiskers and the .667/.800 thresholds as dashed lines."""
    values = [_number(v) for item in items for v in (item.value, item.low)]
    lower = min([lower, *[v for v in values if v is not None]])
    lower = math.floor(lower * 5) / 5  # extend to the next 0.2 below the smallest value
    left = _label_width([item.label for item in items])
    top, right_pad = 44, 96
    width = max(left + plot_width + right_pad, _title_width(title))
    height = top + len(items) * row + 26

    def x_of(value: float) -> float:
        return left + (min(max(value, lower), upper) - lower) / (upper - lower) * plot_width

    body = [_text(0, 14, title, size=13, weight="600")]
    tick = lower
    while tick <= upper + 1e-9:
        x = x_of(tick)
        body.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 20}" stroke="#f2f4f7"/>')
        body.append(_text(x, height - 6, fmt(tick, 1), size=10, anchor="middle", fill=MUTED))
        tick = round(tick + 0.2, 10)
    for threshold in (ALPHA_TENTATIVE, ALPHA_RELIABLE):
        x = x_of(threshold)
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 20}" stroke="{MUTED}" '
            f'stroke-dasharray="3 3"/>'
        )
        body.append(_text(x, top - 12, f"{threshold:.3f}".rstrip("0"), size=10, anchor="middle", fill=MUTED))
    for index, item in enumerate(items):
        y = top + index * row
        value, low, high = _number(item.value), _number(item.low), _number(item.high)
        body.append(_text(left - 6, y + row / 2 + 4, item.label, anchor="end"))
        n_text = f" (n = {item.n})" if item.n is not None else ""
        tip = f"{item.label}: {fmt(value, 3)} [{fmt(low, 3)}, {fmt(high, 3)}]{n_text}"
        parts = [f"<title>{escape(tip)}</title>"]
        if value is None:
            parts.append(_text(left + 4, y + row / 2 + 4, "n/a — not enough data", size=11, fill=MUTED))
        else:
            x0, x1 = x_of(max(lower, 0.0)), x_of(value)
            parts.append(
                f'<rect x="{min(x0, x1):.1f}" y="{y + 5}" width="{max(abs(x1 - x0), 1.5):.1f}" '
                f'height="{row - 10}" rx="2" fill="{agreement_colour(value)}"/>'
            )
            if low is not None and high is not None:
                cy = y + row / 2
                parts.append(
                    f'<path d="M{x_of(low):.1f} {cy:.1f}H{x_of(high):.1f}M{x_of(low):.1f} {cy - 5:.1f}'
                    f'V{cy + 5:.1f}M{x_of(high):.1f} {cy - 5:.1f}V{cy + 5:.1f}" stroke="{INK}" '
                    f'stroke-width="1.3" fill="none"/>'
                )
            parts.append(_text(left + plot_width + 8, y + row / 2 + 4, fmt(value) + n_text, size=11))
        body.append("<g>" + "".join(parts) + "</g>")
    return _svg(width, height, title, body)


def confusion(
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    counts: Sequence[Sequence[float]],
    *,
    title: str = "Confusion matrix",
    row_title: str = "",
    col_title: str = "",
    cell: int = 44,
) -> str:
    """A confusion (or coincidence) matrix: counts in cells, shaded by their share of the row."""
    left = _label_width(row_labels) + (16 if row_title else 0)
    top = 30 + _label_width(col_labels) * 0.75 + (14 if col_title else 0)
    overhang = _label_width(list(col_labels[-1:]), 11) * 0.75  # the last rotated label reaches past the grid
    width = max(left + len(col_labels) * cell + overhang, _title_width(title))
    height = top + len(row_labels) * cell + 8
    body = [_text(0, 14, title, size=13, weight="600")]
    if col_title:
        body.append(
            _text(left + len(col_labels) * cell / 2, 30, col_title, size=11, anchor="middle", fill=MUTED)
        )
    if row_title:
        cx, cy = 10, top + len(row_labels) * cell / 2
        body.append(
            _text(
                cx,
                cy,
                row_title,
                size=11,
                anchor="middle",
                fill=MUTED,
                extra=f' transform="rotate(-90 {cx} {cy:.1f})"',
            )
        )
    for j, label in enumerate(col_labels):
        x, y = left + j * cell + cell / 2, top - 6
        body.append(_text(x, y, label, size=11, extra=f' transform="rotate(-40 {x:.1f} {y:.1f})"'))
    for i, label in enumerate(row_labels):
        row = [float(c or 0) for c in counts[i]]
        total = sum(row)
        y = top + i * cell
        body.append(_text(left - 6, y + cell / 2 + 4, label, size=11, anchor="end"))
        for j, count in enumerate(row):
            share = count / total if total else 0.0
            shade = round(255 - share * (255 - 36)), round(255 - share * (255 - 84)), round(255 - share * 41)
            fill = "#{:02x}{:02x}{:02x}".format(*shade)
            diagonal = (
                ' stroke="#1d2330" stroke-width="1"' if i == j and row_labels[i] == col_labels[j] else ""
            )
            count_text = f"{count:.0f}" if count == int(count) else f"{count:.1f}"
            tip = f"{label} → {col_labels[j]}: {count_text} ({share:.0%} of row)"
            body.append(
                f'<g><title>{escape(tip)}</title><rect x="{left + j * cell:.1f}" y="{y:.1f}" '
                f'width="{cell - 2}" height="{cell - 2}" fill="{fill}"{diagonal}/>'
                + _text(
                    left + j * cell + (cell - 2) / 2,
                    y + (cell - 2) / 2 + 4,
                    count_text,
                    size=11,
                    anchor="middle",
                    fill=text_colour(fill),
                )
                + "</g>"
            )
    return _svg(width, height, title, body)
