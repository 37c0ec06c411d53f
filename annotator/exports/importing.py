"""Importing work done in doccano, Label Studio or brat: claims with their speakers, onto the project's own
articles, in the names of the project's own members.

The files are read and checked whole (``readers``), each record planned (``readers.plan``: label roles,
speaker relations), its text located in the project's documents (a record that is a passage, an article or
a piece of one attaches there; only texts found nowhere become new one-passage documents), and its
annotators matched to project members. ``AnnotationImportSummary`` says what will be (or was) written, per
annotator, and what cannot be carried. Nothing is written on a dry run, or when any record has a problem
(unless ``skip_invalid``); otherwise everything is written in one transaction.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from annotator.bulk import insert_rows, insert_rows_returning_ids
from annotator.corpus.importing import ImportRefused
from annotator.corpus.models import Document, Membership, Passage, Project, Role, Speaker, SpeakerKind
from annotator.corpus.readers import MAX_FILE_BYTES, ReadError, check_size
from annotator.corpus.schema import values
from annotator.exports.import_selectors import (
    assignments_existing,
    document_passages,
    project_members,
    speakers_known,
    taken_usernames,
    texts_located,
)
from annotator.exports.import_summary import AnnotationImportSummary, AnnotatorReport
from annotator.exports.readers import LabelMapError, RecordError, parse_label_map, validate_records
from annotator.exports.readers.align import covered_passages, place_claims
from annotator.exports.readers.detect import FormatRefused, read_annotations
from annotator.exports.readers.plan import DEFAULT_SPEAKER_RELATIONS, PlannedClaim, PlannedRecord, plan_record
from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.labeling.services import annotations_changed

FORMATS = ("auto", "doccano", "label_studio", "brat")
CLAIM_FIELDS = ("attribution", "perspective", "stance", "target", "confidence", "note")  # PlannedClaim.fields
ASSIGNMENT_COLUMNS = (
    "passage_id", "annotator_id", "status", "submitted_at", "note", "version", "created_at", "updated_at",
)  # fmt: skip
CLAIM_COLUMNS = (
    "assignment_id", "start", "end", "text", "speaker_id", "mention_start", "mention_end", *CLAIM_FIELDS,
    "version", "created_at", "updated_at",
)  # fmt: skip
BATCH_SIZE = 2000
TITLE_CHARS = 200

__all__ = [
    "FORMATS",
    "AnnotationImportSummary",
    "annotations_import",
    "annotations_upload",
    "default_label_map",
    "json_mapping",
    "uploaded_files",
]


def json_mapping(text: str | Mapping[str, Any] | None, *, field_name: str) -> dict[str, Any]:
    """A label or annotator map given as JSON text (or as a mapping); ValidationError if it is not one."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return {}
    if isinstance(text, Mapping):
        return dict(text)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError({field_name: f"Not valid JSON: {error.msg} (line {error.lineno})."}) from None
    if not isinstance(value, dict):
        raise ValidationError({field_name: 'Give a JSON object: {"foreign name": ...}.'})
    return value


def default_label_map(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The labels this tool's own exports write: CLAIM and SPEAKER, and each perspective value as itself."""
    return {
        "CLAIM": "claim",
        "SPEAKER": "speaker",
        **{value: {"perspective": value} for value in sorted(values(schema, "perspectives"))},
    }


def _annotator_names(annotator_map: Mapping[str, Any]) -> dict[str, str]:
    names = {}
    for key, value in annotator_map.items():
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(
                {"annotator_map": f"{key!r} maps to {value!r}; give the username of a project member."}
            )
        names[str(key)] = value.strip()
    return names


def uploaded_files(uploads: Sequence[tuple[str, int, Iterable[bytes]]]) -> list[tuple[str, bytes]]:
    """Uploaded files ``(name, size, chunks)`` read into ``(name, bytes)``.

    The sizes are checked before anything is read: ImportRefused (HTTP 413) when the files together are
    over the article import's limit (they are read into memory); the bytes are counted too, as a declared
    size can lie.
    """
    try:
        check_size(", ".join(name for name, _, _ in uploads), sum(size for _, size, _ in uploads))
    except ReadError as error:
        raise ImportRefused(str(error)) from error
    files, total = [], 0
    for file_name, _, chunks in uploads:
        data = b"".join(chunks)
        total += len(data)
        if total > MAX_FILE_BYTES:
            raise ImportRefused(
                f"{file_name}: the files are over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit"
            )
        files.append((file_name, data))
    return files


def annotations_upload(
    *, project: Project, uploads: Sequence[tuple[str, int, Iterable[bytes]]], **options: Any
) -> AnnotationImportSummary:
    """``annotations_import`` of uploaded files ``(name, size, chunks)``; the maps may be JSON text."""
    options["label_map"] = json_mapping(options.get("label_map"), field_name="label_map")
    options["annotator_map"] = json_mapping(options.get("annotator_map"), field_name="annotator_map")
    return annotations_import(project=project, files=uploaded_files(uploads), **options)


def annotations_import(
    *,
    project: Project,
    files: Sequence[tuple[str, bytes]],
    format: str = "auto",
    label_map: Mapping[str, Any] | None = None,
    annotator_map: Mapping[str, Any] | None = None,
    annotator: str | None = None,
    speaker_relations: Sequence[str] = DEFAULT_SPEAKER_RELATIONS,
    create_users: bool = False,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> AnnotationImportSummary:
    """Import annotation exports ``(file name, bytes)`` from doccano, Label Studio or brat.

    ``label_map``: foreign label → claim fields, ``"speaker"`` or ``"ignore"`` (``readers.parse_label_map``;
    default ``default_label_map``). ``annotator_map``: foreign annotator → member username (default: the
    member of that username or e-mail). ``annotator`` names the one annotator of a collaborative file.
    ``create_users`` makes accounts for annotators who are no account at all (never for an account that is
    not a member). Returns the summary (``written`` False on a dry run or when there are errors and not
    ``skip_invalid``). Raises ValidationError for a bad argument, naming it.
    """
    if format not in FORMATS:
        raise ValidationError(
            {"format": f"Unknown import format {format!r}; choose one of {', '.join(FORMATS)}."}
        )
    try:
        roles = parse_label_map(label_map or default_label_map(project.schema))
    except LabelMapError as error:
        raise ValidationError({"label_map": str(error)}) from None
    names = _annotator_names(annotator_map or {})
    relation_types = [str(name).strip() for name in speaker_relations if str(name).strip()]
    schema = project.schema
    allowed = {name: schema.get(f"{name}s", []) for name in ("perspective", "stance", "attribution")}
    try:
        records = read_annotations(files, format=format, annotator=(annotator or "").strip() or None)
        valid, errors = validate_records(
            records, label_map=label_map or default_label_map(schema), allowed=allowed
        )
    except FormatRefused as error:
        raise ValidationError({"file": str(error)}) from None
    summary = AnnotationImportSummary(format=format, dry_run=dry_run)
    plans: list[PlannedRecord] = []
    for record in valid:
        plan = plan_record(record, schema=schema, roles=roles, speaker_relations=relation_types)
        if isinstance(plan, list):
            errors.extend(plan)
        else:
            plans.append(plan)
    if not valid and not errors:
        errors.append(RecordError(", ".join(name for name, _ in files), 0, "no records to import"))
    users, user_errors = _resolve_annotators(project, plans, names, create_users, summary)
    errors.extend(user_errors)
    bad_records = {(e.file_name, e.line_or_index) for e in errors if e.line_or_index}
    summary.errors = errors
    summary.records = len({(r.file_name, r.index) for r in valid} | bad_records)
    summary.records_with_errors = len(bad_records)
    if skip_invalid:
        plans = [p for p in plans if (p.record.file_name, p.record.index) not in bad_records]
    work, existing = _place(project, plans, users, summary)
    if dry_run or (errors and not skip_invalid):
        return summary
    with transaction.atomic():
        _write(project, plans, work, existing, users, summary)
    summary.written = True
    transaction.on_commit(lambda: annotations_changed(project_id=project.pk))
    return summary


# Annotators -------------------------------------------------------------------------------------------


def _resolve_annotators(
    project: Project,
    plans: list[PlannedRecord],
    names: Mapping[str, str],
    create_users: bool,
    summary: AnnotationImportSummary,
) -> tuple[dict[str, int | str], list[RecordError]]:
    """Foreign annotator → member user id, or the username of an account to create; errors for the rest."""
    first_seen: dict[str, PlannedRecord] = {}
    for plan in plans:
        for foreign in plan.work:
            first_seen.setdefault(foreign, plan)
    by_username, by_email = project_members(project=project)
    wanted = {foreign: names.get(foreign, foreign) for foreign in first_seen}
    unknown = {name for name in wanted.values() if name not in by_username and name.lower() not in by_email}
    taken = taken_usernames(unknown) if create_users else set()
    validator = UnicodeUsernameValidator()
    users: dict[str, int | str] = {}
    errors: list[RecordError] = []
    for foreign in sorted(first_seen):
        target = wanted[foreign]
        report = summary.annotator(foreign)
        plan = first_seen[foreign]
        user: int | str | None = by_username.get(target) or by_email.get(target.lower())
        problem = None
        if user is not None:
            report.username = target if target in by_username else _username_of(project, user)
            report.account = "member"
        elif not create_users:
            problem = (
                f"annotator {foreign!r} is not a member of this project: map it to a member with the "
                "annotator map, or allow creating accounts for annotators who have none"
            )
        elif target.lower() in taken:
            problem = (
                f"annotator {target!r} is not a member of this project, and the name is another account's: "
                "map it to a member with the annotator map"
            )
        elif not _valid_username(validator, target):
            problem = f"annotator {target!r} cannot be a username: map it to a member with the annotator map"
        else:
            user = target
            report.username, report.account = target, "new account"
        if problem is not None:
            report.account = "not matched"
            errors.append(RecordError(plan.record.file_name, 0, problem))
        else:
            users[foreign] = user  # type: ignore[assignment]
    return users, errors


def _username_of(project: Project, user_id: int) -> str:
    return get_user_model().objects.values_list("username", flat=True).get(pk=user_id)


def _valid_username(validator: UnicodeUsernameValidator, name: str) -> bool:
    try:
        validator(name)
    except ValidationError:
        return False
    return 0 < len(name) <= 150


# Placing the work ------------------------------------------------------------------------------------


@dataclass
class PassageWork:
    """What one annotator brings to one passage."""

    foreign: str  # the annotator as the file names them (the first name, when several map to one member)
    claims: list[PlannedClaim] = field(default_factory=list)
    cancelled: bool = True  # until some record says the annotator looked at it
    note: str = ""
    already_there: bool = False  # the annotator has done this passage here: it is left as it is


# (passage id, or the digest of a text that becomes a new document; member id, or the username of an
# account to create) → that annotator's work there
Placed = dict[tuple[int | str, int | str], PassageWork]
DONE = (AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED)


def _place(
    project: Project,
    plans: list[PlannedRecord],
    users: Mapping[str, int | str],
    summary: AnnotationImportSummary,
) -> tuple[Placed, dict[tuple[int, int], tuple[Assignment, bool]]]:
    """Each annotator's work by passage (``Placed``) and the assignments that exist for it; the summary
    counts what is aligned, new and lost."""
    located = texts_located(project=project, texts=[(p.digest, p.text) for p in plans])
    passages = document_passages(document_ids={location.document_id for location in located.values()})
    work: Placed = {}
    for plan in plans:
        summary.note_plan(plan)
        location = located.get(plan.digest)
        if location is None:
            summary.new_texts.add(plan.digest)
        else:
            summary.aligned_records += 1
        for foreign, planned in plan.work.items():
            if foreign not in users:
                continue
            placed: dict[int | str, list[PlannedClaim]]
            if location is None:  # a new one-passage document: record coordinates are passage coordinates
                placed, lost, looked = {plan.digest: planned.claims}, [], [plan.digest]
            else:
                doc_passages = passages.get(location.document_id, [])
                placed, lost = place_claims(planned.claims, offset=location.offset, passages=doc_passages)  # type: ignore[assignment]
                end = location.offset + len(plan.text)
                looked = [p.id for p in covered_passages(doc_passages, location.offset, end)]
            summary.lost.extend(f"{plan.record.file_name}:{plan.record.index}: {what}" for what in lost)
            for where in {*looked, *placed}:
                entry = work.setdefault((where, users[foreign]), PassageWork(foreign))
                entry.claims.extend(placed.get(where, ()))
                entry.cancelled = entry.cancelled and planned.cancelled and not placed.get(where)
                if planned.note and planned.note not in entry.note:
                    entry.note = f"{entry.note}\n\n{planned.note}".strip()
    existing = assignments_existing(
        pairs={(where, user) for where, user in work if isinstance(where, int) and isinstance(user, int)}
    )
    known = speakers_known(project=project)
    for key, entry in work.items():
        report = summary.annotator(entry.foreign)
        before = existing.get(key)  # type: ignore[arg-type]
        if before is not None and (before[1] or before[0].status in DONE):
            report.already_there += 1
            entry.already_there = True
            continue
        _count(report, entry)
    for report in summary.annotators.values():
        report.speakers_matched = sum(1 for name in report.speaker_names if name.casefold() in known)
        report.speakers_new = len(report.speaker_names) - report.speakers_matched
    summary.speakers_new = len(
        {n.casefold() for r in summary.annotators.values() for n in r.speaker_names} - set(known)
    )
    summary.passages = len({key[0] for key, entry in work.items() if not entry.already_there})
    return work, existing


def _count(report: AnnotatorReport, entry: PassageWork) -> None:
    """Count one annotator's work on one passage (exact repeats of a claim count, and are written, once)."""
    unique: dict[tuple, PlannedClaim] = {}
    for claim in entry.claims:
        unique.setdefault(claim.key(), claim)
    entry.claims = list(unique.values())
    report.claims += len(entry.claims)
    report.claims_with_speaker += sum(1 for claim in entry.claims if claim.speaker)
    report.speaker_names.update(claim.speaker for claim in entry.claims if claim.speaker)
    if entry.cancelled:
        report.cancelled += 1
    elif not entry.claims:
        report.looked_no_claim += 1
    if entry.note:
        report.comments += 1


# Writing ---------------------------------------------------------------------------------------------


def _write(
    project: Project,
    plans: list[PlannedRecord],
    work: Placed,
    existing: Mapping[tuple[int, int], tuple[Assignment, bool]],
    users: Mapping[str, int | str],
    summary: AnnotationImportSummary,
) -> None:
    user_ids = _create_users(project, users, summary)
    new_passages = _new_documents(project, [plan for plan in plans if plan.digest in summary.new_texts])
    speaker_ids = _speakers(
        project, {c.speaker for entry in work.values() for c in entry.claims if c.speaker}, summary
    )
    now = timezone.now()
    new_rows: dict[tuple[int, int], list[Any]] = {}  # (passage id, annotator id) → assignment row
    filled: dict[tuple[int, int], Assignment] = {}
    targets: list[tuple[tuple[int, int], PassageWork]] = []
    for (where, user), entry in work.items():
        if entry.already_there:
            continue
        key = (new_passages[where] if isinstance(where, str) else where, user_ids[user])
        status = AssignmentStatus.SKIPPED if entry.cancelled else AssignmentStatus.SUBMITTED
        submitted_at = now if status == AssignmentStatus.SUBMITTED else None
        before = existing.get(key)
        if before is not None and key not in filled:  # an assignment not started: the import fills it
            assignment = filled[key] = before[0]
            assignment.status, assignment.submitted_at = status, submitted_at
            assignment.note = "\n\n".join(n for n in (assignment.note, entry.note) if n)
            assignment.version += 1
        elif key not in new_rows and key not in filled:
            new_rows[key] = [*key, status, submitted_at, entry.note, 1, now, now]
        targets.append((key, entry))
    assignment_ids = {key: pk for key, pk in zip(new_rows, insert_rows_returning_ids(
        Assignment, ASSIGNMENT_COLUMNS, list(new_rows.values())), strict=True)}  # fmt: skip
    assignment_ids.update({key: assignment.pk for key, assignment in filled.items()})
    Assignment.objects.bulk_update(
        filled.values(), ["status", "submitted_at", "note", "version"], batch_size=BATCH_SIZE
    )
    texts = dict(
        Passage.objects.filter(pk__in={key[0] for key, entry in targets if entry.claims}).values_list(
            "id", "text"
        )
    )
    rows = [
        (
            assignment_ids[key],
            claim.start,
            claim.end,
            texts[key[0]][claim.start : claim.end],
            speaker_ids.get(claim.speaker.casefold()) if claim.speaker else None,
            *(claim.mention or (None, None)),
            *(claim.fields[name] for name in CLAIM_FIELDS),
            1,  # version
            now,  # created_at
            now,  # updated_at
        )
        for key, entry in targets
        for claim in entry.claims
    ]
    insert_rows(Claim, CLAIM_COLUMNS, rows)
    summary.assignments = len(new_rows) + len(filled)
    summary.claims = len(rows)


def _create_users(
    project: Project, users: Mapping[str, int | str], summary: AnnotationImportSummary
) -> dict[int | str, int]:
    """Member id or new username → user id, creating the new accounts (no usable password) as annotators."""
    user_model = get_user_model()
    ids: dict[int | str, int] = {user: user for user in users.values() if isinstance(user, int)}
    created: dict[str, int] = {}
    for username in sorted({user for user in users.values() if isinstance(user, str)}):
        account = user_model(username=username, email=username if "@" in username else "")
        account.set_unusable_password()
        account.save()
        created[username] = ids[username] = account.pk
        summary.users_created.append(username)
    Membership.objects.bulk_create(
        [Membership(project=project, user_id=pk, role=Role.ANNOTATOR) for pk in created.values()]
    )
    return ids


def _new_documents(project: Project, plans: list[PlannedRecord]) -> dict[str, int]:
    """Digest → the passage id of each new one-passage document made from a text found nowhere."""
    unique = {plan.digest: plan for plan in plans}
    now = timezone.now()
    documents = insert_rows_returning_ids(
        Document,
        ("project_id", "title", "source", "url", "text", "meta", "sha256", "created_at"),
        [
            (
                project.pk,
                _title(plan),
                str(plan.record.meta.get("source") or "")[:200],
                "",
                plan.text,
                {**plan.record.meta, "imported_from": _origin(plan)},
                plan.digest,
                now,
            )
            for plan in unique.values()
        ],
    )
    passages = insert_rows_returning_ids(
        Passage,
        ("document_id", "position", "start", "end", "text"),
        [(pk, 0, 0, len(plan.text), plan.text) for pk, plan in zip(documents, unique.values(), strict=True)],
    )
    return dict(zip(unique, passages, strict=True))


def _origin(plan: PlannedRecord) -> dict[str, Any]:
    return {"file": plan.record.file_name, "record": plan.record.index, "id": plan.record.record_id}


def _title(plan: PlannedRecord) -> str:
    title = plan.record.meta.get("document_title") or plan.record.meta.get("title")
    if not isinstance(title, str) or not title.strip():
        title = next((line for line in plan.text.split("\n") if line.strip()), "untitled")
    return " ".join(title.split())[:TITLE_CHARS]


def _speakers(project: Project, names: set[str], summary: AnnotationImportSummary) -> dict[str, int]:
    """Case-folded speaker name → id: matched by name or alias (any case), or created as a person."""
    known = speakers_known(project=project)
    new: dict[str, str] = {}
    for name in sorted(names):
        if name.casefold() not in known:
            new.setdefault(name.casefold(), name)
    created = Speaker.objects.bulk_create(
        [Speaker(project=project, name=name, kind=SpeakerKind.PERSON) for name in new.values()]
    )
    known.update({speaker.name.casefold(): speaker.pk for speaker in created})
    summary.speakers_created = sorted(new.values())
    return known
