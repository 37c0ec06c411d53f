"""Who says what: the project's claims counted by speaker type, perspective, stance and outlet, in SQL.

A claim counts once, from one of two bases (see ``annotator.analytics.crosstab.MAJORITY_DEFINITION``):
- **gold**: every gold claim of an adjudicated passage;
- **majority**: on a passage without adjudication, one claim for each distinct (span, speaker, attribution,
  perspective, stance) that at least two, and more than half, of the passage's submitted annotators marked.

Every figure is a GROUP BY over those claims in the database; a report is two queries whatever the size of
the project (the counts, and the passage coverage), the drill-down list one. Written in SQL that PostgreSQL
and SQLite both run (no GROUPING SETS), so the demo's embedded database shows the same page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from annotator.analytics.crosstab import build_report
from annotator.analytics.params import CLAIM_PAGE, DOCUMENT_PAGE, ClaimFilter, Scope
from annotator.corpus.models import Project
from annotator.labeling.models import AssignmentStatus

# The passages in scope, with the document and outlet each belongs to.
_SCOPE = """
scope AS (
    SELECT p.id AS passage_id, d.id AS document_id, d.source AS outlet, d.title AS title
    FROM corpus_passage p JOIN corpus_document d ON d.id = p.document_id
    WHERE d.project_id = %(project)s {conditions}
)"""

# Submitted annotators per passage without adjudication: the majority's denominator.
_SUBMITTED = """
submitted AS (
    SELECT a.passage_id, COUNT(*) AS annotators
    FROM labeling_assignment a JOIN scope s ON s.passage_id = a.passage_id
    WHERE a.status = %(submitted)s
      AND NOT EXISTS (SELECT 1 FROM review_adjudication x WHERE x.passage_id = a.passage_id)
    GROUP BY a.passage_id
)"""

# The counted claims. The majority part first collapses each annotator's duplicates of one claim (a hash
# aggregate), then counts annotators per claim: cheaper than COUNT(DISTINCT), which forces a sort.
_UNITS = """
units AS (
    SELECT 'gold' AS basis, x.passage_id, g.id AS unit_id, g.start, g."end", g.speaker_id,
           g.attribution, g.perspective, g.stance, NULL AS agreeing, NULL AS annotators
    FROM review_goldclaim g
    JOIN review_adjudication x ON x.id = g.adjudication_id
    JOIN scope s ON s.passage_id = x.passage_id
    UNION ALL
    SELECT 'majority', m.passage_id, m.unit_id, m.start, m."end", m.speaker_id,
           m.attribution, m.perspective, m.stance, m.agreeing, n.annotators
    FROM (
        SELECT k.passage_id, k.start, k."end", k.speaker_id, k.attribution, k.perspective, k.stance,
               COUNT(*) AS agreeing, MIN(k.claim_id) AS unit_id
        FROM (
            SELECT a.passage_id, a.annotator_id, c.start, c."end", c.speaker_id, c.attribution,
                   c.perspective, c.stance, MIN(c.id) AS claim_id
            FROM labeling_claim c
            JOIN labeling_assignment a ON a.id = c.assignment_id
            JOIN submitted sub ON sub.passage_id = a.passage_id
            WHERE a.status = %(submitted)s
            GROUP BY a.passage_id, a.annotator_id, c.start, c."end", c.speaker_id, c.attribution,
                     c.perspective, c.stance
        ) k
        GROUP BY k.passage_id, k.start, k."end", k.speaker_id, k.attribution, k.perspective, k.stance
    ) m
    JOIN submitted n ON n.passage_id = m.passage_id
    WHERE m.agreeing >= 2 AND m.agreeing * 2 > n.annotators
)"""

# Each counted claim with its group and speaker type; `voice` says whose words they are.
_LABELLED = """
labelled AS (
    SELECT u.*, s.document_id, s.outlet, s.title, {group_key} AS group_key,
           CASE WHEN u.attribution = 'authorial' THEN 'author'
                WHEN u.speaker_id IS NULL THEN 'unnamed' ELSE 'speaker' END AS voice,
           COALESCE(sp.affiliation, '') AS affiliation, COALESCE(sp.kind, '') AS kind,
           sp.name AS speaker_name
    FROM units u
    JOIN scope s ON s.passage_id = u.passage_id
    LEFT JOIN corpus_speaker sp ON sp.id = u.speaker_id
)"""

# Two aggregates over the same labelled claims in one statement: the cells at the finest grain the page
# needs (everything else is a sum of them), and distinct speakers per group and perspective (not a sum).
_COUNTS = """
SELECT 'cell' AS part, group_key, MAX(title) AS title, voice, affiliation, kind, perspective, stance,
       attribution, SUM(CASE WHEN basis = 'gold' THEN 1 ELSE 0 END) AS gold,
       SUM(CASE WHEN basis = 'majority' THEN 1 ELSE 0 END) AS majority, NULL AS speakers
FROM labelled
GROUP BY group_key, voice, affiliation, kind, perspective, stance, attribution
UNION ALL
SELECT 'speakers', group_key, NULL, NULL, NULL, NULL, perspective, NULL, NULL,
       SUM(CASE WHEN basis = 'gold' THEN 1 ELSE 0 END), SUM(CASE WHEN basis = 'majority' THEN 1 ELSE 0 END),
       COUNT(DISTINCT speaker_id)
FROM labelled
GROUP BY group_key, perspective
ORDER BY 1, 2, 4, 5, 6, 7, 8, 9"""

_COVERAGE = """
WITH {scope}
SELECT COUNT(*) AS passages,
       SUM(CASE WHEN EXISTS (SELECT 1 FROM review_adjudication x WHERE x.passage_id = s.passage_id)
                THEN 1 ELSE 0 END) AS adjudicated,
       SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM review_adjudication x WHERE x.passage_id = s.passage_id)
                 AND (SELECT COUNT(*) FROM labeling_assignment a
                      WHERE a.passage_id = s.passage_id AND a.status = %(submitted)s) >= 2
                THEN 1 ELSE 0 END) AS with_majority,
       (SELECT CASE WHEN EXISTS (
                    SELECT 1 FROM corpus_document d WHERE d.project_id = %(project)s AND d.id > last.id
                ) THEN last.id END
        FROM (SELECT MAX(page.id) AS id FROM (
                SELECT d.id FROM corpus_document d WHERE d.project_id = %(project)s AND d.id > %(after)s
                ORDER BY d.id LIMIT %(page)s) page) last
       ) AS next_after
FROM scope s"""

_CLAIMS = """
SELECT basis, passage_id, unit_id, start, "end", speaker_name, attribution, perspective, stance,
       agreeing, annotators, document_id, title, outlet, voice, affiliation, kind,
       (SELECT p.text FROM corpus_passage p WHERE p.id = labelled.passage_id) AS passage_text,
       (SELECT p.position FROM corpus_passage p WHERE p.id = labelled.passage_id) AS position
FROM labelled
WHERE {conditions}
ORDER BY passage_id, unit_id
LIMIT %(limit)s"""


@dataclass(frozen=True)
class Counts:
    """What the report is built from: aggregate rows, never claim rows."""

    cells: list[dict[str, Any]]
    speakers: list[dict[str, Any]]
    coverage: dict[str, Any]


def _scope_sql(scope: Scope, params: dict[str, Any], *extra: str) -> str:
    conditions = list(extra)
    if scope.outlets is not None:
        names = {f"outlet{i}": name for i, name in enumerate(scope.outlets)}
        params.update(names)
        conditions.append(f"AND d.source IN ({', '.join(f'%({key})s' for key in names)})")
    if scope.documents is not None:
        ids = {f"document{i}": pk for i, pk in enumerate(scope.documents)}
        params.update(ids)
        conditions.append(f"AND d.id IN ({', '.join(f'%({key})s' for key in ids)})")
    return _SCOPE.format(conditions=" ".join(conditions))


def _group_key(scope: Scope) -> str:
    if scope.by == "outlet":
        return "s.outlet"
    # Grouped by document, only one page of documents gets a group of its own; the others still count
    # in the project-wide figures (voice, speaker types) under a NULL group the report leaves out.
    return (
        "CASE WHEN s.document_id > %(after)s AND s.document_id <= %(page_end)s "
        "THEN CAST(s.document_id AS TEXT) END"
    )


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


def who_says_what_counts(*, project: Project, scope: Scope) -> Counts:
    """The aggregate rows of the project's report (two queries)."""
    params = _base_params(project, scope)
    scope_sql = _scope_sql(scope, params)
    coverage = _fetch(_COVERAGE.format(scope=scope_sql), params)[0]
    # The last document of this page (the coverage query found it): groups stop there.
    params["page_end"] = coverage["next_after"] or 2**62
    labelled = _LABELLED.format(group_key=_group_key(scope))
    rows = _fetch(f"WITH {scope_sql}, {_SUBMITTED}, {_UNITS}, {labelled} {_COUNTS}", params)
    cells = [row for row in rows if row["part"] == "cell"]
    speakers = [row for row in rows if row["part"] == "speakers"]
    return Counts(cells=cells, speakers=speakers, coverage=coverage)


def who_says_what_claims(*, project: Project, claim_filter: ClaimFilter) -> list[dict[str, Any]]:
    """The counted claims that match ``claim_filter``, with their passages: one page (CLAIM_PAGE + 1 rows,
    the extra one only telling that there is a next page), ordered by passage then claim id. One query."""
    params = _base_params(project, claim_filter.scope)
    # The page cursor also bounds the passages scanned: earlier passages hold no claim of this page.
    scope_sql = _scope_sql(
        claim_filter.scope, params, *(["AND p.id >= %(after_passage)s"] if claim_filter.after else [])
    )
    conditions = ["1 = 1"]
    for name in ("voice", "affiliation", "kind", "perspective", "stance", "attribution", "basis"):
        value = getattr(claim_filter, name)
        if value is not None:
            params[f"f_{name}"] = value
            conditions.append(f"{name} = %(f_{name})s")
    if claim_filter.after is not None:
        params["after_passage"], params["after_unit"] = claim_filter.after
        conditions.append(
            "(passage_id > %(after_passage)s"
            " OR (passage_id = %(after_passage)s AND unit_id > %(after_unit)s))"
        )
    params["limit"] = CLAIM_PAGE + 1
    labelled = _LABELLED.format(group_key="NULL")
    sql = f"WITH {scope_sql}, {_SUBMITTED}, {_UNITS}, {labelled} " + _CLAIMS.format(
        conditions=" AND ".join(conditions)
    )
    return _fetch(sql, params)


def who_says_what_report(*, project: Project, scope: Scope) -> dict[str, Any]:
    """The project's who-says-what report (see crosstab.build_report); two queries."""
    found = who_says_what_counts(project=project, scope=scope)
    return build_report(
        cells=found.cells,
        speakers=found.speakers,
        coverage=found.coverage,
        by=scope.by,
        schema=project.schema,
    )


def claims_page(*, project: Project, claim_filter: ClaimFilter) -> dict[str, Any]:
    """One page of the counted claims behind a figure, each with its passage; ``next`` is the cursor of
    the following page (None on the last). One query."""
    rows = who_says_what_claims(project=project, claim_filter=claim_filter)
    more = len(rows) > CLAIM_PAGE
    rows = rows[:CLAIM_PAGE]
    claims = [
        {
            "id": f"{row['basis']}-{row['unit_id']}",
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
    return {"claims": claims, "next": f"{last['passage_id']}-{last['unit_id']}" if more and last else None}
