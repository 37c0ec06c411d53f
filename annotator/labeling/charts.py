"""Server-side SVG for the progress page: submissions per day as columns (pure; no Django).

Drawn with the agreement dashboard's helpers, so every text goes through ``html.escape`` and the template
may mark the result safe.
"""

from collections.abc import Sequence
from datetime import date, timedelta

from annotator.agreement.charts import MUTED, _svg, _text

BAR_FILL = "#3b6fd8"
MAX_DAYS = 120  # a longer study shows its last 120 days


def submissions_chart(days: Sequence[tuple[date, int]], *, title: str = "Submissions per day") -> str:
    """Columns for every day from the first submission to the last (empty days drawn as gaps)."""
    if not days:
        return ""
    counts = dict(days)
    last = max(counts)
    first = max(min(counts), last - timedelta(days=MAX_DAYS - 1))
    series = [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
        for i in range((last - first).days + 1)
    ]
    peak = max(n for _, n in series) or 1
    left, top, plot_height, bottom = 40, 30, 140, 34
    column = max(4, min(28, 600 // len(series)))
    width = left + column * len(series) + 20
    height = top + plot_height + bottom
    body = [_text(0, 14, title, size=13, weight="600")]
    for tick in sorted({0, peak // 2, peak}):
        y = top + plot_height - tick / peak * plot_height
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 16}" y2="{y:.1f}" stroke="#f2f4f7"/>')
        body.append(_text(left - 6, y + 4, str(tick), size=10, anchor="end", fill=MUTED))
    label_every = max(1, len(series) // 8)
    for index, (day, n) in enumerate(series):
        x = left + index * column
        bar = n / peak * plot_height
        tip = f"{day.isoformat()}: {n} submitted"
        body.append(
            f'<g><title>{tip}</title><rect x="{x + 1:.1f}" y="{top + plot_height - bar:.1f}" '
            f'width="{column - 2:.1f}" height="{max(bar, 0):.1f}" fill="{BAR_FILL}"/></g>'
        )
        if index % label_every == 0:
            body.append(
                _text(x + column / 2, top + plot_height + 16, day.strftime("%d %b"), size=10, anchor="middle",
                      fill=MUTED)
            )  # fmt: skip
    return _svg(width, height, title, body)
