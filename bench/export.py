"""Export throughput and memory: claims/s and peak memory for 100k and 1M claims, JSONL and CSV.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench python bench/export.py \
        [--sizes 100000 1000000] [--formats jsonl csv]

Migrates the database named by DATABASE_URL (PostgreSQL), loads projects of generated claims with COPY (20
claims a passage: 2 annotators x 10), streams each through the real export path (server-side cursor,
chunked claim queries, the format writer, 64 KB buffers) into /dev/null, each export in a fresh process,
and prints a table: that process's resident memory before the export (Django loaded) and its peak (VmHWM).
The projects are deleted afterwards.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from annotator.corpus.models import Project  # noqa: E402
from annotator.exports.selectors import ExportFilters  # noqa: E402
from annotator.exports.services import export_stream  # noqa: E402
from tests.integration.exports.volume import build_volume_project  # noqa: E402


def memory_kb() -> dict[str, int]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0])
    return fields


def drop(project_ids: list[int]) -> None:
    """Delete the bench projects with a few statements (the ORM would load every row to cascade)."""
    with connection.cursor() as cursor:
        for sql in (
            "DELETE FROM labeling_claim WHERE project_id = ANY(%s)",
            "DELETE FROM labeling_assignment WHERE project_id = ANY(%s)",
            "DELETE FROM corpus_passage p USING corpus_document d "
            "WHERE p.document_id = d.id AND d.project_id = ANY(%s)",
        ):
            cursor.execute(sql, [project_ids])
    users = list(
        Project.objects.filter(pk__in=project_ids).values_list("memberships__user_id", flat=True).distinct()
    )
    Project.objects.filter(pk__in=project_ids).delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk__in=[u for u in users if u is not None]).delete()


def export_once(project_id: int, name: str) -> None:
    """Child process: stream one export into /dev/null and print its figures as JSON."""
    project = Project.objects.get(pk=project_id)
    before = memory_kb()
    started = time.perf_counter()
    chunks, _, _ = export_stream(project=project, format=name, filters=ExportFilters())
    written = 0
    with open(os.devnull, "wb") as sink:
        for chunk in chunks:
            written += sink.write(chunk)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "bytes": written, "rss_before": before["VmRSS"], **memory_kb()}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["jsonl", "csv"])
    parser.add_argument("--child", nargs=2, metavar=("PROJECT_ID", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        export_once(int(args.child[0]), args.child[1])
        return
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    run = int(time.time())
    projects: dict[int, Project] = {}
    rows = []
    try:
        for size in args.sizes:
            started = time.perf_counter()
            projects[size] = build_volume_project(slug=f"bench-export-{run}-{size}", claims=size)
            print(f"loaded {size:,} claims in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for size in args.sizes:
            for name in args.formats:
                child = subprocess.run(
                    [sys.executable, __file__, "--child", str(projects[size].pk), name],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                figures = json.loads(child.stdout.strip().splitlines()[-1])
                rows.append((size, name, figures))
    finally:
        drop([p.pk for p in projects.values()])
    print()
    print("| claims | format | seconds | claims/s | MB written | RSS before MB | peak RSS MB | growth MB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for size, name, f in rows:
        print(
            f"| {size:,} | {name} | {f['seconds']:.1f} | {size / f['seconds']:,.0f} | {f['bytes'] / 1e6:.0f} "
            f"| {f['rss_before'] / 1024:.0f} | {f['VmHWM'] / 1024:.0f} "
            f"| {(f['VmHWM'] - f['rss_before']) / 1024:.0f} |"
        )


if __name__ == "__main__":
    main()
