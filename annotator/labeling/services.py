"""Claim writes: creating, changing, deleting and restoring an annotator's claims, each with its history row
(and its Idempotency-Key), and the hook for what follows a change of submitted annotations; every
invariant a database cannot check is checked here. Assignment writes are in assignment_services."""

from contextlib import AbstractContextManager, nullcontext
from types import SimpleNamespace
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from annotator.corpus.models import Speaker
from annotator.corpus.schema import span_rule_of
from annotator.errors import Conflict
from annotator.history.models import Action, Entity
from annotator.history.services import Actor, change_insert_sql, change_params, record
from annotator.history.snapshots import claim_service_fields, claim_snapshot
from annotator.history.states import VersionNotRecorded, changed_fields
from annotator.idempotency.services import (
    IdempotentRequest,
    idempotency_earlier,
    idempotency_record,
    key_insert_sql,
    key_inserted,
    key_params,
)
from annotator.labeling.fields import CLAIM_CONTENT_FIELDS
from annotator.labeling.models import Assignment, AssignmentStatus, Claim, ClaimOrigin
from annotator.labeling.selectors import ClaimPlace, SpeakerRow
from annotator.labeling.span_rule import normalise_span, span_adjustment
from annotator.labeling.validation import claim_problems
from annotator.review.scoring import passage_scores_refresh


def _checked_fields(
    *, place: ClaimPlace, fields: dict[str, Any], respanned: bool = True, check_speaker: bool = True
) -> tuple[dict[str, Any], dict[str, list[int]] | None]:
    """Validate claim fields against the place's passage and project; fill text and target.

    The speaker is the place's (looked up with it); with `check_speaker` it must be one this claim may
    name (an update that keeps its speaker does not check it again: it was when it was set). A new or
    re-spanned claim's edges go through the project's span rule; returns the model fields (the speaker by
    id) and how the rule moved the span (None when it did not, or when the span was not touched).
    """
    text, schema = place.passage_text, place.schema
    speaker_id = fields.get("speaker_id")
    problems = claim_problems(
        passage_text=text, schema=schema, fields={**fields, "has_speaker": speaker_id is not None}
    )
    allowed = not check_speaker or speaker_id is None or _speaker_allowed(place, speaker_id)
    if not allowed and "speaker" not in problems:
        problems["speaker"] = "No such speaker in this project."
    if problems:
        raise ValidationError(problems)
    sent = (fields["start"], fields["end"])
    # A claim whose span is not being changed keeps it as saved, even if saved before the rule existed.
    start, end = normalise_span(text, *sent, span_rule_of(schema)) if respanned else sent
    checked = {
        **fields,
        "start": start,
        "end": end,
        "text": text[start:end],
        "target": fields["target"].strip(),
        "note": fields["note"] or "",
    }
    return checked, span_adjustment(sent, (start, end))


def _speaker_allowed(place: ClaimPlace, speaker_id: int) -> bool:
    """Whether the claim may name `speaker_id`: one of the project's speakers (the place's), and not
    another annotator's unapproved one in a blind project, which is as if it did not exist (its name must
    not reach this annotator; corpus.selectors.speakers_visible_to)."""
    if place.speaker is None or place.speaker.id != speaker_id:
        # Not the one read with the place (the request named it in another form): looked up now.
        place.speaker = _speaker_row(project_id=place.project_id, speaker_id=speaker_id)
    speaker = place.speaker
    if speaker is None:
        return False
    return not (place.blind and not speaker.approved and speaker.created_by_id != place.annotator_id)


REOPENABLE = (AssignmentStatus.ASSIGNED, AssignmentStatus.SKIPPED)


def claim_place(assignment: Assignment, *, speaker_id: int | None = None) -> ClaimPlace:
    """The ClaimPlace of an assignment loaded with passage, document and project (see selectors),
    with the speaker `speaker_id` if it is the project's (one query, only with a speaker)."""
    passage, project = assignment.passage, assignment.passage.document.project
    return ClaimPlace(
        assignment_id=assignment.pk,
        annotator_id=assignment.annotator_id,
        status=assignment.status,
        passage_id=passage.pk,
        project_id=project.pk,
        passage_text=passage.text,
        schema=project.schema,
        blind=project.blind,
        suggestions=project.suggestions,
        speaker=_speaker_row(project_id=project.pk, speaker_id=speaker_id)
        if speaker_id is not None
        else None,
    )


def _speaker_row(*, project_id: int, speaker_id: int) -> SpeakerRow | None:
    speaker = (
        Speaker.objects.filter(pk=speaker_id, project_id=project_id)
        .values_list("id", "name", "kind", "affiliation", "approved", "created_by_id")
        .first()
    )
    return SpeakerRow(*speaker) if speaker is not None else None


def claim_create(
    *,
    assignment: Assignment,
    suggestion_id: int | None = None,
    idempotency: IdempotentRequest | None = None,
    actor: Actor = None,
    **fields: Any,
) -> Claim:
    """Create a claim on the annotator's assignment; a fresh assignment becomes in progress.

    `assignment` must come with passage, document and project loaded (see selectors); see claim_create_on.
    """
    place = claim_place(assignment, speaker_id=fields.get("speaker_id"))
    claim = claim_create_on(
        place=place, suggestion_id=suggestion_id, idempotency=idempotency, actor=actor, **fields
    )
    assignment.status = place.status
    return claim


def claim_create_on(
    *,
    place: ClaimPlace,
    suggestion_id: int | None = None,
    idempotency: IdempotentRequest | None = None,
    actor: Actor = None,
    **fields: Any,
) -> Claim:
    """Create a claim on the place's assignment (the caller has checked it may write there); a fresh or
    skipped assignment becomes in progress.

    With `suggestion_id` the claim is an accepted suggestion (origin "suggestion", kept through later
    edits); the suggestion must be one of this passage's. The creation is recorded in the history (by
    `actor`, by default the assignment's annotator) in the same statement. Raises ValidationError with
    field messages; nothing is written then. With `idempotency` the key is stored with the claim; if the
    key made a claim before, that claim is returned as it is now (`idempotent_replay` set), KeyReused if
    it came with another request, Conflict if that claim has been deleted since.
    """
    try:
        return _claim_insert(
            place=place, suggestion_id=suggestion_id, idempotency=idempotency, actor=actor, **fields
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


# A new claim, its assignment's move to in progress, its Idempotency-Key and its history row are one
# statement (data-modifying WITH): atomic by itself, one round trip, no BEGIN and COMMIT.
_CLAIM_COLUMNS = (
    "assignment_id",
    "project_id",
    *CLAIM_CONTENT_FIELDS,
    "origin",
    "suggestion_id",
    "version",
    "created_at",
    "updated_at",
)
_CLAIM_INSERT = (
    'INSERT INTO "labeling_claim" ('  # noqa: S608 (fixed text; every value is a parameter)
    + ", ".join(f'"{column}"' for column in _CLAIM_COLUMNS)
    + f") VALUES ({', '.join(['%s'] * len(_CLAIM_COLUMNS))}) RETURNING id"
)
_REOPEN = (
    "UPDATE \"labeling_assignment\" SET status = 'in_progress', updated_at = %s"
    " WHERE id = %s AND status IN ('assigned', 'skipped') RETURNING 1"
)


def _claim_insert_sql(*, reopen: bool, keyed: bool) -> str:
    parts = [f"created AS ({_CLAIM_INSERT})"]
    if reopen:
        parts.append(f"reopened AS ({_REOPEN})")
    if keyed:
        parts.append(f"keyed AS ({key_insert_sql(source='created', result_id='id')})")
    parts.append(f"recorded AS ({change_insert_sql(source='created', entity_id='created.id')})")
    key_id = "(SELECT id FROM keyed)" if keyed else "NULL"
    return f"WITH {', '.join(parts)} SELECT created.id, {key_id} FROM created"  # noqa: S608 (fixed text)


_CLAIM_INSERT_SQL = {
    (reopen, keyed): _claim_insert_sql(reopen=reopen, keyed=keyed)
    for reopen in (False, True)
    for keyed in (False, True)
}


def _claim_insert(
    *,
    place: ClaimPlace,
    suggestion_id: int | None,
    idempotency: IdempotentRequest | None,
    actor: Actor,
    **fields: Any,
) -> Claim:
    fields.setdefault("target", place.schema.get("default_target", ""))
    origin = _accepted_suggestion(place, suggestion_id)
    checked, adjusted = _checked_fields(place=place, fields={k: fields.get(k) for k in CLAIM_CONTENT_FIELDS})
    now = timezone.now()
    row = {
        "assignment_id": place.assignment_id,
        "project_id": place.project_id,
        **checked,
        "origin": ClaimOrigin.MANUAL,
        "suggestion_id": None,
        **origin,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    reopen = place.status in REOPENABLE
    params = [*(row[name] for name in _CLAIM_COLUMNS)]
    if reopen:
        params += [now, place.assignment_id]
    if idempotency is not None:
        params += key_params(idempotency)
    params += change_params(
        project_id=place.project_id,
        entity=Entity.CLAIM,
        action=Action.CREATE,
        actor=actor if actor is not None else place.annotator_id,
        version=1,
        at=now,
        after=claim_snapshot(SimpleNamespace(**checked)),
    )
    statement = _CLAIM_INSERT_SQL[reopen, idempotency is not None]
    with _keeping_score(place), _savepoint_for_key(idempotency):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                claim_id, key_id = cursor.fetchone()
        else:  # the embedded SQLite has no writes inside WITH: the same rows, one statement each
            claim_id, key_id = _claim_insert_each(row, place, reopen, idempotency, actor), None
        _after_claim_change(place)
    if key_id is not None:
        key_inserted(key_id)
    if reopen:
        place.status = AssignmentStatus.IN_PROGRESS
    claim = Claim(id=claim_id, **row)
    claim._state.adding, claim._state.db = False, connection.alias
    _attach_speaker(claim, place)
    claim.span_adjusted = adjusted  # not stored: the response tells the editor where its edges went
    return claim


def _claim_insert_each(
    row: dict[str, Any], place: ClaimPlace, reopen: bool, idempotency: IdempotentRequest | None, actor: Actor
) -> int:
    """What the one PostgreSQL statement writes, as separate statements in one transaction."""
    with transaction.atomic():
        claim = Claim.objects.create(**row)
        if reopen:
            Assignment.objects.filter(pk=place.assignment_id, status__in=REOPENABLE).update(
                status=AssignmentStatus.IN_PROGRESS, updated_at=row["updated_at"]
            )
        idempotency_record(request=idempotency, result_id=claim.pk)
        record(
            project_id=place.project_id,
            entity=Entity.CLAIM,
            entity_id=claim.pk,
            action=Action.CREATE,
            actor=actor if actor is not None else place.annotator_id,
            version=1,
            at=row["created_at"],
            after=claim_snapshot(claim),
        )
    return claim.pk


def _savepoint_for_key(idempotency: IdempotentRequest | None) -> AbstractContextManager:
    """Inside a caller's transaction a taken key aborts it: a savepoint keeps it usable for the replay.
    By itself (autocommit) the statement needs none."""
    return transaction.atomic() if idempotency is not None and connection.in_atomic_block else nullcontext()


def _attach_speaker(claim: Claim, place: ClaimPlace) -> None:
    """Give the claim its speaker from the place's row (no query), as a Speaker with the fields the API
    shows."""
    speaker = place.speaker
    if claim.speaker_id is None or speaker is None or speaker.id != claim.speaker_id:
        return  # no speaker (claim.speaker is None without a query), or not the place's: left lazy
    claim.speaker = Speaker(
        id=speaker.id,
        name=speaker.name,
        kind=speaker.kind,
        affiliation=speaker.affiliation,
        approved=speaker.approved,
        created_by_id=speaker.created_by_id,
        project_id=place.project_id,
    )


def _accepted_suggestion(place: ClaimPlace, suggestion_id: int | None) -> dict[str, Any]:
    """The provenance fields of a claim made from `suggestion_id` (none without one); a suggestion of
    another passage, or in a project that shows none, is a field error."""
    if suggestion_id is None:
        return {}
    from annotator.suggestions.models import Suggestion  # the suggestions app builds on this one

    if not place.suggestions:
        raise ValidationError({"suggestion": "This project does not show suggestions."})
    if not Suggestion.objects.filter(pk=suggestion_id, passage_id=place.passage_id).exists():
        raise ValidationError({"suggestion": f"Suggestion {suggestion_id} is not one of this passage's."})
    return {"origin": ClaimOrigin.SUGGESTION, "suggestion_id": suggestion_id}


def claim_update(
    *, claim: Claim, version: int, actor: Actor = None, restored_from: int | None = None, **changes: Any
) -> Claim:
    """Change a claim if `version` is still current, else raise Conflict carrying the newer claim.

    `claim` comes with its assignment's passage, document and project loaded (see selectors); see
    claim_update_on.
    """
    _load_version(claim, version)
    speaker_changes = "speaker_id" in changes and changes["speaker_id"] != claim.speaker_id
    place = claim_place(claim.assignment, speaker_id=changes["speaker_id"] if speaker_changes else None)
    place.claim_id = claim.pk
    place.stored = {name: getattr(claim, name) for name in (*CLAIM_CONTENT_FIELDS, "version")}
    if not speaker_changes:
        changes.pop("speaker_id", None)
    updated = claim_update_on(
        place=place, version=version, actor=actor, restored_from=restored_from, **changes
    )
    for name in (*CLAIM_CONTENT_FIELDS, "version", "updated_at"):
        setattr(claim, name, getattr(updated, name))
    if speaker_changes:
        _attach_speaker(claim, place)
    claim.assignment.status = place.status
    claim.span_adjusted = updated.span_adjusted
    return claim


# The version check and the write are one statement: of two saves based on the same version, exactly
# one matches a row; the other gets the Conflict and the winner's state, and records nothing. The
# history row is written in the same statement.
_CLAIM_UPDATE_SQL = (
    'WITH changed AS (UPDATE "labeling_claim" SET '  # noqa: S608
    + ", ".join(f'"{name}" = %s' for name in CLAIM_CONTENT_FIELDS)
    + ", version = version + 1, updated_at = %s WHERE id = %s AND version = %s RETURNING 1) "
    + change_insert_sql(source="changed")
)


def claim_update_on(
    *,
    place: ClaimPlace,
    version: int,
    actor: Actor = None,
    restored_from: int | None = None,
    **changes: Any,
) -> Claim:
    """Change the place's claim (`place.stored`; the caller has checked it may write it) if `version`
    is still current, else raise Conflict carrying the newer claim. The speaker is checked only when
    `changes` name one other than the stored one.

    The change (before → after of the fields it changed) is recorded in the history in the same
    statement, by `actor` (by default the claim's annotator); `restored_from` marks it as the restore
    of that earlier version. Returns the claim as saved (with `span_adjusted`).
    """
    stored = place.stored
    assert stored is not None and place.claim_id is not None  # noqa: S101 (a caller's mistake)
    if stored["version"] != version:
        raise Conflict(
            "This claim was changed elsewhere; here is the newer version.", current=_current(place.claim_id)
        )
    if changes.get("speaker_id", stored["speaker_id"]) == stored["speaker_id"]:
        changes.pop("speaker_id", None)  # unchanged: not checked again (it was when it was set)
    before = claim_snapshot(SimpleNamespace(**stored))
    fields = {name: changes.get(name, stored[name]) for name in CLAIM_CONTENT_FIELDS}
    respanned = "start" in changes or "end" in changes
    if respanned:
        fields["text"] = changes.get("text")  # re-spanned: check the new text, or take the new slice
    checked, adjusted = _checked_fields(
        place=place, fields=fields, respanned=respanned, check_speaker="speaker_id" in changes
    )
    now = timezone.now()
    was, now_is = changed_fields(before, claim_snapshot(SimpleNamespace(**checked)))
    change = {
        "project_id": place.project_id,
        "entity": Entity.CLAIM,
        "entity_id": place.claim_id,
        "action": Action.UPDATE if restored_from is None else Action.RESTORE,
        "actor": actor if actor is not None else place.annotator_id,
        "version": version + 1,
        "at": now,
        "before": was,
        "after": now_is,
        "detail": None if restored_from is None else {"restored_from": restored_from},
    }
    params = (
        *(checked[name] for name in CLAIM_CONTENT_FIELDS),
        now,
        place.claim_id,
        version,
        *change_params(**change),
    )
    with _keeping_score(place):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_CLAIM_UPDATE_SQL, params)
                updated = cursor.rowcount == 1
        else:  # the embedded SQLite: the UPDATE, then its history row, in one transaction
            with transaction.atomic():
                updated = Claim.objects.filter(pk=place.claim_id, version=version).update(
                    **{name: checked[name] for name in CLAIM_CONTENT_FIELDS},
                    version=F("version") + 1,
                    updated_at=now,
                )
                if updated:
                    record(**change)
        if not updated:
            raise Conflict(
                "This claim was changed elsewhere; here is the newer version.",
                current=_current(place.claim_id),
            )
        _after_claim_change(place)
    claim = Claim(
        id=place.claim_id,
        assignment_id=place.assignment_id,
        project_id=place.project_id,
        **checked,
        origin=stored.get("origin", ClaimOrigin.MANUAL),
        suggestion_id=stored.get("suggestion_id"),
        version=version + 1,
        created_at=stored.get("created_at"),
        updated_at=now,
    )
    claim._state.adding, claim._state.db = False, connection.alias
    _attach_speaker(claim, place)
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


def _current(claim_id: int) -> Claim | None:
    return Claim.objects.select_related("speaker", "assignment__annotator").filter(pk=claim_id).first()


class _Annotated(Protocol):
    """An assignment, or a ClaimPlace: what follows a change of its claims."""

    status: str
    passage_id: int
    project_id: int


def _keeping_score(assignment: _Annotated) -> AbstractContextManager:
    """A submitted passage's stored disagreement changes with its claims, in one transaction."""
    return transaction.atomic() if assignment.status == AssignmentStatus.SUBMITTED else nullcontext()


def _after_claim_change(assignment: _Annotated) -> None:
    # A submitted passage stays submitted while its annotator corrects it, so the review score and the
    # agreement figures must follow the correction; open passages only count once they are submitted.
    if assignment.status == AssignmentStatus.SUBMITTED:
        passage_scores_refresh(passage_ids=[assignment.passage_id])
        project_id = assignment.project_id
        transaction.on_commit(lambda: annotations_changed(project_id=project_id))


def annotations_changed(*, project_id: int) -> None:
    """Hook for what follows a submission (the agreement refresh, the who-says-what counts); never blocks
    or fails the save."""
    from annotator.agreement.scheduling import schedule_refresh
    from annotator.analytics.services import consensus_changed

    schedule_refresh(project_id=project_id)
    consensus_changed(project_id=project_id)
