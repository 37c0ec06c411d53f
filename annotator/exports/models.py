"""Export jobs: large exports run in a worker and leave a file to download."""

from django.conf import settings
from django.db import models
from django.db.models import CheckConstraint, Q, UniqueConstraint

from annotator.agreement.models import RunStatus
from annotator.corpus.models import Project


class ExportJob(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(max_length=20)
    parameters = models.JSONField(default=dict, blank=True)
    schema_version = models.PositiveIntegerField(null=True, blank=True, help_text="Label schema in force.")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="When a task message was last sent.")
    started_at = models.DateTimeField(null=True, blank=True)
    # Bumped while the job runs: a running job whose heartbeat stopped (its worker died) may be reclaimed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Digest of the format and the parameters: one user's identical requests share the job that is still
    # queued or running (see exports.services.export_job_request).
    request_key = models.CharField(max_length=64, blank=True, db_default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            CheckConstraint(condition=Q(progress__lte=100), name="exportjob_progress_0_to_100"),
            CheckConstraint(condition=Q(status__in=RunStatus.values), name="exportjob_status_known"),
            UniqueConstraint(
                fields=["project", "requested_by", "request_key"],
                condition=Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]) & ~Q(request_key=""),
                name="exportjob_one_pending_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.format} export {self.pk} ({self.status})"
