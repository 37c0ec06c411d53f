"""The loader: report inputs in a fixed number of queries, and a digest that notices every change."""

import numpy as np
import pytest
from django.db import connection

from annotator.agreement.loading import NO_SPEAKER, load_project_input
from annotator.corpus.models import Role
from annotator.corpus.services import membership_set, project_create
from annotator.labeling.assignment_services import assignment_submit
from annotator.labeling.models import Assignment, AssignmentStatus, Claim, ClaimOrigin
from annotator.labeling.services import claim_delete, claim_update
from annotator.review.services import adjudication_save
from tests.integration.agreement.annotations import annotate, import_articles

pytestmark = pytest.mark.django_db

LOADER_QUERIES = 6


def annotators(make_user, project, prefix: str, n: int = 3) -> None:
    for i in range(n):
        membership_set(project=project, user=make_user(f"{prefix}{i}"), role=Role.ANNOTATOR)


def test_the_loader_runs_the_same_few_queries_for_a_small_and_a_ten_times_larger_project(
    make_user, django_assert_num_queries
):
    small = project_create(name="Small", slug="small", overlap=2)
    large = project_create(name="Large", slug="large", overlap=3)
    annotators(make_user, small, "s", 2)
    annotators(make_user, large, "l", 4)
    import_articles(small, documents=1, paragraphs=3)
    import_articles(large, documents=10, paragraphs=3)
    annotate(small, per_passage=1)
    annotate(large, per_passage=3)
    suggested = Claim.objects.filter(assignment__passage__document__project=large, id__in=every_third_claim())
    n_suggested = suggested.update(origin=ClaimOrigin.SUGGESTION)

    with django_assert_num_queries(LOADER_QUERIES):
        loaded_small = load_project_input(project=small)
    with django_assert_num_queries(LOADER_QUERIES):
        loaded_large = load_project_input(project=large)
    assert loaded_large.counts["claims"] > 10 * loaded_small.counts["claims"]
    assert loaded_large.counts == {
        "passages": 30,
        "documents": 10,
        "submitted_assignments": 90,
        "claims": loaded_large.counts["claims"],
        "suggested_claims": n_suggested,
        "annotators": 4,
        "adjudicated_passages": 0,
        "gold_claims": 0,
    }
    assert n_suggested > 0 and int(loaded_large.suggested.sum()) == n_suggested
    assert len(loaded_large.suggested) == len(loaded_large.claims["passage_id"])


def every_third_claim() -> list[int]:
    return list(Claim.objects.order_by("id").values_list("id", flat=True)[::3])


@pytest.mark.django_db(transaction=True)
def test_the_queries_read_one_consistent_snapshot(small, django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("the repeatable-read snapshot is PostgreSQL's; SQLite transactions are serializable")
    with django_assert_num_queries(LOADER_QUERIES + 3) as captured:  # BEGIN, SET TRANSACTION, COMMIT
        load_project_input(project=small)
    statements = [query["sql"] for query in captured.captured_queries]
    assert statements[0] == "BEGIN" and statements[-1] == "COMMIT"
    assert statements[1] == "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"


def test_the_columns_hold_submitted_work_only_in_the_layout_the_report_takes(annotated, members):
    open_assignment = Assignment.objects.filter(annotator=members["ann1"]).order_by("id").first()
    Assignment.objects.filter(pk=open_assignment.pk).update(status=AssignmentStatus.IN_PROGRESS)
    loaded = load_project_input(project=annotated)

    submitted_claims = Claim.objects.filter(assignment__status=AssignmentStatus.SUBMITTED)
    assert len(loaded.claims["passage_id"]) == submitted_claims.count() == loaded.counts["claims"]
    assert open_assignment.passage_id not in set(
        loaded.claims["passage_id"][loaded.claims["annotator_id"] == members["ann1"].pk].tolist()
    )
    assert loaded.assignments["submitted"].all() and len(loaded.assignments["submitted"]) == 188
    lengths = dict(
        zip(
            loaded.passage_lengths["passage_id"].tolist(),
            loaded.passage_lengths["length"].tolist(),
            strict=True,
        )
    )
    claim = submitted_claims.select_related("assignment__passage").first()
    assert lengths[claim.assignment.passage_id] == len(claim.assignment.passage.text)
    assert set(loaded.claims["perspective"].tolist()) <= {"us_western", "chinese", "russian", "north_korean"}
    authorial = submitted_claims.filter(speaker__isnull=True).count()
    assert int((loaded.claims["speaker_id"] == NO_SPEAKER).sum()) == authorial
    assert loaded.claims["start"].dtype == np.int64
    assert loaded.gold is None
    assert loaded.annotators == {members[n].pk: n for n in ("ann1", "ann2", "ann3")}


def test_the_digest_changes_with_every_edit_submission_deletion_and_adjudication(annotated, members):
    digests = [load_project_input(project=annotated).digest]
    assert load_project_input(project=annotated).digest == digests[0]  # deterministic

    claim = Claim.objects.select_related("assignment__passage__document__project").order_by("id").first()
    claim = claim_update(
        claim=claim, version=claim.version, stance="neutral" if claim.stance != "neutral" else "favor"
    )
    digests.append(load_project_input(project=annotated).digest)

    claim_update(claim=claim, version=claim.version, note="a note changes no figure, but the digest is exact")
    digests.append(load_project_input(project=annotated).digest)

    assignment = Assignment.objects.select_related("passage__document__project").order_by("id").first()
    assignment_submit(assignment=assignment)  # re-submitted after an edit
    digests.append(load_project_input(project=annotated).digest)

    victim = Claim.objects.select_related("assignment__passage__document__project").order_by("-id").first()
    claim_delete(claim=victim, version=victim.version)
    digests.append(load_project_input(project=annotated).digest)

    passage = claim.assignment.passage
    adjudication_save(passage=passage, reviewer=members["rev"], version=0, claims=[])
    with_gold = load_project_input(project=annotated)
    digests.append(with_gold.digest)
    assert with_gold.gold is not None and len(with_gold.gold["passage_id"]) == 0
    assert with_gold.gold["adjudicated_passage_ids"].tolist() == [passage.pk]

    assert load_project_input(project=annotated, parameters={"n_boot": 10, "seed": 0}).digest not in digests
    assert len(set(digests)) == len(digests)


def test_gold_claims_load_with_their_passage(annotated, members):
    claim = Claim.objects.select_related("assignment__passage__document__project").order_by("id").first()
    passage = claim.assignment.passage
    adjudication_save(
        passage=passage,
        reviewer=members["rev"],
        version=0,
        claims=[
            {
                "start": claim.start,
                "end": claim.end,
                "speaker_id": None,
                "attribution": "authorial",
                "perspective": "chinese",
                "stance": "against",
                "target": claim.target,
                "source_claim_ids": [claim.pk],
            }
        ],
    )
    gold = load_project_input(project=annotated).gold
    assert gold["passage_id"].tolist() == [passage.pk]
    assert (gold["start"].tolist(), gold["end"].tolist()) == ([claim.start], [claim.end])
    assert gold["perspective"].tolist() == ["chinese"] and gold["speaker_id"].tolist() == [NO_SPEAKER]


def test_the_digest_changes_when_a_claim_comes_to_count_as_an_accepted_suggestion(annotated):
    before = load_project_input(project=annotated)
    claim = Claim.objects.order_by("id").first()
    # a bare update, as any path that records provenance may write it: no version bump, no other change
    Claim.objects.filter(pk=claim.pk).update(origin=ClaimOrigin.SUGGESTION)
    marked = load_project_input(project=annotated)
    assert marked.digest != before.digest
    assert marked.suggested.tolist() == [i == 0 for i in range(len(before.suggested))]
    assert marked.counts["suggested_claims"] == 1 and before.counts["suggested_claims"] == 0
    Claim.objects.filter(pk=claim.pk).update(origin=ClaimOrigin.MANUAL)
    assert load_project_input(project=annotated).digest == before.digest
