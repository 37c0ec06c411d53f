"""Who says what: the project's counted claims by speaker type, perspective, stance and outlet, in SQL.

Reads the stored consensus rows (``models.ConsensusClaim``; what counts is ``crosstab.MAJORITY_DEFINITION``)
with their documents and speakers joined, so outlet, title and affiliation edits show at once. A report is
three queries whatever the size of the project (the refresh state, the passage coverage, the counts); the
claims list two. Written in SQL that PostgreSQL and SQLite both run (no GROUPING SETS), so the demo's
embedded database shows the same page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from annotator.analytics.crosstab import build_report
from annotator.analytics.models import ConsensusState
from annotator.analytics.params import CLAIM_PAGE, DOCUMENT_PAGE, ClaimFilter, Scope
from annotator.corpus.models import Project
from annotator.labeling.models import AssignmentStatus

# Each counted claim with its document and speaker type (`voice` says whose words they are): the rows
# the claims list filters and pages.
_LABELLED = """
labelled AS (
    SELECT c.basis, c.passage_id, c.claim_id, c.start, c."end", c.speaker_id, c.attribution,
           c.perspective, c.stance, c.agreeing, c.annotators, c.document_id, d.source AS outlet, d.title,
           CASE WHEN c.attribution = 'authorial' THEN 'author'
                WHEN sp.id IS NULL THEN 'unnamed' ELSE 'speaker' END AS voice,
           COALESCE(sp.affiliation, '') AS affiliation, COALESCE(sp.kind, '') AS kind,
           sp.name AS speaker_name
    FROM analytics_consensusclaim c
    JOIN corpus_document d ON d.id = c.document_id
    LEFT JOIN corpus_speaker sp ON sp.id = c.speaker_id
    WHERE c.project_id = %(project)s {conditions}
)"""

# The counted claims grouped on narrow columns first (ids and short codes: a cheap hash aggregate over
# every row); speaker types are joined onto those few groups afterwards.
_GROUPED = """
grouped AS (
    SELECT {group_key} AS group_key, c.speaker_id, c.attribution, c.perspective, c.stance,
           SUM(CASE WHEN c.basis = 'gold' THEN 1 ELSE 0 END) AS gold,
           SUM(CASE WHEN c.basis = 'majority' THEN 1 ELSE 0 END) AS majority
    FROM analytics_consensusclaim c
    JOIN corpus_document d ON d.id = c.document_id
    WHERE c.project_id = %(project)s {conditions}
    GROUP BY 1, c.speaker_id, c.attribution, c.perspective, c.stance
)"""

# Two aggregates over the groups in one statement: the cells at the finest grain the page needs
# (everything else is a sum of them), and distinct speakers per group and perspective (not a sum).
_COUNTS = """
SELECT 'cell' AS part, g.group_key, MAX({title}) AS title,
       CASE WHEN g.attribution = 'authorial' THEN 'author'
            WHEN sp.id IS NULL THEN 'unnamed' ELSE 'speaker' END AS voice,
       COALESCE(sp.affiliation, '') AS affiliation, COALESCE(sp.kind, '') AS kind,
       g.perspective, g.stance, g.attribution, SUM(g.gold) AS gold, SUM(g.majority) AS majority,
       NULL AS speakers
FROM grouped g LEFT JOIN corpus_speaker sp ON sp.id = g.speaker_id {title_join}
GROUP BY 2, 4, 5, 6, g.perspective, g.stance, g.attribution
UNION ALL
SELECT 'speakers', group_key, NULL, NULL, NULL, NULL, perspective, NULL, NULL, SUM(gold), SUM(majority),
       SUM(CASE WHEN speaker_id IS NULL THEN 0 ELSE 1 END)
FROM (
    SELECT group_key, perspective, speaker_id, SUM(gold) AS gold, SUM(majority) AS majority
    FROM grouped
    GROUP BY group_key, perspective, speaker_id
) per_speaker
GROUP BY group_key, perspective
ORDER BY 1, 2, 4, 5, 6, 7, 8, 9"""

# Passages in scope by what counts on them, and (grouping by document) where the next page starts. A
# passage with two or more submitted annotations is one the review queue scores (review.PassageScore,
# kept by the writes that change submissions): a join on it instead of counting every assignment.
_COVERAGE = """
SELECT COUNT(*) AS passages,
       SUM(CASE WHEN x.passage_id IS NOT NULL THEN 1 ELSE 0 END) AS adjudicated,
       SUM(CASE WHEN x.passage_id IS NULL AND n.passage_id IS NOT NULL THEN 1 ELSE 0 END) AS with_majority,
       (SELECT CASE WHEN EXISTS (
                    SELECT 1 FROM corpus_document d WHERE d.project_id = %(project)s AND d.id > last.id
                ) THEN last.id END
        FROM (SELECT MAX(page.id) AS id FROM (
                SELECT d.id FROM corpus_document d WHERE d.project_id = %(project)s AND d.id > %(after)s
                ORDER BY d.id LIMIT %(page)s) page) last
       ) AS next_after
FROM corpus_passage p
JOIN corpus_document d ON d.id = p.document_id
LEFT JOIN review_adjudication x ON x.passage_id = p.id
LEFT JOIN review_passagescore n ON n.passage_id = p.id
WHERE d.project_id = %(project)s {conditions}"""

_CLAIMS = """
SELECT labelled.*, p.text AS passage_text, p.position
FROM labelled JOIN corpus_passage p ON p.id = labelled.passage_id
WHERE {conditions}
ORDER BY labelled.passage_id, labelled.claim_id
LIMIT %(limit)s"""


@dataclass(frozen=True)
class Counts:
    """What the report is built from: aggregate rows, never claim rows."""

    cells: list[dict[str, Any]]
    speakers: list[dict[str, Any]]
    coverage: dict[str, Any]


def _document_conditions(scope: Scope, params: dict[str, Any]) -> str:
    """SQL conditions on ``d`` (the document) for the scope's outlets and documents."""
    conditions = []
    if scope.outlets is not None:
        names = {f"outlet{i}": name for i, name in enumerate(scope.outlets)}
        params.update(names)
        conditions.append(f"AND d.source IN ({', '.join(f'%({key})s' for key in names)})")
    if scope.documents is not None:
        ids = {f"document{i}": pk for i, pk in enumerate(scope.documents)}
        params.update(ids)
        conditions.append(f"AND d.id IN ({', '.join(f'%({key})s' for key in ids)})")
    return " ".join(conditions)


def _group_key(scope: Scope) -> str:
    if scope.by == "outlet":
        return "d.source"
    # Grouped by document, only one page of documents gets a group of its own; the others still count
    # in the project-wide figures (voice, speaker types) under a NULL group the report leaves out.
    return "CASE WHEN d.id > %(after)s AND d.id <= %(page_end)s THEN d.id END"


def _fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _base_params(project: Project, scope: Scope) -> dict[str, Any]:
    return {
        "project": project.pk,
        "submitted": AssignmentStatus.SUBMITTED,
        "after": scope.after or 0,
        "page": DOCUMENT_PAGE,
    }


def consensus_state(*, project: Project) -> ConsensusState | None:
    """Whether the stored rows are current (None: never built)."""
    return ConsensusState.objects.filter(pk=project.pk).first()


def who_says_what_counts(*, project: Project, scope: Scope) -> Counts:
    """The aggregate rows of the project's report (two queries)."""
    params = _base_params(project, scope)
    conditions = _document_conditions(scope, params)
    coverage = _fetch(_COVERAGE.format(conditions=conditions), params)[0]
    # The last document of this page (the coverage query found it): groups stop there.
    params["page_end"] = coverage["next_after"] or 2**62
    # Titles only name document groups: joined onto the groups, never carried through the aggregate.
    by_document = scope.by == "document"
    counts = _COUNTS.format(
        title="td.title" if by_document else "NULL",
        title_join="LEFT JOIN corpus_document td ON td.id = g.group_key" if by_document else "",
    )
    grouped = _GROUPED.format(group_key=_group_key(scope), conditions=conditions)
    rows = _fetch(f"WITH {grouped} {counts}", params)
    for row in rows:  # a document id groups as a number; keys are text in the report
        if row["group_key"] is not None:
            row["group_key"] = str(row["group_key"])
    cells = [row for row in rows if row["part"] == "cell"]
    speakers = [row for row in rows if row["part"] == "speakers"]
    return Counts(cells=cells, speakers=speakers, coverage=coverage)


def who_says_what_claims(*, project: Project, claim_filter: ClaimFilter) -> list[dict[str, Any]]:
    """The counted claims that match ``claim_filter``, with their passages: one page (CLAIM_PAGE + 1 rows,
    the extra one only telling that there is a next page), ordered by passage then claim id. One query."""
    params = _base_params(project, claim_filter.scope)
    document_conditions = _document_conditions(claim_filter.scope, params)
    conditions = ["1 = 1"]
    for name in ("voice", "affiliation", "kind", "perspective", "stance", "attribution", "basis"):
        value = getattr(claim_filter, name)
        if value is not None:
            params[f"f_{name}"] = value
            conditions.append(f"labelled.{name} = %(f_{name})s")
    if claim_filter.after is not None:
        # The cursor bounds the index scan too: earlier passages hold no claim of this page.
        params["after_passage"], params["after_claim"] = claim_filter.after
        document_conditions += " AND c.passage_id >= %(after_passage)s"
        conditions.append(
            "(labelled.passage_id > %(after_passage)s"
            " OR (labelled.passage_id = %(after_passage)s AND labelled.claim_id > %(after_claim)s))"
        )
    params["limit"] = CLAIM_PAGE + 1
    labelled = _LABELLED.format(conditions=document_conditions)
    return _fetch(f"WITH {labelled} " + _CLAIMS.format(conditions=" AND ".join(conditions)), params)


def who_says_what_report(*, project: Project, scope: Scope, state: ConsensusState | None) -> dict[str, Any]:
    """The project's who-says-what report (see crosstab.build_report) from its stored rows, saying how
    current they are (``state`` from ``consensus_state``); two queries."""
    found = who_says_what_counts(project=project, scope=scope)
    report = build_report(
        cells=found.cells,
        speakers=found.speakers,
        coverage=found.coverage,
        by=scope.by,
        schema=project.schema,
    )
    report["freshness"] = {
        "current": bool(state and state.current),
        "refreshed_at": state.refreshed_at if state else None,
    }
    return report


def claims_page(*, project: Project, claim_filter: ClaimFilter) -> dict[str, Any]:
    """One page of the counted claims behind a figure, each with its passage; ``next`` is the cursor of
    the following page (None on the last). One query."""
    rows = who_says_what_claims(project=project, claim_filter=claim_filter)
    more = len(rows) > CLAIM_PAGE
    rows = rows[:CLAIM_PAGE]
    claims = [
        {
            "id": f"{row['basis']}-{row['claim_id']}",
            "basis": row["basis"],
            "passage_id": row["passage_id"],
            "position": row["position"],
            "document_id": row["document_id"],
            "document_title": row["title"],
            "outlet": row["outlet"],
            "start": row["start"],
            "end": row["end"],
            # A claim's text is its passage's slice (a database trigger keeps it so).
            "text": row["passage_text"][row["start"] : row["end"]],
            "passage_text": row["passage_text"],
            "speaker": row["speaker_name"],
            "voice": row["voice"],
            "speaker_affiliation": row["affiliation"] or None,
            "speaker_kind": row["kind"] or None,
            "attribution": row["attribution"],
            "perspective": row["perspective"],
            "stance": row["stance"],
            "agreeing": row["agreeing"],
            "annotators": row["annotators"],
        }
        for row in rows
    ]
    last = rows[-1] if rows else None
    return {"claims": claims, "next": f"{last['passage_id']}-{last['claim_id']}" if more and last else None}
