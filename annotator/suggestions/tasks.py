"""Celery adapters for suggestions: take document ids, call one service."""

from celery import shared_task
from django.db import OperationalError

from annotator.suggestions import services


@shared_task(
    name="suggestions.suggestions_detect_documents",
    acks_late=True,
    reject_on_worker_lost=True,
    # Each document is its own transaction and a re-run changes nothing already done: retrying is safe.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    ignore_result=True,
)
def suggestions_detect_documents(document_ids: list[int]) -> int:
    """Compute the suggestions of these documents; returns how many rows were added."""
    return services.suggestions_detect_documents(document_ids=document_ids).added
