"""The claim and assignment write services: validation before writing, versions, status changes."""

import pytest
from django.core.exceptions import ValidationError

from annotator.errors import Conflict
from annotator.labeling.assignment_services import assignment_skip, assignment_submit
from annotator.labeling.models import AssignmentStatus, Claim
from annotator.labeling.services import claim_create, claim_delete, claim_update

pytestmark = pytest.mark.django_db


def fields_for(assignment, phrase: str, **extra) -> dict:
    start = assignment.passage.text.index(phrase)
    return {
        "start": start,
        "end": start + len(phrase),
        "attribution": "authorial",
        "perspective": "chinese",
        "stance": "neutral",
        **extra,
    }


def test_creating_a_claim_stores_the_passage_slice_and_starts_the_assignment(assigned, assignment_of):
    assignment = assignment_of("ann1")
    claim = claim_create(assignment=assignment, **fields_for(assignment, "Scholars focused on the bridge."))
    claim.refresh_from_db()
    assert claim.text == "Scholars focused on the bridge"  # the span rule drops the final full stop
    assert claim.target == assigned.schema["default_target"]
    assert claim.version == 1
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS


def test_offsets_count_code_points_after_astral_characters(assigned, speaker, assignment_of):
    assignment = assignment_of("ann1", position=1)
    phrase = "the summit was a signal to Washington."
    fields = fields_for(assignment, phrase, attribution="indirect", speaker_id=speaker.pk)
    claim = claim_create(assignment=assignment, **fields)
    claim.refresh_from_db()
    # "😀🇨🇳 𝒳" are four astral code points before the phrase: eight UTF-16 units, four characters here.
    assert claim.start == assignment.passage.text.index(phrase)
    assert assignment.passage.text[claim.start : claim.end] == claim.text == phrase.removesuffix(".")
    assert claim.speaker == speaker


def test_a_stale_version_raises_conflict_with_the_newer_claim_and_changes_nothing(assigned, assignment_of):
    assignment = assignment_of("ann1")
    claim = claim_create(assignment=assignment, **fields_for(assignment, "Scholars focused"))
    claim_update(claim=Claim.objects.get(pk=claim.pk), version=1, stance="favor")
    with pytest.raises(Conflict) as info:
        claim_update(claim=claim, version=1, stance="against")
    assert info.value.current.stance == "favor"
    assert info.value.current.version == 2
    assert Claim.objects.get(pk=claim.pk).stance == "favor"


def test_re_spanning_takes_the_new_slice_and_checks_a_given_text(assigned, assignment_of):
    assignment = assignment_of("ann1")
    claim = claim_create(assignment=assignment, **fields_for(assignment, "Scholars focused"))
    start = assignment.passage.text.index("the bridge")
    claim = claim_update(claim=claim, version=1, start=start, end=start + len("the bridge"))
    assert (claim.text, claim.version) == ("the bridge", 2)
    with pytest.raises(ValidationError) as info:
        claim_update(claim=claim, version=2, start=start, end=start + 3, text="not")
    assert "text" in info.value.message_dict
    assert Claim.objects.get(pk=claim.pk).text == "the bridge"


def test_delete_needs_the_current_version(assigned, assignment_of):
    assignment = assignment_of("ann1")
    claim = claim_create(assignment=assignment, **fields_for(assignment, "Scholars focused"))
    with pytest.raises(Conflict):
        claim_delete(claim=claim, version=7)
    claim_delete(claim=claim, version=1)
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_an_authorial_claim_cannot_have_a_speaker(assigned, speaker, assignment_of):
    assignment = assignment_of("ann1")
    with pytest.raises(ValidationError) as info:
        claim_create(assignment=assignment, **fields_for(assignment, "Scholars", speaker_id=speaker.pk))
    assert "speaker" in info.value.message_dict
    assert not Claim.objects.exists()


def test_a_skipped_passage_rejoins_the_queue_when_it_gets_a_claim(assigned, assignment_of):
    assignment = assignment_skip(assignment=assignment_of("ann1"))
    assert assignment.status == AssignmentStatus.SKIPPED
    claim_create(assignment=assignment, **fields_for(assignment, "Scholars"))
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS


def test_a_submitted_passage_stays_submitted_while_corrected_and_cannot_be_skipped(
    assigned, assignment_of, django_capture_on_commit_callbacks
):
    assignment = assignment_submit(assignment=assignment_of("ann1"))
    with django_capture_on_commit_callbacks() as callbacks:
        claim_create(assignment=assignment, **fields_for(assignment, "Scholars"))
    assert len(callbacks) == 1  # the agreement refresh follows the correction
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED and assignment.submitted_at is not None
    with pytest.raises(ValidationError):
        assignment_skip(assignment=assignment)


def test_a_claim_cannot_name_another_annotators_private_speaker_in_a_blind_project(project, members, seeded):
    from django.core.exceptions import ValidationError

    from annotator.corpus.models import Speaker
    from annotator.labeling.assignment_services import assignments_distribute
    from annotator.labeling.models import Assignment
    from annotator.labeling.services import claim_create

    assignments_distribute(project=project)
    private = Speaker.objects.create(
        project=project, name="Kurt Campbell", approved=False, created_by=members["ann1"]
    )
    theirs = (
        Assignment.objects.select_related("passage__document__project")
        .filter(annotator=members["ann2"])
        .first()
    )
    fields = dict(start=0, end=5, attribution="indirect", perspective="us_western", stance="neutral")
    with pytest.raises(ValidationError) as error:
        claim_create(assignment=theirs, speaker_id=private.pk, **fields)
    assert "No such speaker" in str(error.value) and "Campbell" not in str(error.value)
    own = (
        Assignment.objects.select_related("passage__document__project")
        .filter(annotator=members["ann1"])
        .first()
    )
    assert claim_create(assignment=own, speaker_id=private.pk, **fields).speaker_id == private.pk
    private.approved = True
    private.save()
    assert claim_create(assignment=theirs, speaker_id=private.pk, **fields).speaker_id == private.pk
