"""The history of changes: a claim's (`claims/{id}/history/`, in api.labeling), a passage's gold version
(`review-passages/{id}/history/`, in api.review) and a project's (`projects/{id}/history/`, here)."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from annotator.corpus.models import Speaker
from annotator.history.models import Change, Entity
from annotator.history.selectors import project_changes
from api.pagination import KeysetPagination
from api.permissions import IsProjectResearcher, project_or_404


class HistoryPagination(KeysetPagination):
    """Newest change first, a page at a time by id (follow `next`)."""

    ordering = "-id"


class ChangeSerializer(serializers.ModelSerializer):
    """One change: `before` and `after` hold the fields it changed (every field on create and delete);
    `version` is the entity's version after it (null for speakers); `speakers` names the speaker ids
    that `before` and `after` mention."""

    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    detail = serializers.JSONField(allow_null=True)
    speakers = serializers.SerializerMethodField()

    class Meta:
        model = Change
        fields = ["id", "entity", "entity_id", "version", "action", "actor", "at", "before", "after"]
        fields += ["detail", "speakers"]

    def get_speakers(self, change: Change) -> dict[str, str]:
        names = self.context.get("speaker_names", {})
        return {str(pk): names[pk] for pk in _speaker_ids([change]) if pk in names}


class ChangePageSerializer(serializers.Serializer):
    """A page of changes, newest first; follow `next` for older ones."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ChangeSerializer(many=True)


def _speaker_ids(changes: Iterable[Change]) -> set[int]:
    ids = set()
    for change in changes:
        for side in (change.before, change.after):
            if isinstance(side, dict):
                ids.add(side.get("speaker"))
                ids.update(
                    claim.get("speaker") for claim in side.get("claims") or () if isinstance(claim, dict)
                )
    return {pk for pk in ids if isinstance(pk, int)}


def changes_page(view: viewsets.GenericViewSet, changes: QuerySet[Change]) -> Response:
    """A page of `changes` (newest first) with the names of the speakers they mention (2 queries)."""
    paginator = HistoryPagination()
    page = paginator.paginate_queryset(changes, view.request, view=view)
    names = dict(Speaker.objects.filter(pk__in=_speaker_ids(page)).values_list("pk", "name"))
    data = ChangeSerializer(page, many=True, context={"speaker_names": names}).data
    return paginator.get_paginated_response(data)


class ProjectHistoryFilter(serializers.Serializer):
    entity = serializers.ChoiceField(choices=Entity.choices, required=False)
    entity_id = serializers.IntegerField(min_value=1, required=False)
    actor = serializers.CharField(required=False, max_length=150, help_text="A username.")


class ProjectHistoryViewSet(viewsets.GenericViewSet):
    """Every recorded change in a project, newest first (researchers, reviewers and managers): claims
    (deleted ones included), gold versions, speakers and the schema. Filter by `entity`, `entity_id` and
    `actor` (a username)."""

    serializer_class = ChangeSerializer
    pagination_class = HistoryPagination
    queryset = Change.objects.none()  # for the OpenAPI generator only
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("project_id", int, OpenApiParameter.PATH, description="The project id."),
            ProjectHistoryFilter,
        ]
    )
    def list(self, request: Request, project_id: str) -> Response:
        project = project_or_404(request, project_id, roles=IsProjectResearcher.roles)
        form = ProjectHistoryFilter(data=request.query_params)
        form.is_valid(raise_exception=True)
        query: dict[str, Any] = dict(form.validated_data)
        actor_id = None
        if "actor" in query:
            actor_id = (
                get_user_model().objects.filter(username=query["actor"]).values_list("pk", flat=True).first()
            )
            if actor_id is None:
                raise serializers.ValidationError({"actor": [f"No user named {query['actor']!r}."]})
        changes = project_changes(
            project_id=project.pk,
            entity=query.get("entity"),
            actor_id=actor_id,
            entity_id=query.get("entity_id"),
        )
        return changes_page(self, changes)


def register(router: DefaultRouter) -> None:
    router.register(
        r"projects/(?P<project_id>[0-9]+)/history", ProjectHistoryViewSet, basename="project-history"
    )
