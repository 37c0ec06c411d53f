from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from annotator.agreement.models import AgreementRun
from annotator.agreement.services import agreement_run_request


@admin.register(AgreementRun)
class AgreementRunAdmin(admin.ModelAdmin):
    """Runs are written by the workers; the admin reads them and can ask for fresh ones."""

    list_display = ["id", "project", "status", "progress", "stage", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "project"]
    list_select_related = ["project"]
    search_fields = ["input_digest", "error"]
    readonly_fields = [
        "project",
        "requested_by",
        "status",
        "progress",
        "stage",
        "parameters",
        "input_digest",
        "results",
        "reused_from",
        "timings",
        "error",
        "attempts",
        "created_at",
        "enqueued_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    ]
    actions = ["request_new_run"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgreementRun]:
        queryset = super().get_queryset(request)
        return queryset if request.resolver_match.url_name.endswith("_change") else queryset.defer("results")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Request a fresh run for these runs' projects")
    def request_new_run(self, request: HttpRequest, queryset: QuerySet[AgreementRun]) -> None:
        projects = {run.project for run in queryset.select_related("project")}
        for project in projects:
            agreement_run_request(project=project, requested_by=request.user)
        self.message_user(request, f"Requested runs for {len(projects)} project(s).")
