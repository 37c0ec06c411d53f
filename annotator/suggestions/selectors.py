"""Reads for suggestions: which ones an annotator still has open, and the names the detector links to.

Who sees suggestions is decided here: only the annotator whose assignment it is, and only while the
project shows suggestions (`Project.suggestions`); everyone else, and every project with them off, gets none.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from annotator.corpus.models import Speaker
from annotator.labeling.models import Assignment, Claim
from annotator.labeling.selectors import assignments_visible_to
from annotator.suggestions.models import Suggestion, SuggestionDismissal

User = AbstractBaseUser | AnonymousUser


@dataclass
class KnownSpeakers:
    """The project's approved speakers as the detector takes them: lower-cased name or alias → canonical
    name (`names`), and the speaker id behind each of those keys (`ids`)."""

    names: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def speakers_for_detection(*, project_id: int) -> KnownSpeakers:
    """One query. Only approved speakers: suggestions are shared by every annotator of a passage, so an
    annotator's private speaker in a blind project must not reach the others through them."""
    known = KnownSpeakers()
    rows = Speaker.objects.filter(project_id=project_id, approved=True).order_by("id")
    for pk, name, aliases in rows.values_list("id", "name", "aliases"):
        for form in [name, *(a for a in aliases or [] if isinstance(a, str))]:
            key = " ".join(form.lower().split())
            if key and key not in known.names:
                known.names[key] = name
                known.ids[key] = pk
    return known


def suggestions_open_for(*, assignment: Assignment) -> QuerySet[Suggestion]:
    """The passage's suggestions the assignment's annotator has neither dismissed nor made a claim of
    (a claim accepted from it, or an own claim on exactly its span); none when the project has them off.

    One query whatever the numbers of suggestions, dismissals and claims. `assignment` comes with its
    passage, document and project loaded (see labeling.selectors).
    """
    if not assignment.passage.document.project.suggestions:
        return Suggestion.objects.none()
    dismissed = SuggestionDismissal.objects.filter(suggestion=OuterRef("pk"), assignment=assignment)
    claimed = Claim.objects.filter(assignment=assignment).filter(
        Q(suggestion=OuterRef("pk")) | Q(start=OuterRef("start"), end=OuterRef("end"))
    )
    return (
        Suggestion.objects.filter(passage_id=assignment.passage_id)
        .exclude(Exists(dismissed))
        .exclude(Exists(claimed))
        .select_related("speaker")
        .order_by("start", "end", "id")
    )


def own_assignment_for_suggestion(*, user: User, suggestion_id: int) -> Assignment | None:
    """The user's own assignment on the passage of that suggestion, if the project shows suggestions
    (one query); None for anyone else, so another annotator's passage answers like a missing one."""
    if not user.is_authenticated:
        return None
    return (
        assignments_visible_to(user=user)
        .filter(
            annotator_id=user.pk,
            passage__suggestions__pk=suggestion_id,
            passage__document__project__suggestions=True,
        )
        .first()
    )


def own_assignment(*, user: User, assignment_id: int) -> Assignment | None:
    """The user's own assignment with that id (with passage, document and project), else None."""
    return assignments_visible_to(user=user).filter(pk=assignment_id, annotator_id=user.pk).first()
