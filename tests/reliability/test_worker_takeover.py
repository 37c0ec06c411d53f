"""A worker killed mid-run (supervisor, Celery worker and pool at once, as a machine dying would): another
worker's reaper takes the run over within a minute, with the production timings, and completes it once.

The dead worker's message stays unacknowledged in Redis until the visibility timeout (10 minutes), so what
takes the run over here is the reaper: the run's heartbeat goes silent, and after AGREEMENT_STALE_AFTER the
other worker's reaper queues it again and sends it.
"""

import time

import pytest
from django.conf import settings

from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.services import agreement_run_request
from tests.integration.agreement.annotations import annotate, import_articles
from tests.integration.agreement.broker import on_broker
from tests.reliability.services import private_redis
from tests.reliability.workers import start_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TAKEN_OVER_WITHIN = 60  # seconds after the kill


def run_state(run_id: int) -> AgreementRun:
    return AgreementRun.objects.defer("results").get(pk=run_id)


def test_a_run_whose_worker_is_killed_completes_once_on_another_worker_within_a_minute(
    project, members, tmp_path
):
    assert settings.AGREEMENT_STALE_AFTER + settings.JOBS_RECOVER_EVERY < TAKEN_OVER_WITHIN
    import_articles(project, documents=2, paragraphs=3)
    annotate(project)
    with private_redis() as redis_server, on_broker(redis_server.url):
        # The first worker computes slowly (the agreement tests' hook), so it is surely mid-run when killed.
        doomed = start_worker(
            broker_url=redis_server.url, folder=tmp_path, name="doomed",
            app="tests.integration.agreement.worker_app", AGREEMENT_TEST_SLOW_SECONDS="300",
        )  # fmt: skip
        other = None
        try:
            wait_for(lambda: doomed.ready_count() == 1, timeout=30, what="the first worker", workers=[doomed])
            run = agreement_run_request(project=project, parameters={"n_boot": 100})
            wait_for(lambda: run_state(run.pk).stage == "computing agreement", timeout=30,
                     what="the first worker to be computing", workers=[doomed])  # fmt: skip
            # Started only now, so that the run's one message went to the first worker.
            other = start_worker(broker_url=redis_server.url, folder=tmp_path, name="other")
            wait_for(lambda: other.ready_count() == 1, timeout=30, what="the second worker", workers=[other])

            doomed.kill_all()
            killed = time.monotonic()
            stuck = run_state(run.pk)
            assert stuck.status == RunStatus.RUNNING and stuck.attempts == 1

            wait_for(lambda: run_state(run.pk).status == RunStatus.SUCCEEDED, timeout=TAKEN_OVER_WITHIN,
                     what="the other worker to complete the run", workers=[doomed, other])  # fmt: skip
            took = time.monotonic() - killed
        finally:
            doomed.stop()
            if other is not None:
                other.stop()

    done = AgreementRun.objects.get(pk=run.pk)
    assert done.attempts == 2  # claimed by the dead worker, then once by the other
    assert done.results["report"] and done.results["input"]["claims"] > 0 and done.error == ""
    assert AgreementRun.objects.filter(project=project).count() == 1  # taken over, not duplicated
    assert "queued again" in other.log() or "sent again" in other.log()  # the reaper did it
    print(f"taken over and completed {took:.1f} s after the kill")
