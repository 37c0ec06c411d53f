"""Export throughput and memory: claims/s and peak memory for 100k and 1M claims, JSONL and CSV.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench python bench/export.py [--sizes 100000 1000000]

Migrates the database named by DATABASE_URL (PostgreSQL), loads projects of generated claims with COPY (20
claims a passage: 2 annotators x 10), streams each through the real export path (server-side cursor,
chunked claim queries, the format writer, 64 KB buffers) into /dev/null, and prints a table. Peak memory
is this process's VmHWM, reset before each export (/proc/self/clear_refs), next to its RSS before it.
The projects are deleted afterwards.
"""

import argparse
import os
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


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def drop(project_ids: list[int]) -> None:
    """Delete the bench projects with a few statements (the ORM would load every row to cascade)."""
    with connection.cursor() as cursor:
        for sql in (
            "DELETE FROM labeling_claim c USING labeling_assignment a, corpus_passage p, corpus_document d "
            "WHERE c.assignment_id = a.id AND a.passage_id = p.id AND p.document_id = d.id AND d.project_id = ANY(%s)",
            "DELETE FROM labeling_assignment a USING corpus_passage p, corpus_document d "
            "WHERE a.passage_id = p.id AND p.document_id = d.id AND d.project_id = ANY(%s)",
            "DELETE FROM corpus_passage p USING corpus_document d WHERE p.document_id = d.id AND d.project_id = ANY(%s)",
        ):
            cursor.execute(sql, [project_ids])
    users = list(
        Project.objects.filter(pk__in=project_ids).values_list("memberships__user_id", flat=True).distinct()
    )
    Project.objects.filter(pk__in=project_ids).delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk__in=[u for u in users if u is not None]).delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["jsonl", "csv"])
    args = parser.parse_args()
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
        exact_peak = reset_peak()
        with open(os.devnull, "wb") as sink:
            for size in args.sizes:
                for name in args.formats:
                    before = memory_kb()
                    reset_peak()
                    started = time.perf_counter()
                    chunks, _, _ = export_stream(project=projects[size], format=name, filters=ExportFilters())
                    written = 0
                    for chunk in chunks:
                        written += sink.write(chunk)
                    seconds = time.perf_counter() - started
                    after = memory_kb()
                    rows.append(
                        (size, name, seconds, size / seconds, written, before["VmRSS"], after["VmHWM"])
                    )
    finally:
        drop([p.pk for p in projects.values()])
    print()
    print(
        f"| claims | format | seconds | claims/s | MB written | RSS before MB | peak MB{'' if exact_peak else '*'} |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|")
    for size, name, seconds, rate, written, rss, peak in rows:
        print(
            f"| {size:,} | {name} | {seconds:.1f} | {rate:,.0f} | {written / 1e6:.0f} | {rss / 1024:.0f} "
            f"| {peak / 1024:.0f} |"
        )
    if not exact_peak:
        print("* the process peak since start (clear_refs was not allowed here)")


if __name__ == "__main__":
    main()
