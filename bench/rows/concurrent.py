"""20 annotators saving at once for 30 s (--quick: 3 s) through gunicorn: throughput, p50/p99, errors, and
lost writes counted against the database afterwards.

Each annotator is a thread with its own session (made in this process as a login would, so no password is
hashed 20 times) and its own assignment; it creates a claim or updates one of its own (with the version
it was last given), half and half. A write is lost when a 201's claim is missing or a 200's version is
higher than the one stored. The floor: the same number of threads each running bare INSERT + COMMIT on
a connection of its own for a third of that time (at most 5 s).
"""

from __future__ import annotations

import random
import secrets
import statistics
import string
import threading
import time
from dataclasses import dataclass, field

import psycopg
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from annotator.labeling.models import Assignment, Claim
from bench import data
from bench.rows.save import claim_fields, database_dsn
from bench.runner import Context, Row, percentile


@dataclass
class Annotator:
    session: requests.Session
    assignment: int
    text: str
    versions: dict[int, int] = field(default_factory=dict)  # claim id -> last acknowledged version
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def session_for(user) -> requests.Session:  # noqa: ANN001
    """The cookies a login leaves (session and CSRF) and the CSRF header, for `user`."""
    client = Client()
    client.force_login(user)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    session.cookies.set("csrftoken", csrf)
    session.headers["X-CSRFToken"] = csrf
    return session


def work(url: str, annotator: Annotator, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    i = 0
    while time.monotonic() < deadline:
        i += 1
        started = time.perf_counter()
        try:
            if not annotator.versions or rng.random() < 0.5:
                answer = annotator.session.post(
                    f"{url}/api/v1/claims/",
                    json={"assignment": annotator.assignment, **claim_fields(annotator.text, i)},
                    timeout=60,
                )
                if answer.status_code == 201:
                    annotator.versions[answer.json()["id"]] = answer.json()["version"]
            else:
                claim = rng.choice(list(annotator.versions))
                answer = annotator.session.patch(
                    f"{url}/api/v1/claims/{claim}/",
                    json={"version": annotator.versions[claim], "note": f"update {i}"},
                    timeout=60,
                )
                if answer.status_code == 200:
                    annotator.versions[claim] = answer.json()["version"]
            if answer.status_code not in (200, 201):
                annotator.errors.append(f"{answer.status_code} {answer.text[:200]}")
        except requests.RequestException as error:
            annotator.errors.append(repr(error))
        annotator.times.append((time.perf_counter() - started) * 1000)


def insert_floor(threads: int, seconds: float) -> float:
    """INSERT + COMMIT per second, `threads` connections at once."""
    with psycopg.connect(database_dsn(), autocommit=True) as setup:
        setup.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor_concurrent (id bigserial PRIMARY KEY, note text)"
        )
    counts = [0] * threads

    def insert(n: int, deadline: float) -> None:
        with psycopg.connect(database_dsn(), autocommit=True) as connection:
            while time.monotonic() < deadline:
                connection.execute("INSERT INTO bench_floor_concurrent (note) VALUES ('x')")
                counts[n] += 1

    deadline = time.monotonic() + seconds
    pool = [threading.Thread(target=insert, args=(n, deadline)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    with psycopg.connect(database_dsn(), autocommit=True) as setup:
        setup.execute("DROP TABLE bench_floor_concurrent")
    return sum(counts) / seconds


def run(context: Context) -> list[Row]:
    count, seconds = context.sizes.concurrent_annotators, context.sizes.concurrent_seconds
    project = data.open_project(slug=f"{context.tag}-concurrent", annotators=count)
    context.track(project.pk)
    users = get_user_model().objects.filter(memberships__project=project).order_by("pk")
    assignments = {
        a.annotator_id: a for a in Assignment.objects.select_related("passage").filter(project=project)
    }
    annotators = [
        Annotator(
            session=session_for(u), assignment=assignments[u.pk].pk, text=assignments[u.pk].passage.text
        )
        for u in users
    ]
    before = Claim.objects.filter(project=project).count()
    server = context.server()
    for annotator in annotators:  # a first request each: connections and sessions warm
        annotator.session.get(f"{server.url}/api/v1/assignments/?project={project.pk}", timeout=60)
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=work, args=(server.url, a, deadline, n)) for n, a in enumerate(annotators)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    floor = insert_floor(count, min(seconds / 3, 5.0))
    acknowledged = {claim: version for a in annotators for claim, version in a.versions.items()}
    stored = dict(Claim.objects.filter(pk__in=acknowledged).values_list("pk", "version"))
    lost = sum(1 for claim, version in acknowledged.items() if stored.get(claim, 0) < version)
    created = Claim.objects.filter(project=project).count() - before
    times = [t for a in annotators for t in a.times]
    errors = [e for a in annotators for e in a.errors]
    saves = len(times) - len(errors)
    if errors:
        context.log(f"concurrent: {len(errors)} errors, the first: {errors[0]}")
    return [
        Row(
            key="concurrent.throughput",
            work=f"{count} annotators saving at once for {seconds:.0f} s (creates and updates), throughput",
            unit="saves/s",
            runs=[saves / elapsed],
            floor=floor,
            floor_work="INSERT+COMMIT",
            notes=f"p50 {statistics.median(times):.0f}, p99 {percentile(times, 0.99):.0f} ms; "
            f"{len(errors)} errors; lost writes {lost} ({len(acknowledged)} claims created and acknowledged, "
            f"{created} new in the database)",
            figures={
                "p50_ms": statistics.median(times),
                "p99_ms": percentile(times, 0.99),
                "errors": len(errors),
                "lost_writes": lost,
                "acknowledged_creates": len(acknowledged),
                "new_claims_in_database": created,
            },
        )
    ]
