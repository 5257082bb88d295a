"""ticket search on PostgreSQL: a new message's words are added to the ticket's vector, not the whole
ticket parsed again

The search vector was a generated column: every new message made PostgreSQL parse the ticket's
whole text again (to_tsvector over every earlier message), half of the index job's server time on
the benchmark's replies (bench/README). It is now a plain column that a trigger fills. When only the
messages grew, by text that starts on a new line (the index joins messages with one), the new text's
words are appended to the old vector: `||` numbers them on from the old vector's last position, as
parsing the whole text would, so the vector is the same either way (tests/services/search). Unless
some word's positions were cut short (to_tsvector keeps 255 of them, `||` 256): such a ticket, and
any other change (subject, customer, tags, an edited or erased message, new CJK text), gets its
whole vector computed, as before. The function keeps the search path it was created with: the
generated column named its text search configuration once, and a session with another path (a
data-only restore sets an empty one) must still find it.

The column keeps its values: no table rewrite, no index rebuilt.

Revision ID: b6d8f0a2c4e7
Revises: a7c9e1b3d5f8
Create Date: 2026-12-07 15:30:00
"""

from alembic import op

revision = "b6d8f0a2c4e7"
down_revision = "a7c9e1b3d5f8"
branch_labels = None
depends_on = None

PUNCTUATION = "[!-/:-@[-`{-~]+"  # the same as helpdesk.services.search.engines.PUNCTUATION


def _words(value: str) -> str:
    return f"to_tsvector('kb_simple', regexp_replace({value}, '{PUNCTUATION}', ' ', 'g'))"


def _document(row: str = "") -> str:
    """The whole vector of a row's columns (`row`: "NEW." in the trigger, "" in a generated column)."""
    return (f"setweight({_words(row + 'subject')}, 'A') || setweight({_words(row + 'people')}, 'B') || "
            f"setweight(to_tsvector('kb_simple', {row}grams), 'C') || setweight({_words(row + 'body')}, 'D')")


FUNCTION = f"""
CREATE FUNCTION ticket_fts_document_set() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  appended tsvector;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.ticket_fts_document IS NOT NULL
     AND NEW.subject IS NOT DISTINCT FROM OLD.subject AND NEW.people IS NOT DISTINCT FROM OLD.people
     AND NEW.grams IS NOT DISTINCT FROM OLD.grams THEN
    IF NEW.body IS NOT DISTINCT FROM OLD.body THEN
      NEW.ticket_fts_document := OLD.ticket_fts_document;
      RETURN NEW;
    END IF;
    -- Only new messages: the words after the old text's line end are numbered on from its last
    -- word, which is the old vector's last position unless a word's positions were cut short
    -- (to_tsvector keeps 255, || 256): then the whole text is parsed.
    IF OLD.body <> '' AND starts_with(NEW.body, OLD.body || E'\\n') THEN
      appended := OLD.ticket_fts_document || setweight({_words('substr(NEW.body, length(OLD.body) + 1)')}, 'D');
      IF NOT EXISTS (SELECT 1 FROM unnest(appended) AS word WHERE cardinality(word.positions) >= 255) THEN
        NEW.ticket_fts_document := appended;
        RETURN NEW;
      END IF;
    END IF;
  END IF;
  NEW.ticket_fts_document := {_document('NEW.')};
  RETURN NEW;
END $$
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE ticket_search_docs ALTER COLUMN ticket_fts_document DROP EXPRESSION")
    op.execute(FUNCTION)
    op.execute("CREATE TRIGGER ticket_fts_document_set BEFORE INSERT OR UPDATE ON ticket_search_docs "
               "FOR EACH ROW EXECUTE FUNCTION ticket_fts_document_set()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER ticket_fts_document_set ON ticket_search_docs")
    op.execute("DROP FUNCTION ticket_fts_document_set()")
    op.execute("ALTER TABLE ticket_search_docs DROP COLUMN ticket_fts_document")  # and its index
    op.execute("ALTER TABLE ticket_search_docs ADD COLUMN ticket_fts_document tsvector GENERATED ALWAYS AS ("
               f"{_document()}) STORED")
    op.execute("CREATE INDEX ticket_fts_document_idx ON ticket_search_docs USING gin (ticket_fts_document)")
    op.execute("ANALYZE ticket_search_docs")
