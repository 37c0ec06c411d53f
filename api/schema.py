"""A project's label schema: read it with its usage and history; managers replace it or rename, merge and
delete values.

Under /projects/{project_id}/schema/. Any member reads (a non-member gets 404, as everywhere); a member who
is not a manager gets 403 on a write. Errors are 400 with field names ("stances[2].key"), a save based on
an older schema version is 409.
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from annotator.corpus.models import Project, Role
from annotator.corpus.schema import CHOICE_LISTS
from annotator.corpus.schema_selectors import schema_usage, schema_versions
from annotator.corpus.schema_services import (
    schema_update,
    schema_value_delete,
    schema_value_merge,
    schema_value_rename,
)
from api.permissions import project_or_404, project_role

PROJECT_ID = OpenApiParameter("project_id", int, OpenApiParameter.PATH, description="Project id.")
VERSIONS_SHOWN = 50


class SchemaVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    changes = serializers.ListField(child=serializers.CharField())
    changed_by = serializers.CharField(source="changed_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class UsageSerializer(serializers.Serializer):
    claims = serializers.IntegerField()
    gold_claims = serializers.IntegerField()
    speakers = serializers.IntegerField()


class ProjectSchemaSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The schema version in force.")
    schema = serializers.JSONField()
    usage = serializers.DictField(
        child=serializers.DictField(child=UsageSerializer()),
        help_text="List name → value → how many claims, gold claims and speakers use it.",
    )
    versions = SchemaVersionSerializer(many=True, help_text="The latest versions, newest first.")


class SchemaSaveSerializer(serializers.Serializer):
    schema = serializers.DictField(help_text="The whole schema (a JSON object).")
    version = serializers.IntegerField(
        required=False, help_text="The version this edit started from: a newer one answers 409."
    )


class ValueRenameSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=CHOICE_LISTS)
    old = serializers.CharField()
    new = serializers.CharField()
    label = serializers.CharField(required=False, help_text="A new label too (optional).")


class ValueMergeSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=CHOICE_LISTS)
    source = serializers.CharField(help_text="The value that goes away.")
    target = serializers.CharField(help_text="The value its uses move to.")


class ValueDeleteSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=CHOICE_LISTS)
    value = serializers.CharField()


def schema_payload(project: Project) -> dict[str, Any]:
    usage = schema_usage(project=project)
    return {
        "project": project.pk,
        "version": project.schema_version,
        "schema": project.schema,
        "usage": {
            name: {value: vars(used) for value, used in values.items()} for name, values in usage.items()
        },
        "versions": SchemaVersionSerializer(
            schema_versions(project=project)[:VERSIONS_SHOWN], many=True
        ).data,
    }


class ProjectSchemaViewSet(viewsets.ViewSet):
    """The label schema of one project."""

    def _project(self, request: Request, project_id: str, *, write: bool = False) -> Project:
        project = project_or_404(request, project_id)
        if write and project_role(request, project) != Role.MANAGER:
            raise PermissionDenied("Only the project's managers change its label schema.")
        return project

    def _valid(self, request: Request, form_class: type[serializers.Serializer]) -> dict[str, Any]:
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        return form.validated_data

    @extend_schema(parameters=[PROJECT_ID], request=SchemaSaveSerializer, responses=ProjectSchemaSerializer)
    @action(detail=False, methods=["get", "put"], url_path="schema", url_name="schema")
    def label_schema(self, request: Request, project_id: str) -> Response:
        """GET the schema with its usage and history; PUT a whole new schema (managers)."""
        project = self._project(request, project_id, write=request.method == "PUT")
        if request.method == "PUT":
            data = self._valid(request, SchemaSaveSerializer)
            schema_update(
                project=project, schema=data["schema"], changed_by=request.user, version=data.get("version")
            )
        return Response(schema_payload(project))

    @extend_schema(parameters=[PROJECT_ID], request=ValueRenameSerializer, responses=ProjectSchemaSerializer)
    @action(detail=False, methods=["post"], url_path="schema/rename", url_name="schema-rename")
    def rename(self, request: Request, project_id: str) -> Response:
        """Rename a value: every claim, gold claim and speaker using it takes the new value."""
        project = self._project(request, project_id, write=True)
        data = self._valid(request, ValueRenameSerializer)
        schema_value_rename(project=project, changed_by=request.user, **data)
        return Response(schema_payload(project))

    @extend_schema(parameters=[PROJECT_ID], request=ValueMergeSerializer, responses=ProjectSchemaSerializer)
    @action(detail=False, methods=["post"], url_path="schema/merge", url_name="schema-merge")
    def merge(self, request: Request, project_id: str) -> Response:
        """Merge `source` into `target`: `source` leaves the schema and its uses move to `target`."""
        project = self._project(request, project_id, write=True)
        data = self._valid(request, ValueMergeSerializer)
        schema_value_merge(project=project, changed_by=request.user, **data)
        return Response(schema_payload(project))

    @extend_schema(parameters=[PROJECT_ID], request=ValueDeleteSerializer, responses=ProjectSchemaSerializer)
    @action(detail=False, methods=["post"], url_path="schema/delete", url_name="schema-delete")
    def delete_value(self, request: Request, project_id: str) -> Response:
        """Remove a value nothing uses (400 with the count of its uses otherwise)."""
        project = self._project(request, project_id, write=True)
        data = self._valid(request, ValueDeleteSerializer)
        schema_value_delete(project=project, changed_by=request.user, **data)
        return Response(schema_payload(project))


def register(router: DefaultRouter) -> None:
    # The prefix carries the project; the actions add "schema/…", so the routes read
    # projects/{project_id}/schema/, …/schema/rename/, …/schema/merge/, …/schema/delete/.
    router.register(r"projects/(?P<project_id>\d+)", ProjectSchemaViewSet, basename="project-schema")
