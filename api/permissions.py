"""Small permission predicates; combine them with & and |.

Views that act inside one project resolve it from the URL/query (`project` attribute set by
`ProjectScopedMixin`); a project the user is not a member of answers 404, never 403, so its
existence is not revealed.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from annotator.corpus.models import Project, Role
from annotator.corpus.selectors import role_in_project
from annotator.labeling.models import Assignment
from annotator.labeling.selectors import assignment_editable_by


def project_role(request: Request, project: Project) -> str | None:
    cache = request.__dict__.setdefault("_project_roles", {})
    if project.pk not in cache:
        cache[project.pk] = role_in_project(user=request.user, project_id=project.pk)
    return cache[project.pk]


def project_or_404(
    request: Request, project_id: int | str | None, *, roles: frozenset[str] | None = None
) -> Project:
    """The project if the user has one of `roles` in it (any role when None); else 404."""
    if project_id in (None, ""):
        raise Http404("Name a project.")
    try:
        project = get_object_or_404(Project, pk=int(project_id))
    except (TypeError, ValueError) as error:
        raise Http404("No such project.") from error
    role = project_role(request, project)
    if role is None or (roles is not None and role not in roles):
        raise Http404("No such project.")
    return project


class HasProjectRole(BasePermission):
    """Object permission: the user holds one of `roles` in the object's project."""

    roles: frozenset[str] = frozenset(Role.values)

    def has_object_permission(self, request: Request, view, obj) -> bool:  # noqa: ANN001
        project = view.project_of(obj)
        return project_role(request, project) in self.roles


class IsProjectMember(HasProjectRole):
    roles = frozenset(Role.values)


class IsProjectReviewer(HasProjectRole):
    roles = frozenset({Role.REVIEWER, Role.MANAGER})


class IsProjectResearcher(HasProjectRole):
    roles = frozenset({Role.RESEARCHER, Role.REVIEWER, Role.MANAGER})


class IsProjectManager(HasProjectRole):
    roles = frozenset({Role.MANAGER})


class OwnsAssignment(BasePermission):
    """Object permission: anyone who can see an assignment or claim reads it; only the assignment's own
    annotator changes it (blind annotation: reviewers, researchers and managers read, never edit)."""

    message = "This is another annotator's work: you can read it, not change it."

    def has_object_permission(self, request: Request, view, obj) -> bool:  # noqa: ANN001
        if request.method in SAFE_METHODS:
            return True
        assignment = obj if isinstance(obj, Assignment) else obj.assignment
        return assignment_editable_by(user=request.user, assignment=assignment)
