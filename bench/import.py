"""Import throughput: our article import vs a bare PostgreSQL COPY of the same passage rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench python bench/import.py [--documents 2000]

Migrates the database named by DATABASE_URL (PostgreSQL), imports a generated JSONL file of articles
through the real import path (read, segment, bulk insert), then COPYs the same passages into an unlogged
scratch table, and prints passages/s for both.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from annotator.corpus.importing import import_path  # noqa: E402
from annotator.corpus.models import Passage, Project  # noqa: E402
from annotator.corpus.services import project_create  # noqa: E402

SENTENCE = "Officials in Beijing described the agreements as fulfilling the legitimate need for exchanges. "


def write_articles(path: Path, documents: int, paragraphs: int, run: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(documents):
            body = "\n".join(f"Paragraph {p} of article {i}: {SENTENCE * 3}" for p in range(paragraphs))
            handle.write(
                json.dumps({"title": f"Run {run} article {i}", "text": f"Run {run} article {i}\n{body}"})
                + "\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--paragraphs", type=int, default=10)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    run = int(time.time())
    project = project_create(name=f"bench {run}", slug=f"bench-{run}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "articles.jsonl"
        write_articles(path, args.documents, args.paragraphs, run)
        started = time.perf_counter()
        summary = import_path(project=project, path=path)
        ours = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = list(
        Passage.objects.filter(document__project=project).values_list(
            "document_id", "position", "start", "end", "text"
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_passage_copy")
        cursor.execute("CREATE UNLOGGED TABLE bench_passage_copy (LIKE corpus_passage INCLUDING ALL)")
        started = time.perf_counter()
        with cursor.copy(
            'COPY bench_passage_copy (document_id, position, start, "end", text) FROM STDIN'
        ) as copy:
            for row in rows:
                copy.write_row(row)
        copy_time = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_passage_copy")
    Project.objects.filter(pk=project.pk).delete()
    table = [
        ("import_articles (read+segment+insert)", summary.passages, ours, f"{peak:.1f}"),
        ("COPY of the same passage rows", len(rows), copy_time, ""),
    ]
    print(f"{'method':<40}{'passages':>10}{'seconds':>10}{'passages/s':>12}{'peak RSS MB':>13}")
    for name, count, seconds, memory in table:
        print(f"{name:<40}{count:>10}{seconds:>10.2f}{count / seconds:>12,.0f}{memory:>13}")
    print(f"ratio: {ours / copy_time:.1f}x the time of COPY (which skips reading, hashing and segmenting)")


if __name__ == "__main__":
    main()
