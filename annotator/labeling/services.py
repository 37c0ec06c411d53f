"""Writes for assignments and claims; every invariant a database cannot check is checked here."""

from contextlib import AbstractContextManager, nullcontext
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from annotator import limits
from annotator.corpus.models import Membership, Passage, Project, Role, Speaker
from annotator.corpus.schema import flag_reasons_of, span_rule_of
from annotator.errors import Conflict
from annotator.history.models import Action, Entity
from annotator.history.services import Actor, record, update_recorded
from annotator.history.snapshots import claim_service_fields, claim_snapshot
from annotator.history.states import VersionNotRecorded, changed_fields
from annotator.idempotency.services import IdempotentRequest, idempotency_earlier, insert_with_key
from annotator.labeling.assignment import distribute
from annotator.labeling.models import CLAIM_CONTENT_FIELDS, Assignment, AssignmentStatus, Claim, ClaimOrigin
from annotator.labeling.span_rule import normalise_span, span_adjustment
from annotator.labeling.validation import claim_problems
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
        existing = Assignment.objects.filter(project=project).values_list(
            "passage_id", "annotator_id"
        )
        pairs = distribute(passage_ids, annotator_ids, existing, project.overlap)
        Assignment.objects.bulk_create(
            [Assignment(passage_id=p, annotator_id=a, project_id=project.pk) for p, a in pairs],
            batch_size=2000,
            ignore_conflicts=True,
        )
    return len(pairs)


def _checked_fields(
    *, assignment: Assignment, fields: dict[str, Any], respanned: bool = True
) -> tuple[dict[str, Any], dict[str, list[int]] | None]:
    """Validate claim fields against the assignment's passage and project; fill text and target.

    A new or re-spanned claim's edges go through the project's span rule; returns the model fields and
    how the rule moved the span (None when it did not, or when the span was not touched).
    """
    passage = assignment.passage
    project = passage.document.project
    speaker_id = fields.get("speaker_id")
    problems = claim_problems(
        passage_text=passage.text,
        schema=project.schema,
        fields={**fields, "has_speaker": speaker_id is not None},
    )
    speaker = None
    if speaker_id is not None:
        # Fetched rather than merely checked, so the saved claim carries its speaker without a re-read.
        speaker = Speaker.objects.filter(pk=speaker_id, project_id=project.pk).first()
        if speaker is not None and _private_to_another(speaker, project, assignment.annotator_id):
            speaker = None  # as if it did not exist: its name must not reach this annotator
        if speaker is None and "speaker" not in problems:
            problems["speaker"] = "No such speaker in this project."
    if problems:
        raise ValidationError(problems)
    sent = (fields["start"], fields["end"])
    # A claim whose span is not being changed keeps it as saved, even if saved before the rule existed.
    start, end = normalise_span(passage.text, *sent, span_rule_of(project.schema)) if respanned else sent
    checked = {
        **fields,
        "start": start,
        "end": end,
        "text": passage.text[start:end],
        "target": fields["target"].strip(),
    }
    del checked["speaker_id"]
    return {**checked, "speaker": speaker, "note": checked["note"] or ""}, span_adjustment(sent, (start, end))


REOPENABLE = (AssignmentStatus.ASSIGNED, AssignmentStatus.SKIPPED)


def _private_to_another(speaker: Speaker, project: Project, annotator_id: int) -> bool:
    """Whether ``speaker`` is another annotator's, not yet approved, in a blind project: nobody else's
    claims may name it until a reviewer approves it (``corpus.selectors.speakers_visible_to``)."""
    return project.blind and not speaker.approved and speaker.created_by_id != annotator_id


def claim_create(
    *,
    assignment: Assignment,
    suggestion_id: int | None = None,
    idempotency: IdempotentRequest | None = None,
    actor: Actor = None,
    **fields: Any,
) -> Claim:
    """Create a claim on the annotator's assignment; a fresh assignment becomes in progress.

    With `suggestion_id` the claim is an accepted suggestion (origin "suggestion", kept through later
    edits); the suggestion must be one of this passage's. `assignment` must come with passage, document
    and project loaded (see selectors). The creation is recorded in the history (by `actor`, by default
    the assignment's annotator) in the same transaction. Raises ValidationError with field messages;
    nothing is written then. With `idempotency` the key is stored with the claim; if the key made a claim
    before, that claim is returned as it is now (`idempotent_replay` set), KeyReused if it came with
    another request, Conflict if that claim has been deleted since.
    """
    try:
        return _claim_insert(
            assignment=assignment, suggestion_id=suggestion_id, idempotency=idempotency, actor=actor, **fields
        )
    except (ValidationError, IntegrityError):
        # The key's row is only ever looked for when the save failed: a repeat fails on the key's unique
        # constraint (or on a check that no longer passes), and then gets the first result.
        earlier = idempotency_earlier(request=idempotency) if idempotency is not None else None
        if earlier is None:
            raise
    claim = _current(earlier)
    if claim is None:
        raise Conflict("The claim this Idempotency-Key created has been deleted since.", current=None)
    claim.idempotent_replay = True  # not stored: the API says that the answer repeats an earlier one
    return claim


def _claim_insert(
    *,
    assignment: Assignment,
    suggestion_id: int | None,
    idempotency: IdempotentRequest | None,
    actor: Actor,
    **fields: Any,
) -> Claim:
    fields.setdefault("target", assignment.passage.document.project.schema.get("default_target", ""))
    origin = _accepted_suggestion(assignment, suggestion_id)
    checked, adjusted = _checked_fields(
        assignment=assignment, fields={k: fields.get(k) for k in CLAIM_CONTENT_FIELDS}
    )
    checked.update(origin)
    project_id = assignment.passage.document.project_id
    # The claim, its Idempotency-Key and its history row commit together (or none of them); inside a
    # caller's transaction this is a savepoint, which keeps it usable after a taken key for the repeat.
    with transaction.atomic():
        claim = Claim(assignment=assignment, project_id=project_id, **checked)
        insert_with_key(claim, request=idempotency)  # with a key: still one statement on PostgreSQL
        _mark_in_progress(assignment)
        record(
            project_id=project_id,
            entity=Entity.CLAIM,
            entity_id=claim.pk,
            action=Action.CREATE,
            actor=actor if actor is not None else assignment.annotator_id,
            version=claim.version,
            after=claim_snapshot(claim),
            at=claim.created_at,
        )
        _after_claim_change(assignment)
    claim.span_adjusted = adjusted  # not stored: the response tells the editor where its edges went
    return claim


def _accepted_suggestion(assignment: Assignment, suggestion_id: int | None) -> dict[str, Any]:
    """The provenance fields of a claim made from `suggestion_id` (none without one); a suggestion of
    another passage, or in a project that shows none, is a field error."""
    if suggestion_id is None:
        return {}
    from annotator.suggestions.models import Suggestion  # the suggestions app builds on this one

    if not assignment.passage.document.project.suggestions:
        raise ValidationError({"suggestion": "This project does not show suggestions."})
    if not Suggestion.objects.filter(pk=suggestion_id, passage_id=assignment.passage_id).exists():
        raise ValidationError({"suggestion": f"Suggestion {suggestion_id} is not one of this passage's."})
    return {"origin": ClaimOrigin.SUGGESTION, "suggestion_id": suggestion_id}


def claim_update(
    *, claim: Claim, version: int, actor: Actor = None, restored_from: int | None = None, **changes: Any
) -> Claim:
    """Change a claim if `version` is still current, else raise Conflict carrying the newer claim.

    The change (before → after of the fields it changed) is recorded in the history in the same
    transaction, by `actor` (by default the claim's annotator); `restored_from` marks it as the restore
    of that earlier version.
    """
    _load_version(claim, version)
    before = claim_snapshot(claim)
    fields = {name: changes.get(name, getattr(claim, name)) for name in CLAIM_CONTENT_FIELDS}
    respanned = "start" in changes or "end" in changes
    if respanned:
        fields["text"] = changes.get("text")  # re-spanned: check the new text, or take the new slice
    checked, adjusted = _checked_fields(assignment=claim.assignment, fields=fields, respanned=respanned)
    now = timezone.now()
    after = {**before, **_recorded(checked)}
    was, now_is = changed_fields(before, after)
    # The version check and the write are one statement: of two saves based on the same version,
    # exactly one matches a row; the other gets the Conflict and the winner's state, and records nothing.
    # The history row is written with it (in the same statement on PostgreSQL, see update_recorded).
    with _keeping_score(claim.assignment):
        updated = update_recorded(
            Claim.objects.filter(pk=claim.pk, version=version),
            {**checked, "version": F("version") + 1, "updated_at": now},
            project_id=claim.project_id,
            entity=Entity.CLAIM,
            entity_id=claim.pk,
            action=Action.UPDATE if restored_from is None else Action.RESTORE,
            actor=actor if actor is not None else claim.assignment.annotator_id,
            version=version + 1,
            before=was,
            after=now_is,
            detail=None if restored_from is None else {"restored_from": restored_from},
            at=now,
        )
        if not updated:
            raise Conflict(
                "This claim was changed elsewhere; here is the newer version.", current=_current(claim.pk)
            )
        _after_claim_change(claim.assignment)
    for name, value in checked.items():
        setattr(claim, name, value)
    claim.version, claim.updated_at = version + 1, now
    claim.span_adjusted = adjusted
    return claim


def claim_delete(*, claim: Claim, version: int, actor: Actor = None) -> None:
    """Delete the claim if `version` is still current, else raise Conflict carrying the newer claim.
    Its last state stays in the history (the delete's `before`)."""
    _load_version(claim, version)
    with transaction.atomic():
        deleted, _ = Claim.objects.filter(pk=claim.pk, version=version).delete()
        if not deleted:
            raise Conflict("This claim was changed or deleted elsewhere.", current=_current(claim.pk))
        record(
            project_id=claim.project_id,
            entity=Entity.CLAIM,
            entity_id=claim.pk,
            action=Action.DELETE,
            actor=actor if actor is not None else claim.assignment.annotator_id,
            version=version,
            before=claim_snapshot(claim),
        )
        _after_claim_change(claim.assignment)


def claim_restore(*, claim: Claim, version: int, current_version: int, actor: Actor = None) -> Claim:
    """Write the claim's fields as they were at `version` as a new version (if `current_version` is still
    current, else Conflict), recorded as a restore. ValidationError names `version` when it is not an
    earlier version of the claim, or the fields when they no longer fit the project (e.g. a speaker
    merged away since)."""
    from annotator.history.selectors import claim_state_at

    if not 1 <= version < claim.version:
        raise ValidationError(
            {"version": f"Choose an earlier version of this claim, from 1 to {claim.version - 1}."}
        )
    try:
        state = claim_state_at(claim=claim, version=version)
    except VersionNotRecorded as error:
        raise ValidationError({"version": str(error)}) from error
    return claim_update(
        claim=claim,
        version=current_version,
        actor=actor,
        restored_from=version,
        **claim_service_fields(state),
    )


def _load_version(claim: Claim, version: int) -> None:
    """Make `claim` hold the stored fields of `version`, on which the caller's change is based, so that
    the change's `before` is exactly that version; Conflict when `version` is no longer the stored one."""
    if claim.version == version:
        return
    stored = Claim.objects.filter(pk=claim.pk, version=version).first() if version > claim.version else None
    if stored is None:
        raise Conflict(
            "This claim was changed elsewhere; here is the newer version.", current=_current(claim.pk)
        )
    for name in (*CLAIM_CONTENT_FIELDS, "version", "updated_at"):
        setattr(claim, name, getattr(stored, name))


def _recorded(checked: dict[str, Any]) -> dict[str, Any]:
    """Checked claim fields in the history's form (history.snapshots): the speaker by id."""
    speaker = checked["speaker"]
    return claim_snapshot(SimpleNamespace(**checked, speaker_id=speaker.pk if speaker is not None else None))


def _current(claim_id: int) -> Claim | None:
    return Claim.objects.select_related("speaker", "assignment__annotator").filter(pk=claim_id).first()


def _mark_in_progress(assignment: Assignment) -> None:
    """A fresh or skipped assignment that gets a claim is being worked on: it (re)joins the queue."""
    if assignment.status in REOPENABLE:
        Assignment.objects.filter(pk=assignment.pk, status__in=REOPENABLE).update(
            status=AssignmentStatus.IN_PROGRESS, updated_at=timezone.now()
        )
        assignment.status = AssignmentStatus.IN_PROGRESS


def _keeping_score(assignment: Assignment) -> AbstractContextManager:
    """A submitted passage's stored disagreement changes with its claims, in one transaction."""
    return transaction.atomic() if assignment.status == AssignmentStatus.SUBMITTED else nullcontext()


def _after_claim_change(assignment: Assignment) -> None:
    # A submitted passage stays submitted while its annotator corrects it, so the review score and the
    # agreement figures must follow the correction; open passages only count once they are submitted.
    if assignment.status == AssignmentStatus.SUBMITTED:
        passage_scores_refresh(passage_ids=[assignment.passage_id])
        project_id = assignment.passage.document.project_id
        transaction.on_commit(lambda: annotations_changed(project_id=project_id))


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


def annotations_changed(*, project_id: int) -> None:
    """Hook for what follows a submission (the agreement refresh, the who-says-what counts); never blocks
    or fails the save."""
    from annotator.agreement.scheduling import schedule_refresh
    from annotator.analytics.services import consensus_changed

    schedule_refresh(project_id=project_id)
    consensus_changed(project_id=project_id)
