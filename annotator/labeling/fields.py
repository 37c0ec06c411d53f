"""A claim's field lists, spelled out once for the model's services, the history and the API. Pure."""

# The writable fields of ClaimContent, under their model attribute names (the speaker by id).
CLAIM_CONTENT_FIELDS = (
    "start",
    "end",
    "text",
    "speaker_id",
    "mention_start",
    "mention_end",
    "attribution",
    "perspective",
    "stance",
    "target",
    "confidence",
    "note",
)

# The same fields under the names the history and the API give them ("speaker" for the speaker).
CLAIM_FIELDS = tuple("speaker" if name == "speaker_id" else name for name in CLAIM_CONTENT_FIELDS)

# A claim as the API shows it: who and where, its content, provenance, version and times.
CLAIM_API_FIELDS = (
    "id",
    "assignment",
    "annotator",
    *CLAIM_FIELDS,
    "origin",
    "suggestion",
    "version",
    "created_at",
    "updated_at",
    "span_adjusted",
)
