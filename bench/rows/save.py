"""Save one claim through the real HTTP stack: gunicorn on loopback, a logged-in annotator (session cookie
and CSRF header, as the editor sends) and the same annotator with an API token; creates and updates.

SQL queries a save are counted in this process (Django's test client, CaptureQueriesContext) on the same
request: gunicorn's workers cannot count theirs. The floor is a bare INSERT and COMMIT over a psycopg
connection to the same server (loopback TCP), one round trip and one WAL flush each. Two more rows say where
a save's time goes: the same request to the same gunicorn serving a WSGI app that does nothing
(bench/bare_wsgi.py: HTTP, gunicorn and the client library), and the same save in this process through
Django's test client (Django, DRF, our code and PostgreSQL, without HTTP).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotator.accounts.services import api_token_create
from annotator.corpus.models import Speaker
from annotator.labeling.models import Assignment
from bench import data
from bench.processes import Server, session_login, token_session
from bench.runner import Context, Row, percentile

PASSWORD = "bench-annotator-pass"  # noqa: S105  (a scratch user of the bench database)
WARMUP = 10
AUTH_NAMES = {"session": "session + CSRF", "token": "API token"}
WORK = {
    "bare.round_trip": "HTTP alone: the same POST to gunicorn serving a WSGI app that does nothing, p50",
    "in_process.create": "save one claim in-process (API token, Django's test client: no HTTP), p50",
}


def database_dsn() -> str:
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, dbname=db["NAME"], user=db["USER"],
        password=db["PASSWORD"] or None,
    )  # fmt: skip


def insert_commit_floor(saves: int) -> list[float]:
    """Milliseconds of each bare INSERT + COMMIT (autocommit) on a new connection, after a warm-up."""
    with psycopg.connect(database_dsn(), autocommit=True) as floor:
        floor.execute("CREATE TABLE IF NOT EXISTS bench_floor_insert (id bigserial PRIMARY KEY, note text)")
        times = []
        for i in range(WARMUP + saves):
            started = time.perf_counter()
            floor.execute("INSERT INTO bench_floor_insert (note) VALUES (%s)", [f"bench save {i}"])
            times.append((time.perf_counter() - started) * 1000)
        floor.execute("DROP TABLE bench_floor_insert")
    return times[WARMUP:]


def claim_fields(text: str, i: int) -> dict:
    words = text.split(" ")
    end = len(" ".join(words[: 1 + i % 10]))
    return {
        "start": 0, "end": end, "text": text[:end], "attribution": "indirect", "perspective": "chinese",
        "stance": ("favor", "against", "neutral")[i % 3], "confidence": 1 + i % 5, "note": f"bench save {i}",
    }  # fmt: skip


def run(context: Context) -> list[Row]:
    saves, runs = context.sizes.saves, context.sizes.runs
    project = data.open_project(slug=f"{context.tag}-save", annotators=1)
    context.track(project.pk)
    annotator = get_user_model().objects.get(memberships__project=project)
    annotator.set_password(PASSWORD)
    annotator.save(update_fields=["password"])
    secret = api_token_create(user=annotator, name="bench")[1]
    assignment = Assignment.objects.select_related("passage").get(project=project, annotator=annotator)
    text = assignment.passage.text
    speaker = Speaker.objects.create(
        project=project, name="Bench speaker", kind="person", affiliation="cn_scholar"
    )

    def create_body(i: int) -> dict:
        return {"assignment": assignment.pk, "speaker": speaker.pk, **claim_fields(text, i)}

    context.log("save: counting queries in-process")
    queries = count_queries(annotator, secret, create_body, text)
    context.log("save: starting gunicorn")
    samples: dict[str, list[float]] = {}
    medians: dict[str, list[float]] = {}
    server = context.server()
    context.log("save: logging in")
    clients = {
        "session": session_login(server.url, annotator.username, PASSWORD),
        "token": token_session(secret),
    }
    actions: dict[str, Callable[[int], None]] = {}
    for auth, http in clients.items():
        target = {"id": None, "version": 0}

        def create(i: int, http=http, target=target) -> None:
            answer = http.post(f"{server.url}/api/v1/claims/", json=create_body(i), timeout=30)
            if answer.status_code != 201:
                raise RuntimeError(f"create answered {answer.status_code}: {answer.text[:300]}")
            target.update(id=answer.json()["id"], version=answer.json()["version"])

        def update(i: int, http=http, target=target) -> None:
            answer = http.patch(
                f"{server.url}/api/v1/claims/{target['id']}/",
                json={"version": target["version"], **claim_fields(text, i)},
                timeout=30,
            )
            if answer.status_code != 200:
                raise RuntimeError(f"update answered {answer.status_code}: {answer.text[:300]}")
            target["version"] = answer.json()["version"]

        actions[f"{auth}.create"], actions[f"{auth}.update"] = create, update
    bare = Server(app="bench.bare_wsgi", ready_path="/")
    bare_http = token_session(secret)

    def bare_round_trip(i: int) -> None:
        bare_http.post(f"{bare.url}/", json=create_body(i), timeout=30).raise_for_status()

    in_process = Client(headers={"Authorization": f"Token {secret}"})

    def create_in_process(i: int) -> None:
        answer = in_process.post("/api/v1/claims/", create_body(i), content_type="application/json")
        if answer.status_code != 201:
            raise RuntimeError(f"create answered {answer.status_code}: {answer.content[:300]!r}")

    actions["bare.round_trip"], actions["in_process.create"] = bare_round_trip, create_in_process
    try:
        for action in actions.values():
            for i in range(context.sizes.warmup):
                action(i)
        context.log("save: timing")
        for _ in range(runs):  # interleaved, so that the machine's noise falls on every row alike
            for name, action in [*actions.items(), ("floor", None)]:
                times = insert_commit_floor(saves) if action is None else timed(action, saves)
                samples.setdefault(name, []).extend(times)
                medians.setdefault(name, []).append(statistics.median(times))
    finally:
        bare.stop()
    floor = statistics.median(medians["floor"])
    rows = []
    for name in actions:
        auth, kind = name.split(".")
        pooled = samples[name]
        rows.append(
            Row(
                key=f"save.{name}",
                work=WORK.get(name) or f"save one claim over HTTP, {kind} ({AUTH_NAMES[auth]}), p50",
                unit="ms",
                runs=medians[name],
                floor=floor,
                floor_work="INSERT+COMMIT",
                notes=f"p95 {percentile(pooled, 0.95):.1f}, p99 {percentile(pooled, 0.99):.1f} ms; "
                + (f"{queries[name]} SQL queries (counted in-process); " if name in queries else "")
                + f"{saves} requests × {runs} runs",
                figures={
                    "p95_ms": percentile(pooled, 0.95),
                    "p99_ms": percentile(pooled, 0.99),
                    **({"queries": queries[name]} if name in queries else {}),
                },
            )
        )
    return rows


def timed(action: Callable[[int], None], saves: int) -> list[float]:
    times = []
    for i in range(saves):
        started = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def count_queries(annotator, secret: str, create_body: Callable[[int], dict], text: str) -> dict[str, int]:  # noqa: ANN001
    """SQL queries of one create and one update, by session and by token, through Django in-process."""
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    by_session = Client()
    by_session.force_login(annotator)
    by_token = Client(headers={"Authorization": f"Token {secret}"})
    counts = {}
    for auth, client in (("session", by_session), ("token", by_token)):
        client.post("/api/v1/claims/", create_body(0), content_type="application/json")  # warm
        with CaptureQueriesContext(connection) as queries:
            answer = client.post("/api/v1/claims/", create_body(1), content_type="application/json")
        assert answer.status_code == 201, answer.content
        counts[f"{auth}.create"] = len(queries)
        claim = answer.json()
        with CaptureQueriesContext(connection) as queries:
            answer = client.patch(
                f"/api/v1/claims/{claim['id']}/",
                {"version": claim["version"], **{"note": "bench update", "text": text[: claim["end"]]}},
                content_type="application/json",
            )
        assert answer.status_code == 200, answer.content
        counts[f"{auth}.update"] = len(queries)
    return counts
