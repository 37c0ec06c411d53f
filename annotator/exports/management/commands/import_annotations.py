import json
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.corpus.importing import ImportRefused
from annotator.corpus.models import Project
from annotator.exports.importing import SOURCES, annotations_upload


class Command(BaseCommand):
    help = (
        "Import doccano JSONL or Label Studio JSON exports with their annotations. All files are checked "
        "first and written together; any bad record writes nothing (unless --skip-invalid)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--format", required=True, choices=SOURCES)
        parser.add_argument(
            "--label-map",
            type=Path,
            help='JSON file: {"foreign label": "perspective" | {"perspective": ..., "stance": ..., '
            '"attribution": ...}}; default: each perspective value names itself',
        )
        parser.add_argument("--annotator-map", type=Path, help='JSON file: {"foreign name": "username"}')
        parser.add_argument("--skip-invalid", action="store_true", help="import the valid records anyway")

    def handle(self, *args, files: list[Path], **options) -> None:
        try:
            project = Project.objects.get(slug=options["project"])
        except Project.DoesNotExist as error:
            raise CommandError(f"No project with slug {options['project']!r}.") from error
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
        try:
            summary = annotations_upload(
                project=project,
                source=options["format"],
                uploads=[(p.name, p.stat().st_size, _chunks(p)) for p in files],
                label_map=_read_json(options["label_map"]),
                annotator_map=_read_json(options["annotator_map"]),
                skip_invalid=options["skip_invalid"],
            )
        except (ImportRefused, ValidationError) as error:
            message = str(error) if isinstance(error, ImportRefused) else "; ".join(error.messages)
            raise CommandError(message) from error
        for problem in summary.errors:
            self.stderr.write(f"error: {problem}")
        if not summary.written:
            raise CommandError(f"{len(summary.errors)} problems; nothing was imported.")
        self.stdout.write(
            f"{summary.documents} documents ({summary.reused_documents} already there), "
            f"{summary.assignments} assignments, {summary.claims} claims imported; "
            f"{len(summary.users_created)} new users ({', '.join(summary.users_created) or 'none'}); "
            f"{summary.skipped_assignments} assignments already there; {len(summary.errors)} records skipped."
        )


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(1 << 20), b"")


def _read_json(path: Path | str | None) -> str | None:
    if path is None:
        return None
    path = Path(path)  # call_command passes keywords unconverted
    try:
        text = path.read_text(encoding="utf-8")
        json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path}: {error}") from error
    return text
