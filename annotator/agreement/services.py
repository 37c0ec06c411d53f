"""Agreement runs: request one (coalesced), execute it (claimed by a conditional update), recover lost ones.

Life of a run: queued --claim--> running --> succeeded | failed. A worker claims a run with one conditional
UPDATE (queued, or running with a silent heartbeat); the claim bumps `attempts`, and every later write of
that worker is conditional on the same attempt number, so a worker that was presumed dead and replaced
can no longer overwrite anything. The reaper (`agreement_runs_recover`) re-queues runs whose heartbeat
went silent and re-sends queued runs whose task message may have been lost, so no run waits forever.

Incremental and fanned out (PostgreSQL): every document's statistics are stored with the revision of its
input they were read at (models.DocumentRevision, counted by triggers). A run reads the revisions of all
documents (one query), computes only the documents whose stored statistics are older, and sums all stored
statistics (`sufficient.report_from_statistics`). More stale documents than one chunk are split into
chunks: chunk rows in the database and a task per chunk for the other workers, while the run's own worker
claims and computes chunks too, then waits for the last ones and sums.

Why the fan-in goes through the database rather than a Celery chord: a chord needs a result backend (there
is none; Redis is the broker only), and its callback fires only if every header task succeeds; a worker
killed mid-chunk leaves its message unacknowledged until the visibility timeout (10 minutes) and the
chord waiting. Here a chunk is claimed by a conditional update and kept by a heartbeat like a run; a chunk
whose worker went silent for AGREEMENT_STALE_AFTER is claimed again by the run's worker. If the run's own
worker dies, the reaper queues the run again, and the next attempt recomputes only the documents no chunk
had stored yet: every finished chunk's work is kept, and computing a document twice stores the same row.
Without a broker (eager mode) and on other databases everything is computed inline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from annotator.agreement import scheduling
from annotator.agreement.chunks import documents_compute, stale_after, statistics_compute, this_worker
from annotator.agreement.gamma_runs import run_gamma
from annotator.agreement.loading import (
    COUNTED,
    ProjectIndex,
    load_project_index,
    load_project_input,
)
from annotator.agreement.maths import sufficient
from annotator.agreement.maths.suggested import gamma_sections
from annotator.agreement.models import AgreementRun, DocumentStatisticsRecord, RunStatus
from annotator.agreement.results import DEFAULT_PARAMETERS, results_document
from annotator.agreement.selectors import StoredRow, stored_statistics
from annotator.corpus.models import Document, Project
from annotator.jobs import beating

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
PARAMETER_LIMITS: dict[str, tuple[int, int]] = {"n_boot": (0, 100_000), "seed": (0, 2**32 - 1)}
# Errors worth retrying the whole task for: the database or broker went away for a moment.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


class RunBusy(Exception):
    """The run is held by a worker whose heartbeat is still fresh; ask again in `retry_in` seconds."""

    def __init__(self, retry_in: float) -> None:
        super().__init__(f"run is held by a live worker; retry in {retry_in:.0f}s")
        self.retry_in = retry_in


class RunLost(Exception):
    """Another worker took this run over (this one was presumed dead): stop without writing."""


def run_parameters(parameters: dict[str, Any] | None) -> dict[str, int]:
    """The parameters with defaults filled in; ValidationError naming each bad key."""
    given = dict(parameters or {})
    problems = {key: "Unknown parameter." for key in given if key not in DEFAULT_PARAMETERS}
    cleaned = dict(DEFAULT_PARAMETERS)
    for key, (low, high) in PARAMETER_LIMITS.items():
        if key not in given:
            continue
        value = given[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems[key] = f"Give a whole number from {low} to {high}."
        else:
            cleaned[key] = value
    if problems:
        raise ValidationError(problems)
    return cleaned


# --- request --------------------------------------------------------------------------------------------


def agreement_run_request(
    *,
    project: Project,
    requested_by: AbstractBaseUser | None = None,
    parameters: dict[str, Any] | None = None,
    countdown: float = 0,
    enqueue: bool = True,
    background: bool = False,
) -> AgreementRun:
    """The project's queued run (created if there is none), its task sent after commit.

    Coalesced: at most one queued run per project (a partial unique constraint); asking again returns it,
    with `parameters` replacing its own when given. An automatic refresh (`countdown` > 0) sends no second
    message for a run already queued; an explicit request sends one so the run starts now (duplicates are
    harmless: only one worker can claim the run). `background` sends it from a thread (see scheduling).
    """
    cleaned = run_parameters(parameters)
    agreement_runs_recover(project_id=project.pk)
    with transaction.atomic():
        run, created = _queued_run(
            project=project,
            requested_by=requested_by,
            parameters=cleaned,
            replace_parameters=parameters is not None,
        )
        if enqueue and (created or countdown <= 0):
            _enqueue_on_commit(run.pk, countdown=countdown, background=background)
    run.refresh_from_db()  # without a broker the task has already run on commit
    return run


def _queued_run(
    *, project: Project, requested_by: AbstractBaseUser | None, parameters: dict, replace_parameters: bool
) -> tuple[AgreementRun, bool]:
    for _ in range(5):
        run = AgreementRun.objects.filter(project=project, status=RunStatus.QUEUED).first()
        if run is not None:
            if replace_parameters and run.parameters != parameters:
                AgreementRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(parameters=parameters)
                run.parameters = parameters
            return run, False
        try:
            with transaction.atomic():
                run = AgreementRun.objects.create(
                    project=project,
                    requested_by=requested_by,
                    parameters=parameters,
                    stage="queued",
                    schema_version=project.schema_version,
                )
            return run, True
        except IntegrityError:
            continue  # a concurrent request queued one first (or it was claimed meanwhile): look again
    raise OperationalError("could not queue an agreement run: too much contention")


def _enqueue_on_commit(run_id: int, *, countdown: float = 0, background: bool = False) -> None:
    transaction.on_commit(lambda: scheduling.enqueue(run_id, countdown=countdown, background=background))


# --- execute --------------------------------------------------------------------------------------------


def agreement_run_execute(*, run_id: int, worker: str = "") -> AgreementRun | None:
    """Claim the run, compute (or reuse) the project's agreement report and store it; None if not claimed.

    Raises RunBusy while another live worker holds the run, and transient database errors after giving
    the claim back (the task retries both). Any other error fails the run with its message. `worker`
    names this worker on the chunks it computes.
    """
    attempt = _claim(run_id)
    if attempt is None:
        return None
    run = AgreementRun.objects.select_related("project").get(pk=run_id)
    try:
        with _heartbeat(run_id, attempt):
            _compute(run, attempt, worker or this_worker())
    except RunLost:
        log.warning("agreement run %s: attempt %s was taken over by another worker", run_id, attempt)
        return None
    except TRANSIENT_ERRORS:
        _release(run_id, attempt)
        raise
    except Exception as error:
        log.exception("agreement run %s failed", run_id)
        _mine(run_id, attempt).update(
            status=RunStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:4000],
            stage="",
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run


def _tracked() -> bool:
    """Whether documents' revisions are counted (the triggers exist on PostgreSQL only)."""
    return connection.vendor == "postgresql"


def _compute(run: AgreementRun, attempt: int, worker: str) -> None:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    if run.started_at and run.created_at:
        timings["waited"] = round((run.started_at - run.created_at).total_seconds(), 3)
    _progress(run.pk, attempt, 2, "loading annotations")
    if not _tracked():
        _compute_whole(run, attempt, timings, started)
        return
    index = load_project_index(project=run.project, statistics_format=sufficient.STATISTICS_FORMAT)
    timings["load"] = round(time.perf_counter() - started, 3)
    previous = _previous(run, index.digest(run.parameters, index.revisions, sufficient.STATISTICS_FORMAT))
    if previous is not None:
        _store(run, attempt, previous.input_digest, previous.results, timings, started, reused_from=previous)
        return
    _progress(run.pk, attempt, 10, "computing agreement")
    compute_started = time.perf_counter()
    stale = index.stale()
    chunks = documents_compute(
        run,
        attempt,
        worker,
        stale,
        progress=lambda done, total: _progress(
            run.pk, attempt, 10 + 70 * done // total, "computing agreement"
        ),
    )
    timings["compute"] = round(time.perf_counter() - compute_started, 3)

    reduce_started = time.perf_counter()
    _progress(run.pk, attempt, 80, "computing agreement")
    statistics, used = _stored_for(run, index, worker)
    timings["read"] = round(time.perf_counter() - reduce_started, 3)
    counts = _counts(index, [row[2] for row in used.values()])
    gamma_started = time.perf_counter()
    gamma, gamma_without, gamma_digest = run_gamma(
        project=run.project,
        revisions=index.revisions,
        seed=run.parameters.get("seed", DEFAULT_PARAMETERS["seed"]),
        without=counts["suggested_claims"] > 0,
    )
    timings["gamma"] = round(time.perf_counter() - gamma_started, 3)
    results = run_results(
        statistics,
        index,
        counts,
        run.parameters,
        gamma=(gamma, gamma_without),
        progress=_reduce_progress(run, attempt),
    )
    timings["reduce"] = round(time.perf_counter() - reduce_started, 3)
    timings.update(documents_reused=len(index.revisions) - len(stale), documents_recomputed=len(stale))
    timings["chunks"] = chunks
    # The digest of what was summed: a document may have been computed at a newer revision than indexed.
    revisions = {document_id: row[0] for document_id, row in used.items()}
    digest = index.digest(run.parameters, revisions, sufficient.STATISTICS_FORMAT)
    _store(run, attempt, digest, results, timings, started, reused_from=None, gamma_digest=gamma_digest)


def _stored_for(
    run: AgreementRun, index: ProjectIndex, worker: str
) -> tuple[list[Any], dict[int, StoredRow]]:
    """The statistics of the index's documents as stored (one read), and their rows by document id.

    Rows of documents deleted since are dropped. A document without a row of the current format (a
    worker of an older version stored it meanwhile) is computed here first.
    """
    DocumentStatisticsRecord.objects.filter(project_id=run.project_id).exclude(
        document_id__in=Document.objects.filter(project_id=run.project_id).values("id")
    ).delete()
    stored = stored_statistics(project_id=run.project_id, statistics_format=sufficient.STATISTICS_FORMAT)
    missing = [document_id for document_id in index.revisions if document_id not in stored]
    if missing:
        statistics_compute(project_id=run.project_id, document_ids=missing, worker=worker)
        stored = stored_statistics(project_id=run.project_id, statistics_format=sufficient.STATISTICS_FORMAT)
    # A document deleted since the index was read has no row: it is left out, as a fresh run would.
    used = {document_id: stored[document_id] for document_id in index.revisions if document_id in stored}
    statistics = [sufficient.from_bytes(bytes(row[1])) for row in used.values() if row[1] is not None]
    return statistics, used


def _compute_whole(run: AgreementRun, attempt: int, timings: dict[str, float], started: float) -> None:
    """Without revisions: load the whole project, its content digest deciding whether to reuse."""
    loaded = load_project_input(project=run.project, parameters=run.parameters)
    timings["load"] = round(time.perf_counter() - started, 3)
    previous = _previous(run, loaded.digest)
    if previous is not None:
        _store(run, attempt, loaded.digest, previous.results, timings, started, reused_from=previous)
        return
    _progress(run.pk, attempt, 10, "computing agreement")
    compute_started = time.perf_counter()
    statistics = sufficient.document_statistics(**loaded.report_arguments(), suggested=loaded.suggested)
    gamma = gamma_sections(
        **loaded.report_arguments(),
        suggested=loaded.suggested,
        seed=run.parameters.get("seed", DEFAULT_PARAMETERS["seed"]),
    )
    timings["compute"] = round(time.perf_counter() - compute_started, 3)
    reduce_started = time.perf_counter()
    index = ProjectIndex(
        revisions={},
        stored={},
        documents=loaded.documents,
        speakers=loaded.speakers,
        annotators=loaded.annotators,
    )
    results = run_results(
        statistics.values(),
        index,
        loaded.counts,
        run.parameters,
        gamma=gamma,
        progress=_reduce_progress(run, attempt),
    )
    timings["reduce"] = round(time.perf_counter() - reduce_started, 3)
    timings.update(documents_reused=0, documents_recomputed=len(loaded.documents), chunks=0)
    _store(run, attempt, loaded.digest, results, timings, started, reused_from=None)


def _previous(run: AgreementRun, digest: str) -> AgreementRun | None:
    """The latest succeeded run of the project on the same input, whose results can be reused."""
    return (
        AgreementRun.objects.filter(
            project_id=run.project_id, status=RunStatus.SUCCEEDED, input_digest=digest
        )
        .exclude(pk=run.pk)
        .order_by("-finished_at")
        .first()
    )


def _reduce_progress(run: AgreementRun, attempt: int) -> Callable[..., None]:
    def on_progress(fraction: float, stage: str = "computing agreement") -> None:
        _progress(run.pk, attempt, 80 + int(15 * min(max(fraction, 0.0), 1.0)), stage)

    return on_progress


def _counts(index: ProjectIndex, per_document: list[dict]) -> dict[str, int]:
    """The amounts of input the results report: the documents' counts summed, plus the project's."""
    total = {name: sum(counts.get(name, 0) for counts in per_document) for name in COUNTED}
    return {
        "passages": total["passages"],
        "documents": len(index.documents),
        "submitted_assignments": total["submitted_assignments"],
        "claims": total["claims"],
        "suggested_claims": total["suggested_claims"],
        "annotators": len(index.annotators),
        "adjudicated_passages": total["adjudicated_passages"],
        "gold_claims": total["gold_claims"],
    }


def run_results(
    statistics: Iterable[Any],
    index: ProjectIndex,
    counts: dict[str, int],
    parameters: dict[str, Any],
    *,
    gamma: tuple[dict | None, dict | None] = (None, None),
    progress: Callable[..., None],
) -> dict:
    """The stored results from the documents' statistics: the report on all claims and, when some came
    from accepted suggestions, the figures without them; the names and amounts the figures rest on.
    `gamma`: the γ sections of both (computed from claims, see gamma_runs)."""
    report, without = sufficient.report_from_statistics(
        statistics,
        n_boot=parameters.get("n_boot", DEFAULT_PARAMETERS["n_boot"]),
        seed=parameters.get("seed", DEFAULT_PARAMETERS["seed"]),
        gamma=gamma[0],
        gamma_without=gamma[1],
        progress=progress,
    )
    return results_document(index, counts, parameters, report, without)


def _store(
    run: AgreementRun,
    attempt: int,
    digest: str,
    results: dict,
    timings: dict[str, float],
    started: float,
    *,
    reused_from: AgreementRun | None,
    gamma_digest: str = "",
) -> None:
    origin = (reused_from.reused_from_id or reused_from.pk) if reused_from else None
    if reused_from is not None:
        gamma_digest = reused_from.gamma_digest
    updated = _mine(run.pk, attempt).update(
        status=RunStatus.SUCCEEDED,
        progress=100,
        stage="",
        input_digest=digest,
        gamma_digest=gamma_digest,
        results=results,
        reused_from_id=origin,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        error="",
        timings={
            **timings,
            "total": round(time.perf_counter() - started, 3),
        },
    )
    if not updated:
        raise RunLost


def _mine(run_id: int, attempt: int) -> QuerySet[AgreementRun]:
    """The run, only while this worker's claim (status running, same attempt number) still holds."""
    return AgreementRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, attempts=attempt)


def _progress(run_id: int, attempt: int, percent: int, stage: str) -> None:
    if not _mine(run_id, attempt).update(progress=percent, stage=stage[:60], heartbeat_at=timezone.now()):
        raise RunLost


def _release(run_id: int, attempt: int) -> None:
    """Give the claim back after a transient error, so the retry can claim the run at once."""
    try:
        _mine(run_id, attempt).update(heartbeat_at=None, stage="retrying after a transient error")
    except DatabaseError:
        log.warning("agreement run %s: could not release the claim; it goes stale instead", run_id)


def _silent(now: Any) -> Q:
    return Q(status=RunStatus.RUNNING) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - stale_after())
    )


def _claim(run_id: int) -> int | None:
    """Claim the run for this worker: the attempt number, or None when there is nothing to do."""
    now = timezone.now()
    claimed = AgreementRun.objects.filter(
        Q(status=RunStatus.QUEUED) | _silent(now), pk=run_id, attempts__lt=MAX_ATTEMPTS
    ).update(
        status=RunStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        progress=0,
        stage="starting",
        error="",
    )
    run = AgreementRun.objects.filter(pk=run_id).only("status", "attempts", "heartbeat_at").first()
    if claimed:
        # Our fresh heartbeat keeps everyone else from claiming it now, so this read is our attempt.
        return run.attempts
    if run is None or run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        return None
    if run.attempts >= MAX_ATTEMPTS and _fail_exhausted(run_id, now):
        return None
    if run.status == RunStatus.RUNNING and run.heartbeat_at:
        retry_in = (run.heartbeat_at + stale_after() - now).total_seconds()
        raise RunBusy(retry_in=max(retry_in, 1.0) + 1.0)
    return None


def _fail_exhausted(run_id: int, now: Any) -> int:
    return AgreementRun.objects.filter(
        Q(status=RunStatus.QUEUED) | _silent(now), pk=run_id, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=RunStatus.FAILED,
        stage="",
        finished_at=now,
        error=f"Gave up after {MAX_ATTEMPTS} attempts: the worker running it stopped each time "
        "(killed, out of memory, or restarted).",
    )


@contextmanager
def _heartbeat(run_id: int, attempt: int) -> Iterator[None]:
    """Keep the run's heartbeat fresh from a side thread while the main thread computes; the beats stop
    once the run is no longer this attempt's (see ``jobs.beating``)."""
    interval = max(stale_after().total_seconds() / 4, 0.2)
    with beating(_mine(run_id, attempt), every=interval, name=f"agreement-run-{run_id}", until_lost=True):
        yield


# --- recover --------------------------------------------------------------------------------------------


def agreement_runs_recover(*, project_id: int | None = None) -> int:
    """Re-queue runs whose worker went silent and re-send queued runs whose message may be lost.

    Runs out of attempts fail; a silent run whose project already has a queued run is failed as
    superseded by it. Cheap when nothing is wrong (two indexed reads); returns how many runs it touched.
    """
    now = timezone.now()
    scope = (
        AgreementRun.objects.all()
        if project_id is None
        else AgreementRun.objects.filter(project_id=project_id)
    )
    touched = 0
    resend: list[int] = []
    for run in scope.filter(_silent(now)).only("pk", "project_id", "attempts"):
        touched += 1
        if run.attempts >= MAX_ATTEMPTS:
            _fail_exhausted(run.pk, now)
            continue
        try:
            with transaction.atomic():
                requeued = AgreementRun.objects.filter(_silent(now), pk=run.pk).update(
                    status=RunStatus.QUEUED,
                    stage="queued again: its worker stopped",
                    heartbeat_at=None,
                    enqueued_at=None,  # its message is gone with the worker: not sent since re-queued
                )
        except IntegrityError:
            AgreementRun.objects.filter(_silent(now), pk=run.pk).update(
                status=RunStatus.FAILED,
                stage="",
                finished_at=now,
                error="Its worker stopped; the run already queued for this project replaces it.",
            )
            continue
        if requeued:
            log.warning("agreement run %s: worker silent since its last heartbeat; queued again", run.pk)
            resend.append(run.pk)
    # A queued run normally starts within the refresh delay; one still waiting long after its last
    # message (a Redis outage when it was sent, a purged queue) gets another message.
    patience = stale_after() + timedelta(seconds=getattr(settings, "AGREEMENT_REFRESH_DELAY", 30))
    waiting = scope.filter(status=RunStatus.QUEUED).filter(
        Q(enqueued_at__lt=now - patience) | Q(enqueued_at__isnull=True, created_at__lt=now - patience)
    )
    for run_id in waiting.values_list("pk", flat=True):
        touched += 1
        resend.append(run_id)
    for run_id in dict.fromkeys(resend):  # a run re-queued just now may be waiting long too: one message
        _enqueue_on_commit(run_id)
    return touched
