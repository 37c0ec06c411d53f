"""`annotator worker` and `annotator serve` processes for the tests, on a given Redis and the test database.

A worker is started the way production starts it (`manage.py worker`, the project's settings and timings)
in a session of its own, so that a test can kill the supervisor, the Celery worker and its pool at once.
The tests' rows must be committed for it to see them (`django_db(transaction=True)`).
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.reliability.services import free_port

REPO = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("a worker process needs a database it can share: run on PostgreSQL")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def celery_pids(self) -> list[int]:
        """The Celery worker processes the supervisor has started, in order."""
        return [int(pid) for pid in re.findall(r"annotator worker: worker started \(pid (\d+)\)", self.log())]

    def ready_count(self) -> int:
        return len(re.findall(r"\S+@\S+ ready\.", self.log()))

    def kill_all(self) -> None:
        """SIGKILL the supervisor, the Celery worker and its pool together, as a machine dying would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # anything left of its session
        self.process.wait(timeout=10)


def start_worker(
    *, broker_url: str, folder: Path, name: str, app: str | None = None, **environment: str
) -> Worker:
    """`manage.py worker` with the production settings on `broker_url`; its log in `folder`."""
    var = folder / f"{name}-var"
    var.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "annotator.settings",
        "ANNOTATOR_VAR_DIR": str(var),
        "PYTHONPATH": str(REPO),
        **environment,
    }
    env.pop("CELERY_APP", None)
    if app:
        env["CELERY_APP"] = app
    log_path = folder / f"{name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "-c", "1", "-n", f"{name}@%h", "--max-backoff", "2"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return Worker(process=process, log_path=log_path)


def wait_for(
    predicate: Callable[[], bool], *, timeout: float, what: str, workers: list[Worker] = ()
) -> float:
    """Wait until `predicate()`; the seconds it took. Fails with the workers' logs after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.2)
    shown = "".join(f"\n--- {w.log_path.name}\n{w.log()[-4000:]}" for w in workers)
    pytest.fail(f"timed out after {timeout}s waiting for {what}{shown}")


def start_serve(
    *, folder: Path, options: list[str], broker_url: str | None = None, **environment: str
) -> tuple[subprocess.Popen, int, Path]:
    """`manage.py serve` on a free loopback port with the production settings on the test database:
    (the process, its port, its log). `options` go to serve (workers, threads, timeout)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "serve-test-" + uuid.uuid4().hex,
        "ANNOTATOR_VAR_DIR": str(folder / "serve-var"),
        "STATIC_ROOT": str(folder / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
        **environment,
    }
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    for name in ("DEBUG", "HTTPS", "WEB_CONCURRENCY", "WEB_THREADS", "WEB_TIMEOUT", "WEB_BIND", "PORT"):
        env.pop(name, None)
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", *options,
             "--no-collectstatic"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process, port, log_path
