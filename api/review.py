"""Review: the disagreement queue, one passage's comparison, saving its gold version, merging speakers.

Reviewers and managers only: for anyone else the project (or passage) does not exist, a 404.
"""

from typing import Any
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from annotator import limits
from annotator.corpus.models import Passage, Project, Speaker, SpeakerMerge
from annotator.corpus.speaker_merges import speaker_merge_undo
from annotator.corpus.speakers import (
    speaker_merge,
    speaker_merge_preview,
    speakers_for_curation,
    suggested_merges,
)
from annotator.history.selectors import adjudication_changes
from annotator.review.queue import QUEUE_PAGE_SIZE, STATUSES, QueueCursor, review_queue
from annotator.review.selectors import current_adjudication, passage_review
from annotator.review.services import adjudication_save
from api.history import ChangePageSerializer, changes_page
from api.params import path_id
from api.permissions import IsProjectReviewer, project_or_404

REVIEWERS = IsProjectReviewer.roles
QUEUE_MAX_PAGE_SIZE = 500


def reviewable_project(request: Request, project_id: Any) -> Project:
    return project_or_404(request, project_id, roles=REVIEWERS)


def reviewable_passage(request: Request, passage_id: Any) -> Passage:
    """The passage, with document and project loaded, if the user reviews its project; else 404."""
    passage = get_object_or_404(
        Passage.objects.select_related("document__project").defer("document__text"), pk=passage_id
    )
    reviewable_project(request, passage.document.project_id)
    return passage


# --- review queue -----------------------------------------------------------------------------------


class QueueQuerySerializer(serializers.Serializer):
    project = serializers.IntegerField()
    status = serializers.ChoiceField(choices=STATUSES, default="open")
    document = serializers.IntegerField(required=False)
    annotator = serializers.IntegerField(required=False)
    label = serializers.CharField(required=False, allow_blank=True)
    flag = serializers.CharField(required=False, allow_blank=True, max_length=40)
    after = serializers.CharField(
        required=False, help_text="The `next_cursor` of the previous page; leave out for the first page."
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=QUEUE_MAX_PAGE_SIZE)

    def validate_after(self, value: str) -> QueueCursor:
        cursor = QueueCursor.decode(value)
        if cursor is None:
            raise serializers.ValidationError("Not a cursor of this queue: pass the `next_cursor` it gave.")
        return cursor


class QueueEntrySerializer(serializers.Serializer):
    passage = serializers.IntegerField(source="passage_id")
    document = serializers.IntegerField(source="document_id")
    document_title = serializers.CharField()
    position = serializers.IntegerField()
    snippet = serializers.CharField()
    annotators = serializers.ListField(child=serializers.CharField())
    flags = serializers.ListField(child=serializers.CharField())
    score = serializers.FloatField()
    span = serializers.FloatField(source="disagreement.span")
    attributes = serializers.FloatField(source="disagreement.attributes")
    boundary = serializers.FloatField(source="disagreement.boundary")
    differences = serializers.ListField(child=serializers.CharField())
    adjudicated = serializers.BooleanField()
    adjudication_version = serializers.IntegerField()
    adjudicated_by = serializers.CharField()
    changed_since_adjudication = serializers.BooleanField()


class QueueCountsSerializer(serializers.Serializer):
    reviewable = serializers.IntegerField()
    disagree = serializers.IntegerField()
    adjudicated = serializers.IntegerField()
    open = serializers.IntegerField()


@extend_schema_serializer(many=False)  # one page object, though it answers the `list` action
class QueuePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Passages of the chosen status under the filters.")
    next = serializers.URLField(allow_null=True, help_text="The next page, or null on the last one.")
    next_cursor = serializers.CharField(allow_null=True)
    results = QueueEntrySerializer(many=True)
    counts = QueueCountsSerializer()


class ReviewQueueViewSet(viewsets.GenericViewSet):
    """Passages ranked by disagreement (`?project=ID`; filters: status, document, annotator, label, flag).

    Pages by key: follow `next` (or pass `after=<next_cursor>`); each page also carries `counts` over all
    statuses under the same filters: reviewable, disagree, adjudicated, open.
    """

    serializer_class = QueueEntrySerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(parameters=[QueueQuerySerializer], responses=QueuePageSerializer)
    def list(self, request: Request) -> Response:
        query = QueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        project = reviewable_project(request, params["project"])
        queue = review_queue(
            project=project,
            status=params["status"],
            document_id=params.get("document"),
            annotator_id=params.get("annotator"),
            label=params.get("label") or None,
            flag=params.get("flag") or None,
            after=params.get("after"),
            limit=params.get("page_size", QUEUE_PAGE_SIZE),
        )
        cursor = queue.next_cursor.encode() if queue.next_cursor else None
        following = None
        if cursor:
            following = request.build_absolute_uri(
                f"{request.path}?{urlencode({**request.query_params.dict(), 'after': cursor})}"
            )
        count = queue.counts["reviewable" if params["status"] == "all" else params["status"]]
        return Response(
            {
                "count": count,
                "next": following,
                "next_cursor": cursor,
                "results": self.get_serializer(queue.entries, many=True).data,
                "counts": queue.counts,
            }
        )


# --- passage comparison and adjudication -----------------------------------------------------------


class GoldClaimInputSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    text = serializers.CharField(required=False, allow_null=True, trim_whitespace=False)
    speaker_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    mention_start = serializers.IntegerField(required=False, allow_null=True, default=None)
    mention_end = serializers.IntegerField(required=False, allow_null=True, default=None)
    attribution = serializers.CharField()
    perspective = serializers.CharField()
    stance = serializers.CharField()
    target = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.CLAIM_TARGET
    )
    confidence = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.CLAIM_NOTE)
    source_claim_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=100
    )


class AdjudicationInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text="The saved version you edited; 0 for none.")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.ADJUDICATION_NOTE
    )
    claims = GoldClaimInputSerializer(many=True, max_length=500)


PASSAGE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The passage id.")


class ReviewPassageViewSet(viewsets.ViewSet):
    """One passage side by side: the annotators' claims aligned, their differences, the gold version.

    `adjudication` (GET) is the saved gold version; PUT replaces it, if `version` is still current
    (else 409 with the newer version in `current`).
    """

    lookup_value_regex = r"[0-9]+"

    @extend_schema(parameters=[PASSAGE_ID], responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str) -> Response:
        passage = reviewable_passage(request, pk)
        return Response(passage_review(project=passage.document.project, passage_id=passage.pk))

    @extend_schema(parameters=[PASSAGE_ID], responses=OpenApiTypes.OBJECT, methods=["GET"])
    @extend_schema(
        parameters=[PASSAGE_ID],
        request=AdjudicationInputSerializer,
        responses=OpenApiTypes.OBJECT,
        methods=["PUT"],
    )
    @action(detail=True, methods=["get", "put"])
    def adjudication(self, request: Request, pk: str) -> Response:
        passage = reviewable_passage(request, pk)
        if request.method == "GET":
            return Response(current_adjudication(passage_id=passage.pk))
        form = AdjudicationInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = form.validated_data["version"]
        adjudication_save(
            passage=passage,
            reviewer=request.user,
            version=version,
            claims=form.validated_data["claims"],
            note=form.validated_data["note"],
        )
        return Response(
            current_adjudication(passage_id=passage.pk),
            status=status.HTTP_201_CREATED if version == 0 else status.HTTP_200_OK,
        )

    @extend_schema(parameters=[PASSAGE_ID], responses={200: ChangePageSerializer})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        """The recorded changes of the passage's gold version, newest first: who saved it, when, and
        what changed (note, gold claims); empty before the first save."""
        passage = reviewable_passage(request, pk)
        return changes_page(self, adjudication_changes(passage_id=passage.pk))


# --- speaker curation -------------------------------------------------------------------------------


class CuratedSpeakerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    affiliation = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    claim_count = serializers.IntegerField()
    gold_count = serializers.IntegerField()


class SpeakerMergeSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    canonical = serializers.IntegerField()
    duplicates = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)
    dry_run = serializers.BooleanField(default=False, help_text="Only say what the merge would change.")


class SpeakerMergeResultSerializer(CuratedSpeakerSerializer):
    """The canonical speaker (after the merge; as it is now with `dry_run`) and what the merge changes."""

    dry_run = serializers.BooleanField()
    duplicates = serializers.ListField(child=serializers.CharField(), help_text="Their names.")
    claims_moved = serializers.IntegerField()
    gold_claims_moved = serializers.IntegerField()
    aliases_added = serializers.ListField(child=serializers.CharField())
    merges = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids to undo with speaker-merges/{id}/undo/."
    )


class SpeakerCurationViewSet(viewsets.GenericViewSet):
    """The project's speakers with claim counts (`?project=ID`), likely duplicates, and `merge`."""

    serializer_class = CuratedSpeakerSerializer
    # The browsable API builds its forms from a queryset; `list` chooses the project's speakers itself.
    queryset = Speaker.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("project", int, required=True)])
    def list(self, request: Request) -> Response:
        project = reviewable_project(request, request.query_params.get("project"))
        speakers = speakers_for_curation(project=project)
        page = self.paginate_queryset(speakers)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        # Each group lists the speaker a merge should keep (the fullest name) first.
        response.data["suggestions"] = [[s.pk for s in group] for group in suggested_merges(list(speakers))]
        return response

    @extend_schema(request=SpeakerMergeSerializer, responses=SpeakerMergeResultSerializer)
    @action(detail=False, methods=["post"])
    def merge(self, request: Request) -> Response:
        """Merge `duplicates` into `canonical`: names become aliases, claims and gold claims follow.
        With `dry_run`, only report what would change."""
        form = SpeakerMergeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        project = reviewable_project(request, data["project"])
        arguments = {"project": project, "canonical": data["canonical"], "duplicates": data["duplicates"]}
        plan = speaker_merge_preview(**arguments)
        merges: list[int] = []
        if not data["dry_run"]:
            speaker = speaker_merge(**arguments, merged_by=request.user)
            merges = list(
                SpeakerMerge.objects.filter(
                    canonical=speaker, duplicate_id__in=data["duplicates"], undone_at=None
                ).values_list("pk", flat=True)
            )
        result = speakers_for_curation(project=project).get(pk=plan.canonical.pk)
        result.dry_run = data["dry_run"]
        result.duplicates = [d.name for d in plan.duplicates]
        result.claims_moved, result.gold_claims_moved = plan.claim_count, plan.gold_claim_count
        result.aliases_added, result.merges = plan.aliases_added, merges
        return Response(SpeakerMergeResultSerializer(result).data)


class SpeakerMergeRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpeakerMerge
        fields = ["id", "canonical", "duplicate_id", "duplicate_name", "claim_ids", "gold_claim_ids"]
        fields += ["merged_at", "undone_at"]


class SpeakerMergeViewSet(viewsets.GenericViewSet):
    """Recorded speaker merges; `undo` puts the merged speaker and its claims back."""

    serializer_class = SpeakerMergeRecordSerializer
    queryset = SpeakerMerge.objects.none()  # for the OpenAPI generator only
    filter_backends: list = []

    @extend_schema(request=None, responses={200: CuratedSpeakerSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str | None = None) -> Response:
        """Restore the merged speaker and move exactly the recorded claims back (409 if they moved since)."""
        merge = get_object_or_404(SpeakerMerge.objects.all(), pk=path_id(pk))
        project = reviewable_project(request, merge.project_id)
        restored = speaker_merge_undo(merge=merge, actor=request.user)
        curated = speakers_for_curation(project=project).get(pk=restored.pk)
        return Response(CuratedSpeakerSerializer(curated).data)


def register(router: DefaultRouter) -> None:
    router.register("review-queue", ReviewQueueViewSet, basename="review-queue")
    router.register("review-passages", ReviewPassageViewSet, basename="review-passage")
    router.register("speaker-curation", SpeakerCurationViewSet, basename="speaker-curation")
    router.register("speaker-merges", SpeakerMergeViewSet, basename="speaker-merge")
