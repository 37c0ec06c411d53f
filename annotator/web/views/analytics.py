"""Who says what (under projects/<slug>/): the report page, two outlets or documents side by side, and
the claims behind any figure. Reviewers, researchers and managers only: the figures rest on every
annotator's labels, which annotators must not see (for them, as for non-members, the pages are 404).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from annotator.analytics.crosstab import label_maps
from annotator.analytics.figures import figures, perspective_shares
from annotator.analytics.models import ConsensusState
from annotator.analytics.params import ParamError, Scope, parse_claim_filter, parse_scope
from annotator.analytics.selectors import claims_page, who_says_what_report
from annotator.analytics.services import consensus_ensure
from annotator.corpus.models import Project
from annotator.corpus.selectors import SEE_ALL_ROLES
from annotator.labeling.models import Attribution
from annotator.web.access import project_for
from api.params import refuse_nul_anywhere


def _scope_query(scope: Scope) -> dict[str, str]:
    """The filter a panel's links carry: its one outlet or document, if it has one."""
    if scope.outlets is not None and len(scope.outlets) == 1:
        return {"outlet": scope.outlets[0]}
    if scope.documents is not None and len(scope.documents) == 1:
        return {"document": str(scope.documents[0])}
    return {}


def _panel(project: Project, scope: Scope, state: ConsensusState | None) -> dict[str, Any]:
    report = who_says_what_report(project=project, scope=scope, state=state)
    claims_url = reverse("who-says-what-claims", args=[project.slug])
    return {
        "report": report,
        "figures": figures(report, project.schema, claims_url=claims_url, scope=_scope_query(scope)),
    }


def _problem(request: HttpRequest, project: Project, role: str, error: ParamError) -> HttpResponse:
    context = {"project": project, "role": role, "errors": error.errors}
    return render(request, "who_says_what_error.html", context, status=400)


@login_required
@require_GET
def who_says_what(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=SEE_ALL_ROLES)
    refuse_nul_anywhere(request.GET)
    try:
        scope = parse_scope(request.GET)
    except ParamError as error:
        return _problem(request, project, role, error)
    panel = _panel(project, scope, consensus_ensure(project_id=project.pk))
    context = {
        "project": project,
        "role": role,
        "scope": scope,
        "panel": panel,
        "csv_query": request.GET.urlencode(),
    }
    return render(request, "who_says_what.html", context)


@login_required
@require_GET
def who_says_what_compare(request: HttpRequest, slug: str) -> HttpResponse:
    """Two outlets (``?a=…&b=…``) or two documents (``?by=document&a=ID&b=ID``) side by side."""
    project, role = project_for(user=request.user, slug=slug, roles=SEE_ALL_ROLES)
    refuse_nul_anywhere(request.GET)
    by = request.GET.get("by") or "outlet"
    missing = {side: "Name what to compare." for side in ("a", "b") if side not in request.GET}
    try:
        if missing:
            raise ParamError(missing)
        key = "outlet" if by == "outlet" else "document"
        scopes = [parse_scope({"by": by, key: [request.GET[side]]}) for side in ("a", "b")]
    except ParamError as error:
        return _problem(request, project, role, error)
    state = consensus_ensure(project_id=project.pk)
    panels = [_panel(project, scope, state) for scope in scopes]
    context = {
        "project": project,
        "role": role,
        "by": by,
        "panels": [
            {**panel, "name": _name(by, request.GET[side], panel["report"]), "side": side}
            for side, panel in zip(("a", "b"), panels, strict=True)
        ],
        "shares": perspective_shares([panel["report"] for panel in panels]),
    }
    return render(request, "who_says_what_compare.html", context)


def _name(by: str, value: str, report: dict[str, Any]) -> str:
    if report["groups"]:
        return report["groups"][0]["label"]
    return value or "(no outlet)" if by == "outlet" else f"document {value}"


@login_required
@require_GET
def who_says_what_claims(request: HttpRequest, slug: str) -> HttpResponse:
    """The counted claims behind a segment or cell, each in its passage with the claim marked."""
    project, role = project_for(user=request.user, slug=slug, roles=SEE_ALL_ROLES)
    refuse_nul_anywhere(request.GET)
    try:
        claim_filter = parse_claim_filter(request.GET, attributions=Attribution.values)
    except ParamError as error:
        return _problem(request, project, role, error)
    consensus_ensure(project_id=project.pk)
    page = claims_page(project=project, claim_filter=claim_filter)
    names = label_maps(project.schema)
    claims = [
        {
            **claim,
            "before": claim["passage_text"][: claim["start"]],
            "after": claim["passage_text"][claim["end"] :],
            "perspective_label": names["perspective"].get(claim["perspective"], claim["perspective"]),
            "stance_label": names["stance"].get(claim["stance"], claim["stance"]),
            "attribution_label": names["attribution"].get(claim["attribution"], claim["attribution"]),
        }
        for claim in page["claims"]
    ]
    query = claim_filter.as_query()
    context = {
        "project": project,
        "role": role,
        "claims": claims,
        "filters": query,
        "next_query": urlencode({**query, "after": page["next"]}) if page["next"] else "",
        "first_query": urlencode(query),
        "first_page": claim_filter.after is None,
    }
    return render(request, "who_says_what_claims.html", context)


urlpatterns = [
    path("who-says-what/", who_says_what, name="who-says-what"),
    path("who-says-what/compare/", who_says_what_compare, name="who-says-what-compare"),
    path("who-says-what/claims/", who_says_what_claims, name="who-says-what-claims"),
]
