"""The recorded fields of each kind of entity, read from a model instance (or anything with the same
attributes). Pure (no Django): the history keeps plain JSON values."""

from typing import Any

# A claim's and a gold claim's content; the speaker by id under "speaker" (the API's name for it).
from annotator.labeling.fields import CLAIM_FIELDS

__all__ = ["CLAIM_FIELDS", "claim_service_fields", "claim_snapshot", "speaker_snapshot"]
SPEAKER_FIELDS = ("name", "kind", "affiliation", "aliases", "approved")


def claim_snapshot(claim: Any) -> dict[str, Any]:
    return {name: getattr(claim, "speaker_id" if name == "speaker" else name) for name in CLAIM_FIELDS}


def claim_service_fields(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A claim snapshot under the names the claim services take (speaker → speaker_id)."""
    fields = {name: snapshot.get(name) for name in CLAIM_FIELDS}
    fields["speaker_id"] = fields.pop("speaker")
    return fields


def speaker_snapshot(speaker: Any) -> dict[str, Any]:
    return {name: getattr(speaker, name) for name in SPEAKER_FIELDS}
