"""The managers' progress page: counts per annotator and per document, a chart, a fixed number of queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.labeling.assignment_services import assignment_submit, assignments_distribute
from annotator.labeling.models import Assignment, AssignmentStatus
from annotator.labeling.services import claim_create

pytestmark = pytest.mark.django_db
URL = "/projects/summits/progress/"


def add_documents(project, count: int, start: int = 0) -> None:
    records = [
        ArticleRecord(
            title=f"Article {i}", text=f"Article {i}\nFirst paragraph {i} says a thing.\nSecond one {i} too."
        )
        for i in range(start, start + count)
    ]
    documents_import(project=project, records=records)
    assignments_distribute(project=project)


def work(username: str, *, submit: int, skip: int = 0, claims: int = 0) -> None:
    rows = list(Assignment.objects.filter(annotator__username=username).order_by("pk"))
    for assignment in rows[:claims]:
        text = assignment.passage.text
        claim_create(
            assignment=assignment, start=0, end=len(text.split(" ")[0]), attribution="authorial",
            perspective="chinese", stance="favor",
        )  # fmt: skip
    for assignment in rows[:submit]:
        assignment_submit(assignment=assignment)
    Assignment.objects.filter(pk__in=[a.pk for a in rows[submit : submit + skip]]).update(
        status=AssignmentStatus.SKIPPED
    )


def get(user):
    client = Client()
    client.force_login(user)
    return client


def queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_numbers_per_annotator_and_document(project, members):
    add_documents(project, 2)  # 4 passages, 3 annotators each
    work("ann1", submit=2, skip=1, claims=3)
    first_of_ann2 = Assignment.objects.filter(annotator__username="ann2").order_by("pk").first()
    Assignment.objects.filter(pk=first_of_ann2.pk).update(status=AssignmentStatus.IN_PROGRESS)
    response = get(members["man"]).get(URL)
    rows = {row.username: row for row in response.context["annotators"]}
    ann1, ann2 = rows["ann1"], rows["ann2"]
    assert (ann1.assigned, ann1.open, ann1.in_progress, ann1.submitted, ann1.skipped) == (4, 1, 0, 2, 1)
    assert ann1.claims == 3 and ann1.last_activity is not None
    assert (ann2.assigned, ann2.in_progress, ann2.open, ann2.claims) == (4, 1, 3, 0)
    documents = response.context["documents"]
    assert [(d.passages, d.done, d.total) for d in documents] == [(2, 2, 6), (2, 1, 6)]
    assert response.context["totals"]["submitted"] == 2
    assert "<svg" in response.context["chart"] and "2 submitted" in response.context["chart"]


def test_the_page_costs_the_same_queries_for_a_small_and_a_larger_project(project, members):
    client = get(members["man"])
    add_documents(project, 2)
    work("ann1", submit=1, claims=1)
    client.get(URL)  # warm the session
    small = queries(client)
    add_documents(project, 30, start=2)
    for name in ("ann2", "ann3"):
        work(name, submit=20, skip=3, claims=10)
    assert queries(client) == small
    assert small <= 10


@pytest.mark.parametrize("who", ["ann1", "rev", "res", "outsider"])
def test_only_managers_see_the_progress_page(project, members, who):
    assert get(members[who]).get(URL).status_code == 404


def test_titles_and_usernames_are_escaped(project, members, make_user):
    documents_import(
        project=project, records=[ArticleRecord(title="<b>bold</b>", text="<b>bold</b>\nA body line here.")]
    )
    body = get(members["man"]).get(URL).content.decode()
    assert "<b>bold</b>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body
