"""The disagreement queue: ranking, filters, counts, freshness and a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.labeling.assignment_services import assignment_submit
from annotator.labeling.models import Claim
from annotator.labeling.services import claim_update
from annotator.review.queue import review_queue
from annotator.review.services import adjudication_save
from tests.integration.review.builders import annotate, import_article, no_agreement_refresh, speaker

pytestmark = pytest.mark.django_db

THREAT = "the treaty threatens regional stability"
NEEDS = "both states have normal needs for exchanges"
BRIDGE = "the bridge over the Tumen River matters most"


def claims(**changes):
    """Three claims every annotator marks alike unless `changes` says otherwise."""
    base = [
        {"phrase": THREAT, "stance": "against"},
        {"phrase": NEEDS, "stance": "favor", "perspective": "chinese"},
        {"phrase": BRIDGE, "stance": "neutral", "attribution": "authorial", "perspective": "chinese"},
    ]
    return [spec | changes.get(str(i), {}) for i, spec in enumerate(base)]


def build_cases(project, passages):
    """Passage 0 identical, 1 a missing claim, 2 a flipped stance, 3 a one-word boundary difference."""
    cases = {
        "identical": claims(),
        "missing": claims()[:2],
        "stance": claims(**{"0": {"stance": "favor"}}),
        "boundary": claims(**{"1": {"trim_words": 1}}),
    }
    for passage, odd in zip(passages, cases.values(), strict=False):
        annotate(project, passage, {"ann1": claims(), "ann2": claims(), "ann3": odd})
    return {name: passages[i].pk for i, name in enumerate(cases)}


def test_missing_claim_and_flipped_stance_rank_above_a_boundary_difference_and_identical_last(
    project, passages
):
    ids = build_cases(project, passages)
    queue = review_queue(project=project)
    order = [entry.passage_id for entry in queue.entries]
    assert set(order[:2]) == {ids["missing"], ids["stance"]}
    assert order[2:] == [ids["boundary"], ids["identical"]]
    by_id = {entry.passage_id: entry for entry in queue.entries}
    assert by_id[ids["identical"]].score == 0 and by_id[ids["identical"]].differences == ()
    assert by_id[ids["missing"]].differences == ("missing",)
    assert by_id[ids["stance"]].differences == ("stance",)
    assert by_id[ids["boundary"]].differences == ("span",)
    assert by_id[ids["stance"]].annotators == ["ann1", "ann2", "ann3"]


def test_counts_say_how_many_disagree_and_how_many_are_adjudicated(project, passages, members):
    ids = build_cases(project, passages)
    annotate(project, passages[4], {"ann1": claims()})  # one submission only: nothing to compare
    adjudication_save(passage=passages[1], reviewer=members["rev"], version=0, claims=[], note="")
    queue = review_queue(project=project)
    assert queue.counts == {"reviewable": 4, "disagree": 3, "adjudicated": 1, "open": 3}
    assert ids["missing"] not in [e.passage_id for e in queue.entries]
    adjudicated = review_queue(project=project, status="adjudicated").entries
    assert [e.passage_id for e in adjudicated] == [ids["missing"]]
    assert adjudicated[0].adjudicated_by == "rev" and adjudicated[0].adjudication_version == 1
    assert len(review_queue(project=project, status="all").entries) == 4


def test_filters_by_document_annotator_and_label(project, passages, members):
    ids = build_cases(project, passages)
    other = import_article(project, "Second report", 2)
    annotate(project, other[0], {"ann1": claims(), "ann2": claims(**{"0": {"perspective": "russian"}})})
    everything = {e.passage_id for e in review_queue(project=project).entries}
    assert everything == {*ids.values(), other[0].pk}
    by_document = review_queue(project=project, document_id=other[0].document_id).entries
    assert [e.passage_id for e in by_document] == [other[0].pk]
    by_annotator = review_queue(project=project, annotator_id=members["ann3"].pk).entries
    assert {e.passage_id for e in by_annotator} == set(ids.values())
    russian = review_queue(project=project, label="perspective:russian").entries
    assert [e.passage_id for e in russian] == [other[0].pk]
    flipped = review_queue(project=project, label="stance:favor", annotator_id=members["ann3"].pk).entries
    assert {e.passage_id for e in flipped} == set(ids.values())
    assert review_queue(project=project, label="stance:nonsense").entries == []
    assert review_queue(project=project, label="colour:red").entries == []
    assert {e.passage_id for e in review_queue(project=project, label="authorial").entries} == everything


def test_the_queue_follows_a_resubmitted_edit_at_once(project, passages):
    ids = build_cases(project, passages)
    odd = Claim.objects.select_related("assignment__passage__document__project").get(
        assignment__passage_id=ids["stance"],
        assignment__annotator__username="ann3",
        stance="favor",
        perspective="us_western",
    )
    with no_agreement_refresh():
        claim_update(claim=odd, version=odd.version, stance="against")
        assignment_submit(assignment=odd.assignment)
    entry = next(e for e in review_queue(project=project).entries if e.passage_id == ids["stance"])
    assert entry.score == 0


def test_only_submitted_assignments_count(project, passages):
    annotate(project, passages[0], {"ann1": claims(), "ann2": claims()[:1]})
    from annotator.labeling.models import Assignment
    from annotator.labeling.services import claim_create

    in_progress = Assignment.objects.select_related("passage__document__project").get(
        passage=passages[0], annotator__username="ann3"
    )
    claim_create(
        assignment=in_progress, start=0, end=9, attribution="authorial", perspective="chinese", stance="favor"
    )
    (entry,) = review_queue(project=project).entries
    assert entry.annotators == ["ann1", "ann2"]


def test_speaker_differences_count_as_disagreement(project, passages):
    blinken, other = speaker(project, "Antony Blinken"), speaker(project, "Blinken")
    annotate(
        project,
        passages[0],
        {
            "ann1": [{"phrase": THREAT, "speaker": blinken}],
            "ann2": [{"phrase": THREAT, "speaker": other}],
        },
    )
    (entry,) = review_queue(project=project).entries
    assert entry.differences == ("speaker",) and entry.score > 0


def test_the_queue_runs_the_same_number_of_queries_for_two_passages_or_twelve(project, members):
    small = import_article(project, "Small", 2)
    for passage in small:
        annotate(project, passage, {"ann1": claims(), "ann2": claims()[:2], "ann3": claims()[:1]})
    with CaptureQueriesContext(connection) as few:
        assert len(review_queue(project=project).entries) == 2
    large = import_article(project, "Large", 10)
    for passage in large:
        annotate(project, passage, {"ann1": claims(), "ann2": claims()[:2], "ann3": claims()[:1]})
    adjudication_save(passage=large[0], reviewer=members["rev"], version=0, claims=[], note="")
    with CaptureQueriesContext(connection) as many:
        assert len(review_queue(project=project, status="all").entries) == 12
    assert len(many) == len(few) == 4
