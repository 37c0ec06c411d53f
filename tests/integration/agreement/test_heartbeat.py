"""One heartbeat for every long job: a run's beats stop once another worker has taken the run over."""

import threading
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from annotator.agreement import services
from annotator.agreement.models import AgreementRun, RunStatus
from annotator.exports.models import ExportJob
from annotator.jobs import beating

pytestmark = pytest.mark.django_db(transaction=True)  # the beats come from another connection
EVERY = 0.05


def beats(name: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == f"{name}-heartbeat"]


def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(EVERY)
    return condition()


def test_a_run_beats_while_it_is_this_attempts_and_stops_once_taken_over(project):
    long_ago = timezone.now() - timedelta(hours=1)
    run = AgreementRun.objects.create(
        project=project, status=RunStatus.RUNNING, attempts=1, heartbeat_at=long_ago, stage="computing"
    )
    with override_settings(AGREEMENT_STALE_AFTER=EVERY * 4), services._heartbeat(run.pk, attempt=1):
        name = f"agreement-run-{run.pk}"
        assert wait_for(lambda: AgreementRun.objects.get(pk=run.pk).heartbeat_at > long_ago)
        AgreementRun.objects.filter(pk=run.pk).update(attempts=2, heartbeat_at=long_ago)  # another worker
        assert wait_for(lambda: not beats(name)), "the beats stop once the update matches nothing"
        time.sleep(EVERY * 3)
        assert AgreementRun.objects.get(pk=run.pk).heartbeat_at == long_ago


def test_an_export_job_beats_only_while_running_and_keeps_going(project):
    long_ago = timezone.now() - timedelta(hours=1)
    job = ExportJob.objects.create(project=project, format="csv", heartbeat_at=long_ago)  # queued
    running = ExportJob.objects.filter(pk=job.pk, status=RunStatus.RUNNING)
    with beating(running, every=EVERY, name="export-test"):
        time.sleep(EVERY * 3)
        assert ExportJob.objects.get(pk=job.pk).heartbeat_at == long_ago  # queued: no beat
        assert beats("export-test"), "a job's beats go on while it is not running (it may be claimed again)"
        ExportJob.objects.filter(pk=job.pk).update(status=RunStatus.RUNNING)
        assert wait_for(lambda: ExportJob.objects.get(pk=job.pk).heartbeat_at > long_ago)
    assert not beats("export-test")
