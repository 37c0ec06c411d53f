"""The Celery app for test workers: the project's app, optionally slowed down where a run computes.

With AGREEMENT_TEST_SLOW_SECONDS set, every agreement computation in this worker first sleeps that long
(its heartbeat still beating), so a test can kill the worker at a known point in the middle of a run.
"""

import os
import time

from celery.signals import task_prerun

from annotator.celery import app

__all__ = ["app"]


@task_prerun.connect
def _slow_down(**kwargs: object) -> None:
    seconds = float(os.environ.get("AGREEMENT_TEST_SLOW_SECONDS", "0"))
    from annotator.agreement import services

    if not seconds or getattr(services.run_results, "slowed", False):
        return
    real_report = services.run_results

    def slow_report(*args: object, **options: object) -> dict:
        time.sleep(seconds)
        return real_report(*args, **options)

    slow_report.slowed = True
    services.run_results = slow_report
