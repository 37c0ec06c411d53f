"""Reads: the queue in document order across documents, progress in one query, visibility by role."""

import pytest

from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.labeling.assignment_services import assignment_skip, assignment_submit
from annotator.labeling.models import Assignment
from annotator.labeling.selectors import (
    assignments_for,
    claims_visible_to,
    next_assignment,
    progress_by_annotator,
    progress_by_project,
)
from annotator.labeling.services import claim_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_documents(assigned):
    later = "Later\n\nFirst paragraph of the later article.\n\nSecond paragraph of the later article.\n"
    documents_import(project=assigned, records=[ArticleRecord(title="Later", text=later)])
    from annotator.labeling.assignment_services import assignments_distribute

    assignments_distribute(project=assigned)
    return assigned


def queue_of(user, project) -> list[tuple[str, int]]:
    order = []
    after = None
    while (assignment := next_assignment(user=user, project=project, after=after)) is not None:
        order.append((assignment.passage.document.title, assignment.passage.position))
        assignment_submit(assignment=assignment)
        after = assignment
    return order


def test_the_queue_runs_through_documents_in_order_then_ends(two_documents, members):
    assert queue_of(members["ann2"], two_documents) == [
        ("Summit watch", 0),
        ("Summit watch", 1),
        ("Summit watch", 2),
        ("Later", 0),
        ("Later", 1),
    ]


def test_skipped_passages_leave_the_queue(two_documents, members, assignment_of):
    assignment_skip(assignment=assignment_of("ann1", 0))
    first = next_assignment(user=members["ann1"], project=two_documents)
    assert (first.passage.document.title, first.passage.position) == ("Summit watch", 1)


def test_progress_for_every_project_in_one_query(
    two_documents, members, assignment_of, django_assert_num_queries
):
    assignment_submit(assignment=assignment_of("ann1", 0))
    assignment_skip(assignment=assignment_of("ann1", 1))
    with django_assert_num_queries(1):
        progress = progress_by_project(user=members["ann1"])
    mine = progress[two_documents.pk]
    assert (mine.assigned, mine.submitted, mine.skipped, mine.open, mine.percent) == (5, 1, 1, 3, 20)
    assert progress_by_project(user=members["rev"]) == {}
    with django_assert_num_queries(1):
        rows = progress_by_annotator(project=two_documents)
    assert [(r.username, r.progress.submitted) for r in rows] == [("ann1", 1), ("ann2", 0), ("ann3", 0)]


def test_visibility_follows_the_role(two_documents, members, assignment_of, make_user):
    assignment = assignment_of("ann1", 0)
    claim_create(
        assignment=assignment, start=0, end=8, attribution="authorial", perspective="chinese", stance="favor"
    )
    assert {a.annotator.username for a in assignments_for(user=members["ann2"], project=two_documents)} == {
        "ann2"
    }
    assert assignments_for(user=members["rev"], project=two_documents).count() == Assignment.objects.count()
    assert assignments_for(user=members["outsider"], project=two_documents).count() == 0
    assert claims_visible_to(user=members["ann2"]).count() == 0
    assert claims_visible_to(user=members["res"]).count() == 1
    assert claims_visible_to(user=make_user("root", is_superuser=True)).count() == 1
