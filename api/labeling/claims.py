"""Claims: CRUD with versions (a stale one answers 409 with the newer claim under `current`), their
history and restore. Visibility comes from annotator.labeling.selectors: an id the user may not read is
a 404; writes are for the assignment's own annotator, others who can read it get a 403."""

from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from annotator.errors import Conflict
from annotator.history.models import Entity
from annotator.history.selectors import changes_of
from annotator.labeling.models import Claim
from annotator.labeling.selectors import (
    assignment_for_claim_create,
    assignment_visible,
    claim_for_update,
    claim_visible,
    claims_visible_to,
)
from annotator.labeling.services import claim_create_on, claim_delete, claim_restore, claim_update_on
from api.history import ChangeSerializer, HistoryPagination, changes_page
from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, REPLAYED_HEADER, idempotent_request
from api.labeling.filters import ClaimFilter
from api.labeling.serializers import (
    ClaimCreateSerializer,
    ClaimRestoreSerializer,
    ClaimSerializer,
    ClaimUpdateSerializer,
    claim_data,
)
from api.pagination import KeysetPagination
from api.params import int_param, path_id
from api.permissions import OwnsAssignment


def _rethrown_with_current(conflict: Conflict) -> Conflict:
    """The same Conflict with the newer claim serialized (or None: deleted), for the 409 body."""
    current = conflict.current
    return Conflict(str(conflict), current=ClaimSerializer(current).data if current is not None else None)


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
        fields = form.service_fields()
        assignment_id = path_id(form.validated_data["assignment"])
        speaker_id = path_id(fields.get("speaker_id"))
        place = None
        if assignment_id is not None:
            place = assignment_for_claim_create(
                user=request.user, assignment_id=assignment_id, speaker_id=speaker_id
            )
        if place is None:
            self._refuse(assignment_visible, assignment_id)
        claim = claim_create_on(place=place, idempotency=idempotency, **fields)
        if getattr(claim, "idempotent_replay", False):
            return Response(
                ClaimSerializer(claim).data, status=status.HTTP_201_CREATED, headers={REPLAYED_HEADER: "true"}
            )
        return Response(
            claim_data(claim, annotator=request.user.get_username()), status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ClaimUpdateSerializer, responses={200: ClaimSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        claim_id = path_id(kwargs.get(self.lookup_field))
        body = request.data
        speaker_changes = isinstance(body, Mapping) and "speaker" in body
        place = None
        if claim_id is not None:
            speaker = body.get("speaker") if speaker_changes else None
            place = claim_for_update(
                user=request.user,
                claim_id=claim_id,
                speaker_changes=speaker_changes,
                # Read with the claim when it is a plain id; in any other form the service looks it up.
                speaker_id=path_id(speaker) if type(speaker) is int else None,
            )
        if place is None:
            self._refuse(claim_visible, claim_id)
        form = ClaimUpdateSerializer(data=body)
        form.is_valid(raise_exception=True)
        try:
            claim = claim_update_on(
                place=place, version=form.validated_data["version"], **form.service_fields()
            )
        except Conflict as conflict:
            raise _rethrown_with_current(conflict) from conflict
        return Response(claim_data(claim, annotator=request.user.get_username()))

    def _refuse(self, visible: Callable[..., bool], object_id: int | None) -> NoReturn:
        """Why a write found nothing of the user's own: 404 if they may not even read it, else 403 (they
        read it; only its annotator changes it). Asked only on that failure."""
        kind = "assignment" if visible is assignment_visible else "claim"
        if object_id is not None and visible(user=self.request.user, **{f"{kind}_id": object_id}):
            raise PermissionDenied(OwnsAssignment.message)
        raise Http404(f"No such {kind}.")

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
