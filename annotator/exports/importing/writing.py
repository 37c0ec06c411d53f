"""Writing an annotation import in one go: new accounts, new documents, speakers, assignments and claims,
each table in bulk (COPY on PostgreSQL). The caller holds the transaction."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from annotator.bulk import insert_rows_returning_ids
from annotator.corpus.language import detect_language, normalise_language
from annotator.corpus.models import Document, Membership, Passage, Project, Role, Speaker, SpeakerKind
from annotator.exports.importing.placing import PassageWork, Placed
from annotator.exports.importing.selectors import speakers_known
from annotator.exports.importing.summary import AnnotationImportSummary
from annotator.exports.readers.plan import PlannedRecord
from annotator.history.models import Action, Entity
from annotator.history.services import Actor, record_many
from annotator.history.snapshots import CLAIM_FIELDS as RECORDED_FIELDS
from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.review.scoring import passage_scores_refresh
from annotator.suggestions.services import suggestions_schedule

BATCH_SIZE = 2000
TITLE_CHARS = 200
CLAIM_FIELDS = ("attribution", "perspective", "stance", "target", "confidence", "note")  # PlannedClaim.fields
ASSIGNMENT_COLUMNS = (
    "passage_id", "annotator_id", "project_id", "status", "submitted_at", "note", "version", "created_at",
    "updated_at",
)  # fmt: skip
CLAIM_COLUMNS = (
    "assignment_id", "project_id", "start", "end", "text", "speaker_id", "mention_start", "mention_end",
    *CLAIM_FIELDS, "version", "created_at", "updated_at",
)  # fmt: skip


def import_write(
    project: Project,
    plans: list[PlannedRecord],
    work: Placed,
    existing: Mapping[tuple[int, int], tuple[Assignment, bool]],
    users: Mapping[str, int | str],
    summary: AnnotationImportSummary,
    imported_by: Actor = None,
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
            new_rows[key] = [*key, project.pk, status, submitted_at, entry.note, 1, now, now]
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
            project.pk,
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
    claim_ids = insert_rows_returning_ids(Claim, CLAIM_COLUMNS, rows)
    # Each imported claim's first version, recorded in bulk as the import of `imported_by`.
    record_many(
        project_id=project.pk,
        entity=Entity.CLAIM,
        action=Action.IMPORT,
        actor=imported_by,
        at=now,
        rows=[(pk, 1, None, _recorded(row)) for pk, row in zip(claim_ids, rows, strict=True)],
    )
    passage_scores_refresh(passage_ids={key[0] for key, _ in targets})
    summary.assignments = len(new_rows) + len(filled)
    summary.claims = len(rows)


def _recorded(row: tuple) -> dict[str, Any]:
    """A claim row in the history's form (history.snapshots): the speaker under "speaker"."""
    values = dict(zip(CLAIM_COLUMNS, row, strict=True))
    values["speaker"] = values["speaker_id"]
    return {name: values[name] for name in RECORDED_FIELDS}


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
        ("project_id", "title", "source", "url", "text", "meta", "sha256", "created_at", "language"),
        [
            (
                project.pk,
                _title(plan),
                str(plan.record.meta.get("source") or "")[:200],
                "",
                plan.text,
                {
                    **{k: v for k, v in plan.record.meta.items() if k != "_lost"},
                    "imported_from": _origin(plan),
                },
                plan.digest,
                now,
                _language(plan),
            )
            for plan in unique.values()
        ],
    )
    passages = insert_rows_returning_ids(
        Passage,
        ("document_id", "position", "start", "end", "text"),
        [(pk, 0, 0, len(plan.text), plan.text) for pk, plan in zip(documents, unique.values(), strict=True)],
    )
    suggestions_schedule(document_ids=documents)  # after the caller's transaction commits
    return dict(zip(unique, passages, strict=True))


def _language(plan: PlannedRecord) -> str:
    """The language a record's metadata gives (doccano and Label Studio keep extra fields there), if it is a
    language tag, else the guess from its text."""
    for key in ("language", "lang"):
        value = plan.record.meta.get(key)
        if isinstance(value, str):
            try:
                if tag := normalise_language(value):
                    return tag
            except ValueError:
                continue
    return detect_language(plan.text)


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
