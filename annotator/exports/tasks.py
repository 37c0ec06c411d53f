"""Celery adapters for exports: take an id, call one service."""

from celery import shared_task
from django.db import OperationalError

from annotator.exports import services
from annotator.exports.models import ExportJob
from annotator.jobs import job_heartbeat


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),  # the service re-queued the job; nothing was half-written
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def export_job_execute(job_id: int) -> None:
    with job_heartbeat(ExportJob, job_id):  # this worker is alive: nobody takes the job over
        services.export_job_execute(job_id=job_id)
