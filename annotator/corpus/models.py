"""Projects, the people in them, and the texts they annotate."""

from django.conf import settings
from django.db import models
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from django.db.models.functions import Length, Lower

from annotator import limits
from annotator.corpus.schema import load_default_schema
from annotator.db_limits import length_at_most, max_length


class Project(models.Model):
    name = models.CharField(max_length=limits.PROJECT_NAME)
    slug = models.SlugField(max_length=80, unique=True)
    guidelines = models.TextField(
        blank=True, help_text="Markdown shown to annotators.", validators=max_length(limits.GUIDELINES)
    )
    schema = models.JSONField(default=load_default_schema)
    overlap = models.PositiveSmallIntegerField(default=3, help_text="Annotators per passage.")
    blind = models.BooleanField(
        default=True, help_text="Annotators see only their own work (and their own speakers)."
    )
    suggestions = models.BooleanField(
        default=True,
        db_default=True,
        help_text="Show the detector's suggested quotes and speakers in the editor (off: nobody is primed).",
    )
    guidelines_updated_at = models.DateTimeField(null=True, blank=True)
    schema_version = models.PositiveIntegerField(default=1, help_text="The SchemaVersion in force.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            CheckConstraint(condition=Q(overlap__gte=1) & Q(overlap__lte=50), name="project_overlap_1_to_50"),
            CheckConstraint(condition=~Q(slug=""), name="project_slug_not_empty"),
            length_at_most(
                "guidelines", limits.GUIDELINES, name="project_guidelines_length", label="The guidelines"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"
    RESEARCHER = "researcher"
    MANAGER = "manager"


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    # When the member last read the guidelines: they open by themselves when changed since then.
    guidelines_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            UniqueConstraint(fields=["project", "user"], name="membership_one_per_user_and_project"),
            CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} in {self.project}"


class Document(models.Model):
    # No index of its own: (project, sha256) below starts with it and serves every lookup by project.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents", db_index=False)
    title = models.CharField(max_length=500)
    source = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    published = models.DateField(null=True, blank=True)
    text = models.TextField()
    meta = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # BCP 47 tag ("en", "zh"), given by the imported file or guessed from the text; blank when unknown.
    # Chinese and Japanese documents are segmented by the Chinese rules (annotator.corpus.segment_zh). The
    # database default keeps inserts that leave the column out (COPY of other importers) valid.
    language = models.CharField(max_length=35, blank=True, default="", db_default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            UniqueConstraint(fields=["project", "sha256"], name="document_content_unique_per_project"),
            CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_sha256_hex"),
            CheckConstraint(condition=~Q(text=""), name="document_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class Passage(models.Model):
    """A slice of a document that annotators label; `text == document.text[start:end]` always."""

    # No index of its own: (document, position) below starts with it and serves every lookup by document.
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="passages", db_index=False)
    position = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["document_id", "position"]
        constraints = [
            UniqueConstraint(fields=["document", "position"], name="passage_position_unique_per_document"),
            CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=F("end")), name="passage_start_before_end"
            ),
            CheckConstraint(
                condition=Q(end=F("start") + Length("text")), name="passage_text_fills_its_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.position}"


class SpeakerKind(models.TextChoices):
    PERSON = "person"
    ORGANISATION = "organisation"
    GOVERNMENT = "government"
    STATE_MEDIA = "state_media", "State media"
    UNNAMED_GROUP = "unnamed_group", "Unnamed group"


class Speaker(models.Model):
    """A normalised source of claims; affiliation lives here once, not on each claim."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=SpeakerKind.choices, default=SpeakerKind.PERSON)
    affiliation = models.CharField(max_length=40, blank=True)
    aliases = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # False for a speaker an annotator created in a blind project: only its creator (and reviewers) see it
    # until a reviewer approves it or merges it, so one annotator's choices never reach another.
    approved = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Approved names are unique per project; a private name only per creator, so two annotators
            # can each create "Blinken" without either learning that the other did.
            UniqueConstraint(
                Lower("name"), "project", condition=Q(approved=True), name="speaker_name_unique_per_project"
            ),
            UniqueConstraint(
                Lower("name"),
                "project",
                "created_by",
                condition=Q(approved=False),
                name="speaker_private_name_unique_per_creator",
            ),
            CheckConstraint(condition=~Q(name=""), name="speaker_name_not_empty"),
            CheckConstraint(condition=Q(kind__in=SpeakerKind.values), name="speaker_kind_known"),
        ]

    def __str__(self) -> str:
        return self.name


class SpeakerMerge(models.Model):
    """One duplicate folded into a canonical speaker, recorded as it was so the merge can be undone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="speaker_merges")
    # Null once the canonical speaker is itself merged away: undo that merge first.
    canonical = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges_into"
    )
    duplicate_id = models.PositiveBigIntegerField(help_text="The merged speaker's id, restored on undo.")
    duplicate_name = models.CharField(max_length=300)
    duplicate_kind = models.CharField(max_length=20, choices=SpeakerKind.choices)
    duplicate_affiliation = models.CharField(max_length=40, blank=True)
    duplicate_aliases = models.JSONField(default=list, blank=True)
    duplicate_created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_created_at = models.DateTimeField()
    duplicate_approved = models.BooleanField()
    aliases_added = models.JSONField(default=list, blank=True, help_text="Aliases the canonical gained.")
    affiliation_taken = models.BooleanField(default=False, help_text="The canonical took the duplicate's.")
    canonical_was_approved = models.BooleanField(default=True)
    claim_ids = models.JSONField(default=list, blank=True)
    gold_claim_ids = models.JSONField(default=list, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        indexes = [models.Index(fields=["project", "-merged_at"], name="speaker_merge_recent")]

    def __str__(self) -> str:
        return f"{self.duplicate_name} → {self.canonical}"


class SchemaVersion(models.Model):
    """One version of a project's label schema: who changed it, when, and what changed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="schema_versions")
    version = models.PositiveIntegerField()
    schema = models.JSONField()
    changes = models.JSONField(default=list, blank=True, help_text="What changed, one line each.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "-version"]
        constraints = [
            UniqueConstraint(fields=["project", "version"], name="schema_version_unique_per_project"),
            CheckConstraint(condition=Q(version__gte=1), name="schema_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project} schema v{self.version}"


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ArticleImportJob(models.Model):
    """A large article upload, imported by a worker from the files kept under MEDIA_ROOT."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="article_imports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    files = models.JSONField(default=list, help_text="[{name, path}] of the uploaded files.")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="When a task message was last sent.")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            CheckConstraint(condition=Q(progress__lte=100), name="articleimportjob_progress_0_to_100"),
            CheckConstraint(condition=Q(status__in=JobStatus.values), name="articleimportjob_status_known"),
        ]

    def __str__(self) -> str:
        return f"article import {self.pk} ({self.status})"
