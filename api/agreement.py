"""Agreement runs: list, retrieve (with results), request one (POST), the latest results, progress.

Researchers, reviewers and managers of a project see its runs; for anyone else (annotators included) the
project and its runs do not exist (404).
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from annotator.agreement.maths.suggested import HEADLINE_FIGURES
from annotator.agreement.models import AgreementRun
from annotator.agreement.selectors import latest_succeeded_run, runs_for_project, runs_visible_to
from annotator.agreement.services import agreement_run_request
from annotator.corpus.selectors import SEE_ALL_ROLES
from api.permissions import project_or_404

PROJECT_PARAMETER = OpenApiParameter("project", int, required=True, description="Project id.")


# --- the shape of a run's stored results, for the OpenAPI schema (see agreement/maths/report.py) ---


class AgreementFigureSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="null: undefined (no variation, no data).")
    ci = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True, help_text="95% CI."
    )
    n_units = serializers.IntegerField()
    n_annotators = serializers.IntegerField()
    ci_reason = serializers.CharField(required=False, help_text="Why there is no interval.")
    reason = serializers.CharField(required=False, help_text="Why the coefficient does not apply.")
    labels = serializers.ListField(child=serializers.CharField(), required=False)
    n_pairs = serializers.IntegerField(required=False)
    macro_mean = serializers.FloatField(required=False, allow_null=True)


class AgreementMatrixSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    matrix = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))


class AgreementGammaSerializer(AgreementFigureSerializer):
    """γ (Mathet et al. 2015); see agreement/report_gamma.py."""

    observed_disorder = serializers.FloatField(allow_null=True)
    expected_disorder = serializers.FloatField(allow_null=True, help_text="Mean over random passages.")
    expected_stderr = serializers.FloatField(allow_null=True)
    samples = serializers.IntegerField(help_text="Random passages drawn for the expected disorder.")
    seed = serializers.IntegerField()
    passages = serializers.IntegerField(help_text="Passages γ rests on (a seeded sample of large projects).")
    passages_shared = serializers.IntegerField()
    passages_too_large = serializers.IntegerField(help_text="Left out: too many claims to align exactly.")
    sampled = serializers.BooleanField()
    attribute = serializers.CharField(help_text="The claim attribute used as category.")
    dissimilarity = serializers.DictField(child=serializers.FloatField())
    gamma_cat = serializers.FloatField(allow_null=True)
    per_label = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text="γ_k by label."
    )
    definition = serializers.CharField()


class AgreementSpanSerializer(serializers.Serializer):
    position_alpha = AgreementFigureSerializer()
    unitizing_alpha = AgreementFigureSerializer()
    gamma = AgreementGammaSerializer(required=False, help_text="Absent from runs made before γ existed.")
    exact_f1 = AgreementFigureSerializer()
    overlap_f1 = AgreementFigureSerializer()


class AgreementAttributeSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    alpha = AgreementFigureSerializer()
    fleiss_kappa = AgreementFigureSerializer()
    cohen_kappa_mean = AgreementFigureSerializer()
    per_label = serializers.DictField(child=AgreementFigureSerializer(), help_text="One vs. rest, by label.")
    coincidence = AgreementMatrixSerializer(allow_null=True)
    ambiguous_claims = serializers.IntegerField()


class AgreementAttributesSerializer(serializers.Serializer):
    perspective = AgreementAttributeSerializer()
    stance = AgreementAttributeSerializer()
    speaker = AgreementAttributeSerializer()


class AgreementCountsSerializer(serializers.Serializer):
    passages = serializers.IntegerField()
    passages_coded = serializers.IntegerField()
    passages_shared = serializers.IntegerField()
    documents = serializers.IntegerField()
    annotators = serializers.IntegerField()
    submitted_assignments = serializers.IntegerField()
    claims_total = serializers.IntegerField()
    claims_used = serializers.IntegerField()
    claims_ignored = serializers.IntegerField()


class AgreementHeadlineSerializer(serializers.Serializer):
    counts = AgreementCountsSerializer()
    span = AgreementSpanSerializer()
    attributes = AgreementAttributesSerializer()


class AgreementReportSerializer(AgreementHeadlineSerializer):
    version = serializers.IntegerField()
    parameters = serializers.DictField()
    notes = serializers.ListField(child=serializers.CharField())
    pairs = serializers.ListField(child=serializers.DictField(), help_text="Per annotator pair.")
    pair_matrix = serializers.DictField(help_text="The pair figures as annotator × annotator matrices.")
    annotators = serializers.ListField(child=serializers.DictField(), help_text="Vs. the others and gold.")
    documents = serializers.ListField(child=serializers.DictField(), help_text="Per document.")
    gold = serializers.DictField(allow_null=True, help_text="null: no adjudicated passage.")


class SuggestedShareSerializer(serializers.Serializer):
    claims = serializers.IntegerField(help_text="Claims of submitted assignments.")
    suggested = serializers.IntegerField(help_text="Of those, claims that came from accepted suggestions.")
    share = serializers.FloatField(allow_null=True, help_text="suggested / claims; null without claims.")


class AnnotatorSuggestedShareSerializer(SuggestedShareSerializer):
    annotator = serializers.IntegerField(help_text="User id; names are in the results' `annotators`.")


class SuggestedClaimsSerializer(SuggestedShareSerializer):
    annotators = AnnotatorSuggestedShareSerializer(many=True)


class SuggestionComparisonSerializer(serializers.Serializer):
    figure = serializers.CharField(help_text='Dotted path in the report, e.g. "span.position_alpha".')
    title = serializers.CharField()
    scale = serializers.ChoiceField(choices=sorted({scale for _, _, scale in HEADLINE_FIGURES}))
    all = serializers.FloatField(allow_null=True, help_text="With every claim.")
    without = serializers.FloatField(allow_null=True, help_text="Without accepted suggestions.")
    difference = serializers.FloatField(allow_null=True, help_text="all − without.")


class WithoutSuggestionsSerializer(AgreementHeadlineSerializer):
    definition = serializers.CharField()
    suggested_claims = SuggestedClaimsSerializer()
    comparison = SuggestionComparisonSerializer(many=True)


class AgreementResultsSerializer(serializers.Serializer):
    format = serializers.IntegerField()
    report = AgreementReportSerializer()
    without_suggestions = WithoutSuggestionsSerializer(
        required=False,
        help_text="The headline figures again without the claims that came from accepted suggestions; "
        "absent when no claim did.",
    )
    annotators = serializers.DictField(child=serializers.CharField(), help_text="User id → username.")
    documents = serializers.DictField(child=serializers.CharField(), help_text="Document id → title.")
    speakers = serializers.DictField(child=serializers.CharField(), help_text="Speaker id → name.")
    input = serializers.DictField(child=serializers.IntegerField(), help_text="What was loaded.")
    parameters = serializers.DictField(child=serializers.IntegerField())


@extend_schema_field(AgreementResultsSerializer)
class AgreementResultsField(serializers.JSONField):
    """The stored results as they are; the schema describes them (null until the run has succeeded)."""


# --- runs -----------------------------------------------------------------------------------------------


class AgreementRunSerializer(serializers.ModelSerializer):
    # null for the automatic refresh, which nobody requested
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = AgreementRun
        fields = [
            "id",
            "project",
            "status",
            "progress",
            "stage",
            "parameters",
            "input_digest",
            "reused_from",
            "timings",
            "error",
            "attempts",
            "requested_by",
            "created_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
        ]
        read_only_fields = fields


class AgreementRunDetailSerializer(AgreementRunSerializer):
    results = AgreementResultsField(read_only=True, allow_null=True)

    class Meta(AgreementRunSerializer.Meta):
        fields = [*AgreementRunSerializer.Meta.fields, "results"]
        read_only_fields = fields


class AgreementRunProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementRun
        fields = ["id", "status", "progress", "stage", "error", "finished_at"]
        read_only_fields = fields


class AgreementRunRequestSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    parameters = serializers.DictField(required=False, help_text="n_boot (0–100000), seed.")


class AgreementRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Agreement runs of one project (`?project=ID`); POST asks for a (coalesced) run."""

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return {
            "list": AgreementRunSerializer,
            "create": AgreementRunRequestSerializer,
            "progress": AgreementRunProgressSerializer,
        }.get(self.action, AgreementRunDetailSerializer)

    def get_queryset(self) -> QuerySet[AgreementRun]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no project to name
            return AgreementRun.objects.none()
        if self.action == "list":
            project = project_or_404(
                self.request, self.request.query_params.get("project"), roles=SEE_ALL_ROLES
            )
            return runs_for_project(project=project)
        visible = runs_visible_to(user=self.request.user)
        return visible.defer("results") if self.action == "progress" else visible

    @extend_schema(parameters=[PROJECT_PARAMETER])
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AgreementRunRequestSerializer, responses={202: AgreementRunDetailSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        form = AgreementRunRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        project = project_or_404(request, form.validated_data["project"], roles=SEE_ALL_ROLES)
        run = agreement_run_request(
            project=project, requested_by=request.user, parameters=form.validated_data.get("parameters")
        )
        return Response(AgreementRunDetailSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(parameters=[PROJECT_PARAMETER], responses={200: AgreementRunDetailSerializer})
    @action(detail=False, methods=["get"])
    def latest(self, request: Request) -> Response:
        """The project's most recent succeeded run with its results; 404 until one has finished."""
        project = project_or_404(request, request.query_params.get("project"), roles=SEE_ALL_ROLES)
        run = latest_succeeded_run(project=project)
        if run is None:
            return Response(
                {"detail": "No agreement run has finished yet."}, status=status.HTTP_404_NOT_FOUND
            )
        return Response(AgreementRunDetailSerializer(run).data)

    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Status and progress only (what the dashboard polls)."""
        return Response(AgreementRunProgressSerializer(self.get_object()).data)


def register(router: DefaultRouter) -> None:
    router.register("agreement-runs", AgreementRunViewSet, basename="agreement-run")
