"""Query parameters, read one way by the API and the pages: a bad value is a 400 naming the parameter.

`str.isdigit()` is no test for a number ("²".isdigit() is True and int("²") raises), and a NUL character
in a string reaches PostgreSQL, which refuses it with an error; these parsers accept only ASCII digits
within PostgreSQL's bigint and text without NUL, and raise `BadParameter` for anything else.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import BadRequest
from rest_framework.exceptions import ValidationError

from annotator.numbers import LARGEST_ID, parse_whole_number


class BadParameter(ValidationError, BadRequest):
    """A query parameter that is not what it must be: DRF answers it as a 400 `{name: [message]}`, and
    Django's own handler answers it as a 400 in the pages (it is a BadRequest)."""

    def __init__(self, name: str, message: str) -> None:
        ValidationError.__init__(self, {name: [message]})
        self.name = name
        self.message = message


def refuse_nul(value: str, *, name: str) -> str:
    if "\x00" in value:
        raise BadParameter(name, "must not contain NUL characters.")
    return value


def text_param(params: Mapping[str, Any], name: str, default: str = "") -> str:
    """The parameter as text (`default` when absent); NUL characters are refused."""
    value = params.get(name)
    if value is None:
        return default
    return refuse_nul(str(value), name=name)


def int_param(params: Mapping[str, Any], name: str, *, required: bool = False) -> int | None:
    """The parameter as a whole number, None when absent or blank (a 400 if `required`); anything but
    ASCII digits is a 400 naming the parameter."""
    raw = params.get(name)
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            raise BadParameter(name, f"Give ?{name}=N (a whole number).")
        return None
    if isinstance(raw, bool):
        raise BadParameter(name, "must be a whole number.")
    if isinstance(raw, int):
        number: int | None = raw if 0 <= raw <= LARGEST_ID else None
    else:
        number = parse_whole_number(str(raw).strip())
    if number is None:
        raise BadParameter(name, "must be a whole number (ASCII digits 0-9).")
    return number


def page_cursor(params: Mapping[str, Any], name: str) -> int | None:
    """A page's position parameter (`?after=`, `?job=`) as a whole number, or None when it is absent or not
    one: a page with a stale or mangled link shows its first page rather than an error."""
    raw = params.get(name)
    return parse_whole_number(str(raw).strip()) if raw is not None else None


def path_id(raw: str | int | None) -> int | None:
    """A primary key taken from the URL (`pk`), or None when it cannot name a row (then: 404)."""
    if isinstance(raw, int):
        return raw if 0 <= raw <= LARGEST_ID else None
    return parse_whole_number(raw) if raw else None


def refuse_nul_anywhere(params: Mapping[str, Any]) -> None:
    """400 when any parameter (every value of a repeated key too) contains a NUL character."""
    many = params.getlist if hasattr(params, "getlist") else None
    for name in params:
        values = many(name) if many else [params[name]]
        for value in values:
            if isinstance(value, str):
                refuse_nul(value, name=name)
