"""Speaker merges and their undo, schema renames and imports change many rows with one statement; their
history is written in bulk too (a fixed number of INSERTs whatever the number of rows), in the same
transaction, with the right before → after. Speakers, gold versions and the schema keep theirs."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.models import Passage, SpeakerMerge
from annotator.corpus.schema_services import schema_value_rename
from annotator.corpus.services import speaker_approve, speaker_create
from annotator.corpus.speaker_merges import speaker_merge_undo
from annotator.corpus.speakers import speaker_merge
from annotator.exports.importing import annotations_import
from annotator.history.models import Change
from annotator.labeling.models import Claim
from annotator.review.models import Adjudication, GoldClaim
from annotator.review.services import adjudication_save
from tests.integration.review.builders import CONDEMNED, annotate, campbell_passage, span_of, speaker

pytestmark = pytest.mark.django_db


def changes(**filters) -> list[Change]:
    return list(Change.objects.filter(**filters).order_by("id"))


def history_inserts(captured) -> int:
    return sum(1 for q in captured.captured_queries if 'INTO "history_change"' in q["sql"])


@pytest.fixture
def spellings(project, members, seeded):
    """Two spellings of Blinken: each annotator's claim names one, and so does one gold claim."""
    passage = campbell_passage(project)
    short, full = speaker(project, "Blinken"), speaker(project, "Antony Blinken", affiliation="us_gov")
    claims = annotate(
        project,
        passage,
        {
            "ann1": [{"phrase": CONDEMNED, "speaker": short}],
            "ann2": [{"phrase": CONDEMNED, "speaker": short, "stance": "favor"}],
            "ann3": [{"phrase": CONDEMNED, "speaker": full}],
        },
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


def test_a_merge_records_every_moved_claim_gold_claim_and_both_speakers(project, members, spellings):
    passage, short, full, claims = spellings
    moved_ids = sorted(c.pk for name in ("ann1", "ann2") for c in claims[name])
    with CaptureQueriesContext(connection) as captured:
        speaker_merge(project=project, canonical=full, duplicates=[short], merged_by=members["rev"])
    # claims, gold claims, the duplicate speaker and the canonical one: one statement each
    assert history_inserts(captured) == 4

    moved = changes(entity="claim", action="speaker_merge")
    assert sorted(c.entity_id for c in moved) == moved_ids
    versions = dict(Claim.objects.filter(pk__in=moved_ids).values_list("pk", "version"))
    for change in moved:
        assert (change.before, change.after) == ({"speaker": short.pk}, {"speaker": full.pk})
        assert change.actor == members["rev"] and change.version == versions[change.entity_id] == 2
    (gold,) = changes(entity="gold_claim", action="speaker_merge")
    assert gold.entity_id == GoldClaim.objects.get().pk and gold.after == {"speaker": full.pk}
    gone, canonical = changes(entity="speaker", action="speaker_merge")
    assert (gone.entity_id, gone.before["name"], gone.after) == (short.pk, "Blinken", None)
    assert canonical.entity_id == full.pk
    assert canonical.before == {"aliases": []} and canonical.after == {"aliases": ["Blinken"]}


def test_a_merge_of_22_claims_records_them_with_as_many_statements_as_one_of_2(project, members, spellings):
    passage, short, full, claims = spellings
    many = speaker(project, "Sec. Blinken")
    others = Passage.objects.filter(document__project=project).exclude(pk=passage.pk).order_by("id")[:10]
    for other in others:
        phrase = " ".join(other.text.split()[:4])
        mark = {"phrase": phrase, "speaker": many}
        annotate(project, other, {"ann1": [mark], "ann2": [mark]})
    with CaptureQueriesContext(connection) as captured:
        speaker_merge(project=project, canonical=full, duplicates=[short, many], merged_by=members["rev"])
    assert history_inserts(captured) == 4
    assert len(changes(entity="claim", action="speaker_merge")) == 22
    assert len(changes(entity="speaker", action="speaker_merge")) == 3


def test_undoing_a_merge_records_the_claims_moving_back_and_the_speaker_returning(
    project, members, spellings
):
    passage, short, full, claims = spellings
    speaker_merge(project=project, canonical=full, duplicates=[short], merged_by=members["rev"])
    merge = SpeakerMerge.objects.get()
    with CaptureQueriesContext(connection) as captured:
        speaker_merge_undo(merge=merge, actor=members["man"])
    assert history_inserts(captured) == 4  # claims, gold claims (bulk), canonical and restored speaker
    back = changes(entity="claim", action="speaker_merge_undo")
    assert len(back) == 2
    assert all(
        (c.before, c.after, c.version) == ({"speaker": full.pk}, {"speaker": short.pk}, 3) for c in back
    )
    assert all(c.actor == members["man"] for c in back)
    returned = changes(entity="speaker", entity_id=short.pk, action="speaker_merge_undo")
    assert returned[0].after["name"] == "Blinken" and returned[0].before is None
    (gold,) = changes(entity="gold_claim", action="speaker_merge_undo")
    assert gold.after == {"speaker": short.pk}


def test_a_schema_rename_records_claims_gold_claims_adjudications_and_the_schema(project, members, spellings):
    passage, short, full, claims = spellings
    claim_count = Claim.objects.filter(project=project, stance="against").count()
    with CaptureQueriesContext(connection) as captured:
        saved = schema_value_rename(
            project=project, field="stances", old="against", new="opposed", changed_by=members["man"]
        )
    assert history_inserts(captured) == 4  # adjudications, gold claims, claims (bulk), the schema
    moved = changes(entity="claim", action="schema_move")
    assert len(moved) == claim_count == 2
    assert all((c.before, c.after) == ({"stance": "against"}, {"stance": "opposed"}) for c in moved)
    assert all(c.detail == {"schema_version": saved.version} for c in moved)
    assert {c.version for c in moved} == {2}
    (adjudication,) = changes(entity="adjudication", action="schema_move")
    assert adjudication.version == Adjudication.objects.get().version == 2
    (gold,) = changes(entity="gold_claim", action="schema_move")
    assert gold.after == {"stance": "opposed"}
    (schema,) = changes(entity="schema")
    assert (schema.version, schema.actor, schema.entity_id) == (saved.version, members["man"], project.pk)
    assert [item["value"] for item in schema.before["stances"]] == ["favor", "against", "neutral"]
    assert [item["value"] for item in schema.after["stances"]] == ["favor", "opposed", "neutral"]
    assert schema.detail == saved.changes


def test_an_adjudication_records_its_gold_claims_before_and_after(project, members, spellings):
    passage, short, full, claims = spellings
    (created,) = changes(entity="adjudication")
    assert (created.action, created.version, created.actor, created.before) == (
        "create",
        1,
        members["rev"],
        None,
    )
    assert created.after["claims"][0]["speaker"] == short.pk
    start, end = span_of(passage, CONDEMNED)
    fields = {"attribution": "indirect", "perspective": "us_western", "stance": "favor", "target": ""}
    adjudication_save(
        passage=passage,
        reviewer=members["man"],
        version=1,
        note="settled",
        claims=[
            {
                "start": start,
                "end": end,
                "speaker_id": full.pk,
                "source_claim_ids": [claims["ann3"][0].pk],
                **fields,
            }
        ],
    )
    updated = changes(entity="adjudication")[-1]
    assert (updated.action, updated.version, updated.actor) == ("update", 2, members["man"])
    assert updated.before["note"] == "" and updated.after["note"] == "settled"
    assert updated.before["claims"][0]["stance"] == "against"
    assert updated.after["claims"][0]["stance"] == "favor"
    assert updated.after["claims"][0]["source_claim_ids"] == [claims["ann3"][0].pk]


def test_speakers_record_their_creation_and_approval(project, members):
    from annotator.corpus.models import Project

    blind = Project.objects.get(pk=project.pk)
    created = speaker_create(project=blind, name="Kurt Campbell", kind="person", created_by=members["ann1"])
    assert not created.approved
    speaker_approve(speaker=created, actor=members["rev"])
    made, approved = changes(entity="speaker", entity_id=created.pk)
    assert (made.action, made.actor, made.after["name"], made.after["approved"]) == (
        "create",
        members["ann1"],
        "Kurt Campbell",
        False,
    )
    assert (approved.action, approved.actor, approved.before, approved.after) == (
        "approve",
        members["rev"],
        {"approved": False},
        {"approved": True},
    )


def test_imported_claims_are_recorded_in_bulk_as_imports(project, members):
    text = "Wang said the bridge matters most. Others disagreed about the summit."
    lines = [{"id": i, "text": text, "label": [[0, 33, "CN"], [35, 68, "CN"]]} for i in range(1, 2)]
    with CaptureQueriesContext(connection) as captured:
        annotations_import(
            project=project,
            format="doccano",
            files=[("alice.jsonl", "\n".join(json.dumps(line) for line in lines).encode())],
            label_map={"CN": "chinese"},
            create_users=True,
            imported_by=members["man"],
        )
    assert history_inserts(captured) == 1
    imported = changes(entity="claim")
    claims = Claim.objects.order_by("id")
    assert [c.entity_id for c in imported] == [c.pk for c in claims] and len(imported) == 2
    assert all(
        (c.action, c.version, c.actor, c.before) == ("import", 1, members["man"], None) for c in imported
    )
    assert imported[0].after["text"] == claims[0].text and imported[0].after["perspective"] == "chinese"
