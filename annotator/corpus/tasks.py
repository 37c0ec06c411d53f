"""Celery adapters for article imports: take an id, call one service."""

from celery import shared_task
from django.db import OperationalError

from annotator.corpus import article_jobs
from annotator.corpus.models import ArticleImportJob
from annotator.jobs import job_heartbeat


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    # The service put the job back in the queue; files already imported are recorded on the job and skipped.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def article_import_execute(job_id: int) -> None:
    with job_heartbeat(ArticleImportJob, job_id):  # this worker is alive: nobody takes the job over
        article_jobs.article_import_execute(job_id=job_id)
