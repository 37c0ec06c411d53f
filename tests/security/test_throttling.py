"""Login lockout after repeated failures (django-axes) and the API throttles: 429, a reason, Retry-After."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def fail_logins(client: Client, url: str, username: str, times: int, **extra) -> list[int]:
    return [
        client.post(url, {"username": username, "password": "wrong-guess"}, **extra).status_code
        for _ in range(times)
    ]


def test_five_wrong_passwords_lock_the_username_even_against_the_right_one(client, alice, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = fail_logins(client, LOGIN, "alice", 5)
    assert statuses[:4] == [200, 200, 200, 200]  # the form again, with its error

    response = client.post(LOGIN, {"username": "alice", "password": "alice-pw-123"})

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_username_and_address(client, alice, make_user):
    make_user("bob")
    fail_logins(client, LOGIN, "alice", 5)

    other_user = client.post(LOGIN, {"username": "bob", "password": "bob-pw-123"})
    assert other_user.status_code == 302

    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    same_user_other_address = elsewhere.post(LOGIN, {"username": "alice", "password": "alice-pw-123"})
    assert same_user_other_address.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, alice):
    fail_logins(client, LOGIN, "alice", 5)

    response = client.post(
        LOGIN, {"username": "alice", "password": "alice-pw-123"}, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    assert response.status_code == 429


def test_the_admin_login_is_locked_too(client, make_user):
    make_user("root", is_staff=True, is_superuser=True)
    statuses = fail_logins(client, ADMIN_LOGIN, "root", 5)
    assert statuses[:4] == [200, 200, 200, 200]

    response = client.post(ADMIN_LOGIN, {"username": "root", "password": "root-pw-123"})

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_an_api_client_gets_json_429_with_retry_after(client, alice):
    fail_logins(client, LOGIN, "alice", 5)

    response = client.post(
        LOGIN, {"username": "alice", "password": "alice-pw-123"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert "Too many failed logins" in body["detail"]
    assert body["retry_after"] == 15 * 60
    assert response["Retry-After"] == "900"


def test_the_lockout_ends_after_the_cool_off(client, alice, settings):
    fail_logins(client, LOGIN, "alice", 5)
    assert client.post(LOGIN, {"username": "alice", "password": "alice-pw-123"}).status_code == 429

    # As if the cool-off had passed: the failures are older than the window.
    earlier = AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=earlier)

    assert client.post(LOGIN, {"username": "alice", "password": "alice-pw-123"}).status_code == 302


def test_an_admin_unlocks_a_locked_user_in_the_admin(client, alice, make_user):
    fail_logins(client, LOGIN, "alice", 5)
    attempt = AccessAttempt.objects.get(username="alice")
    admin = Client(REMOTE_ADDR="10.9.9.9")
    admin.force_login(make_user("root", is_staff=True, is_superuser=True))

    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "alice" in listing.content.decode()
    deleted = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302

    assert client.post(LOGIN, {"username": "alice", "password": "alice-pw-123"}).status_code == 302


def test_a_successful_login_clears_earlier_failures(client, alice):
    fail_logins(client, LOGIN, "alice", 4)
    assert client.post(LOGIN, {"username": "alice", "password": "alice-pw-123"}).status_code == 302
    client.logout()

    fail_logins(client, LOGIN, "alice", 4)

    assert client.post(LOGIN, {"username": "alice", "password": "alice-pw-123"}).status_code == 302


# --- API throttles ------------------------------------------------------------------------------------


def test_an_authenticated_user_over_the_rate_gets_json_429_with_retry_after(alice, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100/min", "user": "5/min"},
    }
    api = APIClient()
    api.force_authenticate(alice)

    statuses = [api.get("/api/v1/projects/").status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]
    response = api.get("/api/v1/projects/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "throttled" in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 60


def test_users_are_throttled_separately(alice, make_user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100/min", "user": "3/min"},
    }
    first, second = APIClient(), APIClient()
    first.force_authenticate(alice)
    second.force_authenticate(make_user("bob"))
    for _ in range(3):
        first.get("/api/v1/projects/")

    assert first.get("/api/v1/projects/").status_code == 429
    assert second.get("/api/v1/projects/").status_code == 200


def test_anonymous_clients_are_throttled_by_address_and_cannot_forge_one(settings):
    """The schema is the one API answer an anonymous client gets, and the costliest to build."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "100/min"},
    }
    api = APIClient()
    statuses = [api.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(3)]

    assert statuses == [200, 200, 429]
    assert int(api.get("/api/schema/")["Retry-After"]) > 0
    assert APIClient(REMOTE_ADDR="10.0.0.7").get("/api/schema/").status_code == 200


def test_the_default_rates_leave_room_for_a_fast_annotator(settings):
    """The editor at full speed sends ~90 requests a minute (tests/e2e/test_editor_request_rate.py)."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    count, period = rates["user"].split("/")
    assert period.startswith("m") and int(count) >= 600
    count, period = rates["anon"].split("/")
    assert period.startswith("m") and int(count) <= 300


@pytest.mark.urls("tests.security.lockout_urls")
def test_an_api_endpoint_that_checks_passwords_is_locked_with_json_429(alice):
    api = APIClient()
    wrong = {"username": "alice", "password": "wrong-guess"}
    statuses = [api.post("/api/v1/password-check/", wrong, format="json").status_code for _ in range(5)]
    assert statuses[:4] == [400] * 4

    response = api.post(
        "/api/v1/password-check/", {"username": "alice", "password": "alice-pw-123"}, format="json"
    )

    assert response.status_code == 429
    assert "Too many failed logins" in response.json()["detail"]
    assert response["Retry-After"] == "900"
