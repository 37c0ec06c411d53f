"""The Celery app: `celery -A annotator worker` starts a worker with the Django settings."""

import os
import threading
from collections.abc import Callable

from celery import Celery
from django.db import connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

app = Celery("annotator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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

    threading.Thread(target=run, name=name, daemon=True).start()
