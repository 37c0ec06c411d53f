"""Managers' pages: uploading articles, and the progress of the annotation (under projects/<slug>/).

Managers only; for anyone else the project is a 404. The upload form works as a plain multipart form;
upload.js sends the same files to the API with a progress bar and polls a queued job.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from annotator.corpus.article_jobs import articles_upload, job_threshold_bytes
from annotator.corpus.importing import ImportRefused
from annotator.corpus.models import ArticleImportJob, Project, Role
from annotator.corpus.readers import MAX_FILE_BYTES
from annotator.labeling.charts import submissions_chart
from annotator.labeling.progress import (
    DOCUMENTS_PER_PAGE,
    annotator_progress,
    document_progress,
    project_totals,
    submissions_per_day,
)
from annotator.web.access import project_for
from api.params import page_cursor

MANAGERS = frozenset({Role.MANAGER})
ACCEPT = ".txt,.md,.jsonl,.ndjson,.csv"
MB = 1024 * 1024


def _upload_config(project: Project) -> dict[str, Any]:
    """What upload.js needs (handed over with json_script)."""
    return {
        "project": project.pk,
        "urls": {"upload": reverse("article-import-list"), "jobs": reverse("article-import-list")},
        "max_file_bytes": MAX_FILE_BYTES,
    }


@login_required
@require_http_methods(["GET", "POST"])
def project_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """The upload form; POST imports the files (or queues a job and shows it, ``?job=ID``)."""
    project, role = project_for(user=request.user, slug=slug, roles=MANAGERS)
    context: dict[str, Any] = {
        "project": project,
        "role": role,
        "accept": ACCEPT,
        "job_threshold_mb": round(job_threshold_bytes() / MB, 1),
        "max_file_mb": MAX_FILE_BYTES // MB,
        "upload_config": _upload_config(project),
        "summary": None,
        "job": None,
        "error": "",
    }
    status = 200
    if request.method == "POST":
        files = request.FILES.getlist("file")
        if not files:
            context["error"], status = "Choose one or more files to upload.", 400
        else:
            try:
                result = articles_upload(project=project, files=files, requested_by=request.user)
            except ImportRefused as error:
                context["error"], status = str(error), 413
            else:
                if isinstance(result, ArticleImportJob):
                    return redirect(reverse("project-upload", args=[project.slug]) + f"?job={result.pk}")
                context["summary"] = result.as_dict()
    elif (job_id := page_cursor(request.GET, "job")) is not None:
        context["job"] = ArticleImportJob.objects.filter(project=project, pk=job_id).first()
    job = context["job"]
    context["result"] = context["summary"] or (job.summary if job else None)
    return render(request, "project_upload.html", context, status=status)


@login_required
@require_GET
def project_progress(request: HttpRequest, slug: str) -> HttpResponse:
    """Per annotator and per document, what is assigned and done; submissions per day as a chart."""
    project, role = project_for(user=request.user, slug=slug, roles=MANAGERS)
    after = page_cursor(request.GET, "after") or 0
    documents = document_progress(project=project, after=after)
    return render(
        request,
        "project_progress.html",
        {
            "project": project,
            "role": role,
            "annotators": annotator_progress(project=project),
            "documents": documents,
            "next_after": documents[-1].id if len(documents) == DOCUMENTS_PER_PAGE else None,
            "after": after,
            "totals": project_totals(project=project),
            # The chart helpers escape every text they draw: the template marks this string safe.
            "chart": submissions_chart(submissions_per_day(project=project)),
        },
    )


urlpatterns = [
    path("articles/upload/", project_upload, name="project-upload"),
    path("progress/", project_progress, name="project-progress"),
]
