"""What a run stores: the report on all claims and, when some came from accepted suggestions, the headline
figures without them (see `suggested`), plus the names and amounts of data the figures rest on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from annotator.agreement.loading import RESULTS_FORMAT, ProjectInput
from annotator.agreement.maths.suggested import report_with_and_without

DEFAULT_PARAMETERS: dict[str, int] = {"n_boot": 1000, "seed": 0}


def run_results(loaded: ProjectInput, parameters: dict[str, Any], *, progress: Callable[..., None]) -> dict:
    """The stored results; "without_suggestions" only when a claim the report uses came from a suggestion."""
    report, without = report_with_and_without(
        **loaded.report_arguments(),
        suggested=loaded.suggested,
        n_boot=parameters.get("n_boot", DEFAULT_PARAMETERS["n_boot"]),
        seed=parameters.get("seed", DEFAULT_PARAMETERS["seed"]),
        progress=progress,
    )
    return results_document(loaded, loaded.counts, parameters, report, without)


class Names(Protocol):
    """Who and what the figures name: a loaded project (ProjectInput) or a run's index (ProjectIndex)."""

    annotators: dict[int, str]
    documents: dict[int, str]
    speakers: dict[int, str]


def results_document(
    names: Names, counts: dict[str, int], parameters: dict[str, Any], report: dict, without: dict | None
) -> dict:
    """The stored results around a report and its "without suggestions" section (as
    `sufficient.report_from_statistics` gives them): names to show, input counts, parameters."""
    results = {
        "format": RESULTS_FORMAT,
        "report": report,
        "annotators": {str(pk): name for pk, name in names.annotators.items()},
        "documents": {str(pk): title for pk, title in names.documents.items()},
        "speakers": {str(pk): name for pk, name in names.speakers.items()},
        "input": counts,
        "parameters": parameters,
    }
    if without is not None:
        results["without_suggestions"] = without
    return results
