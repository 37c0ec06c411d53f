"""The export page: download now (streamed), run in the background (a job with a progress bar), and the
import of doccano / Label Studio annotations. Mounted under projects/<slug>/; the page works without
JavaScript, exports.js adds progress polling.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from annotator.corpus.importing import ImportRefused
from annotator.corpus.models import Project, Role
from annotator.corpus.selectors import project_members
from annotator.exports.importing import SOURCES as IMPORT_FORMATS
from annotator.exports.importing import AnnotationImportSummary, annotations_upload
from annotator.exports.selectors import EXPORT_ROLES, IMPORT_ROLES, SOURCES, STATUSES
from annotator.exports.services import FORMATS, export_job_request, export_options
from annotator.web.access import project_for
from api.exports import streaming_response

DOCUMENT_CHOICES_LIMIT = 1000  # above this many documents the page asks for ids instead of a list
RECENT_JOBS = 20


def _page(
    request: HttpRequest,
    project: Project,
    role: str,
    *,
    export_errors: Sequence[str] = (),
    import_errors: Sequence[str] = (),
    summary: AnnotationImportSummary | None = None,
    status: int = 200,
) -> HttpResponse:
    documents = list(
        project.documents.order_by("id").values_list("id", "title")[: DOCUMENT_CHOICES_LIMIT + 1]
    )
    context: dict[str, Any] = {
        "project": project,
        "role": role,
        "formats": FORMATS.values(),
        "statuses": STATUSES,
        "sources": SOURCES,
        "documents": documents if len(documents) <= DOCUMENT_CHOICES_LIMIT else None,
        "annotators": project_members(project=project, role=Role.ANNOTATOR),
        "jobs": project.export_jobs.select_related("requested_by")[:RECENT_JOBS],
        "can_import": role in IMPORT_ROLES,
        "import_formats": IMPORT_FORMATS,
        "export_errors": export_errors,
        "import_errors": import_errors,
        "summary": summary,
        "posted": request.POST if request.method == "POST" else {},
        "page_config": {"project": project.pk, "api": "/api/v1/"},
    }
    return render(request, "exports.html", context, status=status)


@login_required
@require_GET
def exports(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=EXPORT_ROLES)
    return _page(request, project, role)


@login_required
@require_POST
def export_download(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=EXPORT_ROLES)
    try:
        name, filters = export_options(request.POST)
    except ValidationError as error:
        return _page(request, project, role, export_errors=error.messages, status=400)
    return streaming_response(project=project, name=name, filters=filters)


@login_required
@require_POST
def export_job_create(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=EXPORT_ROLES)
    try:
        name, filters = export_options(request.POST)
    except ValidationError as error:
        return _page(request, project, role, export_errors=error.messages, status=400)
    job = export_job_request(project=project, format=name, filters=filters, requested_by=request.user)
    messages.success(request, f"Export {job.pk} ({FORMATS[name].label}) is queued; it appears below.")
    return redirect("exports", slug=project.slug)


@login_required
@require_POST
def annotations_import(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=IMPORT_ROLES)
    uploads = request.FILES.getlist("file")
    if not uploads:
        return _page(request, project, role, import_errors=["Choose a file to import."], status=400)
    try:
        summary = annotations_upload(
            project=project,
            source=request.POST.get("format", ""),
            uploads=[(upload.name, upload.size, upload.chunks()) for upload in uploads],
            label_map=request.POST.get("label_map"),
            annotator_map=request.POST.get("annotator_map"),
            skip_invalid=request.POST.get("skip_invalid") == "on",
        )
    except ImportRefused as error:
        return _page(request, project, role, import_errors=[str(error)], status=413)
    except ValidationError as error:
        return _page(request, project, role, import_errors=error.messages, status=400)
    if not summary.written:
        return _page(request, project, role, summary=summary, status=400)
    messages.success(
        request,
        f"Imported {summary.claims} claims in {summary.assignments} assignments "
        f"({summary.documents} new documents, {summary.reused_documents} already there; "
        f"{len(summary.users_created)} new users; {len(summary.errors)} records skipped).",
    )
    return redirect("exports", slug=project.slug)


urlpatterns = [
    path("exports/", exports, name="exports"),
    path("exports/download/", export_download, name="exports-download"),
    path("exports/jobs/", export_job_create, name="exports-job-create"),
    path("exports/import/", annotations_import, name="exports-import"),
]
