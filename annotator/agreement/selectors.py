"""Reads for agreement runs: which runs a page or endpoint shows, and to whom."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet, Sum

from annotator.agreement.models import AgreementRun, DocumentStatisticsRecord, RunStatus
from annotator.corpus.models import Project
from annotator.corpus.selectors import SEE_ALL_ROLES, roles_by_project
from annotator.labeling.models import Assignment


def runs_for_project(*, project: Project) -> QuerySet[AgreementRun]:
    """The project's runs, newest first, without their (large) results."""
    return (
        project.agreement_runs.defer("results").select_related("requested_by").order_by("-created_at", "-id")
    )


def latest_succeeded_run(*, project: Project) -> AgreementRun | None:
    return project.agreement_runs.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at", "-id").first()


def pending_run(*, project: Project) -> AgreementRun | None:
    """The run being computed, else the one waiting, if any (without results)."""
    return (
        project.agreement_runs.filter(status__in=[RunStatus.RUNNING, RunStatus.QUEUED])
        .defer("results")
        .order_by("-status", "-created_at")  # "running" sorts after "queued": running first
        .first()
    )


def runs_visible_to(*, user: AbstractBaseUser) -> QuerySet[AgreementRun]:
    """Runs of the projects where the user reads agreement (researcher, reviewer, manager; superusers)."""
    project_ids = [pk for pk, role in roles_by_project(user=user).items() if role in SEE_ALL_ROLES]
    return AgreementRun.objects.filter(project_id__in=project_ids).select_related("requested_by")


def time_on_task_by_annotator(*, project: Project) -> dict[int, int]:
    """Seconds of time on task (Assignment.active_seconds) per annotator id in the project (one query)."""
    rows = (
        Assignment.objects.filter(project=project)
        .values("annotator_id")
        .annotate(seconds=Sum("active_seconds"))
        .order_by()
    )
    return {row["annotator_id"]: row["seconds"] or 0 for row in rows}


StoredRow = tuple[int, bytes | None, dict]  # revision, statistics, counts


def stored_statistics(*, project_id: int, statistics_format: int) -> dict[int, StoredRow]:
    """The project's stored document statistics of the format (one query, no model instances):
    document id -> (the revision they were read at, the statistics bytes, the counts), in document order."""
    rows = (
        DocumentStatisticsRecord.objects.filter(project_id=project_id, statistics_format=statistics_format)
        .order_by("document_id")
        .values_list("document_id", "revision", "statistics", "counts")
    )
    return {document_id: (revision, data, counts) for document_id, revision, data, counts in rows}
