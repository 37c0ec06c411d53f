"""Counted claims, stored: the consensus of each passage (gold, or the annotators' majority).

Pages aggregate these rows instead of recomputing the majority over every annotator's claim on each
request (on a 1M-claim project that is seconds of work; see bench/who_says_what.py). They are rebuilt for
the whole project by ``services.consensus_refresh`` after annotations change (labeling's
``annotations_changed`` hook), and ``ConsensusState`` says whether they are current.
"""

from django.db import models
from django.db.models import CheckConstraint, Q

from annotator.corpus.models import Document, Passage, Project, Speaker
from annotator.labeling.models import Attribution


class Basis(models.TextChoices):
    GOLD = "gold"
    MAJORITY = "majority"


class ConsensusClaim(models.Model):
    """One counted claim; speaker, outlet and title are joined when read, so their edits show at once."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=8, choices=Basis.choices)
    # The gold claim, or the majority's first annotator claim: a plain id, the rows are rebuilt wholesale.
    claim_id = models.PositiveBigIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # No database constraint: a merged-away speaker must not block the merge; the refresh follows it.
    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    attribution = models.CharField(max_length=12, choices=Attribution.choices)
    perspective = models.CharField(max_length=40)
    stance = models.CharField(max_length=20)
    agreeing = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Majority: who marked it.")
    annotators = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Majority: submitted.")

    class Meta:
        indexes = [
            # The claims list pages by (passage, claim) within a project.
            models.Index(fields=["project", "passage", "claim_id"], name="consensus_claim_page"),
        ]
        constraints = [
            CheckConstraint(condition=Q(basis__in=Basis.values), name="consensus_claim_basis_known"),
        ]

    def __str__(self) -> str:
        return f"{self.basis} [{self.start}:{self.end}] of passage {self.passage_id}"


class ConsensusState(models.Model):
    """Whether a project's consensus rows are current: ``generation`` counts annotation changes,
    ``refreshed_generation`` is the one the rows were built from."""

    project = models.OneToOneField(Project, primary_key=True, on_delete=models.CASCADE, related_name="+")
    generation = models.PositiveBigIntegerField(default=1)
    refreshed_generation = models.PositiveBigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the labels last changed (or a lost refresh was asked for again).",
    )
    seconds = models.FloatField(null=True, blank=True, help_text="How long the last refresh took.")

    def __str__(self) -> str:
        return f"project {self.project_id}: generation {self.refreshed_generation} of {self.generation}"

    @property
    def current(self) -> bool:
        return self.refreshed_generation >= self.generation
