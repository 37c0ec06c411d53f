"""Who changed what, when: one row per change to a claim, gold claim, adjudication, speaker or schema."""

from django.conf import settings
from django.db import models
from django.db.models import CheckConstraint, Q, UniqueConstraint
from django.utils import timezone


class Entity(models.TextChoices):
    CLAIM = "claim"
    GOLD_CLAIM = "gold_claim", "Gold claim"
    ADJUDICATION = "adjudication"
    SPEAKER = "speaker"
    SCHEMA = "schema"


class Action(models.TextChoices):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore", "Restore of an earlier version"
    IMPORT = "import", "Imported"
    APPROVE = "approve"
    SPEAKER_MERGE = "speaker_merge", "Speaker merge"
    SPEAKER_MERGE_UNDO = "speaker_merge_undo", "Speaker merge undone"
    SCHEMA_MOVE = "schema_move", "Schema value renamed or merged"


# Entities whose rows carry a version that every change raises by one: a version is recorded once.
VERSIONED = (Entity.CLAIM, Entity.ADJUDICATION, Entity.SCHEMA)


class Change(models.Model):
    """One change: `before` and `after` hold the fields it changed (all of them on create and delete);
    `version` is the entity's version after the change (the deleted one on delete; null for speakers,
    which have none). Written by the write services in the transaction of the change itself."""

    project = models.ForeignKey("corpus.Project", on_delete=models.CASCADE, related_name="+", db_index=False)
    entity = models.CharField(max_length=20, choices=Entity.choices)
    entity_id = models.PositiveBigIntegerField()
    version = models.PositiveIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # What the change came from, when that is not the fields themselves: {"restored_from": 3},
    # {"merge": 12}, the schema's change lines.
    detail = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            CheckConstraint(condition=Q(entity__in=Entity.values), name="change_entity_known"),
            CheckConstraint(condition=Q(action__in=Action.values), name="change_action_known"),
            UniqueConstraint(
                fields=["entity", "entity_id", "version"],
                condition=Q(entity__in=VERSIONED) & ~Q(action=Action.DELETE),
                name="change_version_recorded_once",
            ),
        ]
        indexes = [
            # The history of one entity, in version order.
            models.Index(fields=["entity", "entity_id", "id"], name="change_of_entity"),
            # A project's recent changes, newest first, paged by id.
            models.Index(fields=["project", "-id"], name="change_project_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.entity} {self.entity_id} v{self.version}"
