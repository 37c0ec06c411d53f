"""How long the free text people write may be, in characters: one table read by the models (database
checks), the API serializers, the services and the importers. See README "Limits".

Generous for research use — a note is a paragraph or two, guidelines a long manual — and small enough that
one field cannot bloat every list and export that carries it (a 9 MB note was once accepted).
"""

CLAIM_NOTE = 5_000  # a claim's or a gold claim's note
CLAIM_TARGET = 200  # the stance target
ASSIGNMENT_NOTE = 5_000  # an annotator's note on a passage (comments carried over from other tools)
FLAG_NOTE = 2_000  # why a passage was flagged or skipped
ADJUDICATION_NOTE = 10_000  # the reviewer's note on a gold version
PROJECT_NAME = 200
GUIDELINES = 100_000  # the project's guidelines, Markdown
SPEAKER_NAME = 300  # a speaker's name, and each alias
SPEAKER_ALIASES = 50  # aliases given when a speaker is made (a merge may add more)
USERNAME = 150  # Django's own limit on usernames


def too_long(label: str, limit: int) -> str:
    """The message for a text over its limit, the same wherever it is checked."""
    return f"{label} is longer than {limit:,} characters."
