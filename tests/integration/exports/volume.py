"""Volume data for the export memory test and the export rows of `annotator bench`: claims loaded by COPY.

Going through claim_create for hundreds of thousands of claims would take minutes; this writes the same
rows directly (the PostgreSQL trigger still checks every claim's text against its passage).
"""

import math
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import connection

from annotator.corpus.models import Document, Membership, Passage, Project, Role
from annotator.corpus.services import content_digest, project_create
from annotator.labeling.models import Assignment

SENTENCE = "Officials in Beijing described the agreements as fulfilling the legitimate need for exchanges. "
PERSPECTIVES = ("us_western", "chinese", "russian", "north_korean")
STANCES = ("favor", "against", "neutral")
CLAIM_COLUMNS = (
    "assignment_id", "project_id", "start", '"end"', "text", "attribution", "perspective", "stance", "target",
    "note", "version", "created_at", "updated_at",
)  # fmt: skip


def _copy(table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def build_volume_project(
    *,
    slug: str,
    claims: int,
    annotators: int = 2,
    claims_per_assignment: int = 10,
    passages_per_document: int = 20,
) -> Project:
    """A project with exactly ``claims`` submitted claims (``claims_per_assignment`` per assignment)."""
    project = project_create(name=slug, slug=slug)
    user_model = get_user_model()
    users = []
    for i in range(annotators):
        user = user_model(username=f"{slug}-ann{i}")
        user.set_unusable_password()
        users.append(user)
    users = user_model.objects.bulk_create(users)
    Membership.objects.bulk_create(Membership(project=project, user=u, role=Role.ANNOTATOR) for u in users)
    passages_needed = math.ceil(claims / (annotators * claims_per_assignment))
    documents = []
    for d in range(math.ceil(passages_needed / passages_per_document)):
        paragraphs = [f"Paragraph {p} of article {d}: {SENTENCE * 3}" for p in range(passages_per_document)]
        text = "\n".join(paragraphs)
        documents.append(
            Document(
                project=project, title=f"{slug} {d}", text=text, sha256=content_digest(text), source="bench"
            )
        )
    documents = Document.objects.bulk_create(documents, batch_size=2000)
    passages = []
    for document in documents:
        offset = 0
        for position, paragraph in enumerate(document.text.split("\n")):
            passages.append((document.pk, position, offset, offset + len(paragraph), paragraph))
            offset += len(paragraph) + 1
    passages = passages[:passages_needed]
    _copy("corpus_passage", ("document_id", "position", "start", '"end"', "text"), passages)
    now = datetime.now(UTC)
    passage_rows = list(
        Passage.objects.filter(document__project=project).order_by("id").values_list("id", "text")
    )
    _copy(
        "labeling_assignment",
        (
            "passage_id",
            "annotator_id",
            "project_id",
            "status",
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
        ),
        ((p, u.pk, project.pk, "submitted", 1, now, now, now) for p, _ in passage_rows for u in users),
    )
    texts = dict(passage_rows)
    # Read before the COPY starts: a connection in COPY mode cannot run another query.
    assignments = list(
        Assignment.objects.filter(project=project).order_by("id").values_list("id", "passage_id")
    )
    rows = _claim_rows(project.pk, assignments, texts, claims, claims_per_assignment, now)
    _copy("labeling_claim", CLAIM_COLUMNS, rows)
    return project


def _claim_rows(
    project_id: int,
    assignments: list[tuple[int, int]],
    texts: dict[int, str],
    total: int,
    per_assignment: int,
    now: datetime,
) -> Iterator[tuple]:
    made = 0
    for index, (assignment_id, passage_id) in enumerate(assignments):
        text = texts[passage_id]
        for k in range(per_assignment):
            if made == total:
                return
            start = (k * 23 + index % 3) % (len(text) - 40)
            end = start + 15 + k
            yield (
                assignment_id, project_id, start, end, text[start:end], "authorial", PERSPECTIVES[k % 4],
                STANCES[k % 3], "Russia–North Korea rapprochement", "", 1, now, now,
            )  # fmt: skip
            made += 1
