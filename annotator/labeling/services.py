"""Writes for assignments and claims; every invariant a database cannot check is checked here."""

from django.db import transaction

from annotator.corpus.models import Membership, Passage, Project, Role
from annotator.labeling.assignment import distribute
from annotator.labeling.models import Assignment


def assignments_distribute(*, project: Project) -> int:
    """Assign every passage of the project to `project.overlap` annotators; returns how many were added.

    Idempotent and safe to run concurrently: the project row is locked for the duration.
    """
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        annotator_ids = list(
            Membership.objects.filter(project=project, role=Role.ANNOTATOR)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        passage_ids = list(
            Passage.objects.filter(document__project=project)
            .order_by("document_id", "position")
            .values_list("id", flat=True)
        )
        existing = Assignment.objects.filter(passage__document__project=project).values_list(
            "passage_id", "annotator_id"
        )
        pairs = distribute(passage_ids, annotator_ids, existing, project.overlap)
        Assignment.objects.bulk_create(
            [Assignment(passage_id=p, annotator_id=a) for p, a in pairs],
            batch_size=2000,
            ignore_conflicts=True,
        )
    return len(pairs)
