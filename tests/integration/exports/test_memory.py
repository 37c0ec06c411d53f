"""A 200k-claim export streamed by the real server takes no more memory than a 20k-claim one.

The server is `manage.py runserver` in a subprocess on the test database (this test commits its data);
its peak resident memory (VmHWM in /proc/<pid>/status) is read after a 20k-claim and after a 200k-claim
CSV export through the API. The figures go to test-output/export_memory.json.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from annotator.accounts.services import api_token_create
from annotator.corpus.models import Role
from annotator.corpus.services import membership_set
from tests.integration.exports.volume import build_volume_project

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[3]
SMALL, BIG = 20_000, 200_000
GROWTH_LIMIT_MB = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0])
    return fields


@pytest.fixture
def server(tmp_path):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the memory test streams from PostgreSQL")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",  # with DEBUG on, Django keeps every query it ran in memory
        "SECRET_KEY": "memory-test-only",
        "ANNOTATOR_VAR_DIR": str(tmp_path),
        "DB_CONN_MAX_AGE": "0",
    }
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/v1/", timeout=2)  # noqa: S310 - our own local server
            break
        except urllib.error.HTTPError:
            break  # it answers (401/403): it is up
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the server did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield base, process.pid
    process.terminate()
    process.wait(timeout=10)
    log.close()


def _stream(url: str, token: str) -> tuple[int, int, float]:
    """Bytes and lines of the streamed answer, and the seconds it took."""
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})  # noqa: S310
    started = time.perf_counter()
    size = lines = 0
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
        assert response.status == 200
        while block := response.read(1 << 16):
            size += len(block)
            lines += block.count(b"\n")
    return size, lines, time.perf_counter() - started


def test_streaming_200k_claims_takes_no_more_server_memory_than_20k(server, output_dir):
    base, pid = server
    researcher = get_user_model().objects.create_user("researcher")
    _, token = api_token_create(user=researcher, name="memory test")
    started = time.perf_counter()
    projects = {}
    for size in (SMALL, BIG):
        projects[size] = build_volume_project(slug=f"volume-{size}", claims=size)
        membership_set(project=projects[size], user=researcher, role=Role.RESEARCHER)
    built = time.perf_counter() - started

    def export(size: int) -> dict:
        bytes_, lines, seconds = _stream(
            f"{base}/api/v1/exports/stream/?project={projects[size].pk}&format=csv", token
        )
        assert lines == size + 1, "a header row and one row per claim"
        return {"claims": size, "bytes": bytes_, "seconds": round(seconds, 2), **_memory_kb(pid)}

    before = _memory_kb(pid)
    warm = export(SMALL)  # first request: imports and caches
    small = export(SMALL)
    big = export(BIG)
    growth_mb = (big["VmHWM"] - small["VmHWM"]) / 1024
    figures = {
        "server_start": before,
        "warm_up": warm,
        "small": small,
        "big": big,
        "peak_growth_mb_small_to_big": round(growth_mb, 1),
        "limit_mb": GROWTH_LIMIT_MB,
        "data_build_seconds": round(built, 1),
    }
    (output_dir / "export_memory.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    assert growth_mb < GROWTH_LIMIT_MB, figures
