"""Writes without their follow-ups, for tests that build data through the write services.

Every write that changes a project's annotations ends in ``labeling.services.annotations_changed``, which
schedules the agreement refresh and the who-says-what counts. Patching the two it calls (it imports them
when called) holds them back whichever module's write calls the hook.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock


@contextmanager
def follow_ups_held() -> Iterator[None]:
    with (
        mock.patch("annotator.agreement.scheduling.schedule_refresh"),
        mock.patch("annotator.analytics.services.consensus_changed"),
    ):
        yield
