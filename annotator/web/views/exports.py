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

from annotator.analytics.figures import perspective_summary
from annotator.analytics.services import who_says_what_current
from annotator.corpus.importing import ImportRefused
from annotator.corpus.models import Project, Role
from annotator.corpus.selectors import project_members
from annotator.exports.importing import FORMATS as IMPORT_FORMATS
from annotator.exports.importing import AnnotationImportSummary, json_mapping, uploaded_files
from annotator.exports.importing import annotations_import as annotations_import_service
from annotator.exports.importing.previews import preview_drop, preview_save, preview_take
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
    preview_token: str = "",
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
        "summary": summary.as_dict() if summary is not None else None,
        "preview_token": preview_token,
        "posted": request.POST if request.method == "POST" else {},
        "page_config": {"project": project.pk, "api": "/api/v1/"},
        "who_says_what": perspective_summary(who_says_what_current(project=project)),
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


def _import_options(data: Any) -> dict[str, Any]:
    relations = [name.strip() for name in str(data.get("speaker_relations") or "").split(",") if name.strip()]
    return {
        "format": data.get("format") or "auto",
        "label_map": data.get("label_map"),
        "annotator_map": data.get("annotator_map"),
        "annotator": (data.get("annotator") or "").strip() or None,
        "speaker_relations": relations or ["said_by"],
        "create_users": data.get("create_users") == "on",
        "skip_invalid": data.get("skip_invalid") == "on",
    }


@login_required
@require_POST
def annotations_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Preview an import (the files are kept for the confirmation), or import; a failure writes nothing."""
    project, role = project_for(user=request.user, slug=slug, roles=IMPORT_ROLES)
    token = request.POST.get("preview_token", "")
    try:
        if token:
            files = preview_take(token=token, project_id=project.pk, user_id=request.user.pk)
            if files is None:
                raise ValidationError("This preview has expired or is not yours; choose the files again.")
        else:
            uploads = request.FILES.getlist("file")
            if not uploads:
                raise ValidationError("Choose a file to import.")
            files = uploaded_files([(upload.name, upload.size, upload.chunks()) for upload in uploads])
        preview = request.POST.get("action") == "preview"
        options = _import_options(request.POST)
        summary = annotations_import_service(
            project=project,
            files=files,
            **{
                **options,
                "label_map": json_mapping(options["label_map"], field_name="label_map"),
                "annotator_map": json_mapping(options["annotator_map"], field_name="annotator_map"),
            },
            dry_run=preview,
            imported_by=request.user,
        )
    except ImportRefused as error:
        return _page(request, project, role, import_errors=[str(error)], status=413)
    except ValidationError as error:
        return _page(request, project, role, import_errors=error.messages, status=400)
    if summary.written:
        preview_drop(token=token)
        messages.success(
            request,
            f"Imported {summary.claims} claims on {summary.passages} passages "
            f"({summary.aligned_records} records found in the project's documents, "
            f"{summary.new_documents} new documents; {len(summary.users_created)} new accounts).",
        )
        return redirect("exports", slug=project.slug)
    if not token:
        token = preview_save(project_id=project.pk, user_id=request.user.pk, files=files)
    return _page(request, project, role, summary=summary, preview_token=token, status=200 if preview else 400)


urlpatterns = [
    path("exports/", exports, name="exports"),
    path("exports/download/", export_download, name="exports-download"),
    path("exports/jobs/", export_job_create, name="exports-job-create"),
    path("exports/import/", annotations_import, name="exports-import"),
]
