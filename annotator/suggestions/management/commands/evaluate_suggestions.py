from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.corpus.schema import load_default_schema
from annotator.suggestions.detector.evaluation import evaluate_document, markdown_table, table_rows
from annotator.suggestions.detector.gold import gold_problems, load_gold

ROOT = Path(settings.BASE_DIR)


class Command(BaseCommand):
    # Reads files and runs pure code only: no database, so no reason to wait on the project's checks.
    requires_system_checks: list[str] = []
    help = (
        "Score the quote and speaker detector against gold annotations: exact and overlap precision, recall "
        "and F1 on the attributed claims, per article and overall."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--gold", type=Path, default=ROOT / "fixtures" / "gold", help="folder of gold JSON"
        )
        parser.add_argument("--documents", type=Path, default=ROOT / "seeds", help="folder of the articles")

    def handle(self, *args: Any, gold: Path, documents: Path, **options: Any) -> None:
        paths = sorted(gold.glob("*.json"))
        if not paths:
            raise CommandError(f"--gold: no .json files in {gold}.")
        schema = load_default_schema()
        per_document = {}
        for path in paths:
            annotation = load_gold(path)
            document = documents / annotation["document"]
            if not document.is_file():
                raise CommandError(f"{path.name}: its document {document} does not exist.")
            text = document.read_text(encoding="utf-8")
            problems = gold_problems(annotation, text, schema)
            if problems:
                raise CommandError(f"{path.name}: " + "; ".join(problems[:5]))
            per_document[annotation["document"]] = evaluate_document(text, annotation)
        self.stdout.write(markdown_table(table_rows(per_document)))
