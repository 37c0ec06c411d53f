"""Where imported work goes: each annotator's claims by passage of the project (found by the text of the
record, or a new document), and whether the annotator has done that passage already. Reads only."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from annotator import limits
from annotator.corpus.models import Project
from annotator.exports.importing.selectors import (
    assignments_existing,
    document_passages,
    speakers_known,
    texts_located,
)
from annotator.exports.importing.summary import AnnotationImportSummary, AnnotatorReport
from annotator.exports.readers.align import covered_passages, place_claims
from annotator.exports.readers.plan import PlannedClaim, PlannedRecord
from annotator.labeling.models import Assignment, AssignmentStatus


@dataclass
class PassageWork:
    """What one annotator brings to one passage."""

    foreign: str  # the annotator as the file names them (the first name, when several map to one member)
    claims: list[PlannedClaim] = field(default_factory=list)
    cancelled: bool = True  # until some record says the annotator looked at it
    note: str = ""
    already_there: bool = False  # the annotator has done this passage here: it is left as it is


# (passage id, or the digest of a text that becomes a new document; member id, or the username of an
# account to create) → that annotator's work there
Placed = dict[tuple[int | str, int | str], PassageWork]
DONE = (AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED)


def work_place(
    project: Project,
    plans: list[PlannedRecord],
    users: Mapping[str, int | str],
    summary: AnnotationImportSummary,
) -> tuple[Placed, dict[tuple[int, int], tuple[Assignment, bool]]]:
    """Each annotator's work by passage (``Placed``) and the assignments that exist for it; the summary
    counts what is aligned, new and lost."""
    located = texts_located(project=project, texts=[(p.digest, p.text) for p in plans])
    passages = document_passages(document_ids={location.document_id for location in located.values()})
    work: Placed = {}
    for plan in plans:
        summary.note_plan(plan)
        location = located.get(plan.digest)
        if location is None:
            summary.new_texts.add(plan.digest)
        else:
            summary.aligned_records += 1
        for foreign, planned in plan.work.items():
            if foreign not in users:
                continue
            placed: dict[int | str, list[PlannedClaim]]
            if location is None:  # a new one-passage document: record coordinates are passage coordinates
                placed, lost, looked = {plan.digest: planned.claims}, [], [plan.digest]
            else:
                doc_passages = passages.get(location.document_id, [])
                placed, lost = place_claims(planned.claims, offset=location.offset, passages=doc_passages)  # type: ignore[assignment]
                end = location.offset + len(plan.text)
                looked = [p.id for p in covered_passages(doc_passages, location.offset, end)]
            summary.lost.extend(f"{plan.record.file_name}:{plan.record.index}: {what}" for what in lost)
            for where in {*looked, *placed}:
                entry = work.setdefault((where, users[foreign]), PassageWork(foreign))
                entry.claims.extend(placed.get(where, ()))
                entry.cancelled = entry.cancelled and planned.cancelled and not placed.get(where)
                if planned.note and planned.note not in entry.note:
                    note = f"{entry.note}\n\n{planned.note}".strip()
                    if len(note) > limits.ASSIGNMENT_NOTE:  # listed as lost, never cut
                        summary.lost.append(
                            f"{plan.record.file_name}:{plan.record.index}: {foreign}'s comment "
                            f"({len(planned.note):,} characters) does not fit the passage note "
                            f"({limits.ASSIGNMENT_NOTE:,} characters at most)"
                        )
                    else:
                        entry.note = note
    existing = assignments_existing(
        pairs={(where, user) for where, user in work if isinstance(where, int) and isinstance(user, int)}
    )
    known = speakers_known(project=project)
    for key, entry in work.items():
        report = summary.annotator(entry.foreign)
        before = existing.get(key)  # type: ignore[arg-type]
        if before is not None and (before[1] or before[0].status in DONE):
            report.already_there += 1
            entry.already_there = True
            continue
        _count(report, entry)
    for report in summary.annotators.values():
        report.speakers_matched = sum(1 for name in report.speaker_names if name.casefold() in known)
        report.speakers_new = len(report.speaker_names) - report.speakers_matched
    summary.speakers_new = len(
        {n.casefold() for r in summary.annotators.values() for n in r.speaker_names} - set(known)
    )
    summary.passages = len({key[0] for key, entry in work.items() if not entry.already_there})
    return work, existing


def _count(report: AnnotatorReport, entry: PassageWork) -> None:
    """Count one annotator's work on one passage (exact repeats of a claim count, and are written, once)."""
    unique: dict[tuple, PlannedClaim] = {}
    for claim in entry.claims:
        unique.setdefault(claim.key(), claim)
    entry.claims = list(unique.values())
    report.claims += len(entry.claims)
    report.claims_with_speaker += sum(1 for claim in entry.claims if claim.speaker)
    report.speaker_names.update(claim.speaker for claim in entry.claims if claim.speaker)
    if entry.cancelled:
        report.cancelled += 1
    elif not entry.claims:
        report.looked_no_claim += 1
    if entry.note:
        report.comments += 1
