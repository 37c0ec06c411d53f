"""Speakers of a project: list and search, create, approve."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from annotator.corpus.models import Role, Speaker
from annotator.corpus.selectors import speakers_visible_to
from annotator.corpus.services import speaker_approve, speaker_create
from annotator.labeling.selectors import speakers_matching
from api.labeling.serializers import SpeakerCreateSerializer, SpeakerSerializer
from api.params import path_id, text_param
from api.permissions import IsProjectReviewer, project_or_404

SPEAKER_WRITERS = frozenset({Role.ANNOTATOR, Role.REVIEWER, Role.MANAGER})


class SpeakerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Speakers of one project (`?project=ID`, search with `?q=`); annotators, reviewers and managers
    create them. A speaker is a real-world source shared by the project, except that in a blind project an
    annotator's new speaker is theirs alone until a reviewer approves (`approve`) or merges it."""

    serializer_class = SpeakerSerializer
    queryset = Speaker.objects.none()  # for the OpenAPI generator only; get_queryset decides

    def get_queryset(self) -> QuerySet[Speaker]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        if self.action == "retrieve":
            return speakers_visible_to(user=self.request.user)
        project = project_or_404(self.request, self.request.query_params.get("project"))
        query = text_param(self.request.query_params, "q")
        return speakers_matching(user=self.request.user, project=project, query=query)

    @extend_schema(parameters=[OpenApiParameter("project", int, required=True), OpenApiParameter("q", str)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SpeakerCreateSerializer, responses={201: SpeakerSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = SpeakerCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        project = project_or_404(request, data["project"], roles=SPEAKER_WRITERS)
        speaker = speaker_create(
            project=project,
            name=data["name"],
            kind=data["kind"],
            affiliation=data["affiliation"],
            aliases=data["aliases"],
            created_by=request.user,
        )
        return Response(SpeakerSerializer(speaker).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SpeakerSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Make an annotator's private speaker visible to the whole project (reviewers and managers)."""
        speaker = get_object_or_404(speakers_visible_to(user=request.user), pk=path_id(pk))
        project_or_404(request, speaker.project_id, roles=IsProjectReviewer.roles)
        return Response(SpeakerSerializer(speaker_approve(speaker=speaker, actor=request.user)).data)
