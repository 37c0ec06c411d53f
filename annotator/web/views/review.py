"""Review pages: the disagreement queue and the side-by-side passage review (speakers: views/speakers.py).

Reviewers and managers only (anyone else gets a 404). Mounted under projects/<slug>/.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse

from annotator.corpus.models import Passage, Role
from annotator.corpus.schema import flag_reasons_of, span_rule_of
from annotator.corpus.selectors import MANAGING_ROLES, document_choices, project_members
from annotator.review.queue import ANY_FLAG, STATUSES, QueueCursor, queue_labels, review_queue
from annotator.review.selectors import passage_review
from annotator.web.access import project_for
from annotator.web.views.annotate import guidelines_html


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, s.capitalize()) for s in STATUSES], required=False)
    document = forms.IntegerField(required=False, min_value=1)
    annotator = forms.IntegerField(required=False, min_value=1)
    label = forms.CharField(required=False, max_length=100)
    flag = forms.CharField(required=False, max_length=40)

    def filters(self) -> dict:
        """The chosen filters as review_queue arguments (bad values are ignored, not errors)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or "open",
            "document_id": data.get("document"),
            "annotator_id": data.get("annotator"),
            "label": data.get("label") or None,
            "flag": data.get("flag") or None,
        }


def _filter_query(request: HttpRequest, *, without: tuple[str, ...]) -> str:
    return urlencode({k: v for k, v in request.GET.items() if k not in without and v})


@login_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=MANAGING_ROLES)
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    result = review_queue(project=project, **filters, after=QueueCursor.decode(request.GET.get("after")))
    return render(
        request,
        "review_queue.html",
        {
            "project": project,
            "role": role,
            "queue": result,
            "ranked": [(result.first_rank + i, entry) for i, entry in enumerate(result.entries)],
            "counts": result.counts,
            "next_page": result.next_cursor.encode() if result.next_cursor else "",
            "filters": filters,
            "filter_query": _filter_query(request, without=("after",)),
            "next_query": _filter_query(request, without=("after", "status")),
            "statuses": STATUSES,
            "documents": document_choices(project=project),
            "annotators": project_members(project=project, role=Role.ANNOTATOR),
            "labels": queue_labels(project=project),
            "any_flag": ANY_FLAG,
            "flag_reasons": flag_reasons_of(project.schema),
        },
    )


@login_required
def next_passage(request: HttpRequest, slug: str) -> HttpResponse:
    """Redirect to the most disagreed-on open passage (other than `?after=`), keeping the filters."""
    project, _ = project_for(user=request.user, slug=slug, roles=MANAGING_ROLES)
    filters = QueueFilterForm(request.GET).filters()
    after = request.GET.get("after", "")
    entries = review_queue(project=project, **{**filters, "status": "open"}, limit=2).entries
    entry = next((e for e in entries if str(e.passage_id) != after), None)
    query = _filter_query(request, without=("after", "status"))
    if entry is None:
        messages.info(request, "No open passages left to review with these filters.")
        return HttpResponseRedirect(
            reverse("review-queue", args=[project.slug]) + (f"?{query}" if query else "")
        )
    url = reverse("review-passage", args=[project.slug, entry.passage_id])
    return HttpResponseRedirect(url + (f"?{query}" if query else ""))


@login_required
def passage(request: HttpRequest, slug: str, passage_id: int) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=MANAGING_ROLES)
    try:
        review = passage_review(project=project, passage_id=passage_id)
    except Passage.DoesNotExist as error:
        raise Http404("No such passage.") from error
    query = _filter_query(request, without=("page", "after", "status"))
    config = {
        "project": {"id": project.pk, "slug": project.slug},
        "schema": {name: project.schema.get(name, []) for name in ("attributions", "perspectives", "stances")}
        | {
            "targets": project.schema.get("targets", []),
            "default_target": project.schema.get("default_target"),
        },
        "span_rule": span_rule_of(project.schema),  # text.js snaps gold re-spans as the server will
        "urls": {
            "api": reverse("api-root"),
            "save": reverse("review-passage-adjudication", args=[passage_id]),
            "queue": reverse("review-queue", args=[project.slug]),
            "next": reverse("review-next", args=[project.slug])
            + "?"
            + urlencode({"after": passage_id})
            + (f"&{query}" if query else ""),
        },
        "query": query,
    }
    return render(
        request,
        "review_passage.html",
        {
            "project": project,
            "role": role,
            "review": review,
            "review_config": config,
            "annotator_notes": _annotator_notes(review["annotators"], project.schema),
            "guidelines_html": guidelines_html(project),
        },
    )


def _annotator_notes(annotators: list[dict], schema: dict) -> list[dict]:
    """Each annotator's flag, by its label (a reason since removed from the schema by its value)."""
    labels = {item["value"]: item["label"] for item in flag_reasons_of(schema)}
    return [
        {**person, "flag_label": labels.get(person["flag_reason"], person["flag_reason"])}
        for person in annotators
    ]


urlpatterns = [
    path("review/", queue, name="review-queue"),
    path("review/next/", next_passage, name="review-next"),
    path("review/passages/<int:passage_id>/", passage, name="review-passage"),
]
