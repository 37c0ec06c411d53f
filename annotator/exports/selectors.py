"""Reads for exports: a project (or a filtered part of it) as a stream of ``PassageRecord`` dicts.

Passages come from one server-side cursor ordered by (document, position); for every chunk of
``chunk_size`` passages the claims and the gold claims are fetched with one query each. So an export runs
``1 + 2 * chunks`` queries whatever the number of claims, and holds one chunk in memory at a time.
"""

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Literal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from annotator.agreement.models import AgreementRun, RunStatus
from annotator.corpus.models import Passage, Project, Role
from annotator.exports.formats.records import AnnotatorRecord, ClaimRecord, PassageRecord
from annotator.exports.models import ExportJob
from annotator.labeling.models import Assignment, AssignmentStatus
from annotator.review.models import Adjudication

CHUNK_SIZE = 1000  # passages a chunk: with ~20 claims each, about 20k claims (~30 MB) held at once
ROWS_PER_FETCH = 2000
# Who may export a project; importing annotations is for managers only.
EXPORT_ROLES = frozenset({Role.RESEARCHER, Role.REVIEWER, Role.MANAGER})
IMPORT_ROLES = frozenset({Role.MANAGER})
STATUSES = ("submitted", "all")
SOURCES = ("annotators", "gold", "all")

Status = Literal["submitted", "all"]
Source = Literal["annotators", "gold", "all"]


@dataclass(frozen=True)
class ExportFilters:
    """Which part of a project an export covers.

    ``documents``: document ids (empty: all); ``annotators``: usernames whose claims are exported (empty:
    everyone); ``status``: "submitted" exports submitted assignments only, "all" any assignment (and, with
    no annotator filter, every passage, annotated or not); ``source``: "annotators" (their claims), "gold"
    (adjudicated claims only, adjudicated passages only) or "all" (both).
    """

    documents: tuple[int, ...] = ()
    annotators: tuple[str, ...] = ()
    status: Status = "submitted"
    source: Source = "annotators"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {**data, "documents": list(self.documents), "annotators": list(self.annotators)}


CLAIM_FIELDS = (
    "id",
    "start",
    "end",
    "text",
    "attribution",
    "perspective",
    "stance",
    "target",
    "confidence",
    "note",
    "speaker_id",
    "speaker__name",
    "speaker__kind",
    "speaker__affiliation",
    "mention_start",
    "mention_end",
)
PASSAGE_FIELDS = (
    "id",
    "document_id",
    "position",
    "start",
    "end",
    "text",
    "document__title",
    "document__source",
    "document__url",
    "document__published",
    "document__meta",
    "document__language",
)


def _assignment_scope(filters: ExportFilters) -> Q:
    """The assignments whose claims the filters select (as a condition on Assignment)."""
    scope = Q()
    if filters.status == "submitted":
        scope &= Q(status=AssignmentStatus.SUBMITTED)
    if filters.annotators:
        scope &= Q(annotator__username__in=filters.annotators)
    return scope


def passages_selected(*, project: Project, filters: ExportFilters) -> QuerySet[Passage]:
    """The passages an export with these filters covers, in export order (document, position)."""
    passages = Passage.objects.filter(document__project=project)
    if filters.documents:
        passages = passages.filter(document_id__in=filters.documents)
    worked_on: Q | None = None  # None: every passage (status "all", no annotator filter)
    if filters.status == "submitted" or filters.annotators:
        worked_on = Q(
            Exists(Assignment.objects.filter(_assignment_scope(filters), passage_id=OuterRef("pk")))
        )
    adjudicated = Q(Exists(Adjudication.objects.filter(passage_id=OuterRef("pk"))))
    if filters.source == "gold":
        passages = passages.filter(adjudicated)
    elif worked_on is not None:
        passages = passages.filter(worked_on | adjudicated if filters.source == "all" else worked_on)
    return passages.order_by("document_id", "position")


def passage_count(*, project: Project, filters: ExportFilters) -> int:
    return passages_selected(project=project, filters=filters).count()


def passage_records(
    *, project: Project, filters: ExportFilters, chunk_size: int = CHUNK_SIZE
) -> Iterator[PassageRecord]:
    """Stream the selected passages with their claims as ``PassageRecord`` dicts (see exports.records).

    ``claims`` holds the selected annotators' claims (empty when the source is "gold"); ``gold`` the
    adjudicated claims, or None for a passage not adjudicated (always None when the source is
    "annotators"). Claims are ordered by annotator, start, end; gold claims by start, end.
    """
    rows = (
        passages_selected(project=project, filters=filters)
        .values(*PASSAGE_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == chunk_size:
            yield from _records(chunk, filters)
            chunk = []
    if chunk:
        yield from _records(chunk, filters)


def _records(chunk: list[dict[str, Any]], filters: ExportFilters) -> Iterator[PassageRecord]:
    ids = [row["id"] for row in chunk]
    claims, annotators = _work_by_passage(ids, filters) if filters.source != "gold" else ({}, {})
    gold = _gold_by_passage(ids) if filters.source != "annotators" else {}
    for row in chunk:
        published = row["document__published"]
        yield {
            "passage_id": row["id"],
            "document_id": row["document_id"],
            "document_title": row["document__title"],
            "document": {
                "source": row["document__source"],
                "url": row["document__url"],
                "published": published.isoformat() if published else None,
                "meta": row["document__meta"],
                "language": row["document__language"],
            },
            "position": row["position"],
            "start": row["start"],
            "end": row["end"],
            "text": row["text"],
            "claims": claims.get(row["id"], []),
            "annotators": annotators.get(row["id"], []),
            "gold": gold.get(row["id"]),
        }


ASSIGNMENT_FIELDS = ("status", "flag_reason", "flag_note", "active_seconds")


def _work_by_passage(
    ids: list[int], filters: ExportFilters
) -> tuple[dict[int, list[ClaimRecord]], dict[int, list[AnnotatorRecord]]]:
    """The selected annotators' claims, and their assignments (status, flag, time), by passage.

    One query from the assignment side: a LEFT JOIN keeps an assignment without claims (a flagged or
    skipped passage is just what a researcher wants to see), and its flag and time ride on each claim row.
    """
    scope = Q(passage_id__in=ids) & _assignment_scope(filters)
    rows = (
        Assignment.objects.filter(scope)
        .order_by("passage_id", "annotator__username", "claims__start", "claims__end", "claims__id")
        .values_list(
            "passage_id", "annotator__username", "annotator__email", *ASSIGNMENT_FIELDS,
            *(f"claims__{name}" for name in CLAIM_FIELDS),
        )
        .iterator(chunk_size=ROWS_PER_FETCH)
    )  # fmt: skip
    claims: dict[int, list[ClaimRecord]] = {}
    annotators: dict[int, list[AnnotatorRecord]] = {}
    shared: dict[Any, Any] = {}
    for passage_id, username, email, status, flag_reason, flag_note, seconds, *claim in rows:
        work = annotators.setdefault(passage_id, [])
        if not work or work[-1]["username"] != username:
            work.append(
                {
                    "username": shared.setdefault(username, username),
                    "status": shared.setdefault(status, status),
                    "flag_reason": shared.setdefault(flag_reason, flag_reason),
                    "flag_note": flag_note,
                    "active_seconds": seconds,
                }
            )
        if claim[0] is not None:  # the claim id: None for an assignment without claims
            record = _claim(tuple(claim), username, shared, email=email or None)
            record["flag_reason"], record["active_seconds"] = work[-1]["flag_reason"], seconds
            claims.setdefault(passage_id, []).append(record)
    return claims, annotators


def _gold_by_passage(ids: list[int]) -> dict[int, list[ClaimRecord]]:
    """Gold claims of the adjudicated passages among ``ids``; an adjudication with none maps to []."""
    # From the adjudication side, so a LEFT JOIN also reports adjudicated passages without gold claims.
    rows = (
        Adjudication.objects.filter(passage_id__in=ids)
        .order_by("passage_id", "gold_claims__start", "gold_claims__end", "gold_claims__id")
        .values_list("passage_id", *(f"gold_claims__{name}" for name in CLAIM_FIELDS))
        .iterator(chunk_size=ROWS_PER_FETCH)
    )
    by_passage: dict[int, list[ClaimRecord]] = {}
    shared: dict[Any, Any] = {}
    for row in rows:
        claims = by_passage.setdefault(row[0], [])
        if row[1] is not None:  # the claim id: None for an adjudication without gold claims
            claims.append(_claim(row[1:], "gold", shared))
    return by_passage


def _claim(values: tuple, annotator: str, shared: dict[Any, Any], *, email: str | None = None) -> ClaimRecord:
    """A ClaimRecord from a row of CLAIM_FIELDS; repeated labels share one string object (memory)."""
    (
        claim_id, start, end, text, attribution, perspective, stance, target, confidence, note,
        speaker_id, speaker_name, speaker_kind, speaker_affiliation, mention_start, mention_end,
    ) = values  # fmt: skip
    one = shared.setdefault
    return {
        "id": claim_id,
        "annotator": one(annotator, annotator),
        "annotator_email": email if email is None else one(email, email),
        "start": start,
        "end": end,
        "text": text,
        "speaker": None
        if speaker_id is None
        else one(
            ("speaker", speaker_id),
            {
                "id": speaker_id,
                "name": speaker_name,
                "kind": speaker_kind,
                "affiliation": speaker_affiliation,
            },
        ),
        "attribution": one(attribution, attribution),
        "perspective": one(perspective, perspective),
        "stance": one(stance, stance),
        "target": one(target, target),
        "confidence": confidence,
        "note": note,
        "mention_start": mention_start,
        "mention_end": mention_end,
    }


# The headline figures a dataset card shows; the full report (per pair, per document, matrices, and the
# annotators' names) stays in the application.
HEADLINE_FIGURES = {
    "span": ("position_alpha", "unitizing_alpha", "exact_f1", "overlap_f1"),
    "perspective": ("alpha", "fleiss_kappa", "cohen_kappa_mean"),
    "stance": ("alpha", "fleiss_kappa", "cohen_kappa_mean"),
    "speaker": ("alpha", "fleiss_kappa", "cohen_kappa_mean"),
}


def latest_agreement(*, project: Project) -> dict[str, Any] | None:
    """Headline figures of the project's latest succeeded agreement run (value and 95% CI), or None."""
    run = (
        AgreementRun.objects.filter(project=project, status=RunStatus.SUCCEEDED, results__isnull=False)
        .order_by("-finished_at", "-id")
        .values("pk", "finished_at", "results")
        .first()
    )
    if run is None or not isinstance(run["results"], dict):
        return None
    return agreement_headline(run["results"], run_id=run["pk"], finished_at=run["finished_at"])


def agreement_headline(results: dict[str, Any], *, run_id: int, finished_at: Any) -> dict[str, Any]:
    report = results.get("report", results)
    sections = {"span": report.get("span") or {}, **(report.get("attributes") or {})}
    summary: dict[str, Any] = {}
    for section, names in HEADLINE_FIGURES.items():
        figures = {name: _figure(sections.get(section, {}).get(name)) for name in names}
        figures = {name: value for name, value in figures.items() if value is not None}
        if figures:
            summary[section] = figures
    if not summary:  # a report of another shape: show its top-level numbers only
        summary = {k: v for k, v in report.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    counts = report.get("counts") or results.get("input")
    if isinstance(counts, dict):
        summary["data"] = {k: v for k, v in counts.items() if isinstance(v, int | float)}
    summary["run"] = {"id": run_id, "finished": finished_at.isoformat() if finished_at else None}
    return summary


def _figure(figure: Any) -> Any:
    """``{"value": v, "ci": [lo, hi]}`` → "v [lo, hi]"; a bare number as is; anything else None."""
    if isinstance(figure, int | float) and not isinstance(figure, bool):
        return round(float(figure), 4)
    if not isinstance(figure, dict) or not isinstance(figure.get("value"), int | float):
        return None
    ci = figure.get("ci")
    if isinstance(ci, list | tuple) and len(ci) == 2 and all(isinstance(x, int | float) for x in ci):
        return f"{figure['value']:.3f} (95% CI {ci[0]:.3f}–{ci[1]:.3f})"
    return round(float(figure["value"]), 4)


def export_jobs_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ExportJob]:
    """Export jobs of the projects where the user may export (researcher, reviewer, manager; superusers)."""
    if not user.is_authenticated:
        return ExportJob.objects.none()
    jobs = ExportJob.objects.select_related("project", "requested_by")
    if user.is_superuser:
        return jobs
    return jobs.filter(project__memberships__user=user, project__memberships__role__in=EXPORT_ROLES)
