from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from annotator.corpus.models import Role
from annotator.corpus.selectors import (
    documents_page,
    passages_for_document,
    projects_for_user,
    roles_by_project,
)
from annotator.labeling.selectors import Progress, progress_by_annotator, progress_by_project, progress_for
from annotator.web.access import project_for
from api.params import page_cursor, text_param


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = roles_by_project(user=request.user)
    progress = progress_by_project(user=request.user)
    projects = [
        {"project": project, "role": roles.get(project.pk), "progress": progress.get(project.pk, Progress())}
        for project in projects_for_user(user=request.user).order_by("name")
    ]
    # The first project with passages still open gets the focused "Continue" button: Enter starts work.
    first_open = next((item for item in projects if item["progress"].open > 0), None)
    return render(request, "home.html", {"projects": projects, "first_open": first_open})


@login_required
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug)
    search = text_param(request.GET, "q").strip()[:200]
    after = page_cursor(request.GET, "after")
    documents = documents_page(project=project, search=search, after=after)
    context = {
        "project": project,
        "role": role,
        "documents": documents.documents,
        "next_after": documents.next_after,
        "search": search,
        "paged": bool(after),
        "progress": progress_for(user=request.user, project=project),
        "is_manager": role == Role.MANAGER,
        "annotators": progress_by_annotator(project=project) if role == Role.MANAGER else [],
    }
    return render(request, "project.html", context)


@login_required
def document_detail(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug)
    document = get_object_or_404(project.documents, pk=document_id)
    passages = passages_for_document(document=document)
    return render(
        request,
        "document.html",
        {"project": project, "role": role, "document": document, "passages": passages},
    )
