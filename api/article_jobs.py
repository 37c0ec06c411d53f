"""Article uploads of several files, and the jobs that import the large ones.

- ``POST article-imports/`` (multipart: ``project`` and one or more ``file``) imports a small upload at once
  (201 with the summary per file) or queues a large one (202 with the job); 413 when a file is over 50 MB,
  400 when no file imported (each file's error in the summary).
- ``GET article-imports/{id}/`` shows a job's status, progress and summary.

Managers of the project only; for anyone else the project and its jobs are a 404.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from annotator.corpus.article_jobs import articles_upload
from annotator.corpus.importing import ImportRefused
from annotator.corpus.models import ArticleImportJob, Role
from api.parsers import StrictMultiPartParser
from api.permissions import project_or_404

MANAGERS = frozenset({Role.MANAGER})


class ArticleImportJobSerializer(serializers.ModelSerializer):
    file_names = serializers.SerializerMethodField()

    class Meta:
        model = ArticleImportJob
        fields = [
            "id",
            "project",
            "status",
            "progress",
            "file_names",
            "summary",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_file_names(self, job: ArticleImportJob) -> list[str]:
        return [item["name"] for item in job.files]


class ArticleUploadSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    file = serializers.ListField(child=serializers.FileField(), allow_empty=False)


class ArticleImportViewSet(viewsets.GenericViewSet):
    serializer_class = ArticleImportJobSerializer
    queryset = ArticleImportJob.objects.all()
    parser_classes = [StrictMultiPartParser]
    lookup_value_regex = r"\d+"

    def retrieve(self, request: Request, pk: str) -> Response:
        """A job's progress; poll it until ``status`` is succeeded or failed."""
        job = get_object_or_404(ArticleImportJob, pk=pk)
        project_or_404(request, job.project_id, roles=MANAGERS)
        return Response(self.get_serializer(job).data)

    @extend_schema(
        request={"multipart/form-data": ArticleUploadSerializer},
        responses={201: dict, 202: ArticleImportJobSerializer, 400: dict, 413: dict},
    )
    def create(self, request: Request) -> Response:
        """Import several article files (.txt, .jsonl, .csv); large uploads are queued as a job."""
        form = ArticleUploadSerializer(
            data={"project": request.data.get("project"), "file": request.FILES.getlist("file")}
        )
        form.is_valid(raise_exception=True)
        project = project_or_404(request, form.validated_data["project"], roles=MANAGERS)
        try:
            result = articles_upload(
                project=project, files=form.validated_data["file"], requested_by=request.user
            )
        except ImportRefused as error:
            return Response({"file": [str(error)]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        if isinstance(result, ArticleImportJob):
            return Response(self.get_serializer(result).data, status=status.HTTP_202_ACCEPTED)
        body = result.as_dict()
        nothing_imported = body["failed_files"] == len(body["files"])
        return Response(
            body, status=status.HTTP_400_BAD_REQUEST if nothing_imported else status.HTTP_201_CREATED
        )


def register(router: DefaultRouter) -> None:
    router.register("article-imports", ArticleImportViewSet, basename="article-import")
