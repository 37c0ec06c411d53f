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
    gamma_digest = models.CharField(
        max_length=64,
        blank=True,
        help_text="The input of its γ (gamma_runs), for a later run to keep it.",
    )
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


class DocumentRevision(models.Model):
    """How many times a document's agreement input has changed, counted by the database itself.

    Triggers on passages, submitted assignments and their claims, adjudications and gold claims
    (migration 0004, PostgreSQL) add one in the transaction of every write that changes what the
    agreement figures read of the document, whichever code path makes it: save, submit, reopen, import,
    speaker merge, label rename, adjudication. No foreign key: a row may outlive its document.
    """

    document_id = models.BigIntegerField(primary_key=True)
    revision = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"document {self.document_id} at revision {self.revision}"


class DocumentStatisticsRecord(models.Model):
    """A document's agreement statistics (`sufficient.to_bytes`) as of one revision of its input.

    `revision` is the document's DocumentRevision when its input was read (0: never changed since
    tracking began); `counts` the amounts of input the results report (claims, passages, ...).
    `statistics` is empty for a document without statistics of its own (no passages).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document_id = models.BigIntegerField(unique=True)
    revision = models.BigIntegerField()
    statistics_format = models.PositiveIntegerField()
    statistics = models.BinaryField(null=True)
    counts = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    computed_by = models.CharField(max_length=200, blank=True, help_text="The worker that computed it.")

    class Meta:
        indexes = [models.Index(fields=["project", "document_id"], name="agreement_stats_project_idx")]

    def __str__(self) -> str:
        return f"statistics of document {self.document_id} at revision {self.revision}"


class AgreementChunk(models.Model):
    """A share of a run's changed documents, computed by whichever worker claims it first.

    Chunks belong to one attempt of their run; `claims` counts claims by workers and is the claim token,
    as `AgreementRun.attempts` is for runs.
    """

    run = models.ForeignKey(AgreementRun, on_delete=models.CASCADE, related_name="chunks")
    attempt = models.PositiveSmallIntegerField()
    index = models.PositiveIntegerField()
    document_ids = models.JSONField()
    claims = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True, help_text="The worker that claimed it last.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "attempt", "index"]
        constraints = [
            UniqueConstraint(fields=["run", "attempt", "index"], name="agreementchunk_unique_index"),
        ]

    def __str__(self) -> str:
        return f"chunk {self.index} of agreement run {self.run_id} (attempt {self.attempt})"
