"""Suggested claims over the API: the open suggestions of one's own assignment, and dismissing one.

Only the assignment's own annotator sees its suggestions: anyone else's assignment (readers included) is a
404. A project with suggestions off lists none (200, empty) and has none to dismiss (404). Accepting one is
`POST /api/v1/claims/` with `suggestion` set (see api/labeling.py).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from annotator.labeling.selectors import Workspace
from annotator.suggestions.models import Suggestion
from annotator.suggestions.selectors import (
    own_assignment,
    own_assignment_for_suggestion,
    suggestions_open_for,
)
from annotator.suggestions.services import suggestion_dismiss
from api.labeling import SpeakerBriefSerializer
from api.params import int_param, path_id


class SuggestionSerializer(serializers.ModelSerializer):
    speaker = SpeakerBriefSerializer(
        read_only=True, allow_null=True, help_text="The project's speaker the name matched, if any."
    )

    class Meta:
        model = Suggestion
        fields = [
            "id", "passage", "start", "end", "text", "attribution", "speaker_name", "speaker",
            "mention_start", "mention_end", "detector_version",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "start": {"help_text": "Offsets in the passage text, in code points as claims count them."},
            "speaker_name": {"help_text": "The speaker as written in the article; empty if none was found."},
        }


class SuggestionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """`list ?assignment=ID`: that own assignment's open suggestions; `dismiss`: hide one for oneself."""

    serializer_class = SuggestionSerializer
    queryset = Suggestion.objects.none()  # for the OpenAPI generator only; get_queryset decides

    def get_queryset(self) -> QuerySet[Suggestion]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        assignment_id = int_param(self.request.query_params, "assignment")
        if assignment_id is None:
            raise serializers.ValidationError({"assignment": ["Give the id of one of your assignments."]})
        assignment = own_assignment(user=self.request.user, assignment_id=assignment_id)
        if assignment is None:
            raise Http404("No such assignment.")
        return suggestions_open_for(assignment=assignment)

    @extend_schema(
        parameters=[OpenApiParameter("assignment", int, required=True, description="one of your assignments")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Suggestions of your assignment's passage that you have neither dismissed nor made a claim of
        (empty when the project has suggestions off)."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={204: None, 404: None})
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str | None = None) -> Response:
        """Hide the suggestion from you on this passage (others still see it); dismissing again is a no-op."""
        assignment = None
        suggestion_id = path_id(pk)
        if suggestion_id is not None:
            assignment = own_assignment_for_suggestion(user=request.user, suggestion_id=suggestion_id)
        if assignment is None:
            raise Http404("No such suggestion.")
        suggestion_dismiss(suggestion_id=suggestion_id, assignment=assignment)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: BaseRouter) -> None:
    router.register("suggestions", SuggestionViewSet, basename="suggestion")


def suggestions_data(workspace: Workspace) -> list[dict[str, Any]]:
    """The open suggestions of the editor's workspace, serialized: none unless it is one's own work."""
    if not workspace.editable:
        return []
    return SuggestionSerializer(suggestions_open_for(assignment=workspace.assignment), many=True).data
