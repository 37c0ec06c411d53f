"""γ for agreement runs: computed from the claims of a fixed sample of the project's documents, and kept
from the last run while none of those documents changed.

γ is not a sum over documents: its best alignment is per passage, but its chance disorder is drawn from the
statistics of all the claims it is computed on, and its exact alignment costs about 4 µs per candidate
(report_gamma). So a run does not store γ per document: it computes γ on the documents whose ids hash
lowest, at most AGREEMENT_GAMMA_DOCUMENTS of them (a project no larger uses all its documents, and γ is then
that of the whole project), a sample that stays the same as the project grows but for newcomers that hash
lower. The sample's digest (its documents' input revisions and the seed) is stored with the run, and the
next run takes the last run's γ sections while the digest is unchanged: a one-claim change elsewhere costs γ
nothing, and a change inside the sample reloads only the sample.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import numpy as np
from django.conf import settings

from annotator.agreement.loading import load_project_input
from annotator.agreement.maths.suggested import gamma_sections
from annotator.agreement.models import AgreementRun, RunStatus
from annotator.corpus.models import Project

GAMMA_FORMAT = 1  # bump when γ's sections change meaning, so no older one is kept


def sample_documents(document_ids: list[int], most: int) -> list[int]:
    """The `most` document ids whose hash is lowest (all of them when there are no more), in id order."""
    ids = np.asarray(sorted(document_ids), dtype=np.uint64)
    if len(ids) <= most:
        return [int(i) for i in ids]
    # splitmix64's finaliser: a fixed, well-mixed order of the ids, the same in every process
    z = ids + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return sorted(int(i) for i in ids[np.argsort(z, kind="stable")[:most]])


def _digest(sample: list[int], revisions: Mapping[int, int], seed: int) -> str:
    text = json.dumps([GAMMA_FORMAT, seed, [[d, revisions[d]] for d in sample]], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def run_gamma(
    *, project: Project, revisions: Mapping[int, int], seed: int, without: bool
) -> tuple[dict | None, dict | None, str]:
    """(γ on all claims, γ without accepted suggestions or None unless `without`, the sample's digest) of
    the project whose documents have these input `revisions`."""
    sample = sample_documents(list(revisions), settings.AGREEMENT_GAMMA_DOCUMENTS)
    digest = _digest(sample, revisions, seed)
    kept = (
        AgreementRun.objects.filter(project=project, status=RunStatus.SUCCEEDED, gamma_digest=digest)
        .order_by("-finished_at")
        .values_list("results__report__span__gamma", "results__without_suggestions__span__gamma")
        .first()
    )
    if kept is not None and kept[0] is not None and (kept[1] is not None or not without):
        return kept[0], kept[1] if without else None, digest
    if not sample:
        return None, None, digest
    loaded = load_project_input(project=project, document_ids=sample)
    gamma, gamma_without = gamma_sections(**loaded.report_arguments(), suggested=loaded.suggested, seed=seed)
    if without and gamma_without is None:  # the sample holds no accepted suggestion: the same claims
        gamma_without = gamma
    return gamma, gamma_without if without else None, digest
