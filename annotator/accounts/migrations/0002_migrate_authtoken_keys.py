"""Carry the keys of rest_framework.authtoken (plain text, one a user) over as hashed tokens, then drop them.

Scripts keep sending the same `Authorization: Token <key>` and keep working; the plain-text keys do not stay
behind in the database. On a database that never had authtoken this does nothing.
"""

from datetime import UTC

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from annotator.accounts.token_secrets import password_fingerprint, secret_digest, secret_prefix

LEGACY_TABLE = "authtoken_token"
LEGACY_NAME = "API token (from before named tokens)"


def migrate_authtoken_keys(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, created, user_id FROM {LEGACY_TABLE}")  # noqa: S608 - a constant name
        rows = cursor.fetchall()
    User = apps.get_model(settings.AUTH_USER_MODEL)
    passwords = dict(User.objects.filter(pk__in=[row[2] for row in rows]).values_list("pk", "password"))
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name=LEGACY_NAME,
            prefix=secret_prefix(key),
            digest=secret_digest(key),
            password_fingerprint=password_fingerprint(passwords.get(user_id) or ""),
            # SQLite hands a raw cursor naive datetimes; with USE_TZ they were stored in UTC.
            created_at=timezone.make_aware(created, UTC) if timezone.is_naive(created) else created,
        )
        for key, created, user_id in rows
        if user_id in passwords
    )
    schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(LEGACY_TABLE)}")
    # So that installing authtoken again one day starts from an empty table instead of a missing one.
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [migrations.RunPython(migrate_authtoken_keys, migrations.RunPython.noop, elidable=True)]
