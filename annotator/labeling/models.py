"""Who annotates which passage, and the claims they mark."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from django.db.models.functions import Length

from annotator import limits
from annotator.corpus.models import Passage, Speaker
from annotator.db_limits import length_at_most, max_length
from annotator.labeling.fields import CLAIM_CONTENT_FIELDS


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted"
    SKIPPED = "skipped"


class Assignment(models.Model):
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="assignments")
    # The passage's project, kept on the row so that one project's assignments are one index range
    # (project, passage, annotator): listing them never walks other projects' rows. Filled on save.
    project = models.ForeignKey("corpus.Project", on_delete=models.CASCADE, related_name="+", db_index=False)
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    status = models.CharField(
        max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The annotator's note on the passage as a whole (e.g. a comment carried over from another tool).
    note = models.TextField(blank=True, db_default="", validators=max_length(limits.ASSIGNMENT_NOTE))
    # A passage the annotator found unclear (or skipped) and why: a value of the schema's flag_reasons.
    flag_reason = models.CharField(max_length=40, blank=True, db_default="")
    flag_note = models.TextField(blank=True, db_default="", validators=max_length(limits.FLAG_NOTE))
    flagged_at = models.DateTimeField(null=True, blank=True)
    # Time the annotator actively spent on the passage (tab visible, input within the last minute),
    # reported by the editor in small increments; see labeling.time_on_task.
    active_seconds = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        ordering = ["passage_id"]
        constraints = [
            UniqueConstraint(
                fields=["passage", "annotator"], name="assignment_one_per_passage_and_annotator"
            ),
            CheckConstraint(condition=Q(status__in=AssignmentStatus.values), name="assignment_status_known"),
            CheckConstraint(condition=Q(version__gte=1), name="assignment_version_positive"),
            CheckConstraint(
                condition=Q(active_seconds__gte=0), name="assignment_active_seconds_non_negative"
            ),
            CheckConstraint(
                condition=Q(status=AssignmentStatus.SUBMITTED, submitted_at__isnull=False)
                | ~Q(status=AssignmentStatus.SUBMITTED),
                name="assignment_submitted_has_time",
            ),
            length_at_most("note", limits.ASSIGNMENT_NOTE, name="assignment_note_length", label="The note"),
            length_at_most(
                "flag_note", limits.FLAG_NOTE, name="assignment_flag_note_length", label="The flag note"
            ),
        ]
        indexes = [
            models.Index(fields=["annotator", "status"], name="assignment_queue_idx"),
            models.Index(fields=["project", "passage", "annotator"], name="assignment_project_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.annotator} on {self.passage}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.project_id is None and self.passage_id is not None:
            self.project_id = Passage.objects.values_list("document__project_id", flat=True).get(
                pk=self.passage_id
            )
        super().save(*args, **kwargs)


class Attribution(models.TextChoices):
    DIRECT = "direct", "Direct quote"
    INDIRECT = "indirect", "Indirect"
    AUTHORIAL = "authorial"


class ClaimContent(models.Model):
    """What a claim says and who says it; shared by annotators' claims and adjudicated gold claims.

    `text` must equal the passage slice [start, end): the database checks the length here, and on
    PostgreSQL a trigger checks the slice itself (see the labeling migrations).
    """

    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    speaker = models.ForeignKey(Speaker, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mention_start = models.PositiveIntegerField(null=True, blank=True)
    mention_end = models.PositiveIntegerField(null=True, blank=True)
    attribution = models.CharField(max_length=12, choices=Attribution.choices)
    perspective = models.CharField(max_length=40)
    stance = models.CharField(max_length=20)
    target = models.CharField(max_length=limits.CLAIM_TARGET)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, validators=max_length(limits.CLAIM_NOTE))

    class Meta:
        abstract = True
        constraints = [
            CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=F("end")), name="%(class)s_start_before_end"
            ),
            CheckConstraint(
                condition=Q(end=F("start") + Length("text")), name="%(class)s_text_fills_its_range"
            ),
            CheckConstraint(
                condition=(Q(mention_start__isnull=True) & Q(mention_end__isnull=True))
                | Q(
                    mention_start__isnull=False,
                    mention_end__isnull=False,
                    mention_start__gte=0,
                    mention_start__lt=F("mention_end"),
                ),
                name="%(class)s_mention_span_valid",
            ),
            CheckConstraint(
                condition=~Q(attribution=Attribution.AUTHORIAL) | Q(speaker__isnull=True),
                name="%(class)s_authorial_has_no_speaker",
            ),
            CheckConstraint(
                condition=Q(attribution__in=Attribution.values), name="%(class)s_attribution_known"
            ),
            CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=1, confidence__lte=5),
                name="%(class)s_confidence_1_to_5",
            ),
            CheckConstraint(condition=~Q(perspective="") & ~Q(stance=""), name="%(class)s_labels_not_empty"),
            length_at_most("note", limits.CLAIM_NOTE, name="%(class)s_note_length", label="The note"),
        ]


# Its writable fields (annotator.labeling.fields), importable from here as before.
__all__ = [
    "CLAIM_CONTENT_FIELDS",
    "Assignment",
    "AssignmentStatus",
    "Attribution",
    "Claim",
    "ClaimContent",
    "ClaimOrigin",
]


class ClaimOrigin(models.TextChoices):
    MANUAL = "manual"
    SUGGESTION = "suggestion", "Accepted suggestion"


class Claim(ClaimContent):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="claims")
    # The assignment's project, kept on the claim so that a project's claims are one index range
    # (project, id): paging them never walks the ids of other projects' claims. Filled on save.
    project = models.ForeignKey("corpus.Project", on_delete=models.CASCADE, related_name="+", db_index=False)
    # Provenance: a claim made from a detector suggestion stays marked as such even when edited afterwards
    # or when the suggestion itself is later recomputed away (then `suggestion` is null).
    origin = models.CharField(
        max_length=12, choices=ClaimOrigin.choices, default=ClaimOrigin.MANUAL, db_default=ClaimOrigin.MANUAL
    )
    suggestion = models.ForeignKey(
        "suggestions.Suggestion", null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(ClaimContent.Meta):
        ordering = ["assignment_id", "start", "end", "id"]
        constraints = [
            *ClaimContent.Meta.constraints,
            CheckConstraint(condition=Q(version__gte=1), name="claim_version_positive"),
            CheckConstraint(condition=Q(origin__in=ClaimOrigin.values), name="claim_origin_known"),
        ]
        indexes = [models.Index(fields=["project", "id"], name="claim_project_idx")]

    def __str__(self) -> str:
        return f"[{self.start}:{self.end}] {self.text[:60]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.project_id is None and self.assignment_id is not None:
            self.project_id = Assignment.objects.values_list("project_id", flat=True).get(
                pk=self.assignment_id
            )
        super().save(*args, **kwargs)
