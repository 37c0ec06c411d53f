"""Retention of export files: finished export jobs are deleted, with their files, some days after they
finished (EXPORT_RETENTION_DAYS; 0 keeps them forever). The export page then no longer lists them: the
same export is one click away. A queued or running job is never touched, however old.

The half-written file of an export whose worker died (`.partial-*`, see `services.write_export`) is
deleted once nothing has written to it for PARTIAL_FILE_MAX_AGE, whatever EXPORT_RETENTION_DAYS says: a
running export writes to its file all the time, and no job ever points at a partial file.
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from annotator.agreement.models import RunStatus
from annotator.exports.models import ExportJob
from annotator.exports.services import EXPORT_DIR, PARTIAL_PREFIX

log = logging.getLogger(__name__)

FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED)
BATCH = 1000  # rows deleted by one statement: short transactions, whatever the backlog
PARTIAL_FILE_MAX_AGE = timedelta(days=1)


def exports_expired_delete(*, older_than_days: int, now: datetime | None = None) -> int:
    """Delete export jobs that finished more than `older_than_days` days ago, and their files; how many.

    The rows go first, a batch per statement, then their files: a download never finds a row whose file
    is gone, and a file left behind by a failure to delete it is only disk space (logged).
    """
    if older_than_days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    expired = ExportJob.objects.filter(status__in=FINISHED, finished_at__lt=cutoff)
    storage = ExportJob._meta.get_field("file").storage
    deleted = 0
    while batch := list(expired.order_by("pk").values_list("pk", "file")[:BATCH]):
        with transaction.atomic():
            ExportJob.objects.filter(pk__in=[pk for pk, _ in batch], status__in=FINISHED).delete()
        for _, name in batch:
            if not name:
                continue
            try:
                storage.delete(name)
            except OSError:
                log.warning("export retention: could not delete %s", name, exc_info=True)
        deleted += len(batch)
    return deleted


def partial_exports_delete(*, now: datetime | None = None) -> int:
    """Delete the export folder's partial files not written to for PARTIAL_FILE_MAX_AGE; how many."""
    folder = Path(settings.MEDIA_ROOT) / EXPORT_DIR
    cutoff = ((now or timezone.now()) - PARTIAL_FILE_MAX_AGE).timestamp()
    deleted = 0
    for path in folder.glob(f"{PARTIAL_PREFIX}*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # another worker's pass took it first
            continue
        except OSError:
            log.warning("export retention: could not delete %s", path, exc_info=True)
    return deleted
