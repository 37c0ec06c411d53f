"""Errors the write services raise; the API and the pages turn them into 4xx answers."""

from typing import Any


class Conflict(Exception):
    """A write based on a stale version; `current` is the newer state the caller should see instead."""

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current
