"""Length limits in the database: a check constraint per free-text field, and the migration step that
refuses to add one while stored rows are longer (naming them) instead of failing on an opaque error or
cutting anyone's text."""

from collections.abc import Callable
from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import migrations
from django.db.models import CheckConstraint
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from annotator.limits import too_long


def length_at_most(field: str, limit: int, *, name: str, label: str) -> CheckConstraint:
    return CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=name,
        violation_error_message=too_long(label, limit),
    )


def max_length(limit: int) -> list[MaxLengthValidator]:
    """Field validators, so model forms (the admin) name the field over its limit."""
    return [MaxLengthValidator(limit)]


class StoredTextTooLong(Exception):
    """Existing rows are longer than the limit a migration is about to enforce."""


def refuse_longer_rows(app_label: str, model_name: str, field: str, limit: int) -> migrations.RunPython:
    """A migration step that stops, naming the rows, when any stored `field` is over `limit` characters.

    Nothing is truncated: shorten those texts (or raise the limit) and migrate again.
    """

    def check(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        longer = model.objects.alias(length=Length(field)).filter(length__gt=limit)
        count = longer.count()
        if count:
            ids = list(longer.order_by("pk").values_list("pk", flat=True)[:20])
            more = f" and {count - len(ids)} more" if count > len(ids) else ""
            raise StoredTextTooLong(
                f"{count} {app_label}.{model_name} row(s) have a {field} longer than {limit:,} characters "
                f"(ids {', '.join(map(str, ids))}{more}). This migration adds that limit and truncates "
                "nothing: shorten those texts, then run migrate again."
            )

    noop: Callable[..., None] = migrations.RunPython.noop
    return migrations.RunPython(check, noop, elidable=False)
