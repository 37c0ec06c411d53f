"""Exports carry each annotator's flag and time on task, in the same fixed number of queries."""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.models import Passage
from annotator.exports.selectors import ExportFilters, passage_records
from annotator.labeling.models import Assignment

pytestmark = pytest.mark.django_db


def records(annotated, **filters):
    return list(passage_records(project=annotated.project, filters=ExportFilters(**filters)))


def test_claims_carry_their_assignments_flag_and_time_on_task(annotated):
    first = annotated.passages[0]
    Assignment.objects.filter(passage=first, annotator__username="ann1").update(
        flag_reason="unclear", flag_note="Which pact?", active_seconds=140
    )
    exported = {r["passage_id"]: r for r in records(annotated)}
    ann1 = [c for c in exported[first.pk]["claims"] if c["annotator"] == "ann1"]
    assert ann1 and all((c["flag_reason"], c["active_seconds"]) == ("unclear", 140) for c in ann1)
    people = {p["username"]: p for p in exported[first.pk]["annotators"]}
    assert people["ann1"] == {
        "username": "ann1",
        "status": "submitted",
        "flag_reason": "unclear",
        "flag_note": "Which pact?",
        "active_seconds": 140,
    }


def test_a_flagged_assignment_without_claims_is_still_listed(annotated):
    first = annotated.passages[0]
    idle = Assignment.objects.create(
        passage=first, annotator=annotated.people["res"], status="skipped", flag_reason="off_topic"
    )
    exported = {r["passage_id"]: r for r in records(annotated, status="all")}
    people = {p["username"]: p for p in exported[first.pk]["annotators"]}
    assert people[idle.annotator.username]["flag_reason"] == "off_topic"
    assert all(c["annotator"] != idle.annotator.username for c in exported[first.pk]["claims"])


def test_a_gold_only_export_lists_no_annotators(annotated):
    assert all(r["annotators"] == [] for r in records(annotated, source="gold"))


@pytest.mark.parametrize("chunk_size", [1, 1000])
def test_flags_add_no_queries(annotated, chunk_size):
    Assignment.objects.update(flag_reason="unclear", active_seconds=30)
    filters = ExportFilters(status="all", source="all")
    passages = Passage.objects.filter(document__project=annotated.project).count()
    with CaptureQueriesContext(connection) as queries:
        list(passage_records(project=annotated.project, filters=filters, chunk_size=chunk_size))
    assert len(queries) == 1 + 2 * math.ceil(passages / chunk_size)
