"""Getting agreement runs onto the queue: sending their task, and the automatic refresh after annotating.

Sending never raises into the caller. A run whose message could not be sent stays queued without
`enqueued_at`, and the reaper (services.agreement_runs_recover) sends it again later. While a broker is
failing, sends to it are skipped for BROKER_PAUSE seconds, so a Redis outage costs its connection
timeout once per pause, not on every page or save.
"""

from __future__ import annotations

import logging
import time
from functools import partial

from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from annotator.celery import app as celery_app
from annotator.celery import in_background

log = logging.getLogger(__name__)

BROKER_PAUSE = 30.0
_broker_down_until: dict[str, float] = {}


def enqueue(run_id: int, *, countdown: float = 0, background: bool = False) -> None:
    """Send the run's task (after `countdown` seconds); `background` sends from a thread, so that not
    even a broker's connection timeout reaches the caller. Without a broker the task runs here, now."""
    if background:
        in_background(partial(send, run_id, countdown=countdown), name=f"agreement-enqueue-{run_id}")
    else:
        send(run_id, countdown=countdown)


def send(run_id: int, *, countdown: float = 0) -> bool:
    """Send the task now; True if the broker took it (or, without a broker, the run has been executed)."""
    from annotator.agreement.tasks import agreement_run_execute as task

    broker = str(celery_app.conf.broker_url or "")
    if time.monotonic() < _broker_down_until.get(broker, 0.0):
        log.warning("agreement run %s: broker unavailable lately; left for the reaper to send", run_id)
        return False
    sent_at = timezone.now()
    try:
        task.apply_async(kwargs={"run_id": run_id}, countdown=countdown or None, retry=False)
    except (BrokerError, ConnectionError, OSError):
        _broker_down_until[broker] = time.monotonic() + BROKER_PAUSE
        log.exception("agreement run %s: could not reach the broker; the reaper will send it later", run_id)
        return False
    except Exception:  # without a broker, the task itself ran here and failed: it is recorded on the run
        log.exception("agreement run %s: its task failed", run_id)
        return False
    from annotator.agreement.models import AgreementRun

    AgreementRun.objects.filter(pk=run_id).update(enqueued_at=sent_at)
    return True


def schedule_refresh(*, project_id: int) -> None:
    """Enqueue a coalesced agreement run a short while from now (never raises into the caller).

    The first submission opens the window (`AGREEMENT_REFRESH_DELAY` seconds); later submissions find the
    run still queued and join it. Whatever goes wrong here (Redis down, a database hiccup) is logged, not
    raised: the annotator's label is already saved, and the reaper or the next submission catches up.
    """
    from annotator.agreement.services import agreement_run_request
    from annotator.corpus.models import Project

    try:
        agreement_run_request(
            project=Project(pk=project_id),
            countdown=max(float(settings.AGREEMENT_REFRESH_DELAY), 0.001),
            background=True,
        )
    except Exception:
        log.exception("could not schedule the agreement refresh of project %s", project_id)


def can_fan_out() -> bool:
    """Whether chunk tasks can reach other workers: a broker (not eager) that has not failed lately."""
    if celery_app.conf.task_always_eager:
        return False
    return time.monotonic() >= _broker_down_until.get(str(celery_app.conf.broker_url or ""), 0.0)


def send_chunks(chunk_ids: list[int]) -> int:
    """Send a task per chunk; how many the broker took. A chunk whose task is not sent is computed by the
    run's own worker, so a broker failure stops the sending and costs nothing else."""
    from annotator.agreement.tasks import agreement_chunk_execute as task

    for sent, chunk_id in enumerate(chunk_ids):
        try:
            task.apply_async(kwargs={"chunk_id": chunk_id}, retry=False)
        except (BrokerError, ConnectionError, OSError):
            _broker_down_until[str(celery_app.conf.broker_url or "")] = time.monotonic() + BROKER_PAUSE
            log.exception("agreement chunks: could not reach the broker; the run's worker computes them")
            return sent
    return len(chunk_ids)
