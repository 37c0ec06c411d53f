"""Reads for setting up a study: who may create projects, and the members with the work they have done."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from annotator.corpus.models import Membership, Project
from annotator.labeling.models import Assignment, AssignmentStatus, Claim


def can_create_projects(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Django's `corpus.add_project` permission (superusers have every permission)."""
    return user.is_authenticated and user.has_perm("corpus.add_project")


def _count_per_annotator(rows: QuerySet, annotator_field: str) -> Subquery:
    counted = (
        rows.filter(**{annotator_field: OuterRef("user_id")}).values(annotator_field).annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), Value(0))


def members_with_work(*, project: Project) -> QuerySet[Membership]:
    """The project's members by username, each with `assigned`, `submitted` and `claims` counts here.

    One query whatever the number of members; the counts are what a removed member leaves behind.
    """
    assignments = Assignment.objects.filter(project=project).order_by()
    claims = Claim.objects.filter(project=project).order_by()
    return (
        project.memberships.select_related("user")
        .annotate(
            assigned=_count_per_annotator(assignments, "annotator_id"),
            submitted=_count_per_annotator(
                assignments.filter(Q(status=AssignmentStatus.SUBMITTED)), "annotator_id"
            ),
            claims=_count_per_annotator(claims, "assignment__annotator_id"),
        )
        .order_by("user__username")
    )
