"""The annotation screen (span editor), the annotator's queue, and the managers' "assign passages" button.

Mounted under projects/<slug>/. The page renders the first passage; editor.js then moves between
passages and saves through the REST API without reloading.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from annotator.corpus.models import Project, Role
from annotator.corpus.selectors import project_members
from annotator.labeling.selectors import (
    assignments_for,
    first_assignment,
    next_assignment,
    progress_for,
    skipped_assignments,
    workspace_for,
)
from annotator.labeling.services import assignments_distribute
from annotator.web.access import project_for
from api.labeling import WorkspaceSerializer

MANAGERS = frozenset({Role.MANAGER})
# reverse() needs a number; editor.js swaps this one for the id of the passage it moves to.
ID_PLACEHOLDER = 999999999
SCHEMA_LISTS = ("attributions", "perspectives", "stances", "targets", "speaker_kinds", "affiliations")


def _editor_config(request: HttpRequest, project: Project, role: str) -> dict[str, Any]:
    """What editor.js needs besides the passage (handed over with json_script, never as markup)."""
    schema = project.schema
    return {
        "project": {"id": project.pk, "slug": project.slug, "name": project.name},
        "role": role,
        "schema": {name: schema.get(name, []) for name in SCHEMA_LISTS}
        | {"default_target": schema.get("default_target", "")},
        "urls": {
            "api": reverse("api-root"),
            "annotate": reverse("annotate", args=[project.slug, ID_PLACEHOLDER]),
            "annotate_next": reverse("annotate-next", args=[project.slug]),
            "project": reverse("project-detail", args=[project.slug]),
            "placeholder": str(ID_PLACEHOLDER),
        },
        "user": request.user.get_username(),
    }


@login_required
def annotate_next(request: HttpRequest, slug: str) -> HttpResponse:
    """Open the user's next passage in document order, or the "all done" screen."""
    project, role = project_for(user=request.user, slug=slug)
    assignment = next_assignment(user=request.user, project=project)
    if assignment is not None:
        return redirect("annotate", slug=project.slug, assignment_id=assignment.pk)
    return render(
        request,
        "annotate.html",
        {
            "project": project,
            "role": role,
            "workspace": None,
            "progress": progress_for(user=request.user, project=project),
            "skipped": skipped_assignments(user=request.user, project=project),
            "first": first_assignment(user=request.user, project=project),
            "editor_config": _editor_config(request, project, role),
        },
    )


@login_required
def annotate(request: HttpRequest, slug: str, assignment_id: int) -> HttpResponse:
    """The span editor on one assignment: the annotator's own (editable), or read-only for reviewers,
    researchers and managers; anyone else's is a 404."""
    project, role = project_for(user=request.user, slug=slug)
    assignment = assignments_for(user=request.user, project=project).filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("No such assignment.")
    workspace = workspace_for(user=request.user, assignment=assignment)
    return render(
        request,
        "annotate.html",
        {
            "project": project,
            "role": role,
            "workspace": workspace,
            "progress": workspace.progress,
            "workspace_data": WorkspaceSerializer(workspace).data,
            "editor_config": _editor_config(request, project, role),
        },
    )


@login_required
@require_POST
def project_assign(request: HttpRequest, slug: str) -> HttpResponse:
    """Managers distribute the project's passages to its annotators (k-overlap; safe to press twice)."""
    project, _ = project_for(user=request.user, slug=slug, roles=MANAGERS)
    added = assignments_distribute(project=project)
    annotators = project_members(project=project, role=Role.ANNOTATOR).count()
    if not annotators:
        messages.warning(request, "The project has no annotators yet: add some, then assign again.")
    else:
        messages.success(
            request,
            f"{added} new assignments: each passage goes to {min(project.overlap, annotators)} of "
            f"{annotators} annotators.",
        )
    return redirect("project-detail", slug=project.slug)


urlpatterns = [
    path("annotate/", annotate_next, name="annotate-next"),
    path("annotate/<int:assignment_id>/", annotate, name="annotate"),
    path("assign/", project_assign, name="project-assign"),
]
