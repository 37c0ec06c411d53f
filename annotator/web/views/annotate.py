"""The annotation screen (span editor), the annotator's queue, and the managers' "assign passages" button.

Mounted under projects/<slug>/. The page renders the first passage; editor.js then moves between
passages and saves through the REST API without reloading. The project's guidelines sit in a panel that
opens by itself when the member has not read them since they changed; closing it marks them read.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from annotator.corpus.guidelines import render_guidelines
from annotator.corpus.guidelines_reading import guidelines_due, guidelines_mark_read
from annotator.corpus.models import Project, Role
from annotator.corpus.schema import flag_reasons_of, span_rule_of
from annotator.corpus.selectors import project_members
from annotator.labeling import time_on_task
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.selectors import (
    assignments_for,
    first_assignment,
    next_assignment,
    progress_for,
    skipped_assignments,
    workspace_for,
)
from annotator.web.access import project_for
from api.labeling import WorkspaceSerializer
from api.suggestions import suggestions_data

MANAGERS = frozenset({Role.MANAGER})
# reverse() needs a number; editor.js swaps this one for the id of the passage it moves to.
ID_PLACEHOLDER = 999999999
SCHEMA_LISTS = ("attributions", "perspectives", "stances", "targets", "speaker_kinds", "affiliations")


def my_passages_url(project: Project) -> str | None:
    """The full navigator page, while it exists (the editor's drawer links to it)."""
    try:
        return reverse("my-passages", args=[project.slug])
    except NoReverseMatch:
        return None


def guidelines_html(project: Project) -> str:
    """The project's guidelines as HTML for a template: render_guidelines cleans them with nh3's
    allow-list (no scripts, handlers or javascript: links), which is what makes marking them safe sound."""
    return mark_safe(render_guidelines(project.guidelines))  # noqa: S308


def _editor_config(
    request: HttpRequest, project: Project, role: str, *, guidelines_open: bool = False
) -> dict[str, Any]:
    """What editor.js needs besides the passage (handed over with json_script, never as markup)."""
    schema = project.schema
    return {
        "project": {"id": project.pk, "slug": project.slug, "name": project.name},
        "role": role,
        "guidelines": {"available": bool(project.guidelines.strip()), "open": guidelines_open},
        "schema": {name: schema.get(name, []) for name in SCHEMA_LISTS}
        | {"default_target": schema.get("default_target", "")},
        "span_rule": span_rule_of(schema),  # text.js previews the edges the server will save
        "flag_reasons": flag_reasons_of(project.schema),
        "urls": {
            "api": reverse("api-root"),
            "annotate": reverse("annotate", args=[project.slug, ID_PLACEHOLDER]),
            "annotate_next": reverse("annotate-next", args=[project.slug]),
            "project": reverse("project-detail", args=[project.slug]),
            "guidelines_read": reverse("guidelines-read", args=[project.slug]),
            "placeholder": str(ID_PLACEHOLDER),
            "my_passages": my_passages_url(project),
        },
        "user": request.user.get_username(),
        "suggestions": project.suggestions,
        # Read at request time so that a browser test can shorten the windows.
        "active_time": {
            "idle_after": time_on_task.IDLE_AFTER_SECONDS,
            "flush_every": time_on_task.FLUSH_EVERY_SECONDS,
        },
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
            "flag_reasons": flag_reasons_of(project.schema),
            "my_passages_url": my_passages_url(project),
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
    guidelines_open = guidelines_due(project=project, user=request.user)
    return render(
        request,
        "annotate.html",
        {
            "project": project,
            "role": role,
            "workspace": workspace,
            "progress": workspace.progress,
            # Suggestions come with the page (one query); editor.js asks the API on later passages.
            "workspace_data": {
                **WorkspaceSerializer(workspace).data,
                "suggestions": suggestions_data(workspace),
            },
            "guidelines_html": guidelines_html(project),
            "guidelines_open": guidelines_open,
            "flag_reasons": flag_reasons_of(project.schema),
            "my_passages_url": my_passages_url(project),
            "editor_config": _editor_config(request, project, role, guidelines_open=guidelines_open),
        },
    )


@login_required
@require_POST
def guidelines_read(request: HttpRequest, slug: str) -> HttpResponse:
    """The member closed the guidelines panel: they will not open by themselves until changed again."""
    project, _ = project_for(user=request.user, slug=slug)
    guidelines_mark_read(project=project, user=request.user)
    return HttpResponse(status=204)


@login_required
@require_POST
def project_assign(request: HttpRequest, slug: str) -> HttpResponse:
    """Managers distribute the project's passages to its annotators (k-overlap; safe to press twice).

    Back to the project page, or to ``next`` when it is a page of this site (the upload page's button).
    """
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
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("project-detail", slug=project.slug)


urlpatterns = [
    path("annotate/", annotate_next, name="annotate-next"),
    path("annotate/<int:assignment_id>/", annotate, name="annotate"),
    path("assign/", project_assign, name="project-assign"),
    path("guidelines/read/", guidelines_read, name="guidelines-read"),
]
