"""The who-says-what report arranged for the page: the three charts and their links (pure; no Django).

Every link points at the claims list with the filter that selects exactly the claims a segment or cell
counts, plus the report's own scope (an outlet or document of a compare panel).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from annotator.analytics.charts import BarRow, Segment, Series, count_heatmap, series_fills, stacked_bars
from annotator.analytics.crosstab import ATTRIBUTIONS, ordered, total

MAX_BARS = 30  # groups drawn in the bar chart; the table below it lists them all


def _tip(label: str, cell: Mapping[str, int]) -> str:
    return f"{label}: {total(cell)} claims ({cell['gold']} gold, {cell['majority']} majority)"


class Links:
    """Hrefs into the claims list for one report: ``scope`` is its own filter (outlet or document)."""

    def __init__(self, claims_url: str, scope: Mapping[str, str]) -> None:
        self.claims_url = claims_url
        self.scope = dict(scope)

    def __call__(self, **fields: str | None) -> str:
        query = {**self.scope, **{k: v for k, v in fields.items() if v is not None}}
        return f"{self.claims_url}?{urlencode(query)}"

    def group(self, by: str, key: str) -> dict[str, str]:
        return {"outlet": key} if by == "outlet" else {"document": key}


def perspective_series(report: Mapping[str, Any], schema: Mapping[str, Any]) -> list[Series]:
    names = report["labels"]["perspective"]
    colours = {str(p.get("value")): p.get("colour") for p in schema.get("perspectives", [])}
    fills = series_fills(report["perspectives"], colours)
    return [Series(p, names.get(p, p), fills[p]) for p in report["perspectives"]]


def outlet_bars(report: Mapping[str, Any], schema: Mapping[str, Any], links: Links) -> str:
    """Claims per perspective, one stacked bar per group (outlet or document)."""
    if not report["groups"]:
        return ""
    names = report["labels"]["perspective"]
    per_group: dict[str, list[Segment]] = defaultdict(list)
    labels = {g["key"]: g["label"] for g in report["groups"]}
    for row in report["speakers_per_group"]:
        label = f"{labels[row['group']]} · {names.get(row['perspective'], row['perspective'])}"
        per_group[row["group"]].append(
            Segment(
                row["perspective"],
                total(row["claims"]),
                links(**links.group(report["by"], row["group"]), perspective=row["perspective"]),
                _tip(label, row["claims"]),
            )
        )
    rows = [BarRow(g["label"], per_group[g["key"]]) for g in report["groups"][:MAX_BARS]]
    noun = "outlet" if report["by"] == "outlet" else "document"
    return stacked_bars(
        rows,
        perspective_series(report, schema),
        title=f"Claims per perspective, by {noun}",
        desc=f"One bar per {noun}, split by the perspective the claims advance; "
        "each part links to its claims.",
    )


def speaker_heatmap(report: Mapping[str, Any], links: Links) -> str:
    """Speaker type (affiliation · kind, the author's voice, unnamed speakers) × perspective."""
    if not report["speaker_types"]:
        return ""
    names = report["labels"]["perspective"]
    types: dict[tuple, str] = {}
    values: dict[tuple, int] = {}
    for row in report["speaker_types"]:
        key = (row["voice"], row["speaker_affiliation"], row["speaker_kind"])
        types.setdefault(key, row["speaker_type"])
        values[(*key, row["perspective"])] = total(row["claims"])
    perspectives = report["perspectives"]
    return count_heatmap(
        list(types.values()),
        [names.get(p, p) for p in perspectives],
        [[values.get((*key, p), 0) for p in perspectives] for key in types],
        [
            [links(voice=key[0], affiliation=key[1], kind=key[2], perspective=p) for p in perspectives]
            for key in types
        ],
        title="Speaker type × perspective",
        desc="Claims by the affiliation and kind of their speaker against the perspective they advance; "
        "each cell links to its claims.",
    )


def voice_bars(report: Mapping[str, Any], links: Links) -> str:
    """Per perspective, the share of direct quotes, paraphrase and the author's own voice."""
    if not report["voice"]:
        return ""
    names = report["labels"]
    attributions = ordered({r["attribution"] for r in report["voice"]}, ATTRIBUTIONS)
    fills = dict(zip(ATTRIBUTIONS, ("#0072b2", "#e69f00", "#999999"), strict=True))
    series = [Series(a, names["attribution"].get(a, a), fills.get(a, "#cc79a7")) for a in attributions]
    per_perspective: dict[str, list[Segment]] = defaultdict(list)
    for row in report["voice"]:
        p, a = row["perspective"], row["attribution"]
        label = f"{names['perspective'].get(p, p)} · {names['attribution'].get(a, a)} ({row['share']:.0%})"
        per_perspective[p].append(
            Segment(a, total(row["claims"]), links(perspective=p, attribution=a), _tip(label, row["claims"]))
        )
    rows = [BarRow(names["perspective"].get(p, p), per_perspective[p]) for p in report["perspectives"]]
    return stacked_bars(
        rows,
        series,
        title="Voice: whose words, per perspective",
        desc="For each perspective, the share of its claims given as direct quotes, as paraphrase, and in "
        "the author's own voice; each part links to its claims.",
        shares=True,
    )


def figures(
    report: Mapping[str, Any], schema: Mapping[str, Any], *, claims_url: str, scope: Mapping[str, str]
) -> dict[str, Any]:
    """The charts (SVG strings, safe to insert) and the links of the tables, for one report."""
    links = Links(claims_url, scope)
    group_links = {g["key"]: links(**links.group(report["by"], g["key"])) for g in report["groups"]}
    return {
        "bars": outlet_bars(report, schema, links),
        "heatmap": speaker_heatmap(report, links),
        "voice": voice_bars(report, links),
        "group_links": group_links,
        "crosstab": [
            {**row, **_names(report, row), "href": links(**links.group(report["by"], row["group"]),
             voice=row["voice"], affiliation=row["speaker_affiliation"], kind=row["speaker_kind"],
             perspective=row["perspective"], stance=row["stance"])}
            for row in report["crosstab"]
        ],
        "speakers": [{**row, **_names(report, row)} for row in report["speakers_per_group"]],
    }  # fmt: skip


def _names(report: Mapping[str, Any], row: Mapping[str, Any]) -> dict[str, str]:
    labels = report["labels"]
    return {
        "perspective_label": labels["perspective"].get(row["perspective"], row["perspective"]),
        "stance_label": labels["stance"].get(row.get("stance") or "", row.get("stance") or ""),
    }


def perspective_shares(reports: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Side by side: each perspective's claims and share of all claims in each report (compare view)."""
    perspectives: list[str] = []
    for report in reports:
        perspectives += [p for p in report["perspectives"] if p not in perspectives]
    rows = []
    for p in perspectives:
        cells = []
        for report in reports:
            claims = sum(total(r["claims"]) for r in report["voice"] if r["perspective"] == p)
            whole = total(report["claims"])
            cells.append({"claims": claims, "share": claims / whole if whole else 0.0})
        label = next(
            (r["labels"]["perspective"].get(p) for r in reports if p in r["labels"]["perspective"]), p
        )
        rows.append({"perspective": p, "label": label, "cells": cells})
    return rows


def perspective_summary(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per perspective: claims (gold, majority) and the shares of direct, indirect and authorial claims —
    the compact table of the export page."""
    rows = []
    for p in report["perspectives"]:
        voice = [r for r in report["voice"] if r["perspective"] == p]
        shares = {r["attribution"]: r["share"] for r in voice}
        rows.append(
            {
                "perspective": p,
                "label": report["labels"]["perspective"].get(p, p),
                "gold": sum(r["claims"]["gold"] for r in voice),
                "majority": sum(r["claims"]["majority"] for r in voice),
                "shares": [round(100 * shares.get(a, 0.0)) for a in ATTRIBUTIONS],
            }
        )
    return rows
