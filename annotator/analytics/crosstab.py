"""The who-says-what report from aggregate rows: sums, shares, names and the CSV table (pure; no Django).

The selectors count in the database at one grain (group × speaker type × perspective × stance ×
attribution); every coarser figure here is a sum over those few aggregate rows, never over claims.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from annotator.exports.formats import spreadsheet_safe

MAJORITY_DEFINITION = (
    "A claim counts once. On a passage a reviewer adjudicated, the gold claims count (basis 'gold'). On any "
    "other passage, a claim counts (basis 'majority') when at least two, and more than half, of the "
    "annotators who submitted the passage marked the same span with the same speaker, attribution, "
    "perspective and stance. One annotator alone is no consensus, so a passage with fewer than two "
    "submissions counts nothing until it has more or is adjudicated; 'coverage' says how many passages are "
    "in each case."
)
NO_OUTLET = "(no outlet)"
AUTHOR_VOICE = "author's voice"
UNNAMED_SPEAKER = "speaker not named"
NO_AFFILIATION = "no affiliation"
ATTRIBUTIONS = ("direct", "indirect", "authorial")
CSV_HEADER = (
    "group", "group_label", "speaker_type", "voice", "speaker_affiliation", "speaker_kind", "perspective",
    "stance", "gold", "majority", "claims",
)  # fmt: skip


def counts(gold: int = 0, majority: int = 0) -> dict[str, int]:
    """A cell: how many claims come from gold and how many from the annotators' majority."""
    return {"gold": int(gold or 0), "majority": int(majority or 0)}


def total(cell: Mapping[str, int]) -> int:
    return cell["gold"] + cell["majority"]


def _add(cell: dict[str, int], row: Mapping[str, Any]) -> None:
    cell["gold"] += int(row["gold"] or 0)
    cell["majority"] += int(row["majority"] or 0)


def label_maps(schema: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Display names by value for each labelled field, from the project's schema."""
    fields = {
        "perspective": "perspectives",
        "stance": "stances",
        "attribution": "attributions",
        "speaker_kind": "speaker_kinds",
        "speaker_affiliation": "affiliations",
    }
    return {
        name: {
            str(i["value"]): str(i.get("label") or i["value"]) for i in schema.get(key, []) if "value" in i
        }
        for name, key in fields.items()
    }


def group_label(by: str, key: str, title: str | None) -> str:
    if by == "outlet":
        return key or NO_OUTLET
    return title or f"document {key}"


def speaker_type(voice: str, affiliation: str, kind: str, labels: Mapping[str, Mapping[str, str]]) -> str:
    """A row's name: the author's voice, an unnamed speaker, or the speaker's affiliation and kind."""
    if voice == "author":
        return AUTHOR_VOICE
    if voice == "unnamed":
        return UNNAMED_SPEAKER
    affiliation_name = labels["speaker_affiliation"].get(affiliation, affiliation) or NO_AFFILIATION
    return f"{affiliation_name} · {labels['speaker_kind'].get(kind, kind)}"


def ordered(values: Iterable[str], preferred: Sequence[str]) -> list[str]:
    """``values`` in the schema's order, values the schema no longer lists after them by name."""
    present = set(values)
    return [v for v in preferred if v in present] + sorted(present - set(preferred))


def _type_key(row: Mapping[str, Any]) -> tuple[str, str, str]:
    return (row["voice"], row["affiliation"] or "", row["kind"] or "")


def build_report(
    *,
    cells: Sequence[Mapping[str, Any]],
    speakers: Sequence[Mapping[str, Any]],
    coverage: Mapping[str, Any],
    by: str,
    schema: Mapping[str, Any],
) -> dict[str, Any]:
    """The report the page, the API and the CSV show, from ``who_says_what_counts``' rows.

    Rows whose group is None (documents outside the current page) count in the project-wide figures
    (totals, speaker types, voice) but get no group of their own.
    """
    labels = label_maps(schema)
    grand = counts()
    groups: dict[str, dict[str, Any]] = {}
    crosstab: dict[tuple, dict[str, int]] = defaultdict(counts)
    by_type: dict[tuple, dict[str, int]] = defaultdict(counts)
    voice: dict[tuple[str, str], dict[str, int]] = defaultdict(counts)
    for row in cells:
        _add(grand, row)
        type_key = _type_key(row)
        _add(by_type[(*type_key, row["perspective"])], row)
        _add(voice[(row["perspective"], row["attribution"])], row)
        key = row["group_key"]
        if key is None:
            continue
        group = groups.setdefault(
            key, {"key": key, "label": group_label(by, key, row["title"]), "claims": counts()}
        )
        _add(group["claims"], row)
        _add(crosstab[(key, *type_key, row["perspective"], row["stance"])], row)
    perspective_order = ordered({row["perspective"] for row in cells}, list(labels["perspective"]))
    rank = {value: i for i, value in enumerate(perspective_order)}
    stance_rank = {value: i for i, value in enumerate(labels["stance"])}
    group_list = sorted(groups.values(), key=lambda g: (-total(g["claims"]), g["label"], g["key"]))
    group_rank = {g["key"]: i for i, g in enumerate(group_list)}

    def type_entry(voice_name: str, affiliation: str, kind: str) -> dict[str, Any]:
        return {
            "voice": voice_name,
            "speaker_affiliation": affiliation if voice_name == "speaker" else None,
            "speaker_kind": kind if voice_name == "speaker" else None,
            "speaker_type": speaker_type(voice_name, affiliation, kind, labels),
        }

    group_names = {key: group["label"] for key, group in groups.items()}
    crosstab_rows = [
        {
            "group": key,
            "group_label": group_names[key],
            **type_entry(v, a, k),
            "perspective": p,
            "stance": s,
            "claims": cell,
        }  # fmt: skip
        for (key, v, a, k, p, s), cell in crosstab.items()
    ]
    crosstab_rows.sort(
        key=lambda r: (group_rank[r["group"]], r["speaker_type"], rank[r["perspective"]],
                       stance_rank.get(r["stance"], len(stance_rank)), r["stance"])
    )  # fmt: skip
    type_rows = [
        {**type_entry(v, a, k), "perspective": p, "claims": cell} for (v, a, k, p), cell in by_type.items()
    ]
    type_rows.sort(key=lambda r: (r["voice"] != "author", r["speaker_type"], rank[r["perspective"]]))
    return {
        "by": by,
        "definition": MAJORITY_DEFINITION,
        "coverage": _coverage(coverage),
        "claims": grand,
        "perspectives": perspective_order,
        "labels": labels,
        "groups": group_list,
        "next_after": coverage.get("next_after") if by == "document" else None,
        "crosstab": crosstab_rows,
        "speaker_types": type_rows,
        "voice": _voice_rows(voice, perspective_order),
        "speakers_per_group": _speaker_rows(speakers, group_names, group_rank, rank),
    }


def _coverage(coverage: Mapping[str, Any]) -> dict[str, int]:
    passages = int(coverage.get("passages") or 0)
    adjudicated = int(coverage.get("adjudicated") or 0)
    majority = int(coverage.get("with_majority") or 0)
    return {
        "passages": passages,
        "adjudicated": adjudicated,
        "with_majority": majority,
        "pending": passages - adjudicated - majority,
    }


def _voice_rows(
    voice: Mapping[tuple[str, str], dict[str, int]], perspectives: Sequence[str]
) -> list[dict[str, Any]]:
    """Per perspective, each attribution's claims and share of the perspective's claims."""
    rows = []
    for perspective in perspectives:
        whole = sum(total(cell) for (p, _), cell in voice.items() if p == perspective)
        attributions = ordered({a for p, a in voice if p == perspective}, ATTRIBUTIONS)
        for attribution in attributions:
            cell = voice[(perspective, attribution)]
            rows.append(
                {
                    "perspective": perspective,
                    "attribution": attribution,
                    "claims": cell,
                    "share": round(total(cell) / whole, 4) if whole else 0.0,
                }
            )
    return rows


def _speaker_rows(
    speakers: Sequence[Mapping[str, Any]],
    group_names: Mapping[str, str],
    group_rank: Mapping[str, int],
    rank: Mapping[str, int],
) -> list[dict[str, Any]]:
    rows = [
        {
            "group": row["group_key"],
            "group_label": group_names[row["group_key"]],
            "perspective": row["perspective"],
            "claims": counts(row["gold"], row["majority"]),
            "distinct_speakers": int(row["speakers"] or 0),
        }
        for row in speakers
        if row["group_key"] is not None and row["group_key"] in group_rank
    ]
    rows.sort(key=lambda r: (group_rank[r["group"]], rank.get(r["perspective"], len(rank))))
    return rows


def csv_text(report: Mapping[str, Any]) -> str:
    """The cross-tab as CSV, one row per group × speaker type × perspective × stance; every text cell
    passes ``spreadsheet_safe`` (outlet names and titles are typed by users)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in report["crosstab"]:
        cell = row["claims"]
        values = [
            row["group"], row["group_label"], row["speaker_type"], row["voice"],
            row["speaker_affiliation"], row["speaker_kind"], row["perspective"], row["stance"],
            cell["gold"], cell["majority"], total(cell),
        ]  # fmt: skip
        writer.writerow(["" if value is None else spreadsheet_safe(value) for value in values])
    return buffer.getvalue()


def csv_problems(errors: Mapping[str, Any]) -> str:
    """An error body as CSV lines (what a ``?format=csv`` request gets back with a 4xx)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("field", "problem"))
    for key, value in errors.items():
        messages = value if isinstance(value, list) else [value]
        for message in messages:
            writer.writerow((spreadsheet_safe(str(key)), spreadsheet_safe(str(message))))
    return buffer.getvalue()
