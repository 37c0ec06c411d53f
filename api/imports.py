"""Importing annotations made in doccano, Label Studio or brat (managers).

``POST annotation-imports/`` (multipart: project, file (repeatable), format auto|doccano|label_studio|brat,
label_map and annotator_map as JSON, annotator, speaker_relation (repeatable), create_users, skip_invalid,
dry_run) answers 200 with the summary on a dry run, 201 when written, 400 with the summary and its
``errors`` when nothing was written, 413 over the size limit. For anyone but a manager the project is a 404.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from annotator.corpus.importing import ImportRefused
from annotator.exports.importing import FORMATS, annotations_upload
from annotator.exports.selectors import IMPORT_ROLES
from api.parsers import StrictMultiPartParser
from api.permissions import project_or_404


class AnnotationImportSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    file = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    format = serializers.ChoiceField(choices=FORMATS, default="auto")
    label_map = serializers.CharField(required=False, allow_blank=True, help_text="JSON object")
    annotator_map = serializers.CharField(required=False, allow_blank=True, help_text="JSON object")
    annotator = serializers.CharField(
        required=False, allow_blank=True, help_text="the annotator of a collaborative file"
    )
    speaker_relation = serializers.ListField(child=serializers.CharField(), required=False)
    create_users = serializers.BooleanField(required=False, default=False)
    skip_invalid = serializers.BooleanField(required=False, default=False)
    dry_run = serializers.BooleanField(required=False, default=False)


class AnnotatorReportSerializer(serializers.Serializer):
    name = serializers.CharField()
    username = serializers.CharField()
    account = serializers.ChoiceField(choices=["member", "new account", "not matched"])
    claims = serializers.IntegerField()
    claims_with_speaker = serializers.IntegerField()
    speakers_matched = serializers.IntegerField()
    speakers_new = serializers.IntegerField()
    looked_no_claim = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    comments = serializers.IntegerField()
    already_there = serializers.IntegerField()


class RecordProblemSerializer(serializers.Serializer):
    file = serializers.CharField()
    record = serializers.IntegerField(help_text="line (doccano), task position (Label Studio); 0: the file")
    message = serializers.CharField()


class ImportSummarySerializer(serializers.Serializer):
    format = serializers.CharField()
    dry_run = serializers.BooleanField()
    written = serializers.BooleanField()
    records = serializers.IntegerField()
    records_with_errors = serializers.IntegerField()
    aligned_records = serializers.IntegerField()
    new_documents = serializers.IntegerField()
    passages = serializers.IntegerField()
    assignments = serializers.IntegerField()
    claims = serializers.IntegerField()
    users_created = serializers.ListField(child=serializers.CharField())
    speakers_created = serializers.ListField(child=serializers.CharField())
    speakers_new = serializers.IntegerField()
    speaker_relations = serializers.IntegerField()
    ignored_relations = serializers.DictField(child=serializers.IntegerField())
    ignored_labels = serializers.DictField(child=serializers.IntegerField())
    lost_count = serializers.IntegerField()
    lost = serializers.ListField(child=serializers.CharField())
    annotators = AnnotatorReportSerializer(many=True)
    errors = RecordProblemSerializer(many=True)


class AnnotationImportViewSet(viewsets.GenericViewSet):
    """Import annotations from another tool, or preview the import with ``dry_run`` (managers)."""

    serializer_class = AnnotationImportSerializer
    parser_classes = [StrictMultiPartParser]

    @extend_schema(
        responses={
            200: ImportSummarySerializer,
            201: ImportSummarySerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Field errors ({field: [message]}), or the summary of an import that its "
                "records' errors stopped (nothing written).",
            ),
            413: OpenApiTypes.OBJECT,
        }
    )
    def create(self, request: Request) -> Response:
        form = AnnotationImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        project = project_or_404(request, data["project"], roles=IMPORT_ROLES)
        try:
            summary = annotations_upload(
                project=project,
                uploads=[(upload.name, upload.size, upload.chunks()) for upload in data["file"]],
                format=data["format"],
                label_map=data.get("label_map"),
                annotator_map=data.get("annotator_map"),
                annotator=data.get("annotator") or None,
                speaker_relations=data.get("speaker_relation") or ["said_by"],
                create_users=data["create_users"],
                skip_invalid=data["skip_invalid"],
                dry_run=data["dry_run"],
                imported_by=request.user,
            )
        except ImportRefused as error:
            return Response({"file": [str(error)]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        if summary.written:
            code = status.HTTP_201_CREATED
        elif data["dry_run"]:
            code = status.HTTP_200_OK
        else:
            code = status.HTTP_400_BAD_REQUEST
        return Response(summary.as_dict(), status=code)


def register(router: DefaultRouter) -> None:
    router.register("annotation-imports", AnnotationImportViewSet, basename="annotation-import")
