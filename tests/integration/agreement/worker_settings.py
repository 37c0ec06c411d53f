"""Settings of the Celery workers the agreement tests start: the project's, with short timeouts.

AGREEMENT_STALE_AFTER: a killed worker's run counts as abandoned after this many seconds of silence.
AGREEMENT_TEST_QUEUE: each test run uses its own queue on its own Redis database.
"""

import os

from annotator.settings import *  # noqa: F403

AGREEMENT_STALE_AFTER = float(os.environ.get("AGREEMENT_STALE_AFTER", "3"))
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("AGREEMENT_TEST_QUEUE", "celery")
# Look for unacknowledged messages of dead workers every second (kombu's default: every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
