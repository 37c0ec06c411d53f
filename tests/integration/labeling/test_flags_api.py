"""Flagging a passage: set, clear, validation and ownership (POST /api/v1/assignments/{id}/flag/),
and a skip that records its reason as the flag."""

import pytest

from annotator.labeling.models import Assignment, AssignmentStatus

pytestmark = pytest.mark.django_db


def flag_url(assignment: Assignment) -> str:
    return f"/api/v1/assignments/{assignment.pk}/flag/"


def test_the_annotator_flags_a_passage_and_gets_the_assignment_back(api_client, members, assignment_of):
    assignment = assignment_of("ann1", 1)
    body = {"reason": "bad_segmentation", "note": "Two paragraphs run together."}
    response = api_client(members["ann1"]).post(flag_url(assignment), body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["flag_reason"] == "bad_segmentation"
    assert data["flag_note"] == "Two paragraphs run together."
    assert data["flagged_at"] is not None
    assert data["passage_number"] == 2
    assert data["document_title"] == "Summit watch"
    assert data["active_seconds"] == 0
    assert data["status"] == AssignmentStatus.ASSIGNED
    stored = Assignment.objects.get(pk=assignment.pk)
    assert (stored.flag_reason, stored.flag_note) == ("bad_segmentation", "Two paragraphs run together.")
    assert stored.flagged_at is not None


@pytest.mark.parametrize("cleared", [None, ""])
def test_a_null_or_empty_reason_clears_the_flag_and_its_note(api_client, members, assignment_of, cleared):
    assignment = assignment_of("ann1")
    api = api_client(members["ann1"])
    api.post(flag_url(assignment), {"reason": "unclear", "note": "why?"}, format="json")
    response = api.post(flag_url(assignment), {"reason": cleared}, format="json")
    assert response.status_code == 200
    assert (response.json()["flag_reason"], response.json()["flag_note"]) == ("", "")
    stored = Assignment.objects.get(pk=assignment.pk)
    assert (stored.flag_reason, stored.flag_note, stored.flagged_at) == ("", "", None)


def test_an_unknown_reason_is_a_400_naming_reason_and_writes_nothing(api_client, members, assignment_of):
    assignment = assignment_of("ann1")
    response = api_client(members["ann1"]).post(flag_url(assignment), {"reason": "boring"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert Assignment.objects.get(pk=assignment.pk).flag_reason == ""


def test_a_note_over_2000_characters_is_a_400_naming_note(api_client, members, assignment_of):
    assignment = assignment_of("ann1")
    body = {"reason": "other", "note": "x" * 2001}
    response = api_client(members["ann1"]).post(flag_url(assignment), body, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    ok = api_client(members["ann1"]).post(flag_url(assignment), {**body, "note": "x" * 2000}, format="json")
    assert ok.status_code == 200


def test_the_projects_own_flag_reasons_replace_the_defaults(api_client, members, assigned, assignment_of):
    assigned.schema = {**assigned.schema, "flag_reasons": [{"value": "needs_context", "label": "Context"}]}
    assigned.save(update_fields=["schema"])
    api = api_client(members["ann1"])
    assert api.post(flag_url(assignment_of("ann1")), {"reason": "unclear"}, format="json").status_code == 400
    response = api.post(flag_url(assignment_of("ann1")), {"reason": "needs_context"}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["ann2", "rev", "man", "outsider"])
def test_only_the_assignments_own_annotator_flags_it_anyone_else_gets_404(
    api_client, members, assignment_of, who
):
    assignment = assignment_of("ann1")
    response = api_client(members[who]).post(flag_url(assignment), {"reason": "unclear"}, format="json")
    assert response.status_code == 404
    assert Assignment.objects.get(pk=assignment.pk).flag_reason == ""


def test_skipping_with_a_reason_records_it_as_the_flag(api_client, members, assignment_of):
    assignment = assignment_of("ann1")
    body = {"reason": "off_topic", "note": "Sports results."}
    response = api_client(members["ann1"]).post(
        f"/api/v1/assignments/{assignment.pk}/skip/", body, format="json"
    )
    assert response.status_code == 200
    assert response.json()["assignment"]["flag_reason"] == "off_topic"
    stored = Assignment.objects.get(pk=assignment.pk)
    assert (stored.status, stored.flag_reason, stored.flag_note) == (
        "skipped",
        "off_topic",
        "Sports results.",
    )


def test_skipping_without_a_reason_leaves_the_flag_alone(api_client, members, assignment_of):
    assignment = assignment_of("ann1")
    api = api_client(members["ann1"])
    api.post(flag_url(assignment), {"reason": "unclear"}, format="json")
    assert api.post(f"/api/v1/assignments/{assignment.pk}/skip/").status_code == 200
    stored = Assignment.objects.get(pk=assignment.pk)
    assert (stored.status, stored.flag_reason) == ("skipped", "unclear")


def test_skipping_with_an_unknown_reason_is_a_400_and_does_not_skip(api_client, members, assignment_of):
    assignment = assignment_of("ann1")
    url = f"/api/v1/assignments/{assignment.pk}/skip/"
    response = api_client(members["ann1"]).post(url, {"reason": "nope"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.ASSIGNED
