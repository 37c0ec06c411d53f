"""Long jobs kept as rows (agreement runs, export jobs, article import jobs): claimed by a conditional
update, their task messages sent without ever raising into the caller, and recovered by the reaper.

A job's task message can be lost: Redis was down when it was sent, Redis restarted without its data, or a
worker dropped the delayed messages it held when its broker connection broke. The row is the truth:
``enqueued_at`` says when a message was last sent, and ``jobs_recover`` (the reaper, run by every
``annotator worker`` every few seconds) sends one again for each queued job whose message may be gone.
Duplicate messages are harmless: only one worker can claim a job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, connection, models
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from kombu.utils.imports import symbol_by_name

from annotator.corpus.models import JobStatus  # the same values as agreement's RunStatus

log = logging.getLogger(__name__)

# A running export or import job whose worker has not reported for this long is taken to be dead and may be
# run again. While a worker runs one, a side thread reports every quarter of this (job_heartbeat), so a
# killed worker's job is re-queued by a reaper within STALE_AFTER + JOBS_RECOVER_EVERY (50 s).
STALE_AFTER = timedelta(seconds=40)
# A queued job created this long ago and never sent (its send failed) is sent by the next reaper pass.
SEND_GRACE = timedelta(seconds=5)
# A queued job sent this long ago and still not started gets another message (a purged queue, a lost
# message nobody noticed): longer than a delayed agreement refresh, which waits AGREEMENT_REFRESH_DELAY.
SEND_PATIENCE = timedelta(seconds=90)
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerError, ConnectionError, OSError)


def job_claim(model: type[models.Model], job_id: int, **reset: Any) -> bool:
    """Move the job to running if it is queued (or running with a dead worker); False if another has it.

    ``reset`` are more fields to set on a claim either way (e.g. ``progress=0``); a queued job's error is
    cleared too.
    """
    now = timezone.now()
    started = {"started_at": now, "heartbeat_at": now, **reset}
    claimed = model.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, error="", **started
    )
    return bool(
        claimed
        or model.objects.filter(
            pk=job_id, status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
        ).update(**started)
    )


@contextmanager
def beating(job: models.QuerySet, *, every: float, name: str, until_lost: bool = False) -> Iterator[None]:
    """While the caller runs a job, set its ``heartbeat_at`` every ``every`` seconds from a side thread.

    ``job`` is the job's row narrowed to the states in which it may beat (running; for an agreement run,
    also this worker's attempt), so a beat never writes over a job that has moved on. ``until_lost``:
    stop beating once the update matches nothing (another worker took the job over). Nothing beats inside a
    transaction: another connection could neither see the claim nor write the row without waiting on our
    lock. ``name`` names the thread and the log lines.
    """
    if connection.in_atomic_block:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        from django.db import connection as thread_connection

        try:
            while not stop.wait(every):
                if not job.update(heartbeat_at=timezone.now()) and until_lost:
                    return
        except DatabaseError:
            log.warning("%s: heartbeat failed", name, exc_info=True)
        finally:
            thread_connection.close()

    thread = threading.Thread(target=beat, name=f"{name}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


@contextmanager
def job_heartbeat(model: type[models.Model], job_id: int) -> Iterator[None]:
    """While the caller (a worker's task) runs an export or import job, keep its ``heartbeat_at`` fresh.

    Beats only while the job is running; not at all in-process (tasks eager: no worker to presume dead).
    """
    from annotator.celery import app

    if app.conf.task_always_eager:
        yield
        return
    running = model.objects.filter(pk=job_id, status=JobStatus.RUNNING)
    with beating(running, every=STALE_AFTER.total_seconds() / 4, name=f"{model.__name__}-{job_id}"):
        yield


# --- sending --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobKind:
    """A kind of job row and the task that executes one (given the row's id as ``id_argument``)."""

    label: str
    model_path: str  # "app_label.Model"
    task: str  # "module:name" of the task, imported when first sent
    id_argument: str

    @property
    def model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.model_path)


AGREEMENT_RUN = JobKind(
    "agreement run", "agreement.AgreementRun", "annotator.agreement.tasks:agreement_run_execute", "run_id"
)
EXPORT_JOB = JobKind(
    "export job", "exports.ExportJob", "annotator.exports.tasks:export_job_execute", "job_id"
)
ARTICLE_IMPORT_JOB = JobKind(
    "article import job", "corpus.ArticleImportJob", "annotator.corpus.tasks:article_import_execute", "job_id"
)
JOB_KINDS = (AGREEMENT_RUN, EXPORT_JOB, ARTICLE_IMPORT_JOB)


def job_send(kind: JobKind, job_id: int) -> bool:
    """Send the job's task now and record when; False (logged, never raised) if the broker is unreachable.

    Without a broker (tasks eager) the task runs here; its own errors propagate as they always did.
    """
    if not _send(kind, job_id):
        return False
    kind.model.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    return True


def _send(kind: JobKind, job_id: int) -> bool:
    try:
        _publish(kind, job_id)
    except BROKER_ERRORS:
        log.warning("%s %s: the broker is unreachable; the reaper will send it later", kind.label, job_id)
        return False
    return True


def _publish(kind: JobKind, job_id: int) -> None:
    symbol_by_name(kind.task).apply_async(kwargs={kind.id_argument: job_id}, retry=False)


# --- recovering -----------------------------------------------------------------------------------------


def jobs_recover(*, lost_before: datetime | None = None) -> int:
    """One pass of the reaper: re-queue jobs whose worker went silent and send queued jobs again whose
    message may be lost. Returns how many messages it sent.

    ``lost_before``: the broker connection was (re)established after being lost at that time (or the
    worker has just started): every queued job last sent before it is sent again, since Redis may have
    come back without it.
    """
    from annotator.agreement.services import agreement_runs_recover

    agreement_runs_recover()  # silent runs: attempts counted, superseded ones failed, the rest re-queued
    now = timezone.now()
    for kind in (EXPORT_JOB, ARTICLE_IMPORT_JOB):
        _requeue_silent(kind, now)
    sent = 0
    for kind in JOB_KINDS:
        for job_id, enqueued_at in _maybe_lost(kind, now, lost_before):
            if not _claim_send(kind, job_id, enqueued_at, now):
                continue  # another worker's reaper sent it first
            try:
                _publish(kind, job_id)
            except BROKER_ERRORS:
                # Not sent after all: the next pass sends it (never sent), unless a worker has begun it.
                kind.model.objects.filter(pk=job_id, enqueued_at=now).update(enqueued_at=None)
                raise
            sent += 1
            log.warning("%s %s: sent again (its message may have been lost)", kind.label, job_id)
    return sent


def _requeue_silent(kind: JobKind, now: datetime) -> None:
    requeued = kind.model.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER).update(
        status=JobStatus.QUEUED, enqueued_at=None
    )
    if requeued:
        log.warning("%s %s of them: worker silent for %s; queued again", kind.label, requeued, STALE_AFTER)


def _maybe_lost(kind: JobKind, now: datetime, lost_before: datetime | None) -> list[tuple[int, Any]]:
    never_sent = Q(enqueued_at__isnull=True, created_at__lt=now - SEND_GRACE)
    sent_long_ago = now - SEND_PATIENCE if lost_before is None else max(now - SEND_PATIENCE, lost_before)
    waiting = kind.model.objects.filter(
        never_sent | Q(enqueued_at__lt=sent_long_ago), status=JobStatus.QUEUED
    )
    return list(waiting.order_by("pk").values_list("pk", "enqueued_at")[:1000])


def _claim_send(kind: JobKind, job_id: int, enqueued_at: datetime | None, now: datetime) -> bool:
    """Take the resend for this reaper with a conditional update, so concurrent reapers send one message."""
    unchanged = Q(enqueued_at__isnull=True) if enqueued_at is None else Q(enqueued_at=enqueued_at)
    return bool(
        kind.model.objects.filter(unchanged, pk=job_id, status=JobStatus.QUEUED).update(enqueued_at=now)
    )
