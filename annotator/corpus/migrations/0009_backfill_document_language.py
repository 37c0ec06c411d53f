"""Documents imported before languages were stored get the language their text shows (blank when unclear)."""

from django.db import migrations

from annotator.corpus.language import detect_language

BATCH = 2_000


def backfill(apps, schema_editor) -> None:
    Document = apps.get_model("corpus", "Document")
    pending = Document.objects.filter(language="").order_by("id")
    last = 0
    while True:
        batch = list(pending.filter(id__gt=last).only("id", "text")[:BATCH])
        if not batch:
            return
        last = batch[-1].id
        for document in batch:
            document.language = detect_language(document.text)
        Document.objects.bulk_update([d for d in batch if d.language], ["language"])


class Migration(migrations.Migration):
    dependencies = [("corpus", "0008_document_language")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
