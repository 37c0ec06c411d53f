"""Agreement runs on a real Celery worker process and the real Redis broker.

The workers are subprocesses on this test's database (committed rows: transaction=True) and on Redis
database 5 (AGREEMENT_TEST_BROKER_URL), listening on a queue of their own.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.services import agreement_run_request
from tests.integration.agreement.broker import on_broker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[3]
BROKER_URL = os.environ.get("AGREEMENT_TEST_BROKER_URL", "redis://127.0.0.1:6379/5")
STALE_AFTER = 3  # seconds of heartbeat silence after which a run's worker counts as dead


def database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("a worker process needs a database it can share: run on PostgreSQL")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def on_redis(queue: str) -> Iterator[None]:
    """This process sends tasks to `queue` on the test Redis database instead of running them eagerly."""
    with on_broker(BROKER_URL, queue=queue), override_settings(AGREEMENT_STALE_AFTER=STALE_AFTER):
        yield


@pytest.fixture
def queue() -> Iterator[str]:
    """A queue of this test's own: other test runs may share the Redis database."""
    client = redis.Redis.from_url(BROKER_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not answering at {BROKER_URL}")
    name = f"agreement-test-{uuid.uuid4().hex[:12]}"
    yield name
    drop_unacknowledged(name)
    client.delete(name)


def drop_unacknowledged(queue: str) -> int:
    """Forget the messages of `queue` that a worker took and never acknowledged (kombu's bookkeeping)."""
    client = redis.Redis.from_url(BROKER_URL)
    dropped = 0
    for tag, payload in client.hgetall("unacked").items():
        if json.loads(payload)[2] == queue:  # [message, exchange, routing key]
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
            dropped += 1
    return dropped


@pytest.fixture
def start_worker(queue, tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    workers: list[subprocess.Popen] = []

    def start(*, slow_seconds: float = 0) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_VISIBILITY_TIMEOUT": "2",  # a dead worker's message is handed out again after 2 s
            "DJANGO_SETTINGS_MODULE": "tests.integration.agreement.worker_settings",
            "AGREEMENT_STALE_AFTER": str(STALE_AFTER),
            "AGREEMENT_TEST_QUEUE": queue,
            "AGREEMENT_TEST_SLOW_SECONDS": str(slow_seconds),
            "PYTHONPATH": str(REPO),
        }
        name = f"w{len(workers)}-{queue}@%h"
        log = (tmp_path / f"worker{len(workers)}.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.integration.agreement.worker_app", "worker",
             "--pool=solo", "--concurrency=1", "-Q", queue, "-n", name, "-l", "info",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        worker.log_path = log.name
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=10)


def wait_for(predicate: Callable[[], bool], *, timeout: float, what: str, logs: list | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    shown = "".join(f"\n--- {w.log_path}\n{Path(w.log_path).read_text()[-3000:]}" for w in logs or [])
    pytest.fail(f"timed out after {timeout}s waiting for {what}{shown}")


def received_task_ids(worker: subprocess.Popen) -> list[str]:
    return re.findall(r"agreement_run_execute\[([0-9a-f-]+)\] received", Path(worker.log_path).read_text())


def run_state(run_id: int) -> AgreementRun:
    return AgreementRun.objects.defer("results").get(pk=run_id)


def test_a_worker_computes_a_run_requested_through_the_service(annotated, members, start_worker, queue):
    with on_redis(queue):
        run = agreement_run_request(
            project=annotated, requested_by=members["res"], parameters={"n_boot": 200}
        )
        assert run.status == RunStatus.QUEUED and run.enqueued_at is not None
        worker = start_worker()
        wait_for(lambda: run_state(run.pk).status == RunStatus.SUCCEEDED, timeout=60, what="the run",
                 logs=[worker])  # fmt: skip
    run.refresh_from_db()
    assert run.attempts == 1 and run.progress == 100
    assert run.results["input"]["claims"] > 0 and run.timings["compute"] > 0


def test_a_run_whose_worker_is_killed_is_completed_by_a_new_worker(annotated, members, start_worker, queue):
    with on_redis(queue):
        run = agreement_run_request(
            project=annotated, requested_by=members["res"], parameters={"n_boot": 300}
        )
        first = start_worker(slow_seconds=60)
        wait_for(
            lambda: run_state(run.pk).stage == "computing agreement",
            timeout=60, what="the first worker to be computing", logs=[first],
        )  # fmt: skip
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        stuck = run_state(run.pk)
        assert stuck.status == RunStatus.RUNNING and stuck.attempts == 1  # nobody is left to finish it

        second = start_worker()
        wait_for(lambda: run_state(run.pk).status == RunStatus.SUCCEEDED, timeout=90,
                 what="the second worker to finish the run", logs=[first, second])  # fmt: skip

    run.refresh_from_db()
    assert run.attempts == 2
    assert run.results["report"] and run.error == ""
    # The same message, unacknowledged by the dead worker, was handed to the new one (acks_late).
    task_ids = [received_task_ids(worker) for worker in (first, second)]
    assert task_ids[0] and task_ids[0][0] in task_ids[1]
    assert AgreementRun.objects.filter(project=annotated).count() == 1  # picked up again, not duplicated

    client = APIClient()
    client.force_authenticate(members["res"])
    latest = client.get("/api/v1/agreement-runs/latest/", {"project": annotated.pk})
    assert latest.status_code == 200
    assert latest.json()["id"] == run.pk and latest.json()["results"] == run.results
    hidden = APIClient()
    hidden.force_authenticate(members["ann1"])
    assert hidden.get("/api/v1/agreement-runs/latest/", {"project": annotated.pk}).status_code == 404


def test_the_reaper_requeues_a_dead_workers_run_when_its_message_is_gone(
    annotated, members, start_worker, queue
):
    with on_redis(queue):
        run = agreement_run_request(project=annotated, parameters={"n_boot": 100})
        first = start_worker(slow_seconds=60)
        wait_for(lambda: run_state(run.pk).stage == "computing agreement", timeout=60,
                 what="the first worker to be computing", logs=[first])  # fmt: skip
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        # The dead worker's message is lost, as if Redis had lost it (wherever it is by now).
        drop_unacknowledged(queue)
        redis.Redis.from_url(BROKER_URL).delete(queue)

        second = start_worker()
        time.sleep(STALE_AFTER + 0.5)
        assert run_state(run.pk).status == RunStatus.RUNNING  # stuck: no message left to deliver
        # Opening the dashboard runs the reaper (so does beat): the silent run is queued again, re-sent.
        browser = Client()
        browser.force_login(members["res"])
        assert browser.get(reverse("agreement-dashboard", args=[annotated.slug])).status_code == 200
        assert run_state(run.pk).status in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SUCCEEDED)
        wait_for(lambda: run_state(run.pk).status == RunStatus.SUCCEEDED, timeout=60,
                 what="the second worker to finish the run", logs=[first, second])  # fmt: skip
    assert run_state(run.pk).attempts == 2
