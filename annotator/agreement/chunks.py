"""The documents' statistics of an agreement run and the chunks they are shared out in.

A run's stale documents are computed by its own worker when they fit one chunk (or no other worker can take
any: eager mode); otherwise they are split into chunk rows of nearly equal sizes, a task per chunk is sent,
and the run's worker computes chunks too, from the last backwards, until all are finished. A chunk is
claimed by a conditional update and kept by a heartbeat like a run; one whose worker fell silent for
AGREEMENT_STALE_AFTER is claimed again (services explains why not a Celery chord). Each document's
statistics are stored with the revision of its input they were read at, in one upsert that never replaces
a row stored at a newer revision.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from annotator.agreement import scheduling
from annotator.agreement.loading import document_counts, load_project_input
from annotator.agreement.maths import sufficient
from annotator.agreement.models import AgreementChunk, AgreementRun, RunStatus
from annotator.corpus.models import Project
from annotator.jobs import beating

CHUNK_POLL = 0.2  # seconds between looks at the chunks while other workers compute the last ones


def stale_after() -> timedelta:
    """How long a running run's or chunk's heartbeat may stay silent before its worker is presumed dead."""
    return timedelta(seconds=float(getattr(settings, "AGREEMENT_STALE_AFTER", 120)))


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def chunk_documents() -> int:
    """Documents per chunk: fewer stale documents than this are computed by the run's own worker."""
    return max(int(getattr(settings, "AGREEMENT_CHUNK_DOCUMENTS", 500)), 1)


def documents_compute(
    run: AgreementRun, attempt: int, worker: str, stale: list[int], *, progress: Callable[[int, int], None]
) -> int:
    """Compute and store the statistics of the stale documents; returns into how many chunks they went.

    Inline when they fit one chunk or there are no other workers to share them (eager mode). Otherwise
    chunk rows are written, a task per chunk is sent, and this worker computes chunks too until every
    chunk is finished; a chunk whose worker went silent is claimed again (see the module docstring).
    `progress(done, total)` after each batch or chunk.
    """
    batches = _batches(stale, chunk_documents())
    if len(batches) <= 1 or not scheduling.can_fan_out():
        for done, batch in enumerate(batches, start=1):
            statistics_compute(project_id=run.project_id, document_ids=batch, worker=worker)
            progress(done, len(batches))
        return len(batches)
    chunks = AgreementChunk.objects.bulk_create(
        AgreementChunk(run_id=run.pk, attempt=attempt, index=number, document_ids=batch)
        for number, batch in enumerate(batches)
    )
    scheduling.send_chunks([chunk.pk for chunk in chunks])
    mine = AgreementChunk.objects.filter(run_id=run.pk, attempt=attempt)
    while True:
        # From the last chunk backwards: the other workers take their messages from the first onwards.
        chunk = _claim_chunk(mine, worker, last_first=True)
        if chunk is not None:
            _chunk_compute(chunk, run.project_id, worker)
        finished = mine.filter(finished_at__isnull=False).count()
        progress(finished, len(batches))
        if finished == len(batches):
            return len(batches)
        if chunk is None:
            time.sleep(CHUNK_POLL)


def _batches(documents: list[int], most: int) -> list[list[int]]:
    """The documents in order, in as few batches of at most `most` as will do, of nearly equal sizes."""
    count = -(-len(documents) // most)
    size = -(-len(documents) // count) if count else most
    return [documents[at : at + size] for at in range(0, len(documents), size)]


def agreement_chunk_execute(*, chunk_id: int, worker: str = "") -> bool:
    """Compute a chunk sent to this worker, if it is still to be done for the current attempt of its run
    and no live worker holds it; True if this worker computed it."""
    worker = worker or this_worker()
    chunk = _claim_chunk(
        AgreementChunk.objects.filter(pk=chunk_id, run__status=RunStatus.RUNNING, run__attempts=F("attempt")),
        worker,
    )
    if chunk is None:
        return False
    project_id = AgreementRun.objects.values_list("project_id", flat=True).get(pk=chunk.run_id)
    _chunk_compute(chunk, project_id, worker)
    return True


def _claim_chunk(
    chunks: QuerySet[AgreementChunk], worker: str, *, last_first: bool = False
) -> AgreementChunk | None:
    """Claim the first (`last_first`: the last) of `chunks` that is unfinished and unclaimed or silent
    (locked rows are another worker's claim under way); the chunk with its claim number, or None."""
    now = timezone.now()
    with transaction.atomic():
        chunk = (
            chunks.filter(finished_at__isnull=True)
            .filter(Q(claimed_at__isnull=True) | Q(heartbeat_at__lt=now - stale_after()))
            .select_for_update(of=("self",), skip_locked=True)
            .order_by("-index" if last_first else "index")
            .first()
        )
        if chunk is None:
            return None
        chunk.claims += 1
        AgreementChunk.objects.filter(pk=chunk.pk).update(
            claims=chunk.claims, claimed_at=now, heartbeat_at=now, worker=worker[:200]
        )
    return chunk


def _chunk_compute(chunk: AgreementChunk, project_id: int, worker: str) -> None:
    started = time.perf_counter()
    held = AgreementChunk.objects.filter(pk=chunk.pk, claims=chunk.claims, finished_at__isnull=True)
    interval = max(stale_after().total_seconds() / 4, 0.2)
    with beating(held, every=interval, name=f"agreement-chunk-{chunk.pk}", until_lost=True):
        statistics_compute(
            project_id=project_id,
            document_ids=chunk.document_ids,
            worker=worker,
            then=lambda: AgreementChunk.objects.filter(pk=chunk.pk, finished_at__isnull=True).update(
                finished_at=timezone.now(),
                worker=worker[:200],
                seconds=round(time.perf_counter() - started, 3),
            ),
        )


def statistics_compute(
    *, project_id: int, document_ids: list[int], worker: str, then: Callable[[], Any] | None = None
) -> None:
    """Load the documents (one snapshot), compute their statistics and store them with the revisions read;
    `then` runs in the same transaction as the store."""
    loaded = load_project_input(project=Project(pk=project_id), document_ids=document_ids)
    statistics = sufficient.document_statistics(**loaded.report_arguments(), suggested=loaded.suggested)
    counts = document_counts(loaded)
    documents = sorted(loaded.documents)
    with transaction.atomic():
        statistics_store(
            project_id=project_id,
            rows=[
                (
                    document_id,
                    loaded.revisions[document_id],
                    sufficient.to_bytes(statistics[document_id]) if document_id in statistics else None,
                    counts[document_id],
                )
                for document_id in documents
            ],
            worker=worker,
        )
        if then is not None:
            then()


STORE_SQL = """
INSERT INTO agreement_documentstatisticsrecord
    (project_id, document_id, revision, statistics_format, statistics, counts, computed_at, computed_by)
SELECT %s, document_id, revision, %s, statistics, counts::jsonb, %s, %s
FROM unnest(%s::bigint[], %s::bigint[], %s::bytea[], %s::text[])
    AS row(document_id, revision, statistics, counts)
ON CONFLICT (document_id) DO UPDATE SET
    project_id = EXCLUDED.project_id, revision = EXCLUDED.revision,
    statistics_format = EXCLUDED.statistics_format, statistics = EXCLUDED.statistics,
    counts = EXCLUDED.counts, computed_at = EXCLUDED.computed_at, computed_by = EXCLUDED.computed_by
WHERE agreement_documentstatisticsrecord.statistics_format <> EXCLUDED.statistics_format
   OR agreement_documentstatisticsrecord.revision <= EXCLUDED.revision
"""


def statistics_store(
    *, project_id: int, rows: list[tuple[int, int, bytes | None, dict]], worker: str
) -> None:
    """Upsert documents' statistics (document id, revision, bytes, counts) in one statement; a row stored
    at a newer revision (by a concurrent run) is kept."""
    if not rows:
        return
    document_ids, revisions, data, counts = zip(*rows, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            STORE_SQL,
            [
                project_id,
                sufficient.STATISTICS_FORMAT,
                timezone.now(),
                worker[:200],
                list(document_ids),
                list(revisions),
                list(data),
                [json.dumps(c) for c in counts],
            ],
        )
