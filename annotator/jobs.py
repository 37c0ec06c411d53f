"""Long jobs kept as rows (export jobs, article import jobs): a worker claims one by a conditional update."""

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from annotator.corpus.models import JobStatus  # the same values as agreement's RunStatus

# A running job whose worker has not reported for this long is taken to be dead and may be run again.
STALE_AFTER = timedelta(minutes=10)


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
