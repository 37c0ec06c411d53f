"""Readiness checks for /readyz: can this process serve requests and send jobs right now?

Each check answers "ok" (or "not used") or says briefly why not. The reason names the error's class and
what happened (cannot connect, timed out) and never its text: a probe is public, and the text of a
connection error names hosts, ports, users and server versions. The full error goes to the log.
"""

from __future__ import annotations

import logging
import threading

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

OK = "ok"
NOT_USED = "not used"
# Seconds a check may take: the statement timeout of the database's check, the socket timeouts of Redis's.
# (Opening a database connection is bounded by DB_CONNECT_TIMEOUT.)
CHECK_TIMEOUT_SECONDS = 2.0

_TIMED_OUT = ("timeout", "timed out", "canceling statement")
_CANNOT_CONNECT = ("refused", "connect", "closed", "reset", "unreachable", "resolve", "name or service")


def failure_reason(error: BaseException) -> str:
    """What went wrong, without the error's own words (see the module's docstring)."""
    text = f"{error} {error.__cause__ or ''}".lower()
    if isinstance(error, TimeoutError | redis.TimeoutError) or any(word in text for word in _TIMED_OUT):
        what = f"timed out after {CHECK_TIMEOUT_SECONDS:g} s"
    elif isinstance(error, ConnectionError | redis.ConnectionError) or any(
        word in text for word in _CANNOT_CONNECT
    ):
        what = "cannot connect"
    else:
        what = "failed"
    return f"{type(error).__name__}: {what} (details in the server log)"


def database_check() -> str:
    """One `SELECT 1` on this thread's connection (the one its requests use), under a statement timeout."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {int(CHECK_TIMEOUT_SECONDS * 1000)}")
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure makes the process unready; the log keeps the details
        log.warning("readiness: the database check failed", exc_info=True)
        return failure_reason(error)
    return OK


_redis_clients: dict[str, redis.Redis] = {}
_redis_clients_lock = threading.Lock()


def _redis_client(url: str) -> redis.Redis:
    """A client kept per URL, with short timeouts and one retry at once: a probe answers quickly."""
    with _redis_clients_lock:
        client = _redis_clients.get(url)
        if client is None:
            client = _redis_clients[url] = redis.Redis.from_url(
                url,
                socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
                socket_timeout=CHECK_TIMEOUT_SECONDS,
                retry=Retry(
                    NoBackoff(), 1
                ),  # once more on a new connection: one kept since a restart is dead
            )
        return client


def redis_ping(url: str, *, what: str) -> str:
    try:
        _redis_client(url).ping()
    except Exception as error:  # as above
        log.warning("readiness: the %s check failed", what, exc_info=True)
        return failure_reason(error)
    return OK


def _is_redis(url: str) -> bool:
    return url.split("://", 1)[0] in ("redis", "rediss", "unix")


def broker_check() -> str:
    """Redis answers PING (the broker jobs are sent to); "not used" when tasks run in-process."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return NOT_USED
    url = settings.CELERY_BROKER_URL
    if _is_redis(url):
        return redis_ping(url, what="broker")
    from annotator.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
    except Exception as error:  # as above
        log.warning("readiness: the broker check failed", exc_info=True)
        return failure_reason(error)
    return OK


def cache_check() -> str:
    """The shared cache (sessions and throttle counts) answers; "not used" without CACHE_URL."""
    url = settings.CACHE_URL.split(",", 1)[0].strip()  # Django's RedisCache takes a primary, then replicas
    if not url:
        return NOT_USED
    return redis_ping(url, what="cache")


# Once every migration is found applied the answer stays yes for this process: migrations are only added
# by deploying new code, which starts new processes.
_migrations_applied = False


def migrations_check() -> str:
    global _migrations_applied
    if _migrations_applied:
        return OK
    try:
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # as above
        log.warning("readiness: the migrations check failed", exc_info=True)
        return failure_reason(error)
    if unapplied:
        return f"{len(unapplied)} migration(s) not applied: run `annotator migrate`"
    _migrations_applied = True
    return OK


def readiness() -> dict[str, str]:
    """Every check's answer; the process is ready when each is "ok" or "not used"."""
    checks = {"database": database_check()}
    checks["migrations"] = (
        migrations_check() if checks["database"] == OK else "not checked: the database is unavailable"
    )
    checks["broker"] = broker_check()
    checks["cache"] = cache_check()
    return checks


def ready(checks: dict[str, str]) -> bool:
    return all(answer in (OK, NOT_USED) for answer in checks.values())
