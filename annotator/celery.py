"""The Celery app: `celery -A annotator worker` starts a worker with the Django settings.

`annotator worker` starts one with the job reaper inside it (`--recover-every`, annotator/worker_steps.py)
and restarts it if it dies; on Redis the worker uses the transport in annotator/broker.py.
"""

import os
import threading
from collections.abc import Callable

from celery import Celery
from django.db import connection

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

    threading.Thread(target=run, name=name, daemon=True).start()
