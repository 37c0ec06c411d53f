"""Gold claims get the same PostgreSQL check as annotators' claims (function from labeling 0002)."""

from django.db import migrations

CREATE = """
CREATE TRIGGER goldclaim_text_matches_passage
BEFORE INSERT OR UPDATE OF start, "end", text, mention_end, adjudication_id ON review_goldclaim
FOR EACH ROW EXECUTE FUNCTION claim_text_matches_passage();
"""
DROP = "DROP TRIGGER IF EXISTS goldclaim_text_matches_passage ON review_goldclaim;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial"), ("labeling", "0002_claim_text_trigger")]
    operations = [migrations.RunPython(create, drop)]
