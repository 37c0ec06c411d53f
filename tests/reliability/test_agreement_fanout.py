"""An agreement run requested over HTTP from `annotator serve` (two web workers) is shared out in chunks
between two `annotator worker` processes, and stores exactly what one process computes on its own.

Everything is started as deployed (`manage.py serve`, `manage.py worker`) on the test database and a
private Redis; chunks of one document each, so that a small project splits into many.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
import requests

from annotator.accounts.services import api_token_create
from annotator.agreement.loading import load_project_input
from annotator.agreement.models import AgreementChunk, AgreementRun, RunStatus
from annotator.agreement.results import run_results
from tests.integration.agreement.annotations import annotate, import_articles
from tests.reliability.services import free_port, private_redis
from tests.reliability.workers import REPO, database_url, start_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PARAMETERS = {"n_boot": 50, "seed": 7}
DOCUMENTS = 12


def serve(*, broker_url: str, folder) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "SECRET_KEY": "fanout-test-" + uuid.uuid4().hex,
        "ANNOTATOR_VAR_DIR": str(folder / "serve-var"),
        "STATIC_ROOT": str(folder / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    for name in ("DEBUG", "HTTPS", "WEB_CONCURRENCY", "WEB_THREADS", "WEB_TIMEOUT", "WEB_BIND", "PORT"):
        env.pop(name, None)
    with (folder / "serve.log").open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--no-collectstatic"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/accounts/login/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_a_run_requested_over_http_is_shared_by_two_workers_and_equals_one_process(
    project, members, tmp_path
):
    import_articles(project, documents=DOCUMENTS, paragraphs=2)
    annotate(project)
    _, secret = api_token_create(user=members["res"], name="fanout test")
    started = time.monotonic()
    with private_redis() as redis_server:
        server, url = serve(broker_url=redis_server.url, folder=tmp_path)
        workers = [
            start_worker(
                broker_url=redis_server.url, folder=tmp_path, name=f"w{n}", AGREEMENT_CHUNK_DOCUMENTS="1"
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
                headers={"Authorization": f"Token {secret}"},
                timeout=10,
            )
            assert response.status_code == 202, response.text
            run_id = response.json()["id"]
            wait_for(
                lambda: AgreementRun.objects.filter(pk=run_id, status__in=["succeeded", "failed"]).exists(),
                timeout=60, what="the run", workers=workers,
            )  # fmt: skip
            shown = requests.get(
                f"{url}/api/v1/agreement-runs/{run_id}/",
                headers={"Authorization": f"Token {secret}"},
                timeout=10,
            ).json()
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
    computed_by = {chunk.worker.split("@")[0] for chunk in chunks}
    assert computed_by == {"w1", "w2"}, [(c.index, c.worker) for c in chunks]

    loaded = load_project_input(project=project, parameters=PARAMETERS)
    alone = run_results(loaded, PARAMETERS, progress=lambda *args, **kwargs: None)
    assert run.results == json.loads(json.dumps(alone))
    print(f"{DOCUMENTS} chunks over two workers: {sorted(c.worker for c in chunks)}; test took {took:.1f} s")
