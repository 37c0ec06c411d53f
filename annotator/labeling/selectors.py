"""Reads for assignments and claims. Who may see and change which annotation is decided here, once.

Blind annotation: an annotator sees only their own assignments and claims; reviewers, researchers and
managers see all of them in their projects; nobody sees anything in a project they are not a member of.
Changing a claim is for the assignment's own annotator only (the others read).
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Case, Count, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from annotator.corpus.models import Membership, Passage, Project, Speaker
from annotator.corpus.selectors import SEE_ALL_ROLES, speakers_visible_to
from annotator.labeling.fields import CLAIM_CONTENT_FIELDS
from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.queries import SubqueryCount, from_project_start

User = AbstractBaseUser | AnonymousUser

OPEN_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS)
DOCUMENT_ORDER = ("passage__document_id", "passage__position")


def _visible_filter(user: User, project: str = "project_id", annotator: str = "annotator_id") -> Q | None:
    """Q for the rows `user` may read, given the paths to their project and annotator ids (an
    assignment's by default); None = everything."""
    if user.is_superuser:
        return None
    in_project = f"{project}__in"
    member_of = Membership.objects.filter(user=user).values("project_id")
    sees_all_in = Membership.objects.filter(user=user, role__in=SEE_ALL_ROLES).values("project_id")
    # Both parts require a current membership, so a removed annotator stops seeing their old work too.
    return Q(**{in_project: sees_all_in}) | Q(**{annotator: user.pk, in_project: member_of})


def assignments_visible_to(*, user: User) -> QuerySet[Assignment]:
    """Every assignment the user may read, with passage, document, project and annotator loaded."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    rows = Assignment.objects.select_related("passage__document__project", "annotator").defer(
        "passage__document__text"  # the whole article: never needed next to an assignment
    )
    visible = _visible_filter(user)
    return rows if visible is None else rows.filter(visible)


def assignments_for(*, user: User, project: Project) -> QuerySet[Assignment]:
    """The assignments of one project the user may read, in document order."""
    return assignments_visible_to(user=user).filter(project=project).order_by(*DOCUMENT_ORDER, "annotator_id")


def with_claim_counts(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """The same assignments, each with `claim_count`, counted in the same query for the rows it returns."""
    return assignments.annotate(
        claim_count=SubqueryCount(Claim.objects.filter(assignment_id=OuterRef("pk")).values("pk"))
    )


def assignments_flagged(assignments: QuerySet[Assignment], *, flagged: bool) -> QuerySet[Assignment]:
    """Only the flagged assignments (True) or only the unflagged ones (False)."""
    return assignments.exclude(flag_reason="") if flagged else assignments.filter(flag_reason="")


def own_assignments(*, user: User, project: Project) -> QuerySet[Assignment]:
    """The user's own assignments in one project, in document order, with claim counts (the navigator)."""
    mine = assignments_for(user=user, project=project)
    mine = from_project_start(mine, project_id=project.pk, key="passage_id").filter(annotator_id=user.pk)
    return with_claim_counts(mine)


@dataclass(frozen=True)
class AssignmentPage:
    assignments: list[Assignment]
    next_after: int | None  # the passage id to continue after; None on the last page


def own_assignments_page(
    assignments: QuerySet[Assignment], *, after: int | None = None, limit: int = 50
) -> AssignmentPage:
    """One page of an annotator's own assignments in passage order (the order passages were imported:
    by document, then position), after passage id `after`: a range of the index (project, passage,
    annotator), never an OFFSET or a COUNT over the whole list (one annotator has one per passage)."""
    rows = assignments.order_by("passage_id")
    if after is not None:
        rows = rows.filter(passage_id__gt=after)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return AssignmentPage(assignments=page, next_after=page[-1].passage_id if more else None)


def claims_visible_to(*, user: User, with_passage: bool = False) -> QuerySet[Claim]:
    """Every claim the user may read, with its speaker and assignment (and annotator) loaded.

    `with_passage` also loads the passage, document and project, which the write services need.
    """
    if not user.is_authenticated:
        return Claim.objects.none()
    rows = Claim.objects.select_related("speaker", "assignment__annotator")
    if with_passage:
        rows = rows.select_related("assignment__passage__document__project").defer(
            "assignment__passage__document__text"
        )
    visible = _visible_filter(user, annotator="assignment__annotator_id")
    return rows if visible is None else rows.filter(visible)


def claims_of(*, assignment: Assignment) -> QuerySet[Claim]:
    """The claims of one assignment (the caller has checked it may read it), in reading order."""
    claims = Claim.objects.filter(assignment=assignment).select_related("speaker")
    return claims.order_by("start", "end", "id")


def assignment_editable_by(*, user: User, assignment: Assignment) -> bool:
    """Only the annotator an assignment belongs to changes its claims, submits or skips it."""
    return user.is_authenticated and assignment.annotator_id == user.pk


def _queue(*, user: User, project: Project) -> QuerySet[Assignment]:
    return Assignment.objects.filter(annotator_id=user.pk, project=project)


def next_assignment(*, user: User, project: Project, after: Assignment | None = None) -> Assignment | None:
    """The user's next open passage in document order: the first after `after`, else the first of all.

    Submitted and skipped passages are not offered again (skipped ones are listed on the done screen and
    return to the queue once the annotator adds a claim to them).
    """
    open_ = _queue(user=user, project=project).filter(status__in=OPEN_STATUSES)
    open_ = (
        open_.select_related("passage__document__project", "annotator")
        .defer("passage__document__text")
        .order_by(*DOCUMENT_ORDER)
    )
    if after is not None:
        later = open_.filter(
            Q(passage__document_id__gt=after.passage.document_id)
            | Q(passage__document_id=after.passage.document_id, passage__position__gt=after.passage.position)
        ).first()
        if later is not None:
            return later
    return open_.first()


def speakers_matching(*, user: User, project: Project, query: str = "") -> QuerySet[Speaker]:
    """The project's speakers `user` may see whose name or an alias contains `query`; names starting
    with it first. Serves the editor's search-as-you-type picker; visibility is `speakers_visible_to`'s."""
    speakers = speakers_visible_to(user=user, project=project)
    query = " ".join(query.split())
    if not query:
        return speakers.order_by(Lower("name"))
    return (
        speakers.filter(Q(name__icontains=query) | Q(aliases__icontains=query))
        .annotate(rank=Case(When(name__istartswith=query, then=Value(0)), default=Value(1)))
        .order_by("rank", Lower("name"))
    )


def first_assignment(*, user: User, project: Project) -> Assignment | None:
    """The user's first passage in document order, whatever its status (to go over finished work)."""
    return _queue(user=user, project=project).order_by(*DOCUMENT_ORDER).first()


def skipped_assignments(*, user: User, project: Project) -> QuerySet[Assignment]:
    return (
        _queue(user=user, project=project)
        .filter(status=AssignmentStatus.SKIPPED)
        .select_related("passage__document")
        .order_by(*DOCUMENT_ORDER)
    )


def assignment_neighbours(*, assignment: Assignment) -> tuple[int | None, int | None]:
    """Ids of the same annotator's previous and next assignment in the project, in document order."""
    passage = assignment.passage
    same_queue = Assignment.objects.filter(
        annotator_id=assignment.annotator_id, project_id=assignment.project_id
    )
    before = Q(passage__document_id__lt=passage.document_id) | Q(
        passage__document_id=passage.document_id, passage__position__lt=passage.position
    )
    after = Q(passage__document_id__gt=passage.document_id) | Q(
        passage__document_id=passage.document_id, passage__position__gt=passage.position
    )
    previous = (
        same_queue.filter(before)
        .order_by("-passage__document_id", "-passage__position")
        .values_list("pk", flat=True)
        .first()
    )
    following = same_queue.filter(after).order_by(*DOCUMENT_ORDER).values_list("pk", flat=True).first()
    return previous, following


def context_passages(*, passage: Passage) -> tuple[Passage | None, Passage | None]:
    """The passages just before and after this one in its document (shown dimmed, for context)."""
    around = {
        p.position: p
        for p in Passage.objects.filter(
            document_id=passage.document_id, position__in=[passage.position - 1, passage.position + 1]
        ).only("id", "position", "text", "document_id")
    }
    return around.get(passage.position - 1), around.get(passage.position + 1)


@dataclass(frozen=True)
class Progress:
    assigned: int = 0
    submitted: int = 0
    skipped: int = 0

    @property
    def open(self) -> int:
        return self.assigned - self.submitted - self.skipped

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.assigned) if self.assigned else 0


_PROGRESS_COUNTS = {
    "assigned": Count("pk"),
    "submitted": Count("pk", filter=Q(status=AssignmentStatus.SUBMITTED)),
    "skipped": Count("pk", filter=Q(status=AssignmentStatus.SKIPPED)),
}


def progress_for(*, user: User, project: Project | int) -> Progress:
    """The user's own progress in one project (submitted / assigned)."""
    project_id = project.pk if isinstance(project, Project) else project
    counts = Assignment.objects.filter(annotator_id=user.pk, project_id=project_id).aggregate(
        **_PROGRESS_COUNTS
    )
    return Progress(**counts)


def progress_by_project(*, user: User) -> dict[int, Progress]:
    """The user's own progress in every project they have assignments in, in one query."""
    if not user.is_authenticated:
        return {}
    rows = (
        Assignment.objects.filter(annotator_id=user.pk)
        .values("project_id")
        .annotate(**_PROGRESS_COUNTS)
        .order_by()
    )
    return {
        row["project_id"]: Progress(
            assigned=row["assigned"], submitted=row["submitted"], skipped=row["skipped"]
        )
        for row in rows
    }


@dataclass(frozen=True)
class AnnotatorProgress:
    username: str
    progress: Progress = field(default_factory=Progress)


def progress_by_annotator(*, project: Project) -> list[AnnotatorProgress]:
    """Every annotator's progress in the project, for managers (one query)."""
    rows = (
        Assignment.objects.filter(project=project)
        .values("annotator__username")
        .annotate(**_PROGRESS_COUNTS)
        .order_by("annotator__username")
    )
    return [
        AnnotatorProgress(
            username=row["annotator__username"],
            progress=Progress(assigned=row["assigned"], submitted=row["submitted"], skipped=row["skipped"]),
        )
        for row in rows
    ]


@dataclass
class Workspace:
    """Everything the span editor shows for one assignment (built with a fixed number of queries)."""

    assignment: Assignment
    claims: list[Claim]
    before: Passage | None
    after: Passage | None
    previous_id: int | None
    next_id: int | None
    progress: Progress
    editable: bool


def workspace_for(*, user: User, assignment: Assignment) -> Workspace:
    """The editor's view of an assignment the caller has already found visible (see assignments_for)."""
    before, after = context_passages(passage=assignment.passage)
    previous_id, next_id = assignment_neighbours(assignment=assignment)
    claims = list(claims_of(assignment=assignment))
    for claim in claims:
        claim.assignment = assignment  # already loaded: no query per claim for its annotator
    return Workspace(
        assignment=assignment,
        claims=claims,
        before=before,
        after=after,
        previous_id=previous_id,
        next_id=next_id,
        progress=progress_for(user=assignment.annotator, project=assignment.passage.document.project_id),
        editable=assignment_editable_by(user=user, assignment=assignment),
    )


# --- what a claim write needs, read in one statement ---------------------------------------------------
# The API's create and update read their assignment, passage text, project rules and the named speaker in
# one plain SQL statement, restricted to the user's own assignments in projects they are a member of:
# writing is only for an assignment's own annotator (assignment_editable_by), and the membership keeps a
# removed annotator out as _visible_filter does. No rows: the caller tells 404 from 403 with
# assignment_visible / claim_visible (only on that failure).


@dataclass(slots=True)
class SpeakerRow:
    id: int
    name: str
    kind: str
    affiliation: str
    approved: bool
    created_by_id: int | None


@dataclass(slots=True)
class ClaimPlace:
    """An assignment as a claim write needs it; for an update also the claim as stored (`stored`: its
    content fields, version, created_at, updated_at, origin and suggestion_id)."""

    assignment_id: int
    annotator_id: int
    status: str
    passage_id: int
    project_id: int
    passage_text: str
    schema: dict[str, Any]
    blind: bool
    suggestions: bool
    speaker: SpeakerRow | None  # the speaker asked for (or, on update, kept), if it is one of the project's
    claim_id: int | None = None
    stored: dict[str, Any] | None = None


_TARGET_COLUMNS = (
    "a.id, a.annotator_id, a.status, a.passage_id, a.project_id, p.text, pr.schema, pr.blind, pr.suggestions,"
    " s.id, s.name, s.kind, s.affiliation, s.approved, s.created_by_id"
)
_TARGET_JOINS = " JOIN corpus_passage p ON p.id = a.passage_id JOIN corpus_project pr ON pr.id = a.project_id"
_OWN = (
    " AND a.annotator_id = %(user)s AND (%(superuser)s OR EXISTS (SELECT 1 FROM corpus_membership m"
    " WHERE m.project_id = a.project_id AND m.user_id = %(user)s))"
)
_STORED_COLUMNS = (
    *(f'c."{name}"' for name in CLAIM_CONTENT_FIELDS),
    "c.version",
    "c.created_at",
    "c.updated_at",
    "c.origin",
    "c.suggestion_id",
)
_STORED_NAMES = (*CLAIM_CONTENT_FIELDS, "version", "created_at", "updated_at", "origin", "suggestion_id")

ASSIGNMENT_FOR_WRITE = (
    f"SELECT {_TARGET_COLUMNS} FROM labeling_assignment a{_TARGET_JOINS}"  # noqa: S608 (no input in the text)
    " LEFT JOIN corpus_speaker s ON s.id = %(speaker)s AND s.project_id = a.project_id"
    f" WHERE a.id = %(assignment)s{_OWN}"
)
CLAIM_FOR_WRITE = (
    f"SELECT {_TARGET_COLUMNS}, {', '.join(_STORED_COLUMNS)} FROM labeling_claim c"  # noqa: S608
    f" JOIN labeling_assignment a ON a.id = c.assignment_id{_TARGET_JOINS}"
    " LEFT JOIN corpus_speaker s ON s.id = (CASE WHEN %(new_speaker)s THEN %(speaker)s ELSE c.speaker_id END)"
    " AND s.project_id = a.project_id"
    f" WHERE c.id = %(claim)s{_OWN}"
)


def _place(row: tuple[Any, ...]) -> ClaimPlace:
    schema = row[6]
    return ClaimPlace(
        assignment_id=row[0],
        annotator_id=row[1],
        status=row[2],
        passage_id=row[3],
        project_id=row[4],
        passage_text=row[5],
        schema=json.loads(schema) if isinstance(schema, str) else schema,
        blind=row[7],
        suggestions=row[8],
        speaker=SpeakerRow(*row[9:15]) if row[9] is not None else None,
    )


def _own_params(user: AbstractBaseUser) -> dict[str, Any]:
    return {"user": user.pk, "superuser": bool(user.is_superuser)}


def assignment_for_claim_create(
    *, user: AbstractBaseUser, assignment_id: int, speaker_id: int | None
) -> ClaimPlace | None:
    """The user's own assignment `assignment_id` with what a new claim on it is checked against (and the
    speaker `speaker_id` if it is the project's); None if it is not theirs to write (one query)."""
    params = {**_own_params(user), "assignment": assignment_id, "speaker": speaker_id}
    with connection.cursor() as cursor:
        cursor.execute(ASSIGNMENT_FOR_WRITE, params)
        row = cursor.fetchone()
    return _place(row) if row is not None else None


def claim_for_update(
    *, user: AbstractBaseUser, claim_id: int, speaker_changes: bool, speaker_id: int | None = None
) -> ClaimPlace | None:
    """The user's own claim `claim_id` as stored, with its assignment's rules, and the speaker it will
    have (`speaker_id` when `speaker_changes`, else its own); None if it is not theirs (one query)."""
    params = {
        **_own_params(user),
        "claim": claim_id,
        "new_speaker": speaker_changes,
        "speaker": speaker_id if speaker_changes else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_FOR_WRITE, params)
        row = cursor.fetchone()
    if row is None:
        return None
    place = _place(row)
    place.claim_id = claim_id
    place.stored = dict(zip(_STORED_NAMES, row[15:], strict=True))
    return place


def assignment_visible(*, user: User, assignment_id: int) -> bool:
    return assignments_visible_to(user=user).filter(pk=assignment_id).exists()


def claim_visible(*, user: User, claim_id: int) -> bool:
    return claims_visible_to(user=user).filter(pk=claim_id).exists()
