"""Merging speakers after a preview, keeping the fuller name, undoing a merge; agreement after a merge."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from annotator.agreement.loading import load_project_input
from annotator.corpus.models import Speaker, SpeakerMerge
from annotator.corpus.services import speaker_create
from annotator.corpus.speaker_merges import speaker_merge_undo
from annotator.corpus.speakers import (
    speaker_merge,
    speakers_for_curation,
    suggested_merges,
)
from annotator.errors import Conflict
from annotator.labeling.models import Claim
from annotator.labeling.services import claim_update
from annotator.review.models import GoldClaim
from annotator.review.services import adjudication_save
from tests.integration.review.builders import CONDEMNED, annotate, campbell_passage, span_of

pytestmark = pytest.mark.django_db

ROLES = ["ann1", "rev", "res", "man", "outsider", "anonymous"]
ALLOWED = {"rev", "man"}


@pytest.fixture
def private_blinkens(project, members, seeded):
    """ann1 and ann2 each made their own Blinken in the blind project and marked the same claim with it;
    the reviewer's gold claim names ann1's."""
    passage = campbell_passage(project)
    short = speaker_create(project=project, name="Blinken", kind="person", created_by=members["ann1"])
    full = speaker_create(
        project=project,
        name="Antony Blinken",
        kind="person",
        affiliation="us_gov",
        created_by=members["ann2"],
    )
    claims = annotate(
        project,
        passage,
        {"ann1": [{"phrase": CONDEMNED, "speaker": short}], "ann2": [{"phrase": CONDEMNED, "speaker": full}]},
    )
    start, end = span_of(passage, CONDEMNED)
    fields = {"attribution": "indirect", "perspective": "us_western", "stance": "against", "target": ""}
    adjudication_save(
        passage=passage,
        reviewer=members["rev"],
        version=0,
        claims=[{"start": start, "end": end, "speaker_id": short.pk, **fields}],
    )
    return passage, short, full, claims


def client_for(members, who) -> APIClient:
    client = APIClient()
    if who != "anonymous":
        client.force_authenticate(members[who])
    return client


def test_suggestions_keep_the_fuller_name_first(project, private_blinkens):
    _, short, full, _ = private_blinkens
    # The short name has more claims (the gold one), yet the fuller name is the one to keep.
    groups = suggested_merges(list(speakers_for_curation(project=project)))
    assert [[s.name for s in group] for group in groups] == [["Antony Blinken", "Blinken"]]


def test_the_api_lists_suggestions_with_the_fuller_name_first(project, members, private_blinkens):
    _, short, full, _ = private_blinkens
    listing = client_for(members, "rev").get("/api/v1/speaker-curation/", {"project": project.pk}).json()
    assert listing["suggestions"] == [[full.pk, short.pk]]


def test_a_preview_says_what_moves_and_changes_nothing(project, members, private_blinkens):
    _, short, full, _ = private_blinkens
    body = {"project": project.pk, "canonical": full.pk, "duplicates": [short.pk], "dry_run": True}
    response = client_for(members, "rev").post("/api/v1/speaker-curation/merge/", body, format="json")
    assert response.status_code == 200
    result = response.json()
    assert (result["claims_moved"], result["gold_claims_moved"]) == (1, 1)
    assert result["aliases_added"] == ["Blinken"] and result["duplicates"] == ["Blinken"]
    assert result["dry_run"] is True and result["merges"] == []
    assert Speaker.objects.filter(pk=short.pk).exists() and not SpeakerMerge.objects.exists()


def test_a_confirmed_merge_moves_claims_approves_the_kept_speaker_and_records_the_merge(
    project, members, private_blinkens
):
    _, short, full, claims = private_blinkens
    body = {"project": project.pk, "canonical": full.pk, "duplicates": [short.pk]}
    result = client_for(members, "rev").post("/api/v1/speaker-curation/merge/", body, format="json").json()
    assert result["claims_moved"] == 1 and result["aliases"] == ["Blinken"] and result["claim_count"] == 2
    merge = SpeakerMerge.objects.get(pk=result["merges"][0])
    assert merge.claim_ids == [claims["ann1"][0].pk] and merge.duplicate_name == "Blinken"
    assert Speaker.objects.get(pk=full.pk).approved  # a merged speaker is curated: everyone sees it
    assert Claim.objects.get(pk=claims["ann1"][0].pk).version == claims["ann1"][0].version + 1


def test_undo_restores_the_speaker_and_exactly_its_claims(project, members, private_blinkens):
    _, short, full, claims = private_blinkens
    before = Claim.objects.get(pk=claims["ann1"][0].pk).version
    speaker_merge(project=project, canonical=full, duplicates=[short], merged_by=members["rev"])
    merge = SpeakerMerge.objects.get()
    response = client_for(members, "rev").post(f"/api/v1/speaker-merges/{merge.pk}/undo/")
    assert response.status_code == 200 and response.json()["name"] == "Blinken"
    restored = Speaker.objects.get(pk=short.pk)
    assert (restored.name, restored.approved, restored.created_by_id) == (
        "Blinken",
        False,
        members["ann1"].pk,
    )
    assert restored.created_at == short.created_at
    assert Claim.objects.get(pk=claims["ann1"][0].pk).speaker_id == short.pk
    assert Claim.objects.get(pk=claims["ann1"][0].pk).version == before + 2  # merge, then undo
    assert Claim.objects.get(pk=claims["ann2"][0].pk).speaker_id == full.pk
    assert GoldClaim.objects.get().speaker_id == short.pk
    kept = Speaker.objects.get(pk=full.pk)
    assert kept.aliases == [] and kept.affiliation == "us_gov" and not kept.approved
    again = client_for(members, "rev").post(f"/api/v1/speaker-merges/{merge.pk}/undo/")
    assert again.status_code == 409 and "already been undone" in again.json()["detail"]


def test_undo_is_refused_when_a_merged_claim_names_another_speaker_since(project, members, private_blinkens):
    _, short, full, claims = private_blinkens
    speaker_merge(project=project, canonical=full, duplicates=[short])
    other = speaker_create(project=project, name="Kurt Campbell", kind="person")
    claim = Claim.objects.get(pk=claims["ann1"][0].pk)
    claim_update(claim=claim, version=claim.version, speaker_id=other.pk)
    merge = SpeakerMerge.objects.get()
    with pytest.raises(Conflict, match="1 of the merged claims name another speaker"):
        speaker_merge_undo(merge=merge)
    assert not Speaker.objects.filter(pk=short.pk).exists()
    assert SpeakerMerge.objects.get().undone_at is None


def test_the_page_confirms_then_undoes(client, project, members, private_blinkens):
    _, short, full, claims = private_blinkens
    client.force_login(members["rev"])
    url = reverse("speakers-curate", args=[project.slug])
    preview = client.post(url, {"canonical": full.pk, "duplicates": [short.pk, full.pk]})
    assert b"1 claim and\n      1 gold claim move" in preview.content
    client.post(url, {"canonical": full.pk, "duplicates": [short.pk], "confirmed": "1"})
    merge = SpeakerMerge.objects.get()
    page = client.post(url, {"action": "undo", "merge": merge.pk}, follow=True)
    assert b"Undid the merge: Blinken is back" in page.content
    assert Claim.objects.get(pk=claims["ann1"][0].pk).speaker_id == short.pk


def test_speakers_agree_after_a_merge(project, members, private_blinkens):
    _, short, full, claims = private_blinkens

    def speakers_of_the_claim() -> set[int]:
        return set(load_project_input(project=project).claims["speaker_id"].tolist())

    assert speakers_of_the_claim() == {short.pk, full.pk}
    speaker_merge(project=project, canonical=full, duplicates=[short])
    assert speakers_of_the_claim() == {full.pk}


@pytest.mark.parametrize("who", ROLES)
def test_merge_preview_merge_and_undo_are_for_reviewers_and_managers(project, members, private_blinkens, who):
    _, short, full, _ = private_blinkens
    client = client_for(members, who)
    body = {"project": project.pk, "canonical": full.pk, "duplicates": [short.pk]}
    preview = client.post("/api/v1/speaker-curation/merge/", {**body, "dry_run": True}, format="json")
    denied = {401, 403} if who == "anonymous" else {404}
    assert preview.status_code in ({200} if who in ALLOWED else denied)
    merged = client.post("/api/v1/speaker-curation/merge/", body, format="json")
    assert merged.status_code in ({200} if who in ALLOWED else denied)
    if who not in ALLOWED:
        speaker_merge(project=project, canonical=full, duplicates=[short])
    merge = SpeakerMerge.objects.get()
    undone = client.post(f"/api/v1/speaker-merges/{merge.pk}/undo/")
    assert undone.status_code in ({200} if who in ALLOWED else denied)
    assert (SpeakerMerge.objects.get().undone_at is not None) == (who in ALLOWED)


def test_the_speakers_page_runs_a_fixed_number_of_queries_with_merges_and_new_speakers(
    client, project, members, seeded
):
    client.force_login(members["rev"])
    url = reverse("speakers-curate", args=[project.slug])

    def grow(n: int, prefix: str) -> None:
        for i in range(n):
            keep = speaker_create(project=project, name=f"{prefix} Person {i} Long", kind="person")
            gone = speaker_create(project=project, name=f"{prefix} Person {i}", kind="person")
            speaker_create(
                project=project, name=f"{prefix} New {i}", kind="person", created_by=members["ann1"]
            )
            speaker_merge(project=project, canonical=keep, duplicates=[gone], merged_by=members["rev"])

    grow(2, "Few")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(12, "Many")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large)
