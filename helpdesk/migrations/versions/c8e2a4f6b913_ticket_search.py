"""ticket search: the searchable text of each ticket and its word list, with each engine's index

Besides the two tables, each engine gets its full-text objects (named ticket_fts*, invisible to the
ORM), the same kinds the knowledge base uses. SQLite: an FTS5 table over ticket_search_docs
(unicode61 without diacritics, prefixes of 2 and 3 characters) kept in step by triggers, and a
trigram table of the word list. PostgreSQL: a generated tsvector column in the knowledge base's
kb_simple configuration (unaccented when unaccent is installed; punctuation turned into spaces so an
e-mail address is found by its words) with a GIN index, and a pg_trgm index on the word list when
pg_trgm is installed.

Revision ID: c8e2a4f6b913
Revises: b7e1d3f5a820
Create Date: 2026-12-07 01:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c8e2a4f6b913'
down_revision = 'b7e1d3f5a820'
branch_labels = None
depends_on = None

_COLUMNS = "subject, people, body, grams"
_NEW, _OLD = (", ".join(f"{row}.{c}" for c in _COLUMNS.split(", ")) for row in ("new", "old"))
SQLITE_UP = [
    f"CREATE VIRTUAL TABLE ticket_fts USING fts5({_COLUMNS}, content='ticket_search_docs', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE TRIGGER ticket_fts_ai AFTER INSERT ON ticket_search_docs BEGIN "
    f"INSERT INTO ticket_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "CREATE TRIGGER ticket_fts_ad AFTER DELETE ON ticket_search_docs BEGIN "
    f"INSERT INTO ticket_fts(ticket_fts, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_OLD}); END",
    "CREATE TRIGGER ticket_fts_au AFTER UPDATE ON ticket_search_docs BEGIN "
    f"INSERT INTO ticket_fts(ticket_fts, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_OLD}); "
    f"INSERT INTO ticket_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "CREATE VIRTUAL TABLE ticket_fts_terms USING fts5(term, content='ticket_search_terms', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER ticket_fts_terms_ai AFTER INSERT ON ticket_search_terms BEGIN "
    "INSERT INTO ticket_fts_terms(rowid, term) VALUES (new.id, new.term); END",
    "CREATE TRIGGER ticket_fts_terms_ad AFTER DELETE ON ticket_search_terms BEGIN "
    "INSERT INTO ticket_fts_terms(ticket_fts_terms, rowid, term) VALUES ('delete', old.id, old.term); END",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS ticket_fts_terms_ad", "DROP TRIGGER IF EXISTS ticket_fts_terms_ai",
               "DROP TABLE IF EXISTS ticket_fts_terms", "DROP TRIGGER IF EXISTS ticket_fts_au",
               "DROP TRIGGER IF EXISTS ticket_fts_ad", "DROP TRIGGER IF EXISTS ticket_fts_ai",
               "DROP TABLE IF EXISTS ticket_fts"]


def _words(column):
    return f"to_tsvector('kb_simple', regexp_replace({column}, '[^[:alnum:]]+', ' ', 'g'))"


def _pg_upgrade(bind):
    bind.exec_driver_sql(
        "ALTER TABLE ticket_search_docs ADD COLUMN ticket_fts_document tsvector GENERATED ALWAYS AS ("
        f"setweight({_words('subject')}, 'A') || setweight({_words('people')}, 'B') || "
        f"setweight(to_tsvector('kb_simple', grams), 'C') || setweight({_words('body')}, 'D')) STORED")
    bind.exec_driver_sql("CREATE INDEX ticket_fts_document_idx ON ticket_search_docs USING gin (ticket_fts_document)")
    trgm = bind.scalar(sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                               "WHERE e.extname = 'pg_trgm'"))
    if trgm:
        bind.exec_driver_sql(
            f'CREATE INDEX ticket_fts_terms_trgm ON ticket_search_terms USING gin (term "{trgm}".gin_trgm_ops)')


def upgrade():
    op.create_table('ticket_search_docs',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('people', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('grams', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['tickets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('ticket_search_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('term')
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        _pg_upgrade(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP INDEX IF EXISTS ticket_fts_terms_trgm")
        bind.exec_driver_sql("DROP INDEX IF EXISTS ticket_fts_document_idx")
    op.drop_table('ticket_search_terms')
    op.drop_table('ticket_search_docs')
