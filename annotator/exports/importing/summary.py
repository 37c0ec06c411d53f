"""What an annotation import did, or would do on a dry run: per annotator, per record, and what was lost."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from annotator.exports.readers.foreign import RecordError
from annotator.exports.readers.plan import PlannedRecord

LOST_SHOWN = 500  # lines of "not imported" kept; the count is always whole


@dataclass
class AnnotatorReport:
    name: str  # as the file names them
    username: str = ""  # the member (or new account) they become
    account: str = ""  # "member", "new account" or "not matched"
    claims: int = 0
    claims_with_speaker: int = 0
    speaker_names: set[str] = field(default_factory=set)
    speakers_matched: int = 0  # distinct speaker names the project knows already (by name or alias)
    speakers_new: int = 0  # distinct speaker names that become new speakers
    looked_no_claim: int = 0  # passages submitted with no claim
    cancelled: int = 0  # passages skipped in the other tool
    comments: int = 0  # passages with a comment, kept as the annotator's note on the passage
    already_there: int = 0  # passages this annotator has done in the project already: left as they are

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "username": self.username,
            "account": self.account,
            "claims": self.claims,
            "claims_with_speaker": self.claims_with_speaker,
            "speakers_matched": self.speakers_matched,
            "speakers_new": self.speakers_new,
            "looked_no_claim": self.looked_no_claim,
            "cancelled": self.cancelled,
            "comments": self.comments,
            "already_there": self.already_there,
        }


@dataclass
class AnnotationImportSummary:
    """Counts are of records, passages and claims, never of error messages."""

    format: str = "auto"
    dry_run: bool = False
    written: bool = False
    records: int = 0  # records read
    records_with_errors: int = 0
    aligned_records: int = 0  # found in the project's documents
    new_texts: set[str] = field(default_factory=set)  # digests of the texts found nowhere in the project
    passages: int = 0  # passages that receive work
    assignments: int = 0
    claims: int = 0
    users_created: list[str] = field(default_factory=list)
    speakers_created: list[str] = field(default_factory=list)
    speakers_new: int = 0
    speaker_relations: int = 0  # relations that gave a claim its speaker
    ignored_relations: Counter[str] = field(default_factory=Counter)
    ignored_labels: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)  # what the import cannot carry (nothing is blocked)
    cannot_carry: Counter[str] = field(default_factory=Counter)  # what the file's format has no place for
    annotators: dict[str, AnnotatorReport] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)

    def annotator(self, name: str) -> AnnotatorReport:
        return self.annotators.setdefault(name, AnnotatorReport(name))

    def note_plan(self, plan: PlannedRecord) -> None:
        self.ignored_labels.update(plan.ignored_labels)
        self.ignored_relations.update(plan.ignored_relations)
        self.speaker_relations += plan.speaker_relations
        where = f"{plan.record.file_name}:{plan.record.index}"
        self.lost.extend(f"{where}: {notice}" for notice in plan.notices)
        self.cannot_carry.update(plan.record.meta.get("_lost") or ())

    @property
    def lost_all(self) -> list[str]:
        """What will not come across: first what the format cannot carry (with how many records), then
        each claim or mention left out."""
        shape = [
            f"the format cannot carry {what} ({n} records)" for what, n in sorted(self.cannot_carry.items())
        ]
        return shape + self.lost

    @property
    def new_documents(self) -> int:
        """Texts found nowhere in the project: each becomes a new one-passage document."""
        return len(self.new_texts)

    @property
    def claims_planned(self) -> int:
        return sum(report.claims for report in self.annotators.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "dry_run": self.dry_run,
            "written": self.written,
            "records": self.records,
            "records_with_errors": self.records_with_errors,
            "aligned_records": self.aligned_records,
            "new_documents": self.new_documents,
            "passages": self.passages,
            "assignments": self.assignments,
            "claims": self.claims if self.written else self.claims_planned,
            "users_created": self.users_created,
            "speakers_created": self.speakers_created if self.written else [],
            "speakers_new": self.speakers_new,
            "speaker_relations": self.speaker_relations,
            "ignored_relations": dict(self.ignored_relations),
            "ignored_labels": dict(self.ignored_labels),
            "lost_count": len(self.lost_all),
            "lost": self.lost_all[:LOST_SHOWN],
            "annotators": [self.annotators[name].as_dict() for name in sorted(self.annotators)],
            "errors": [
                {"file": e.file_name, "record": e.line_or_index, "message": e.message} for e in self.errors
            ],
        }

    def lines(self) -> list[str]:
        """The summary as lines of text, for the command line."""
        verb = "would be" if not self.written else "were"
        lines = [
            f"{self.records} records read ({self.records_with_errors} with problems): {self.aligned_records} "
            f"found in the project's documents, {self.new_documents} new documents.",
            f"{self.passages} passages, {self.claims if self.written else self.claims_planned} claims {verb} "
            f"imported; {self.speaker_relations} claims got their speaker from a relation.",
        ]
        for name in sorted(self.annotators):
            r = self.annotators[name]
            lines.append(
                f"  {name} → {r.username or '?'} ({r.account}): {r.claims} claims, "
                f"{r.claims_with_speaker} with a speaker ({r.speakers_matched} speakers known, "
                f"{r.speakers_new} new), {r.looked_no_claim} "
                f"passages with no claim, {r.cancelled} skipped, {r.comments} comments, {r.already_there} "
                "passages already done"
            )
        if self.ignored_relations:
            lines.append(f"Relations not imported: {dict(self.ignored_relations)}.")
        if self.ignored_labels:
            lines.append(f"Spans of ignored labels: {dict(self.ignored_labels)}.")
        if self.users_created:
            lines.append(f"New accounts: {', '.join(self.users_created)}.")
        lines.extend(f"not imported: {what}" for what in self.lost_all[:LOST_SHOWN])
        return lines
