"""On PostgreSQL, the database itself checks that a suggestion's text is its passage's slice [start, end)
and that its speaker mention lies inside the passage (as labeling 0002 does for claims)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION suggestion_text_matches_passage() RETURNS trigger AS $$
DECLARE
    passage_text text;
BEGIN
    SELECT p.text INTO passage_text FROM corpus_passage p WHERE p.id = NEW.passage_id;
    IF NEW."end" > char_length(passage_text)
       OR substr(passage_text, NEW.start + 1, NEW."end" - NEW.start) IS DISTINCT FROM NEW.text THEN
        RAISE EXCEPTION 'suggestion [%:%] does not match its passage text', NEW.start, NEW."end"
            USING ERRCODE = 'check_violation', CONSTRAINT = 'suggestion_text_is_passage_slice';
    END IF;
    IF NEW.mention_end IS NOT NULL AND NEW.mention_end > char_length(passage_text) THEN
        RAISE EXCEPTION 'speaker mention [%:%] is outside its passage', NEW.mention_start, NEW.mention_end
            USING ERRCODE = 'check_violation', CONSTRAINT = 'suggestion_mention_inside_passage';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER suggestion_text_matches_passage
BEFORE INSERT OR UPDATE OF start, "end", text, mention_end, passage_id ON suggestions_suggestion
FOR EACH ROW EXECUTE FUNCTION suggestion_text_matches_passage();
"""

DROP = """
DROP TRIGGER IF EXISTS suggestion_text_matches_passage ON suggestions_suggestion;
DROP FUNCTION IF EXISTS suggestion_text_matches_passage();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
