"""Assignments (with the `next` queue, `submit` and `skip`), claims (CRUD with versions) and speakers.

Visibility comes from annotator.labeling.selectors: an id the user may not read is a 404. Writes are for
the assignment's own annotator (OwnsAssignment); others who can read it get a 403.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from annotator import limits
from annotator.corpus.models import Role, Speaker, SpeakerKind
from annotator.corpus.selectors import speakers_visible_to
from annotator.corpus.services import speaker_approve, speaker_create
from annotator.errors import Conflict
from annotator.history.models import Entity
from annotator.history.selectors import changes_of
from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.labeling.selectors import (
    Workspace,
    assignments_flagged,
    assignments_visible_to,
    claims_visible_to,
    next_assignment,
    progress_for,
    speakers_matching,
    with_claim_counts,
    workspace_for,
)
from annotator.labeling.services import (
    assignment_flag,
    assignment_skip,
    assignment_submit,
    claim_create,
    claim_delete,
    claim_restore,
    claim_update,
)
from annotator.labeling.time_on_task import assignment_time_add
from annotator.queries import from_project_start
from api.history import ChangeSerializer, HistoryPagination, changes_page
from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, REPLAYED_HEADER, idempotent_request
from api.pagination import KeysetPagination, PassageOrderPagination
from api.params import int_param, path_id, text_param
from api.permissions import IsProjectReviewer, OwnsAssignment, project_or_404

SPEAKER_WRITERS = frozenset({Role.ANNOTATOR, Role.REVIEWER, Role.MANAGER})

# --- serializers: output ---------------------------------------------------------------------------


class SpeakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["id", "project", "name", "kind", "affiliation", "aliases", "approved"]


class SpeakerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["id", "name", "kind", "affiliation"]


class SpanAdjustedSerializer(serializers.Serializer):
    start = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2)
    end = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2)


class ClaimSerializer(serializers.ModelSerializer):
    speaker = SpeakerBriefSerializer(read_only=True, allow_null=True, help_text="null: no speaker.")
    annotator = serializers.CharField(source="assignment.annotator.username", read_only=True)
    span_adjusted = serializers.SerializerMethodField(
        help_text="How the project's span rule moved the edges sent in this write: "
        '{"start": [sent, saved], "end": [sent, saved]}; null when it moved nothing (and on reads).'
    )

    @extend_schema_field(SpanAdjustedSerializer(allow_null=True))
    def get_span_adjusted(self, claim: Claim) -> dict[str, list[int]] | None:
        return getattr(claim, "span_adjusted", None)

    class Meta:
        model = Claim
        fields = [
            "id",
            "assignment",
            "annotator",
            "start",
            "end",
            "text",
            "speaker",
            "mention_start",
            "mention_end",
            "attribution",
            "perspective",
            "stance",
            "target",
            "confidence",
            "note",
            "origin",
            "suggestion",
            "version",
            "created_at",
            "updated_at",
            "span_adjusted",
        ]
        read_only_fields = ["origin", "suggestion"]
        extra_kwargs = {
            "origin": {"help_text": "manual, or suggestion: made from a detector suggestion (kept on edit)."},
            "suggestion": {"help_text": "The suggestion it was made from, while that suggestion exists."},
        }


class AssignmentSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="passage.document.project_id", read_only=True)
    document = serializers.IntegerField(source="passage.document_id", read_only=True)
    document_title = serializers.CharField(source="passage.document.title", read_only=True)
    position = serializers.IntegerField(source="passage.position", read_only=True)
    passage_number = serializers.SerializerMethodField(help_text="1-based number within its document.")
    annotator = serializers.CharField(source="annotator.username", read_only=True)

    def get_passage_number(self, assignment: Assignment) -> int:
        return assignment.passage.position + 1

    class Meta:
        model = Assignment
        fields = [
            "id",
            "project",
            "document",
            "document_title",
            "passage",
            "position",
            "passage_number",
            "annotator",
            "status",
            "version",
            "submitted_at",
            "updated_at",
            "flag_reason",
            "flag_note",
            "flagged_at",
            "active_seconds",
        ]


class AssignmentListItemSerializer(AssignmentSerializer):
    """An assignment in the navigator's list: the assignment plus how many claims it has."""

    claim_count = serializers.IntegerField(read_only=True)

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "claim_count"]


class ActiveTimeSerializer(serializers.Serializer):
    seconds = serializers.IntegerField(min_value=0)


class ProgressSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()
    submitted = serializers.IntegerField()
    skipped = serializers.IntegerField()
    open = serializers.IntegerField()
    percent = serializers.IntegerField()


class MovedSerializer(serializers.Serializer):
    """The answer to submit and skip: the assignment as saved, the next open one and the progress."""

    assignment = AssignmentSerializer()
    next = serializers.IntegerField(allow_null=True, help_text="The next open assignment; null: none left.")
    progress = ProgressSerializer()


class WorkspaceSerializer(serializers.Serializer):
    """One assignment as the span editor needs it: passage and neighbours, claims, navigation, progress."""

    assignment = serializers.SerializerMethodField()
    passage = serializers.SerializerMethodField()
    context = serializers.SerializerMethodField()
    claims = ClaimSerializer(many=True)
    navigation = serializers.SerializerMethodField()
    progress = ProgressSerializer()
    editable = serializers.BooleanField()

    def get_assignment(self, workspace: Workspace) -> dict[str, Any]:
        return AssignmentSerializer(workspace.assignment).data

    def get_passage(self, workspace: Workspace) -> dict[str, Any]:
        passage = workspace.assignment.passage
        document = passage.document
        return {
            "id": passage.pk,
            "position": passage.position,
            "text": passage.text,
            "document": {
                "id": document.pk,
                "title": document.title,
                "source": document.source,
                "url": document.url,
                "published": document.published.isoformat() if document.published else None,
            },
        }

    def get_context(self, workspace: Workspace) -> dict[str, str | None]:
        return {
            "before": workspace.before.text if workspace.before else None,
            "after": workspace.after.text if workspace.after else None,
        }

    def get_navigation(self, workspace: Workspace) -> dict[str, int | None]:
        return {"previous": workspace.previous_id, "next": workspace.next_id}


# --- serializers: input ----------------------------------------------------------------------------
# Only types are checked here; every rule about spans and labels lives in the service (one place), whose
# ValidationError api/errors.py turns into the same {"field": ["message"]} body.


class ClaimChangeSerializer(serializers.Serializer):
    start = serializers.IntegerField(required=False)
    end = serializers.IntegerField(required=False)
    text = serializers.CharField(required=False, trim_whitespace=False)
    speaker = serializers.IntegerField(required=False, allow_null=True)
    mention_start = serializers.IntegerField(required=False, allow_null=True)
    mention_end = serializers.IntegerField(required=False, allow_null=True)
    attribution = serializers.CharField(required=False)
    perspective = serializers.CharField(required=False)
    stance = serializers.CharField(required=False)
    target = serializers.CharField(required=False, max_length=limits.CLAIM_TARGET)
    confidence = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=limits.CLAIM_NOTE
    )

    def service_fields(self) -> dict[str, Any]:
        """The validated fields under the names the services take (speaker → speaker_id)."""
        fields = dict(self.validated_data)
        fields.pop("version", None)
        fields.pop("assignment", None)
        if "speaker" in fields:
            fields["speaker_id"] = fields.pop("speaker")
        if "suggestion" in fields:
            fields["suggestion_id"] = fields.pop("suggestion")
        return fields


class ClaimCreateSerializer(ClaimChangeSerializer):
    assignment = serializers.IntegerField()
    suggestion = serializers.IntegerField(
        required=False, allow_null=True, help_text="Accept this suggestion of the passage (origin suggestion)"
    )
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    attribution = serializers.CharField()
    perspective = serializers.CharField()
    stance = serializers.CharField()


class ClaimUpdateSerializer(ClaimChangeSerializer):
    version = serializers.IntegerField(help_text="The version this change is based on; stale → 409.")


class ClaimRestoreSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The earlier version to bring back.")
    current_version = serializers.IntegerField(
        min_value=1, help_text="The claim's version this restore is based on; stale → 409."
    )


class FlagSerializer(serializers.Serializer):
    """A flag to set (`reason`: a value of the project's flag_reasons) or to clear (`reason` null or "").
    Which reasons exist and how long a note may be is the service's rule (assignment_flag)."""

    reason = serializers.CharField(allow_null=True, allow_blank=True)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, max_length=limits.FLAG_NOTE
    )


class SkipSerializer(FlagSerializer):
    reason = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)


class SpeakerCreateSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    name = serializers.CharField(max_length=limits.SPEAKER_NAME)
    kind = serializers.ChoiceField(choices=SpeakerKind.choices, default=SpeakerKind.PERSON)
    affiliation = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=limits.SPEAKER_NAME),
        required=False,
        default=list,
        max_length=limits.SPEAKER_ALIASES,
    )


# --- filters ---------------------------------------------------------------------------------------
# Plain number filters: a ModelChoiceFilter would look each id up (one more query) for no gain, as
# the selectors already restrict the rows to what the user may see.


@extend_schema_field(OpenApiTypes.BOOL)
class TrueOrFalseFilter(django_filters.TypedChoiceFilter):
    """A yes/no filter that takes only "true" or "false" (a 400 otherwise): django-filter's BooleanFilter
    would read any other value as "not given" and return the unfiltered list."""

    def __init__(self, **kwargs: Any) -> None:
        choices = [("true", "true"), ("false", "false")]
        super().__init__(choices=choices, coerce=lambda value: value == "true", **kwargs)


class AssignmentFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(method="filter_project")
    document = django_filters.NumberFilter(field_name="passage__document_id")
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)
    annotator = django_filters.CharFilter(field_name="annotator__username")
    flagged = TrueOrFalseFilter(method="filter_flagged")
    q = django_filters.CharFilter(field_name="passage__text", lookup_expr="icontains")

    def filter_flagged(self, assignments: QuerySet[Assignment], name: str, flagged: bool) -> QuerySet:
        return assignments_flagged(assignments, flagged=flagged)

    def filter_project(self, assignments: QuerySet[Assignment], name: str, project: int) -> QuerySet:
        return from_project_start(assignments, project_id=project, key="passage_id")


class ClaimFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(method="filter_project")
    assignment = django_filters.NumberFilter(field_name="assignment_id")
    passage = django_filters.NumberFilter(field_name="assignment__passage_id")
    annotator = django_filters.CharFilter(field_name="assignment__annotator__username")

    def filter_project(self, claims: QuerySet[Claim], name: str, project: int) -> QuerySet:
        return from_project_start(claims, project_id=project)


# --- viewsets --------------------------------------------------------------------------------------


def _rethrown_with_current(conflict: Conflict) -> Conflict:
    """The same Conflict with the newer claim serialized (or None: deleted), for the 409 body."""
    current = conflict.current
    return Conflict(str(conflict), current=ClaimSerializer(current).data if current is not None else None)


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


class ClaimViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Claims the user may see, in the order they were made, a page at a time (follow `next`); the
    assignment's own annotator creates, changes (with `version`: a stale one answers 409 with the newer
    claim under `current`) and deletes (`?version=`) them."""

    permission_classes = [IsAuthenticated, OwnsAssignment]
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    pagination_class = KeysetPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Claim]:
        writing = self.action in {"partial_update", "destroy", "restore"}
        return claims_visible_to(user=self.request.user, with_passage=writing)

    @extend_schema(
        request=ClaimCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: ClaimSerializer,
            409: OpenApiResponse(description="The claim this Idempotency-Key created was deleted since."),
            422: OpenApiResponse(description="This Idempotency-Key came before with a different request."),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a claim; with an `Idempotency-Key` a repeated request returns the first claim."""
        form = ClaimCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        idempotency = idempotent_request(request, scope="claim", data=form.validated_data)
        assignment = get_object_or_404(
            assignments_visible_to(user=request.user), pk=form.validated_data["assignment"]
        )
        self.check_object_permissions(request, assignment)
        claim = claim_create(assignment=assignment, idempotency=idempotency, **form.service_fields())
        replayed = {REPLAYED_HEADER: "true"} if getattr(claim, "idempotent_replay", False) else None
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED, headers=replayed)

    @extend_schema(request=ClaimUpdateSerializer, responses={200: ClaimSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        claim = self.get_object()
        form = ClaimUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            claim = claim_update(claim=claim, version=form.validated_data["version"], **form.service_fields())
        except Conflict as conflict:
            raise _rethrown_with_current(conflict) from conflict
        return Response(ClaimSerializer(claim).data)

    @extend_schema(parameters=[OpenApiParameter("version", int, required=True)])
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        claim = self.get_object()
        body = request.data if isinstance(request.data, Mapping) else {}
        version = int_param(request.query_params if "version" in request.query_params else body, "version")
        if version is None:
            raise serializers.ValidationError({"version": ["Give the version you delete (?version=N)."]})
        try:
            claim_delete(claim=claim, version=version)
        except Conflict as conflict:
            raise _rethrown_with_current(conflict) from conflict
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: ChangeSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=HistoryPagination, filterset_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every recorded change of the claim, newest first: who, when, what (before → after), the
        version it made. Readable by whoever may read the claim; a deleted claim's history is in the
        project's history (`projects/{id}/history/?entity=claim&entity_id=…`)."""
        claim = self.get_object()
        return changes_page(self, changes_of(entity=Entity.CLAIM, entity_id=claim.pk))

    @extend_schema(request=ClaimRestoreSerializer, responses={200: ClaimSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Bring back the claim's fields as of an earlier `version`, written as a new version (if
        `current_version` is still current, else 409 with the newer claim); its own annotator only."""
        claim = self.get_object()
        form = ClaimRestoreSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            claim = claim_restore(claim=claim, actor=request.user, **form.validated_data)
        except Conflict as conflict:
            raise _rethrown_with_current(conflict) from conflict
        return Response(ClaimSerializer(claim).data)


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


def register(router: DefaultRouter) -> None:
    router.register("assignments", AssignmentViewSet, basename="assignment")
    router.register("claims", ClaimViewSet, basename="claim")
    router.register("speakers", SpeakerViewSet, basename="speaker")
