"""Agreement with and without the claims that came from accepted suggestions (plain numpy, no Django).

Annotators who accept the same suggestion agree because the detector proposed the span to both of them,
not because each read the passage the same way, so suggestions can inflate agreement. The second report
is computed on the same passages, annotators and submitted assignments with those claims removed: a
passage where an annotator's only claims were accepted suggestions counts as "marked nothing" by that
annotator (the same units, fewer claims), and gold is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from annotator.agreement.maths.report_gamma import gamma_section
from annotator.agreement.maths.report_inputs import project_arrays

HEADLINE_SECTIONS = ("counts", "span", "attributes")
# (path in the report, title, scale): the figures shown side by side, in the dashboard's order.
HEADLINE_FIGURES = (
    ("span.position_alpha", "Claim spans per character (α)", "alpha"),
    ("span.unitizing_alpha", "Claim units (uα)", "alpha"),
    ("span.overlap_f1", "Span F1, overlapping", "f1"),
    ("span.exact_f1", "Span F1, exact boundaries", "f1"),
    ("attributes.perspective.alpha", "Perspective (α)", "alpha"),
    ("attributes.stance.alpha", "Stance (α)", "alpha"),
    ("attributes.speaker.alpha", "Speaker (α)", "alpha"),
)
DEFINITION = (
    "The same passages, annotators and submitted assignments with every claim that came from an accepted"
    " suggestion removed; a passage where an annotator's only claims were accepted suggestions counts as"
    " marked nothing by that annotator. Gold is unchanged. difference = all claims − without them: a"
    " positive difference is agreement that the accepted suggestions added."
)


def without_claims(claims: Mapping[str, Any], drop: np.ndarray) -> dict[str, np.ndarray]:
    """The claims table (a dict of equal-length columns) without the rows where `drop` is true."""
    keep = ~np.asarray(drop, dtype=bool)
    return {name: np.asarray(column)[keep] for name, column in claims.items()}


def figure_at(report: Mapping[str, Any], path: str) -> dict | None:
    """The figure at a dotted path of a report ("span.position_alpha"), or None where there is none."""
    node: Any = report
    for key in path.split("."):
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else None


def comparison(report: Mapping[str, Any], without: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The headline figures of both reports side by side, with all − without (None where undefined)."""
    rows = []
    for path, title, scale in HEADLINE_FIGURES:
        before = (figure_at(report, path) or {}).get("value")
        after = (figure_at(without, path) or {}).get("value")
        rows.append(
            {
                "figure": path,
                "title": title,
                "scale": scale,
                "all": before,
                "without": after,
                "difference": None if before is None or after is None else before - after,
            }
        )
    return rows


def gamma_sections(
    claims: Mapping[str, Any],
    assignments: Mapping[str, Any],
    *,
    passage_lengths: Any,
    suggested: np.ndarray,
    gold: Any = None,
    seed: int = 0,
) -> tuple[dict, dict | None]:
    """γ (report_gamma.gamma_section) on all claims and, when some came from suggestions, without them
    (None otherwise): γ is computed from the claims, not from per-document sums."""
    gamma = gamma_section(project_arrays(claims, assignments, passage_lengths, gold), seed=seed)
    if not np.asarray(suggested, bool).any():
        return gamma, None
    claims_kept = without_claims(claims, suggested)
    return gamma, gamma_section(project_arrays(claims_kept, assignments, passage_lengths, gold), seed=seed)


def report_with_and_without(
    claims: Mapping[str, Any],
    assignments: Mapping[str, Any],
    *,
    passage_lengths: Any,
    suggested: np.ndarray,
    gold: Any = None,
    n_boot: int = 1000,
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[dict, dict | None]:
    """(the report on all claims, the "without suggestions" section or None when no claim the report
    uses came from a suggestion). The section holds the headline sections of a second report on the
    same inputs without those claims, `suggested_claims` (counts and shares) and `comparison`."""
    from annotator.agreement.maths import sufficient  # it builds on this module

    statistics = sufficient.document_statistics(claims, assignments, passage_lengths, gold, suggested)
    gamma, gamma_without = gamma_sections(
        claims, assignments, passage_lengths=passage_lengths, suggested=suggested, gold=gold, seed=seed
    )
    return sufficient.report_from_statistics(
        statistics.values(),
        n_boot=n_boot,
        seed=seed,
        gamma=gamma,
        gamma_without=gamma_without,
        progress=progress,
    )
