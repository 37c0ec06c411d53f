"""On PostgreSQL, the database itself checks that a claim's text is its passage's slice [start, end).

A check constraint cannot look at another table, so this is a trigger; other databases rely on the
write services, which check the same rule before saving.
"""

from django.db import migrations

CLAIM_TRIGGER = """
CREATE OR REPLACE FUNCTION claim_text_matches_passage() RETURNS trigger AS $$
DECLARE
    passage_text text;
BEGIN
    IF TG_TABLE_NAME = 'labeling_claim' THEN
        SELECT p.text INTO passage_text FROM corpus_passage p
        JOIN labeling_assignment a ON a.passage_id = p.id WHERE a.id = NEW.assignment_id;
    ELSE
        SELECT p.text INTO passage_text FROM corpus_passage p
        JOIN review_adjudication j ON j.passage_id = p.id WHERE j.id = NEW.adjudication_id;
    END IF;
    IF NEW."end" > char_length(passage_text)
       OR substr(passage_text, NEW.start + 1, NEW."end" - NEW.start) IS DISTINCT FROM NEW.text THEN
        RAISE EXCEPTION 'claim [%:%] does not match its passage text', NEW.start, NEW."end"
            USING ERRCODE = 'check_violation', CONSTRAINT = 'claim_text_is_passage_slice';
    END IF;
    IF NEW.mention_end IS NOT NULL AND NEW.mention_end > char_length(passage_text) THEN
        RAISE EXCEPTION 'speaker mention [%:%] is outside its passage', NEW.mention_start, NEW.mention_end
            USING ERRCODE = 'check_violation', CONSTRAINT = 'claim_mention_inside_passage';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER claim_text_matches_passage
BEFORE INSERT OR UPDATE OF start, "end", text, mention_end, assignment_id ON labeling_claim
FOR EACH ROW EXECUTE FUNCTION claim_text_matches_passage();
"""

DROP = """
DROP TRIGGER IF EXISTS claim_text_matches_passage ON labeling_claim;
DROP FUNCTION IF EXISTS claim_text_matches_passage();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CLAIM_TRIGGER, None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [("labeling", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
