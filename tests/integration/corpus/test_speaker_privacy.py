"""Private speakers in blind projects: an annotator's new speaker is theirs until a reviewer approves it."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from annotator.corpus.models import Speaker
from annotator.corpus.selectors import speakers_visible_to
from annotator.corpus.services import speaker_approve, speaker_create

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def names_seen(user, project, query: str = "") -> list[str]:
    response = client_for(user).get("/api/v1/speakers/", {"project": project.pk, "q": query})
    assert response.status_code == 200
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def speakers(project, members):
    """An approved speaker, one private speaker of ann1's, and one made by the reviewer."""
    return {
        "shared": speaker_create(project=project, name="Antony Blinken", kind="person"),
        "ann1": speaker_create(project=project, name="Blinken", kind="person", created_by=members["ann1"]),
        "rev": speaker_create(project=project, name="Wang Yi", kind="person", created_by=members["rev"]),
    }


def test_an_annotators_speaker_in_a_blind_project_waits_for_approval_and_a_reviewers_does_not(speakers):
    assert not speakers["ann1"].approved
    assert speakers["rev"].approved and speakers["shared"].approved


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("ann1", ["Antony Blinken", "Blinken", "Wang Yi"]),
        ("ann2", ["Antony Blinken", "Wang Yi"]),
        ("rev", ["Antony Blinken", "Blinken", "Wang Yi"]),
        ("res", ["Antony Blinken", "Blinken", "Wang Yi"]),
        ("man", ["Antony Blinken", "Blinken", "Wang Yi"]),
    ],
)
def test_in_a_blind_project_an_annotator_sees_approved_speakers_and_their_own(
    project, members, speakers, who, seen
):
    assert names_seen(members[who], project) == seen
    assert (
        sorted(speakers_visible_to(user=members[who], project=project).values_list("name", flat=True)) == seen
    )


def test_another_annotators_private_speaker_is_404_by_id_and_absent_from_search(project, members, speakers):
    assert names_seen(members["ann2"], project, "blink") == ["Antony Blinken"]
    private = speakers["ann1"].pk
    assert client_for(members["ann2"]).get(f"/api/v1/speakers/{private}/").status_code == 404
    assert client_for(members["ann1"]).get(f"/api/v1/speakers/{private}/").status_code == 200
    assert client_for(members["rev"]).get(f"/api/v1/speakers/{private}/").status_code == 200


@pytest.mark.parametrize("who", ["ann1", "ann2", "rev", "res", "man"])
def test_in_an_open_project_everyone_sees_every_speaker(project, members, who):
    project.blind = False
    project.save(update_fields=["blind"])
    made = speaker_create(project=project, name="Blinken", kind="person", created_by=members["ann1"])
    assert made.approved  # nothing to hide in an open project
    assert names_seen(members[who], project) == ["Blinken"]


def test_two_annotators_create_the_same_name_without_an_error_or_a_leak(project, members):
    created = client_for(members["ann1"]).post(
        "/api/v1/speakers/", {"project": project.pk, "name": "Kurt Campbell", "kind": "person"}, format="json"
    )
    second = client_for(members["ann2"]).post(
        "/api/v1/speakers/", {"project": project.pk, "name": "kurt campbell", "kind": "person"}, format="json"
    )
    assert created.status_code == 201 and second.status_code == 201
    assert created.json()["id"] != second.json()["id"]
    assert names_seen(members["ann2"], project) == ["kurt campbell"]
    assert names_seen(members["ann1"], project) == ["Kurt Campbell"]
    again = client_for(members["ann1"]).post(
        "/api/v1/speakers/", {"project": project.pk, "name": "KURT CAMPBELL", "kind": "person"}, format="json"
    )
    assert again.status_code == 400 and "already the speaker 'Kurt Campbell'" in again.json()["name"][0]


def test_an_approved_name_is_still_refused_to_everyone(project, members, speakers):
    with pytest.raises(ValidationError, match="already the speaker 'Antony Blinken'"):
        speaker_create(project=project, name="antony blinken", kind="person", created_by=members["ann2"])


def test_approving_shows_the_speaker_to_every_annotator(project, members, speakers):
    response = client_for(members["rev"]).post(f"/api/v1/speakers/{speakers['ann1'].pk}/approve/")
    assert response.status_code == 200 and response.json()["approved"] is True
    assert names_seen(members["ann2"], project) == ["Antony Blinken", "Blinken", "Wang Yi"]


def test_approving_a_name_an_approved_speaker_has_asks_for_a_merge(project, members, speakers):
    twin = speaker_create(project=project, name="Kurt Campbell", kind="person", created_by=members["ann2"])
    speaker_create(project=project, name="Kurt Campbell", kind="person", created_by=members["ann1"])
    speaker_approve(speaker=twin)
    other = Speaker.objects.get(name="Kurt Campbell", created_by=members["ann1"])
    with pytest.raises(ValidationError, match="merge the two instead"):
        speaker_approve(speaker=other)


@pytest.mark.parametrize("who", ["ann1", "ann2", "res", "outsider", "anonymous", "rev", "man"])
def test_only_reviewers_and_managers_approve(project, members, speakers, who):
    client = APIClient() if who == "anonymous" else client_for(members[who])
    response = client.post(f"/api/v1/speakers/{speakers['ann1'].pk}/approve/")
    approved = Speaker.objects.get(pk=speakers["ann1"].pk).approved
    if who in {"rev", "man"}:
        assert response.status_code == 200 and approved
    else:
        assert response.status_code in ({401, 403} if who == "anonymous" else {404}) and not approved
