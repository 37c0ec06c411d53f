"""/healthz and /readyz in-process, on the test database and real Redis: public, answered for any Host,
never redirected, cached, given a session or throttled; /readyz names each failing check without
revealing hosts, ports or passwords. (tests/reliability/test_readiness.py stops real servers.)"""

import time

import psycopg
import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from annotator import health
from tests.reliability.services import free_port

pytestmark = pytest.mark.django_db

REDIS_DB_3 = "redis://127.0.0.1:6379/3"


@pytest.fixture
def probe() -> Client:
    """A load balancer: probes by the machine's address, over plain HTTP, with no cookies."""
    return Client(HTTP_HOST="10.20.30.40")


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHE_URL = ""


def closed_redis_url() -> str:
    return f"redis://:s3cret-pw@127.0.0.1:{free_port()}/3"


def test_healthz_answers_any_host_over_http_without_session_or_caching(probe, settings):
    settings.SECURE_SSL_REDIRECT = True  # what HTTPS=1 sets: the probe must not be redirected
    response = probe.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies, "no session or CSRF cookie"
    assert probe.head("/healthz").status_code == 200
    assert probe.post("/healthz").status_code == 405


def test_readyz_is_ready_with_the_database_migrated_and_no_broker(probe, eager):
    response = probe.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "broker": "not used", "cache": "not used"},
    }
    assert "no-store" in response["Cache-Control"] and not response.cookies


def test_readyz_pings_the_broker_and_the_cache_on_redis(probe, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = REDIS_DB_3
    settings.CACHE_URL = REDIS_DB_3
    response = probe.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"] == "ok" and response.json()["checks"]["cache"] == "ok"


def test_readyz_names_an_unreachable_broker_and_cache_without_revealing_them(probe, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = closed_redis_url()
    settings.CACHE_URL = closed_redis_url()
    started = time.monotonic()
    response = probe.get("/readyz")
    took = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"
    assert body["checks"]["broker"].startswith("ConnectionError: cannot connect"), body
    assert body["checks"]["cache"].startswith("ConnectionError: cannot connect"), body
    text = response.content.decode()
    assert "127.0.0.1" not in text and "s3cret" not in text and "redis://" not in text
    assert took < 2, f"answered in {took:.1f} s"


def test_readyz_reports_unapplied_migrations(probe, eager, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    MigrationRecorder.Migration.objects.filter(app="exports").order_by("-id")[:1].get().delete()
    response = probe.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 migration(s) not applied: run `annotator migrate`"


def test_a_database_error_is_named_without_its_text():
    port = free_port()
    with pytest.raises(psycopg.OperationalError) as raised:
        psycopg.connect(f"postgresql://admin:s3cret-pw@127.0.0.1:{port}/annotator", connect_timeout=2)
    assert "127.0.0.1" in str(raised.value)  # what a naive answer would have shown
    reason = health.failure_reason(raised.value)
    assert reason == "OperationalError: cannot connect (details in the server log)"


def test_probes_are_never_throttled(probe, eager, settings):
    anonymous_limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"].split("/")[0])
    statuses = {probe.get("/healthz").status_code for _ in range(anonymous_limit + 5)}
    statuses |= {probe.get("/readyz").status_code for _ in range(5)}
    assert statuses == {200}
