"""Projects, the people in them, and the texts they annotate."""

from django.conf import settings
from django.db import models
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from django.db.models.functions import Length, Lower

from annotator.corpus.schema import load_default_schema


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    guidelines = models.TextField(blank=True, help_text="Markdown shown to annotators.")
    schema = models.JSONField(default=load_default_schema)
    overlap = models.PositiveSmallIntegerField(default=3, help_text="Annotators per passage.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            CheckConstraint(condition=Q(overlap__gte=1) & Q(overlap__lte=50), name="project_overlap_1_to_50"),
            CheckConstraint(condition=~Q(slug=""), name="project_slug_not_empty"),
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

    class Meta:
        constraints = [
            UniqueConstraint(fields=["project", "user"], name="membership_one_per_user_and_project"),
            CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} in {self.project}"


class Document(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=500)
    source = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    published = models.DateField(null=True, blank=True)
    text = models.TextField()
    meta = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

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

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="passages")
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

    class Meta:
        ordering = ["name"]
        constraints = [
            UniqueConstraint(Lower("name"), "project", name="speaker_name_unique_per_project"),
            CheckConstraint(condition=~Q(name=""), name="speaker_name_not_empty"),
            CheckConstraint(condition=Q(kind__in=SpeakerKind.values), name="speaker_kind_known"),
        ]

    def __str__(self) -> str:
        return self.name
