"""Incremental agreement runs: every write that changes a document's agreement input changes its revision,
and a run that recomputes only the changed documents (or shares them out in chunks) stores exactly the
results of a fresh computation of the whole project in one process."""

import os
import random
import uuid

import pytest
import redis
from django.db import connection

from annotator.agreement.loading import load_project_input
from annotator.agreement.models import (
    AgreementChunk,
    AgreementRun,
    DocumentRevision,
    DocumentStatisticsRecord,
)
from annotator.agreement.results import run_results
from annotator.agreement.services import agreement_run_execute, agreement_run_request
from annotator.corpus.models import Document, Passage, Speaker
from annotator.corpus.speakers import speaker_merge
from annotator.labeling.assignment_services import assignment_submit
from annotator.labeling.models import Assignment, AssignmentStatus, Claim, ClaimOrigin
from annotator.labeling.services import claim_create, claim_delete, claim_update
from annotator.review.models import Adjudication
from annotator.review.services import adjudication_save
from tests.integration.agreement.broker import on_broker

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="revisions are counted on PostgreSQL"),
]

PARAMETERS = {"n_boot": 20, "seed": 3}
REDIS_URL = os.environ.get("AGREEMENT_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture
def redis_queue():
    """Tasks go to a queue of their own on Redis, where no worker takes them; its length, then dropped."""
    queue = f"incremental-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    with on_broker(REDIS_URL, queue=queue):
        yield lambda: client.llen(queue)
    client.delete(queue)


def revisions(project) -> dict[int, int]:
    documents = Document.objects.filter(project=project).order_by("id").values_list("id", flat=True)
    stored = dict(DocumentRevision.objects.values_list("document_id", "revision"))
    return {document: stored.get(document, 0) for document in documents}


def fresh(project) -> dict:
    """The whole project computed in one process, as before document statistics were stored."""
    loaded = load_project_input(project=project, parameters=PARAMETERS)
    return run_results(loaded, PARAMETERS, progress=lambda *args, **kwargs: None)


def run(project) -> AgreementRun:
    queued = agreement_run_request(project=project, parameters=PARAMETERS, enqueue=False)
    done = agreement_run_execute(run_id=queued.pk)
    assert done.error == "" and done.status == "succeeded"
    return done


def first_claim(document_rank: int = 0) -> Claim:
    document = Document.objects.order_by("id")[document_rank]
    return (
        Claim.objects.filter(assignment__passage__document=document, assignment__status="submitted")
        .select_related("assignment__passage__document__project")
        .order_by("id")
        .first()
    )


def test_every_kind_of_write_changes_the_revision_of_its_document_only(four, members):
    changes = []

    def changed_by(write) -> None:
        before = revisions(four)
        write()
        after = revisions(four)
        changes.append({d for d in after if after[d] != before[d]})

    claim = first_claim(0)
    document = claim.assignment.passage.document_id
    other_stance = "favor" if claim.stance != "favor" else "against"
    changed_by(lambda: claim_update(claim=claim, version=claim.version, stance=other_stance))
    changed_by(lambda: claim_create(
        assignment=claim.assignment, start=0, end=9, speaker_id=None, attribution="authorial",
        perspective="chinese", stance="neutral",
    ))  # fmt: skip
    victim = first_claim(0)
    changed_by(lambda: claim_delete(claim=victim, version=victim.version))
    # Reopened (as an administrator does it), then submitted again.
    changed_by(
        lambda: Assignment.objects.filter(pk=claim.assignment_id).update(status=AssignmentStatus.IN_PROGRESS)
    )
    assignments = Assignment.objects.select_related("passage__document__project")
    changed_by(lambda: assignment_submit(assignment=assignments.get(pk=claim.assignment_id)))
    passage = claim.assignment.passage
    changed_by(lambda: adjudication_save(passage=passage, reviewer=members["rev"], version=0, claims=[]))
    changed_by(lambda: Claim.objects.filter(pk=first_claim(0).pk).update(origin=ClaimOrigin.SUGGESTION))
    assert changes == [{document}] * len(changes)

    # A speaker merge moves claims in every document that quotes the duplicate.
    speakers = list(Speaker.objects.filter(project=four).order_by("id"))
    quoting = set(
        Claim.objects.filter(speaker=speakers[1], assignment__status="submitted").values_list(
            "assignment__passage__document_id", flat=True
        )
    )
    before = revisions(four)
    speaker_merge(project=four, canonical=speakers[0], duplicates=[speakers[1]])
    after = revisions(four)
    assert quoting and {d for d in after if after[d] != before[d]} == quoting

    # Writes the figures do not read leave the revisions alone: time on task, a note, a rename.
    before = revisions(four)
    Assignment.objects.filter(project=four).update(active_seconds=99, note="read twice")
    claim = first_claim(1)
    claim_update(claim=claim, version=claim.version, note="a note is no part of the figures")
    Speaker.objects.filter(pk=speakers[0].pk).update(name="Renamed")
    assert revisions(four) == before


def test_gold_in_a_later_document_shows_though_the_first_was_stored_before_any_gold(four, members):
    """The first document's statistics, stored before the project had gold and reused after, must not
    decide whether the report has a gold section: the summed adjudicated passages do."""
    assert run(four).results["report"]["gold"] is None
    adjudication_save(
        passage=first_claim(3).assignment.passage, reviewer=members["rev"], version=0, claims=[]
    )
    adjudicated = run(four)
    assert adjudicated.timings["documents_recomputed"] == 1
    assert adjudicated.results == fresh(four)
    assert adjudicated.results["report"]["gold"]["passages"] == 1

    Adjudication.objects.filter(passage__document__project=four).delete()  # as an administrator may
    cleared = run(four)
    assert cleared.results == fresh(four) and cleared.results["report"]["gold"] is None


def test_a_run_after_each_edit_recomputes_only_the_changed_document_and_equals_a_fresh_run(four, members):
    first = run(four)
    assert first.results == fresh(four)
    assert first.timings["documents_recomputed"] == 4 and first.timings["documents_reused"] == 0
    assert DocumentStatisticsRecord.objects.filter(project=four).count() == 4

    claim = first_claim(2)
    claim_update(claim=claim, version=claim.version, start=claim.start + 1)
    edited = run(four)
    assert edited.results == fresh(four) and edited.results != first.results
    assert (edited.timings["documents_recomputed"], edited.timings["documents_reused"]) == (1, 3)

    adjudication_save(
        passage=first_claim(1).assignment.passage, reviewer=members["rev"], version=0, claims=[]
    )
    Claim.objects.filter(pk=first_claim(3).pk).update(origin=ClaimOrigin.SUGGESTION)
    speakers = list(Speaker.objects.filter(project=four).order_by("id"))
    speaker_merge(project=four, canonical=speakers[2], duplicates=[speakers[3]])
    Speaker.objects.filter(pk=speakers[2].pk).update(name="Renamed")  # a name only: the results show it
    later = run(four)
    assert later.results == fresh(four) and "without_suggestions" in later.results
    assert later.results["speakers"][str(speakers[2].pk)] == "Renamed"

    again = run(four)
    assert again.reused_from_id == later.pk and "compute" not in again.timings

    Document.objects.filter(pk=Document.objects.order_by("id").first().pk).delete()
    fewer = run(four)
    assert fewer.results == fresh(four) and fewer.results["input"]["documents"] == 3
    assert DocumentStatisticsRecord.objects.filter(project=four).count() == 3


def test_chunks_computed_by_the_run_alone_equal_one_process(four, settings, redis_queue):
    """With a broker but no other worker, the run's own worker claims and computes every chunk."""
    settings.AGREEMENT_CHUNK_DOCUMENTS = 1
    first_run = run(four)
    assert first_run.timings["chunks"] == 4
    chunks = AgreementChunk.objects.filter(run=first_run)
    assert chunks.count() == 4 and all(c.finished_at and c.worker and c.claims == 1 for c in chunks)
    assert sorted(d for c in chunks for d in c.document_ids) == sorted(revisions(four))
    assert first_run.results == fresh(four)

    settings.AGREEMENT_CHUNK_DOCUMENTS = 2
    for rank in (0, 1, 3):
        claim = first_claim(rank)
        other = "russian" if claim.perspective != "russian" else "chinese"
        claim_update(claim=claim, version=claim.version, perspective=other)
    second = run(four)
    assert (second.timings["chunks"], second.timings["documents_recomputed"]) == (2, 3)
    assert second.results == fresh(four)
    assert redis_queue() == 4 + 2  # a task per chunk was sent for other workers


def test_a_chunk_is_computed_once_unless_its_worker_went_silent(four):
    """The claim rules: a chunk whose worker died is taken over; nothing else is computed twice."""
    from datetime import timedelta

    from django.utils import timezone

    from annotator.agreement.chunks import agreement_chunk_execute, stale_after

    documents = sorted(revisions(four))
    running = AgreementRun.objects.create(
        project=four, status="running", attempts=2, heartbeat_at=timezone.now()
    )
    silent = timezone.now() - stale_after() - timedelta(seconds=1)
    old_attempt, held, abandoned, fresh_chunk = AgreementChunk.objects.bulk_create(
        [
            AgreementChunk(run=running, attempt=1, index=0, document_ids=documents[:1]),
            AgreementChunk(run=running, attempt=2, index=0, document_ids=documents[1:2], claims=1,
                           claimed_at=timezone.now(), heartbeat_at=timezone.now()),
            AgreementChunk(run=running, attempt=2, index=1, document_ids=documents[2:3], claims=1,
                           claimed_at=silent, heartbeat_at=silent),
            AgreementChunk(run=running, attempt=2, index=2, document_ids=documents[3:]),
        ]
    )  # fmt: skip
    assert not agreement_chunk_execute(chunk_id=old_attempt.pk)  # an earlier attempt's: superseded
    assert not agreement_chunk_execute(chunk_id=held.pk)  # a live worker holds it
    assert agreement_chunk_execute(chunk_id=abandoned.pk, worker="w2@host")  # its worker fell silent
    assert agreement_chunk_execute(chunk_id=fresh_chunk.pk, worker="w2@host")
    assert not agreement_chunk_execute(chunk_id=fresh_chunk.pk)  # done: a redelivered message does nothing
    abandoned.refresh_from_db()
    assert abandoned.claims == 2 and abandoned.finished_at and abandoned.worker == "w2@host"
    stored = set(DocumentStatisticsRecord.objects.values_list("document_id", flat=True))
    assert stored == set(documents[2:])


def test_a_run_after_an_interrupted_one_computes_only_the_documents_not_stored(four):
    """A run whose worker died mid-chunks leaves some documents stored; the next attempt adds the rest."""
    first = run(four)
    DocumentStatisticsRecord.objects.filter(document_id__in=sorted(revisions(four))[1:3]).delete()
    again = agreement_run_execute(
        run_id=agreement_run_request(project=four, parameters={**PARAMETERS, "seed": 4}, enqueue=False).pk
    )
    assert (again.timings["documents_recomputed"], again.timings["documents_reused"]) == (2, 2)
    assert first.results["report"]["counts"] == again.results["report"]["counts"]
    assert again.results == run_results(
        load_project_input(project=four), {**PARAMETERS, "seed": 4}, progress=lambda *a, **k: None
    )


WRITES = ["create", "update", "delete", "gold", "no gold", "suggestion", "merge", "reopen", "drop"]


def _random_write(rng: random.Random, project, reviewer) -> str:
    """One write of a random kind on a random target, as the application makes it; its name."""
    claims = list(
        Claim.objects.filter(project=project, assignment__status=AssignmentStatus.SUBMITTED)
        .select_related("assignment__passage__document__project")
        .order_by("id")
    )
    passages = list(Passage.objects.filter(document__project=project).select_related("document__project"))
    kind = rng.choice(
        ["create", "update", "delete", "gold", "no gold", "suggestion", "merge", "reopen", "drop"]
    )
    claim = rng.choice(claims)
    if kind == "create":
        start = rng.randrange(0, len(claim.assignment.passage.text) - 10)
        claim_create(
            assignment=claim.assignment, start=start, end=start + rng.randint(3, 9), speaker_id=None,
            attribution="authorial", perspective=rng.choice(["chinese", "russian"]), stance="neutral",
        )  # fmt: skip
    elif kind == "update":
        perspective, stance = rng.choice(["chinese", "us_western"]), rng.choice(["favor", "against"])
        claim_update(claim=claim, version=claim.version, perspective=perspective, stance=stance)
    elif kind == "delete":
        claim_delete(claim=claim, version=claim.version)
    elif kind == "gold":
        passage = rng.choice(passages)
        saved = Adjudication.objects.filter(passage=passage).first()
        source = [c for c in claims if c.assignment.passage_id == passage.pk][:1]
        gold = [
            {"start": c.start, "end": c.end, "speaker_id": c.speaker_id, "attribution": c.attribution,
             "perspective": c.perspective, "stance": c.stance, "source_claim_ids": [c.pk]}
            for c in source
        ]  # fmt: skip
        adjudication_save(
            passage=passage, reviewer=reviewer, version=saved.version if saved else 0, claims=gold
        )
    elif kind == "no gold":
        Adjudication.objects.filter(passage=rng.choice(passages)).delete()  # as an administrator may
    elif kind == "suggestion":
        Claim.objects.filter(pk=claim.pk).update(origin=rng.choice(list(ClaimOrigin)))
    elif kind == "merge":
        canonical, duplicate = rng.sample(list(Speaker.objects.filter(project=project).order_by("id")), 2)
        speaker_merge(project=project, canonical=canonical, duplicates=[duplicate])
    elif kind == "reopen":
        Assignment.objects.filter(pk=claim.assignment_id).update(status=AssignmentStatus.IN_PROGRESS)
    elif kind == "drop":
        Document.objects.filter(pk=claim.assignment.passage.document_id).delete()
    return kind


@pytest.mark.parametrize("seed", range(4))
def test_random_sequences_of_writes_with_a_run_after_each_equal_a_fresh_run(four, members, settings, seed):
    """Whatever mix of writes came between two runs, and however the documents were shared out in chunks,
    a run stores exactly what a fresh computation of the whole project gives."""
    settings.AGREEMENT_CHUNK_DOCUMENTS = 1 + seed % 2
    rng = random.Random(seed)
    run(four)
    writes = []
    while len(writes) < 6 and Claim.objects.filter(project=four, assignment__status="submitted").exists():
        writes.append(_random_write(rng, four, members["rev"]))
        assert run(four).results == fresh(four), writes
    assert len(set(writes)) >= 4, writes  # the sequence mixed kinds of writes
