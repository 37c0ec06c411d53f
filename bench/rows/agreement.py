"""The agreement run on 1M claims through the task path: a real `annotator worker` on the bench's Redis
database takes the run that `agreement_run_request` queues, as after a click on "refresh".

Total is from the request to the run's `finished_at` (queue, load, compute, reduce, store); the run's
own timings give its parts: load (which documents changed: their revisions, and the names), compute
(loading the changed documents and computing their statistics), reduce (reading every document's stored
statistics and summing them into the report). The floor: a scan of the same rows
(`SELECT … FROM labeling_claim WHERE project_id = …`, every column the run reads, fetched).

Then the incremental rows: the first (cold) run again with no document statistics stored, on a worker
of two processes, its changed documents shared out in chunks between them; and the refresh after one
claim is edited through the write service, which recomputes that claim's document and sums the rest.
"""

from __future__ import annotations

import time

from django.db import connection
from django.utils import timezone

from annotator.agreement.models import AgreementRun, DocumentStatisticsRecord, RunStatus
from annotator.agreement.services import agreement_run_request
from annotator.labeling.models import Claim
from annotator.labeling.services import claim_update
from annotator.review.models import PassageScore
from bench.processes import start_worker
from bench.runner import Context, Row

TIMEOUT_S = 1800


def scan_floor(project_id: int) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT id, assignment_id, start, "end", speaker_id, attribution, perspective, stance, target, '
            "confidence FROM labeling_claim WHERE project_id = %s",
            [project_id],
        )
        cursor.fetchall()
    return time.perf_counter() - started


def wait(run_id: int, worker) -> AgreementRun:  # noqa: ANN001
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        run = AgreementRun.objects.get(pk=run_id)
        if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            if run.status == RunStatus.FAILED:
                raise RuntimeError(f"the agreement run failed: {run.error}")
            return run
        time.sleep(0.2)
    raise RuntimeError(f"the agreement run did not finish within {TIMEOUT_S} s:\n{worker.tail()}")


def run(context: Context) -> list[Row]:
    size = context.sizes.agreement
    project = context.volume(size, claims_per_assignment=10)
    worker = start_worker(context.broker_url, concurrency=1)
    try:
        floor = scan_floor(project.pk)
        requested = timezone.now()
        queued = agreement_run_request(project=project)
        done = wait(queued.pk, worker)
    finally:
        worker.stop()
    rows = _task_rows(done, requested, size, floor)
    rows += _incremental_rows(context, project, size)
    return rows


def _timed(project, parameters: dict, worker) -> tuple[AgreementRun, float]:  # noqa: ANN001
    requested = timezone.now()
    queued = agreement_run_request(project=project, parameters=parameters)
    done = wait(queued.pk, worker)
    return done, (done.finished_at - requested).total_seconds()


def _split(done: AgreementRun) -> str:
    t = done.timings or {}
    return (
        f"load {t.get('load')} s, compute {t.get('compute')} s ({t.get('documents_recomputed')} documents "
        f"recomputed in {t.get('chunks')} chunks, {t.get('documents_reused')} reused), reduce "
        f"{t.get('reduce')} s (of which reading the stored statistics {t.get('read')} s), "
        f"total {t.get('total')} s"
    )


def _incremental_rows(context: Context, project, size: int) -> list[Row]:  # noqa: ANN001
    DocumentStatisticsRecord.objects.filter(project=project).delete()
    with connection.cursor() as cursor:
        # The planner's statistics of the freshly built rows, as autovacuum would have them by now: without
        # them it walks all the project's assignments to find one document's.
        cursor.execute("ANALYZE corpus_document, corpus_passage, labeling_assignment, labeling_claim")
    parameters = {"seed": 1}  # another seed than the first run's: its results are not reused
    worker = start_worker(context.broker_url, concurrency=2)
    try:
        cold, cold_total = _timed(project, parameters, worker)
        claim = Claim.objects.filter(project=project, assignment__status="submitted").order_by("id").first()
        claim = Claim.objects.select_related("assignment__passage__document__project").get(pk=claim.pk)
        claim_update(
            claim=claim,
            version=claim.version,
            end=claim.end - 1 if claim.end - claim.start > 1 else claim.end + 1,
        )
        refreshed, refresh_total = _timed(project, parameters, worker)
    finally:
        worker.stop()
        # The edit scored its passage for the review queue: a row the bench's raw drop does not expect.
        PassageScore.objects.filter(project=project).delete()
    return [
        Row(
            key=f"agreement.cold_fanned_out.{size}",
            work=f"the first (cold) agreement run on {size:,} claims, chunks shared by 2 worker processes",
            unit="s",
            runs=[cold_total],
            notes=f"the run's timings: {_split(cold)}",
            figures={"claims": size, **{k: v for k, v in cold.timings.items() if isinstance(v, int | float)}},
        ),
        Row(
            key=f"agreement.refresh_one_claim.{size}",
            work=f"agreement refresh after a one-claim change on {size:,} claims (target < 1 s)",
            unit="s",
            runs=[refresh_total],
            notes=f"the run's timings: {_split(refreshed)}",
            figures={
                "claims": size,
                **{k: v for k, v in refreshed.timings.items() if isinstance(v, int | float)},
            },
        ),
    ]


def _task_rows(done: AgreementRun, requested, size: int, floor: float) -> list[Row]:  # noqa: ANN001
    total = (done.finished_at - requested).total_seconds()
    timings = done.timings or {}
    n_boot = done.parameters.get("n_boot")
    return [
        Row(
            key=f"agreement.task.{size}",
            work=f"agreement run on {size:,} claims through the worker (request → stored), n_boot {n_boot}",
            unit="s",
            runs=[total],
            floor=floor,
            floor_work="scan of the claims",
            notes=f"the run's timings: waited {timings.get('waited')} s in the queue, {_split(done)}; one "
            "worker process, which computes every chunk itself",
            figures={"claims": size, **{k: v for k, v in timings.items() if isinstance(v, int | float)}},
        )
    ]
