"""`manage.py agreement --project SLUG [--json]`: compute the project's agreement now and print it."""

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.agreement import charts
from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.services import RunBusy, agreement_run_execute, agreement_run_request
from annotator.corpus.models import Project

ATTRIBUTES = ("perspective", "stance", "speaker")


class Command(BaseCommand):
    help = "Compute a project's agreement in this process (the same service the workers run) and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the stored results as JSON"
        )
        parser.add_argument(
            "--n-boot", type=int, help="bootstrap replicates (default 1000; 0 = no intervals)"
        )
        parser.add_argument("--seed", type=int, help="bootstrap seed (default 0)")
        parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for a busy worker")

    def handle(self, *args: Any, project: str, as_json: bool, n_boot: int | None, seed: int | None,
               timeout: float, **options: Any) -> None:  # fmt: skip
        found = Project.objects.filter(slug=project).first()
        if found is None:
            raise CommandError(f"No project with the slug {project!r}.")
        parameters = {k: v for k, v in {"n_boot": n_boot, "seed": seed}.items() if v is not None}
        run = agreement_run_request(project=found, parameters=parameters or None, enqueue=False)
        run = self._execute(run.pk, timeout)
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"Agreement run #{run.pk} {run.status}: {run.error}")
        if as_json:
            self.stdout.write(_json({"run": _run_summary(run), **run.results}))
        else:
            self.stdout.write(render_table(found, run))

    def _execute(self, run_id: int, timeout: float) -> AgreementRun:
        """Run it here; if a worker holds it already, wait for that worker instead."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                agreement_run_execute(run_id=run_id)
            except RunBusy as busy:
                time.sleep(min(busy.retry_in, 1.0))
            run = AgreementRun.objects.get(pk=run_id)
            if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
                return run
            if time.monotonic() > deadline:
                raise CommandError(f"Agreement run #{run_id} is still {run.status} after {timeout:.0f} s.")
            time.sleep(0.2)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def _run_summary(run: AgreementRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "input_digest": run.input_digest,
        "reused_from": run.reused_from_id,
        "parameters": run.parameters,
        "timings": run.timings,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def _row(name: str, figure: dict | None, reading: str = "alpha") -> str:
    figure = figure or {}
    value, ci = figure.get("value"), figure.get("ci")
    ci_text = f"[{charts.fmt(ci[0], 3)}, {charts.fmt(ci[1], 3)}]" if ci else ""
    band = {"alpha": charts.krippendorff_band, "kappa": charts.landis_koch}.get(reading, lambda v: "")(value)
    n = figure.get("n_units", "")
    people = figure.get("n_annotators", "")
    return f"  {name:<32} {charts.fmt(value, 3):>7}  {ci_text:<18} {n!s:>8} {people!s:>5}  {band}"


def render_table(project: Project, run: AgreementRun) -> str:
    """The headline figures, annotators and documents as plain-text tables."""
    results = run.results
    report = results["report"]
    counts = report["counts"]
    names = results.get("annotators", {})
    titles = results.get("documents", {})
    lines = [
        f"Agreement for {project.name} ({project.slug}) — run #{run.pk}, "
        f"{run.finished_at:%Y-%m-%d %H:%M} UTC, {run.timings.get('total', 0):.2f} s"
        + (f" (input unchanged: figures of run #{run.reused_from_id})" if run.reused_from_id else ""),
        f"Data: {counts['passages_shared']} of {counts['passages']} passages coded by 2+ annotators, "
        f"{counts['documents']} documents, {counts['annotators']} annotators, {counts['claims_used']} claims",
        f"95% CI: percentile bootstrap over documents, {report['parameters']['n_boot']} replicates",
        "",
        f"  {'figure':<32} {'value':>7}  {'95% CI':<18} {'n':>8} {'coders':>5}  reading",
        "Claim spans",
        _row("position alpha (characters)", report["span"]["position_alpha"]),
        _row("unitizing alpha", report["span"]["unitizing_alpha"]),
        _row("span F1, overlap", report["span"]["overlap_f1"], "f1"),
        _row("span F1, exact", report["span"]["exact_f1"], "f1"),
        "Attributes of matched claims",
    ]
    for name in ATTRIBUTES:
        section = report["attributes"][name]
        lines.append(_row(f"{name} alpha", section["alpha"]))
        lines.append(_row(f"{name} Cohen kappa (mean)", section["cohen_kappa_mean"], "kappa"))
        if section["fleiss_kappa"].get("value") is not None:
            lines.append(_row(f"{name} Fleiss kappa", section["fleiss_kappa"], "kappa"))
    lines += _suggestion_lines(results.get("without_suggestions"), names)
    lines += ["", "Annotators (vs. the others)", f"  {'annotator':<20} {'passages':>8} {'claims':>7}  "
              f"{'F1 ovl':>7} {'k persp':>7} {'k stance':>8} {'k speaker':>9}"]  # fmt: skip
    for entry in report["annotators"]:
        others = entry["vs_others"]
        lines.append(
            f"  {names.get(str(entry['annotator']), entry['annotator'])!s:<20} {entry['passages']:>8} "
            f"{entry['claims']:>7}  {charts.fmt(others['overlap_f1']['value']):>7} "
            f"{charts.fmt(others['perspective_kappa']['value']):>7} "
            f"{charts.fmt(others['stance_kappa']['value']):>8} "
            f"{charts.fmt(others['speaker_kappa']['value']):>9}"
        )
    lines += ["", "Documents", f"  {'document':<40} {'passages':>8}  {'alpha':>6} {'F1 ovl':>7}"]
    for entry in report["documents"]:
        title = str(titles.get(str(entry["document"]), entry["document"]))
        lines.append(
            f"  {title[:40]:<40} {entry['passages']:>8}  {charts.fmt(entry['position_alpha']['value']):>6} "
            f"{charts.fmt(entry['overlap_f1']['value']):>7}"
        )
    return "\n".join(lines)


def _suggestion_lines(section: dict | None, names: dict[str, str]) -> list[str]:
    """The headline figures with and without accepted suggestions, and who accepted how many."""
    if not section:
        return []
    counts = section["suggested_claims"]
    lines = [
        "",
        f"With and without accepted suggestions: {counts['suggested']} of {counts['claims']} claims came "
        "from suggestions (difference = all claims - without them)",
        f"  {'figure':<32} {'all':>7} {'without':>8} {'diff':>7}",
    ]
    for row in section["comparison"]:
        signed = charts.fmt_signed(row["difference"])
        lines.append(
            f"  {row['title']:<32} {charts.fmt(row['all'], 3):>7} {charts.fmt(row['without'], 3):>8} "
            f"{signed:>7}"
        )
    lines.append(f"  {'annotator':<20} {'claims':>7} {'from suggestions':>16} {'share':>6}")
    for entry in counts["annotators"]:
        share = "" if entry["share"] is None else f"{entry['share']:.0%}"
        lines.append(
            f"  {names.get(str(entry['annotator']), entry['annotator'])!s:<20} {entry['claims']:>7} "
            f"{entry['suggested']:>16} {share:>6}"
        )
    return lines
