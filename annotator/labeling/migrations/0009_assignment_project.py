"""Each assignment keeps its passage's project, so a project's assignments list by the index
(project, passage, annotator)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE labeling_assignment SET project_id = (
    SELECT d.project_id
    FROM corpus_passage p
    JOIN corpus_document d ON d.id = p.document_id
    WHERE p.id = labeling_assignment.passage_id
)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('corpus', '0004_project_suggestions'),
        ('labeling', '0008_claim_project'),
    ]

    operations = [
        migrations.AddField(
            model_name='assignment',
            name='project',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='corpus.project'),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='assignment',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='corpus.project'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['project', 'passage', 'annotator'], name='assignment_project_idx'),
        ),
    ]
