"""PostgreSQL restarted abruptly, twice, under a load of claim saves: nothing acknowledged is lost, nothing
retried is saved twice, and the server answers normally again afterwards.

The app runs as it is deployed: gunicorn (threads that keep their database connections, DB_CONN_MAX_AGE)
on a private PostgreSQL cluster that the test starts on another port. Annotators' clients create claims
with an Idempotency-Key and change them with their version, and retry whatever fails (5xx, a broken
connection) with the same request; the cluster is stopped with `immediate` (connections cut as by a crash)
and started again while they do. The ledger of what the server acknowledged is then compared with the rows.
"""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests

from tests.reliability.services import PrivatePostgres, _answers, free_port, private_postgres

REPO = Path(__file__).resolve().parents[2]
ANNOTATORS = ["ann1", "ann2", "ann3", "ann4"]
PASSWORD = "restart-pw-123"  # noqa: S105
LOAD_SECONDS_BETWEEN_RESTARTS = 3.0
REQUEST_PATIENCE = 90.0  # seconds a client keeps retrying one request before the test fails

SETUP = f"""
import json
from django.contrib.auth import get_user_model
from annotator.corpus.models import Role
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, membership_set, project_create
from annotator.labeling.models import Assignment
from annotator.labeling.assignment_services import assignments_distribute

project = project_create(name="Restart", slug="restart", overlap={len(ANNOTATORS)})
for name in {ANNOTATORS!r}:
    user = get_user_model().objects.create_user(username=name, password={PASSWORD!r})
    membership_set(project=project, user=user, role=Role.ANNOTATOR)
text = "Restart watch\\n\\n" + "\\n\\n".join(
    f"Paragraph {{n}}: officials in Beijing and Moscow described the summit as a signal to Washington."
    for n in range(1, 4)
)
documents_import(project=project, records=[ArticleRecord(title="Restart watch", text=text)])
assignments_distribute(project=project)
rows = Assignment.objects.filter(passage__document__project=project).select_related("passage", "annotator")
print(json.dumps([[a.annotator.username, a.pk, a.passage.text] for a in rows.order_by("pk")]))
"""


@dataclass
class Ledger:
    """What the server acknowledged, and what it took to get there."""

    claims: dict[int, dict] = field(default_factory=dict)  # id -> the state last acknowledged
    creates: list[tuple[str, str, dict, int]] = field(default_factory=list)  # (client, key, body, id)
    failures: Counter = field(default_factory=Counter)  # what a try got instead of an answer
    replayed_creates: int = 0  # creates committed behind a lost answer, answered by their key
    updates: int = 0
    updates_found_committed: int = 0  # updates committed behind a lost answer (409 with our own change)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, what: str) -> None:
        with self.lock:
            self.failures[what] += 1


class Server:
    """gunicorn serving the app against `database_url` on a free port."""

    def __init__(self, database_url: str, var_dir: Path) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DB_CONN_MAX_AGE": "60",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECRET_KEY": "restart-test-" + uuid.uuid4().hex,
            "ANNOTATOR_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "annotator.settings",
            # Two tabs per annotator retrying through the restarts can pass the per-user API rate; the
            # throttle has tests of its own and would turn lost-write checks into 429s here.
            "API_THROTTLE_USER": "100000/min",
        }
        for name in ("CELERY_BROKER_URL", "DEBUG", "HTTPS"):
            self.env.pop(name, None)
        self.process: subprocess.Popen | None = None
        self.log = var_dir / "gunicorn.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO, env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "annotator.wsgi:application", "--bind",
                 f"127.0.0.1:{self.port}", "--workers", "2", "--worker-class", "gthread", "--threads", "4",
                 "--timeout", "60", "--graceful-timeout", "5"],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while not _answers(self.port):
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def logged_in(server: Server, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{server.url}/accounts/login/", timeout=10)
    answer = session.post(
        f"{server.url}/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


def until_answered(ledger: Ledger, send, accept: set[int]) -> requests.Response:
    """Send again (the same request) until the server answers with a status in `accept`, for as long as
    the failure is one a client retries: a broken or refused connection, a timeout, a 5xx."""
    deadline = time.monotonic() + REQUEST_PATIENCE
    while True:
        with ledger.lock:
            ledger.requests += 1
        try:
            answer = send()
        except requests.RequestException as error:
            ledger.failed(type(error).__name__)
        else:
            if answer.status_code in accept:
                return answer
            if answer.status_code < 500:
                raise AssertionError(f"{answer.status_code}: {answer.text[:500]}")
            ledger.failed(f"HTTP {answer.status_code}")
        assert time.monotonic() < deadline, f"no answer within {REQUEST_PATIENCE}s"
        time.sleep(0.2)


def annotate(
    server: Server,
    ledger: Ledger,
    session: requests.Session,
    client: str,
    assignments: list,
    stop: threading.Event,
) -> None:
    """Create claims (each with a fresh key) on the user's passages and change every other one."""
    own: list[int] = []
    number = 0
    while not stop.is_set():
        number += 1
        assignment_id, text = assignments[number % len(assignments)]
        words = text.split(" ")
        end = len(" ".join(words[: 1 + number % 8]))
        body = {
            "assignment": assignment_id,
            "start": 0,
            "end": end,
            "text": text[:end],
            "attribution": "authorial",
            "perspective": "chinese",
            "stance": "neutral",
            "note": f"{client} claim {number}",  # tells a duplicate from another claim
        }
        key = str(uuid.uuid4())
        created = until_answered(
            ledger,
            lambda body=body, key=key: session.post(
                f"{server.url}/api/v1/claims/", json=body, headers={"Idempotency-Key": key}, timeout=10
            ),
            {201},
        )
        claim = created.json()
        with ledger.lock:
            ledger.claims[claim["id"]] = {"note": body["note"], "stance": "neutral", "version": 1}
            ledger.creates.append((client, key, body, claim["id"]))
            ledger.replayed_creates += created.headers.get("Idempotent-Replayed") == "true"
        own.append(claim["id"])
        if number % 2 == 0:
            change(server, ledger, session, own[number % len(own)], number)


def change(server: Server, ledger: Ledger, session: requests.Session, claim_id: int, number: int) -> None:
    expected = ledger.claims[claim_id]
    stance = ("favor", "against", "neutral")[number % 3]
    body = {"version": expected["version"], "stance": stance}
    answer = until_answered(
        ledger,
        lambda: session.patch(f"{server.url}/api/v1/claims/{claim_id}/", json=body, timeout=10),
        {200, 409},
    )
    if answer.status_code == 409:
        # Only acceptable when an earlier try of this very change committed and its answer was lost.
        current = answer.json()["current"]
        assert (current["version"], current["stance"]) == (expected["version"] + 1, stance), current
    with ledger.lock:
        ledger.updates += 1
        ledger.updates_found_committed += answer.status_code == 409
        ledger.claims[claim_id] = {**expected, "stance": stance, "version": expected["version"] + 1}


def stored_claims(database_url: str) -> list[tuple]:
    with psycopg.connect(database_url) as connection:
        return connection.execute("SELECT id, note, stance, version FROM labeling_claim").fetchall()


def wait_until_connectable(database_url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(database_url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            assert time.monotonic() < deadline, "PostgreSQL did not accept connections again"
            time.sleep(0.1)


def burst(server: Server, sessions: list[requests.Session], count: int) -> Counter:
    """`count` reads at once, each tried once: what the server answered."""
    statuses: Counter = Counter()
    lock = threading.Lock()

    def read(session: requests.Session) -> None:
        try:
            status = session.get(f"{server.url}/api/v1/assignments/", timeout=10).status_code
        except requests.RequestException as error:
            status = type(error).__name__
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=read, args=(sessions[i % len(sessions)],)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture
def deployed(tmp_path):
    with private_postgres() as cluster:
        database_url = cluster.createdb("annotator")
        server = Server(database_url, tmp_path)
        server.manage("migrate", "--no-input")
        rows = json.loads(server.manage("shell", "-c", SETUP).strip().splitlines()[-1])
        server.start()
        try:
            yield cluster, server, database_url, rows
        finally:
            server.stop()


def test_acknowledged_saves_survive_two_abrupt_restarts_and_retried_creates_are_not_duplicated(deployed):
    cluster, server, database_url, rows = deployed
    cluster: PrivatePostgres
    ledger, stop, errors = Ledger(), threading.Event(), []

    def client(username: str, name: str, session: requests.Session) -> None:
        own = [(a, text) for user, a, text in rows if user == username]
        try:
            annotate(server, ledger, session, name, own, stop)
        except BaseException as error:  # reported by the test, not lost in a thread
            errors.append(f"{name}: {error!r}")

    # Two clients per annotator (two tabs, say), eight in all, logged in before the load starts.
    clients = [
        threading.Thread(target=client, args=(username, f"{username}/{tab}", logged_in(server, username)))
        for username in ANNOTATORS
        for tab in (1, 2)
    ]
    for thread in clients:
        thread.start()
    time.sleep(LOAD_SECONDS_BETWEEN_RESTARTS)
    acknowledged_before_restarts = len(ledger.claims)
    for _ in range(2):
        cluster.restart("immediate")
        time.sleep(LOAD_SECONDS_BETWEEN_RESTARTS)
    stop.set()
    for thread in clients:
        thread.join(timeout=REQUEST_PATIENCE + 30)
    assert not errors, (errors, server.log.read_text()[-5000:])
    assert acknowledged_before_restarts > 0, "the load had started before the first restart"
    assert sum(ledger.failures.values()) > 0, "the restarts should have cut some requests"

    stored = {
        claim_id: (note, stance, version) for claim_id, note, stance, version in stored_claims(database_url)
    }
    # Every acknowledged create and update is there, as last acknowledged ...
    for claim_id, expected in ledger.claims.items():
        assert stored.get(claim_id) == (expected["note"], expected["stance"], expected["version"]), claim_id
    # ... and nothing else: a create retried after it had committed was answered with the first claim.
    assert len(stored) == len(ledger.claims)
    assert max(Counter(note for note, _, _ in stored.values()).values()) == 1

    # Kept connections recover by themselves after a restart: the first request on each is not an error.
    sessions = [logged_in(server, name) for name in ANNOTATORS]
    cluster.restart("immediate")
    wait_until_connectable(database_url)
    assert burst(server, sessions, 40) == Counter({200: 40})

    # The keys outlive the app server: after it restarts, repeating a create returns the first claim.
    server.stop()
    server.start()
    first_client = ledger.creates[0][0]
    session = logged_in(server, first_client.split("/")[0])
    for _, key, body, claim_id in [create for create in ledger.creates if create[0] == first_client][:10]:
        again = session.post(
            f"{server.url}/api/v1/claims/", json=body, headers={"Idempotency-Key": key}, timeout=10
        )
        assert (again.status_code, again.json()["id"], again.headers.get("Idempotent-Replayed")) == (
            201,
            claim_id,
            "true",
        )
    assert len(stored_claims(database_url)) == len(ledger.claims)

    print(
        f"\n{len(ledger.creates)} creates and {ledger.updates} updates acknowledged"
        f" in {ledger.requests} requests;"
        f" failed tries {dict(ledger.failures)}; creates committed behind a lost answer and answered by their"
        f" key: {ledger.replayed_creates}; updates found committed (409 with our change):"
        f" {ledger.updates_found_committed}"
    )
