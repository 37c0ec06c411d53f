"""Agreement runs: one row per computation, claimed and updated by the worker that runs it."""

from django.conf import settings
from django.db import models
from django.db.models import CheckConstraint, Q, UniqueConstraint

from annotator.corpus.models import Project


class RunStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class AgreementRun(models.Model):
    """A request for a project's agreement figures and, once a worker has computed them, the figures.

    `attempts` counts claims by workers and doubles as the claim token: a worker writes progress and
    results only while the row still carries the attempt number it claimed (see services).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="agreement_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=60, blank=True, help_text="What the worker is doing now.")
    parameters = models.JSONField(default=dict, blank=True)
    input_digest = models.CharField(max_length=64, blank=True)
    schema_version = models.PositiveIntegerField(null=True, blank=True, help_text="Label schema in force.")
    results = models.JSONField(null=True, blank=True)
    reused_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The earlier run whose results were reused because the input had not changed.",
    )
    timings = models.JSONField(
        default=dict, blank=True, help_text="Seconds: waited (queued until claimed), load, compute, total."
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="When a task message was last sent.")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            CheckConstraint(condition=Q(progress__lte=100), name="agreementrun_progress_0_to_100"),
            CheckConstraint(condition=Q(status__in=RunStatus.values), name="agreementrun_status_known"),
            # Coalescing: at most one waiting run per project.
            UniqueConstraint(
                fields=["project"], condition=Q(status="queued"), name="agreementrun_one_queued"
            ),
            CheckConstraint(
                condition=~Q(status=RunStatus.SUCCEEDED) | Q(results__isnull=False),
                name="agreementrun_succeeded_has_results",
            ),
        ]
        indexes = [models.Index(fields=["project", "status", "-finished_at"], name="agreementrun_latest_idx")]

    def __str__(self) -> str:
        return f"agreement run {self.pk} ({self.status})"
