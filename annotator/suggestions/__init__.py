"""Offline, rule-based suggestions of claims (direct quotes, reported speech) and their speakers."""

from .detect import Suggestion, detect

__all__ = ["Suggestion", "detect"]
