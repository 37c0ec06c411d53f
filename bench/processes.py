"""The processes a benchmark talks to: gunicorn serving the site on loopback, `annotator worker`, and the
memory of a process tree read from /proc (RSS and PSS, as `smaps_rollup` gives them)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
# Every bench user sends far more than a person would: the throttle is still checked, never reached.
SERVER_ENVIRONMENT = {"API_THROTTLE_USER": "1000000/min", "API_THROTTLE_ANON": "1000000/min"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_environment(**extra: str) -> dict[str, str]:
    environment = {**os.environ, **SERVER_ENVIRONMENT, "PYTHONPATH": str(REPO), **extra}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    return environment


class Process:
    """A child in a session of its own (so the whole tree can be stopped), its output in a log file."""

    def __init__(self, command: list[str], name: str, **environment: str) -> None:
        self.log = Path(tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")[1])
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=child_environment(**environment), stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.unlink(missing_ok=True)


class Server(Process):
    """gunicorn on 127.0.0.1 as deployed: gthread workers that keep their database connections."""

    def __init__(
        self,
        workers: int = 2,
        threads: int = 4,
        *,
        site_defaults: bool = False,
        app: str = "annotator.wsgi",
        ready_path: str = "/accounts/login/",
    ) -> None:
        """`workers` x `threads`, or with `site_defaults` the site's own gunicorn configuration (what
        `annotator serve` runs) when the checkout has one; `app` another WSGI app (the bare floor)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", app, "-b", f"127.0.0.1:{self.port}"]
        if site_defaults and (REPO / "annotator" / "gunicorn_conf.py").exists():
            command += ["-c", "python:annotator.gunicorn_conf"]
        else:
            command += ["-k", "gthread", "-w", str(workers), "--threads", str(threads), "--timeout", "600"]
        super().__init__(command, "gunicorn")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}{ready_path}", timeout=5).status_code < 300:
                    return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 90 s")

    def worker_pids(self) -> list[int]:
        return children(self.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: no keep-alive to wait out
        super().stop()


@contextlib.contextmanager
def serving(workers: int = 2, threads: int = 4, *, site_defaults: bool = False) -> Iterator[Server]:
    server = Server(workers, threads, site_defaults=site_defaults)
    try:
        yield server
    finally:
        server.stop()


def start_worker(broker_url: str, concurrency: int | None = None) -> Process:
    """`annotator worker` (the supervisor, the Celery worker and its pool) on `broker_url`, emptied first:
    the earlier rows' imports and saves queue tasks there (suggestions, refreshes) that would otherwise
    run ahead of the one being measured."""
    if broker_url.startswith("redis"):
        import redis

        redis.Redis.from_url(broker_url).flushdb()
    command = [sys.executable, "manage.py", "worker", "-n", f"bench{os.getpid()}@%h"]
    if concurrency:
        command += ["-c", str(concurrency)]
    worker = Process(command, "worker", CELERY_BROKER_URL=broker_url)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if re.search(r"\S+@\S+ ready\.", worker.log.read_text(errors="replace")):
            return worker
        if worker.process.poll() is not None:
            raise RuntimeError(f"the worker exited:\n{worker.tail()}")
        time.sleep(0.3)
    worker.stop()
    raise RuntimeError("the worker was not ready within 90 s")


def children(pid: int) -> list[int]:
    """Every descendant of `pid` (from /proc's ppid fields)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_memory_kib(pid: int) -> dict[str, int]:
    """RSS and PSS (KiB) summed over `pid` and its descendants."""
    totals = {"Rss": 0, "Pss": 0}
    for member in [pid, *children(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                name, _, value = line.partition(":")
                if name in totals:
                    totals[name] += int(value.split()[0])
    return totals


def rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class PeakRss:
    """Polls the resident memory of some processes every 20 ms in a thread; `.peak` is the highest sum."""

    def __init__(self, pids: list[int]) -> None:
        self.pids, self.peak, self.before = pids, 0, sum(rss_kib(p) for p in pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, max((rss_kib(p) for p in self.pids), default=0))
            time.sleep(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def session_login(url: str, username: str, password: str) -> requests.Session:
    """A browser's login: the login page's CSRF token, the form posted, the session and CSRF cookies kept,
    and the CSRF header the API asks of a session for every write."""
    session = requests.Session()
    page = session.get(f"{url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not token:
        raise RuntimeError("no CSRF token on the login page")
    answer = session.post(
        f"{url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{url}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login of {username} answered {answer.status_code}")
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


def token_session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    return session
