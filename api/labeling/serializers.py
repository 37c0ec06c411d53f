"""The labeling API's serializers: what assignments, claims and speakers look like, and what writes take."""

import copy
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotator import limits
from annotator.corpus.models import Speaker, SpeakerKind
from annotator.labeling.fields import CLAIM_API_FIELDS
from annotator.labeling.models import Assignment, Claim
from annotator.labeling.selectors import Workspace

# --- serializers: output ---------------------------------------------------------------------------


class SpeakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["id", "project", "name", "kind", "affiliation", "aliases", "approved"]


class SpeakerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["id", "name", "kind", "affiliation"]


class SpanAdjustedSerializer(serializers.Serializer):
    start = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2)
    end = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2)


class ClaimSerializer(serializers.ModelSerializer):
    speaker = SpeakerBriefSerializer(read_only=True, allow_null=True, help_text="null: no speaker.")
    annotator = serializers.CharField(source="assignment.annotator.username", read_only=True)
    span_adjusted = serializers.SerializerMethodField(
        help_text="How the project's span rule moved the edges sent in this write: "
        '{"start": [sent, saved], "end": [sent, saved]}; null when it moved nothing (and on reads).'
    )

    @extend_schema_field(SpanAdjustedSerializer(allow_null=True))
    def get_span_adjusted(self, claim: Claim) -> dict[str, list[int]] | None:
        return getattr(claim, "span_adjusted", None)

    class Meta:
        model = Claim
        fields = list(CLAIM_API_FIELDS)
        read_only_fields = ["origin", "suggestion"]
        extra_kwargs = {
            "origin": {"help_text": "manual, or suggestion: made from a detector suggestion (kept on edit)."},
            "suggestion": {"help_text": "The suggestion it was made from, while that suggestion exists."},
        }


_DATETIME = serializers.DateTimeField()


def claim_data(claim: Claim, *, annotator: str) -> dict[str, Any]:
    """`ClaimSerializer(claim).data` without building a serializer (the save path's answer, every
    autosave): the same keys, order and value forms; `annotator` is the assignment's annotator's name,
    and a speaker, if any, comes loaded with the claim."""
    speaker = claim.speaker if claim.speaker_id is not None else None
    computed = {
        "id": claim.pk,
        "assignment": claim.assignment_id,
        "annotator": annotator,
        "speaker": None
        if speaker is None
        else {
            "id": speaker.pk,
            "name": speaker.name,
            "kind": speaker.kind,
            "affiliation": speaker.affiliation,
        },
        "suggestion": claim.suggestion_id,
        "created_at": _DATETIME.to_representation(claim.created_at),
        "updated_at": _DATETIME.to_representation(claim.updated_at),
        "span_adjusted": getattr(claim, "span_adjusted", None),
    }
    return {name: computed[name] if name in computed else getattr(claim, name) for name in CLAIM_API_FIELDS}


class AssignmentSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="passage.document.project_id", read_only=True)
    document = serializers.IntegerField(source="passage.document_id", read_only=True)
    document_title = serializers.CharField(source="passage.document.title", read_only=True)
    position = serializers.IntegerField(source="passage.position", read_only=True)
    passage_number = serializers.SerializerMethodField(help_text="1-based number within its document.")
    annotator = serializers.CharField(source="annotator.username", read_only=True)

    def get_passage_number(self, assignment: Assignment) -> int:
        return assignment.passage.position + 1

    class Meta:
        model = Assignment
        fields = [
            "id",
            "project",
            "document",
            "document_title",
            "passage",
            "position",
            "passage_number",
            "annotator",
            "status",
            "version",
            "submitted_at",
            "updated_at",
            "flag_reason",
            "flag_note",
            "flagged_at",
            "active_seconds",
        ]


class AssignmentListItemSerializer(AssignmentSerializer):
    """An assignment in the navigator's list: the assignment plus how many claims it has."""

    claim_count = serializers.IntegerField(read_only=True)

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "claim_count"]


class ActiveTimeSerializer(serializers.Serializer):
    seconds = serializers.IntegerField(min_value=0)


class ProgressSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()
    submitted = serializers.IntegerField()
    skipped = serializers.IntegerField()
    open = serializers.IntegerField()
    percent = serializers.IntegerField()


class MovedSerializer(serializers.Serializer):
    """The answer to submit and skip: the assignment as saved, the next open one and the progress."""

    assignment = AssignmentSerializer()
    next = serializers.IntegerField(allow_null=True, help_text="The next open assignment; null: none left.")
    progress = ProgressSerializer()


class WorkspaceSerializer(serializers.Serializer):
    """One assignment as the span editor needs it: passage and neighbours, claims, navigation, progress."""

    assignment = serializers.SerializerMethodField()
    passage = serializers.SerializerMethodField()
    context = serializers.SerializerMethodField()
    claims = ClaimSerializer(many=True)
    navigation = serializers.SerializerMethodField()
    progress = ProgressSerializer()
    editable = serializers.BooleanField()

    def get_assignment(self, workspace: Workspace) -> dict[str, Any]:
        return AssignmentSerializer(workspace.assignment).data

    def get_passage(self, workspace: Workspace) -> dict[str, Any]:
        passage = workspace.assignment.passage
        document = passage.document
        return {
            "id": passage.pk,
            "position": passage.position,
            "text": passage.text,
            "document": {
                "id": document.pk,
                "title": document.title,
                "source": document.source,
                "url": document.url,
                "published": document.published.isoformat() if document.published else None,
            },
        }

    def get_context(self, workspace: Workspace) -> dict[str, str | None]:
        return {
            "before": workspace.before.text if workspace.before else None,
            "after": workspace.after.text if workspace.after else None,
        }

    def get_navigation(self, workspace: Workspace) -> dict[str, int | None]:
        return {"previous": workspace.previous_id, "next": workspace.next_id}


# --- serializers: input ----------------------------------------------------------------------------
# Only types are checked here; every rule about spans and labels lives in the service (one place), whose
# ValidationError api/errors.py turns into the same {"field": ["message"]} body.


class ClaimChangeSerializer(serializers.Serializer):
    start = serializers.IntegerField(required=False)
    end = serializers.IntegerField(required=False)
    text = serializers.CharField(required=False, trim_whitespace=False)
    speaker = serializers.IntegerField(required=False, allow_null=True)
    mention_start = serializers.IntegerField(required=False, allow_null=True)
    mention_end = serializers.IntegerField(required=False, allow_null=True)
    attribution = serializers.CharField(required=False)
    perspective = serializers.CharField(required=False)
    stance = serializers.CharField(required=False)
    target = serializers.CharField(required=False, max_length=limits.CLAIM_TARGET)
    confidence = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=limits.CLAIM_NOTE
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # Every autosave builds one: shallow copies of the declared fields are enough (DRF deep-copies
        # them, which costs more than the validation itself); binding sets state on the copy only, and a
        # field's validators and messages are never changed after it is declared.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def service_fields(self) -> dict[str, Any]:
        """The validated fields under the names the services take (speaker → speaker_id)."""
        fields = dict(self.validated_data)
        fields.pop("version", None)
        fields.pop("assignment", None)
        if "speaker" in fields:
            fields["speaker_id"] = fields.pop("speaker")
        if "suggestion" in fields:
            fields["suggestion_id"] = fields.pop("suggestion")
        return fields


class ClaimCreateSerializer(ClaimChangeSerializer):
    assignment = serializers.IntegerField()
    suggestion = serializers.IntegerField(
        required=False, allow_null=True, help_text="Accept this suggestion of the passage (origin suggestion)"
    )
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    attribution = serializers.CharField()
    perspective = serializers.CharField()
    stance = serializers.CharField()


class ClaimUpdateSerializer(ClaimChangeSerializer):
    version = serializers.IntegerField(help_text="The version this change is based on; stale → 409.")


class ClaimRestoreSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The earlier version to bring back.")
    current_version = serializers.IntegerField(
        min_value=1, help_text="The claim's version this restore is based on; stale → 409."
    )


class FlagSerializer(serializers.Serializer):
    """A flag to set (`reason`: a value of the project's flag_reasons) or to clear (`reason` null or "").
    Which reasons exist and how long a note may be is the service's rule (assignment_flag)."""

    reason = serializers.CharField(allow_null=True, allow_blank=True)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, max_length=limits.FLAG_NOTE
    )


class SkipSerializer(FlagSerializer):
    reason = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)


class SpeakerCreateSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    name = serializers.CharField(max_length=limits.SPEAKER_NAME)
    kind = serializers.ChoiceField(choices=SpeakerKind.choices, default=SpeakerKind.PERSON)
    affiliation = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=limits.SPEAKER_NAME),
        required=False,
        default=list,
        max_length=limits.SPEAKER_ALIASES,
    )
