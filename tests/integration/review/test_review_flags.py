"""Reviewers see annotators' flags: the queue filters by flag, the passage page shows each annotator's
flag and time on task beside their version."""

import re

import pytest
from django.urls import reverse

from annotator.labeling.assignment_services import assignment_flag
from annotator.labeling.models import Assignment
from annotator.review.queue import ANY_FLAG, review_queue
from annotator.review.selectors import passage_review
from tests.integration.review.builders import annotate, import_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_passages(project, members):
    passages = import_article(project, "Report", 3)
    for passage in passages:
        annotate(
            project,
            passage,
            {"ann1": [{"start": 0, "end": 9}], "ann2": [{"start": 0, "end": 9, "stance": "favor"}]},
        )
    return passages


def flag(passage, username: str, reason: str, note: str = "") -> None:
    assignment = Assignment.objects.select_related("passage__document__project").get(
        passage=passage, annotator__username=username
    )
    assignment_flag(assignment=assignment, reason=reason, note=note)


def queued(project, **filters) -> list[int]:
    return [entry.passage_id for entry in review_queue(project=project, status="all", **filters).entries]


def test_the_queue_filters_by_any_flag_or_by_one_reason(project, three_passages):
    first, second, third = three_passages
    flag(first, "ann1", "unclear")
    flag(third, "ann2", "bad_segmentation")
    assert sorted(queued(project, flag=ANY_FLAG)) == sorted([first.pk, third.pk])
    assert queued(project, flag="bad_segmentation") == [third.pk]
    assert queued(project, flag="off_topic") == []
    assert len(queued(project)) == 3


def test_a_skipped_annotators_flag_counts_for_the_queue_filter(project, members, three_passages):
    first = three_passages[0]
    skipped = Assignment.objects.get(passage=first, annotator__username="ann3")
    Assignment.objects.filter(pk=skipped.pk).update(status="skipped", flag_reason="off_topic")
    assert queued(project, flag="off_topic") == [first.pk]


def test_the_queue_page_has_a_flag_filter_and_shows_the_flags(client, members, project, three_passages):
    flag(three_passages[1], "ann2", "unclear")
    client.force_login(members["rev"])
    page = client.get(reverse("review-queue", args=[project.slug]), {"flag": "unclear"}).content.decode()
    assert '<select name="flag">' in page
    links = re.findall(r"review/passages/(\d+)/", page)
    assert [int(pk) for pk in links] == [three_passages[1].pk]
    assert "flagged: unclear" in page


def test_the_passage_review_carries_each_annotators_flag_and_time(project, three_passages):
    passage = three_passages[0]
    flag(passage, "ann2", "unclear", "Which treaty?")
    Assignment.objects.filter(passage=passage, annotator__username="ann1").update(active_seconds=75)
    people = {p["username"]: p for p in passage_review(project=project, passage_id=passage.pk)["annotators"]}
    assert (people["ann2"]["flag_reason"], people["ann2"]["flag_note"]) == ("unclear", "Which treaty?")
    assert (people["ann1"]["flag_reason"], people["ann1"]["active_seconds"]) == ("", 75)


def test_the_review_page_shows_flags_and_time_beside_each_annotator(client, members, project, three_passages):
    passage = three_passages[0]
    flag(passage, "ann2", "bad_segmentation", "Cut <mid> sentence")
    Assignment.objects.filter(passage=passage, annotator__username="ann1").update(active_seconds=200)
    client.force_login(members["rev"])
    page = client.get(reverse("review-passage", args=[project.slug, passage.pk])).content.decode()
    ann2 = re.search(r'<tr data-annotator="ann2">(.*?)</tr>', page, re.S).group(1)
    assert "Bad segmentation" in ann2 and "Cut &lt;mid&gt; sentence" in ann2
    ann1 = re.search(r'<tr data-annotator="ann1">(.*?)</tr>', page, re.S).group(1)
    assert "3 min 20 s" in ann1
