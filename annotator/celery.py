"""The Celery app: `celery -A annotator worker` starts a worker with the Django settings.

`annotator worker` starts one with the job reaper inside it (`--recover-every`, annotator/worker_steps.py)
and restarts it if it dies; on Redis the worker uses the transport in annotator/broker.py.
"""

import contextvars
import logging
import os
import threading
from collections.abc import Callable

from celery import Celery, signals
from django.db import connection

from annotator.logging_context import REQUEST_ID, TASK_HEADER, handlers_to_json, request_id_valid
from annotator.worker_steps import RECOVER_EVERY_OPTION, BrokerWatch, Reaper

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

app = Celery("annotator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.user_options["worker"].add(RECOVER_EVERY_OPTION)
app.steps["worker"].add(Reaper)
app.steps["consumer"].add(BrokerWatch)


def in_background(work: Callable[[], object], *, name: str) -> None:
    """Run `work` (a send) in a daemon thread, closing that thread's database connection afterwards, so
    not even a broker's connection timeout reaches the caller; with tasks eager (no broker) run it here."""
    if app.conf.task_always_eager:
        work()
        return

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    # The thread sends with the caller's context: its request id goes into the task's headers.
    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(run,), name=name, daemon=True).start()


# --- the request id, from the request that sends a task to the worker that runs it ----------------------


@signals.before_task_publish.connect
def _request_id_to_headers(headers: dict | None = None, **kwargs: object) -> None:
    request_id = REQUEST_ID.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def _sent_request_id(task: object) -> str | None:
    request = getattr(task, "request", None)
    found = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return found if isinstance(found, str) and request_id_valid(found) else None


def _in_worker(task: object) -> bool:
    # An eager task runs inside the request that called it, whose id is already set.
    return not getattr(getattr(task, "request", None), "is_eager", False)


@signals.task_prerun.connect
def _request_id_from_headers(task: object = None, **kwargs: object) -> None:
    if _in_worker(task):
        # A pool thread runs one task after another: a task sent without an id must not show the last one's.
        REQUEST_ID.set(_sent_request_id(task))


@signals.task_postrun.connect
def _request_id_clear(task: object = None, **kwargs: object) -> None:
    if _in_worker(task):
        REQUEST_ID.set(None)


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _worker_logs_as_json(logger: logging.Logger | None = None, **kwargs: object) -> None:
    """Celery sets up a worker's logging itself; with LOG_FORMAT=json its lines are JSON objects too."""
    from django.conf import settings

    if logger is not None and settings.LOG_FORMAT == "json":
        handlers_to_json(logger)
