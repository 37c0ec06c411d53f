"""Page speed at volume: every page and list a reviewer or an annotator opens, on a project of N claims.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench python bench/pages.py \
        [--claims 1000000] [--annotators 10] [--runs 20]

Builds a project of generated submitted claims with COPY (the volume builder of the export bench: here 10
annotators x 2 claims per passage, so 1M claims are 50k passages), scores every passage for the review
queue as the migration does (timed: the one-off cost of adopting the stored scores), then requests each
page through Django's test client as the role that uses it, `--runs` times, and prints p50 / p95 and the
SQL queries of one request. The floor beside them is a bare indexed query on the same database: one
round trip that reads 50 rows of the queue's index. The project is deleted afterwards.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from annotator.corpus.models import Membership, Passage, Role  # noqa: E402
from annotator.labeling.models import Assignment  # noqa: E402
from annotator.review.models import PassageScore  # noqa: E402
from annotator.review.queue import review_queue  # noqa: E402
from annotator.review.scoring import project_scores_refresh  # noqa: E402
from bench.data import build_volume_project, drop  # noqa: E402


def timed(client: Client, url: str, runs: int) -> tuple[list[float], int, int]:
    """Milliseconds of `runs` GETs, the queries of one after a first visit, and its status code."""
    queries = []

    def count(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        queries.append(sql)
        return execute(sql, params, many, context)

    client.get(url)  # warm: a first visit may build what later ones read (e.g. who says what's rows)
    with connection.execute_wrapper(count):
        status = client.get(url).status_code
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return times, len(queries), status


def floor(project_id: int, runs: int) -> list[float]:
    sql = (
        "SELECT passage_id, score FROM review_passagescore WHERE project_id = %s "
        "ORDER BY score DESC, document_id, position LIMIT 50"
    )
    times = []
    with connection.cursor() as cursor:
        for _ in range(runs + 1):
            started = time.perf_counter()
            cursor.execute(sql, [project_id])
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return times[1:]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--annotators", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--beside", type=int, default=1_000_000, help="claims of an older project built first (0: none)"
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    results, about = measure(
        claims=args.claims, annotators=args.annotators, runs=args.runs, beside=args.beside
    )
    print(f"\n{about}\n")
    print("| role | page | status | queries | p50 ms | p95 ms | floor p50 ms |")
    print("|---|---|---|---|---|---|---|")
    for page in results:
        print(
            f"| {page['role']} | {page['page']} | {page['status']} | {page['queries']} "
            f"| {statistics.median(page['times']):.1f} | {percentile(page['times'], 0.95):.1f} "
            f"| {page['floor']:.2f} |"
        )


def measure(*, claims: int, annotators: int, runs: int, beside: int) -> tuple[list[dict], str]:
    """Each page's times (ms), queries of one request and status, the floor p50 beside them, and a line
    saying what was built."""
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    reverse("home")  # load every view now, not minutes later after the build

    older = []
    if beside:
        older.append(
            build_volume_project(
                slug=f"bench-pages-older-{os.getpid()}",
                claims=beside,
                annotators=annotators,
                claims_per_assignment=2,
            ).pk
        )
    started = time.perf_counter()
    project = build_volume_project(
        slug=f"bench-pages-{os.getpid()}",
        claims=claims,
        annotators=annotators,
        claims_per_assignment=2,
    )
    built = time.perf_counter() - started
    try:
        started = time.perf_counter()
        scored = project_scores_refresh(project=project)
        scoring = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # a previous run's deleted rows would slow the planner
        reviewer = get_user_model().objects.create_user(f"{project.slug}-rev", password="x")
        Membership.objects.create(project=project, user=reviewer, role=Role.REVIEWER)
        annotator = Membership.objects.filter(project=project, role=Role.ANNOTATOR).first().user
        passage = Passage.objects.filter(document__project=project).order_by("-id").first()
        assignment = Assignment.objects.filter(annotator=annotator, passage=passage).values_list(
            "pk", flat=True
        )[0]
        as_reviewer, as_annotator = Client(), Client()
        as_reviewer.force_login(reviewer)
        as_annotator.force_login(annotator)
        queue = reverse("review-queue", args=[project.slug])
        second = review_queue(project=project).next_cursor.encode()
        pages = [
            ("reviewer", "review queue page", as_reviewer, queue),
            ("reviewer", "review queue, second page", as_reviewer, f"{queue}?after={second}"),
            ("reviewer", "review queue, label filter", as_reviewer, f"{queue}?label=stance:favor"),
            ("reviewer", "next passage to review", as_reviewer, reverse("review-next", args=[project.slug])),
            ("reviewer", "/api/v1/review-queue/", as_reviewer, f"/api/v1/review-queue/?project={project.pk}"),
            (
                "reviewer",
                "one passage's comparison",
                as_reviewer,
                reverse("review-passage", args=[project.slug, passage.pk]),
            ),  # fmt: skip
            ("reviewer", "project page", as_reviewer, reverse("project-detail", args=[project.slug])),
            ("reviewer", "/api/v1/claims/?project=", as_reviewer, f"/api/v1/claims/?project={project.pk}"),
            (
                "reviewer",
                "/api/v1/assignments/?project=",
                as_reviewer,
                f"/api/v1/assignments/?project={project.pk}",
            ),  # fmt: skip
            ("reviewer", "speakers", as_reviewer, reverse("speakers-curate", args=[project.slug])),
            (
                "reviewer",
                "agreement dashboard",
                as_reviewer,
                reverse("agreement-dashboard", args=[project.slug]),
            ),
            ("reviewer", "who says what", as_reviewer, reverse("who-says-what", args=[project.slug])),
            ("reviewer", "export page", as_reviewer, reverse("exports", args=[project.slug])),
            ("annotator", "home", as_annotator, reverse("home")),
            ("annotator", "project page", as_annotator, reverse("project-detail", args=[project.slug])),
            (
                "annotator",
                "open the editor",
                as_annotator,
                reverse("annotate", args=[project.slug, assignment]),
            ),
            ("annotator", "my passages", as_annotator, reverse("my-passages", args=[project.slug])),
            ("annotator", "/api/v1/assignments/", as_annotator, f"/api/v1/assignments/?project={project.pk}"),
            (
                "annotator",
                "/api/v1/assignments/next/",
                as_annotator,
                f"/api/v1/assignments/next/?project={project.pk}",
            ),  # fmt: skip
            ("annotator", "/api/v1/claims/?project=", as_annotator, f"/api/v1/claims/?project={project.pk}"),
        ]
        about = (
            f"{claims:,} claims beside an older project of {beside:,}, {annotators} annotators, "
            f"{Passage.objects.filter(document__project=project).count():,} passages "
            f"(built in {built:.0f} s; {scored:,} passages scored for review in {scoring:.1f} s)"
        )
        base = statistics.median(floor(project.pk, runs))
        results = []
        for role, name, client, url in pages:
            times, queries, status = timed(client, url, runs)
            results.append(
                {
                    "role": role,
                    "page": name,
                    "status": status,
                    "queries": queries,
                    "times": times,
                    "floor": base,
                }
            )
    finally:
        PassageScore.objects.filter(project=project).delete()
        drop([project.pk, *older])
    return results, about


if __name__ == "__main__":
    main()
