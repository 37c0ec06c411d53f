"""The agreement dashboard: the latest figures of a project, drawn on the server (under projects/<slug>/).

Researchers, reviewers and managers only. The page reads the stored results of the last succeeded run;
the helpers below only arrange those numbers for the template (names, bands, SVG), they compute nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from annotator.agreement import charts
from annotator.agreement.maths.suggested import figure_at
from annotator.agreement.models import AgreementRun
from annotator.agreement.selectors import (
    latest_succeeded_run,
    pending_run,
    runs_for_project,
    time_on_task_by_annotator,
)
from annotator.agreement.services import agreement_run_request, agreement_runs_recover
from annotator.corpus.models import Project
from annotator.corpus.selectors import SEE_ALL_ROLES
from annotator.labeling.durations import duration_text
from annotator.web.access import project_for

ATTRIBUTES = ("perspective", "stance", "speaker")
MAX_BARS = 25
FEW_DOCUMENTS = 10  # below this many documents, say that the (document-bootstrap) intervals are rough
SCALE_COLOURS = {
    "reliable": charts.agreement_colour(0.9),
    "tentative": charts.agreement_colour(0.73),
    "unreliable": charts.agreement_colour(0.4),
}


@login_required
@require_http_methods(["GET", "POST"])
def agreement_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    project, role = project_for(user=request.user, slug=slug, roles=SEE_ALL_ROLES)
    if request.method == "POST":
        run = agreement_run_request(project=project, requested_by=request.user)
        messages.info(request, f"Agreement run #{run.pk} is {run.get_status_display().lower()}.")
        return redirect("agreement-dashboard", slug=project.slug)
    agreement_runs_recover(project_id=project.pk)  # nothing stays "running" after its worker died
    latest = latest_succeeded_run(project=project)
    pending = pending_run(project=project)
    context = {
        "project": project,
        "role": role,
        "latest": latest,
        "pending": pending,
        "history": list(runs_for_project(project=project)[:8]),
        "dashboard": (
            _dashboard(project, latest, time_on_task_by_annotator(project=project)) if latest else None
        ),
        "poll": _poll_config(pending),
        "scale": SCALE_COLOURS,
    }
    return render(request, "dashboard.html", context)


urlpatterns = [path("agreement/", agreement_dashboard, name="agreement-dashboard")]


def _poll_config(pending: AgreementRun | None) -> dict[str, Any] | None:
    if pending is None:
        return None
    return {"run": pending.pk, "url": reverse("agreement-run-progress", args=[pending.pk])}


# --- arranging the stored figures for the page ---------------------------------------------------------


@dataclass
class Figure:
    """One coefficient as the page shows it."""

    title: str
    value: float | None
    ci: list | None
    n_units: int | None
    n_annotators: int | None
    unit: str
    scale: str  # "alpha", "kappa" or "f1"
    extra: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ci_reason: str | None = None  # why there is no interval (e.g. "needs ≥ 2 documents")
    help: str = ""  # what the figure measures, as the card's tooltip

    @property
    def text(self) -> str:
        return charts.fmt(self.value, 3 if self.scale == "alpha" else 2)

    @property
    def ci_text(self) -> str:
        return f"[{charts.fmt(self.ci[0])}, {charts.fmt(self.ci[1])}]" if self.ci else ""

    @property
    def band(self) -> str:
        if self.value is None:
            return "undefined"
        return {"alpha": charts.krippendorff_band, "kappa": charts.landis_koch}.get(self.scale, lambda v: "")(
            self.value
        )

    @property
    def colour(self) -> str:
        return charts.agreement_colour(self.value) if self.scale != "f1" else "#98a2b3"

    @property
    def ink(self) -> str:
        """Text on the band: dark or white, whichever reads at WCAG AA on its colour."""
        return charts.text_colour(self.colour)

    @property
    def basis(self) -> str:
        if self.n_units is None:
            return ""
        people = f" · {self.n_annotators} annotators" if self.n_annotators is not None else ""
        return f"n = {self.n_units:,} {self.unit}{people}"


def _figure(data: dict | None, title: str, unit: str, scale: str) -> Figure:
    data = data or {}
    return Figure(
        title=title,
        value=data.get("value"),
        ci=data.get("ci"),
        ci_reason=data.get("ci_reason"),
        n_units=data.get("n_units"),
        n_annotators=data.get("n_annotators"),
        unit=unit,
        scale=scale,
    )


def _gamma_figure(data: dict, label_names: dict[str, str]) -> Figure:
    figure = _figure(data, "Claim units and perspectives (γ)", "claims", "alpha")
    figure.help = data.get("definition", "")
    observed, expected = data.get("observed_disorder"), data.get("expected_disorder")
    if observed is not None and expected is not None:
        figure.extra.append(
            f"disorder {charts.fmt(observed)} observed, {charts.fmt(expected)} by chance "
            f"({data.get('samples', 0)} random passages)"
        )
    if data.get("gamma_cat") is not None:
        figure.extra.append(f"γ-cat (perspectives of aligned claims) {charts.fmt(data['gamma_cat'])}")
    per_label = data.get("per_label") or {}
    if per_label:
        parts = [f"{label_names.get(label, label)} {charts.fmt(value)}" for label, value in per_label.items()]
        figure.extra.append("γ per perspective: " + " · ".join(parts))
    if data.get("sampled") or data.get("passages_too_large"):
        figure.notes.append(f"on a sample of {data['passages']:,} of {data['passages_shared']:,} passages")
    return figure


def _cell(value: float | None, scale: str = "kappa", n: int | None = None) -> dict[str, Any]:
    """A table cell: the number, its background and text colours, and n in the tooltip."""
    coloured = value is not None and scale != "f1"
    colour = charts.agreement_colour(value) if coloured else "transparent"
    return {
        "text": charts.fmt(value),
        "colour": colour,
        "ink": charts.text_colour(colour) if coloured else "inherit",
        "title": f"n = {n:,}" if n is not None else "",
    }


def _label_names(project: Project, results: dict) -> dict[str, dict[str, str]]:
    schema = project.schema
    names = {
        "perspective": {i["value"]: i.get("label", i["value"]) for i in schema.get("perspectives", [])},
        "stance": {i["value"]: i.get("label", i["value"]) for i in schema.get("stances", [])},
        "speaker": {"none": "(authorial)", **results.get("speakers", {})},
    }
    return names


def _dashboard(project: Project, run: AgreementRun, seconds: dict[int, int]) -> dict[str, Any]:
    """The page's figures from the run's stored results; `seconds`: time on task per annotator id, now."""
    results = run.results or {}
    report = results.get("report", {})
    names = _label_names(project, results)
    annotator_names = results.get("annotators", {})
    span = report.get("span", {})
    headline_span = [
        _figure(span.get("position_alpha"), "Claim spans per character (α)", "characters", "alpha"),
        _figure(span.get("unitizing_alpha"), "Claim units (uα)", "claims", "alpha"),
        *([_gamma_figure(span["gamma"], names["perspective"])] if span.get("gamma") else []),
        _figure(span.get("overlap_f1"), "Span F1, overlapping", "claims", "f1"),
        _figure(span.get("exact_f1"), "Span F1, exact boundaries", "claims", "f1"),
    ]
    attributes = []
    for name in ATTRIBUTES:
        section = report.get("attributes", {}).get(name)
        if not section:
            continue
        alpha = _figure(section.get("alpha"), f"{name.capitalize()} (α)", "matched claims", "alpha")
        kappa = section.get("cohen_kappa_mean") or {}
        if kappa.get("value") is not None:
            alpha.extra.append(
                f"Cohen's κ {charts.fmt(kappa['value'])} ({charts.landis_koch(kappa['value'])}), "
                f"mean of {kappa.get('n_pairs', 0)} pairs"
            )
        fleiss = section.get("fleiss_kappa") or {}
        if fleiss.get("value") is not None:
            alpha.extra.append(
                f"Fleiss' κ {charts.fmt(fleiss['value'])} ({charts.landis_koch(fleiss['value'])})"
            )
        elif fleiss.get("reason"):
            alpha.notes.append(f"Fleiss' κ n/a: {fleiss['reason']}")
        attributes.append(
            {
                "name": name,
                "figure": alpha,
                "bars": _label_bars(name, section, names[name]),
                "confusion": _confusion_svg(
                    section.get("coincidence"),
                    names[name],
                    f"{name.capitalize()}: matched claims, all pairs",
                    "one annotator",
                    "another annotator",
                ),
                "ambiguous": section.get("ambiguous_claims", 0),
            }
        )
    counts = report.get("counts", {})
    return {
        "sections": [
            {"id": "span-figures", "title": "Claim spans", "figures": headline_span},
            {
                "id": "attribute-figures",
                "title": "Attributes of matched claims",
                "figures": [attribute["figure"] for attribute in attributes],
            },
        ],
        "attributes": attributes,
        "suggestions": _suggestions(results, annotator_names),
        "heatmaps": _heatmaps(report.get("pair_matrix"), annotator_names),
        "annotators": _annotator_rows(report.get("annotators", []), annotator_names, seconds),
        "has_gold": report.get("gold") is not None,
        "gold": _gold(report.get("gold"), names),
        "documents": _document_rows(report.get("documents", []), results.get("documents", {})),
        "counts": counts,
        "parameters": report.get("parameters", {}),
        "notes": report.get("notes", []),
        "few_documents": 0 < counts.get("documents", 0) < FEW_DOCUMENTS,
        "no_overlap": counts.get("passages_shared", 0) == 0,
    }


def _suggestions(results: dict, annotator_names: dict[str, str]) -> dict[str, Any] | None:
    """The headline figures with and without accepted suggestions; None when no claim came from one."""
    section = results.get("without_suggestions")
    if not section:
        return None
    report = results.get("report", {})
    rows = []
    for row in section.get("comparison", []):
        rows.append(
            {
                "title": row["title"],
                "cells": [
                    _compared(_figure(figure_at(source, row["figure"]), row["title"], "", row["scale"]))
                    for source in (report, section)
                ],
                "difference": charts.fmt_signed(row.get("difference")),
            }
        )
    counts = section.get("suggested_claims", {})
    people = [
        {**entry, "name": annotator_names.get(str(entry["annotator"]), str(entry["annotator"]))}
        for entry in counts.get("annotators", [])
    ]
    return {"rows": rows, "counts": counts, "annotators": people}


def _compared(figure: Figure) -> dict[str, Any]:
    """A table cell for a headline figure: its digits as on the cards, the interval under it."""
    return {**_cell(figure.value, figure.scale, figure.n_units), "text": figure.text, "ci": figure.ci_text}


def _label_bars(name: str, section: dict, display: dict[str, str]) -> str | None:
    items = [
        charts.Bar(
            label=display.get(label, label),
            value=figure.get("value"),
            low=(figure.get("ci") or [None, None])[0],
            high=(figure.get("ci") or [None, None])[1],
            n=figure.get("n_units"),
        )
        for label, figure in section.get("per_label", {}).items()
    ]
    if not items:
        return None
    items.sort(key=lambda bar: -1.0 if bar.value is None else -bar.value)
    title = f"{name.capitalize()}: α per label (one vs. rest), 95% CI"
    if len(items) > MAX_BARS:
        title += f" — top {MAX_BARS} of {len(items)}"
    return charts.bars(items[:MAX_BARS], title=title)


def _confusion_svg(
    matrix: dict | None, display: dict[str, str], title: str, rows: str, columns: str
) -> str | None:
    if not matrix or not matrix.get("matrix"):
        return None
    labels = [display.get(label, label) for label in matrix["labels"]]
    return charts.confusion(labels, labels, matrix["matrix"], title=title, row_title=rows, col_title=columns)


def _heatmaps(pair_matrix: dict | None, annotator_names: dict[str, str]) -> list[str]:
    if not pair_matrix or len(pair_matrix.get("annotators", [])) < 2:
        return []
    labels = [annotator_names.get(str(a), str(a)) for a in pair_matrix["annotators"]]
    shared = pair_matrix.get("shared_passages")
    panels = [
        ("overlap_f1", "Span F1 (overlap)"),
        ("perspective_kappa", "Perspective κ"),
        ("stance_kappa", "Stance κ"),
        ("speaker_kappa", "Speaker κ"),
    ]
    return [
        charts.heatmap(labels, pair_matrix[key], counts=shared, title=title)
        for key, title in panels
        if key in pair_matrix
    ]


def _annotator_rows(
    entries: list[dict], annotator_names: dict[str, str], seconds: dict[int, int]
) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        others, gold = entry.get("vs_others", {}), entry.get("vs_gold")
        row = {
            "name": annotator_names.get(str(entry["annotator"]), str(entry["annotator"])),
            "passages": entry.get("passages", 0),
            "claims": entry.get("claims", 0),
            "time_on_task": duration_text(seconds.get(entry["annotator"])),
            "others": [
                _cell(others.get(key, {}).get("value"), scale, others.get(key, {}).get("n_units"))
                for key, scale in (
                    ("overlap_f1", "f1"),
                    ("exact_f1", "f1"),
                    ("perspective_kappa", "kappa"),
                    ("stance_kappa", "kappa"),
                    ("speaker_kappa", "kappa"),
                )
            ],
            "gold": None,
        }
        if gold:
            overlap = gold.get("overlap", {})
            row["gold"] = {
                "passages": gold.get("passages", 0),
                "cells": [
                    _cell(overlap.get("precision"), "f1", overlap.get("n_annotator")),
                    _cell(overlap.get("recall"), "f1", overlap.get("n_gold")),
                    _cell(overlap.get("f1"), "f1", overlap.get("n_gold")),
                    *[
                        _cell(
                            gold.get(f"{a}_kappa", {}).get("value"),
                            "kappa",
                            gold.get(f"{a}_kappa", {}).get("n_units"),
                        )
                        for a in ATTRIBUTES
                    ],
                ],
            }
        rows.append(row)
    return rows


def _gold(gold: dict | None, names: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    if not gold:
        return None
    matrices = [
        _confusion_svg(
            gold.get("confusion", {}).get(name),
            names[name],
            f"{name.capitalize()}: annotators vs. gold",
            "annotator",
            "gold",
        )  # fmt: skip
        for name in ATTRIBUTES
    ]
    return {
        "passages": gold.get("passages", 0),
        "claims": gold.get("claims", 0),
        "confusions": [m for m in matrices if m],
    }


def _document_rows(entries: list[dict], titles: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        document = entry.get("document")
        rows.append(
            {
                "id": document,
                "title": titles.get(str(document), "(passages without a document)"),
                "passages": entry.get("passages", 0),
                "annotators": entry.get("annotators", 0),
                "cells": [
                    _cell(
                        entry.get("position_alpha", {}).get("value"),
                        "alpha",
                        entry.get("position_alpha", {}).get("n_units"),
                    ),
                    _cell(
                        entry.get("overlap_f1", {}).get("value"),
                        "f1",
                        entry.get("overlap_f1", {}).get("n_units"),
                    ),
                    *[_cell(entry.get(f"{a}_alpha", {}).get("value"), "alpha") for a in ATTRIBUTES],
                ],
            }
        )
    return rows
