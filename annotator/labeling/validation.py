"""The rules a claim must meet in its passage and project, shared by annotators' and gold claims.

Pure: takes the passage text, the project schema and plain field values; returns field errors.
"""

from typing import Any

from annotator import limits
from annotator.corpus.schema import values


def claim_problems(*, passage_text: str, schema: dict[str, Any], fields: dict[str, Any]) -> dict[str, str]:
    """Field → message for every rule the claim breaks (empty when it is valid).

    `fields` holds start, end, text (optional: None means "take the slice"), attribution, perspective,
    stance, target, confidence, mention_start, mention_end, has_speaker and (optional) note.
    """
    problems: dict[str, str] = {}
    start, end, length = fields.get("start"), fields.get("end"), len(passage_text)
    if not isinstance(start, int) or not isinstance(end, int):
        problems["start"] = "start and end must be whole numbers."
    elif start < 0 or end > length:
        problems["end" if end > length else "start"] = (
            f"The span [{start}, {end}) is outside the passage (0–{length} characters)."
        )
    elif start >= end:
        problems["end"] = f"end ({end}) must be greater than start ({start})."
    elif fields.get("text") is not None and fields["text"] != passage_text[start:end]:
        problems["text"] = (
            f"The text does not match the passage at [{start}, {end}): {passage_text[start:end]!r}."
        )
    for name, choices in (
        ("attribution", "attributions"),
        ("perspective", "perspectives"),
        ("stance", "stances"),
    ):
        value = fields.get(name)
        if value not in values(schema, choices):
            problems[name] = f"Unknown {name} {value!r}; choose one of {sorted(values(schema, choices))}."
    if fields.get("attribution") == "authorial" and fields.get("has_speaker"):
        problems["speaker"] = "An authorial claim is the writer's own voice: it has no speaker."
    target = fields.get("target")
    if not isinstance(target, str) or not target.strip():
        problems["target"] = "Name the stance target."
    elif len(target) > limits.CLAIM_TARGET:
        problems["target"] = limits.too_long("The target", limits.CLAIM_TARGET)
    note = fields.get("note")
    if isinstance(note, str) and len(note) > limits.CLAIM_NOTE:
        problems["note"] = limits.too_long("The note", limits.CLAIM_NOTE)
    confidence = fields.get("confidence")
    if confidence is not None and (not isinstance(confidence, int) or not 1 <= confidence <= 5):
        problems["confidence"] = "confidence is a whole number from 1 to 5."
    mention_start, mention_end = fields.get("mention_start"), fields.get("mention_end")
    if (mention_start is None) != (mention_end is None):
        problems["mention_start"] = "Give both ends of the speaker mention, or neither."
    elif mention_start is not None and not (0 <= mention_start < mention_end <= length):
        problems["mention_start"] = (
            f"The speaker mention [{mention_start}, {mention_end}) is not inside the passage."
        )
    return problems
