"""Score every reviewable passage once, so the review queue of an existing project is whole."""

from django.db import migrations


def score_existing_passages(apps, schema_editor) -> None:
    # The scoring service itself (not a copy of it in this file): the stored scores must equal what the
    # service writes later. It reads only columns that exist from this migration on.
    from annotator.corpus.models import Project
    from annotator.review.scoring import project_scores_refresh

    for project in Project.objects.only("pk").iterator():
        project_scores_refresh(project=project)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0003_passage_score"),
        ("labeling", "0007_claim_suggestion"),
        ("suggestions", "0001_initial"),
    ]

    operations = [migrations.RunPython(score_existing_passages, migrations.RunPython.noop)]
