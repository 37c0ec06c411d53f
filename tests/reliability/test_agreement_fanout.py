"""An agreement run requested over HTTP from `annotator serve` (two web workers) is shared out in chunks
between two `annotator worker` processes, and stores exactly what one process computes on its own; after
edits, a worker killed in the middle of a chunk still leaves the right result.

Everything is started as deployed (`manage.py serve`, `manage.py worker`) on the test database and a
private Redis; chunks of one document each, so that a small project splits into many. The workers count
a silent heartbeat as dead after 3 s. To kill a worker surely mid-chunk, the test holds a lock on the
stored statistics row of the first chunk's document: the worker computing that chunk waits on it.
"""

import json
import signal
import subprocess
import time
from unittest import mock

import pytest
import requests
from django.db import transaction

from annotator.accounts.services import api_token_create
from annotator.agreement.loading import load_project_input
from annotator.agreement.models import AgreementChunk, AgreementRun, DocumentStatisticsRecord, RunStatus
from annotator.agreement.results import run_results
from annotator.corpus.models import Document
from annotator.labeling.models import Claim
from annotator.labeling.services import claim_update
from tests.integration.agreement.annotations import annotate, import_articles
from tests.reliability.services import private_redis
from tests.reliability.workers import start_serve, start_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PARAMETERS = {"n_boot": 50, "seed": 7}
DOCUMENTS = 12


def serve(*, broker_url: str, folder) -> tuple[subprocess.Popen, str]:
    process, port, _ = start_serve(folder=folder, options=["--workers", "2"], broker_url=broker_url)
    return process, f"http://127.0.0.1:{port}"


def answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/accounts/login/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def alone(project) -> dict:
    """The whole project computed in one process, as stored (through JSON)."""
    loaded = load_project_input(project=project, parameters=PARAMETERS)
    return json.loads(json.dumps(run_results(loaded, PARAMETERS, progress=lambda *args, **kwargs: None)))


def edit_one_claim_in(documents: list[int]) -> None:
    """Through the write service, the automatic refresh held back (here it would run in this process)."""
    with mock.patch("annotator.agreement.scheduling.schedule_refresh"):
        _edit_one_claim_in(documents)


def _edit_one_claim_in(documents: list[int]) -> None:
    for document in documents:
        claim = (
            Claim.objects.filter(assignment__passage__document_id=document, assignment__status="submitted")
            .select_related("assignment__passage__document__project")
            .order_by("id")
            .first()
        )
        other = "favor" if claim.stance != "favor" else "against"
        claim_update(claim=claim, version=claim.version, stance=other)


def finished(run_id: int) -> bool:
    return AgreementRun.objects.filter(pk=run_id, status__in=["succeeded", "failed"]).exists()


def test_a_run_requested_over_http_is_shared_by_two_workers_and_equals_one_process(
    project, members, tmp_path
):
    import_articles(project, documents=DOCUMENTS, paragraphs=2)
    annotate(project)
    _, secret = api_token_create(user=members["res"], name="fanout test")
    auth = {"Authorization": f"Token {secret}"}
    started = time.monotonic()
    with private_redis() as redis_server:
        server, url = serve(broker_url=redis_server.url, folder=tmp_path)
        workers = [
            start_worker(
                broker_url=redis_server.url,
                folder=tmp_path,
                name=f"w{n}",
                AGREEMENT_CHUNK_DOCUMENTS="1",
                AGREEMENT_STALE_AFTER="3",
                JOBS_RECOVER_EVERY="1",
            )
            for n in (1, 2)
        ]
        try:
            wait_for(lambda: all(w.ready_count() == 1 for w in workers), timeout=30, what="both workers",
                     workers=workers)  # fmt: skip
            wait_for(lambda: answers(url), timeout=30, what="annotator serve")
            response = requests.post(
                f"{url}/api/v1/agreement-runs/",
                json={"project": project.pk, "parameters": PARAMETERS},
                headers=auth,
                timeout=10,
            )
            assert response.status_code == 202, response.text
            run_id = response.json()["id"]
            wait_for(lambda: finished(run_id), timeout=60, what="the run", workers=workers)
            shown = requests.get(f"{url}/api/v1/agreement-runs/{run_id}/", headers=auth, timeout=10).json()
            first_results = alone(project)

            # Edits in four documents; the first one's chunk waits on our lock until its worker is killed.
            edited = sorted(Document.objects.filter(project=project).values_list("id", flat=True))[:4]
            edit_one_claim_in(edited)
            with transaction.atomic():
                DocumentStatisticsRecord.objects.select_for_update().get(document_id=edited[0])
                response = requests.post(
                    f"{url}/api/v1/agreement-runs/",
                    json={"project": project.pk, "parameters": PARAMETERS},
                    headers=auth,
                    timeout=10,
                )
                second_id = response.json()["id"]
                held = AgreementChunk.objects.filter(run_id=second_id, document_ids=[edited[0]])
                wait_for(lambda: held.exclude(worker="").exists(), timeout=30, what="the first chunk's claim",
                         workers=workers)  # fmt: skip
                [holder] = held.values_list("worker", flat=True)
                victim = next(w for w in workers if holder.startswith(f"{w.log_path.stem}@"))
                victim.kill_all()
            wait_for(lambda: finished(second_id), timeout=60, what="the run after the kill", workers=workers)
        finally:
            for worker in workers:
                worker.stop()
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    took = time.monotonic() - started

    run = AgreementRun.objects.get(pk=run_id)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert shown["status"] == "succeeded" and shown["results"] == run.results
    chunks = AgreementChunk.objects.filter(run=run)
    assert run.timings["chunks"] == chunks.count() == DOCUMENTS
    assert all(chunk.finished_at for chunk in chunks)
    assert {chunk.worker.split("@")[0] for chunk in chunks} == {"w1", "w2"}, [c.worker for c in chunks]
    assert run.results == first_results

    second = AgreementRun.objects.get(pk=second_id)
    assert second.status == RunStatus.SUCCEEDED, second.error
    assert second.results != run.results and second.results == alone(project)
    # The killed worker held a chunk, taken over by the run's worker once its heartbeat fell silent; or,
    # if it held the run itself, the other worker's reaper queued the run again, and the second attempt
    # computed the documents no chunk had stored.
    if second.attempts == 1:
        assert second.timings["documents_recomputed"] == len(edited)
        retaken = held.get()
        assert retaken.claims == 2 and retaken.finished_at and not retaken.worker.startswith(holder)
    else:
        assert second.attempts == 2
    print(
        f"{DOCUMENTS} chunks over two workers: {sorted(c.worker for c in chunks)}; killed {holder} "
        f"mid-chunk, run attempts {second.attempts}; test took {took:.1f} s"
    )
