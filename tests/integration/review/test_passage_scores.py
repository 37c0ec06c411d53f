"""Stored disagreement: the queue's scores equal a fresh comparison after every kind of write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.corpus.models import SpeakerMerge
from annotator.corpus.schema_services import schema_value_merge
from annotator.corpus.speaker_merges import speaker_merge_undo
from annotator.corpus.speakers import speaker_merge
from annotator.labeling.assignment_services import assignment_submit
from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.labeling.services import claim_create, claim_delete, claim_update
from annotator.review.models import PassageScore
from annotator.review.queue import QueueCursor, review_queue
from annotator.review.scoring import passage_scores_refresh, project_scores_refresh
from annotator.review.selectors import passage_review
from annotator.review.services import adjudication_save
from tests.integration.review.builders import annotate, import_article, no_agreement_refresh, speaker
from tests.integration.review.test_review_queue import claims

pytestmark = pytest.mark.django_db


def assert_scores_are_fresh(project) -> None:
    """Every stored score equals the passage's comparison computed now from its rows, and every
    passage with two or more submitted annotations has one."""
    reviewable = {
        p
        for p in Assignment.objects.filter(
            passage__document__project=project, status=AssignmentStatus.SUBMITTED
        ).values_list("passage_id", flat=True)
        if Assignment.objects.filter(passage_id=p, status=AssignmentStatus.SUBMITTED).count() >= 2
    }
    stored = {row.passage_id: row for row in PassageScore.objects.filter(project=project)}
    assert set(stored) == reviewable
    for passage_id, row in stored.items():
        live = passage_review(project=project, passage_id=passage_id)["disagreement"]
        assert (row.score, row.span, row.attributes, row.boundary) == (
            live["score"],
            live["span"],
            live["attributes"],
            live["boundary"],
        ), passage_id
        assert tuple(row.differences) == tuple(live["kinds"])


def own_claims(passage, username):
    return list(
        Claim.objects.filter(assignment__passage=passage, assignment__annotator__username=username)
        .select_related("assignment__passage__document__project")
        .order_by("start")
    )


def test_scores_follow_submit_edit_after_submit_and_delete(project, passages):
    annotate(project, passages[0], {"ann1": claims(), "ann2": claims()})
    assert PassageScore.objects.get(passage=passages[0]).score == 0
    assert_scores_are_fresh(project)

    first = own_claims(passages[0], "ann2")[0]
    with no_agreement_refresh():
        claim_update(claim=first, version=first.version, stance="favor")
    assert PassageScore.objects.get(passage=passages[0]).differences == ["stance"]
    assert_scores_are_fresh(project)

    last = own_claims(passages[0], "ann2")[-1]
    with no_agreement_refresh():
        claim_delete(claim=last, version=last.version)
    assert "missing" in PassageScore.objects.get(passage=passages[0]).differences
    assert_scores_are_fresh(project)

    annotate(project, passages[0], {"ann3": claims()[:1]})  # a third submission changes every pair
    assert PassageScore.objects.get(passage=passages[0]).annotators == 3
    assert_scores_are_fresh(project)


def test_a_passage_with_one_submission_is_not_in_the_queue_until_the_second(project, passages):
    annotate(project, passages[1], {"ann1": claims()})
    assert not PassageScore.objects.filter(passage=passages[1]).exists()
    assert review_queue(project=project, status="all").entries == []
    annotate(project, passages[1], {"ann2": claims()[:1]})
    assert [e.passage_id for e in review_queue(project=project).entries] == [passages[1].pk]


def test_an_edit_on_a_passage_still_in_progress_does_not_touch_the_scores(project, passages):
    annotate(project, passages[2], {"ann1": claims(), "ann2": claims()})
    before = PassageScore.objects.get(passage=passages[2]).scored_at
    assignment = Assignment.objects.select_related("passage__document__project").get(
        passage=passages[2], annotator__username="ann3"
    )
    claim_create(assignment=assignment, start=0, end=9, attribution="authorial", perspective="chinese",
                 stance="neutral")  # fmt: skip
    assert PassageScore.objects.get(passage=passages[2]).scored_at == before
    assert PassageScore.objects.get(passage=passages[2]).annotators == 2


def test_unchanged_passages_are_not_rescored(project, passages):
    for passage in passages[:3]:
        annotate(project, passage, {"ann1": claims(), "ann2": claims()[:2]})
    assert passage_scores_refresh(passage_ids=[p.pk for p in passages]) == 0
    assert project_scores_refresh(project=project) == 0
    PassageScore.objects.filter(passage=passages[0]).update(digest="stale", score=9)
    assert project_scores_refresh(project=project) == 1
    assert_scores_are_fresh(project)


def test_a_speaker_merge_and_its_undo_rescore_the_passages_of_the_claims_they_move(
    project, passages, members
):
    blinken = speaker(project, "Antony Blinken", affiliation="us_gov")
    twin = speaker(project, "A. Blinken", affiliation="us_gov")
    annotate(
        project,
        passages[3],
        {
            "ann1": [{"phrase": "the treaty threatens regional stability", "speaker": blinken}],
            "ann2": [{"phrase": "the treaty threatens regional stability", "speaker": twin}],
        },
    )
    assert PassageScore.objects.get(passage=passages[3]).differences == ["speaker"]
    speaker_merge(project=project, canonical=blinken, duplicates=[twin], merged_by=members["rev"])
    assert PassageScore.objects.get(passage=passages[3]).score == 0
    assert_scores_are_fresh(project)
    speaker_merge_undo(merge=SpeakerMerge.objects.get(project=project))
    assert PassageScore.objects.get(passage=passages[3]).differences == ["speaker"]
    assert_scores_are_fresh(project)


def test_merging_two_stance_values_in_the_schema_rescores_the_passages_that_used_them(project, passages):
    annotate(
        project,
        passages[4],
        {"ann1": claims(), "ann2": claims(**{"0": {"stance": "favor"}})},
    )
    assert PassageScore.objects.get(passage=passages[4]).differences == ["stance"]
    with no_agreement_refresh():
        schema_value_merge(
            project=project, field="stances", source="favor", target="against", changed_by=None
        )
    assert PassageScore.objects.get(passage=passages[4]).score == 0
    assert_scores_are_fresh(project)


def test_adjudication_moves_a_passage_between_open_and_adjudicated_without_rescoring(
    project, passages, members
):
    annotate(project, passages[5], {"ann1": claims(), "ann2": claims()[:1]})
    scored_at = PassageScore.objects.get(passage=passages[5]).scored_at
    with no_agreement_refresh():
        adjudication_save(passage=passages[5], reviewer=members["rev"], version=0, claims=[], note="")
    assert review_queue(project=project).entries == []
    (entry,) = review_queue(project=project, status="adjudicated").entries
    assert entry.adjudicated and not entry.changed_since_adjudication
    assert PassageScore.objects.get(passage=passages[5]).scored_at == scored_at
    resubmitted = Assignment.objects.select_related("passage__document__project").get(
        passage=passages[5], annotator__username="ann2"
    )
    with no_agreement_refresh():
        assignment_submit(assignment=resubmitted)
    (entry,) = review_queue(project=project, status="adjudicated").entries
    assert entry.changed_since_adjudication


def test_keyset_pages_walk_the_whole_queue_once_in_order(project, members):
    article = import_article(project, "Long", 7)
    for i, passage in enumerate(article):
        annotate(project, passage, {"ann1": claims(), "ann2": claims()[: 1 + i % 3]})
    everything = review_queue(project=project, status="all", limit=100).entries
    walked, after, ranks = [], None, []
    while True:
        page = review_queue(project=project, status="all", after=after, limit=3)
        walked += [e.passage_id for e in page.entries]
        ranks.append(page.first_rank)
        if page.next_cursor is None:
            break
        after = QueueCursor.decode(page.next_cursor.encode())
    assert walked == [e.passage_id for e in everything] and len(walked) == 7
    assert ranks == [1, 4, 7]
    assert [e.score for e in everything] == sorted((e.score for e in everything), reverse=True)
    assert review_queue(project=project, status="all", limit=7).next_cursor is None
    assert review_queue(project=project, document_id=999999).entries == []
    assert review_queue(project=project, document_id=999999).counts["reviewable"] == 0


def test_the_queue_page_and_next_run_a_fixed_number_of_queries(client, project, members):
    client.force_login(members["rev"])
    url = reverse("review-queue", args=[project.slug])
    small = import_article(project, "Small", 2)
    for passage in small:
        annotate(project, passage, {"ann1": claims(), "ann2": claims()[:2]})
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as few_next:
        assert client.get(reverse("review-next", args=[project.slug])).status_code == 302
    large = import_article(project, "Large", 12)
    for passage in large:
        annotate(project, passage, {"ann1": claims(), "ann2": claims()[:1], "ann3": claims()[:2]})
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count('data-passage="') == 14
    with CaptureQueriesContext(connection) as many_next:
        assert client.get(reverse("review-next", args=[project.slug])).status_code == 302
    assert len(many) == len(few) > 0
    assert len(many_next) == len(few_next) > 0


def test_the_api_pages_by_cursor_and_refuses_a_forged_one(project, members):
    from rest_framework.test import APIClient

    article = import_article(project, "Paged", 5)
    for passage in article:
        annotate(project, passage, {"ann1": claims(), "ann2": claims()[:2]})
    api = APIClient()
    api.force_authenticate(members["rev"])
    first = api.get("/api/v1/review-queue/", {"project": project.pk, "page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["counts"]["open"] == 5
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    assert third["next"] is None and len(third["results"]) == 1
    seen = [r["passage"] for page in (first, second, third) for r in page["results"]]
    assert sorted(seen) == sorted(p.pk for p in article)
    bad = api.get("/api/v1/review-queue/", {"project": project.pk, "after": "x'; drop"})
    assert bad.status_code == 400 and "after" in bad.json()


def test_the_label_filter_follows_an_edit_after_submit(project, passages):
    annotate(project, passages[0], {"ann1": claims(), "ann2": claims()})
    assert review_queue(project=project, label="stance:favor").entries != []
    assert review_queue(project=project, label="russian").entries == []
    first = own_claims(passages[0], "ann2")[0]
    with no_agreement_refresh():
        claim_update(claim=first, version=first.version, perspective="russian")
    (entry,) = review_queue(project=project, label="perspective:russian").entries
    assert entry.passage_id == passages[0].pk
    assert review_queue(project=project, label="russian").counts["reviewable"] == 1
    edited = own_claims(passages[0], "ann2")
    with no_agreement_refresh():
        claim_update(claim=edited[0], version=edited[0].version, perspective="us_western")
    assert review_queue(project=project, label="russian").entries == []
