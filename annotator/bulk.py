"""Writing many rows at once: COPY on PostgreSQL (no SQL to build per row), bulk INSERT elsewhere."""

import json
from collections.abc import Sequence

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

BATCH_SIZE = 2000


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Insert ``rows`` (values in the order of ``fields``, model field names) into ``model``'s table.

    Nothing is filled in for the caller: give every column that has no database default (``auto_now``
    times, versions). Constraints and triggers run as for any insert. No rows, no query.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy(model, fields, rows)
        return
    model.objects.bulk_create(
        (model(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=BATCH_SIZE
    )


def insert_rows_returning_ids(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]
) -> list[int]:
    """``insert_rows``, returning the new primary keys in the order of ``rows``.

    On PostgreSQL the keys are drawn from the table's sequence first (one query), then the rows go in by
    COPY with their keys, so no row needs its own INSERT ... RETURNING.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=BATCH_SIZE
        )
        return [obj.pk for obj in created]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    _copy(model, ("id", *fields), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
    return ids


def _copy(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> None:
    columns = [model._meta.get_field(f) for f in fields]
    names = ", ".join(connection.ops.quote_name(column.column) for column in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    json_at = [n for n, column in enumerate(columns) if isinstance(column, models.JSONField)]
    # Django wraps execute()'s errors but not COPY's: wrap these too (django.db.IntegrityError, DataError).
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            if json_at:  # COPY takes JSON as text; Django's encoder writes what a JSONField would
                row = list(row)
                for n in json_at:
                    row[n] = json.dumps(row[n], cls=DjangoJSONEncoder) if row[n] is not None else None
            copy.write_row(row)
