"""Scheduling the automatic agreement refresh after annotations change."""

import logging

from django.conf import settings

from annotator.corpus.models import Project

log = logging.getLogger(__name__)


def schedule_refresh(*, project_id: int) -> None:
    """Enqueue a coalesced agreement run a short while from now (never raises into the caller).

    The first submission opens the window (`AGREEMENT_REFRESH_DELAY` seconds); later submissions find the
    run still queued and join it. Whatever goes wrong here (Redis down, a database hiccup) is logged, not
    raised: the annotator's label is already saved, and the reaper or the next submission catches up.
    """
    from annotator.agreement.services import agreement_run_request

    try:
        agreement_run_request(
            project=Project(pk=project_id), countdown=max(float(settings.AGREEMENT_REFRESH_DELAY), 0.001)
        )
    except Exception:
        log.exception("could not schedule the agreement refresh of project %s", project_id)
