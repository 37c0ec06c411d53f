"""Claims the detector proposes in a passage, and which annotators dismissed them."""

from django.db import models
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from django.db.models.functions import Length

from annotator.corpus.models import Passage, Speaker
from annotator.labeling.models import Assignment, Attribution


class Suggestion(models.Model):
    """A suggested claim in a passage (offsets into the passage text, like a claim's).

    Accepting one creates a claim that points back here (`Claim.suggestion`, `Claim.origin`); dismissing
    one hides it for that annotator only.
    """

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="suggestions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    attribution = models.CharField(max_length=12, choices=Attribution.choices)
    # The speaker as written in the article, and the project's speaker it names, when one matched.
    speaker_name = models.CharField(max_length=300, blank=True)
    speaker = models.ForeignKey(Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mention_start = models.PositiveIntegerField(null=True, blank=True)
    mention_end = models.PositiveIntegerField(null=True, blank=True)
    detector_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["passage_id", "start", "end", "id"]
        constraints = [
            UniqueConstraint(
                fields=["passage", "start", "end", "attribution"], name="suggestion_one_per_span"
            ),
            CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=F("end")), name="suggestion_start_before_end"
            ),
            CheckConstraint(condition=Q(end=F("start") + Length("text")), name="suggestion_text_fills_range"),
            CheckConstraint(
                condition=Q(attribution__in=[Attribution.DIRECT, Attribution.INDIRECT]),
                name="suggestion_attribution_quoted_or_reported",
            ),
            CheckConstraint(
                condition=(Q(mention_start__isnull=True) & Q(mention_end__isnull=True))
                | Q(
                    mention_start__isnull=False,
                    mention_end__isnull=False,
                    mention_start__lt=F("mention_end"),
                ),
                name="suggestion_mention_span_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"suggested [{self.start}:{self.end}] {self.text[:60]}"


class SuggestionDismissal(models.Model):
    """An annotator said no to a suggestion on their assignment; others still see it."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="dismissals")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="dismissals")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            UniqueConstraint(fields=["suggestion", "assignment"], name="suggestion_dismissed_once"),
        ]

    def __str__(self) -> str:
        return f"suggestion {self.suggestion_id} dismissed on assignment {self.assignment_id}"
