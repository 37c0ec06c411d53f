"""Celery adapters for agreement runs: take an id, call one service."""

from __future__ import annotations

from celery import Celery, shared_task
from celery.app.task import Task
from django.conf import settings
from kombu.exceptions import OperationalError as BrokerError

from annotator.agreement import chunks, services
from annotator.celery import app as celery_app

# Transient failures only: the service has already given its claim back, so a retry can start over.
RETRY_ON = (*services.TRANSIENT_ERRORS, BrokerError)


@shared_task(
    bind=True,
    name="agreement.agreement_run_execute",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def agreement_run_execute(self: Task, run_id: int) -> None:
    """Compute the run; while another live worker holds it (a redelivered message), look again later."""
    try:
        services.agreement_run_execute(run_id=run_id, worker=self.request.hostname or "")
    except services.RunBusy as busy:
        if self.request.is_eager:
            return  # in-process: the holder is a live process on this machine; nothing to wait for
        raise self.retry(countdown=busy.retry_in, exc=busy) from busy


@shared_task(
    bind=True,
    name="agreement.agreement_chunk_execute",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    max_retries=3,
)
def agreement_chunk_execute(self: Task, chunk_id: int) -> bool:
    """Compute a share of a run's documents, unless it is done or held already (the run's own worker
    computes any chunk no other worker took, so a lost or failed message only costs time)."""
    return chunks.agreement_chunk_execute(chunk_id=chunk_id, worker=self.request.hostname or "")


@shared_task(name="agreement.agreement_runs_recover", acks_late=True, ignore_result=True)
def agreement_runs_recover() -> int:
    return services.agreement_runs_recover()


def _recover_every() -> float:
    return max(float(getattr(settings, "AGREEMENT_STALE_AFTER", 120)) / 2, 5.0)


@celery_app.on_after_finalize.connect
def add_periodic_recovery(sender: Celery, **kwargs: object) -> None:
    """Under `celery beat`, run the reaper every half stale period (dashboard loads also run it)."""
    sender.add_periodic_task(_recover_every(), agreement_runs_recover.s(), name="agreement runs: recover")
