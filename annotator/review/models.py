"""Adjudicated gold versions of passages."""

from django.conf import settings
from django.db import models
from django.db.models import CheckConstraint, Q, UniqueConstraint

from annotator import limits
from annotator.corpus.models import Document, Passage, Project
from annotator.db_limits import length_at_most, max_length
from annotator.labeling.models import Claim, ClaimContent


class Adjudication(models.Model):
    """The gold version of one passage; `version` guards against two reviewers overwriting each other."""

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="adjudications")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True, validators=max_length(limits.ADJUDICATION_NOTE))
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            UniqueConstraint(fields=["passage"], name="adjudication_one_per_passage"),
            CheckConstraint(condition=Q(version__gte=1), name="adjudication_version_positive"),
            length_at_most(
                "note", limits.ADJUDICATION_NOTE, name="adjudication_note_length", label="The note"
            ),
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


class PassageScore(models.Model):
    """A passage's disagreement, stored for the review queue to sort and filter by (see review.scoring).

    Kept for passages with two or more submitted annotations, written by the services that change their
    submitted claims, and rescored only when the digest of those claims changes.
    """

    passage = models.OneToOneField(Passage, primary_key=True, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    annotators = models.PositiveSmallIntegerField(help_text="Submitted annotations of the passage.")
    score = models.FloatField()
    span = models.FloatField()
    attributes = models.FloatField()
    boundary = models.FloatField()
    differences = models.JSONField(default=list, blank=True)
    digest = models.CharField(max_length=32)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The queue: most disagreement first, then reading order; keyset pages continue from a row.
            models.Index(fields=["project", "-score", "document", "position"], name="passage_score_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.score:.3f} for passage {self.passage_id}"


class PassageLabel(models.Model):
    """A label ("stance:against") that a submitted claim of a scored passage carries: the queue's label
    filter is an index lookup here instead of a search through every claim of the project."""

    passage = models.ForeignKey(
        PassageScore, on_delete=models.CASCADE, related_name="labels", db_column="passage_id"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=80)

    class Meta:
        constraints = [
            UniqueConstraint(fields=["project", "label", "passage"], name="passage_label_once"),
        ]

    def __str__(self) -> str:
        return f"{self.label} on passage {self.passage_id}"
