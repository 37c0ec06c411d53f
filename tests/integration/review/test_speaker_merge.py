"""Merging duplicate speakers: aliases, claims and gold claims follow, all or nothing."""

import pytest
from django.core.exceptions import ValidationError

from annotator.corpus.models import Speaker
from annotator.corpus.services import project_create
from annotator.corpus.speakers import duplicate_groups, speaker_merge, speakers_for_curation
from annotator.labeling.models import Claim
from annotator.review.models import GoldClaim
from annotator.review.queue import review_queue
from annotator.review.services import adjudication_save
from tests.integration.review.builders import ANXIOUS, CONDEMNED, annotate, campbell_passage, span_of, speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def blinkens(project, members, seeded):
    """Three spellings of one speaker, each used by a different annotator, and one in a gold claim."""
    passage = campbell_passage(project)
    short = speaker(project, "Blinken", aliases=["Sec. Blinken"])
    full = speaker(project, "Antony Blinken", affiliation="us_gov")
    titled = speaker(project, "U.S. Secretary of State Antony Blinken")
    claims = annotate(
        project,
        passage,
        {
            "ann1": [{"phrase": CONDEMNED, "speaker": short}],
            "ann2": [{"phrase": CONDEMNED, "speaker": full}],
            "ann3": [{"phrase": CONDEMNED, "speaker": titled}],
        },
    )
    start, end = span_of(passage, CONDEMNED)
    fields = {"attribution": "indirect", "perspective": "us_western", "stance": "against", "target": ""}
    adjudication_save(
        passage=passage,
        reviewer=members["rev"],
        version=0,
        claims=[{"start": start, "end": end, "speaker_id": titled.pk, **fields}],
    )
    return passage, short, full, titled, claims


def test_duplicates_become_aliases_and_every_claim_and_gold_claim_follows(project, blinkens):
    passage, short, full, titled, claims = blinkens
    versions = {c.pk: c.version for cs in claims.values() for c in cs}
    merged = speaker_merge(project=project, canonical=full, duplicates=[short, titled.pk])
    assert merged.pk == full.pk
    full.refresh_from_db()
    assert full.aliases == ["Blinken", "Sec. Blinken", "U.S. Secretary of State Antony Blinken"]
    assert full.affiliation == "us_gov"
    assert not Speaker.objects.filter(pk__in=[short.pk, titled.pk]).exists()
    all_claims = Claim.objects.filter(assignment__passage=passage)
    assert set(all_claims.values_list("speaker_id", flat=True)) == {full.pk}
    # an editor still open on one of these claims gets a 409 rather than writing the old speaker back
    moved = {claims["ann1"][0].pk, claims["ann3"][0].pk}
    assert {c.pk: c.version for c in all_claims} == {pk: v + (pk in moved) for pk, v in versions.items()}
    assert set(GoldClaim.objects.values_list("speaker_id", flat=True)) == {full.pk}


def test_after_the_merge_the_speaker_disagreement_is_gone_from_the_queue(project, blinkens):
    passage, short, full, titled, _ = blinkens
    before = review_queue(project=project, status="all").entries
    assert [e.differences for e in before if e.passage_id == passage.pk] == [("speaker",)]
    speaker_merge(project=project, canonical=full, duplicates=[short, titled])
    after = review_queue(project=project, status="all").entries
    assert [e.score for e in after if e.passage_id == passage.pk] == [0]


def test_the_canonical_speaker_takes_an_affiliation_from_a_duplicate_when_it_has_none(project, blinkens):
    _, short, full, titled, _ = blinkens
    merged = speaker_merge(project=project, canonical=titled, duplicates=[full])
    assert merged.affiliation == "us_gov" and merged.aliases == ["Antony Blinken"]


def test_nothing_changes_when_a_speaker_is_not_in_the_project(project, blinkens):
    passage, short, full, titled, _ = blinkens
    stranger = speaker(project_create(name="Other", slug="other"), "Antony Blinken")
    with pytest.raises(ValidationError) as error:
        speaker_merge(project=project, canonical=full, duplicates=[short, stranger])
    assert "duplicates" in error.value.message_dict
    with pytest.raises(ValidationError):
        speaker_merge(project=project, canonical=stranger, duplicates=[short])
    assert Speaker.objects.filter(project=project).count() == 3
    assert Claim.objects.filter(speaker=short).count() == 1


@pytest.mark.parametrize("duplicates", [[], "self"])
def test_merging_nothing_or_a_speaker_into_itself_is_refused(project, blinkens, duplicates):
    _, _, full, _, _ = blinkens
    with pytest.raises(ValidationError):
        speaker_merge(
            project=project, canonical=full, duplicates=[full] if duplicates == "self" else duplicates
        )


def test_curation_lists_claim_counts_and_suggests_the_three_blinkens(project, blinkens):
    _, short, full, titled, _ = blinkens
    speaker(project, "Kurt Campbell")
    speakers = {s.name: s for s in speakers_for_curation(project=project)}
    assert (speakers["Blinken"].claim_count, speakers["Blinken"].gold_count) == (1, 0)
    assert (
        speakers["U.S. Secretary of State Antony Blinken"].gold_count,
        speakers["Kurt Campbell"].claim_count,
    ) == (
        1,
        0,
    )
    groups = duplicate_groups([(s.pk, s.name, s.aliases) for s in speakers.values()])
    assert groups == [sorted([short.pk, full.pk, titled.pk])]


def test_anxious_is_untouched_by_an_unrelated_merge(project, blinkens):
    passage, short, full, *_ = blinkens
    campbell, kurt = speaker(project, "Kurt Campbell"), speaker(project, "Campbell")
    annotate(project, passage, {"ann1": [{"phrase": ANXIOUS, "speaker": kurt}]})
    speaker_merge(project=project, canonical=campbell, duplicates=[kurt])
    assert Claim.objects.get(text=ANXIOUS).speaker_id == campbell.pk
    assert Claim.objects.filter(speaker=short).count() == 1


def test_a_merge_and_its_undo_ask_for_fresh_agreement_and_who_says_what_figures(
    project, members, blinkens, django_capture_on_commit_callbacks
):
    from annotator.analytics.models import ConsensusState
    from annotator.corpus.models import SpeakerMerge
    from annotator.corpus.speaker_merges import speaker_merge_undo

    def generation() -> int:
        state = ConsensusState.objects.filter(pk=project.pk).first()
        return state.generation if state else 0

    canonical = Speaker.objects.get(project=project, name="Antony Blinken")
    before = generation()
    with django_capture_on_commit_callbacks(execute=True):
        speaker_merge(
            project=project,
            canonical=canonical,
            duplicates=Speaker.objects.filter(project=project, name="Blinken"),
            merged_by=members["rev"],
        )
    merged = generation()
    assert merged > before
    with django_capture_on_commit_callbacks(execute=True):
        speaker_merge_undo(merge=SpeakerMerge.objects.get(project=project))
    assert generation() > merged
