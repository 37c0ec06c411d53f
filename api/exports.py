"""Exports (streamed, or as background jobs with a file to download) and imports of annotations.

- ``GET  exports/stream/?project=ID&format=csv&documents=1,2&annotators=a,b&status=submitted&source=gold``
- ``POST exports/`` (same fields in the body) queues a job; ``GET exports/?project=ID`` lists a project's
  jobs; ``GET exports/{id}/`` shows progress; ``GET exports/{id}/download/`` returns the file.

Researchers, reviewers and managers export; for anyone else the project is a 404. Imports: ``api.imports``.
"""

from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import DefaultRouter

from annotator import limits
from annotator.agreement.models import RunStatus
from annotator.corpus.models import Project
from annotator.exports.models import ExportJob
from annotator.exports.selectors import (
    EXPORT_ROLES,
    SOURCES,
    STATUSES,
    ExportFilters,
    export_jobs_visible_to,
)
from annotator.exports.services import FORMATS, export_job_request_or_join, export_options, export_stream
from api.permissions import project_or_404


class ExportJobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "project",
            "format",
            "parameters",
            "status",
            "progress",
            "rows",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != RunStatus.SUCCEEDED or not job.file:
            return None
        return reverse("export-download", args=[job.pk], request=self.context.get("request"))


class ExportRequestSerializer(serializers.Serializer):
    """For the schema; the values are checked by the export service."""

    project = serializers.IntegerField()
    format = serializers.ChoiceField(choices=list(FORMATS))
    documents = serializers.ListField(child=serializers.IntegerField(), required=False)
    annotators = serializers.ListField(
        child=serializers.CharField(max_length=limits.USERNAME), required=False, max_length=10_000
    )
    status = serializers.ChoiceField(choices=STATUSES, required=False)
    source = serializers.ChoiceField(choices=SOURCES, required=False)


class IgnoreFormatParameter(DefaultContentNegotiation):
    """``?format=`` names the export format here, not a DRF renderer: always answer with the first one."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        return renderers[0], renderers[0].media_type


def streaming_response(*, project: Project, name: str, filters: ExportFilters) -> StreamingHttpResponse:
    """The export as a download streamed while it is read (the API's and the export page's)."""
    chunks, content_type, file_name = export_stream(project=project, format=name, filters=filters)
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass the stream on as it comes
    return response


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("project", int, required=True)]))
class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Export jobs of one project (``?project=ID``), plus the streaming export."""

    serializer_class = ExportJobSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ExportJob]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ExportJob.objects.none()
        if self.action == "list":
            project = project_or_404(
                self.request, self.request.query_params.get("project"), roles=EXPORT_ROLES
            )
            return project.export_jobs.select_related("project").order_by("-created_at", "-id")
        return export_jobs_visible_to(user=self.request.user)

    @extend_schema(
        request=ExportRequestSerializer, responses={200: ExportJobSerializer, 202: ExportJobSerializer}
    )
    def create(self, request: Request) -> Response:
        """Queue an export job (202); the same request of yours still queued or running is answered with
        that job (200) instead of a second one. Poll it, then download its file."""
        project = project_or_404(request, request.data.get("project"), roles=EXPORT_ROLES)
        name, filters = export_options(request.data)
        job, created = export_job_request_or_join(
            project=project, format=name, filters=filters, requested_by=request.user
        )
        body = self.get_serializer(job).data
        return Response(body, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)

    @extend_schema(
        parameters=[
            OpenApiParameter("project", int, required=True),
            OpenApiParameter("format", str, enum=list(FORMATS), required=True),
            OpenApiParameter("documents", str, description="document ids, comma-separated"),
            OpenApiParameter("annotators", str, description="usernames, comma-separated"),
            OpenApiParameter("status", str, enum=list(STATUSES)),
            OpenApiParameter("source", str, enum=list(SOURCES)),
        ],
        responses={(200, "application/octet-stream"): bytes},
    )
    @action(detail=False, methods=["get"], content_negotiation_class=IgnoreFormatParameter)
    def stream(self, request: Request) -> StreamingHttpResponse:
        """Stream the export now (constant memory, any size)."""
        project = project_or_404(request, request.query_params.get("project"), roles=EXPORT_ROLES)
        name, filters = export_options(request.query_params)
        return streaming_response(project=project, name=name, filters=filters)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> FileResponse | Response:
        job = self.get_object()
        if job.status != RunStatus.SUCCEEDED or not job.file:
            return Response(
                {"detail": f"The export is {job.status}, not ready."}, status=status.HTTP_409_CONFLICT
            )
        path = Path(settings.MEDIA_ROOT) / job.file.name
        if not path.is_file():
            return Response({"detail": "The export file is gone; run it again."}, status=status.HTTP_410_GONE)
        file_name = path.name.split("-", 1)[1]  # "<job id>-<slug>-<format>.<ext>"
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=file_name,
            content_type=FORMATS[job.format].content_type,
        )


def register(router: DefaultRouter) -> None:
    router.register("exports", ExportViewSet, basename="export")
