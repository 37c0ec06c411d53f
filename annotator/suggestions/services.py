"""Writes for suggestions: detect them in a document, queue detection after an import, dismiss one.

Detection is idempotent: a run computes the document's suggestions afresh and changes only what differs,
keeping the rows whose (passage, start, end, attribution) is unchanged, so dismissals and the claims made
from them survive re-runs. `DETECTOR_VERSION` is recorded on every row; raising it when the detector
changes makes the next run rewrite the rows it keeps.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from annotator.bulk import insert_rows
from annotator.corpus.models import Document, Passage
from annotator.labeling.models import Assignment
from annotator.suggestions.detect import detect
from annotator.suggestions.models import Suggestion, SuggestionDismissal
from annotator.suggestions.placing import PassageSpan, Placed, place
from annotator.suggestions.selectors import speakers_for_detection

log = logging.getLogger(__name__)

DETECTOR_VERSION = "2"
# Documents per task message. Sending a message costs a broker round trip (~2.5 ms), so 50k imported
# documents at 50 a message spent 2.6 s of the import's commit queueing; at 5,000 an import of up to
# 5,000 documents is one message, and a larger one is still shared between workers. The task walks
# its documents in small batches (see suggestions_detect_documents), so a big message holds no more.
SCHEDULE_CHUNK = 5000
DETECT_BATCH = 20  # documents (with their texts) loaded at once by a detection task
COLUMNS = (
    "passage_id", "start", "end", "text", "attribution", "speaker_name", "speaker_id",
    "mention_start", "mention_end", "detector_version", "created_at",
)  # fmt: skip
# What a re-run may change on a row it keeps.
MUTABLE = ("speaker_name", "speaker_id", "mention_start", "mention_end", "detector_version")


@dataclass(frozen=True)
class DetectionOutcome:
    added: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0

    def __add__(self, other: "DetectionOutcome") -> "DetectionOutcome":
        return DetectionOutcome(
            self.added + other.added,
            self.updated + other.updated,
            self.removed + other.removed,
            self.kept + other.kept,
        )


def suggestions_detect(*, document: Document) -> DetectionOutcome:
    """Run the detector on the whole document and make its suggestion rows match, in one transaction.

    The project's approved speakers (names and aliases) link suggestions to speakers; offsets move from the
    document to the passage holding the suggestion (see placing). Running it twice changes nothing.
    """
    known = speakers_for_detection(project_id=document.project_id)
    found = detect(document.text, known_speakers=known.names)
    with transaction.atomic():
        # One run per document at a time: a second one waits here and then finds nothing to change.
        Document.objects.select_for_update().filter(pk=document.pk).values_list("pk").first()
        passages = {
            pk: (start, end, text)
            for pk, start, end, text in Passage.objects.filter(document=document).values_list(
                "id", "start", "end", "text"
            )
        }
        wanted = {
            item.key: item
            for item in place(
                found, [PassageSpan(pk, s, e) for pk, (s, e, _) in passages.items()], document.text
            )
        }
        existing = {
            (row.passage_id, row.start, row.end, row.attribution): row
            for row in Suggestion.objects.filter(passage_id__in=list(passages))
        }
        gone = [row.pk for key, row in existing.items() if key not in wanted]
        changed = []
        for key, row in existing.items():
            if key in wanted and _refresh(row, wanted[key], known.ids):
                changed.append(row)
        now = timezone.now()
        new_rows = [
            _row(item, passages[item.passage_id][2], known.ids, now)
            for key, item in wanted.items()
            if key not in existing
        ]
        if gone:
            Suggestion.objects.filter(pk__in=gone).delete()
        if changed:
            Suggestion.objects.bulk_update(changed, MUTABLE)
        insert_rows(Suggestion, COLUMNS, new_rows)
    return DetectionOutcome(
        added=len(new_rows), updated=len(changed), removed=len(gone), kept=len(existing) - len(gone)
    )


def _row(item: Placed, passage_text: str, speaker_ids: dict[str, int], now: object) -> tuple:
    return (
        item.passage_id,
        item.start,
        item.end,
        passage_text[item.start : item.end],
        item.attribution,
        item.speaker_name,
        speaker_ids.get(item.speaker_key) if item.speaker_key else None,
        item.mention_start,
        item.mention_end,
        DETECTOR_VERSION,
        now,
    )


def _refresh(row: Suggestion, item: Placed, speaker_ids: dict[str, int]) -> bool:
    """Put the new run's speaker, mention and version on a kept row; True if anything changed."""
    values = {
        "speaker_name": item.speaker_name,
        "speaker_id": speaker_ids.get(item.speaker_key) if item.speaker_key else None,
        "mention_start": item.mention_start,
        "mention_end": item.mention_end,
        "detector_version": DETECTOR_VERSION,
    }
    if all(getattr(row, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(row, name, value)
    return True


def suggestions_detect_documents(*, document_ids: Iterable[int]) -> DetectionOutcome:
    """`suggestions_detect` on each of these documents (missing ids are skipped), one transaction each.

    The documents are loaded DETECT_BATCH at a time, so thousands of ids never hold thousands of texts.
    """
    ids = sorted({int(pk) for pk in document_ids})
    total = DetectionOutcome()
    for at in range(0, len(ids), DETECT_BATCH):
        for document in Document.objects.filter(pk__in=ids[at : at + DETECT_BATCH]).order_by("pk"):
            total += suggestions_detect(document=document)
    return total


def suggestions_schedule(*, document_ids: Sequence[int]) -> None:
    """Once the current transaction commits, queue detection for these new documents.

    Never raises into the caller: an import has succeeded whether or not its suggestions could be queued.
    A broker outage is logged (`manage.py suggest` computes them later); without a broker the task runs
    here, and a failure in it is logged too.
    """
    ids = [int(pk) for pk in document_ids]
    if ids:
        transaction.on_commit(lambda: _send(ids))


def _send(document_ids: list[int]) -> None:
    from annotator.suggestions.tasks import suggestions_detect_documents as task  # tasks import this module

    for at in range(0, len(document_ids), SCHEDULE_CHUNK):
        chunk = document_ids[at : at + SCHEDULE_CHUNK]
        try:
            task.apply_async(kwargs={"document_ids": chunk}, retry=False)
        except (BrokerError, ConnectionError, OSError):
            log.exception(
                "could not queue suggestions for %d documents (broker unreachable); "
                "run `manage.py suggest` once it is back",
                len(document_ids) - at,
            )
            return  # the broker is down: every further send would wait for the same timeout
        except Exception:  # without a broker the task ran here and failed; the import stands
            log.exception("computing suggestions for documents %s failed", chunk)


def suggestion_dismiss(*, suggestion_id: int, assignment: Assignment) -> SuggestionDismissal:
    """Hide the suggestion from this assignment's annotator (others still see it); dismissing twice is
    the same as once. The caller has checked that the suggestion is in the assignment's passage."""
    dismissal, _ = SuggestionDismissal.objects.get_or_create(
        suggestion_id=suggestion_id, assignment=assignment
    )
    return dismissal
