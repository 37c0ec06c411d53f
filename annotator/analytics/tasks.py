"""Celery adapter: rebuild a project's consensus rows (a project id in, one service call)."""

from __future__ import annotations

from celery import shared_task

from annotator.analytics import services


@shared_task(name="analytics.consensus_refresh", acks_late=True, ignore_result=True)
def consensus_refresh_task(project_id: int) -> None:
    services.consensus_refresh(project_id=project_id)
