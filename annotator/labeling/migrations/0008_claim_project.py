"""Each claim keeps its assignment's project, so a project's claims page by the index (project, id)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE labeling_claim SET project_id = (
    SELECT d.project_id
    FROM labeling_assignment a
    JOIN corpus_passage p ON p.id = a.passage_id
    JOIN corpus_document d ON d.id = p.document_id
    WHERE a.id = labeling_claim.assignment_id
)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('corpus', '0004_project_suggestions'),
        ('labeling', '0007_claim_suggestion'),
    ]

    operations = [
        migrations.AddField(
            model_name='claim',
            name='project',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='corpus.project'),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='claim',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='corpus.project'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['project', 'id'], name='claim_project_idx'),
        ),
    ]
