from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from annotator.corpus.selectors import (
    documents_for_project,
    passages_for_document,
    projects_for_user,
    roles_by_project,
)
from annotator.web.access import project_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = roles_by_project(user=request.user)
    projects = [
        {"project": project, "role": roles.get(project.pk)}
        for project in projects_for_user(user=request.user).order_by("name")
    ]
    return render(request, "home.html", {"projects": projects})


@login_required
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug)
    documents = documents_for_project(project=project)
    return render(request, "project.html", {"project": project, "role": role, "documents": documents})


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
