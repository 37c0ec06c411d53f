"""Writes for the label schema: save a new version, rename, merge or delete one value.

Every write goes through `schema_update`, which validates, moves the uses of renamed or merged values
(claims, gold claims, speakers), records a SchemaVersion and sets the project's schema, all in one
transaction. Values still in use never simply vanish: a save that drops one is refused with its count.
"""

import copy
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotator.corpus.models import Project, SchemaVersion, Speaker
from annotator.corpus.schema import CHOICE_LISTS, schema_problems
from annotator.corpus.schema_changes import Moves, diff, dropped_values, follow_moves, move_problems
from annotator.corpus.schema_selectors import CLAIM_COLUMNS, SPEAKER_COLUMNS, schema_usage
from annotator.errors import Conflict
from annotator.history.models import Action, Entity
from annotator.history.services import Actor, record, record_many
from annotator.history.states import changed_fields
from annotator.labeling.models import Claim
from annotator.labeling.services import annotations_changed
from annotator.review.models import Adjudication, GoldClaim
from annotator.review.scoring import passage_scores_refresh


def schema_update(
    *,
    project: Project,
    schema: dict[str, Any],
    changed_by: AbstractBaseUser | None,
    moves: Moves | None = None,
    version: int | None = None,
) -> SchemaVersion | None:
    """Make `schema` the project's schema as a new SchemaVersion and return it (None: nothing changed).

    `moves` ({list: {old value: new value}}) renames or merges values: their claims, gold claims and
    speakers take the new value, claims and adjudications get a new version (so an editor still holding
    the old value gets a conflict). `version`, when given, is the schema version the caller edited: a newer
    one raises Conflict. Raises ValidationError keyed by field (e.g. "stances[2].key"); nothing is written.
    """
    moves = {name: dict(pairs) for name, pairs in (moves or {}).items() if pairs}
    with transaction.atomic():
        # The row lock orders concurrent saves: each sees the version the previous one wrote.
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if version is not None and version != locked.schema_version:
            raise Conflict(
                f"The schema was changed meanwhile (now version {locked.schema_version}); reload it.",
                current=locked.schema_version,
            )
        old, new = locked.schema, _with_moves(schema, moves)
        problems = schema_check(project=locked, schema=new, moves=moves)
        if problems:
            raise ValidationError(problems)
        changes = diff(old, new, moves)
        if not changes:
            return None
        version_after = locked.schema_version + 1
        labels_moved = _move_uses(project=locked, moves=moves, actor=changed_by, version=version_after)
        saved = SchemaVersion.objects.create(
            project=locked,
            version=version_after,
            schema=new,
            changes=changes,
            changed_by=changed_by,
        )
        Project.objects.filter(pk=locked.pk).update(schema=new, schema_version=saved.version)
        was, now_is = changed_fields(old, new)  # the top-level entries that changed
        record(
            project_id=locked.pk,
            entity=Entity.SCHEMA,
            entity_id=locked.pk,
            action=Action.UPDATE,
            actor=changed_by,
            version=saved.version,
            before=was,
            after=now_is,
            detail=changes,
        )
        if labels_moved:
            transaction.on_commit(lambda: annotations_changed(project_id=locked.pk))
    project.schema, project.schema_version = new, saved.version
    return saved


def schema_check(*, project: Project, schema: Any, moves: Moves | None = None) -> dict[str, str]:
    """Field → message for every reason `schema` (with `moves`) cannot replace the project's schema.

    The schema rules, the moves' own rules, and values the schema drops while claims, gold claims or
    speakers still use them (3 queries, only when values are dropped). Writes nothing.
    """
    moves = moves or {}
    schema = _with_moves(schema, moves)
    problems = schema_problems(schema) or move_problems(project.schema, schema, moves)
    return _values_in_use(project=project, dropped=dropped_values(project.schema, schema, moves)) | problems


def _with_moves(schema: Any, moves: Moves) -> Any:
    return follow_moves(schema, moves) if isinstance(schema, dict) and moves else schema


def schema_value_rename(
    *,
    project: Project,
    field: str,
    old: str,
    new: str,
    changed_by: AbstractBaseUser | None,
    label: str | None = None,
) -> SchemaVersion | None:
    """Rename one value of a choice list (and optionally its label); every use takes the new value.

    ValidationError names the argument at fault; Conflict means the schema changed since `project` was read.
    """
    schema = copy.deepcopy(project.schema)
    item = _item(schema, field, old, argument="old")
    if any(other.get("value") == new for other in schema[field]):
        raise ValidationError(
            {"new": f'"{new}" is already one of the {_title(field)}: merge "{old}" into it instead.'}
        )
    item["value"] = new
    if label is not None:
        item["label"] = label
    return schema_update(
        project=project,
        schema=schema,
        changed_by=changed_by,
        moves={field: {old: new}},
        version=project.schema_version,
    )


def schema_value_merge(
    *, project: Project, field: str, source: str, target: str, changed_by: AbstractBaseUser | None
) -> SchemaVersion | None:
    """Fold `source` into `target` (both values of `field`): `source` leaves the schema, its uses move."""
    schema = copy.deepcopy(project.schema)
    _item(schema, field, source, argument="source")
    _item(schema, field, target, argument="target")
    if source == target:
        raise ValidationError({"target": "Choose another value to merge into."})
    schema[field] = [item for item in schema[field] if item.get("value") != source]
    return schema_update(
        project=project,
        schema=schema,
        changed_by=changed_by,
        moves={field: {source: target}},
        version=project.schema_version,
    )


def schema_value_delete(
    *, project: Project, field: str, value: str, changed_by: AbstractBaseUser | None
) -> SchemaVersion | None:
    """Remove a value nothing uses; one still in use is refused with its count (rename or merge it)."""
    schema = copy.deepcopy(project.schema)
    _item(schema, field, value, argument="value")
    schema[field] = [item for item in schema[field] if item.get("value") != value]
    return schema_update(
        project=project, schema=schema, changed_by=changed_by, version=project.schema_version
    )


def _item(schema: dict[str, Any], field: str, value: str, *, argument: str) -> dict[str, Any]:
    if field not in CHOICE_LISTS:
        choices = ", ".join(CHOICE_LISTS)
        raise ValidationError({"field": f'"{field}" is not a list of values; choose among {choices}.'})
    for item in schema.get(field, []):
        if item.get("value") == value:
            return item
    raise ValidationError({argument: f'"{value}" is not one of the {_title(field)}.'})


def _values_in_use(*, project: Project, dropped: Mapping[str, list[str]]) -> dict[str, str]:
    if not dropped:
        return {}
    usage = schema_usage(project=project)
    problems = {}
    for name, gone in dropped.items():
        in_use = [(value, usage.get(name, {}).get(value)) for value in gone]
        in_use = [(value, used) for value, used in in_use if used is not None and used.total]
        if in_use:
            problems[name] = (
                "; ".join(
                    f'"{value}" is used by {used.describe()}: rename it or merge it into another value'
                    for value, used in in_use
                )
                + "."
            )
    return problems


def _move_uses(*, project: Project, moves: Moves, actor: Actor, version: int) -> bool:
    """Give every use of each moved value its new value, recording each changed claim, gold claim,
    adjudication and speaker in the history in bulk; True if any claim or gold claim changed. `version`
    is the schema version the move belongs to."""
    now = timezone.now()
    labels_moved = False
    moved = {"project_id": project.pk, "action": Action.SCHEMA_MOVE, "actor": actor, "at": now}
    moved["detail"] = {"schema_version": version}
    for name, pairs in moves.items():
        for old, new in pairs.items():
            if name in CLAIM_COLUMNS:
                column = CLAIM_COLUMNS[name]
                was, now_is = {column: old}, {column: new}
                # Locked as read, so what is recorded is exactly what the UPDATEs below change.
                adjudications = dict(  # one row per gold claim with the value: each adjudication once
                    Adjudication.objects.filter(
                        passage__document__project=project, **{f"gold_claims__{column}": old}
                    )
                    .select_for_update(of=("self",))
                    .values_list("pk", "version")
                ).items()
                gold = list(
                    GoldClaim.objects.filter(
                        adjudication__passage__document__project=project, **{column: old}
                    )
                    .select_for_update(of=("self",))
                    .values_list("pk", flat=True)
                )
                claims = list(
                    Claim.objects.filter(project=project, **{column: old})
                    .select_for_update(of=("self",))
                    .values_list("pk", "version", "assignment__passage_id")
                )
                Adjudication.objects.filter(pk__in=[pk for pk, _ in adjudications]).update(
                    version=F("version") + 1, updated_at=now
                )
                labels_moved |= bool(GoldClaim.objects.filter(pk__in=gold).update(**{column: new}))
                labels_moved |= bool(
                    Claim.objects.filter(pk__in=[pk for pk, *_ in claims]).update(
                        **{column: new}, version=F("version") + 1, updated_at=now
                    )
                )
                record_many(
                    **moved,
                    entity=Entity.ADJUDICATION,
                    rows=[(pk, v + 1, was, now_is) for pk, v in adjudications],
                )
                record_many(**moved, entity=Entity.GOLD_CLAIM, rows=[(pk, None, was, now_is) for pk in gold])
                record_many(
                    **moved, entity=Entity.CLAIM, rows=[(pk, v + 1, was, now_is) for pk, v, _ in claims]
                )
                # Two values merged into one can turn a disagreement into an agreement.
                passage_scores_refresh(passage_ids={passage for *_, passage in claims})
            elif name in SPEAKER_COLUMNS:
                column = SPEAKER_COLUMNS[name]
                speakers = list(
                    Speaker.objects.filter(project=project, **{column: old})
                    .select_for_update()
                    .values_list("pk", flat=True)
                )
                Speaker.objects.filter(pk__in=speakers).update(**{column: new})
                record_many(
                    **moved,
                    entity=Entity.SPEAKER,
                    rows=[(pk, None, {column: old}, {column: new}) for pk in speakers],
                )
    return labels_moved


def _title(name: str) -> str:
    return name.replace("_", " ")
