"""`annotator serve` with a worker timeout of 3 s: a streamed export that takes twice as long reaches a slow
client whole, and an article upload over the job threshold is answered at once with its job.

gunicorn's timeout kills a *sync* worker whose request runs longer (a 50k-record import answered 500, a cut
stream 200 and then half a file). The gthread workers `serve` runs notify the master from their main loop
whatever their threads are doing, so the timeout only restarts a hung process: these requests run in a
server started exactly as deployed (`manage.py serve`), on the test database, with no test-only code in
the app. The client stops reading for longer than the timeout, with a small receive buffer, so the
server waits to write the rest of the export until after the timeout has passed (its access log says for
how long).
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.contrib.auth import get_user_model

from annotator.accounts.services import api_token_create
from annotator.corpus.models import ArticleImportJob, JobStatus, Role
from annotator.corpus.services import membership_set, project_create
from annotator.exports.services import export_options, export_stream
from tests.integration.exports.volume import build_volume_project
from tests.reliability.workers import start_serve

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 3  # seconds
STALL_SECONDS = WORKER_TIMEOUT + 1  # how long the slow client stops reading in the middle of the export
BROKER_URL = os.environ.get("SERVE_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")


class Served:
    def __init__(self, process: subprocess.Popen, port: int, log: Path) -> None:
        self.process, self.port, self.log_path = process, port, log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/accounts/login/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            assert self.process.poll() is None, self.log()[-3000:]
            assert time.monotonic() < deadline, "annotator serve did not come up:\n" + self.log()[-3000:]
            time.sleep(0.2)


@pytest.fixture(scope="module")
def served(django_db_setup, tmp_path_factory):
    """One server for the module's tests, on the test database."""
    tmp_path = tmp_path_factory.mktemp("serve")
    # A broker (nobody consumes it here): with tasks eager the upload's job would run in the request.
    process, port, log = start_serve(
        folder=tmp_path,
        options=["--workers", "1", "--threads", "4", "--timeout", str(WORKER_TIMEOUT)],
        broker_url=BROKER_URL,
    )
    try:
        yield Served(process, port, log)  # starting: the tests build their data meanwhile
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        process.wait(timeout=30)
        redis.Redis.from_url(BROKER_URL).flushdb()  # the upload's job message; this database is the test's


class SmallBufferConnection(http.client.HTTPConnection):
    """A client whose socket takes 4 KB at a time, so what it has not read stays with the server."""

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(30)
        self.sock.connect((self.host, self.port))


def test_a_stream_longer_than_the_worker_timeout_reaches_a_slow_client_whole(served):
    researcher = get_user_model().objects.create_user("researcher")
    _, token = api_token_create(user=researcher, name="slow client")
    project = build_volume_project(slug="serve-stream", claims=10_000)
    membership_set(project=project, user=researcher, role=Role.RESEARCHER)
    name, filters = export_options({"format": "jsonl"})
    expected = b"".join(export_stream(project=project, format=name, filters=filters)[0])
    assert len(expected) > 2_500_000, "more than the socket buffers on the way hold (~2 MB)"
    served.wait_until_up()

    connection = SmallBufferConnection("127.0.0.1", served.port)
    connection.request(
        "GET", f"/api/v1/exports/stream/?project={project.pk}&format=jsonl",
        headers={"Authorization": f"Token {token}"},
    )  # fmt: skip
    started = time.monotonic()
    response = connection.getresponse()
    assert response.status == 200
    # A first block, then nothing for longer than the timeout (the server's writes wait meanwhile), then
    # the rest.
    received = bytearray(response.read(16 * 1024))
    time.sleep(STALL_SECONDS)
    while chunk := response.read(64 * 1024):
        received += chunk
    took = time.monotonic() - started
    connection.close()

    assert bytes(received) == expected, f"{len(received)} of {len(expected)} bytes arrived"
    assert took > STALL_SECONDS
    log = served.log()
    assert "WORKER TIMEOUT" not in log
    assert len(re.findall(r"Booting worker with pid", log)) == 1, "the worker was never restarted"
    # The access log line is written once the last byte is sent: the server was streaming all along.
    [served_ms] = re.findall(r'"GET /api/v1/exports/stream/\S+ HTTP/1.1" 200 .* (\d+)ms', log)
    assert int(served_ms) > WORKER_TIMEOUT * 1000, log[-2000:]


def test_an_upload_over_the_job_threshold_is_answered_at_once_with_its_job(served, make_user):
    manager = make_user("manager")
    project = project_create(name="Uploads", slug="uploads")
    membership_set(project=project, user=manager, role=Role.MANAGER)
    _, token = api_token_create(user=manager, name="uploader")
    paragraph = "Officials in Beijing described the agreements as fulfilling a legitimate need. " * 40
    lines, size = [], 0
    while size <= settings.ARTICLE_IMPORT_JOB_BYTES:
        line = json.dumps({"title": f"Article {len(lines)}", "text": f"{paragraph}\n\n{paragraph}"}) + "\n"
        lines.append(line)
        size += len(line.encode())
    served.wait_until_up()

    started = time.monotonic()
    answer = requests.post(
        f"{served.url}/api/v1/article-imports/",
        headers={"Authorization": f"Token {token}"},
        data={"project": project.pk},
        files={"file": ("articles.jsonl", "".join(lines).encode(), "application/jsonl")},
        timeout=30,
    )
    took = time.monotonic() - started

    assert answer.status_code == 202, answer.text[:500]
    assert took < WORKER_TIMEOUT, f"answered in {took:.1f} s"
    job = ArticleImportJob.objects.get(pk=answer.json()["id"])
    assert job.status == JobStatus.QUEUED and job.project_id == project.pk
    assert "WORKER TIMEOUT" not in served.log()
