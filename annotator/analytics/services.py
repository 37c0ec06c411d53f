"""Rebuilding a project's consensus rows (``models.ConsensusClaim``), which the who-says-what pages read.

A claim counts once (see ``crosstab.MAJORITY_DEFINITION``):
- **gold**: every gold claim of an adjudicated passage;
- **majority**: on a passage without adjudication, one claim for each distinct (span, speaker, attribution,
  perspective, stance) that at least two, and more than half, of the passage's submitted annotators marked.

The rows are computed in the database by one INSERT … SELECT (GROUP BY, no Python loop over claims), in
SQL that PostgreSQL and SQLite both run, for the whole project: the ``annotations_changed`` hook names a
project, not a passage. Changes bump ``ConsensusState.generation``; a refresh records the generation it
was built from, so a page knows whether what it shows is current.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Subquery
from django.utils import timezone

from annotator.analytics.models import ConsensusState
from annotator.analytics.params import Scope
from annotator.corpus.models import Project, SpeakerMerge
from annotator.labeling.models import AssignmentStatus

log = logging.getLogger(__name__)

# The passages in scope, with the document and outlet each belongs to.
_SCOPE = """
scope AS (
    SELECT p.id AS passage_id, d.id AS document_id, d.source AS outlet, d.title AS title
    FROM corpus_passage p JOIN corpus_document d ON d.id = p.document_id
    WHERE d.project_id = %(project)s
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

# The common table expressions that define the counted claims (`units`) of project %(project)s.
COUNTED_CLAIMS = f"WITH {_SCOPE}, {_SUBMITTED}, {_UNITS}"

_REFRESH = f"""
INSERT INTO analytics_consensusclaim (project_id, passage_id, document_id, basis, claim_id, start, "end",
    speaker_id, attribution, perspective, stance, agreeing, annotators)
{COUNTED_CLAIMS}
SELECT %(project)s, u.passage_id, s.document_id, u.basis, u.unit_id, u.start, u."end", u.speaker_id,
       u.attribution, u.perspective, u.stance, u.agreeing, u.annotators
FROM units u JOIN scope s ON s.passage_id = u.passage_id"""  # noqa: S608 — constants only


def consensus_refresh(*, project_id: int) -> ConsensusState:
    """Rebuild the project's consensus rows from its current labels, in one transaction; returns the state.

    Idempotent: when the rows are already current it does nothing. Refreshes of one project run one at a
    time (an advisory lock on PostgreSQL), so two never interleave their delete and insert.
    """
    state, _ = ConsensusState.objects.get_or_create(project_id=project_id)
    if state.current:
        return state
    generation = state.generation
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, project_id])
            # The planner's row estimates for these nested aggregates are far too high, so it would spend
            # longer compiling the statement (JIT) than running it: seconds at 200k claims.
            cursor.execute("SET LOCAL jit = off")
        state.refresh_from_db()
        if state.current:
            return state
        generation = state.generation
        cursor.execute("DELETE FROM analytics_consensusclaim WHERE project_id = %s", [project_id])
        cursor.execute(_REFRESH, {"project": project_id, "submitted": AssignmentStatus.SUBMITTED})
        if connection.vendor == "postgresql":
            # Fresh statistics, or the next report plans for the table as it was (nested loops over
            # what the planner thinks is one row); ANALYZE samples, so this stays cheap at any size.
            cursor.execute("ANALYZE analytics_consensusclaim")
        seconds = time.perf_counter() - started
        ConsensusState.objects.filter(pk=project_id, refreshed_generation__lt=generation).update(
            refreshed_generation=generation, refreshed_at=timezone.now(), seconds=seconds
        )
    state.refresh_from_db()
    return state


# A refresh still pending this long after the last change was never sent (a broker outage): send again.
RESEND_AFTER = timedelta(minutes=10)
LOCK_NAMESPACE = 0x5753  # "WS": this module's advisory locks, apart from other users of pg_advisory_*


def consensus_mark_stale(*, project_id: int) -> None:
    """Record that the project's labels changed (one UPDATE, or the first state row)."""
    now = timezone.now()
    if not ConsensusState.objects.filter(pk=project_id).update(
        generation=F("generation") + 1, changed_at=now
    ):
        ConsensusState.objects.get_or_create(project_id=project_id, defaults={"changed_at": now})


def consensus_changed(*, project_id: int) -> None:
    """After annotations changed: mark the rows stale and queue their refresh; never raises and never
    waits for the broker (the labels are saved already; a send that failed is repeated by the next page
    visit once RESEND_AFTER has passed). Without a broker the refresh runs here, now."""
    try:
        consensus_mark_stale(project_id=project_id)
    except Exception:
        log.exception("who-says-what rows of project %s: could not mark them stale", project_id)
        return
    _queue_refresh(project_id)


def _queue_refresh(project_id: int) -> None:
    from annotator.celery import in_background

    # As the agreement refresh is sent: a broker that is down costs its connection timeout in a thread,
    # not in the request that saved the labels.
    in_background(partial(_send_refresh, project_id), name=f"consensus-enqueue-{project_id}")


def _send_refresh(project_id: int) -> None:
    from annotator.analytics.tasks import consensus_refresh_task

    try:
        # A burst of changes queues a task each; the first to run after the delay builds the latest
        # generation and the others find the rows current.
        consensus_refresh_task.apply_async(
            kwargs={"project_id": project_id}, countdown=settings.AGREEMENT_REFRESH_DELAY, retry=False
        )
    except Exception:
        log.exception("who-says-what rows of project %s: could not queue their refresh", project_id)


def consensus_ensure(*, project_id: int) -> ConsensusState | None:
    """The project's state (one query). Rows never built (a project older than this feature) are queued
    now; so are rows older than the project's last speaker merge or undo, which moves claims to another
    speaker without passing the annotations hook. Without a broker the rebuild happens here."""
    changed = SpeakerMerge.objects.filter(project_id=project_id).values("project_id")
    last_merge = changed.annotate(at=Max("merged_at")).values("at")
    last_undo = changed.annotate(at=Max("undone_at")).values("at")
    state = (
        ConsensusState.objects.filter(pk=project_id)
        .annotate(last_merge=Subquery(last_merge[:1]), last_undo=Subquery(last_undo[:1]))
        .first()
    )
    if state is not None and not state.current:
        if state.changed_at is None or timezone.now() - state.changed_at >= RESEND_AFTER:
            # Long stale: the send after the change must have been lost. Asked again, at most this often.
            ConsensusState.objects.filter(pk=project_id).update(changed_at=timezone.now())
            _queue_refresh(project_id)
        return state
    if state is not None:
        moved = [at for at in (state.last_merge, state.last_undo) if at is not None]
        if not moved or state.refreshed_at is None or max(moved) <= state.refreshed_at:
            return state
    consensus_changed(project_id=project_id)
    return ConsensusState.objects.filter(pk=project_id).first()


def who_says_what_current(*, project: Project, scope: Scope | None = None) -> dict[str, Any]:
    """The report by outlet (or ``scope``) as plain data, for the dataset card and the export page; its
    rows are built first when the project never had them."""
    from annotator.analytics.selectors import who_says_what_report

    state = consensus_ensure(project_id=project.pk)
    return who_says_what_report(project=project, scope=scope or Scope(), state=state)
