"""Retention of agreement runs: finished runs are deleted some days after they finished
(AGREEMENT_RUN_RETENTION_DAYS; 0 keeps them forever), except each project's latest succeeded run, which
the dashboard and the exports show, and the run whose figures it reused. Queued and running runs are never
touched, however old.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotator.agreement.models import AgreementRun, RunStatus

FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED)
BATCH = 1000  # rows deleted by one statement: short transactions, whatever the backlog


def agreement_runs_expired_delete(*, older_than_days: int, now: datetime | None = None) -> int:
    """Delete runs that finished more than `older_than_days` days ago, but the ones kept; how many."""
    if older_than_days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    # The project's latest succeeded run, ordered as agreement.selectors.latest_succeeded_run orders it.
    latest = AgreementRun.objects.filter(
        project_id=OuterRef("project_id"), status=RunStatus.SUCCEEDED
    ).order_by("-finished_at", "-id")
    # Coalesced: a project with no such run (or a latest run that reused none) gives NULL, and
    # `NOT (pk = NULL)` would keep every run of it.
    kept = Q(pk=Coalesce(Subquery(latest.values("pk")[:1]), Value(0))) | Q(
        pk=Coalesce(Subquery(latest.values("reused_from_id")[:1]), Value(0))
    )
    expired = AgreementRun.objects.filter(status__in=FINISHED, finished_at__lt=cutoff).exclude(kept)
    deleted = 0
    while ids := list(expired.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            # Only the ids are loaded: the results stay in the database. Later runs that reused these
            # runs' figures keep them (a copy) and lose only the link (reused_from: SET NULL).
            AgreementRun.objects.filter(pk__in=ids).only("pk").delete()
        deleted += len(ids)
    return deleted
