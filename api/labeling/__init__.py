"""Assignments (with the `next` queue, `submit` and `skip`), claims (CRUD with versions) and speakers,
one module per resource; serializers and filters beside them.

Visibility comes from annotator.labeling.selectors: an id the user may not read is a 404. Writes are for
the assignment's own annotator (OwnsAssignment); others who can read it get a 403.
"""

from rest_framework.routers import DefaultRouter

from api.labeling.assignments import AssignmentViewSet
from api.labeling.claims import ClaimViewSet
from api.labeling.filters import AssignmentFilter
from api.labeling.serializers import SpeakerBriefSerializer, WorkspaceSerializer
from api.labeling.speakers import SpeakerViewSet

__all__ = ["AssignmentFilter", "SpeakerBriefSerializer", "WorkspaceSerializer", "register"]


def register(router: DefaultRouter) -> None:
    router.register("assignments", AssignmentViewSet, basename="assignment")
    router.register("claims", ClaimViewSet, basename="claim")
    router.register("speakers", SpeakerViewSet, basename="speaker")
