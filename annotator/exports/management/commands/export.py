import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.corpus.models import Project
from annotator.exports.selectors import SOURCES, STATUSES
from annotator.exports.services import FORMATS, export_options, export_stream, export_to_folder, write_export


class Command(BaseCommand):
    help = (
        "Export a project's claims: jsonl, csv, conll, conll_plain (zip), hf (a zip, or a folder when --out "
        "names a directory or has no suffix), doccano (zip), label_studio, label_studio_config (the labeling "
        "config XML) or brat (zip). Writes to stdout without --out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("--out", type=Path, help="file to write (default: stdout)")
        parser.add_argument("--documents", default="", help="document ids, comma-separated")
        parser.add_argument("--annotators", default="", help="usernames, comma-separated")
        parser.add_argument("--status", default="submitted", choices=STATUSES)
        parser.add_argument("--source", default="annotators", choices=SOURCES)

    def handle(self, *args, **options) -> None:
        try:
            project = Project.objects.get(slug=options["project"])
        except Project.DoesNotExist as error:
            raise CommandError(f"No project with slug {options['project']!r}.") from error
        try:
            name, filters = export_options(options)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        out = Path(options["out"]) if options["out"] else None  # call_command passes keywords unconverted
        if name == "hf" and out is not None and (out.is_dir() or not out.suffix):
            counts = export_to_folder(project=project, filters=filters, folder=out)
            total = sum(split["passages"] for split in counts.values())
            self.stderr.write(f"{total} passages written to the dataset folder {out}.")
            return
        chunks, _, _ = export_stream(project=project, format=name, filters=filters)
        if out is None:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return
        write_export(out, chunks)
        self.stderr.write(f"{out} written ({out.stat().st_size} bytes).")
