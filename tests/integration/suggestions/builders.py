"""The article the suggestion tests annotate, and small lookups."""

from annotator.labeling.models import Assignment
from annotator.suggestions.models import Suggestion

# Title, five body paragraphs (a pronoun in the third resolves to the speaker named in the second), a
# photo caption and its credit (furniture: the caption's reported speech must not become a suggestion).
ARTICLE = "\n\n".join(
    [
        "Summit talk",
        "Officials met in Pyongyang on Tuesday to sign the treaty.",
        "“We will deepen our partnership in every field,” Wang Junsheng said at the briefing in Beijing.",
        "He added that the treaty posed no threat to anyone in the region.",
        "Analysts said the meeting was mostly symbolic for both sides.",
        "“This is a turning point for the whole region,” Antony Blinken told reporters. "
        "“We will watch it closely and respond together with our allies,” he said.",
        "Kim Jong Un said the alliance would last for many years to come.\nPhoto credit: Reuters\n",
    ]
)


def assignment_on(username: str, suggestion: Suggestion) -> Assignment:
    return Assignment.objects.select_related("passage__document__project").get(
        annotator__username=username, passage_id=suggestion.passage_id
    )


def suggestion_of(text_start: str) -> Suggestion:
    return Suggestion.objects.select_related("speaker").get(text__startswith=text_start)
