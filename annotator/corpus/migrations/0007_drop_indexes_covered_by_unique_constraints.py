"""Drop the single-column indexes on corpus_document.project_id and corpus_passage.document_id.

Each is the leading column of a unique constraint's index, (project_id, sha256) and (document_id,
position), which serves the same lookups (a project's documents, a document's passages, the cascades),
so they only cost every import a second index to write. Django's own AlterField would drop and re-add
the foreign key, re-checking every row under a lock; only the indexes change here, the foreign keys
stay as they are.
"""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = (
    ("corpus_document", "project_id", "corpus_document_project_id_1f1cb7a4"),
    ("corpus_passage", "document_id", "corpus_passage_document_id_a4f3b23d"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("corpus", "0006_text_length_limits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
                )
                for table, column, index in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="document",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="documents",
                        to="corpus.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="passage",
                    name="document",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="passages",
                        to="corpus.document",
                    ),
                ),
            ],
        ),
    ]
