"""Writes for projects, members, documents and speakers."""

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from annotator.bulk import insert_rows, insert_rows_returning_ids
from annotator.corpus.models import Document, Membership, Passage, Project, SchemaVersion, Speaker
from annotator.corpus.readers import ArticleRecord, content_digest
from annotator.corpus.schema import SchemaError, load_default_schema, validate_schema
from annotator.corpus.segment import passage_spans
from annotator.corpus.selectors import speaker_is_private_to, speakers_visible_to
from annotator.history import services as history
from annotator.history.models import Action, Entity
from annotator.history.services import Actor
from annotator.history.snapshots import speaker_snapshot
from annotator.suggestions.services import suggestions_schedule


def project_create(
    *, name: str, slug: str, schema: dict[str, Any] | None = None, overlap: int = 3, guidelines: str = ""
) -> Project:
    try:
        schema = validate_schema(schema) if schema is not None else load_default_schema()
    except SchemaError as error:
        raise ValidationError({"schema": str(error)}) from error
    project = Project(name=name, slug=slug, schema=schema, overlap=overlap, guidelines=guidelines)
    project.full_clean()
    with transaction.atomic():
        project.save()
        SchemaVersion.objects.create(
            project=project, version=1, schema=schema, changes=["the schema as first set"]
        )
    return project


def membership_set(*, project: Project, user: AbstractBaseUser, role: str) -> Membership:
    """Give the user this role in the project (one role per user and project)."""
    membership, _ = Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
    return membership


@dataclass
class ImportSummary:
    documents: int = 0
    passages: int = 0
    skipped_duplicates: int = 0
    furniture: int = 0  # page furniture lines (credits, headings, sign-up boxes) the new documents hold
    encoding: str = ""  # of a summary of one file: the encoding it was read in ("UTF-8", "GB18030", …)

    def add(self, other: "ImportSummary") -> None:
        self.documents += other.documents
        self.passages += other.passages
        self.skipped_duplicates += other.skipped_duplicates
        self.furniture += other.furniture


IMPORT_CHUNK = 5000  # records hashed, looked up and written together; bounds what an import holds
_DOCUMENT_FIELDS = (
    "project_id",
    "title",
    "source",
    "url",
    "published",
    "text",
    "meta",
    "sha256",
    "created_at",
    "language",
)
_PASSAGE_FIELDS = ("document_id", "position", "start", "end", "text")


def documents_import(
    *, project: Project, records: Iterable[ArticleRecord], chunk_size: int = IMPORT_CHUNK
) -> ImportSummary:
    """Store new documents and their body passages, all or nothing.

    A record whose text is already in the project (same sha256), or earlier in ``records``, is skipped, so
    re-importing is a no-op. ``records`` is consumed as a stream, ``chunk_size`` records at a time (one
    lookup of the digests, one COPY of the documents and one of their passages per chunk), all inside one
    transaction: if iterating ``records`` raises (a bad line further down a file) or a write fails, the
    exception propagates and nothing of the call is kept. The new documents' suggestions are computed once
    this commits (every article import path comes through here).
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    summary = ImportSummary()
    seen: set[str] = set()  # digests met so far in this call, new or already stored
    document_ids: list[int] = []
    created_at = timezone.now()
    with transaction.atomic():
        deferred = _check_foreign_keys_per_row()
        for chunk in _batches(records, chunk_size):
            document_ids += _documents_import_chunk(project, chunk, seen, summary, created_at)
        _set_constraints(deferred, "DEFERRED")  # as they were: the caller's transaction may go on
        suggestions_schedule(document_ids=document_ids)
    return summary


def _check_foreign_keys_per_row() -> list[str]:
    """Make the documents' and passages' deferred foreign keys checked as rows go in; their names.

    Deferred to the commit, every row's check is queued in memory and run one by one at the end: for 50k
    documents and their passages the commit took 0.9-2.4 s, where checking during the COPY adds 0.5-1 s
    to it (measured on a loaded machine). Rolling the import back (to its savepoint, or the whole
    transaction) undoes this setting too.
    """
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferred"
            " AND conrelid = ANY(ARRAY[%s, %s]::regclass[])",
            [Document._meta.db_table, Passage._meta.db_table],
        )
        names = [name for (name,) in cursor.fetchall()]
    _set_constraints(names, "IMMEDIATE")
    return names


def _set_constraints(names: list[str], mode: str) -> None:
    if names:
        with connection.cursor() as cursor:
            quoted = ", ".join(connection.ops.quote_name(name) for name in names)  # from pg_constraint
            cursor.execute(f"SET CONSTRAINTS {quoted} {mode}")


def _documents_import_chunk(
    project: Project,
    records: Iterable[ArticleRecord],
    seen: set[str],
    summary: ImportSummary,
    created_at: datetime,
) -> list[int]:
    """Write one chunk's new documents and passages; count its duplicates into ``summary``; the new ids."""
    by_digest: dict[str, ArticleRecord] = {}
    for record in records:
        digest = content_digest(record.text)
        if digest in seen or digest in by_digest:
            summary.skipped_duplicates += 1
        else:
            by_digest[digest] = record
    seen.update(by_digest)
    if not by_digest:
        return []
    for digest in _stored_digests(project, list(by_digest)):
        summary.skipped_duplicates += 1
        del by_digest[digest]
    rows = [_document_row(project, digest, record, created_at) for digest, record in by_digest.items()]
    document_ids = insert_rows_returning_ids(Document, _DOCUMENT_FIELDS, rows)
    passages = []
    for document_id, record in zip(document_ids, by_digest.values(), strict=True):
        text = record.text
        # The title as stored; a Chinese document by the Chinese rules.
        spans, furniture = passage_spans(text, title=record.title[:500], language=record.language)
        summary.furniture += furniture
        passages += [
            (document_id, position, start, end, text[start:end])
            for position, (start, end) in enumerate(spans)
        ]
    insert_rows(Passage, _PASSAGE_FIELDS, passages)
    summary.documents += len(document_ids)
    summary.passages += len(passages)
    return document_ids


def _stored_digests(project: Project, digests: list[str]) -> list[str]:
    """Which of ``digests`` the project's documents already have (one indexed query)."""
    if connection.vendor == "postgresql":
        # One array parameter: thousands of ``IN (%s, ...)`` placeholders cost more to build than to run.
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Document._meta.db_table)  # ours, not input
            cursor.execute(
                f"SELECT sha256 FROM {table} WHERE project_id = %s AND sha256 = ANY(%s)",  # noqa: S608
                [project.pk, digests],
            )
            return [digest for (digest,) in cursor.fetchall()]
    return list(Document.objects.filter(project=project, sha256__in=digests).values_list("sha256", flat=True))


def _batches(records: Iterable[ArticleRecord], size: int) -> Iterator[list[ArticleRecord]]:
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _document_row(project: Project, digest: str, record: ArticleRecord, created_at: datetime) -> tuple:
    """A Document's column values in the order of _DOCUMENT_FIELDS (what the model would store)."""
    return (
        project.pk,
        record.title[:500],
        record.source[:200],
        record.url,
        date.fromisoformat(record.published) if record.published else None,
        record.text,
        record.meta,
        digest,
        created_at,
        record.language,
    )


def speaker_create(
    *,
    project: Project,
    name: str,
    kind: str,
    affiliation: str = "",
    aliases: list[str] | None = None,
    created_by: AbstractBaseUser | None = None,
) -> Speaker:
    """Create a speaker; a name that is already the name or alias (any case) of a speaker the creator can
    see is a field error. An annotator's speaker in a blind project is private (unapproved) until a
    reviewer approves or merges it; one with the name of another annotator's private speaker is simply a
    second private row, so the creator learns nothing about the other's choices."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "A speaker needs a name."})
    allowed = {item["value"] for item in project.schema.get("affiliations", [])}
    if affiliation and affiliation not in allowed:
        raise ValidationError(
            {"affiliation": f"Unknown affiliation {affiliation!r}; choose one of {sorted(allowed)}."}
        )
    private = created_by is not None and speaker_is_private_to(user=created_by, project=project)
    visible = speakers_visible_to(user=created_by, project=project) if private else project.speakers.all()
    existing = _speaker_known_as(speakers=visible, name=name)
    if existing is not None:
        raise ValidationError({"name": f"{name!r} is already the speaker {existing.name!r} in this project."})
    speaker = Speaker(
        project=project,
        name=name,
        kind=kind,
        affiliation=affiliation,
        aliases=aliases or [],
        created_by=created_by,
        approved=not private,
    )
    speaker.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            speaker.save()
            history.record(
                project_id=project.pk,
                entity=Entity.SPEAKER,
                entity_id=speaker.pk,
                action=Action.CREATE,
                actor=created_by,
                after=speaker_snapshot(speaker),
                at=speaker.created_at,
            )
    except IntegrityError as error:  # another user created the same name a moment ago
        raise ValidationError({"name": f"{name!r} is already a speaker in this project."}) from error
    return speaker


def speaker_approve(*, speaker: Speaker, actor: Actor = None) -> Speaker:
    """Make a private speaker visible to the whole project (recorded in the history, by `actor`); a name an
    approved speaker already has is a field error (merge the two instead). Approving an approved speaker
    changes nothing."""
    if speaker.approved:
        return speaker
    try:
        with transaction.atomic():
            Speaker.objects.filter(pk=speaker.pk).update(approved=True)
            history.record(
                project_id=speaker.project_id,
                entity=Entity.SPEAKER,
                entity_id=speaker.pk,
                action=Action.APPROVE,
                actor=actor,
                before={"approved": False},
                after={"approved": True},
            )
    except IntegrityError as error:
        raise ValidationError(
            {"name": f"{speaker.name!r} is already an approved speaker: merge the two instead."}
        ) from error
    speaker.approved = True
    return speaker


def _speaker_known_as(*, speakers: QuerySet[Speaker], name: str) -> Speaker | None:
    """The speaker among `speakers` whose name or one of whose aliases is `name` (ignoring case), if any."""
    folded = name.casefold()
    candidates = speakers.filter(Q(name__iexact=name) | Q(aliases__icontains=name))
    for speaker in candidates:
        if speaker.name.casefold() == folded or any(alias.casefold() == folded for alias in speaker.aliases):
            return speaker
    return None
