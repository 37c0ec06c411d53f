import json
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator import jsonsafe
from annotator.corpus.importing import ImportRefused
from annotator.corpus.models import Project
from annotator.exports.importing import FORMATS, annotations_upload


class Command(BaseCommand):
    help = (
        "Import annotations made in doccano (JSONL or the zip its Download button serves), Label Studio "
        "(JSON, JSON_MIN) or brat (.ann/.txt folders or a zip). Records whose text is already in the project "
        "attach to its passages; claims get their speakers from speaker spans and relations. All files are "
        "checked first and written together; any bad record writes nothing (unless --skip-invalid)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument(
            "--format", default="auto", choices=FORMATS, help="default: recognised from the files"
        )
        parser.add_argument(
            "--label-map",
            type=Path,
            help='JSON file: {"foreign label": perspective | {"perspective", "stance", "attribution"} | '
            '"speaker" | "ignore"}; default: CLAIM, SPEAKER and each perspective value name themselves',
        )
        parser.add_argument(
            "--annotator-map", type=Path, help='JSON file: {"foreign name or e-mail": "member username"}'
        )
        parser.add_argument(
            "--annotator",
            help="the annotator of a collaborative file (doccano's all.jsonl), a member username",
        )
        parser.add_argument(
            "--speaker-relation",
            action="append",
            dest="speaker_relations",
            help="relation type that links a claim to its speaker (repeatable; default said_by)",
        )
        parser.add_argument(
            "--create-users",
            action="store_true",
            help="make accounts (no password) for annotators who have none; never touches other accounts",
        )
        parser.add_argument("--skip-invalid", action="store_true", help="import the valid records anyway")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be imported; write nothing"
        )

    def handle(self, *args, files: list[Path], **options) -> None:
        try:
            project = Project.objects.get(slug=options["project"])
        except Project.DoesNotExist as error:
            raise CommandError(f"No project with slug {options['project']!r}.") from error
        for path in files:
            if not Path(path).is_file():
                raise CommandError(f"{path}: no such file.")
        files = [Path(path) for path in files]  # call_command passes keywords unconverted
        try:
            summary = annotations_upload(
                project=project,
                uploads=[(p.name, p.stat().st_size, _chunks(p)) for p in files],
                format=options["format"],
                label_map=_read_json(options["label_map"]),
                annotator_map=_read_json(options["annotator_map"]),
                annotator=options["annotator"],
                speaker_relations=options["speaker_relations"] or ["said_by"],
                create_users=options["create_users"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except (ImportRefused, ValidationError) as error:
            message = str(error) if isinstance(error, ImportRefused) else "; ".join(error.messages)
            raise CommandError(message) from error
        for problem in summary.errors:
            self.stderr.write(f"error: {problem}")
        for line in summary.lines():
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        elif not summary.written:
            raise CommandError(
                f"{summary.records_with_errors} of {summary.records} records have problems, "
                f"{len(summary.errors)} in all; nothing was imported."
            )


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(1 << 20), b"")


def _read_json(path: Path | str | None) -> str | None:
    if path is None:
        return None
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        jsonsafe.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path}: {error}") from error
    return text
