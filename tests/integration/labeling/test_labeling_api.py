"""The labeling API: claims with versions, bad input as field errors, speakers, the assignment queue."""

import pytest

from annotator.corpus.services import project_create, speaker_create
from annotator.labeling.models import Assignment, AssignmentStatus, Claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann1_client(api_client, members):
    return api_client(members["ann1"])


# --- claims: create, read back ---------------------------------------------------------------------


def test_an_annotator_creates_a_claim_and_gets_it_back_with_version_1(
    ann1_client, assignment_of, claim_body, speaker
):
    assignment = assignment_of("ann1", 1)
    body = claim_body(
        assignment,
        "the summit was a signal to Washington.",
        attribution="indirect",
        speaker=speaker.pk,
        confidence=4,
        note="hedged",
    )
    response = ann1_client.post("/api/v1/claims/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["version"] == 1
    assert data["speaker"] == {
        "id": speaker.pk,
        "name": "Wang Junsheng",
        "kind": "person",
        "affiliation": "cn_scholar",
    }
    # The span rule drops the final full stop, and the response says so.
    assert (data["start"], data["end"], data["text"]) == (body["start"], body["end"] - 1, body["text"][:-1])
    assert data["span_adjusted"] == {"start": [body["start"]] * 2, "end": [body["end"], body["end"] - 1]}
    stored = Claim.objects.get(pk=data["id"])
    assert assignment.passage.text[stored.start : stored.end] == stored.text
    listed = ann1_client.get(f"/api/v1/claims/?assignment={assignment.pk}").json()
    assert [c["id"] for c in listed["results"]] == [data["id"]]


def test_text_may_be_left_out_and_is_taken_from_the_passage(ann1_client, assignment_of, claim_body):
    body = claim_body(assignment_of("ann1"), "Scholars focused on the bridge.")
    del body["text"]
    response = ann1_client.post("/api/v1/claims/", body, format="json")
    assert response.status_code == 201
    assert response.json()["text"] == "Scholars focused on the bridge"


# --- claims: bad input → 400 with field errors, nothing saved --------------------------------------


def other_project_speaker(members):
    other = project_create(name="Other", slug="other")
    return speaker_create(project=other, name="Someone Else", kind="person")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b, _: {**b, "end": 10_000}, "end"),
        (lambda b, _: {**b, "start": -1}, "start"),
        (lambda b, _: {**b, "end": b["start"]}, "end"),
        (lambda b, _: {**b, "start": b["end"], "end": b["start"]}, "end"),
        (lambda b, _: {**b, "text": b["text"].upper()}, "text"),
        (lambda b, _: {**b, "perspective": "martian"}, "perspective"),
        (lambda b, _: {**b, "stance": ""}, "stance"),
        (lambda b, _: {**b, "attribution": "rumour"}, "attribution"),
        (lambda b, m: {**b, "attribution": "indirect", "speaker": other_project_speaker(m).pk}, "speaker"),
        (lambda b, _: {**b, "speaker": 987654}, "speaker"),
        (lambda b, _: {**b, "start": "three"}, "start"),
        (lambda b, _: {**b, "confidence": 9}, "confidence"),
        (lambda b, _: {**b, "mention_start": 2}, "mention_start"),
        (lambda b, _: {k: v for k, v in b.items() if k != "stance"}, "stance"),
    ],
    ids=[
        "end-out-of-range",
        "negative-start",
        "empty-span",
        "start-after-end",
        "text-mismatch",
        "unknown-perspective",
        "blank-stance",
        "unknown-attribution",
        "another-projects-speaker",
        "no-such-speaker",
        "start-not-a-number",
        "confidence-out-of-range",
        "half-a-mention",
        "missing-stance",
    ],
)
def test_bad_claims_answer_400_naming_the_field_and_save_nothing(
    ann1_client, assignment_of, claim_body, members, change, field
):
    body = change(claim_body(assignment_of("ann1"), "Scholars focused on the bridge."), members)
    response = ann1_client.post("/api/v1/claims/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert all(isinstance(message, str) and message for message in errors[field])
    assert not Claim.objects.exists()


def test_a_bad_change_answers_400_and_leaves_the_claim_as_it_was(ann1_client, assignment_of, claim_body):
    claim = ann1_client.post(
        "/api/v1/claims/", claim_body(assignment_of("ann1"), "Scholars"), format="json"
    ).json()
    response = ann1_client.patch(
        f"/api/v1/claims/{claim['id']}/", {"version": 1, "perspective": "martian"}, format="json"
    )
    assert response.status_code == 400 and "perspective" in response.json()
    stored = Claim.objects.get(pk=claim["id"])
    assert (stored.perspective, stored.version) == ("chinese", 1)
    assert ann1_client.patch(f"/api/v1/claims/{claim['id']}/", {"stance": "favor"}, format="json").json() == {
        "version": ["This field is required."]
    }


# --- claims: versions ------------------------------------------------------------------------------


def test_a_stale_version_returns_409_and_keeps_the_newer_claim(ann1_client, assignment_of, claim_body):
    claim = ann1_client.post(
        "/api/v1/claims/", claim_body(assignment_of("ann1"), "Scholars focused"), format="json"
    ).json()
    url = f"/api/v1/claims/{claim['id']}/"
    first = ann1_client.patch(url, {"version": 1, "stance": "favor"}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = ann1_client.patch(url, {"version": 1, "stance": "against"}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["current"]["stance"] == "favor" and body["current"]["version"] == 2
    assert "changed elsewhere" in body["detail"]
    assert Claim.objects.get(pk=claim["id"]).stance == "favor"


def test_re_spanning_through_the_api_moves_the_claim(ann1_client, assignment_of, claim_body):
    assignment = assignment_of("ann1", 1)
    claim = ann1_client.post(
        "/api/v1/claims/", claim_body(assignment, "Others disagreed."), format="json"
    ).json()
    start = assignment.passage.text.index("Wang Junsheng")
    response = ann1_client.patch(
        f"/api/v1/claims/{claim['id']}/",
        {"version": 1, "start": start, "end": start + 13, "text": "Wang Junsheng"},
        format="json",
    )
    assert response.status_code == 200
    assert Claim.objects.get(pk=claim["id"]).text == "Wang Junsheng"


def test_delete_with_the_current_version_and_409_with_a_stale_one(ann1_client, assignment_of, claim_body):
    claim = ann1_client.post(
        "/api/v1/claims/", claim_body(assignment_of("ann1"), "Scholars"), format="json"
    ).json()
    url = f"/api/v1/claims/{claim['id']}/"
    assert ann1_client.delete(url).status_code == 400  # no version given
    ann1_client.patch(url, {"version": 1, "note": "edited in another tab"}, format="json")
    stale = ann1_client.delete(f"{url}?version=1")
    assert stale.status_code == 409 and stale.json()["current"]["note"] == "edited in another tab"
    assert ann1_client.delete(f"{url}?version=2").status_code == 204
    gone = ann1_client.patch(url, {"version": 2, "note": "x"}, format="json")
    assert gone.status_code == 404
    assert not Claim.objects.exists()


# --- speakers --------------------------------------------------------------------------------------


def test_speaker_search_matches_names_and_aliases_with_prefixes_first(ann1_client, assigned, members):
    for name, aliases in [("Kim Jong Un", []), ("Vladimir Putin", ["Putin"]), ("Analyst of Kim", [])]:
        speaker_create(project=assigned, name=name, kind="person", aliases=aliases)

    def names(q: str) -> list[str]:
        found = ann1_client.get(f"/api/v1/speakers/?project={assigned.pk}&q={q}").json()["results"]
        return [speaker["name"] for speaker in found]

    assert names("kim") == ["Kim Jong Un", "Analyst of Kim"]
    assert names("putin") == ["Vladimir Putin"]
    assert names("") == ["Analyst of Kim", "Kim Jong Un", "Vladimir Putin"]


def test_creating_a_speaker_and_a_duplicate_name_is_a_field_error(ann1_client, assigned):
    body = {"project": assigned.pk, "name": "Wang  Junsheng", "kind": "person", "affiliation": "cn_scholar"}
    created = ann1_client.post("/api/v1/speakers/", body, format="json")
    assert created.status_code == 201 and created.json()["name"] == "Wang Junsheng"
    again = ann1_client.post("/api/v1/speakers/", {**body, "name": "wang junsheng"}, format="json")
    assert again.status_code == 400 and "name" in again.json()
    bad = ann1_client.post(
        "/api/v1/speakers/", {**body, "name": "X", "affiliation": "martian"}, format="json"
    )
    assert bad.status_code == 400 and "affiliation" in bad.json()
    bad_kind = ann1_client.post("/api/v1/speakers/", {**body, "name": "Y", "kind": "robot"}, format="json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()


# --- the queue -------------------------------------------------------------------------------------


def test_next_walks_the_passages_in_document_order_and_answers_204_when_done(ann1_client, assigned):
    url = f"/api/v1/assignments/next/?project={assigned.pk}"
    seen = []
    for _ in range(3):
        workspace = ann1_client.get(url).json()
        seen.append(workspace["passage"]["position"])
        moved = ann1_client.post(f"/api/v1/assignments/{workspace['assignment']['id']}/submit/").json()
        assert moved["assignment"]["status"] == "submitted"
        assert moved["progress"]["submitted"] == len(seen)
    assert seen == [0, 1, 2]
    assert moved["next"] is None
    assert ann1_client.get(url).status_code == 204


def test_skipping_moves_on_and_the_skipped_passage_is_not_offered_again(ann1_client, assigned):
    url = f"/api/v1/assignments/next/?project={assigned.pk}"
    first = ann1_client.get(url).json()
    moved = ann1_client.post(f"/api/v1/assignments/{first['assignment']['id']}/skip/").json()
    second = ann1_client.get(url).json()
    assert moved["next"] == second["assignment"]["id"]
    assert second["passage"]["position"] == 1
    assert moved["progress"] == {"assigned": 3, "submitted": 0, "skipped": 1, "open": 2, "percent": 0}
    skipped = ann1_client.get(f"/api/v1/assignments/?project={assigned.pk}&status=skipped").json()
    assert [a["id"] for a in skipped["results"]] == [first["assignment"]["id"]]


def test_next_after_an_assignment_continues_from_there(ann1_client, assigned, assignment_of):
    last = assignment_of("ann1", 2)
    workspace = ann1_client.get(f"/api/v1/assignments/next/?project={assigned.pk}&after={last.pk}").json()
    assert workspace["passage"]["position"] == 0  # nothing open after the last one: wrap around
    middle = assignment_of("ann1", 1)
    workspace = ann1_client.get(f"/api/v1/assignments/next/?project={assigned.pk}&after={middle.pk}").json()
    assert workspace["passage"]["position"] == 2


def test_a_submitted_passage_can_be_opened_edited_and_submitted_again(ann1_client, assignment_of, claim_body):
    assignment = assignment_of("ann1")
    ann1_client.post(f"/api/v1/assignments/{assignment.pk}/submit/")
    created = ann1_client.post("/api/v1/claims/", claim_body(assignment, "Scholars"), format="json")
    assert created.status_code == 201
    assert ann1_client.post(f"/api/v1/assignments/{assignment.pk}/submit/").status_code == 200
    assert ann1_client.post(f"/api/v1/assignments/{assignment.pk}/skip/").status_code == 400
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.SUBMITTED


def test_the_workspace_has_the_passage_its_neighbours_claims_and_navigation(
    ann1_client, assignment_of, claim_body
):
    middle = assignment_of("ann1", 1)
    ann1_client.post("/api/v1/claims/", claim_body(middle, "Others disagreed."), format="json")
    workspace = ann1_client.get(f"/api/v1/assignments/{middle.pk}/").json()
    assert workspace["passage"]["text"] == middle.passage.text
    assert workspace["context"]["before"].startswith("Officials in Beijing")
    assert workspace["context"]["after"].startswith("A third paragraph")
    assert [c["text"] for c in workspace["claims"]] == ["Others disagreed"]
    assert workspace["navigation"] == {
        "previous": assignment_of("ann1", 0).pk,
        "next": assignment_of("ann1", 2).pk,
    }
    assert workspace["editable"] is True
    assert workspace["assignment"]["status"] == "in_progress"
