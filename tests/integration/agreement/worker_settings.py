"""Settings of the Celery workers the agreement tests start: the project's, with short timeouts.

AGREEMENT_STALE_AFTER: a killed worker's run counts as abandoned after this many seconds of silence.
AGREEMENT_TEST_QUEUE: each test run uses its own queue on its own Redis database.
"""

import os

from annotator.settings import *  # noqa: F403

AGREEMENT_STALE_AFTER = float(os.environ.get("AGREEMENT_STALE_AFTER", "3"))
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("AGREEMENT_TEST_QUEUE", "celery")
