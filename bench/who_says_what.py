"""Who says what at volume: the report, the page and the claims list beside a count(*) floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench python bench/who_says_what.py \
        [--sizes 20000 200000 1000000] [--repeat 3]

Migrates the database named by DATABASE_URL (PostgreSQL), loads projects with the export bench's volume
builder (2 annotators, 10 claims an assignment, COPY), then with a few set-based statements gives them
what the report reads: nine outlets (one blank), 60 speakers of every kind and affiliation on three claims
in four (direct or indirect), the second annotator agreeing with the first on six claims in seven, and a
tenth of the passages adjudicated with the first annotator's claims as gold. Then it times, best of
``--repeat``, each figure beside floors measured in the same run: a bare ``SELECT count(*)`` over the
project's claims (joined to its documents, as the report must) and over the whole claims table.
The projects are deleted afterwards.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
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

from annotator.analytics.params import ClaimFilter, Scope  # noqa: E402
from annotator.analytics.selectors import claims_page, consensus_state, who_says_what_report  # noqa: E402
from annotator.analytics.services import COUNTED_CLAIMS, consensus_mark_stale, consensus_refresh  # noqa: E402
from annotator.corpus.models import Membership, Project, Role, Speaker  # noqa: E402
from annotator.review.scoring import project_scores_refresh  # noqa: E402
from bench.data import build_volume_project, drop  # noqa: E402

FLOOR = "floor: count(*) of the project's claims"
# What the page would run without the stored rows: the refresh's SELECT, counted instead of inserted.
LIVE = f"SELECT COUNT(*) FROM ({COUNTED_CLAIMS} SELECT * FROM units) counted"
KINDS = ("person", "organisation", "government", "state_media", "unnamed_group")
AFFILIATIONS = (
    "us_gov",
    "cn_gov",
    "cn_scholar",
    "western_scholar",
    "asian_scholar",
    "ru_gov",
    "kp_gov",
    "media",
)

# Pair each of the second annotator's claims with the first annotator's claim of the same rank on the same
# passage, and copy it on six pairs in seven: those become majorities (2 of 2 submitted annotators).
RANKED = """
CREATE TEMPORARY TABLE bench_ranked AS
SELECT c.id, a.passage_id, ROW_NUMBER() OVER (PARTITION BY c.assignment_id ORDER BY c.id) AS k,
       DENSE_RANK() OVER (PARTITION BY a.passage_id ORDER BY a.annotator_id) AS who
FROM labeling_claim c JOIN labeling_assignment a ON a.id = c.assignment_id
JOIN corpus_passage p ON p.id = a.passage_id JOIN corpus_document d ON d.id = p.document_id
WHERE d.project_id = %(project)s
"""
AGREE = """
UPDATE labeling_claim c2
SET start = c1.start, "end" = c1."end", text = c1.text, speaker_id = c1.speaker_id,
    attribution = c1.attribution, perspective = c1.perspective, stance = c1.stance
FROM bench_ranked r1 JOIN bench_ranked r2 ON r2.passage_id = r1.passage_id AND r2.k = r1.k AND r2.who = 2
JOIN labeling_claim c1 ON c1.id = r1.id
WHERE r1.who = 1 AND c2.id = r2.id AND r1.id %% 7 <> 0
"""


def diversify(project: Project) -> None:
    """Outlets, speakers, attributions, agreement and gold on the volume builder's uniform rows."""
    reviewer = get_user_model().objects.create(username=f"{project.slug}-rev")
    Membership.objects.create(project=project, user=reviewer, role=Role.REVIEWER)
    speakers = Speaker.objects.bulk_create(
        Speaker(project=project, name=f"Speaker {i}", kind=KINDS[i % 5], affiliation=AFFILIATIONS[i % 8])
        for i in range(60)
    )
    first = speakers[0].pk
    scope = (
        "assignment_id IN (SELECT a.id FROM labeling_assignment a "
        "JOIN corpus_passage p ON p.id = a.passage_id "
        "JOIN corpus_document d ON d.id = p.document_id WHERE d.project_id = %(project)s)"
    )
    params = {"project": project.pk, "first": first}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE corpus_document SET source = CASE WHEN id %% 9 = 0 THEN '' "
            "ELSE 'Outlet ' || (id %% 9) END WHERE project_id = %(project)s",
            params,
        )
        cursor.execute(
            f"UPDATE labeling_claim SET speaker_id = %(first)s + id %% 60, "
            f"attribution = CASE WHEN id %% 2 = 0 THEN 'direct' ELSE 'indirect' END "
            f"WHERE id %% 4 <> 0 AND {scope}",
            params,
        )
        # Ranked once into an indexed table: joining a CTE to itself has no index to use.
        cursor.execute(RANKED, params)
        cursor.execute("CREATE INDEX ON bench_ranked (passage_id, k, who)")
        cursor.execute("ANALYZE bench_ranked")
        cursor.execute(AGREE, params)
        cursor.execute("DROP TABLE bench_ranked")
        cursor.execute(
            "INSERT INTO review_adjudication "
            "(passage_id, reviewer_id, note, version, created_at, updated_at) "
            "SELECT p.id, %(reviewer)s, '', 1, now(), now() FROM corpus_passage p "
            "JOIN corpus_document d ON d.id = p.document_id "
            "WHERE d.project_id = %(project)s AND p.id %% 10 = 0",
            {**params, "reviewer": reviewer.pk},
        )
        cursor.execute(
            'INSERT INTO review_goldclaim (adjudication_id, start, "end", text, speaker_id, mention_start, '
            "mention_end, attribution, perspective, stance, target, confidence, note) "
            'SELECT x.id, c.start, c."end", c.text, c.speaker_id, NULL, NULL, c.attribution, c.perspective, '
            "c.stance, c.target, NULL, '' FROM review_adjudication x "
            "JOIN labeling_assignment a ON a.passage_id = x.passage_id "
            "JOIN labeling_claim c ON c.assignment_id = a.id "
            "WHERE x.reviewer_id = %(reviewer)s AND a.annotator_id = "
            "(SELECT MIN(b.annotator_id) FROM labeling_assignment b WHERE b.passage_id = x.passage_id)",
            {"reviewer": reviewer.pk},
        )
        cursor.execute("ANALYZE")


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def scalar(sql: str, params: dict) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def measure(project: Project, repeat: int) -> list[tuple[str, float, str]]:
    params = {"project": project.pk}
    project_count = (
        "SELECT count(*) FROM labeling_claim c JOIN labeling_assignment a ON a.id = c.assignment_id "
        "JOIN corpus_passage p ON p.id = a.passage_id JOIN corpus_document d ON d.id = p.document_id "
        "WHERE d.project_id = %(project)s"
    )
    researcher = get_user_model().objects.create(username=f"{project.slug}-res")
    Membership.objects.create(project=project, user=researcher, role=Role.RESEARCHER)
    client = Client()
    client.force_login(researcher)
    page = f"/projects/{project.slug}/who-says-what/"

    def refresh() -> None:
        consensus_mark_stale(project_id=project.pk)
        consensus_refresh(project_id=project.pk)

    refresh_seconds = best_of(repeat, refresh)
    state = consensus_state(project=project)
    report = who_says_what_report(project=project, scope=Scope(), state=state)
    counted = f"{report['claims']['gold']:,} gold + {report['claims']['majority']:,} majority"
    api = f"/api/v1/projects/{project.slug}/who-says-what/"
    one_outlet = ClaimFilter(scope=Scope(outlets=("Outlet 3",)), perspective="chinese")
    figures: list[tuple[str, Callable[[], object], str]] = [
        ("floor: count(*) of all claims", lambda: scalar("SELECT count(*) FROM labeling_claim", {}), ""),
        (FLOOR, lambda: scalar(project_count, params), ""),
        (
            "live majority count (the refresh's SELECT alone)",
            lambda: scalar(LIVE, {**params, "submitted": "submitted"}),
            "",
        ),
        (
            "report by outlet (selector)",
            lambda: who_says_what_report(project=project, scope=Scope(), state=state),
            counted,
        ),
        (
            "report by document (selector)",
            lambda: who_says_what_report(project=project, scope=Scope(by="document"), state=state),
            "",
        ),
        ("page by outlet (HTTP, in-process)", lambda: client.get(page), ""),
        ("API JSON by outlet", lambda: client.get(api), ""),
        (
            "claims list, one outlet, first page",
            lambda: claims_page(project=project, claim_filter=one_outlet),
            "",
        ),
    ]
    rows = [(name, best_of(repeat, run), note) for name, run, note in figures]
    return [*rows, ("refresh: rebuild the stored rows (worker, after changes)", refresh_seconds, "")]


def print_table(rows: list[tuple]) -> None:
    print()
    print("| claims | figure | seconds | × project count(*) | counted |")
    print("|---:|---|---:|---:|---|")
    floors = {size: seconds for size, name, seconds, _ in rows if name == FLOOR}
    for size, name, seconds, note in rows:
        print(f"| {size:,} | {name} | {seconds:.3f} | {seconds / floors[size]:.1f} | {note} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    run = int(time.time())
    rows = []
    projects: list[Project] = []
    try:
        for size in args.sizes:
            started = time.perf_counter()
            project = build_volume_project(slug=f"bench-wsw-{run}-{size}", claims=size)
            projects.append(project)
            diversify(project)
            project_scores_refresh(project=project)  # what the review writes keep (rows made by COPY lack it)
            print(f"built {size:,} claims in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            rows += [(size, *row) for row in measure(project, args.repeat)]
            print_table(rows)  # after each size: a long run shows what it has so far
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM analytics_consensusclaim WHERE project_id = ANY(%s)", [[p.pk for p in projects]]
            )
            cursor.execute(
                "DELETE FROM review_passagelabel WHERE project_id = ANY(%s)", [[p.pk for p in projects]]
            )
            cursor.execute(
                "DELETE FROM review_passagescore WHERE project_id = ANY(%s)", [[p.pk for p in projects]]
            )
            cursor.execute(
                "DELETE FROM review_goldclaim g "
                "USING review_adjudication x, corpus_passage p, corpus_document d "
                "WHERE g.adjudication_id = x.id AND x.passage_id = p.id AND p.document_id = d.id "
                "AND d.project_id = ANY(%s)",
                [[p.pk for p in projects]],
            )
            cursor.execute(
                "DELETE FROM review_adjudication x USING corpus_passage p, corpus_document d "
                "WHERE x.passage_id = p.id AND p.document_id = d.id AND d.project_id = ANY(%s)",
                [[p.pk for p in projects]],
            )
        drop([p.pk for p in projects])


if __name__ == "__main__":
    main()
