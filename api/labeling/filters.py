"""Filters of the assignment and claim lists."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.labeling.selectors import assignments_flagged
from annotator.queries import from_project_start

# Plain number filters: a ModelChoiceFilter would look each id up (one more query) for no gain, as
# the selectors already restrict the rows to what the user may see.


@extend_schema_field(OpenApiTypes.BOOL)
class TrueOrFalseFilter(django_filters.TypedChoiceFilter):
    """A yes/no filter that takes only "true" or "false" (a 400 otherwise): django-filter's BooleanFilter
    would read any other value as "not given" and return the unfiltered list."""

    def __init__(self, **kwargs: Any) -> None:
        choices = [("true", "true"), ("false", "false")]
        super().__init__(choices=choices, coerce=lambda value: value == "true", **kwargs)


class AssignmentFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(method="filter_project")
    document = django_filters.NumberFilter(field_name="passage__document_id")
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)
    annotator = django_filters.CharFilter(field_name="annotator__username")
    flagged = TrueOrFalseFilter(method="filter_flagged")
    q = django_filters.CharFilter(field_name="passage__text", lookup_expr="icontains")

    def filter_flagged(self, assignments: QuerySet[Assignment], name: str, flagged: bool) -> QuerySet:
        return assignments_flagged(assignments, flagged=flagged)

    def filter_project(self, assignments: QuerySet[Assignment], name: str, project: int) -> QuerySet:
        return from_project_start(assignments, project_id=project, key="passage_id")


class ClaimFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(method="filter_project")
    assignment = django_filters.NumberFilter(field_name="assignment_id")
    passage = django_filters.NumberFilter(field_name="assignment__passage_id")
    annotator = django_filters.CharFilter(field_name="assignment__annotator__username")

    def filter_project(self, claims: QuerySet[Claim], name: str, project: int) -> QuerySet:
        return from_project_start(claims, project_id=project)
