"""Setting up a study in the browser: a new project, its settings, its members, the guidelines preview.

`top_urlpatterns` is mounted at projects/ (before projects/<slug>/), `urlpatterns` under projects/<slug>/.
Settings and members are for the project's managers; anyone else gets the 404 a non-member gets.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from annotator.corpus.guidelines import render_guidelines
from annotator.corpus.models import Membership, Project, Role
from annotator.corpus.project_selectors import can_create_projects, members_with_work
from annotator.corpus.project_services import (
    account_create_with_link,
    member_add,
    member_remove,
    member_role_set,
    project_create_by,
    project_update,
)
from annotator.corpus.selectors import role_in_project
from annotator.web.access import project_for
from annotator.web.project_forms import AccountCreateForm, MemberAddForm, ProjectForm

MANAGERS = frozenset({Role.MANAGER})


def _service_errors_onto(form: Form, error: ValidationError) -> None:
    """Show a service's field errors next to the fields (others at the top of the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _preview_of(form: ProjectForm) -> str:
    """The guidelines as the form holds them, rendered, so the preview shows without JavaScript too."""
    return render_guidelines(form["guidelines"].value() or "")


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    if not can_create_projects(user=request.user):
        raise PermissionDenied("You may not create projects.")
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create_by(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _service_errors_onto(form, error)
        else:
            messages.success(request, f"Project “{project.name}” created: you are its manager.")
            return redirect("project-members", project.slug)
    context = {"form": form, "preview_html": _preview_of(form)}
    return render(request, "project_new.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def project_settings(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=MANAGERS)
    fields = ("name", "slug", "overlap", "guidelines", "suggestions")
    initial = {field: getattr(project, field) for field in fields}
    initial["blind"] = "1" if project.blind else "0"
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project_update(project=project, **form.cleaned_data)
        except ValidationError as error:
            _service_errors_onto(form, error)
        else:
            messages.success(request, "Settings saved.")
            # After a slug change the old address no longer exists: go on at the new one.
            return redirect("project-settings", project.slug)
    context = {"project": project, "role": role, "form": form, "preview_html": _preview_of(form)}
    return render(request, "project_settings.html", context, status=400 if form.errors else 200)


def _members_page(
    request: HttpRequest,
    project: Project,
    role: str,
    *,
    add_form: MemberAddForm | None = None,
    account_form: AccountCreateForm | None = None,
    new_account: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "project": project,
        "role": role,
        "members": members_with_work(project=project),
        "roles": Role.choices,
        "add_form": add_form or MemberAddForm(),
        "account_form": account_form or AccountCreateForm(),
        "new_account": new_account,
    }
    return render(request, "project_members.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def project_members(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=MANAGERS)
    return _members_page(request, project, role)


@login_required
@require_POST
def project_member_add(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=MANAGERS)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = member_add(
                project=project, identifier=form.cleaned_data["user"], role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            _service_errors_onto(form, error)
        else:
            messages.success(request, f"{membership.user.get_username()} added as {membership.role}.")
            return redirect("project-members", project.slug)
    return _members_page(request, project, role, add_form=form, status=400)


def _membership(project: Project, user_id: int) -> Membership:
    return get_object_or_404(project.memberships.select_related("user"), user_id=user_id)


@login_required
@require_POST
def project_member_role(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    project, _ = project_for(user=request.user, slug=slug, roles=MANAGERS)
    membership = _membership(project, user_id)
    try:
        member_role_set(membership=membership, role=request.POST.get("role", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user.get_username()} is now {membership.role}.")
    return _after_member_change(request, project)


@login_required
@require_POST
def project_member_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    project, _ = project_for(user=request.user, slug=slug, roles=MANAGERS)
    membership = _membership(project, user_id)
    try:
        member_remove(membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{membership.user.get_username()} removed; their work stays in the project, under their name.",
        )
    return _after_member_change(request, project)


def _after_member_change(request: HttpRequest, project: Project) -> HttpResponse:
    # A manager who just demoted or removed themselves can no longer open the members page.
    role = role_in_project(user=request.user, project_id=project.pk)
    if role is None:
        return redirect("home")
    return redirect("project-members" if role == Role.MANAGER else "project-detail", project.slug)


@login_required
@require_POST
def project_account_create(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=MANAGERS)
    form = AccountCreateForm(request.POST)
    if form.is_valid():
        try:
            account = account_create_with_link(project=project, **form.cleaned_data)
        except ValidationError as error:
            _service_errors_onto(form, error)
        else:
            # Shown in this response only, never stored or redirected to: reloading does not show it again.
            new_account = {
                "username": account.membership.user.get_username(),
                "role": account.membership.role,
                "link": request.build_absolute_uri(account.set_password_path),
            }
            response = _members_page(request, project, role, new_account=new_account)
            response["Cache-Control"] = "no-store"
            return response
    return _members_page(request, project, role, account_form=form, status=400)


@login_required
@require_POST
def guidelines_preview(request: HttpRequest) -> JsonResponse:
    """The guidelines textarea's Markdown rendered and sanitised exactly as the project page shows it."""
    return JsonResponse({"html": render_guidelines(request.POST.get("text", ""))})


top_urlpatterns = [
    path("new/", project_new, name="project-new"),
    path("guidelines-preview/", guidelines_preview, name="guidelines-preview"),
]
urlpatterns = [
    path("settings/", project_settings, name="project-settings"),
    path("members/", project_members, name="project-members"),
    path("members/add/", project_member_add, name="project-member-add"),
    path("members/new-account/", project_account_create, name="project-account-create"),
    path("members/<int:user_id>/role/", project_member_role, name="project-member-role"),
    path("members/<int:user_id>/remove/", project_member_remove, name="project-member-remove"),
]
