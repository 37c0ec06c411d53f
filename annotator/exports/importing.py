"""Importing annotated data from doccano and Label Studio, so agreement can be computed on existing work.

Each record's text becomes one document with one passage covering the whole text (so the tool's offsets
stay valid); a text already in the project (same content hash) is reused. Each source annotator becomes a
user (through ``annotator_map``, else by name; unknown names become new annotators who cannot log in
until given a password) with a submitted assignment, and their spans become claims, their labels mapped
through ``label_map``. Everything is checked first and written in one transaction: a file with any bad
record writes nothing (unless ``skip_invalid``), and the errors name the record and the span.
"""

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from annotator.corpus.importing import ImportRefused
from annotator.corpus.models import Document, Membership, Passage, Project, Role, Speaker, SpeakerKind
from annotator.corpus.readers import (
    MAX_FILE_BYTES,
    ReadError,
    check_size,  # the same rule as the article import
)
from annotator.corpus.schema import values
from annotator.exports.readers import (
    ForeignRecord,
    RecordError,
    read_doccano,
    read_label_studio,
    validate_records,
)
from annotator.exports.readers.plan import PlannedRecord, plan_record
from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.labeling.services import annotations_changed

SOURCES = ("doccano", "label_studio")
BATCH_SIZE = 2000
TITLE_CHARS = 200


@dataclass
class AnnotationImportSummary:
    """What an import did (``written``) or would have done; ``errors`` are per record."""

    records: int = 0  # valid records read
    documents: int = 0  # new documents (one passage each)
    reused_documents: int = 0  # texts already in the project
    users_created: list[str] = field(default_factory=list)
    assignments: int = 0
    claims: int = 0
    skipped_assignments: int = 0  # (passage, annotator) pairs the project has already: not imported again
    errors: list[RecordError] = field(default_factory=list)
    written: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "documents": self.documents,
            "reused_documents": self.reused_documents,
            "users_created": self.users_created,
            "assignments": self.assignments,
            "claims": self.claims,
            "skipped_assignments": self.skipped_assignments,
            "written": self.written,
            "errors": [
                {"file": e.file_name, "record": e.line_or_index, "message": e.message} for e in self.errors
            ],
        }


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
        raise ValidationError({field_name: 'Give a JSON object: {"foreign label": ...}.'})
    return value


def default_label_map(schema: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Each perspective value stands for itself: the labels our own doccano/Label Studio exports write."""
    return {value: {"perspective": value} for value in sorted(values(schema, "perspectives"))}


def _read(source: str, files: Sequence[tuple[str, bytes]]) -> Iterator[ForeignRecord | RecordError]:
    for file_name, data in files:
        if source == "doccano":
            yield from read_doccano(data.splitlines(), file_name=file_name)
        else:
            yield from read_label_studio(data, file_name=file_name)


def annotations_upload(
    *,
    project: Project,
    source: str,
    uploads: Sequence[tuple[str, int, Iterable[bytes]]],
    label_map: str | Mapping[str, Any] | None,
    annotator_map: str | Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> AnnotationImportSummary:
    """Uploaded files ``(name, size, chunks)`` → ``annotations_import``.

    The sizes are checked before anything is read: ImportRefused (HTTP 413) when one file, or all of them
    together, are over the article import's limit (they are read into memory).
    """
    try:
        check_size(", ".join(name for name, _, _ in uploads), sum(size for _, size, _ in uploads))
    except ReadError as error:
        raise ImportRefused(str(error)) from error
    files, total = [], 0
    for file_name, _, chunks in uploads:
        data = b"".join(chunks)
        total += len(data)
        if total > MAX_FILE_BYTES:  # the declared size can lie; the bytes cannot
            raise ImportRefused(
                f"{file_name}: the files are over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit"
            )
        files.append((file_name, data))
    return annotations_import(
        project=project,
        source=source,
        files=files,
        label_map=json_mapping(label_map, field_name="label_map") or default_label_map(project.schema),
        annotator_map=json_mapping(annotator_map, field_name="annotator_map"),
        skip_invalid=skip_invalid,
    )


def annotations_import(
    *,
    project: Project,
    source: str,
    files: Sequence[tuple[str, bytes]],
    label_map: Mapping[str, Any],
    annotator_map: Mapping[str, str] | None = None,
    skip_invalid: bool = False,
) -> AnnotationImportSummary:
    """Import doccano JSONL or Label Studio JSON exports ``(file name, bytes)`` with their annotations.

    All files are checked, then written in one transaction (doccano writes one file per annotator).

    ``label_map``: foreign label → our perspective, or → some of {"perspective", "stance", "attribution"};
    missing fields come from the span's own attributes (our exports carry them), else the schema's
    defaults. ``annotator_map``: foreign annotator → username. Returns the summary; with errors and not
    ``skip_invalid`` nothing is written (``written`` False). Raises ValidationError for a bad argument.
    """
    if source not in SOURCES:
        raise ValidationError(
            {"format": f"Unknown import format {source!r}; choose doccano or label_studio."}
        )
    schema = project.schema
    allowed = {name: values(schema, f"{name}s") for name in ("perspective", "stance", "attribution")}
    try:
        valid, errors = validate_records(_read(source, files), label_map=label_map, allowed=allowed)
    except ValueError as error:
        raise ValidationError({"label_map": str(error)}) from None
    names = {str(k): str(v).strip() for k, v in (annotator_map or {}).items()}
    planned: list[PlannedRecord] = []
    for record in valid:
        plan = plan_record(record, schema, names)
        if isinstance(plan, list):
            errors.extend(plan)
        else:
            planned.append(plan)
    name_errors, bad_names = _username_problems(planned)
    errors.extend(name_errors)
    found, segmented = _existing_passages(project, planned)
    errors.extend(segmented)
    if not valid and not errors:
        errors.append(RecordError(", ".join(name for name, _ in files), 0, "no records to import"))
    if skip_invalid:  # keep the records no error names, without the annotators who cannot be users
        bad = {(e.file_name, e.line_or_index) for e in errors}
        planned = [p for p in planned if (p.record.file_name, p.record.index) not in bad]
        for plan in planned:
            plan.claims = {name: claims for name, claims in plan.claims.items() if name not in bad_names}
    summary = AnnotationImportSummary(records=len(planned), errors=errors)
    if errors and not skip_invalid:
        return summary
    with transaction.atomic():
        _write(project, planned, found, summary)
    summary.written = True
    transaction.on_commit(lambda: annotations_changed(project_id=project.pk))
    return summary


def _username_problems(planned: list[PlannedRecord]) -> tuple[list[RecordError], set[str]]:
    """An error for each foreign annotator name that cannot be a username (map it with the annotator map)."""
    validator = UnicodeUsernameValidator()
    problems: dict[str, RecordError] = {}
    for plan in planned:
        for username in plan.claims:
            if username in problems:
                continue
            try:
                if not username or len(username) > 150:
                    raise ValidationError("bad length")
                validator(username)
            except ValidationError:
                problems[username] = RecordError(
                    plan.record.file_name,
                    plan.record.index,
                    f"annotator {username!r} is not a valid username: map it to one with the annotator map",
                )
    return list(problems.values()), set(problems)


# Writing ---------------------------------------------------------------------------------------------


def _write(
    project: Project,
    planned: list[PlannedRecord],
    found: dict[str, Passage],
    summary: AnnotationImportSummary,
) -> None:
    passages = _passages(project, planned, found, summary)
    users = _users(project, {name for plan in planned for name in plan.claims}, summary)
    speakers = _speakers(project, {c.speaker for p in planned for cs in p.claims.values() for c in cs})
    wanted = {(passages[plan.digest].pk, users[name]) for plan in planned for name in plan.claims}
    existing = set(
        Assignment.objects.filter(
            passage_id__in={pair[0] for pair in wanted}, annotator_id__in={pair[1] for pair in wanted}
        ).values_list("passage_id", "annotator_id")
    )
    now = timezone.now()
    skipped: set[tuple[int, int]] = set()
    assignments: dict[tuple[int, int], Assignment] = {}
    for plan in planned:
        passage = passages[plan.digest]
        for name in plan.claims:
            pair = (passage.pk, users[name])
            if pair in existing:
                skipped.add(pair)
            elif pair in assignments:  # the same text twice in the file: one assignment, claims merged
                continue
            else:
                assignments[pair] = Assignment(
                    passage=passage,
                    annotator_id=pair[1],
                    status=AssignmentStatus.SUBMITTED,
                    submitted_at=now,
                )
    Assignment.objects.bulk_create(assignments.values(), batch_size=BATCH_SIZE)
    summary.assignments, summary.skipped_assignments = len(assignments), len(skipped)
    claims: list[Claim] = []
    seen: set[tuple] = set()
    for plan in planned:
        passage = passages[plan.digest]
        for name, planned_claims in plan.claims.items():
            assignment = assignments.get((passage.pk, users[name]))
            if assignment is None:
                continue
            for claim in planned_claims:
                key = (assignment.pk, *claim.key())
                if key in seen:
                    continue
                seen.add(key)
                claims.append(
                    Claim(
                        assignment=assignment,
                        start=claim.start,
                        end=claim.end,
                        text=passage.text[claim.start : claim.end],
                        speaker_id=speakers.get(claim.speaker.lower()),
                        **claim.fields,
                    )
                )
    Claim.objects.bulk_create(claims, batch_size=BATCH_SIZE)
    summary.claims = len(claims)


def _existing_passages(
    project: Project, planned: list[PlannedRecord]
) -> tuple[dict[str, Passage], list[RecordError]]:
    """Digest → passage of the texts the project has already as one-passage documents; errors for the
    texts it has as segmented articles (offsets into the whole text do not fit one of their passages)."""
    digests = {plan.digest for plan in planned}
    found: dict[str, Passage] = {}
    taken: set[str] = set()
    for passage in Passage.objects.filter(
        document__project=project, document__sha256__in=digests, position=0
    ).select_related("document"):
        taken.add(passage.document.sha256)
        if passage.start == 0 and passage.end == len(passage.document.text):
            found[passage.document.sha256] = passage
    errors = [
        RecordError(
            plan.record.file_name,
            plan.record.index,
            "this text is already a document of the project, split into passages; import it elsewhere",
        )
        for plan in planned
        if plan.digest in taken - set(found)
    ]
    return found, errors


def _passages(
    project: Project,
    planned: list[PlannedRecord],
    found: dict[str, Passage],
    summary: AnnotationImportSummary,
) -> dict[str, Passage]:
    """Digest → the passage covering the whole text: ``found`` (existing) or a new one-passage document."""
    new = {plan.digest: plan for plan in planned if plan.digest not in found}
    documents = Document.objects.bulk_create(
        [
            Document(
                project=project,
                title=_title(plan.record, plan.text),
                source=str(plan.record.meta.get("source") or "")[:200],
                text=plan.text,
                meta={**plan.record.meta, "imported_from": _origin(plan.record)},
                sha256=plan.digest,
            )
            for plan in new.values()
        ],
        batch_size=BATCH_SIZE,
    )
    created = Passage.objects.bulk_create(
        [Passage(document=d, position=0, start=0, end=len(d.text), text=d.text) for d in documents],
        batch_size=BATCH_SIZE,
    )
    summary.documents = len(documents)
    summary.reused_documents = len({plan.digest for plan in planned} & set(found))
    return {**found, **{passage.document.sha256: passage for passage in created}}


def _title(record: ForeignRecord, text: str) -> str:
    title = record.meta.get("document_title") or record.meta.get("title")
    if not isinstance(title, str) or not title.strip():
        title = next((line for line in text.split("\n") if line.strip()), "untitled")
    return " ".join(title.split())[:TITLE_CHARS]


def _origin(record: ForeignRecord) -> dict[str, Any]:
    return {"file": record.file_name, "record": record.index, "id": record.record_id}


def _users(project: Project, usernames: set[str], summary: AnnotationImportSummary) -> dict[str, int]:
    """Username → user id; unknown names become users (no usable password); non-members become annotators."""
    user_model = get_user_model()
    ids = dict(user_model.objects.filter(username__in=usernames).values_list("username", "pk"))
    for username in sorted(usernames - set(ids)):
        user = user_model(username=username)
        user.set_unusable_password()
        user.save()
        ids[username] = user.pk
        summary.users_created.append(username)
    members = set(
        Membership.objects.filter(project=project, user_id__in=ids.values()).values_list("user_id", flat=True)
    )
    Membership.objects.bulk_create(
        [
            Membership(project=project, user_id=pk, role=Role.ANNOTATOR)
            for pk in ids.values()
            if pk not in members
        ]
    )
    return ids


def _speakers(project: Project, names: set[str]) -> dict[str, int]:
    """Lower-cased speaker name → speaker id; names new to the project become people speakers."""
    names.discard("")
    if not names:
        return {}
    lowered = {name.lower(): name for name in names}
    ids = dict(
        Speaker.objects.filter(project=project)
        .annotate(lowered=Lower("name"))
        .filter(lowered__in=list(lowered))
        .values_list("lowered", "pk")
    )
    created = Speaker.objects.bulk_create(
        [
            Speaker(project=project, name=lowered[key], kind=SpeakerKind.PERSON)
            for key in sorted(set(lowered) - set(ids))
        ]
    )
    ids.update({speaker.name.lower(): speaker.pk for speaker in created})
    return ids
