"""Adjudicated gold versions of passages."""

from django.conf import settings
from django.db import models
from django.db.models import CheckConstraint, Q, UniqueConstraint

from annotator.corpus.models import Passage
from annotator.labeling.models import Claim, ClaimContent


class Adjudication(models.Model):
    """The gold version of one passage; `version` guards against two reviewers overwriting each other."""

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="adjudications")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            UniqueConstraint(fields=["passage"], name="adjudication_one_per_passage"),
            CheckConstraint(condition=Q(version__gte=1), name="adjudication_version_positive"),
        ]

    def __str__(self) -> str:
        return f"gold for {self.passage}"


class GoldClaim(ClaimContent):
    adjudication = models.ForeignKey(Adjudication, on_delete=models.CASCADE, related_name="gold_claims")
    source_claims = models.ManyToManyField(Claim, blank=True, related_name="gold_claims")

    class Meta(ClaimContent.Meta):
        ordering = ["adjudication_id", "start", "end", "id"]

    def __str__(self) -> str:
        return f"gold [{self.start}:{self.end}] {self.text[:60]}"
