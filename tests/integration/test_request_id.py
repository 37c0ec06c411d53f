"""Request ids: kept from a valid X-Request-ID or made, returned in the response, on every log record of
the request, in the headers of the tasks it sends, and in the JSON log lines of `annotator serve` and of
the `annotator worker` that runs the request's job."""

import json
import logging
import re
import signal
import sys
import uuid
from pathlib import Path

import pytest
import redis
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from annotator.accounts.services import api_token_create
from annotator.celery import app
from annotator.corpus.models import Role
from annotator.corpus.services import membership_set, project_create
from annotator.exports.models import ExportJob
from annotator.logging_context import REQUEST_ID, RequestIdFilter, json_formatter, log_format
from tests.reliability.workers import start_serve, start_worker, wait_for

REPO = Path(__file__).resolve().parents[2]
BROKER_URL = "redis://127.0.0.1:6379/3"
HEX_ID = re.compile(r"[0-9a-f]{32}")


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.django_db
def test_a_valid_id_is_returned_and_on_the_requests_log_records():
    handler = Records()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client().get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="lb-7f3a.21:x_y")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404 and response["X-Request-ID"] == "lb-7f3a.21:x_y"
    # Django logs the 404 after the middleware has returned: the id is still set then.
    assert [r.request_id for r in handler.records] == ["lb-7f3a.21:x_y"]
    assert REQUEST_ID.get() is None, "cleared once the response is closed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent", ["", "a" * 129, "two words", "line\nbreak", '"quoted"', "<b>", "ünïcode", None], ids=repr
)
def test_an_invalid_or_missing_id_is_replaced_by_a_new_one(sent):
    headers = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}
    first = Client().get("/accounts/login/", **headers)["X-Request-ID"]
    second = Client().get("/accounts/login/", **headers)["X-Request-ID"]
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second) and first != second


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task always sends
def test_a_task_sent_during_a_request_carries_its_id_in_its_headers():
    queue = f"request-id-test-{uuid.uuid4().hex}"
    token = REQUEST_ID.set("req-1234")
    try:
        with app.connection_for_write(BROKER_URL) as connection:
            app.send_task("annotator.tests.nothing", connection=connection, queue=queue)
    finally:
        REQUEST_ID.reset(token)
    broker = redis.Redis.from_url(BROKER_URL)
    try:
        message = json.loads(broker.lpop(queue))
    finally:
        broker.delete(queue)
    assert message["headers"]["request_id"] == "req-1234"


def test_a_json_line_carries_the_fields_and_the_traceback():
    formatter, record_filter = json_formatter(), RequestIdFilter()
    token = REQUEST_ID.set("req-err")
    try:
        try:
            raise ValueError("bad value")
        except ValueError:
            record = logging.getLogger("annotator.test").makeRecord(
                "annotator.test", logging.ERROR, __file__, 1, "failed: %s", ("export",), sys.exc_info()
            )
        record_filter.filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(formatter.format(record))
    assert (
        line["level"] == "ERROR"
        and line["logger"] == "annotator.test"
        and line["message"] == "failed: export"
    )
    assert line["request_id"] == "req-err" and "ValueError: bad value" in line["exc_info"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00", line["timestamp"])


def test_an_unknown_log_format_is_refused():
    assert log_format(None) == "plain" and log_format(" JSON ") == "json"
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        log_format("xml")


# --- the real processes ----------------------------------------------------------------------------------


def json_lines(text: str) -> list[dict]:
    """The lines of a log that are JSON objects (a worker's banner and the supervisor's lines are not)."""
    found = []
    for line in text.splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))  # a line that starts as JSON must be valid JSON
    return found


@pytest.fixture
def broker():
    client = redis.Redis.from_url(BROKER_URL)
    client.flushdb()
    yield BROKER_URL
    client.flushdb()


@pytest.mark.django_db(transaction=True)
def test_serve_and_worker_write_json_lines_carrying_the_request_id(broker, tmp_path):
    researcher = get_user_model().objects.create_user("researcher")
    _, api_token = api_token_create(user=researcher, name="script")
    project = project_create(name="Ids", slug="ids")
    membership_set(project=project, user=researcher, role=Role.RESEARCHER)
    worker = start_worker(broker_url=broker, folder=tmp_path, name="ids", LOG_FORMAT="json")
    served, port, log_path = start_serve(
        folder=tmp_path, options=["--workers", "1", "--threads", "2"], broker_url=broker, LOG_FORMAT="json"
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            assert served.poll() is None, log_path.read_text()[-3000:]
            try:
                return requests.get(f"{url}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_for(up, timeout=60, what="annotator serve")
        missing = requests.get(f"{url}/api/v1/no-such-thing/", headers={"X-Request-ID": "lb-404"}, timeout=5)
        replaced = requests.get(f"{url}/healthz", headers={"X-Request-ID": "not valid!"}, timeout=5)
        export = requests.post(
            f"{url}/api/v1/exports/",
            json={"project": project.pk, "format": "csv"},
            headers={"Authorization": f"Token {api_token}", "X-Request-ID": "export-42"},
            timeout=10,
        )
        assert missing.status_code == 404 and missing.headers["X-Request-ID"] == "lb-404"
        assert HEX_ID.fullmatch(replaced.headers["X-Request-ID"])
        assert export.status_code == 202 and export.headers["X-Request-ID"] == "export-42", export.text

        def job_done() -> bool:
            return ExportJob.objects.filter(pk=export.json()["id"], status="succeeded").exists()

        def worker_logged() -> bool:
            return any(line.get("request_id") == "export-42" for line in json_lines(worker.log()))

        wait_for(job_done, timeout=60, what="the export job", workers=[worker])
        wait_for(worker_logged, timeout=10, what="the job's log line", workers=[worker])
    finally:
        served.send_signal(signal.SIGINT)
        served.wait(timeout=30)
        worker.stop()

    lines = json_lines(log_path.read_text())
    for line in lines:
        assert {"timestamp", "level", "logger", "message"} <= set(line), line
    by_id = {(line["logger"], line.get("request_id")) for line in lines}
    assert ("django.request", "lb-404") in by_id, lines[-10:]  # Django's "Not Found", as JSON
    assert ("gunicorn.access", "lb-404") in by_id and ("gunicorn.access", "export-42") in by_id
    [access] = [
        line for line in lines if line["logger"] == "gunicorn.access" and line["path"] == "/api/v1/exports/"
    ]
    assert access["status"] == "202" and access["method"] == "POST" and isinstance(access["duration_ms"], int)
    assert ("gunicorn.access", replaced.headers["X-Request-ID"]) in by_id
    task_lines = [line for line in json_lines(worker.log()) if line.get("request_id") == "export-42"]
    assert any("succeeded" in line["message"] for line in task_lines), task_lines
    # Nothing before that request (the worker's start, other jobs) claims its id.
    started = [line for line in json_lines(worker.log()) if "ready" in line["message"]]
    assert all(line.get("request_id") in (None, "-") for line in started)
