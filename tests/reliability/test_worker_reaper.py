"""The job reaper's pass (annotator.jobs.jobs_recover) against a private Redis: which jobs get a message."""

import json
import time
from datetime import timedelta

import pytest
import redis
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from annotator.agreement.models import AgreementRun
from annotator.corpus.models import ArticleImportJob, JobStatus
from annotator.exports.models import ExportJob
from annotator.jobs import STALE_AFTER, jobs_recover
from tests.integration.agreement.broker import on_broker
from tests.reliability.services import free_port, private_redis

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def queued_messages(url: str) -> list[tuple[str, int]]:
    """(task name, job id) of every message waiting in the default queue."""
    found = []
    for raw in redis.Redis.from_url(url).lrange("celery", 0, -1):
        headers = json.loads(raw)["headers"]
        [job_id] = [int(value) for value in json.loads(headers["kwargsrepr"].replace("'", '"')).values()]
        found.append((headers["task"].rsplit(".", 1)[-1], job_id))
    return sorted(found)


def _export(project, **fields) -> ExportJob:
    job = ExportJob.objects.create(project=project, format="jsonl")
    ExportJob.objects.filter(pk=job.pk).update(**fields)
    return job


def test_a_pass_sends_the_jobs_whose_message_may_be_lost_and_only_those(project):
    now = timezone.now()
    old = now - timedelta(minutes=1)
    never_sent = _export(project, created_at=old)
    sent_lately = _export(project, created_at=old, enqueued_at=now - timedelta(seconds=20))
    silent = _export(project, created_at=old, enqueued_at=old, status=JobStatus.RUNNING,
                     heartbeat_at=now - STALE_AFTER - timedelta(seconds=1))  # fmt: skip
    alive = _export(project, created_at=old, enqueued_at=old, status=JobStatus.RUNNING, heartbeat_at=now)
    upload = ArticleImportJob.objects.create(project=project)
    ArticleImportJob.objects.filter(pk=upload.pk).update(created_at=old)
    run = AgreementRun.objects.create(project=project)  # its send failed 20 s ago
    AgreementRun.objects.filter(pk=run.pk).update(created_at=now - timedelta(seconds=20))

    with private_redis() as redis_server, on_broker(redis_server.url):
        assert jobs_recover() == 4
        assert queued_messages(redis_server.url) == sorted([
            ("export_job_execute", never_sent.pk), ("export_job_execute", silent.pk),
            ("article_import_execute", upload.pk), ("agreement_run_execute", run.pk),
        ])  # fmt: skip
        assert ExportJob.objects.get(pk=silent.pk).status == JobStatus.QUEUED
        assert ExportJob.objects.get(pk=alive.pk).status == JobStatus.RUNNING
        assert jobs_recover() == 0  # all sent just now: nothing is sent twice

        # The broker came back after losing its connection 10 s ago: what was sent before may be gone.
        redis.Redis.from_url(redis_server.url).delete("celery")
        assert jobs_recover(lost_before=timezone.now() - timedelta(seconds=10)) == 1
        assert queued_messages(redis_server.url) == [("export_job_execute", sent_lately.pk)]
        assert jobs_recover(lost_before=timezone.now()) == 5  # everything queued and sent before now


def test_a_pass_while_the_broker_is_down_leaves_the_jobs_unsent_for_the_next(project):
    job = _export(project, created_at=timezone.now() - timedelta(minutes=1))
    with on_broker(f"redis://127.0.0.1:{free_port()}/0"), pytest.raises(BrokerError):
        jobs_recover()
    assert ExportJob.objects.get(pk=job.pk).enqueued_at is None
    with private_redis() as redis_server, on_broker(redis_server.url):
        assert jobs_recover() == 1
        assert queued_messages(redis_server.url) == [("export_job_execute", job.pk)]


def test_a_job_running_in_a_worker_keeps_its_heartbeat_fresh_and_is_not_taken_over(project):
    from annotator.jobs import job_claim, job_heartbeat

    job = _export(project)
    with private_redis() as redis_server, on_broker(redis_server.url):  # as in a worker: tasks not eager
        assert job_claim(ExportJob, job.pk)
        claimed_beat = ExportJob.objects.get(pk=job.pk).heartbeat_at
        with job_heartbeat(ExportJob, job.pk):
            time.sleep(STALE_AFTER.total_seconds() / 4 + 1.5)  # the job's work, longer than a beat
            beat = ExportJob.objects.get(pk=job.pk).heartbeat_at
        assert beat > claimed_beat
        assert not job_claim(ExportJob, job.pk)  # alive: another worker's message finds it taken
