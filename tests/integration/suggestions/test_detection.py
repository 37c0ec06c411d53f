"""suggestions_detect on PostgreSQL: rows in passage offsets, idempotent re-runs, detector versions."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from annotator.corpus.importing import import_path
from annotator.corpus.models import Document, Passage
from annotator.corpus.services import speaker_create
from annotator.labeling.models import Claim, ClaimOrigin
from annotator.labeling.services import claim_create
from annotator.suggestions import services
from annotator.suggestions.detect import detect
from annotator.suggestions.models import Suggestion, SuggestionDismissal
from annotator.suggestions.services import suggestion_dismiss, suggestions_detect
from tests.integration.suggestions.builders import assignment_on, suggestion_of

pytestmark = pytest.mark.django_db


def rows() -> list[tuple]:
    return list(
        Suggestion.objects.order_by("id").values_list(
            "id", "passage_id", "start", "end", "text", "attribution", "speaker_name", "speaker_id",
            "mention_start", "mention_end", "detector_version",
        )
    )  # fmt: skip


def test_each_suggestion_is_its_passage_slice_at_the_detectors_document_offsets(article, speakers):
    passages = {p.pk: p for p in Passage.objects.filter(document=article)}
    stored = list(Suggestion.objects.all())
    assert len(stored) >= 4
    found = {(s.start, s.end, s.attribution) for s in detect(article.text, known_speakers=None)}
    for row in stored:
        passage = passages[row.passage_id]
        assert row.text == passage.text[row.start : row.end]  # what a claim on it would hold
        assert (passage.start + row.start, passage.start + row.end, row.attribution) in found
        if row.mention_start is not None:
            assert 0 <= row.mention_start < row.mention_end <= len(passage.text)
    # The caption's reported speech is page furniture, not in any passage: no suggestion.
    assert not Suggestion.objects.filter(text__contains="alliance would last").exists()
    assert "alliance would last" in article.text


def test_speakers_link_by_name_and_alias_and_a_pronoun_resolves_across_paragraphs(article, speakers):
    quote = suggestion_of("We will deepen")
    assert quote.attribution == "direct" and quote.speaker == speakers["wang"]
    passage = quote.passage
    assert passage.text[quote.mention_start : quote.mention_end] == "Wang Junsheng"
    # "He added …" is the next paragraph: its speaker comes from the one before, its mention is "He".
    added = suggestion_of("the treaty posed no threat")
    assert added.attribution == "indirect" and added.speaker == speakers["wang"]
    assert added.passage.text[added.mention_start : added.mention_end] == "He"
    assert suggestion_of("This is a turning point").speaker == speakers["blinken"]
    analysts = suggestion_of("the meeting was mostly symbolic")
    assert analysts.speaker is None and analysts.speaker_name == "Analysts"


def test_running_twice_changes_nothing_and_dismissals_and_claim_links_survive(article, members):
    before = rows()
    first, second = Suggestion.objects.order_by("id")[:2]
    suggestion_dismiss(suggestion_id=first.pk, assignment=assignment_on("ann1", first))
    claim = claim_create(
        assignment=assignment_on("ann2", second),
        suggestion_id=second.pk,
        start=second.start,
        end=second.end,
        attribution=second.attribution,
        perspective="chinese",
        stance="neutral",
    )
    outcome = suggestions_detect(document=article)
    assert (outcome.added, outcome.updated, outcome.removed, outcome.kept) == (0, 0, 0, len(before))
    assert rows() == before
    assert SuggestionDismissal.objects.filter(suggestion=first).count() == 1
    claim.refresh_from_db()
    assert (claim.origin, claim.suggestion_id) == (ClaimOrigin.SUGGESTION, second.pk)


def test_a_new_detector_version_rewrites_kept_rows_in_place(article, members, monkeypatch):
    before = rows()
    first = Suggestion.objects.order_by("id").first()
    suggestion_dismiss(suggestion_id=first.pk, assignment=assignment_on("ann1", first))
    monkeypatch.setattr(services, "DETECTOR_VERSION", "test-2")
    outcome = suggestions_detect(document=article)
    assert outcome.updated == len(before) and outcome.added == outcome.removed == 0
    after = rows()
    assert [row[-1] for row in after] == ["test-2"] * len(before)
    assert [row[:-1] for row in after] == [row[:-1] for row in before]  # same ids, same spans
    assert SuggestionDismissal.objects.filter(suggestion=first).exists()


def test_a_suggestion_the_detector_no_longer_finds_is_removed_and_its_claim_keeps_its_origin(
    article, members
):
    passage = Passage.objects.filter(document=article).order_by("position").first()
    stale = Suggestion.objects.create(
        passage=passage, start=0, end=9, text=passage.text[:9], attribution="indirect", detector_version="0"
    )
    claim = claim_create(
        assignment=assignment_on("ann1", stale),
        suggestion_id=stale.pk,
        start=0,
        end=9,
        attribution="indirect",
        perspective="chinese",
        stance="neutral",
    )
    assert suggestions_detect(document=article).removed == 1
    assert not Suggestion.objects.filter(pk=stale.pk).exists()
    claim.refresh_from_db()
    assert claim.origin == ClaimOrigin.SUGGESTION and claim.suggestion_id is None


def test_a_new_speaker_links_the_suggestions_on_the_next_run(article, project):
    analysts = suggestion_of("the meeting was mostly symbolic")
    speaker = speaker_create(project=project, name="Analysts", kind="unnamed_group")
    outcome = suggestions_detect(document=article)
    assert outcome.updated >= 1 and outcome.added == 0
    analysts.refresh_from_db()
    assert analysts.speaker_id == speaker.pk


def test_an_annotators_private_speaker_is_never_linked(project, members, article):
    private = speaker_create(
        project=project, name="Analysts", kind="unnamed_group", created_by=members["ann1"]
    )
    assert not private.approved
    suggestions_detect(document=article)
    analysts = suggestion_of("the meeting was mostly symbolic")
    assert analysts.speaker_id is None and analysts.speaker_name == "Analysts"


def test_the_database_refuses_a_suggestion_that_is_not_its_passage_slice(article):
    passage = Passage.objects.filter(document=article).first()
    with pytest.raises(IntegrityError, match="does not match its passage text"), transaction.atomic():
        Suggestion.objects.create(
            passage=passage, start=0, end=5, text="xxxxx", attribution="direct", detector_version="1"
        )
    with pytest.raises(IntegrityError, match="outside its passage"), transaction.atomic():
        Suggestion.objects.create(
            passage=passage, start=0, end=5, text=passage.text[:5], attribution="direct",
            mention_start=1, mention_end=len(passage.text) + 3, detector_version="1",
        )  # fmt: skip


def test_the_suggest_command_recomputes_a_project_or_one_document(article, project):
    Suggestion.objects.all().delete()
    call_command("suggest", "--project", project.slug, "--document", str(article.pk), stdout=(out := _Out()))
    assert Suggestion.objects.count() >= 4
    assert (
        f"1 documents (detector version {services.DETECTOR_VERSION}): {Suggestion.objects.count()}"
        in out.text
    )
    call_command("suggest", "--project", project.slug, stdout=(again := _Out()))
    assert "0 suggestions added, 0 updated, 0 removed" in again.text
    with pytest.raises(CommandError, match="--project: no project"):
        call_command("suggest", "--project", "nope")
    with pytest.raises(CommandError, match="--document: no document 999999"):
        call_command("suggest", "--project", project.slug, "--document", "999999")


def test_claims_made_by_hand_stay_manual(article, members):
    quote = suggestion_of("We will deepen")
    claim = claim_create(
        assignment=assignment_on("ann3", quote),
        start=quote.start,
        end=quote.end,
        attribution="direct",
        perspective="chinese",
        stance="neutral",
    )
    assert Claim.objects.get(pk=claim.pk).origin == ClaimOrigin.MANUAL


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_detection_runs_the_same_queries_for_a_short_and_a_long_article(article, project):
    seed = sorted((Path(__file__).resolve().parents[3] / "seeds").glob("*.txt"))[0]
    import_path(project=project, path=seed)  # nothing commits in this test: its suggestions are not made yet
    long = Document.objects.exclude(pk=article.pk).get(project=project)
    Suggestion.objects.all().delete()
    counts = []
    for document in (article, long):
        with CaptureQueriesContext(connection) as captured:
            outcome = suggestions_detect(document=document)
        assert outcome.added >= 4 and outcome.removed == outcome.updated == 0
        counts.append(len(captured))
    # speakers; in one transaction: the document's lock, its passages, their rows, the insert
    assert counts[0] == counts[1] <= 8
    assert (
        Suggestion.objects.filter(passage__document=long).count()
        > 4 * Suggestion.objects.filter(passage__document=article).count()
    )
