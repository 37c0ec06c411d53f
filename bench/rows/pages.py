"""Page speed at volume (bench/pages.py): every page a reviewer or an annotator opens, on a project of 1M
submitted claims (10 annotators, 2 claims an assignment), through Django's test client in this process
as the role that uses it. Not run by default (it builds and scores the project): `--only pages`.

The floor: one indexed read of 50 rows of the review queue's table on the same database.
"""

from __future__ import annotations

import statistics

from bench.pages import measure, percentile
from bench.runner import Context, Row

ANNOTATORS = 10


def run(context: Context) -> list[Row]:
    claims = context.sizes.pages
    runs = 10 if claims >= 100_000 else 3
    results, about = measure(claims=claims, annotators=ANNOTATORS, runs=runs, beside=0)
    context.log(f"pages: {about}")
    return [
        Row(
            key=f"pages.{page['role']}.{page['page']}",
            work=f"page at {claims:,} claims, {page['role']}: {page['page']} (in-process), p50",
            unit="ms",
            runs=[statistics.median(page["times"])],
            floor=page["floor"],
            floor_work="indexed read of 50 rows",
            notes=f"p95 {percentile(page['times'], 0.95):.1f} ms; {page['queries']} SQL queries; "
            f"status {page['status']}; {runs} requests",
            figures={"queries": page["queries"], "status": page["status"]},
        )
        for page in results
    ]
