"""/readyz follows the services it needs: `annotator serve` on a private PostgreSQL cluster and a private
Redis, each stopped and started again. Not ready (503, naming the check) within seconds of a stop, ready
again within seconds of the start, every answer quick (no hanging on a dead database); /healthz, which
needs neither, answers 200 throughout.

The private database gets the test database's schema, as `migrate` leaves it, copied with pg_dump (a
`migrate` from nothing takes ~10 s here); /readyz's migrations check confirms that it is complete.
"""

import os
import signal
import subprocess
import time

import pytest
import requests
from django.conf import settings

from tests.reliability.services import private_postgres, private_redis
from tests.reliability.workers import start_serve

QUICK = 3.0  # seconds: the longest a probe may take to answer, whatever is down
NOTICED = 5.0  # seconds: the longest until a stop or a start shows in /readyz


def copy_test_schema(url: str) -> None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the readiness test copies a PostgreSQL test database")
    environment = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    host, port = db["HOST"] or "127.0.0.1", str(db["PORT"] or 5432)
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", "-h", host, "-p", port, "-U", db["USER"], db["NAME"]],
        check=True, capture_output=True, env=environment,
    )  # fmt: skip
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", url], input=dump.stdout, check=True, capture_output=True
    )


class Probe:
    def __init__(self, base: str) -> None:
        self.base = base
        self.slowest = 0.0

    def get(self, path: str) -> requests.Response:
        started = time.monotonic()
        response = requests.get(self.base + path, timeout=QUICK + 5)
        self.slowest = max(self.slowest, time.monotonic() - started)
        return response

    def until(self, status: int, *, failing: str | None = None, limit: float = NOTICED) -> float:
        """Seconds until /readyz answers `status` (naming `failing` as the failing check); /healthz
        stays 200 meanwhile."""
        started = time.monotonic()
        while True:
            response = self.get("/readyz")
            checks = response.json()["checks"]
            if response.status_code == status and (failing is None or checks[failing] != "ok"):
                return time.monotonic() - started
            assert self.get("/healthz").status_code == 200
            assert time.monotonic() - started < limit, f"still {response.status_code}: {checks}"
            time.sleep(0.1)


def test_readyz_follows_the_database_and_the_broker(db, tmp_path):
    with private_postgres() as postgres, private_redis() as broker:
        database_url = postgres.createdb("readiness")
        copy_test_schema(database_url)
        served, port, log = start_serve(
            folder=tmp_path,
            options=["--workers", "1", "--threads", "2"],
            broker_url=broker.url,
            DATABASE_URL=database_url,
            DB_CONNECT_TIMEOUT="2",
            CACHE_URL="",  # no shared cache: its check answers "not used"
        )
        probe = Probe(f"http://127.0.0.1:{port}")
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if probe.get("/healthz").status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                assert served.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
            probe.slowest = 0.0  # the start is not a probe's answer

            ready = probe.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {
                "database": "ok", "migrations": "ok", "broker": "ok", "cache": "not used",
            }  # fmt: skip

            broker.stop()
            took = {"redis stopped": probe.until(503, failing="broker")}
            down = probe.get("/readyz").json()["checks"]
            assert down["database"] == "ok" and down["broker"].startswith("ConnectionError: cannot connect")
            broker.start()
            took["redis started"] = probe.until(200)

            postgres.stop()
            took["postgres stopped"] = probe.until(503, failing="database")
            down = probe.get("/readyz").json()["checks"]
            assert down["database"].startswith("OperationalError"), down
            assert down["migrations"] == "not checked: the database is unavailable" and down["broker"] == "ok"
            postgres.start()
            took["postgres started"] = probe.until(200, limit=10)
        finally:
            served.send_signal(signal.SIGINT)
            served.wait(timeout=30)

    assert probe.slowest < QUICK, f"a probe took {probe.slowest:.1f} s"
    print({what: round(seconds, 2) for what, seconds in took.items()}, f"slowest probe {probe.slowest:.2f} s")
