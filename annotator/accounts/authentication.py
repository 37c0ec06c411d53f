"""DRF authentication by personal API token: ``Authorization: Token <secret>`` (as before) or ``Bearer``."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from annotator.accounts.models import ApiToken, TokenStatus
from annotator.accounts.services import api_token_note_use
from annotator.accounts.token_secrets import SECRET_MAX_LENGTH, secret_digest

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    """One indexed lookup of the secret's digest (with the user joined); a write at most once a minute.

    A header naming another scheme (Basic, …) is left to the other authentication classes.
    """

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give the token after the keyword, with no spaces in it.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token.") from error
        token = _token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        status = token.status(now=now)
        if status == TokenStatus.REVOKED:
            raise exceptions.AuthenticationFailed(
                "This token was revoked (by hand, or because its owner's password changed)."
            )
        if status == TokenStatus.EXPIRED:
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This token's user is inactive.")
        api_token_note_use(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def _token_for_secret(secret: str) -> ApiToken | None:
    """accounts.selectors.token_for_secret on the request path: the same one indexed lookup (token and user
    in one row), as plain SQL built once, so that no request compiles it again."""
    if not secret or len(secret) > SECRET_MAX_LENGTH:
        return None
    statement, token_names, user_names = _token_statement()
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(statement, [secret_digest(secret)])
        row = cursor.fetchone()
    if row is None:
        return None
    token = ApiToken.from_db(connection.alias, token_names, row[: len(token_names)])
    user = get_user_model().from_db(connection.alias, user_names, row[len(token_names) :])
    ApiToken.user.field.set_cached_value(token, user)
    return token


@cache
def _token_statement() -> tuple[str, list[str], list[str]]:
    """SELECT every column of the token and of its user (in model field order) by the secret's digest."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    user_model = get_user_model()
    token_table, user_table = quote(ApiToken._meta.db_table), quote(user_model._meta.db_table)
    token_fields, user_fields = ApiToken._meta.concrete_fields, user_model._meta.concrete_fields
    columns = [f"{token_table}.{quote(f.column)}" for f in token_fields]
    columns += [f"{user_table}.{quote(f.column)}" for f in user_fields]
    owner = f"{token_table}.{quote(ApiToken._meta.get_field('user').column)}"
    statement = (
        f"SELECT {', '.join(columns)} FROM {token_table} INNER JOIN {user_table}"  # noqa: S608 (quoted names)
        f" ON ({owner} = {user_table}.{quote(user_model._meta.pk.column)})"
        f" WHERE {token_table}.{quote('digest')} = %s LIMIT 1"
    )
    return statement, [f.attname for f in token_fields], [f.attname for f in user_fields]


def user_by_id(user_id: object) -> AbstractBaseUser | None:
    """The user with primary key `user_id` (None if there is none): what a session's login names, read on
    every request by its backend's get_user, as one plain SQL statement built once."""
    users = get_user_model()
    try:
        user_id = users._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    statement, names = _user_statement()
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(statement, [user_id])
        row = cursor.fetchone()
    return users.from_db(connection.alias, names, row) if row is not None else None


@cache
def _user_statement() -> tuple[str, list[str]]:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    users = get_user_model()
    table, fields = quote(users._meta.db_table), users._meta.concrete_fields
    columns = ", ".join(f"{table}.{quote(f.column)}" for f in fields)
    statement = f"SELECT {columns} FROM {table} WHERE {table}.{quote(users._meta.pk.column)} = %s LIMIT 1"  # noqa: S608
    return statement, [f.attname for f in fields]
