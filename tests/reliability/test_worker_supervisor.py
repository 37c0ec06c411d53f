"""`annotator worker` starts the Celery worker again when it dies, and stops with it when told to."""

import os
import signal

import pytest

from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.services import agreement_run_request
from tests.integration.agreement.annotations import annotate, import_articles
from tests.integration.agreement.broker import on_broker
from tests.reliability.services import private_redis
from tests.reliability.workers import start_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_killed_celery_worker_is_started_again_and_runs_the_next_job(project, members, tmp_path):
    import_articles(project, documents=1, paragraphs=3)
    annotate(project)
    with private_redis() as redis_server, on_broker(redis_server.url):
        worker = start_worker(broker_url=redis_server.url, folder=tmp_path, name="phoenix")
        try:
            wait_for(lambda: worker.ready_count() == 1, timeout=30, what="the worker", workers=[worker])
            [first_pid] = worker.celery_pids()
            os.kill(first_pid, signal.SIGKILL)

            wait_for(lambda: worker.ready_count() == 2, timeout=30, what="the worker to be started again",
                     workers=[worker])  # fmt: skip
            assert worker.alive()
            assert "worker died (signal SIGKILL)" in worker.log()
            [_, second_pid] = worker.celery_pids()
            assert second_pid != first_pid

            run = agreement_run_request(project=project, parameters={"n_boot": 50})
            wait_for(lambda: AgreementRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED, timeout=30,
                     what="the restarted worker to run a job", workers=[worker])  # fmt: skip

            worker.process.send_signal(signal.SIGTERM)
            assert worker.process.wait(timeout=30) == 0  # a warm shutdown, passed on: no restart
        finally:
            worker.stop()
    assert "worker stopped" in worker.log() and len(worker.celery_pids()) == 2
    with pytest.raises(ProcessLookupError):
        os.kill(second_pid, 0)  # the Celery worker went with it
