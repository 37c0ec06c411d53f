"""Server time to save one claim on the demo data: median and p95 milliseconds, SQL queries per save.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench python bench/save_claim.py [--saves 100]

Migrates the PostgreSQL database named by DATABASE_URL and sets up the demo project in it (the same
idempotent step as `annotator demo --no-serve`), then, as the demo annotator ann1 on one of their
passages, saves claims
  - through the REST API in-process, creates without and with an Idempotency-Key (Django's test Client:
    URL routing, middleware, session login, DRF, serializers, the service, PostgreSQL; no network, no
    browser), and
  - through the write services directly.
Each row times `--saves` saves after a few warm-up ones; the query count is that of one save. The claims
and the speaker it creates are deleted at the end and the assignment's status is put back.
"""

import argparse
import io
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from annotator.corpus.models import Speaker  # noqa: E402
from annotator.idempotency.models import IdempotencyKey  # noqa: E402
from annotator.labeling.models import Assignment, Claim  # noqa: E402
from annotator.labeling.services import claim_create, claim_update  # noqa: E402

SPEAKER_NAME = "Bench speaker (bench/save_claim.py)"


def timed(action: Callable[[int], object], saves: int, warmup: int) -> tuple[list[float], int]:
    """Milliseconds of each of `saves` calls after `warmup` untimed ones, and the queries of one call."""
    for i in range(warmup):
        action(i)
    times = []
    for i in range(warmup, warmup + saves):
        started = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        action(warmup + saves)
    return times, len(queries)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database (e.g. postgres://postgres@127.0.0.1:5432/annotator_bench)."
        )
    call_command("demo", no_serve=True, stdout=io.StringIO())
    setup_test_environment()  # lets the test Client's host through ALLOWED_HOSTS

    annotator = get_user_model().objects.get(username="ann1")
    assignment = (
        Assignment.objects.select_related("passage__document__project", "annotator")
        .filter(annotator=annotator)
        .order_by("-passage__document_id", "-passage__position")
        .first()
    )
    passage, project = assignment.passage, assignment.passage.document.project
    status_before = assignment.status
    speaker = Speaker.objects.filter(project=project, name=SPEAKER_NAME).first() or Speaker.objects.create(
        project=project, name=SPEAKER_NAME, kind="person", affiliation="cn_scholar"
    )
    words = passage.text.split(" ")
    # Spans of one to ten words from the start of the passage: real slices, different on every save.
    spans = []
    for count in range(1, 11):
        end = len(" ".join(words[:count]))
        spans.append((0, end))

    def fields(i: int) -> dict:
        start, end = spans[i % len(spans)]
        return {
            "start": start,
            "end": end,
            "text": passage.text[start:end],
            "attribution": "indirect",
            "perspective": "chinese",
            "stance": ("favor", "against", "neutral")[i % 3],
            "confidence": 1 + i % 5,
            "note": f"bench save {i}",
        }

    client = Client()
    client.force_login(annotator)
    created: list[int] = []

    def api_create(i: int) -> None:
        response = client.post(
            "/api/v1/claims/",
            {"assignment": assignment.pk, "speaker": speaker.pk, **fields(i)},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        created.append(response.json()["id"])

    def api_create_with_key(i: int) -> None:
        response = client.post(
            "/api/v1/claims/",
            {"assignment": assignment.pk, "speaker": speaker.pk, **fields(i)},
            content_type="application/json",
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.content
        created.append(response.json()["id"])

    api_create(0)
    target = Claim.objects.get(pk=created[-1])
    versions = {"api": target.version}

    def api_update(i: int) -> None:
        response = client.patch(
            f"/api/v1/claims/{target.pk}/",
            {"version": versions["api"], **fields(i)},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        versions["api"] = response.json()["version"]

    def service_create(i: int) -> None:
        claim = claim_create(assignment=assignment, speaker_id=speaker.pk, **fields(i))
        created.append(claim.pk)

    service_target = claim_create(assignment=assignment, speaker_id=speaker.pk, **fields(0))
    created.append(service_target.pk)

    def service_update(i: int) -> None:
        claim_update(claim=service_target, version=service_target.version, **fields(i))

    rows = []
    try:
        for label, action in [
            ("API  POST  /api/v1/claims/        (create)", api_create),
            ("API  POST  ... with an Idempotency-Key", api_create_with_key),
            ("API  PATCH /api/v1/claims/{id}/   (update)", api_update),
            ("service claim_create", service_create),
            ("service claim_update", service_update),
        ]:
            times, queries = timed(action, args.saves, args.warmup)
            rows.append((label, statistics.median(times), p95(times), min(times), queries))
    finally:
        IdempotencyKey.objects.filter(scope="claim", result_id__in=created).delete()
        Claim.objects.filter(pk__in=created).delete()
        Speaker.objects.filter(pk=speaker.pk).delete()
        Assignment.objects.filter(pk=assignment.pk).update(status=status_before)

    settings = connection.settings_dict
    print(
        f"save_claim: {args.saves} saves per row after {args.warmup} warm-up ones; PostgreSQL "
        f"{connection.pg_version // 10000} at {settings.get('HOST') or 'local socket'}/{settings['NAME']}; "
        f"demo passage of {len(passage.text)} characters with {len(words)} words"
    )
    print(f"{'path':<44} {'median ms':>10} {'p95 ms':>8} {'min ms':>8} {'SQL queries/save':>17}")
    for label, median, high, low, queries in rows:
        print(f"{label:<44} {median:>10.2f} {high:>8.2f} {low:>8.2f} {queries:>17}")


if __name__ == "__main__":
    main()
