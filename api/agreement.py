"""Agreement runs: list, retrieve (with results), request one (POST), the latest results, progress.

Researchers, reviewers and managers of a project see its runs; for anyone else (annotators included) the
project and its runs do not exist (404).
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from annotator.agreement.models import AgreementRun
from annotator.agreement.selectors import latest_succeeded_run, runs_for_project, runs_visible_to
from annotator.agreement.services import agreement_run_request
from annotator.corpus.selectors import SEE_ALL_ROLES
from api.permissions import project_or_404

PROJECT_PARAMETER = OpenApiParameter("project", int, required=True, description="Project id.")


class AgreementRunSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

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
