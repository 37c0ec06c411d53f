"""Importing doccano and Label Studio exports with their annotations: all or nothing, errors per record."""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from annotator.corpus.models import Document, Membership, Passage, Role
from annotator.exports.importing import annotations_import
from annotator.labeling.models import Assignment, AssignmentStatus, Claim

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DOCCANO = FIXTURES / "doccano" / "alice.jsonl"
LABEL_STUDIO = FIXTURES / "label_studio" / "project-12-at-2025-03-04-09-41-5b3e1c2a.json"
DOCCANO_LABELS = {"RU": "russian", "US": "us_western", "DPRK": "north_korean", "CN": "chinese"}
LS_LABELS = {"Russia": "russian", "US": {"perspective": "us_western"}, "China": "chinese"}


def counts() -> tuple[int, int, int, int]:
    return (
        Document.objects.count(),
        Passage.objects.count(),
        Assignment.objects.count(),
        Claim.objects.count(),
    )


def doccano(project, lines: list[dict] | None = None, **options):
    """Import alice's doccano file (or ``lines`` as hers); alice is no member, so she gets an account."""
    data = DOCCANO.read_bytes() if lines is None else "\n".join(json.dumps(line) for line in lines).encode()
    options.setdefault("label_map", DOCCANO_LABELS)
    options.setdefault("create_users", True)
    return annotations_import(project=project, format="doccano", files=[("alice.jsonl", data)], **options)


def test_doccano_records_become_one_passage_documents_and_alices_spans_her_claims(project, members):
    summary = doccano(project)
    assert summary.written and summary.errors == []
    assert (summary.new_documents, summary.assignments, summary.claims) == (4, 3, 5)
    assert summary.users_created == ["alice"]
    alice = get_user_model().objects.get(username="alice")
    assert not alice.has_usable_password()
    assert Membership.objects.get(project=project, user=alice).role == Role.ANNOTATOR
    assert set(Assignment.objects.filter(annotator=alice).values_list("status", flat=True)) == {
        AssignmentStatus.SUBMITTED
    }
    assert not Assignment.objects.filter(annotator=alice, claims__isnull=True).exists(), (
        "doccano lists every example in every member's file: a record with no span is no sign she read it"
    )
    for passage in Passage.objects.filter(document__project=project):
        assert (passage.start, passage.end, passage.text) == (
            0,
            len(passage.document.text),
            passage.document.text,
        )
    claim = Claim.objects.get(perspective="north_korean")
    assert claim.text == "new era", "doccano's UTF-16 offsets (after 𝕏) are converted to code points"
    assert (claim.stance, claim.attribution, claim.target) == (
        "neutral",
        "authorial",
        project.schema["default_target"],
    ), "what the label does not say comes from the schema defaults"


def test_label_studio_annotators_map_to_users_and_per_region_choices_fill_the_claim(project, members):
    data = LABEL_STUDIO.read_bytes()
    summary = annotations_import(
        project=project,
        format="label_studio",
        files=[(LABEL_STUDIO.name, data)],
        label_map=LS_LABELS,
        annotator_map={"1": "ann1", "ana@example.org": "ann1", "2": "ann2", "3": "ann3"},
    )
    assert summary.written and summary.errors == [] and summary.users_created == []
    skipped = Assignment.objects.get(annotator__username="ann3")
    assert skipped.status == AssignmentStatus.SKIPPED and not skipped.claims.exists(), (
        "a cancelled annotation"
    )
    by_user = {
        name: sorted(Claim.objects.filter(assignment__annotator__username=name).values_list("text", "stance"))
        for name in ("ann1", "ann2")
    }
    assert ("very substantive", "favor") in by_user["ann1"] and ("very substantive", "favor") in by_user[
        "ann2"
    ]
    assert any(stance == "against" for _, stance in by_user["ann1"])


def test_unknown_labels_offsets_outside_the_text_and_mismatched_text_are_reported_and_nothing_is_written(
    project, members
):
    before = counts()
    lines = [
        {"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "RU"]]},
        {"id": 2, "text": "Blinken was worried.", "label": [[0, 7, "MARTIAN"]]},
        {"id": 3, "text": "Short.", "label": [[0, 60, "US"]]},
    ]
    summary = doccano(project, lines)
    assert not summary.written and counts() == before
    messages = [(e.line_or_index, e.message) for e in summary.errors]
    assert any(line == 2 and "unknown label 'MARTIAN'" in m for line, m in messages)
    assert any(line == 3 and "outside the text" in m for line, m in messages)
    assert all(line != 1 for line, _ in messages)

    tasks = [
        {
            "id": 9,
            "data": {"text": "Xi met Putin."},
            "annotations": [
                {
                    "completed_by": {"username": "ann1"},
                    "result": [
                        {"id": "r", "type": "labels", "from_name": "label", "to_name": "text",
                         "value": {"start": 0, "end": 2, "text": "Kim", "labels": ["China"]}},
                    ],
                }
            ],
        }
    ]  # fmt: skip
    summary = annotations_import(
        project=project,
        format="label_studio",
        files=[("ls.json", json.dumps(tasks).encode())],
        label_map=LS_LABELS,
    )
    assert not summary.written and counts() == before
    assert "'Kim' is not the text at those offsets" in summary.errors[0].message


def test_skip_invalid_imports_the_good_records_only(project, members):
    lines = [
        {"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "RU"]]},
        {"id": 2, "text": "Blinken was worried.", "label": [[0, 7, "MARTIAN"]]},
    ]
    summary = doccano(project, lines, skip_invalid=True)
    assert summary.written and len(summary.errors) == 1
    assert list(Claim.objects.values_list("text", flat=True)) == ["Putin"]
    assert Document.objects.count() == 1


def test_importing_the_same_file_again_adds_nothing(project, members):
    doccano(project)
    before = counts()
    again = doccano(project)
    assert again.written and counts() == before
    assert (again.new_documents, again.aligned_records, again.claims) == (0, 4, 0)
    assert again.annotators["alice"].already_there == 3


def test_a_label_can_set_stance_and_attribution_and_the_schema_bounds_them(project, members):
    lines = [{"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "PRO"]]}]
    doccano(
        project,
        lines,
        label_map={"PRO": {"perspective": "russian", "stance": "favor", "attribution": "direct"}},
    )
    assert Claim.objects.values_list("perspective", "stance", "attribution").get() == (
        "russian",
        "favor",
        "direct",
    )
    bad = doccano(
        project, [{"id": 2, "text": "Another text.", "label": [[0, 7, "X"]]}], label_map={"X": "martian"}
    )
    assert not bad.written and "'martian' is not one of" in bad.errors[0].message


def test_a_name_that_cannot_be_a_username_asks_for_the_annotator_map(project, members):
    lines = [{"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "RU"]], "annotator": "Jane Doe"}]
    summary = doccano(project, lines)
    assert not summary.written and "cannot be a username" in summary.errors[0].message
    assert "annotator map" in summary.errors[0].message
    summary = doccano(project, lines, annotator_map={"Jane Doe": "ann3"})
    assert summary.written
    assert Claim.objects.get().assignment.annotator == members["ann3"]


def test_several_files_of_one_text_share_its_document(project, members):
    line = {"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "RU"]]}
    files = [("ann1.jsonl", json.dumps(line).encode()), ("ann2.jsonl", json.dumps(line).encode())]
    summary = annotations_import(project=project, format="doccano", files=files, label_map=DOCCANO_LABELS)
    assert (summary.new_documents, summary.assignments, summary.claims) == (1, 2, 2)
    assert set(Claim.objects.values_list("assignment__annotator__username", flat=True)) == {"ann1", "ann2"}


def test_crlf_text_is_stored_normalised_with_the_offsets_moved(project, members):
    text = "Line one.\r\nPutin praised the treaty."
    summary = doccano(project, [{"id": 1, "text": text, "label": [[11, 16, "RU"]]}])
    assert summary.written
    claim = Claim.objects.get()
    assert (claim.start, claim.end, claim.text) == (10, 15, "Putin")
    assert claim.assignment.passage.text == "Line one.\nPutin praised the treaty."


def test_skip_invalid_leaves_out_every_claim_of_an_annotator_who_cannot_be_a_user(project, members):
    lines = [
        {"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "RU"]], "annotator": "Jane Doe"},
        {"id": 2, "text": "Xi said little.", "label": [[0, 2, "CN"]], "annotator": "Jane Doe"},
        {"id": 3, "text": "Blinken was worried.", "label": [[0, 7, "US"]], "annotator": "ann1"},
    ]
    summary = doccano(project, lines, skip_invalid=True)
    assert summary.written and len(summary.errors) == 1
    assert list(Claim.objects.values_list("assignment__annotator__username", flat=True)) == ["ann1"]
    assert not get_user_model().objects.filter(username="Jane Doe").exists()


def test_an_empty_file_is_reported_not_silently_accepted(project, members):
    summary = annotations_import(
        project=project, format="doccano", files=[("empty.jsonl", b"")], label_map={}
    )
    assert not summary.written and "empty" in summary.errors[0].message
