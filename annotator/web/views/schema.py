"""The label schema editor: projects/<slug>/schema/.

Every member reads the schema, its usage and its history; managers edit it as lists of rows (a plain form
post; schema.js adds, removes and reorders rows) and merge one value into another. Saving goes through
schema_update, so the page, the API and the admin keep the same rules.
"""

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from annotator.corpus.models import Project, Role
from annotator.corpus.schema import NAMED_COLOURS, RESERVED_KEYS, is_colour
from annotator.corpus.schema_selectors import Usage, schema_usage, schema_versions
from annotator.corpus.schema_services import schema_update, schema_value_merge
from annotator.errors import Conflict
from annotator.web.access import project_for
from annotator.web.schema_form import EditedSchema, schema_from_form

LISTS = {
    "perspectives": "Perspectives",
    "stances": "Stances",
    "attributions": "Attribution types",
    "speaker_kinds": "Speaker kinds",
    "affiliations": "Affiliations",
}
# Claims and speakers have database constraints on these lists' values: only labels, keys and help change.
FIXED_VALUE_LISTS = {"attributions"}
BLANK_ROWS = 1
VERSIONS_SHOWN = 50
ERROR_AT = re.compile(r"(\w+)\[(\d+)\](?:\.(\w+))?")


@login_required
@require_http_methods(["GET", "POST"])
def schema_editor(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug)
    if request.method == "GET":
        return _page(request, project, role)
    if role != Role.MANAGER:
        raise PermissionDenied("Only the project's managers change its label schema.")
    if request.POST.get("action") == "merge":
        return _merge(request, project, role)
    edited = schema_from_form(list(request.POST), request.POST.get)
    try:
        saved = schema_update(
            project=project,
            schema=edited.schema,
            changed_by=request.user,
            moves=edited.moves,
            version=_int(request.POST.get("version")),
        )
    except ValidationError as error:
        return _page(request, project, role, edited=edited, errors=_messages(error), status=400)
    except Conflict as conflict:
        errors = {"__all__": f"{conflict} Your edits are below; they were not saved."}
        return _page(request, project, role, edited=edited, errors=errors, status=409)
    if saved is None:
        messages.info(request, "Nothing changed.")
    else:
        messages.success(request, f"Saved schema version {saved.version}: {'; '.join(saved.changes)}.")
    return HttpResponseRedirect(reverse("project-schema", args=[project.slug]))


def _merge(request: HttpRequest, project: Project, role: str) -> HttpResponse:
    field, source, target = (request.POST.get(name, "") for name in ("field", "source", "target"))
    try:
        saved = schema_value_merge(
            project=project, field=field, source=source, target=target, changed_by=request.user
        )
    except ValidationError as error:
        return _page(request, project, role, errors=_messages(error), status=400)
    except Conflict as conflict:
        return _page(request, project, role, errors={"__all__": str(conflict)}, status=409)
    if saved is not None:
        messages.success(request, f"Saved schema version {saved.version}: {'; '.join(saved.changes)}.")
    return HttpResponseRedirect(reverse("project-schema", args=[project.slug]))


def _page(
    request: HttpRequest,
    project: Project,
    role: str,
    *,
    edited: EditedSchema | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = dict(errors or {})
    schema = edited.schema if edited else project.schema
    usage = schema_usage(project=project)
    sections = [
        _section(name, title, schema, edited, usage.get(name, {}), errors) for name, title in LISTS.items()
    ]
    targets = [
        {
            "name": name,
            "default": name == schema.get("default_target"),
            "error": errors.pop(f"targets[{i}]", ""),
        }
        for i, name in enumerate(schema.get("targets", []))
    ]
    target_errors = [errors.pop(key) for key in ("targets", "default_target") if key in errors]
    context = {
        "project": project,
        "role": role,
        "can_edit": role == Role.MANAGER,
        "version": project.schema_version,
        "sections": sections,
        "targets": targets,
        "target_errors": target_errors,
        "perspective_choices": [item.get("value", "") for item in schema.get("perspectives", [])],
        "errors": list(errors.values()),
        "versions": schema_versions(project=project)[:VERSIONS_SHOWN],
        "colours": NAMED_COLOURS,
        "reserved_keys": " ".join(sorted(RESERVED_KEYS)),
    }
    return render(request, "project_schema.html", context, status=status)


def _section(
    name: str,
    title: str,
    schema: dict[str, Any],
    edited: EditedSchema | None,
    usage: dict[str, Usage],
    errors: dict[str, str],
) -> dict[str, Any]:
    """One list's rows with their usage and errors; the errors shown here are taken out of `errors`."""
    items = schema.get(name, [])
    originals = edited.originals.get(name, []) if edited else [item.get("value") for item in items]
    rows = []
    for index, (item, original) in enumerate(zip(items, originals, strict=False)):
        row_errors = {}
        for key in list(errors):
            match = ERROR_AT.fullmatch(key)
            if match and match[1] == name and int(match[2]) == index:
                row_errors[match[3] or "value"] = errors.pop(key)
        used = usage.get(original or "", Usage())
        rows.append(
            {
                "item": item,
                "original": original or "",
                "usage": used,
                "errors": row_errors,
                "index": index,
                # Only a checked colour goes into the style attribute, never text still being edited.
                "swatch": item.get("colour") if is_colour(item.get("colour")) else "",
            }
        )
    return {
        "name": name,
        "title": title,
        "rows": rows,
        "blank_indexes": range(len(rows), len(rows) + BLANK_ROWS),
        "error": errors.pop(name, ""),
        "fixed_values": name in FIXED_VALUE_LISTS,
        "has_speakers": name in ("speaker_kinds", "affiliations"),
        "merge_choices": [row["original"] for row in rows if row["original"]],
    }


def _messages(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {field: " ".join(messages) for field, messages in error.message_dict.items()}
    return {"__all__": " ".join(error.messages)}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


urlpatterns = [path("schema/", schema_editor, name="project-schema")]
