"""Reads for the managers' progress page: counts per annotator, per document and per day.

Every function is one aggregate query, whatever the size of the project. Only what is recorded is
counted: assignment statuses and times, claims, and time on task (Assignment.active_seconds, which the
editor reports). Flags are not recorded.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    Aggregate,
    Count,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate

from annotator.corpus.models import Document, Membership, Passage, Project, Role
from annotator.labeling.durations import duration_text
from annotator.labeling.models import Assignment, AssignmentStatus, Claim

DOCUMENTS_PER_PAGE = 50


class Median(Aggregate):
    """PostgreSQL's continuous median (percentile_cont(0.5)): the middle value, or the mean of the two."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class AnnotatorProgress:
    username: str
    assigned: int  # every assignment, whatever its status
    open: int  # assigned, not yet opened
    in_progress: int
    submitted: int
    skipped: int
    claims: int
    last_activity: datetime | None
    active_seconds: int = 0  # time on task over all their assignments
    median_seconds: float | None = None  # per submitted passage; None before the first submission

    @property
    def percent(self) -> int:
        return round(100 * (self.submitted + self.skipped) / self.assigned) if self.assigned else 0

    @property
    def active_time(self) -> str:
        return duration_text(self.active_seconds)

    @property
    def median_time(self) -> str:
        return duration_text(self.median_seconds)


@dataclass(frozen=True)
class DocumentProgress:
    id: int
    title: str
    passages: int
    done: int  # assignments submitted or skipped
    total: int  # assignments

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


_STATUS_COUNTS = {
    name: Count("pk", filter=Q(status=status))
    for name, status in (
        ("open", AssignmentStatus.ASSIGNED),
        ("in_progress", AssignmentStatus.IN_PROGRESS),
        ("submitted", AssignmentStatus.SUBMITTED),
        ("skipped", AssignmentStatus.SKIPPED),
    )
}


def annotator_progress(*, project: Project) -> list[AnnotatorProgress]:
    """Every annotator of the project, and anyone else holding assignments in it, by username (3 queries)."""
    assignments = {
        row["annotator_id"]: row
        for row in Assignment.objects.filter(project=project)
        .values("annotator_id")
        .annotate(
            **_STATUS_COUNTS,
            last=Max("updated_at"),
            active=Sum("active_seconds"),
            median=Median("active_seconds", filter=Q(status=AssignmentStatus.SUBMITTED)),
        )
        .order_by()
    }
    claims = {
        row["assignment__annotator_id"]: row
        for row in Claim.objects.filter(project=project)
        .values("assignment__annotator_id")
        .annotate(n=Count("pk"), last=Max("updated_at"))
        .order_by()
    }
    people = (
        get_user_model()
        .objects.filter(
            Q(pk__in=list(assignments))
            | Q(pk__in=Membership.objects.filter(project=project, role=Role.ANNOTATOR).values("user_id"))
        )
        .order_by("username")
        .values_list("pk", "username")
    )
    nothing = dict.fromkeys(_STATUS_COUNTS, 0) | {"last": None, "active": 0, "median": None}
    rows = []
    for pk, username in people:
        counts = assignments.get(pk, nothing)
        claimed = claims.get(pk, {"n": 0, "last": None})
        rows.append(
            AnnotatorProgress(
                username=username,
                assigned=sum(counts[name] for name in _STATUS_COUNTS),
                open=counts["open"],
                in_progress=counts["in_progress"],
                submitted=counts["submitted"],
                skipped=counts["skipped"],
                claims=claimed["n"],
                last_activity=max((t for t in (counts["last"], claimed["last"]) if t), default=None),
                active_seconds=counts["active"] or 0,
                median_seconds=counts["median"],
            )
        )
    return rows


def document_progress(*, project: Project, after: int = 0) -> list[DocumentProgress]:
    """A page of the project's documents after id ``after``: passages and assignments done / total.

    Counted in correlated subqueries so that passages and assignments never multiply each other.
    """
    passages = (
        Passage.objects.filter(document=OuterRef("pk")).order_by().values("document").annotate(n=Count("pk"))
    )
    assignments = (
        Assignment.objects.filter(passage__document=OuterRef("pk"))
        .order_by()
        .values("passage__document")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status__in=[AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED])),
        )
    )

    def counted(query, column: str) -> Coalesce:  # noqa: ANN001
        return Coalesce(Subquery(query.values(column)[:1], output_field=IntegerField()), Value(0))

    rows = (
        Document.objects.filter(project=project, pk__gt=after)
        .order_by("pk")
        .values("pk", "title")
        .annotate(
            passages=counted(passages, "n"),
            total=counted(assignments, "total"),
            done=counted(assignments, "done"),
        )[:DOCUMENTS_PER_PAGE]
    )
    return [
        DocumentProgress(
            id=row["pk"], title=row["title"], passages=row["passages"], done=row["done"], total=row["total"]
        )
        for row in rows
    ]


def project_totals(*, project: Project) -> dict[str, int]:
    """The project's assignments by status, and all of them (``assigned``), in one query."""
    counts = Assignment.objects.filter(project=project).aggregate(**_STATUS_COUNTS)
    return counts | {"assigned": sum(counts.values())}


def submissions_per_day(*, project: Project) -> list[tuple[date, int]]:
    """Assignments submitted on each day (UTC dates), oldest first; days with none are left out."""
    rows = (
        Assignment.objects.filter(project=project, status=AssignmentStatus.SUBMITTED)
        .annotate(day=TruncDate("submitted_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    return [(row["day"], row["n"]) for row in rows]
