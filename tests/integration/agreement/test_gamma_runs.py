"""γ in agreement runs: computed on a fixed sample of documents and kept while none of them changed."""

import pytest
from django.db import connection

from annotator.agreement.gamma_runs import sample_documents
from annotator.agreement.loading import load_project_input
from annotator.agreement.maths.suggested import gamma_sections
from annotator.labeling.services import claim_update
from tests.integration.agreement.test_incremental import first_claim, run

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="revisions are counted on PostgreSQL"),
]


def test_the_sample_keeps_its_documents_as_the_project_grows_but_for_newcomers_that_hash_lower():
    first = sample_documents(list(range(1, 1001)), 50)
    assert len(first) == 50 and first == sorted(first) and first != list(range(1, 51))
    grown = sample_documents(list(range(1, 3001)), 50)
    # every document of the first sample that left it was displaced by a newcomer, never by an old one
    assert {d for d in grown if d <= 1000} <= set(first)
    assert len(grown) == 50 and sample_documents([5, 3], 50) == [3, 5]


def restamp(claim) -> None:
    claim_update(claim=claim, version=claim.version, stance="favor" if claim.stance != "favor" else "against")


def test_gamma_is_kept_while_its_documents_are_unchanged_and_recomputed_from_them_when_one_changes(
    four, settings
):
    settings.AGREEMENT_GAMMA_DOCUMENTS = 2
    documents = sorted(four.documents.values_list("id", flat=True))
    sample = sample_documents(documents, 2)
    outside = [rank for rank, d in enumerate(documents) if d not in sample]
    inside = [rank for rank, d in enumerate(documents) if d in sample]

    first = run(four)
    gamma = first.results["report"]["span"]["gamma"]
    loaded = load_project_input(project=four, document_ids=sample)
    expected, _ = gamma_sections(**loaded.report_arguments(), suggested=loaded.suggested, seed=3)
    assert gamma == expected and gamma["value"] is not None and first.gamma_digest

    restamp(first_claim(outside[0]))  # a document outside the sample: γ is kept as it was
    second = run(four)
    assert second.gamma_digest == first.gamma_digest
    assert second.results["report"]["span"]["gamma"] == gamma
    assert second.results["report"]["span"]["exact_f1"] == first.results["report"]["span"]["exact_f1"]
    assert second.input_digest != first.input_digest

    restamp(first_claim(inside[0]))  # inside the sample: recomputed from the sample's claims now
    third = run(four)
    assert third.gamma_digest != first.gamma_digest
    loaded = load_project_input(project=four, document_ids=sample)
    expected, _ = gamma_sections(**loaded.report_arguments(), suggested=loaded.suggested, seed=3)
    assert third.results["report"]["span"]["gamma"] == expected
