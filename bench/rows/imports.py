"""Import of one-paragraph JSONL records (10k / 50k / 200k) and of 2k multi-paragraph articles through
`import_path` (the import command's path: read, hash, segment, insert), and of 10k records uploaded to
/api/v1/article-imports/ through gunicorn. Each import goes into a new empty project.

The floor: COPY of the same passage rows (read back after the import) into an unlogged scratch table: no
reading, hashing, segmenting or indexes beyond the table's own.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from django.db import connection

from annotator.corpus.importing import import_path
from annotator.corpus.models import Passage
from annotator.corpus.services import project_create
from bench import data
from bench.processes import token_session
from bench.runner import Context, Row

PARAGRAPHS = 10
# Files over 50 MB are refused (the import's per-file limit): 200k records are imported as four files.
RECORDS_PER_FILE = 50_000


def copy_floor(project_id: int) -> float:
    """Seconds to COPY the project's passage rows into an unlogged scratch table."""
    rows = list(
        Passage.objects.filter(document__project_id=project_id).values_list(
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
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_passage_copy")
    return seconds


def run(context: Context) -> list[Row]:
    sizes, rows = context.sizes, []
    runs_for = {size: context.sizes.runs if size <= 10_000 else 1 for size in sizes.imports}
    with tempfile.TemporaryDirectory() as folder:
        jobs = [("records", size, runs_for[size]) for size in sizes.imports]
        jobs.append(("articles", sizes.articles, 1))
        for kind, size, runs in jobs:
            seconds, floors, passages = [], [], 0
            for n in range(runs):
                tag = f"{context.tag}-{kind}-{size}-{n}"
                paths = []
                for first in range(0, size, RECORDS_PER_FILE):
                    path = Path(folder) / f"{tag}-{first}.jsonl"
                    count = min(RECORDS_PER_FILE, size - first)
                    if kind == "records":
                        data.write_records(path, count, f"{tag}-{first}")
                    else:
                        data.write_articles(path, count, PARAGRAPHS, f"{tag}-{first}")
                    paths.append(path)
                project = project_create(name=tag, slug=tag)
                context.track(project.pk)
                started = time.perf_counter()
                documents = passages = 0
                for path in paths:
                    summary = import_path(project=project, path=path)
                    documents, passages = documents + summary.documents, passages + summary.passages
                seconds.append(time.perf_counter() - started)
                assert documents == size, (documents, size)
                floors.append(copy_floor(project.pk))
                data.drop([project.pk])
                for path in paths:
                    path.unlink()
            what = (
                f"import {size:,} one-paragraph JSONL records (import_path)"
                if kind == "records"
                else f"import {size:,} articles of {PARAGRAPHS} paragraphs (import_path)"
            )
            rows.append(
                Row(
                    key=f"import.{kind}.{size}",
                    work=what,
                    unit="s",
                    runs=seconds,
                    floor=statistics.median(floors),
                    floor_work="COPY of the passages",
                    notes=(
                        f"{len(paths)} files of {RECORDS_PER_FILE:,} (the 50 MB file limit); "
                        if len(paths) > 1
                        else ""
                    )
                    + f"{size / statistics.median(seconds):,.0f} records/s, "
                    f"{passages / statistics.median(seconds):,.0f} passages/s; "
                    f"COPY {passages / statistics.median(floors):,.0f} passages/s",
                    figures={"records": size, "passages": passages},
                )
            )
        rows.append(upload(context, Path(folder)))
    return rows


def upload(context: Context, folder: Path) -> Row:
    """10k records posted as a file to the upload endpoint, as a manager with an API token."""
    size, runs = context.sizes.upload, context.sizes.runs
    seconds, floors = [], []
    server = context.server()
    for n in range(runs):
        tag = f"{context.tag}-upload-{n}"
        path = folder / f"{tag}.jsonl"
        data.write_records(path, size, tag)
        project = project_create(name=tag, slug=tag)
        context.track(project.pk)
        http = token_session(data.manager_token(project, f"{tag}-manager"))
        started = time.perf_counter()
        with path.open("rb") as handle:
            answer = http.post(
                f"{server.url}/api/v1/article-imports/",
                data={"project": project.pk},
                files={"file": (path.name, handle, "application/jsonl")},
                timeout=600,
            )
        seconds.append(time.perf_counter() - started)
        if answer.status_code != 201:
            raise RuntimeError(f"the upload answered {answer.status_code}: {answer.text[:300]}")
        floors.append(copy_floor(project.pk))
        data.drop([project.pk])
    return Row(
        key=f"import.upload.{size}",
        work=f"import {size:,} one-paragraph records uploaded over HTTP (/api/v1/article-imports/)",
        unit="s",
        runs=seconds,
        floor=statistics.median(floors),
        floor_work="COPY of the passages",
        notes=f"{size / statistics.median(seconds):,.0f} records/s ({path.stat().st_size / 1e6:.1f} MB file)",
        figures={"records": size},
    )
