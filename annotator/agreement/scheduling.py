"""Scheduling the automatic agreement refresh after annotations change.

Replaced by the agreement runs service: enqueue a coalesced run a short while after the last submission.
"""


def schedule_refresh(*, project_id: int) -> None:
    """Enqueue a coalesced agreement run for the project (never raises into the caller)."""
