"""The JSON Lines and CSV exports rendered by PostgreSQL and streamed with ``COPY (SELECT ...) TO STDOUT``.

The Python writers (``formats.jsonl``, ``formats.csv_claims``) cost several microseconds a claim in dicts
and text, which made a million claims take tens of seconds. Here one statement joins and renders the
claims in the database and Python passes its rows on, so an export runs one query whatever its size,
holds one row at a time, and takes about as long as a COPY of the same claims. The bytes are those of the
Python writers for the same data (tests compare the two):

- CSV: COPY's CSV writer quotes a cell exactly when Python's csv module does (it holds ``,`` ``"`` CR or
  LF; quotes are doubled). Empty text goes out as NULL, which COPY writes bare, as Python writes "".
  ``formats.spreadsheet_safe``'s leading ``'`` is added in SQL from the same list of formula starts.
  COPY ends rows in LF; each row (one COPY message) gets CRLF here, as RFC 4180 and csv.writer have it.
- JSON Lines: PostgreSQL escapes JSON strings as ``json.dumps(ensure_ascii=False)`` does (``to_json``:
  ``\\" \\\\ \\b \\f \\n \\r \\t`` and ``\\u00xx`` for other control characters, the rest as is). The
  claims, annotators and gold lists are rendered in SQL with Python's separators; the passage and
  document fields are rendered here with ``records.dumps`` (a document's ``meta`` may hold numbers, which
  PostgreSQL and Python print differently), as are the line separators ``dumps`` escapes.

Both need PostgreSQL with UTF-8 text; ``renders_in_database`` says whether the connection has that.
"""

# The statements are built from model table names and fixed SQL; every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any

from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from annotator.corpus.models import Speaker
from annotator.exports.formats import CSV_COLUMNS, FORMULA_STARTS
from annotator.exports.formats.records import GOLD, dumps
from annotator.exports.selectors import ExportFilters, passages_selected
from annotator.labeling.models import Assignment, Claim
from annotator.review.models import Adjudication, GoldClaim

__all__ = ["csv_chunks", "jsonl_chunks", "renders_in_database"]

BUFFER_BYTES = 64 * 1024
# (passages, claims) written so far; called about every BUFFER_BYTES.
Progress = Callable[[int, int], None]

_USER_TABLE = Assignment._meta.get_field("annotator").related_model._meta.db_table
_TABLES = {
    "assignment": Assignment._meta.db_table,
    "claim": Claim._meta.db_table,
    "speaker": Speaker._meta.db_table,
    "adjudication": Adjudication._meta.db_table,
    "gold": GoldClaim._meta.db_table,
    "user": _USER_TABLE,
}
_FORMULA_CODES = [ord(start) for start in FORMULA_STARTS]  # every formula start is one character
# Line separators records.dumps escapes, as UTF-8 (never part of another character's encoding).
_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"), (b"\xc2\x85", b"\\u0085"))


def renders_in_database() -> bool:
    """True when the database can render the exports: PostgreSQL with UTF-8 text (``ascii()`` gives the
    first character's code point only in UTF-8)."""
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    return connection.connection.info.parameter_status("server_encoding") == "UTF8"


# --- the statements -------------------------------------------------------------------------------------


def _table(name: str) -> str:
    return connection.ops.quote_name(_TABLES[name])


def _selected_passages(project: Any, filters: ExportFilters) -> tuple[str, list[Any]]:
    """The export's passages (``selectors.passages_selected``, the one definition) as a derived table
    ``p`` with its document's fields."""
    query = (
        passages_selected(project=project, filters=filters)
        .order_by()
        .annotate(meta_text=Cast("document__meta", TextField()))
        .values_list(
            "id", "document_id", "position", "start", "end", "text", "document__title", "document__source",
            "document__url", "document__published", "document__language", "meta_text",
        )
    )  # fmt: skip
    sql, params = query.query.sql_with_params()
    columns = 'id, document_id, position, start, "end", text, title, source, url, published, language, meta'
    return f"({sql}) AS p ({columns})", list(params)


def _assignment_scope(filters: ExportFilters) -> tuple[str, list[Any]]:
    """SQL on ``a`` (assignment) and ``u`` (its annotator) for ``selectors._assignment_scope``."""
    conditions, params = [], []
    if filters.status == "submitted":
        conditions.append("a.status = 'submitted'")
    if filters.annotators:
        conditions.append("u.username = ANY(%s)")
        params.append(list(filters.annotators))
    return "".join(f" AND {condition}" for condition in conditions), params


def _json(column: str) -> str:
    return f"to_json({column})::text"


def _claim_json(claim: str, annotator_json: str) -> str:
    """SQL rendering a claim as ``formats.jsonl`` does (keys and order of ``formats.CLAIM_KEYS``);
    ``claim`` is the claim's alias, ``s`` its speaker's (LEFT JOINed)."""
    speaker = (
        "CASE WHEN s.id IS NULL THEN 'null' ELSE "
        f"""'{{"id": ' || s.id || ', "name": ' || {_json("s.name")} || ', "kind": ' || {_json("s.kind")}"""
        f""" || ', "affiliation": ' || {_json("s.affiliation")} || '}}' END"""
    )
    c = claim
    return (
        f"""'{{"id": ' || {c}.id || ', "annotator": ' || {annotator_json} || ', "start": ' || {c}.start"""
        f""" || ', "end": ' || {c}."end" || ', "text": ' || {_json(f"{c}.text")}"""
        f""" || ', "speaker": ' || {speaker}"""
        f""" || ', "attribution": ' || {_json(f"{c}.attribution")}"""
        f""" || ', "perspective": ' || {_json(f"{c}.perspective")}"""
        f""" || ', "stance": ' || {_json(f"{c}.stance")}"""
        f""" || ', "target": ' || {_json(f"{c}.target")}"""
        f""" || ', "confidence": ' || coalesce({c}.confidence::text, 'null')"""
        f""" || ', "note": ' || {_json(f"{c}.note")} || '}}'"""
    )


def _jsonl_statement(project: Any, filters: ExportFilters) -> tuple[str, list[Any]]:
    """One row a passage: its fields, its document's, how many claims it has (gold ones included) and
    ``"claims": [...], "annotators": [...], "gold": ...`` rendered as UTF-8 JSON."""
    passages, params = _selected_passages(project, filters)
    if filters.source == "gold":
        work_join, work_claims, work_lists = "", "0", """'"claims": [], "annotators": []'"""
    else:
        scope, scope_params = _assignment_scope(filters)
        params += scope_params
        annotator = (
            f"""'{{"username": ' || {_json("u.username")} || ', "status": ' || {_json("a.status")}"""
            f""" || ', "flag_reason": ' || {_json("a.flag_reason")}"""
            f""" || ', "flag_note": ' || {_json("a.flag_note")}"""
            f""" || ', "active_seconds": ' || a.active_seconds || '}}'"""
        )
        assignments = f"""
                FROM {_table("assignment")} a
                CROSS JOIN LATERAL (SELECT username FROM {_table("user")} WHERE id = a.annotator_id) u"""
        work_join = f"""
            LEFT JOIN LATERAL (
                SELECT count(*) AS claims,
                       string_agg({_claim_json("c", _json("u.username"))}, ', '
                                  ORDER BY u.username, c.start, c."end", c.id) AS claims_json{assignments}
                JOIN {_table("claim")} c ON c.assignment_id = a.id
                LEFT JOIN {_table("speaker")} s ON s.id = c.speaker_id
                WHERE a.passage_id = p.id{scope}
            ) work ON true
            LEFT JOIN LATERAL (
                SELECT string_agg({annotator}, ', ' ORDER BY u.username) AS annotators_json{assignments}
                WHERE a.passage_id = p.id{scope}
            ) people ON true"""
        params += scope_params
        work_claims = "coalesce(work.claims, 0)"
        work_lists = (
            """'"claims": [' || coalesce(work.claims_json, '') || '], "annotators": ['"""
            """ || coalesce(people.annotators_json, '') || ']'"""
        )
    if filters.source == "annotators":
        gold_join, gold_claims, gold_list = "", "0", "'null'"
    else:
        gold_join = f"""
            LEFT JOIN LATERAL (
                SELECT count(g.id) AS claims,
                       '[' || coalesce(string_agg({_claim_json("g", f"'{json.dumps(GOLD)}'")}, ', '
                                                  ORDER BY g.start, g."end", g.id), '') || ']' AS json
                FROM {_table("adjudication")} adjudication
                LEFT JOIN {_table("gold")} g ON g.adjudication_id = adjudication.id
                LEFT JOIN {_table("speaker")} s ON s.id = g.speaker_id
                WHERE adjudication.passage_id = p.id
                GROUP BY adjudication.id
            ) gold ON true"""
        gold_claims = "coalesce(gold.claims, 0)"
        gold_list = "coalesce(gold.json, 'null')"
    sql = f"""
        SELECT p.id, p.document_id, p.position, p.start, p."end", p.text,
               p.title, p.source, p.url, p.published, p.language, p.meta,
               ({work_claims} + {gold_claims})::int8,
               convert_to({work_lists} || ', "gold": ' || {gold_list}, 'UTF8')
        FROM {passages}{work_join}{gold_join}
        ORDER BY p.document_id, p.position"""
    return sql, params


# Binary COPY types of the columns above: the statement's casts make them so.
_JSONL_TYPES = [
    "int8", "int8", "int4", "int4", "int4", "text", "text", "text", "text", "date", "text", "text", "int8",
    "bytea",
]  # fmt: skip


def _safe(value: str) -> str:
    """SQL for a CSV text cell: ``spreadsheet_safe``'s quote, and NULL for empty text (written bare)."""
    return f"NULLIF(CASE WHEN ascii({value}) = ANY(%s) THEN '''' || {value} ELSE {value} END, '')"


def _csv_statement(project: Any, filters: ExportFilters) -> tuple[str, list[Any]]:
    """The CSV_COLUMNS of every claim of the export's passages: annotators' claims by username, start,
    end, then gold claims by start, end (annotator "gold", no flag or time)."""
    passages, passage_params = _selected_passages(project, filters)
    parts, part_params = [], []
    if filters.source != "gold":
        scope, part_params = _assignment_scope(filters)
        parts.append(
            f"""
            SELECT 0 AS part, u.username AS annotator, c.id, c.start, c."end", c.text, s.name AS speaker,
                   s.kind, s.affiliation, c.attribution, c.perspective, c.stance, c.target, c.confidence,
                   c.note, a.flag_reason, a.active_seconds
            FROM {_table("assignment")} a
            CROSS JOIN LATERAL (SELECT username FROM {_table("user")} WHERE id = a.annotator_id) u
            JOIN {_table("claim")} c ON c.assignment_id = a.id
            LEFT JOIN {_table("speaker")} s ON s.id = c.speaker_id
            WHERE a.passage_id = p.id{scope}"""
        )
    if filters.source != "annotators":
        parts.append(
            f"""
            SELECT 1 AS part, text '{GOLD}' AS annotator, g.id, g.start, g."end", g.text, s.name AS speaker,
                   s.kind, s.affiliation, g.attribution, g.perspective, g.stance, g.target, g.confidence,
                   g.note, NULL AS flag_reason, NULL::integer AS active_seconds
            FROM {_table("adjudication")} adjudication
            JOIN {_table("gold")} g ON g.adjudication_id = adjudication.id
            LEFT JOIN {_table("speaker")} s ON s.id = g.speaker_id
            WHERE adjudication.passage_id = p.id"""
        )
    cells = [
        "p.id", "p.document_id", _safe("p.title"), _safe("p.language"), "p.position", "r.id",
        _safe("r.annotator"), "r.start",
        'r."end"', _safe("r.text"), _safe("r.speaker"), _safe("r.kind"), _safe("r.affiliation"),
        _safe("r.attribution"), _safe("r.perspective"), _safe("r.stance"), _safe("r.target"),
        "r.confidence", _safe("r.note"), _safe("r.flag_reason"), "r.active_seconds",
    ]  # fmt: skip
    assert len(cells) == len(CSV_COLUMNS)
    safe_cells = sum("%s" in cell for cell in cells)
    sql = f"""
        SELECT {", ".join(cells)}
        FROM {passages}
        CROSS JOIN LATERAL ({" UNION ALL ".join(parts)}) r
        ORDER BY p.document_id, p.position, r.part, r.annotator, r.start, r."end", r.id"""
    return sql, [_FORMULA_CODES] * safe_cells + passage_params + part_params


# --- streaming ------------------------------------------------------------------------------------------


def _copy_out(sql: str, params: list[Any], *, binary: bool = False) -> Iterator[Any]:
    """Run ``COPY (sql) TO STDOUT`` on Django's connection and yield the ``psycopg.Copy`` (logged as one
    query where Django logs queries; database errors come out as Django's)."""
    options = " (FORMAT binary)" if binary else " (FORMAT csv)"
    statement = f"COPY ({sql}) TO STDOUT{options}"
    with connection.cursor() as cursor, connection.wrap_database_errors:
        logged = cursor.debug_sql(statement, params) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged, cursor.cursor.copy(statement, params) as copy:
            yield copy


def csv_chunks(*, project: Any, filters: ExportFilters, progress: Progress | None = None) -> Iterator[bytes]:
    """The CSV export (``formats.csv_claims`` of the export's records) as byte blocks of about 64 KB."""
    sql, params = _csv_statement(project, filters)
    block = bytearray(",".join(CSV_COLUMNS).encode() + b"\r\n")
    rows = passages = 0
    last_passage = b""
    for copy in _copy_out(sql, params):
        for row in copy:
            block += row[:-1]  # every COPY message is one row ending in LF
            block += b"\r\n"
            rows += 1
            if progress is not None:
                passage = bytes(row[: bytes(row[:24]).index(b",")])
                if passage != last_passage:
                    passages, last_passage = passages + 1, passage
            if len(block) >= BUFFER_BYTES:
                yield bytes(block)
                block.clear()
                if progress is not None:
                    progress(passages, rows)
    if block:
        yield bytes(block)
    if progress is not None:
        progress(passages, rows)


def jsonl_chunks(
    *, project: Any, filters: ExportFilters, progress: Progress | None = None
) -> Iterator[bytes]:
    """The JSON Lines export (``formats.jsonl`` of the export's records) as byte blocks of about 64 KB."""
    sql, params = _jsonl_statement(project, filters)
    block = bytearray()
    passages = claims = 0
    document_id, document = None, {}
    for copy in _copy_out(sql, params, binary=True):
        copy.set_types(_JSONL_TYPES)
        while (row := copy.read_row()) is not None:
            (
                passage_id, passage_document, position, start, end, text, title, source, url, published,
                language, meta, count, lists,
            ) = row  # fmt: skip
            if passage_document != document_id:
                document_id = passage_document
                document = {
                    "source": source,
                    "url": url,
                    "published": published.isoformat() if published else None,
                    "language": language,
                    "meta": json.loads(meta),
                }
            fields = {
                "passage_id": passage_id,
                "document_id": passage_document,
                "document_title": title,
                "document": document,
                "position": position,
                "start": start,
                "end": end,
                "text": text,
            }
            for raw, escaped in _SEPARATORS:
                if raw in lists:
                    lists = lists.replace(raw, escaped)
            block += dumps(fields)[:-1].encode()  # without its closing brace
            block += b", "
            block += lists
            block += b"}\n"
            passages += 1
            claims += count
            if len(block) >= BUFFER_BYTES:
                yield bytes(block)
                block.clear()
                if progress is not None:
                    progress(passages, claims)
    if block:
        yield bytes(block)
    if progress is not None:
        progress(passages, claims)
