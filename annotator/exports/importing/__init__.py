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
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from annotator import jsonsafe
from annotator.corpus.importing import ImportRefused
from annotator.corpus.models import Project
from annotator.corpus.readers import MAX_FILE_BYTES, ReadError, check_size
from annotator.corpus.schema import values
from annotator.exports.importing.members import annotators_resolve
from annotator.exports.importing.placing import work_place
from annotator.exports.importing.summary import AnnotationImportSummary
from annotator.exports.importing.writing import import_write
from annotator.exports.readers import LabelMapError, RecordError, parse_label_map, validate_records
from annotator.exports.readers.detect import FormatRefused, read_annotations
from annotator.exports.readers.plan import DEFAULT_SPEAKER_RELATIONS, PlannedRecord, plan_record
from annotator.labeling.services import annotations_changed

FORMATS = ("auto", "doccano", "label_studio", "brat")

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
    try:
        if isinstance(text, Mapping):
            jsonsafe.check(text)
            return dict(text)
        value = jsonsafe.loads(text)
    except jsonsafe.UnsafeJSON as error:
        raise ValidationError({field_name: f"Refused JSON: {error.msg}."}) from None
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
    imported_by: AbstractBaseUser | None = None,
) -> AnnotationImportSummary:
    """Import annotation exports ``(file name, bytes)`` from doccano, Label Studio or brat.

    ``label_map``: foreign label → claim fields, ``"speaker"`` or ``"ignore"`` (``readers.parse_label_map``;
    default ``default_label_map``). ``annotator_map``: foreign annotator → member username (default: the
    member of that username or e-mail). ``annotator`` names the one annotator of a collaborative file.
    ``create_users`` makes accounts for annotators who are no account at all (never for an account that is
    not a member). Returns the summary (``written`` False on a dry run or when there are errors and not
    ``skip_invalid``). Each claim written is recorded in the history as imported by ``imported_by``.
    Raises ValidationError for a bad argument, naming it.
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
    users, user_errors = annotators_resolve(project, plans, names, create_users, summary)
    errors.extend(user_errors)
    bad_records = {(e.file_name, e.line_or_index) for e in errors if e.line_or_index}
    summary.errors = errors
    summary.records = len({(r.file_name, r.index) for r in valid} | bad_records)
    summary.records_with_errors = len(bad_records)
    if skip_invalid:
        plans = [p for p in plans if (p.record.file_name, p.record.index) not in bad_records]
    work, existing = work_place(project, plans, users, summary)
    if dry_run or (errors and not skip_invalid):
        return summary
    with transaction.atomic():
        import_write(project, plans, work, existing, users, summary, imported_by=imported_by)
    summary.written = True
    transaction.on_commit(lambda: annotations_changed(project_id=project.pk))
    return summary
