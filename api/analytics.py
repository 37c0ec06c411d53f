"""Who says what over the API: cross-tabulations of claims by speaker, perspective, stance and outlet.

``GET /api/v1/projects/<slug>/who-says-what/`` (JSON, or the cross-tab as CSV with ``?format=csv``) and
``GET /api/v1/projects/<slug>/who-says-what/claims/`` (the counted claims behind a figure, paged by key).
Reviewers, researchers and managers only; for annotators and non-members the project is a 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from annotator.analytics.crosstab import MAJORITY_DEFINITION, csv_problems, csv_text
from annotator.analytics.params import BASES, GROUPINGS, VOICES, ParamError, parse_claim_filter, parse_scope
from annotator.analytics.selectors import claims_page, who_says_what_report
from annotator.analytics.services import consensus_ensure
from annotator.corpus.models import Project
from annotator.corpus.selectors import SEE_ALL_ROLES
from annotator.labeling.models import Attribution
from annotator.web.access import project_for
from api.params import refuse_nul_anywhere


class CSVRenderer(BaseRenderer):
    """The report's cross-tab as spreadsheet-safe CSV; an error body as field,problem lines."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            return csv_problems(data if isinstance(data, dict) else {"detail": data}).encode()
        return csv_text(data).encode()


class CountsSerializer(serializers.Serializer):
    gold = serializers.IntegerField(help_text="Gold claims of adjudicated passages.")
    majority = serializers.IntegerField(help_text="Claims of other passages that a majority marked alike.")


class CoverageSerializer(serializers.Serializer):
    passages = serializers.IntegerField()
    adjudicated = serializers.IntegerField(help_text="Passages whose gold claims count.")
    with_majority = serializers.IntegerField(help_text="Other passages with two or more submissions.")
    pending = serializers.IntegerField(help_text="Passages that count nothing yet (under two submissions).")


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='The outlet ("" for none) or the document id.')
    label = serializers.CharField()
    claims = CountsSerializer()


class SpeakerTypeFields(serializers.Serializer):
    voice = serializers.ChoiceField(
        choices=VOICES, help_text="author: authorial claims; unnamed: no speaker given; speaker: the rest."
    )
    speaker_affiliation = serializers.CharField(allow_null=True, help_text="Null unless voice is speaker.")
    speaker_kind = serializers.CharField(allow_null=True, help_text="Null unless voice is speaker.")
    speaker_type = serializers.CharField(help_text="The row's display name.")
    perspective = serializers.CharField()
    claims = CountsSerializer()


class CrosstabRowSerializer(SpeakerTypeFields):
    group = serializers.CharField()
    group_label = serializers.CharField()
    stance = serializers.CharField()


class VoiceRowSerializer(serializers.Serializer):
    perspective = serializers.CharField()
    attribution = serializers.ChoiceField(choices=Attribution.choices)
    claims = CountsSerializer()
    share = serializers.FloatField(help_text="Of the perspective's claims, 0 to 1.")


class SpeakersPerGroupSerializer(serializers.Serializer):
    group = serializers.CharField()
    group_label = serializers.CharField()
    perspective = serializers.CharField()
    claims = CountsSerializer()
    distinct_speakers = serializers.IntegerField()


class FreshnessSerializer(serializers.Serializer):
    current = serializers.BooleanField(help_text="False while a refresh after the latest changes is pending.")
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="When the counted claims were built.")


class ReportSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=GROUPINGS)
    definition = serializers.CharField(help_text="Which claims count: " + MAJORITY_DEFINITION)
    coverage = CoverageSerializer()
    claims = CountsSerializer()
    perspectives = serializers.ListField(child=serializers.CharField(), help_text="In the schema's order.")
    labels = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="Display names by field and value.",
    )
    groups = GroupSerializer(many=True)
    next_after = serializers.IntegerField(
        allow_null=True, help_text="With by=document: pass as ?after= for the next documents."
    )
    crosstab = CrosstabRowSerializer(many=True)
    speaker_types = SpeakerTypeFields(many=True)
    voice = VoiceRowSerializer(many=True)
    speakers_per_group = SpeakersPerGroupSerializer(many=True)
    freshness = FreshnessSerializer()


class CountedClaimSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="basis-id: a gold claim's id, or the first claim of a majority.")
    basis = serializers.ChoiceField(choices=BASES)
    passage_id = serializers.IntegerField()
    position = serializers.IntegerField()
    document_id = serializers.IntegerField()
    document_title = serializers.CharField()
    outlet = serializers.CharField(allow_blank=True)
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    text = serializers.CharField(help_text="passage_text[start:end]")
    passage_text = serializers.CharField()
    speaker = serializers.CharField(allow_null=True)
    voice = serializers.ChoiceField(choices=VOICES)
    speaker_affiliation = serializers.CharField(allow_null=True)
    speaker_kind = serializers.CharField(allow_null=True)
    attribution = serializers.ChoiceField(choices=Attribution.choices)
    perspective = serializers.CharField()
    stance = serializers.CharField()
    agreeing = serializers.IntegerField(allow_null=True, help_text="Majority: annotators who marked it.")
    annotators = serializers.IntegerField(allow_null=True, help_text="Majority: submitted annotators.")


class ClaimsPageSerializer(serializers.Serializer):
    claims = CountedClaimSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Pass as ?after= for the next page.")


SCOPE_PARAMETERS = [
    OpenApiParameter("by", str, enum=list(GROUPINGS), description="Group by outlet (default) or document."),
    OpenApiParameter("outlet", str, many=True, description='Only these outlets; empty ("outlet=") for none.'),
    OpenApiParameter("document", int, many=True, description="Only these documents."),
]
LABEL_PARAMETERS = [
    OpenApiParameter("voice", str, enum=list(VOICES)),
    OpenApiParameter("affiliation", str, description="The speaker's affiliation value."),
    OpenApiParameter("kind", str, description="The speaker's kind value."),
    OpenApiParameter("perspective", str),
    OpenApiParameter("stance", str),
    OpenApiParameter("attribution", str, enum=list(Attribution.values)),
    OpenApiParameter("basis", str, enum=list(BASES)),
]
PROBLEM = OpenApiResponse(description="A query parameter is not valid; the body names it.")


class OneReportSchema(AutoSchema):
    """The report is one object although the router serves it on the viewset's list route."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class WhoSaysWhatViewSet(viewsets.ViewSet):
    """Claims of a project by speaker type, perspective and stance, per outlet or document."""

    schema = OneReportSchema()
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    def _project(self, request: Request, slug: str) -> Project:
        project, _ = project_for(user=request.user, slug=slug, roles=SEE_ALL_ROLES)
        return project

    @extend_schema(
        summary="Who says what: the cross-tab, voice and speakers per outlet or document",
        description=MAJORITY_DEFINITION,
        parameters=[
            *SCOPE_PARAMETERS,
            OpenApiParameter("after", int, description="With by=document: the next_after of the last page."),
            OpenApiParameter("format", str, enum=["json", "csv"], description="csv: the cross-tab as CSV."),
        ],
        responses={
            (200, "application/json"): ReportSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            400: PROBLEM,
        },
    )
    def list(self, request: Request, slug: str) -> Response:
        project = self._project(request, slug)
        refuse_nul_anywhere(request.query_params)
        try:
            scope = parse_scope(request.query_params)
        except ParamError as error:
            raise serializers.ValidationError(error.errors) from error
        state = consensus_ensure(project_id=project.pk)
        report = ReportSerializer(who_says_what_report(project=project, scope=scope, state=state)).data
        if request.accepted_renderer.format == "csv":
            name = f"{project.slug}-who-says-what-{scope.by}.csv"
            return Response(report, headers={"Content-Disposition": f'attachment; filename="{name}"'})
        return Response(report)

    @extend_schema(
        summary="The counted claims behind a figure, with their passages",
        description="Filters as in the report's links; " + MAJORITY_DEFINITION,
        parameters=[
            *SCOPE_PARAMETERS[1:],
            *LABEL_PARAMETERS,
            OpenApiParameter("after", str, description="The next of the previous page."),
        ],
        responses={200: ClaimsPageSerializer, 400: PROBLEM},
    )
    @action(detail=False, methods=["get"], renderer_classes=[JSONRenderer, BrowsableAPIRenderer])
    def claims(self, request: Request, slug: str) -> Response:
        project = self._project(request, slug)
        refuse_nul_anywhere(request.query_params)
        try:
            claim_filter = parse_claim_filter(request.query_params, attributions=Attribution.values)
        except ParamError as error:
            raise serializers.ValidationError(error.errors) from error
        consensus_ensure(project_id=project.pk)
        return Response(ClaimsPageSerializer(claims_page(project=project, claim_filter=claim_filter)).data)


def register(router: BaseRouter) -> None:
    router.register(
        r"projects/(?P<slug>[-a-zA-Z0-9_]+)/who-says-what", WhoSaysWhatViewSet, basename="who-says-what"
    )
