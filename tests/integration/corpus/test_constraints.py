"""Every database constraint rejects a bad row by itself, bypassing the services (raw ORM writes)."""

import pytest
from django.db import IntegrityError, connection, transaction

from annotator.corpus.models import Document, Membership, Passage, Project, Speaker
from annotator.corpus.services import content_digest
from annotator.labeling.models import Assignment, Claim
from annotator.review.models import Adjudication, GoldClaim

pytestmark = pytest.mark.django_db

TEXT = "Blinken condemned the pact. Beijing said little."


@pytest.fixture
def passage(project):
    document = Document.objects.create(project=project, title="t", text=TEXT, sha256=content_digest(TEXT))
    return Passage.objects.create(document=document, position=0, start=0, end=len(TEXT), text=TEXT)


@pytest.fixture
def assignment(passage, members):
    return Assignment.objects.create(passage=passage, annotator=members["ann1"])


def claim(assignment, **overrides):
    fields = dict(
        assignment=assignment,
        project_id=assignment.passage.document.project_id,
        start=0,
        end=7,
        text="Blinken",
        attribution="authorial",
        perspective="us_western",
        stance="against",
        target="pact",
    )
    return Claim(**{**fields, **overrides})


def rejected(row) -> str:
    """Save the row and return the constraint or error text the database raised."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        row.save()
    return str(error.value)


def test_project_overlap_must_be_positive(db):
    assert "project_overlap_1_to_50" in rejected(Project(name="p", slug="p", overlap=0))


def test_membership_is_unique_per_user_and_project(project, members):
    assert "membership_one_per_user_and_project" in rejected(
        Membership(project=project, user=members["ann1"], role="reviewer")
    )


def test_membership_role_must_be_known(project, members):
    assert "membership_role_known" in rejected(
        Membership(project=project, user=members["outsider"], role="boss")
    )


def test_document_content_is_unique_per_project(passage, project):
    assert "document_content_unique_per_project" in rejected(
        Document(project=project, title="again", text=TEXT, sha256=content_digest(TEXT))
    )


def test_document_digest_must_be_hex(project):
    assert "document_sha256_hex" in rejected(Document(project=project, title="t", text="x", sha256="nothex"))


def test_document_text_cannot_be_empty(project):
    assert "document_text_not_empty" in rejected(
        Document(project=project, title="t", text="", sha256=content_digest(""))
    )


def test_passage_start_must_precede_end(passage):
    assert "passage_start_before_end" in rejected(
        Passage(document=passage.document, position=1, start=5, end=5, text="")
    )


def test_passage_text_must_fill_its_range(passage):
    assert "passage_text_fills_its_range" in rejected(
        Passage(document=passage.document, position=1, start=0, end=10, text="Blinken")
    )


def test_passage_position_is_unique_per_document(passage):
    assert "passage_position_unique_per_document" in rejected(
        Passage(document=passage.document, position=0, start=0, end=7, text="Blinken")
    )


def test_speaker_name_is_unique_per_project_ignoring_case(project):
    Speaker.objects.create(project=project, name="Antony Blinken")
    assert "speaker_name_unique_per_project" in rejected(Speaker(project=project, name="antony BLINKEN"))


def test_speaker_kind_must_be_known(project):
    assert "speaker_kind_known" in rejected(Speaker(project=project, name="X", kind="alien"))


def test_assignment_is_unique_per_passage_and_annotator(assignment):
    assert "assignment_one_per_passage_and_annotator" in rejected(
        Assignment(passage=assignment.passage, annotator=assignment.annotator)
    )


def test_submitted_assignment_needs_a_submission_time(passage, members):
    assert "assignment_submitted_has_time" in rejected(
        Assignment(passage=passage, annotator=members["ann2"], status="submitted")
    )


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"start": 7, "end": 7, "text": ""}, "claim_start_before_end"),
        # On PostgreSQL the slice trigger (a BEFORE trigger) catches a wrong length first.
        (
            {"start": 0, "end": 9, "text": "Blinken"},
            "does not match its passage text"
            if connection.vendor == "postgresql"
            else "claim_text_fills_its_range",
        ),
        ({"mention_start": 3, "mention_end": None}, "claim_mention_span_valid"),
        ({"attribution": "quoted"}, "claim_attribution_known"),
        ({"confidence": 9}, "claim_confidence_1_to_5"),
        ({"stance": ""}, "claim_labels_not_empty"),
        ({"version": 0}, "claim_version_positive"),
    ],
)
def test_claim_check_constraints(assignment, overrides, constraint):
    assert constraint in rejected(claim(assignment, **overrides))


def test_authorial_claim_cannot_have_a_speaker(assignment, project):
    speaker = Speaker.objects.create(project=project, name="Blinken")
    assert "claim_authorial_has_no_speaker" in rejected(claim(assignment, speaker=speaker))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the slice trigger is PostgreSQL's")
def test_postgres_rejects_claim_text_that_is_not_the_passage_slice(assignment):
    assert "does not match its passage text" in rejected(claim(assignment, start=8, end=15, text="Blinken"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the slice trigger is PostgreSQL's")
def test_postgres_rejects_claim_past_the_end_of_its_passage(assignment):
    end = len(TEXT) + 3
    assert "does not match its passage text" in rejected(
        claim(assignment, start=end - 7, end=end, text="Blinken")
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the slice trigger is PostgreSQL's")
def test_postgres_rejects_a_moved_claim_on_update(assignment):
    saved = claim(assignment)
    saved.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=saved.pk).update(start=1, end=8)
    saved.refresh_from_db()
    assert (saved.start, saved.end, saved.text) == (0, 7, "Blinken")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the slice trigger is PostgreSQL's")
def test_postgres_rejects_gold_claim_text_that_is_not_the_passage_slice(passage, members):
    adjudication = Adjudication.objects.create(passage=passage, reviewer=members["rev"])
    gold = GoldClaim(
        adjudication=adjudication,
        start=0,
        end=7,
        text="Beijing",
        attribution="authorial",
        perspective="chinese",
        stance="neutral",
        target="pact",
    )
    assert "does not match its passage text" in rejected(gold)


def test_one_adjudication_per_passage(passage, members):
    Adjudication.objects.create(passage=passage, reviewer=members["rev"])
    assert "adjudication_one_per_passage" in rejected(Adjudication(passage=passage, reviewer=members["man"]))


def test_a_valid_claim_is_accepted(assignment):
    saved = claim(assignment)
    saved.save()
    assert Claim.objects.get(pk=saved.pk).text == TEXT[0:7]
