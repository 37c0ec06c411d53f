"""Agreement runs: request one (coalesced), execute it (claimed by a conditional update), recover lost ones.

Life of a run: queued --claim--> running --> succeeded | failed. A worker claims a run with one conditional
UPDATE (queued, or running with a silent heartbeat); the claim bumps `attempts`, and every later write of
that worker is conditional on the same attempt number, so a worker that was presumed dead and replaced
can no longer overwrite anything. The reaper (`agreement_runs_recover`) re-queues runs whose heartbeat
went silent and re-sends queued runs whose task message may have been lost, so no run waits forever.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from annotator.agreement import scheduling
from annotator.agreement.loading import ProjectInput, load_project_input
from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.results import DEFAULT_PARAMETERS, run_results
from annotator.corpus.models import Project
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


def stale_after() -> timedelta:
    """How long a running run's heartbeat may stay silent before its worker is presumed dead."""
    return timedelta(seconds=float(getattr(settings, "AGREEMENT_STALE_AFTER", 120)))


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


def agreement_run_execute(*, run_id: int) -> AgreementRun | None:
    """Claim the run, compute (or reuse) the project's agreement report and store it; None if not claimed.

    Raises RunBusy while another live worker holds the run, and transient database errors after giving
    the claim back (the task retries both). Any other error fails the run with its message.
    """
    attempt = _claim(run_id)
    if attempt is None:
        return None
    run = AgreementRun.objects.select_related("project").get(pk=run_id)
    try:
        with _heartbeat(run_id, attempt):
            _compute(run, attempt)
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


def _compute(run: AgreementRun, attempt: int) -> None:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    if run.started_at and run.created_at:
        timings["waited"] = round((run.started_at - run.created_at).total_seconds(), 3)
    _progress(run.pk, attempt, 2, "loading annotations")
    loaded = load_project_input(project=run.project, parameters=run.parameters)
    timings["load"] = round(time.perf_counter() - started, 3)
    previous = (
        AgreementRun.objects.filter(
            project_id=run.project_id, status=RunStatus.SUCCEEDED, input_digest=loaded.digest
        )
        .exclude(pk=run.pk)
        .order_by("-finished_at")
        .first()
    )
    if previous is not None:
        _store(run, attempt, loaded, previous.results, timings, started, reused_from=previous)
        return
    _progress(run.pk, attempt, 10, "computing agreement")

    def on_progress(fraction: float, stage: str = "computing agreement") -> None:
        _progress(run.pk, attempt, 10 + int(85 * min(max(fraction, 0.0), 1.0)), stage)

    compute_started = time.perf_counter()
    results = run_results(loaded, run.parameters, progress=on_progress)
    timings["compute"] = round(time.perf_counter() - compute_started, 3)
    _store(run, attempt, loaded, results, timings, started, reused_from=None)


def _store(
    run: AgreementRun,
    attempt: int,
    loaded: ProjectInput,
    results: dict,
    timings: dict[str, float],
    started: float,
    *,
    reused_from: AgreementRun | None,
) -> None:
    origin = (reused_from.reused_from_id or reused_from.pk) if reused_from else None
    updated = _mine(run.pk, attempt).update(
        status=RunStatus.SUCCEEDED,
        progress=100,
        stage="",
        input_digest=loaded.digest,
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
