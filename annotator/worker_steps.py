"""Worker bootsteps: the job reaper inside each worker, woken at once when the broker connection returns.

``celery -A annotator worker --recover-every SECONDS`` (``annotator worker`` passes it) runs
``annotator.jobs.jobs_recover`` in a thread of the worker's main process every SECONDS, and right after
each time the worker (re)connects to the broker: jobs sent before the connection was lost are sent again,
since Redis may have come back without them and the worker has dropped the delayed messages it held. The
reaper needs only the database, so it runs through a broker outage and sends as soon as Redis answers,
whoever loads a page or not. Every worker runs one; their passes are idempotent conditional updates.

Every RETENTION_EVERY seconds a pass also deletes what has outlived its retention (export jobs with their
files, old agreement runs: annotator/exports/retention.py, annotator/agreement/retention.py); several
workers doing it at once delete each row once.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

import click
from celery import bootsteps
from django.db import connection
from django.utils import timezone

log = logging.getLogger(__name__)

RECOVER_EVERY_OPTION = click.Option(
    ["--recover-every"],
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds between passes of the job reaper in this worker (re-queues and re-sends lost or stale "
    "agreement runs, export and article import jobs); 0: none.",
)


class Reaper(bootsteps.StartStopStep):
    """A daemon thread that runs the job reaper every ``--recover-every`` seconds and when woken."""

    label = "job reaper"
    # After the pool: its processes are forked before this thread exists, never while it holds a lock.
    requires = ("celery.worker.components:Pool",)

    def __init__(self, worker: object, recover_every: float | None = 0.0, **kwargs: object) -> None:
        super().__init__(worker, **kwargs)
        self.every = float(recover_every or 0.0)
        self.enabled = self.every > 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._lost_before: datetime | None = None
        self._down_since: datetime | None = None
        self._thread: threading.Thread | None = None
        self._cleaned_at: float | None = None  # time.monotonic() of the last retention pass

    def start(self, worker: object) -> None:
        global _running
        _running = self
        self._thread = threading.Thread(target=self._loop, name="job-reaper", daemon=True)
        self._thread.start()
        log.info("job reaper: a pass every %.0f s", self.every)

    def stop(self, worker: object) -> None:
        global _running
        _running = None
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def broker_connected(self, lost_at: datetime) -> None:
        """The broker connection is (back) up; messages sent before ``lost_at`` may be gone."""
        with self._lock:
            earliest = self._lost_before
            self._lost_before = lost_at if earliest is None else max(earliest, lost_at)
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._pass()
            self._wake.wait(self.every)
            self._wake.clear()

    def _pass(self) -> None:
        self._retention_pass()
        # The worker's consumer may take up to 30 s to retry its connection after a long outage (kombu's
        # longest interval), so the reaper asks the broker itself: sends go out as soon as Redis answers.
        if not _broker_answers():
            self._down_since = self._down_since or timezone.now()
            log.info("job reaper: the broker does not answer; waiting for it")
            return
        if self._down_since is not None:
            self.broker_connected(self._down_since)
            self._down_since = None
        with self._lock:
            lost_before = self._lost_before
        try:
            self.recover(lost_before)
        except Exception:  # the database or the broker went away meanwhile: the next pass tries again
            log.warning("job reaper: pass failed; trying again in %.0f s", self.every, exc_info=True)
        else:
            with self._lock:
                if self._lost_before == lost_before:
                    self._lost_before = None
        finally:
            connection.close()  # this thread's own database connection; a fresh one next pass

    def _retention_pass(self) -> None:
        """Once every RETENTION_EVERY seconds (the first pass at start): from the database alone."""
        from django.conf import settings

        now = time.monotonic()
        if self._cleaned_at is not None and now - self._cleaned_at < settings.RETENTION_EVERY:
            return
        self._cleaned_at = now
        try:
            self.clean()
        except Exception:  # the database went away: the next retention pass (RETENTION_EVERY on) retries
            log.warning("retention: pass failed", exc_info=True)
        finally:
            connection.close()

    @staticmethod
    def clean() -> None:
        from django.conf import settings

        from annotator.agreement.retention import agreement_runs_expired_delete
        from annotator.exports.retention import exports_expired_delete, partial_exports_delete

        exports = exports_expired_delete(older_than_days=settings.EXPORT_RETENTION_DAYS)
        partial = partial_exports_delete()
        runs = agreement_runs_expired_delete(older_than_days=settings.AGREEMENT_RUN_RETENTION_DAYS)
        if exports or partial or runs:
            log.warning(
                "retention: deleted %s export job(s) with their files, %s partial export file(s) and %s "
                "agreement run(s)",
                exports,
                partial,
                runs,
            )

    @staticmethod
    def recover(lost_before: datetime | None) -> None:
        from annotator.jobs import jobs_recover

        sent = jobs_recover(lost_before=lost_before)
        if sent:
            log.warning("job reaper: sent %s job message(s) again", sent)


def _broker_answers() -> bool:
    from annotator.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
    except Exception:  # any failure to connect means "not now"
        return False
    return True


# The reaper of this process (a worker has one), for the consumer step to wake.
_running: Reaper | None = None


class BrokerWatch(bootsteps.StartStopStep):
    """Tells the reaper each time the consumer has (re)connected and is consuming again."""

    label = "broker watch"
    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, consumer: object, **kwargs: object) -> None:
        super().__init__(consumer, **kwargs)
        # Until a connection is lost, "lost" means the worker's start: no one watched the broker before.
        self._lost_at: datetime | None = None

    def start(self, consumer: object) -> None:
        lost_at = self._lost_at or timezone.now()
        self._lost_at = None
        if _running is not None:
            _running.broker_connected(lost_at)

    def stop(self, consumer: object) -> None:
        # Called when the connection is lost (the consumer restarts its steps) and at shutdown.
        self._lost_at = timezone.now()
