from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from annotator.corpus.importing import ImportRefused, import_path
from annotator.corpus.models import Project
from annotator.corpus.services import ImportSummary

SUFFIXES = {".txt", ".md", ".jsonl", ".ndjson", ".csv"}


class Command(BaseCommand):
    help = "Import article files (.txt, .jsonl, .csv; folders are searched) into a project."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--project", required=True, help="project slug")

    def handle(self, *args, paths: list[Path], project: str, **options) -> None:
        try:
            target = Project.objects.get(slug=project)
        except Project.DoesNotExist as error:
            raise CommandError(f"No project with slug {project!r}.") from error
        files = sorted(_expand(paths))
        if not files:
            raise CommandError("No article files found (.txt, .md, .jsonl, .ndjson, .csv).")
        total, failures = ImportSummary(), []
        for path in tqdm(files, unit="file", disable=len(files) < 5 or options["verbosity"] == 0):
            try:
                summary = import_path(project=target, path=path)
                total.add(summary)
                if summary.encoding != "UTF-8":
                    self.stdout.write(f"{path.name}: read as {summary.encoding}")
            except (ImportRefused, ValidationError) as error:
                message = str(error) if isinstance(error, ImportRefused) else "; ".join(error.messages)
                failures.append(message)
                self.stderr.write(f"error: {message} (nothing imported from {path.name})")
        self.stdout.write(
            f"{total.documents} documents, {total.passages} passages imported; "
            f"{total.skipped_duplicates} skipped duplicates; {len(failures)} files failed."
        )
        if failures:
            raise CommandError(f"{len(failures)} of {len(files)} files failed.")


def _expand(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += [p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.name != "README.md"]
        elif path.exists():
            found.append(path)
        else:
            raise CommandError(f"{path}: no such file or folder.")
    return found
