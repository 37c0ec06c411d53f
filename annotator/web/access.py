"""Project lookup for pages: a project the user is not a member of does not exist for them (404)."""

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404
from django.shortcuts import get_object_or_404

from annotator.corpus.models import Project
from annotator.corpus.selectors import role_in_project


def project_for(
    *, user: AbstractBaseUser, slug: str, roles: frozenset[str] | None = None
) -> tuple[Project, str]:
    """The project and the user's role in it; 404 for non-members or a role not in `roles`."""
    project = get_object_or_404(Project, slug=slug)
    role = role_in_project(user=user, project_id=project.pk)
    if role is None or (roles is not None and role not in roles):
        raise Http404("No such project.")
    return project, role
