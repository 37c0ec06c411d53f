"""Data the benchmarks share: volume projects loaded with COPY, users able to log in, input files.

The volume builder is the export memory test's (tests/integration/exports/volume.py: documents by
bulk_create, passages, assignments and claims by COPY); the projects are removed with `drop`, a few
set-based statements instead of the ORM's row-by-row cascade.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection

from annotator.accounts.services import api_token_create
from annotator.corpus.models import Membership, Project, Role
from annotator.labeling.models import Assignment, AssignmentStatus
from tests.integration.exports.volume import SENTENCE, build_volume_project

__all__ = ["build_volume_project", "drop", "open_project", "manager_token", "write_records", "write_articles"]


def drop(project_ids: list[int]) -> None:
    """Delete the bench projects and their users with a few statements."""
    if not project_ids:
        return
    with connection.cursor() as cursor:
        for sql in (
            "DELETE FROM labeling_claim WHERE project_id = ANY(%s)",
            "DELETE FROM labeling_assignment WHERE project_id = ANY(%s)",
            "DELETE FROM corpus_passage p USING corpus_document d "
            "WHERE p.document_id = d.id AND d.project_id = ANY(%s)",
        ):
            cursor.execute(sql, [project_ids])
    users = list(
        Project.objects.filter(pk__in=project_ids).values_list("memberships__user_id", flat=True).distinct()
    )
    Project.objects.filter(pk__in=project_ids).delete()
    get_user_model().objects.filter(pk__in=[u for u in users if u is not None], is_superuser=False).delete()


def open_project(*, slug: str, annotators: int, claims_per_annotator: int = 1) -> Project:
    """A small project whose `annotators` users each hold one open (assigned) assignment per passage."""
    project = build_volume_project(
        slug=slug, claims=annotators * claims_per_annotator, annotators=annotators, claims_per_assignment=1
    )
    Assignment.objects.filter(project=project).update(status=AssignmentStatus.ASSIGNED, submitted_at=None)
    return project


def manager_token(project: Project, username: str) -> str:
    """A manager of `project` (created) and the secret of a new API token of theirs."""
    user = get_user_model().objects.create(username=username)
    Membership.objects.create(project=project, user=user, role=Role.MANAGER)
    return api_token_create(user=user, name="bench")[1]


def write_records(path: Path, records: int, run: str) -> None:
    """One-paragraph JSONL records (title and text), each a few sentences, unique within the run."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(records):
            text = f"Record {i} of run {run}: {SENTENCE * 2}".strip()
            handle.write(json.dumps({"title": f"Run {run} record {i}", "text": text}) + "\n")


def write_articles(path: Path, documents: int, paragraphs: int, run: str) -> None:
    """Multi-paragraph JSONL articles: a title line and `paragraphs` paragraphs of three sentences."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(documents):
            body = "\n".join(f"Paragraph {p} of article {i}: {SENTENCE * 3}" for p in range(paragraphs))
            handle.write(
                json.dumps({"title": f"Run {run} article {i}", "text": f"Run {run} article {i}\n{body}"})
                + "\n"
            )
