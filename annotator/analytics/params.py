"""What a who-says-what request asks for, read from query parameters (pure; no Django).

The page, the API and the CSV read the same parameters through these two functions, so a bad value is
refused with the same message everywhere (``ParamError`` → 400 naming the parameter).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from annotator.numbers import parse_whole_number

GROUPINGS = ("outlet", "document")
BASES = ("gold", "majority")
VOICES = ("speaker", "author", "unnamed")
DOCUMENT_PAGE = 50  # documents per page when grouping by document
CLAIM_PAGE = 25  # claims per page of the drill-down list


class ParamError(ValueError):
    """Bad query parameters; ``errors`` maps each parameter to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Scope:
    """Which documents the figures cover and how they are grouped.

    ``outlets``/``documents``: None for all, else only those (an outlet "" is the documents with none).
    ``after``: with ``by="document"``, the groups start after this document id (pages of DOCUMENT_PAGE).
    """

    by: str = "outlet"
    outlets: tuple[str, ...] | None = None
    documents: tuple[int, ...] | None = None
    after: int | None = None


@dataclass(frozen=True)
class ClaimFilter:
    """The claims behind one bar segment, heatmap cell or table row; None leaves a field open."""

    scope: Scope
    voice: str | None = None
    affiliation: str | None = None
    kind: str | None = None
    perspective: str | None = None
    stance: str | None = None
    attribution: str | None = None
    basis: str | None = None
    after: tuple[int, int] | None = None  # (passage id, claim id) of the last claim on the previous page

    def as_query(self) -> dict[str, str]:
        """Query parameters that select the same claims (without the page cursor)."""
        query: dict[str, str] = {}
        if self.scope.outlets is not None and len(self.scope.outlets) == 1:
            query["outlet"] = self.scope.outlets[0]
        if self.scope.documents is not None and len(self.scope.documents) == 1:
            query["document"] = str(self.scope.documents[0])
        for name in ("voice", "affiliation", "kind", "perspective", "stance", "attribution", "basis"):
            value = getattr(self, name)
            if value is not None:
                query[name] = value
        return query


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(name)]
    value = params.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _positive_int(value: str, name: str, errors: dict[str, str]) -> int | None:
    number = parse_whole_number(value)
    if number is None:
        errors[name] = f"{value!r} is not a whole number."
    return number


def parse_scope(params: Mapping[str, Any], *, by: str | None = None) -> Scope:
    """The scope named by ``by``, ``outlet`` (repeatable; present but empty: no outlet), ``document``
    (repeatable ids) and ``after`` (a document id); raises ParamError."""
    errors: dict[str, str] = {}
    by = by or (_values(params, "by") or ["outlet"])[0]
    if by not in GROUPINGS:
        errors["by"] = f"{by!r} is not a grouping; choose one of {', '.join(GROUPINGS)}."
    outlets = _values(params, "outlet")
    documents = []
    for value in _values(params, "document"):
        number = _positive_int(value, "document", errors)
        if number is not None:
            documents.append(number)
    after = None
    if after_values := [v for v in _values(params, "after") if v != ""]:
        after = _positive_int(after_values[0], "after", errors)
    if errors:
        raise ParamError(errors)
    return Scope(
        by=by,
        outlets=tuple(outlets) if outlets else None,
        documents=tuple(documents) if documents else None,
        after=after,
    )


def parse_claim_filter(params: Mapping[str, Any], *, attributions: Collection[str] = ()) -> ClaimFilter:
    """The drill-down filter: a scope plus label fields and ``after`` = "<passage id>-<claim id>";
    ``attribution`` must be one of ``attributions`` when they are given."""
    errors: dict[str, str] = {}
    fields: dict[str, str | None] = {}
    for name in ("voice", "affiliation", "kind", "perspective", "stance", "attribution", "basis"):
        values = _values(params, name)
        fields[name] = values[0] if values else None
    if fields["voice"] is not None and fields["voice"] not in VOICES:
        errors["voice"] = f"{fields['voice']!r} is not a voice; choose one of {', '.join(VOICES)}."
    attribution = fields["attribution"]
    if attributions and attribution is not None and attribution not in attributions:
        errors["attribution"] = (
            f"{attribution!r} is not an attribution; choose one of {', '.join(attributions)}."
        )
    if fields["basis"] is not None and fields["basis"] not in BASES:
        errors["basis"] = f"{fields['basis']!r} is not a basis; choose one of {', '.join(BASES)}."
    cursor = None
    if cursor_values := [v for v in _values(params, "after") if v != ""]:
        passage, _, claim = (parse_whole_number(part) for part in cursor_values[0].partition("-"))
        if passage is None or claim is None:
            errors["after"] = f"{cursor_values[0]!r} is not a page cursor (passage id-claim id)."
        else:
            cursor = (passage, claim)
    scope_params = {key: _values(params, key) for key in ("outlet", "document")}
    try:
        scope = parse_scope(scope_params, by="outlet")
    except ParamError as error:
        errors.update(error.errors)
        scope = Scope()
    if errors:
        raise ParamError(errors)
    return ClaimFilter(scope=scope, after=cursor, **fields)
