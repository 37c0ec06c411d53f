"""Assignment writes: distributing a project's passages among its annotators, and an annotator's submit,
flag and skip of a passage; every invariant a database cannot check is checked here."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotator import limits
from annotator.corpus.models import Membership, Passage, Project, Role
from annotator.corpus.schema import flag_reasons_of
from annotator.labeling.assignment import distribute
from annotator.labeling.models import Assignment, AssignmentStatus
from annotator.labeling.services import annotations_changed
from annotator.review.scoring import passage_scores_refresh


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
        existing = Assignment.objects.filter(project=project).values_list("passage_id", "annotator_id")
        pairs = distribute(passage_ids, annotator_ids, existing, project.overlap)
        Assignment.objects.bulk_create(
            [Assignment(passage_id=p, annotator_id=a, project_id=project.pk) for p, a in pairs],
            batch_size=2000,
            ignore_conflicts=True,
        )
    return len(pairs)


def assignment_submit(*, assignment: Assignment) -> Assignment:
    """Mark the assignment submitted (again, after an edit) and schedule the agreement refresh."""
    now = timezone.now()
    with transaction.atomic():
        Assignment.objects.filter(pk=assignment.pk).update(
            status=AssignmentStatus.SUBMITTED, submitted_at=now, updated_at=now, version=F("version") + 1
        )
        passage_scores_refresh(passage_ids=[assignment.passage_id])
    assignment.status, assignment.submitted_at, assignment.version = (
        AssignmentStatus.SUBMITTED,
        now,
        assignment.version + 1,
    )
    project_id = assignment.passage.document.project_id
    transaction.on_commit(lambda: annotations_changed(project_id=project_id))
    return assignment


FLAG_NOTE_MAX_LENGTH = limits.FLAG_NOTE


def assignment_flag(*, assignment: Assignment, reason: str | None, note: str = "") -> Assignment:
    """Flag the passage with a reason from the project's `flag_reasons` (and a note), or clear the flag
    (and its note) when `reason` is empty or None. `assignment` comes with its project loaded.

    Raises ValidationError naming `reason` or `note`; nothing is written then.
    """
    _check_flag(assignment=assignment, reason=reason, note=note)
    now = timezone.now()
    flag = {"flag_reason": reason, "flag_note": note, "flagged_at": now} if reason else _NO_FLAG
    Assignment.objects.filter(pk=assignment.pk).update(**flag, updated_at=now)
    for name, value in flag.items():
        setattr(assignment, name, value)
    assignment.updated_at = now
    return assignment


_NO_FLAG = {"flag_reason": "", "flag_note": "", "flagged_at": None}


def _check_flag(*, assignment: Assignment, reason: str | None, note: str) -> None:
    problems = {}
    reasons = [item["value"] for item in flag_reasons_of(assignment.passage.document.project.schema)]
    if reason and reason not in reasons:
        problems["reason"] = f"{reason!r} is not a flag reason; choose among {', '.join(reasons)}."
    if len(note) > FLAG_NOTE_MAX_LENGTH:
        problems["note"] = f"The note is longer than {FLAG_NOTE_MAX_LENGTH:,} characters."
    if problems:
        raise ValidationError(problems)


def assignment_skip(*, assignment: Assignment, reason: str | None = None, note: str = "") -> Assignment:
    """Put the passage aside; a `reason` (with its `note`) is recorded as its flag in the same write."""
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise ValidationError({"status": "A submitted passage cannot be skipped; edit it instead."})
    now = timezone.now()
    flag = {}
    if reason:
        _check_flag(assignment=assignment, reason=reason, note=note)
        flag = {"flag_reason": reason, "flag_note": note, "flagged_at": now}
    Assignment.objects.filter(pk=assignment.pk).update(
        status=AssignmentStatus.SKIPPED, updated_at=now, **flag
    )
    assignment.status = AssignmentStatus.SKIPPED
    for name, value in flag.items():
        setattr(assignment, name, value)
    return assignment
