"""Personal API tokens: only a digest is stored, they expire and are revoked (by hand, and by any password
change), nobody sees or revokes anyone else's, and the keys of the former plain-text tokens keep working."""

import hashlib
import importlib
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from annotator.accounts.models import ApiToken
from annotator.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-Longer-passw0rd"


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


def token_client(secret: str, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


def works(secret: str) -> bool:
    return token_client(secret).get("/api/v1/tokens/").status_code == 200


def create_through_api(user, **body) -> dict:
    client = APIClient()
    client.force_login(user)
    response = client.post("/api/v1/tokens/", {"name": "export script", **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


# --- what is stored ------------------------------------------------------------------------------------


def test_the_secret_is_answered_once_and_only_its_digest_is_stored(alice):
    created = create_through_api(alice)
    secret = created["secret"]
    assert secret.startswith("ann_") and len(secret) == 47
    row = ApiToken.objects.get(pk=created["id"])
    assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:12] == created["prefix"]
    stored = [str(getattr(row, field.attname)) for field in ApiToken._meta.concrete_fields]
    assert not any(secret in value or secret[12:] in value for value in stored)

    listed = token_client(secret).get("/api/v1/tokens/").json()["results"]
    assert [t["id"] for t in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert listed[0]["status"] == "active"


def test_token_and_bearer_both_authenticate_and_a_wrong_secret_does_not(alice):
    _, secret = api_token_create(user=alice, name="script")
    assert token_client(secret, "Token").get("/api/v1/projects/").status_code == 200
    assert token_client(secret, "Bearer").get("/api/v1/projects/").status_code == 200
    wrong = token_client(secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    response = wrong.get("/api/v1/projects/")
    assert response.status_code in (401, 403)
    assert "Invalid token" in response.json()["detail"]
    assert token_client("", "Token").get("/api/v1/projects/").status_code in (401, 403)
    assert token_client("x" * 5000).get("/api/v1/projects/").status_code in (401, 403)


def test_the_request_path_is_one_lookup_and_last_used_is_written_at_most_once_a_minute(alice):
    token, secret = api_token_create(user=alice, name="script")
    client = token_client(secret)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/api/v1/tokens/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get("/api/v1/tokens/").status_code == 200
    lookups = [
        q["sql"] for q in second.captured_queries if 'WHERE "accounts_apitoken"."digest" =' in q["sql"]
    ]
    assert len(lookups) == 1 and "INNER JOIN" in lookups[0]  # the user comes with the token
    updates = [q for q in first.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert not [q for q in second.captured_queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at is not None

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    with CaptureQueriesContext(connection) as later:
        assert client.get("/api/v1/tokens/").status_code == 200
    assert len([q for q in later.captured_queries if q["sql"].startswith("UPDATE")]) == 1
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


# --- expiry and revocation ---------------------------------------------------------------------------------


def test_an_expired_token_is_refused_and_listed_as_expired(alice):
    created = create_through_api(alice, expires_in_days=30)
    expires_at = ApiToken.objects.get(pk=created["id"]).expires_at
    assert timedelta(days=29, hours=23) < expires_at - timezone.now() <= timedelta(days=30)
    assert works(created["secret"])

    _, old = api_token_create(
        user=alice, name="old", expires_in_days=1, now=timezone.now() - timedelta(days=2)
    )
    response = token_client(old).get("/api/v1/tokens/")
    assert response.status_code in (401, 403)
    assert "expired" in response.json()["detail"]
    listed = token_client(created["secret"]).get("/api/v1/tokens/").json()["results"]
    assert {t["name"]: t["status"] for t in listed} == {"export script": "active", "old": "expired"}


def test_revoking_ones_own_token_stops_it_at_once_and_again_is_a_no_op(alice):
    created = create_through_api(alice)
    keep, kept_secret = api_token_create(user=alice, name="another")
    client = token_client(kept_secret)
    assert client.delete(f"/api/v1/tokens/{created['id']}/").status_code == 204
    response = token_client(created["secret"]).get("/api/v1/tokens/")
    assert response.status_code in (401, 403)
    assert "revoked" in response.json()["detail"]
    first_revoked_at = ApiToken.objects.get(pk=created["id"]).revoked_at
    assert client.delete(f"/api/v1/tokens/{created['id']}/").status_code == 204
    assert ApiToken.objects.get(pk=created["id"]).revoked_at == first_revoked_at
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert {t["id"]: t["status"] for t in listed} == {created["id"]: "revoked", keep.pk: "active"}


def test_an_inactive_users_token_is_refused(alice):
    _, secret = api_token_create(user=alice, name="script")
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert not works(secret)


# --- a password change revokes, whatever the path ---------------------------------------------------------


def change_on_the_password_change_page(user) -> None:
    client = APIClient()
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": f"{user.username}-pw-123",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content


def change_in_the_admin(user) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "root-pw-123")
    client = APIClient()
    client.force_login(admin)
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content


def disable_in_the_admin(user) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "root-pw-123")
    client = APIClient()
    client.force_login(admin)
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/", {"usable_password": "false", "unset-password": "1"}
    )
    assert response.status_code == 302, response.content


def change_through_the_set_password_link(user) -> None:
    client = APIClient()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = f"/accounts/reset/{uid}/{PasswordResetTokenGenerator().make_token(user)}/"
    form = client.get(link)
    assert form.status_code == 302  # to the same page without the token in its address
    response = client.post(form["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content


def change_with_the_changepassword_command(user) -> None:
    with mock.patch.object(changepassword.Command, "_get_pass", return_value=NEW_PASSWORD):
        call_command("changepassword", user.username, stdout=io.StringIO())


@pytest.mark.parametrize(
    "change",
    [
        change_on_the_password_change_page,
        change_in_the_admin,
        disable_in_the_admin,
        change_through_the_set_password_link,
        change_with_the_changepassword_command,
    ],
)
def test_a_password_change_by_any_path_revokes_the_users_tokens(alice, bob, change):
    token, secret = api_token_create(user=alice, name="script")
    _, bobs = api_token_create(user=bob, name="bob's script")
    assert works(secret)
    before = alice.password
    change(alice)
    alice.refresh_from_db()
    assert alice.password != before
    response = token_client(secret).get("/api/v1/tokens/")
    assert response.status_code in (401, 403)
    assert "password changed" in response.json()["detail"]
    assert works(bobs)  # nobody else's
    token = ApiToken.objects.select_related("user").get(pk=token.pk)
    assert token.status() == "revoked"
    _, fresh = api_token_create(user=alice, name="after the change")
    assert works(fresh)


# --- nobody else's ---------------------------------------------------------------------------------------


def test_another_users_token_cannot_be_listed_or_revoked(alice, bob):
    alices, alice_secret = api_token_create(user=alice, name="alice's")
    _, bob_secret = api_token_create(user=bob, name="bob's")
    as_bob = token_client(bob_secret)
    assert [t["name"] for t in as_bob.get("/api/v1/tokens/").json()["results"]] == ["bob's"]
    assert as_bob.delete(f"/api/v1/tokens/{alices.pk}/").status_code == 404
    page = APIClient()
    page.force_login(bob)
    assert page.post("/account/tokens/", {"action": "revoke", "token": alices.pk}).status_code == 404
    assert "alice&#x27;s" not in page.get("/account/tokens/").content.decode()
    assert works(alice_secret)
    assert ApiToken.objects.get(pk=alices.pk).revoked_at is None


def test_anonymous_requests_get_nothing(alice):
    api_token_create(user=alice, name="script")
    client = APIClient()
    assert client.get("/api/v1/tokens/").status_code in (401, 403)
    assert client.post("/api/v1/tokens/", {"name": "x"}, format="json").status_code in (401, 403)
    assert client.get("/account/tokens/").status_code == 302  # to the login page


def test_a_token_cannot_create_tokens(alice):
    _, secret = api_token_create(user=alice, name="script")
    response = token_client(secret).post("/api/v1/tokens/", {"name": "child"}, format="json")
    assert response.status_code == 403
    assert "cannot create tokens" in response.json()["detail"]
    assert ApiToken.objects.filter(user=alice).count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "nul\x00char"}, "name"),
        ({"name": "bell\x07"}, "name"),
        ({"name": "ok", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": 3651}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": "soon"}, "expires_in_days"),
        ({}, "name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(alice, body, field):
    client = APIClient()
    client.force_login(alice)
    response = client.post("/api/v1/tokens/", body, format="json")
    assert response.status_code == 400
    # A NUL is refused by the JSON parser for every endpoint, before the field is read.
    assert field in response.json() or "NUL" in response.json().get("detail", "")
    assert not ApiToken.objects.exists()


def test_a_lone_surrogate_in_the_name_is_a_400(alice):
    client = APIClient()
    client.force_login(alice)
    response = client.post(
        "/api/v1/tokens/", b'{"name": "bad \\ud800 name"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "lone surrogate" in response.json()["detail"]  # refused by the API's JSON parser
    assert not ApiToken.objects.exists()


def test_a_body_that_is_not_an_object_and_a_malformed_id_are_4xx(alice):
    client = APIClient()
    client.force_login(alice)
    assert client.post("/api/v1/tokens/", [1, 2], format="json").status_code == 400
    assert client.delete("/api/v1/tokens/abc/").status_code == 404
    assert client.delete("/api/v1/tokens/99999999999999999999999/").status_code == 404


# --- the page, the command, the admin ---------------------------------------------------------------------


def test_the_page_shows_a_new_secret_once_and_never_lets_it_be_cached(alice):
    # The secret waits in the server-side session for the redirected GET only.
    client = APIClient()
    client.force_login(alice)
    made = client.post("/account/tokens/", {"name": "lab PC", "expires_in_days": "30"})
    assert made.status_code == 302  # a reload cannot make a second token
    response = client.get(made["Location"])
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=alice)
    page = response.content.decode()
    secret = page.split('id="token-secret" type="text" readonly value="')[1].split('"')[0]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.digest
    assert token.expires_at is not None
    again = client.get("/account/tokens/").content.decode()
    assert secret not in again and token.prefix in again and "lab PC" in again
    assert not any(secret in str(value) for value in client.session.values())
    assert client.post("/account/tokens/", {"name": ""}).status_code == 400


def test_the_command_prints_a_working_secret_and_refuses_an_unknown_user(alice):
    out = io.StringIO()
    call_command(
        "create_api_token",
        "alice",
        "--name",
        "cron export",
        "--expires-in-days",
        "7",
        stdout=out,
        stderr=io.StringIO(),
    )
    secret = out.getvalue().strip()
    assert works(secret)
    assert ApiToken.objects.get(user=alice).name == "cron export"
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody", "--name", "x", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="name"):
        call_command("create_api_token", "alice", "--name", " ", stdout=io.StringIO(), stderr=io.StringIO())


def test_an_admin_sees_everyones_tokens_and_revokes_them(alice, bob, django_user_model):
    alices, alice_secret = api_token_create(user=alice, name="alice's script")
    bobs, bob_secret = api_token_create(user=bob, name="bob's script")
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "root-pw-123")
    client = APIClient()
    client.force_login(admin)
    listing = client.get("/admin/accounts/apitoken/").content.decode()
    assert "alice&#x27;s script" in listing and "bob&#x27;s script" in listing
    assert alice_secret not in listing
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [alices.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not works(alice_secret)
    assert works(bob_secret)
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403


# --- the keys of rest_framework.authtoken -----------------------------------------------------------------


def test_the_former_plain_text_keys_become_hashed_tokens_and_keep_working(alice, bob):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite cannot alter tables inside the test's transaction; migrate does it outside one")
    migration = importlib.import_module("annotator.accounts.migrations.0002_migrate_authtoken_keys")
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.schema_editor() as editor:
        editor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with time zone "
            "NOT NULL, user_id integer NOT NULL UNIQUE)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created datetime NOT NULL, "
            "user_id integer NOT NULL UNIQUE)"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [key, timezone.now() - timedelta(days=400), alice.pk],
        )
    assert not works(key)
    with connection.schema_editor() as editor:
        migration.migrate_authtoken_keys(django_apps, editor)

    assert works(key)
    token = ApiToken.objects.get(user=alice)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    assert timezone.now() - token.created_at > timedelta(days=399)
    assert "authtoken_token" not in connection.introspection.table_names()  # no plain-text key stays behind
    # And it is bound to the password like any other token.
    alice.set_password(NEW_PASSWORD)
    alice.save()
    assert not works(key)


def test_a_login_that_rehashes_the_same_password_keeps_the_tokens(settings, alice):
    """Django stores the same password hashed again when its preferred hasher changed (e.g. after a Django
    upgrade); that is no password change, so the tokens bound to the old hash follow it."""
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    alice.password = make_password("alice-pw-123", hasher="md5")
    alice.save(update_fields=["password"])
    alice.refresh_from_db()
    _, secret = api_token_create(user=alice, name="script")
    stale = ApiToken.objects.create(
        user=alice,
        name="from an older password",
        prefix="old",
        digest="0" * 64,
        password_fingerprint="1" * 64,
    )
    client = APIClient()
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-pw-123"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.password.startswith("scrypt$")  # rehashed
    assert works(secret)
    stale.refresh_from_db()
    assert stale.password_fingerprint == "1" * 64  # a token of an older password is not revived
