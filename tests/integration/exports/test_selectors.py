"""passage_records: what a filtered export holds, read in a fixed number of queries a chunk."""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.models import Passage
from annotator.corpus.services import project_create
from annotator.exports.selectors import ExportFilters, passage_records
from annotator.labeling.models import Assignment, AssignmentStatus

pytestmark = pytest.mark.django_db


def records(annotated, **filters):
    return list(passage_records(project=annotated.project, filters=ExportFilters(**filters)))


def test_every_submitted_claim_appears_once_with_offsets_and_text_matching_its_passage(annotated):
    exported = records(annotated)
    claims = [(record, claim) for record in exported for claim in record["claims"]]
    assert sorted(claim["id"] for _, claim in claims) == sorted(c.pk for c in annotated.submitted)
    for record, claim in claims:
        assert record["text"][claim["start"] : claim["end"]] == claim["text"]
    passages = {p.pk: p for p in Passage.objects.filter(pk__in=[r["passage_id"] for r in exported])}
    for record in exported:
        passage = passages[record["passage_id"]]
        assert (record["text"], record["start"], record["end"]) == (passage.text, passage.start, passage.end)
        assert record["gold"] is None, "gold is only read when the source asks for it"


def test_passages_come_in_document_order_with_speakers_and_usernames(annotated):
    exported = records(annotated)
    assert [(r["document_id"], r["position"]) for r in exported] == sorted(
        (r["document_id"], r["position"]) for r in exported
    )
    spoken = [c for r in exported for c in r["claims"] if c["speaker"]]
    assert spoken and spoken[0]["speaker"] == {
        "id": annotated.speaker.pk,
        "name": "@SUM(A1) Wang Junsheng",
        "kind": "person",
        "affiliation": "cn_scholar",
    }
    assert {c["annotator"] for r in exported for c in r["claims"]} == {"ann1", "ann2"}


def test_status_all_adds_work_in_progress_and_passages_nobody_annotated(annotated):
    exported = records(annotated, status="all")
    ids = {c["id"] for r in exported for c in r["claims"]}
    assert ids == {c.pk for c in annotated.submitted + annotated.unsubmitted}
    assert len(exported) == Passage.objects.filter(document__project=annotated.project).count()


def test_annotator_filter_keeps_their_claims_and_the_passages_they_submitted(annotated):
    exported = records(annotated, annotators=("ann2",))
    assert {c["annotator"] for r in exported for c in r["claims"]} == {"ann2"}
    submitted = Assignment.objects.filter(
        annotator=annotated.people["ann2"], status=AssignmentStatus.SUBMITTED
    ).values_list("passage_id", flat=True)
    assert {r["passage_id"] for r in exported} == set(submitted)


def test_document_filter_keeps_only_those_documents(annotated):
    astral = annotated.passages[2]
    exported = records(annotated, documents=(astral.document_id,))
    assert [r["passage_id"] for r in exported] == [astral.pk]


def test_gold_source_gives_the_adjudicated_passages_with_their_gold_claims_only(annotated):
    exported = records(annotated, source="gold")
    assert [r["passage_id"] for r in exported] == [annotated.passages[0].pk]
    assert exported[0]["claims"] == []
    gold = exported[0]["gold"]
    assert [(g["annotator"], g["perspective"]) for g in gold] == [("gold", "chinese")]
    assert exported[0]["text"][gold[0]["start"] : gold[0]["end"]] == gold[0]["text"]


def test_source_all_gives_claims_and_gold(annotated):
    exported = records(annotated, source="all")
    assert len(exported) == 3
    assert [r["gold"] is not None for r in exported] == [True, False, False]


@pytest.mark.parametrize(
    "filters",
    [
        {"annotators": ("nobody",)},
        {"documents": (10**9,)},
        {"annotators": ("ann3",)},  # ann3 submitted nothing
    ],
)
def test_a_filter_that_selects_nothing_gives_no_records(annotated, filters):
    assert records(annotated, **filters) == []


def test_an_empty_project_gives_no_records(db):
    empty = project_create(name="Empty", slug="empty")
    assert list(passage_records(project=empty, filters=ExportFilters(status="all", source="all"))) == []


@pytest.mark.parametrize("chunk_size", [1, 2, 1000])
def test_queries_are_one_cursor_plus_two_per_chunk_whatever_the_number_of_claims(annotated, chunk_size):
    filters = ExportFilters(status="all", source="all")
    passages = Passage.objects.filter(document__project=annotated.project).count()
    with CaptureQueriesContext(connection) as queries:
        exported = list(passage_records(project=annotated.project, filters=filters, chunk_size=chunk_size))
    assert len(exported) == passages
    assert len(queries) == 1 + 2 * math.ceil(passages / chunk_size)
