"""Private PostgreSQL and Redis servers for the tests that stop, restart or kill them.

Never the shared services on 5432/6379: each helper starts its own instance on another port, owned by the
test, and removes it afterwards. PostgreSQL clusters are made with Debian's pg_createcluster (as root).
"""

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(check, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not come up within {timeout}s")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait(lambda: _answers(self.port), timeout=10, what=f"redis on {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class PrivatePostgres:
    name: str
    port: int
    version: str

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, action: str, *extra: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action, *extra],
            check=True, capture_output=True,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._ctl("stop", "-m", mode)

    def start(self) -> None:
        self._ctl("start")
        _wait(lambda: _answers(self.port), timeout=30, what=f"postgres on {self.port}")

    def restart(self, mode: str = "immediate") -> None:
        """An abrupt restart by default (`immediate`: no checkpoint, connections cut as by a crash)."""
        self.stop(mode)
        self.start()

    def createdb(self, database: str) -> str:
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", database],
            check=True, capture_output=True,
        )  # fmt: skip
        return self.url(database)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    if not shutil.which("pg_createcluster"):
        pytest.skip("Debian's postgresql-common (pg_createcluster) is not installed")
    installed = Path("/etc/postgresql")
    versions = sorted(p.name for p in installed.iterdir()) if installed.exists() else []
    if not versions:
        pytest.skip("no PostgreSQL server version installed")
    server = PrivatePostgres(name=f"t{uuid.uuid4().hex[:10]}", port=free_port(), version=versions[-1])
    subprocess.run(
        ["pg_createcluster", server.version, server.name, "--port", str(server.port), "--start",
         "--", "--auth=trust"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        _wait(lambda: _answers(server.port), timeout=30, what=f"postgres on {server.port}")
        yield server
    finally:
        subprocess.run(
            ["pg_dropcluster", server.version, server.name, "--stop"], check=False, capture_output=True
        )
