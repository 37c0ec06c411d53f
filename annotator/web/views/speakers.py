"""The speakers page: approve annotators' new speakers, merge duplicates (after a confirmation that says
what moves), undo a merge. Reviewers and managers only (anyone else gets a 404)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from annotator.corpus.models import Project, Speaker, SpeakerMerge
from annotator.corpus.selectors import MANAGING_ROLES
from annotator.corpus.services import speaker_approve
from annotator.corpus.speaker_merges import merges_to_undo, speaker_merge_undo
from annotator.corpus.speakers import (
    speaker_merge,
    speaker_merge_preview,
    speakers_for_curation,
    suggested_merges,
)
from annotator.errors import Conflict
from annotator.web.access import project_for
from api.params import path_id


class MergeForm(forms.Form):
    canonical = forms.IntegerField()
    duplicates = forms.TypedMultipleChoiceField(coerce=int, choices=())
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, speaker_ids: list[int], **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["duplicates"].choices = [(pk, pk) for pk in speaker_ids]

    def duplicate_ids(self) -> list[int]:
        # A suggestion posts every speaker of its group, the kept one included.
        return [pk for pk in self.cleaned_data["duplicates"] if pk != self.cleaned_data["canonical"]]


@login_required
@require_http_methods(["GET", "POST"])
def speakers(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=MANAGING_ROLES)
    if request.method == "POST" and request.POST.get("action") == "approve":
        return _approve(request, project)
    if request.method == "POST" and request.POST.get("action") == "undo":
        return _undo(request, project)
    curated = list(speakers_for_curation(project=project))
    preview = None
    if request.method == "POST":
        form = MergeForm(request.POST, speaker_ids=[s.pk for s in curated])
        if not form.is_valid() or not form.duplicate_ids():
            messages.error(request, "Choose one speaker to keep and at least one duplicate to merge into it.")
            return redirect("speakers-curate", slug=project.slug)
        canonical, duplicates = form.cleaned_data["canonical"], form.duplicate_ids()
        try:
            if form.cleaned_data["confirmed"]:
                return _merge(request, project, canonical=canonical, duplicates=duplicates)
            preview = speaker_merge_preview(project=project, canonical=canonical, duplicates=duplicates)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("speakers-curate", slug=project.slug)
    return render(
        request,
        "speakers.html",
        {
            "project": project,
            "role": role,
            "speakers": curated,
            "suggestions": suggested_merges(curated),
            "merges": merges_to_undo(project=project),
            "preview": preview,
        },
    )


def _merge(request: HttpRequest, project: Project, *, canonical: int, duplicates: list[int]) -> HttpResponse:
    speaker = speaker_merge(
        project=project, canonical=canonical, duplicates=duplicates, merged_by=request.user
    )
    merged = len(duplicates)
    messages.success(
        request,
        f"Merged {merged} speaker{'s' if merged != 1 else ''} into {speaker.name}; claims follow. "
        "Undo it under Recent merges.",
    )
    return redirect("speakers-curate", slug=project.slug)


def _approve(request: HttpRequest, project: Project) -> HttpResponse:
    speaker = get_object_or_404(Speaker, project=project, pk=path_id(request.POST.get("speaker")))
    try:
        speaker_approve(speaker=speaker, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Approved {speaker.name}: every annotator can now pick it.")
    return redirect("speakers-curate", slug=project.slug)


def _undo(request: HttpRequest, project: Project) -> HttpResponse:
    merge = get_object_or_404(SpeakerMerge, project=project, pk=path_id(request.POST.get("merge")))
    try:
        restored = speaker_merge_undo(merge=merge, actor=request.user)
    except Conflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, f"Undid the merge: {restored.name} is back with its claims.")
    return redirect("speakers-curate", slug=project.slug)


urlpatterns = [
    path("speakers/", speakers, name="speakers-curate"),
]
