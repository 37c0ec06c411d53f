"""The annotator's own passages as a table ("My passages"): filter by status, flag, document and text,
and open any of them in the editor. Mounted under projects/<slug>/; any member with assignments.

The filters are the API's (api.labeling.AssignmentFilter), so the page and the editor's navigator list
the same passages for the same query.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from annotator.corpus.schema import flag_reasons_of
from annotator.corpus.selectors import document_choices
from annotator.labeling.models import AssignmentStatus
from annotator.labeling.selectors import own_assignments, own_assignments_page, progress_for
from annotator.web.access import project_for
from api.labeling import AssignmentFilter

PAGE_SIZE = 50
FILTERS = ("status", "flagged", "document", "q")


@login_required
def my_passages(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug)
    mine = own_assignments(user=request.user, project=project)
    chosen = {name: request.GET.get(name, "").strip() for name in FILTERS}
    filtered = AssignmentFilter({k: v for k, v in chosen.items() if v}, queryset=mine).qs
    after = request.GET.get("after", "")
    page = own_assignments_page(filtered, after=int(after) if after.isdecimal() else None, limit=PAGE_SIZE)
    # The total comes from the indexed progress counts; with filters only the page is known.
    total = None if any(chosen.values()) else progress_for(user=request.user, project=project).assigned
    if total == 0:
        raise Http404("You have no passages in this project.")
    reasons = flag_reasons_of(project.schema)
    flag_labels = {item["value"]: item["label"] for item in reasons}
    # A reason since removed from the schema still shows, by its stored value.
    rows = [(a, flag_labels.get(a.flag_reason, a.flag_reason)) for a in page.assignments]
    return render(
        request,
        "my_passages.html",
        {
            "project": project,
            "role": role,
            "total": total,
            "next_after": page.next_after,
            "paged": bool(after),
            "filters": chosen,
            "filter_query": urlencode({k: v for k, v in chosen.items() if v}),
            "statuses": AssignmentStatus.choices,
            "flag_reasons": reasons,
            "rows": rows,
            "documents": document_choices(project=project),
        },
    )


urlpatterns = [path("my-passages/", my_passages, name="my-passages")]
