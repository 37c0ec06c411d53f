"""Documents (with import) and passages; projects are in api/projects.py."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import DefaultRouter

from annotator.corpus.article_jobs import article_import_request, job_threshold_bytes
from annotator.corpus.importing import ImportRefused, import_uploaded_file
from annotator.corpus.models import Document, Passage, Role
from annotator.corpus.selectors import projects_for_user
from api.article_jobs import ArticleImportJobSerializer
from api.params import int_param
from api.parsers import StrictMultiPartParser
from api.permissions import project_or_404

MANAGERS = frozenset({Role.MANAGER})


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = [
            "id",
            "project",
            "title",
            "source",
            "url",
            "published",
            "language",
            "meta",
            "sha256",
            "created_at",
        ]


class PassageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Passage
        fields = ["id", "document", "position", "start", "end", "text"]


class ImportSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    file = serializers.FileField()


class ImportResultSerializer(serializers.Serializer):
    documents = serializers.IntegerField()
    passages = serializers.IntegerField()
    skipped_duplicates = serializers.IntegerField()
    encoding = serializers.CharField(
        help_text="the encoding the file was read in: UTF-8, UTF-16 or UTF-32 (by its byte-order mark), "
        "GB18030, Big5 or Windows-1252"
    )


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Documents of one project (`?project=ID`); managers import files through `import`."""

    serializer_class = DocumentSerializer
    filterset_fields = ["source"]

    def get_queryset(self) -> QuerySet[Document]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no project
            return Document.objects.none()
        if self.action == "retrieve":
            return Document.objects.filter(project__in=projects_for_user(user=self.request.user)).defer(
                "text"
            )
        project = project_or_404(self.request, self.request.query_params.get("project"))
        return project.documents.defer("text").order_by("id")

    @extend_schema(
        request={"multipart/form-data": ImportSerializer},
        responses={201: ImportResultSerializer, 202: ArticleImportJobSerializer, 400: dict, 413: dict},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[StrictMultiPartParser])
    def import_file(self, request: Request) -> Response:
        """Import a .txt, .jsonl or .csv file of articles: 201 with the counts, or 202 with a job for a file
        over the job threshold (poll ``article-imports/{id}/``); 413 over 50 MB, 400 naming the bad line."""
        form = ImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        project = project_or_404(request, form.validated_data["project"], roles=MANAGERS)
        upload = form.validated_data["file"]
        if upload.size > job_threshold_bytes():  # never a long import inside a web request
            try:
                job = article_import_request(project=project, files=[upload], requested_by=request.user)
            except ImportRefused as error:
                return Response({"file": [str(error)]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
            return Response(
                ArticleImportJobSerializer(job).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": reverse("article-import-detail", args=[job.pk], request=request)},
            )
        try:
            summary = import_uploaded_file(
                project=project, file_name=upload.name, size=upload.size, chunks=upload.chunks()
            )
        except ImportRefused as error:
            return Response({"file": [str(error)]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        except ValidationError as error:
            return Response({"file": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "documents": summary.documents,
                "passages": summary.passages,
                "skipped_duplicates": summary.skipped_duplicates,
                "encoding": summary.encoding,
            },
            status=status.HTTP_201_CREATED,
        )


class PassageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Passages of one document (`?document=ID`) in a project the user is a member of."""

    serializer_class = PassageSerializer

    def get_queryset(self) -> QuerySet[Passage]:
        if getattr(self, "swagger_fake_view", False):
            return Passage.objects.none()
        visible = Passage.objects.filter(document__project__in=projects_for_user(user=self.request.user))
        if self.action == "retrieve":
            return visible
        document_id = int_param(self.request.query_params, "document", required=True)
        return visible.filter(document_id=document_id).order_by("position")


def register(router: DefaultRouter) -> None:
    router.register("documents", DocumentViewSet, basename="document")
    router.register("passages", PassageViewSet, basename="passage")
