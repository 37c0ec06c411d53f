"""Reads of personal API tokens: one's own list, and the token a request's secret names."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

from annotator.accounts.models import ApiToken
from annotator.accounts.token_secrets import SECRET_MAX_LENGTH, secret_digest


def tokens_of(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first; each carries `user` already (no query per row for status)."""
    return user.api_tokens.order_by("-created_at", "-id")


def own_token(*, user: AbstractBaseUser, token_id: object) -> ApiToken | None:
    """One of the user's tokens by id; None for anyone else's or a malformed id (the caller answers 404)."""
    if isinstance(token_id, str) and token_id.isascii() and token_id.isdigit() and len(token_id) <= 18:
        token_id = int(token_id)
    if not isinstance(token_id, int) or isinstance(token_id, bool):
        return None
    return tokens_of(user=user).filter(pk=token_id).first()


def token_for_secret(secret: str) -> ApiToken | None:
    """The token a presented secret belongs to, with its user: one indexed lookup by digest, as plain SQL
    built once, since every token-authenticated request asks it (no request compiles it again)."""
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
