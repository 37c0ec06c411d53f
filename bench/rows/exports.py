"""Export of a 10k-passage project (100k claims) and of a 1M-claim one, JSONL and CSV: through the
service path (`export_stream`, what the export command and the export job run) in a fresh process, and
streamed over HTTP from gunicorn (/api/v1/exports/stream/, a manager's API token), each with its peak
memory: the child's VmHWM, or the gunicorn workers' RSS polled every 20 ms during the download.

The floor: `COPY (SELECT the same claim, passage, document and annotator columns in the export's order)
TO STDOUT` of the same project, read through psycopg and thrown away.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from django.contrib.auth import get_user_model
from django.db import connection

from bench import data
from bench.processes import REPO, PeakRss, child_environment, token_session
from bench.runner import Context, Row

FORMATS = ("jsonl", "csv")


def floor_sql(project_id: int) -> str:
    users = get_user_model()._meta.db_table
    return f"""
        COPY (
            SELECT p.id, d.id, d.title, d.source, d.url, d.published, p.position, p.start, p."end", p.text,
                   u.username, a.status, c.id, c.start, c."end", c.text, c.attribution, c.perspective,
                   c.stance, c.target, c.speaker_id, c.confidence, c.note, c.version, c.created_at
            FROM labeling_claim c
            JOIN labeling_assignment a ON a.id = c.assignment_id
            JOIN {users} u ON u.id = a.annotator_id
            JOIN corpus_passage p ON p.id = a.passage_id
            JOIN corpus_document d ON d.id = p.document_id
            WHERE c.project_id = {int(project_id)}
            ORDER BY d.id, p.position, u.username, c.start, c."end", c.id
        ) TO STDOUT WITH (FORMAT csv)
    """


def copy_floor(project_id: int) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor, cursor.copy(floor_sql(project_id)) as copy:
        for _block in copy:
            pass
    return time.perf_counter() - started


def export_in_child(project_id: int, name: str) -> dict:
    child = subprocess.run(
        [sys.executable, "-m", "bench.child", "export", str(project_id), name],
        cwd=REPO, env=child_environment(), check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(child.stdout.strip().splitlines()[-1])


def run(context: Context) -> list[Row]:
    small_size, large_size = context.sizes.exports
    projects = {
        "small": (context.volume(small_size, claims_per_assignment=5), small_size, context.sizes.runs),
        "large": (context.volume(large_size, claims_per_assignment=10), large_size, 1),
    }
    tokens = {
        label: data.manager_token(p, f"{context.tag}-export-{label}") for label, (p, _, _) in projects.items()
    }
    results: dict[tuple[str, str, str], list[dict]] = {}
    floors: dict[str, list[float]] = {}
    server = context.server()
    http_pids = server.worker_pids()
    for label, (project, _size, runs) in projects.items():
        http = token_session(tokens[label])
        http.get(f"{server.url}/api/v1/projects/", timeout=60)  # the workers' first request is behind them
        for _ in range(runs):
            floors.setdefault(label, []).append(copy_floor(project.pk))
            for name in FORMATS:
                results.setdefault((label, name, "cli"), []).append(export_in_child(project.pk, name))
                with PeakRss(http_pids) as peak:
                    started = time.perf_counter()
                    written = 0
                    with http.get(
                        f"{server.url}/api/v1/exports/stream/",
                        params={"project": project.pk, "format": name},
                        stream=True,
                        timeout=600,
                    ) as answer:
                        answer.raise_for_status()
                        for block in answer.iter_content(1 << 16):
                            written += len(block)
                    seconds = time.perf_counter() - started
                before = max(peak.before // max(len(http_pids), 1), 1)
                results.setdefault((label, name, "http"), []).append(
                    {"seconds": seconds, "bytes": written, "peak": peak.peak, "rss_before": before}
                )
    rows = []
    for (label, name, path), figures in results.items():
        project, size, _ = projects[label]
        seconds = [f["seconds"] for f in figures]
        peak = max(f["peak"] for f in figures) / 1024
        growth = max(f["peak"] - f["rss_before"] for f in figures) / 1024
        shape = f"{size:,} claims" + (f" ({size // 10:,} passages)" if label == "small" else "")
        how = "service path (export_stream)" if path == "cli" else "HTTP stream from gunicorn"
        where = "the exporting process" if path == "cli" else "a gunicorn worker (RSS before: average)"
        rows.append(
            Row(
                key=f"export.{path}.{name}.{size}",
                work=f"export {shape}, {name.upper()}, {how}",
                unit="s",
                runs=seconds,
                floor=statistics.median(floors[label]),
                floor_work="COPY … TO STDOUT",
                notes=f"{size / statistics.median(seconds):,.0f} claims/s; "
                f"{figures[0]['bytes'] / 1e6:.0f} MB; "
                f"peak RSS of {where} {peak:.0f} MiB (+{growth:.0f})",
                figures={
                    "claims": size,
                    "bytes": figures[0]["bytes"],
                    "peak_rss_mib": peak,
                    "growth_mib": growth,
                },
            )
        )
    return rows
