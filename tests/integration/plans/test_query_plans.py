"""Every page and list reads the big tables through an index, also beside another large project.

A project of 60k submitted claims (3k passages, 10 annotators) next to an older one of the same size:
each page and API list is requested as the role that uses it, and every query it sends that touches
claims, assignments, passages or the stored review scores is EXPLAINed on PostgreSQL; a sequential scan
of one of those tables fails the test (it would grow with the database, not with the page).
"""

import json
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotator.corpus.models import Membership, Project, Role
from annotator.review.scoring import project_scores_refresh
from tests.integration.exports.volume import build_volume_project
from tests.integration.plans.pages import WHOLE_PROJECT_FIGURES, pages

pytestmark = pytest.mark.django_db

BIG_TABLES = {"labeling_claim", "labeling_assignment", "corpus_passage", "review_passagescore"}
CLAIMS = 60_000
# An annotator's page of their own claims skips the other nine annotators' claims in between: ~500 rows.
MAX_FILTERED = 2_000


def plan_nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def wasted_reads(sql: str) -> set[str]:
    """The big tables the query reads sequentially, or of which it reads and throws away more rows than
    a page's worth (an index walked through another project's rows), by EXPLAIN ANALYZE."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    found = set()
    for node in plan_nodes(plan[0]["Plan"]):
        table = node.get("Relation Name")
        if table not in BIG_TABLES:
            continue
        if node["Node Type"] == "Seq Scan":
            found.add(f"{table}: sequential scan")
        removed = node.get("Rows Removed by Filter", 0) * node.get("Actual Loops", 1)
        if removed > MAX_FILTERED:
            found.add(f"{table}: {removed} rows read and filtered out ({node.get('Index Name')})")
    return found


@pytest.fixture(scope="module")
def volume(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    with django_db_blocker.unblock():
        older, project = (
            build_volume_project(slug=slug, claims=CLAIMS, annotators=10, claims_per_assignment=2)
            for slug in ("plans-older", "plans")
        )
        project_scores_refresh(project=older)
        project_scores_refresh(project=project)
        with connection.cursor() as cursor:  # as autovacuum leaves freshly loaded tables
            cursor.execute("VACUUM ANALYZE")
        reviewer = get_user_model().objects.create_user("plans-rev", password="x")
        Membership.objects.create(project=project, user=reviewer, role=Role.REVIEWER)
        yield project, reviewer
        with connection.cursor() as cursor:  # committed outside any test's transaction: remove by hand
            for table in ("review_passagelabel", "review_passagescore"):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute("DELETE FROM labeling_claim WHERE project_id = ANY(%s)", [[older.pk, project.pk]])
        Project.objects.filter(pk__in=[older.pk, project.pk]).delete()
        get_user_model().objects.filter(username__startswith="plans").delete()


def test_pages_and_lists_read_the_big_tables_by_index(volume):
    project, reviewer = volume
    annotator = Membership.objects.filter(project=project, role=Role.ANNOTATOR).first().user
    clients = {"reviewer": Client(), "annotator": Client()}
    clients["reviewer"].force_login(reviewer)
    clients["annotator"].force_login(annotator)
    scans = {}
    for role, url in pages(project, annotator):
        if any(part in url for part in WHOLE_PROJECT_FIGURES) and not url.startswith("/api/"):
            continue
        with CaptureQueriesContext(connection) as captured:
            assert clients[role].get(url).status_code in (200, 204, 302), url
        for query in captured.captured_queries:
            sql = query["sql"]
            reads_big = sql.lstrip().upper().startswith("SELECT") and any(t in sql for t in BIG_TABLES)
            if reads_big and (found := wasted_reads(sql)):
                scans.setdefault(f"{role} {url}", []).append((sorted(found), sql[:1500]))
    assert scans == {}, "\n".join(
        f"{page}: {tables}\n  {sql}" for page, found in scans.items() for tables, sql in found
    )
