"""Documents (with import) and passages; projects are in api/projects.py."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from annotator.corpus.importing import ImportRefused, import_uploaded_file
from annotator.corpus.models import Document, Passage, Role
from annotator.corpus.selectors import projects_for_user
from api.params import int_param
from api.permissions import project_or_404

MANAGERS = frozenset({Role.MANAGER})


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "project", "title", "source", "url", "published", "meta", "sha256", "created_at"]


class PassageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Passage
        fields = ["id", "document", "position", "start", "end", "text"]


class ImportSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    file = serializers.FileField()


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

    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request: Request) -> Response:
        """Import a .txt, .jsonl or .csv file of articles; 413 over 50 MB, 400 naming the bad line."""
        form = ImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        project = project_or_404(request, form.validated_data["project"], roles=MANAGERS)
        upload = form.validated_data["file"]
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
