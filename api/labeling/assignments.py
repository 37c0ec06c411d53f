"""Assignments: the navigator's list, the editor's workspace (`retrieve`, `next`), `submit`, `skip`,
`flag` and `time`. Writes are for the assignment's own annotator (OwnsAssignment); others who can read it
get a 403."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from annotator.labeling.assignment_services import assignment_flag, assignment_skip, assignment_submit
from annotator.labeling.models import Assignment
from annotator.labeling.selectors import (
    assignments_visible_to,
    next_assignment,
    progress_for,
    with_claim_counts,
    workspace_for,
)
from annotator.labeling.time_on_task import assignment_time_add
from api.labeling.filters import AssignmentFilter
from api.labeling.serializers import (
    ActiveTimeSerializer,
    AssignmentListItemSerializer,
    AssignmentSerializer,
    FlagSerializer,
    MovedSerializer,
    ProgressSerializer,
    SkipSerializer,
    WorkspaceSerializer,
)
from api.pagination import PassageOrderPagination
from api.params import int_param, path_id
from api.permissions import OwnsAssignment, project_or_404


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Assignments the user may see (own ones for annotators); `retrieve` and `next` return the
    editor's workspace; `submit` and `skip` are for the assignment's own annotator."""

    permission_classes = [IsAuthenticated, OwnsAssignment]
    filterset_class = AssignmentFilter
    pagination_class = PassageOrderPagination

    def get_queryset(self) -> QuerySet[Assignment]:
        assignments = assignments_visible_to(user=self.request.user).order_by(
            "passage__document_id", "passage__position", "annotator_id"
        )
        return with_claim_counts(assignments) if self.action == "list" else assignments

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return AssignmentListItemSerializer
        return WorkspaceSerializer if self.action in {"retrieve", "next"} else AssignmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("flagged", bool, description="only flagged (true) or unflagged (false) ones"),
            OpenApiParameter("q", str, description="text in the passage (case-insensitive)"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The assignments the user may see (an annotator: their own) in document order, for the
        navigator: filter by project, document, status, flagged, annotator and passage text (`q`); a page
        at a time (follow `next`; no total is counted)."""
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assignment = self.get_object()
        return Response(WorkspaceSerializer(workspace_for(user=request.user, assignment=assignment)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("project", int, required=True),
            OpenApiParameter("after", int, description="continue after this assignment (document order)"),
        ],
        responses={200: WorkspaceSerializer, 204: None},
    )
    @action(detail=False, methods=["get"])
    def next(self, request: Request) -> Response:
        """The user's next open passage in the project (204 when nothing is left)."""
        project = project_or_404(request, request.query_params.get("project"))
        after = None
        after_id = int_param(request.query_params, "after")
        if after_id is not None:
            after = assignments_visible_to(user=request.user).filter(pk=after_id).first()
        assignment = next_assignment(user=request.user, project=project, after=after)
        if assignment is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(WorkspaceSerializer(workspace_for(user=request.user, assignment=assignment)).data)

    @extend_schema(request=None, responses=MovedSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Mark the passage done (again, after an edit); answers with the next open passage's id."""
        return Response(self._moved(assignment_submit(assignment=self.get_object())))

    @extend_schema(request=SkipSerializer, responses=MovedSerializer)
    @action(detail=True, methods=["post"])
    def skip(self, request: Request, pk: str | None = None) -> Response:
        """Put the passage aside; it is not offered again until the annotator adds a claim to it.
        An optional `reason` (and `note`) is recorded as the passage's flag."""
        assignment = self.get_object()
        body = SkipSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self._moved(assignment_skip(assignment=assignment, **body.validated_data)))

    @extend_schema(request=FlagSerializer, responses={200: AssignmentSerializer, 404: None})
    @action(detail=True, methods=["post"])
    def flag(self, request: Request, pk: str | None = None) -> Response:
        """Set (or, with a null or empty `reason`, clear) the flag on the user's own assignment;
        anyone else's is a 404, readers included: only its annotator flags a passage."""
        own = assignments_visible_to(user=request.user).filter(annotator_id=request.user.pk)
        assignment_id = path_id(pk)
        assignment = get_object_or_404(own, pk=assignment_id) if assignment_id is not None else None
        if assignment is None:
            raise Http404("No such assignment.")
        body = FlagSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(
            AssignmentSerializer(assignment_flag(assignment=assignment, **body.validated_data)).data
        )

    @extend_schema(request=ActiveTimeSerializer, responses={200: None, 404: None})
    @action(detail=True, methods=["post"], url_path="time")
    def time(self, request: Request, pk: str | None = None) -> Response:
        """Add active seconds the editor counted on the user's own assignment (see labeling.time_on_task);
        anyone else's assignment is a 404, readers included: time is only reported by its annotator."""
        body = ActiveTimeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        total = None
        assignment_id = path_id(pk)
        if assignment_id is not None:
            total = assignment_time_add(
                assignment_id=assignment_id, annotator=request.user, seconds=body.validated_data["seconds"]
            )
        if total is None:
            raise Http404("No such assignment.")
        return Response({"active_seconds": total})

    def _moved(self, assignment: Assignment) -> dict[str, Any]:
        project = assignment.passage.document.project
        following = next_assignment(user=self.request.user, project=project, after=assignment)
        return {
            "assignment": AssignmentSerializer(assignment).data,
            "next": following.pk if following else None,
            "progress": ProgressSerializer(progress_for(user=self.request.user, project=project)).data,
        }
