"""Redis stopped and started again (empty: no persistence) under a worker holding a delayed task.

Before the fix the worker died with kombu's `AttributeError: 'NoneType' object has no attribute
'hostname'`; and a run whose message Redis lost waited for the reaper (minutes, and only with beat or a
dashboard load). Now the same Celery process lives on, and every job queued before or during the outage
completes soon after Redis is back, with nobody loading a page.
"""

import time

import pytest
from rest_framework.test import APIClient

from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.services import agreement_run_request
from annotator.corpus.models import Role
from annotator.corpus.services import membership_set, project_create
from annotator.exports.models import ExportJob
from tests.integration.agreement.annotations import annotate, import_articles
from tests.integration.agreement.broker import on_broker
from tests.reliability.services import private_redis
from tests.reliability.workers import start_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BACK_WITHIN = 30  # seconds after Redis answers again


def _annotated_projects(project, members):
    import_articles(project, documents=2, paragraphs=3)
    annotate(project)
    second = project_create(name="Second summit", slug="second-summit", overlap=3)
    for name in ("ann1", "ann2", "ann3"):
        membership_set(project=second, user=members[name], role=Role.ANNOTATOR)
    membership_set(project=second, user=members["res"], role=Role.RESEARCHER)
    import_articles(second, documents=2, paragraphs=3)
    annotate(second)
    return project, second


def test_the_worker_lives_through_a_redis_restart_and_every_queued_job_completes_without_a_page_load(
    project, members, tmp_path
):
    first, second = _annotated_projects(project, members)
    api = APIClient()
    api.force_authenticate(members["res"])
    with private_redis() as redis_server, on_broker(redis_server.url):
        worker = start_worker(broker_url=redis_server.url, folder=tmp_path, name="survivor")
        try:
            wait_for(lambda: worker.ready_count() == 1, timeout=30, what="the worker", workers=[worker])
            # A delayed refresh, as every submission queues one: the worker holds it, unacknowledged.
            held = agreement_run_request(project=first, countdown=120)
            wait_for(lambda: "agreement_run_execute" in worker.log() and " received" in worker.log(),
                     timeout=15, what="the worker to hold the delayed run", workers=[worker])  # fmt: skip

            redis_server.stop()
            # The site goes on: requests made while Redis is down are accepted and their jobs kept.
            during = api.post("/api/v1/agreement-runs/", {"project": second.pk}, format="json")
            assert during.status_code == 202, during.content
            assert AgreementRun.objects.get(pk=during.json()["id"]).enqueued_at is None  # not sent
            export = api.post("/api/v1/exports/", {"project": first.pk, "format": "jsonl"}, format="json")
            assert export.status_code == 202, export.content
            assert ExportJob.objects.get(pk=export.json()["id"]).enqueued_at is None
            for _ in range(3):
                assert api.get(f"/api/v1/agreement-runs/{held.pk}/").status_code == 200
            wait_for(lambda: "Connection to broker lost" in worker.log(), timeout=15,
                     what="the worker to notice", workers=[worker])  # fmt: skip
            time.sleep(2)  # a reconnection attempt or two against the dead port
            assert worker.alive()

            redis_server.start()  # the same port, and empty: the held message is gone with the old server
            runs = [held.pk, during.json()["id"]]

            def all_done() -> bool:
                finished = AgreementRun.objects.filter(pk__in=runs, status=RunStatus.SUCCEEDED).count()
                exported = ExportJob.objects.filter(pk=export.json()["id"], status=RunStatus.SUCCEEDED)
                return finished == 2 and exported.exists()

            took = wait_for(all_done, timeout=BACK_WITHIN, what="the runs and the export to complete",
                            workers=[worker])  # fmt: skip
        finally:
            worker.stop()

    log = worker.log()
    assert "Unrecoverable error" not in log and "'NoneType' object has no attribute" not in log
    assert len(worker.celery_pids()) == 1, "the same Celery process lived through the outage"
    assert worker.ready_count() == 1
    for run in AgreementRun.objects.filter(pk__in=runs):
        assert run.attempts == 1 and run.results["input"]["claims"] > 0 and run.error == ""
    job = ExportJob.objects.get(pk=export.json()["id"])
    assert job.rows > 0 and job.file
    print(f"every job done {took:.1f} s after Redis came back")
