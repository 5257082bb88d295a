"""knowledge base: categories, articles, translations, revisions, files, search index, activity

Besides the tables the models describe, each engine gets its full-text objects (named kb_fts*,
invisible to the ORM). Chinese and Japanese are indexed as two-character pieces (kb_search_docs'
title_grams and body_grams). SQLite: FTS5 tables (unicode61 with Porter stemming and no diacritics) of
titles and tags alone and of everything, and a trigram table of the word list, kept in step by
triggers. PostgreSQL: text search configurations per language (english, spanish, simple;
unaccented when the unaccent extension can be installed), generated tsvector columns (titles and
tags; everything) with GIN indexes, and a pg_trgm index on the word list when pg_trgm can be
installed (without it, typos are matched by a slower word scan).

Revision ID: e5a8c2d4f613
Revises: c41d7a9e2b58
Create Date: 2026-11-23 19:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e5a8c2d4f613'
down_revision = 'c41d7a9e2b58'
branch_labels = None
depends_on = None

# Two FTS5 tables over the same rows: titles and tags alone (small, answers most searches quickly)
# and everything (title, tags, body). Triggers keep both in step with kb_search_docs.
_TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'"
_ALL = "title, tags, body, title_grams, body_grams"
_TITLES = "title, tags, title_grams"
_NEW_ALL, _OLD_ALL = (", ".join(f"{row}.{c}" for c in _ALL.split(", ")) for row in ("new", "old"))
_NEW_TITLES, _OLD_TITLES = (", ".join(f"{row}.{c}" for c in _TITLES.split(", ")) for row in ("new", "old"))
SQLITE_UP = [
    f"CREATE VIRTUAL TABLE kb_fts USING fts5(title, tags, body, title_grams, body_grams, content='kb_search_docs', "
    f"content_rowid='id', {_TOKENIZE})",
    f"CREATE VIRTUAL TABLE kb_fts_titles USING fts5(title, tags, title_grams, content='kb_search_docs', "
    f"content_rowid='id', {_TOKENIZE})",
    "CREATE TRIGGER kb_fts_ai AFTER INSERT ON kb_search_docs BEGIN "
    f"INSERT INTO kb_fts(rowid, {_ALL}) VALUES (new.id, {_NEW_ALL}); "
    f"INSERT INTO kb_fts_titles(rowid, {_TITLES}) VALUES (new.id, {_NEW_TITLES}); END",
    "CREATE TRIGGER kb_fts_ad AFTER DELETE ON kb_search_docs BEGIN "
    f"INSERT INTO kb_fts(kb_fts, rowid, {_ALL}) VALUES ('delete', old.id, {_OLD_ALL}); "
    f"INSERT INTO kb_fts_titles(kb_fts_titles, rowid, {_TITLES}) VALUES ('delete', old.id, {_OLD_TITLES}); END",
    "CREATE TRIGGER kb_fts_au AFTER UPDATE ON kb_search_docs BEGIN "
    f"INSERT INTO kb_fts(kb_fts, rowid, {_ALL}) VALUES ('delete', old.id, {_OLD_ALL}); "
    f"INSERT INTO kb_fts_titles(kb_fts_titles, rowid, {_TITLES}) VALUES ('delete', old.id, {_OLD_TITLES}); "
    f"INSERT INTO kb_fts(rowid, {_ALL}) VALUES (new.id, {_NEW_ALL}); "
    f"INSERT INTO kb_fts_titles(rowid, {_TITLES}) VALUES (new.id, {_NEW_TITLES}); END",
    "CREATE VIRTUAL TABLE kb_fts_terms USING fts5(term, content='kb_search_terms', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER kb_fts_terms_ai AFTER INSERT ON kb_search_terms BEGIN "
    "INSERT INTO kb_fts_terms(rowid, term) VALUES (new.id, new.term); END",
    "CREATE TRIGGER kb_fts_terms_ad AFTER DELETE ON kb_search_terms BEGIN "
    "INSERT INTO kb_fts_terms(kb_fts_terms, rowid, term) VALUES ('delete', old.id, old.term); END",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS kb_fts_terms_ad", "DROP TRIGGER IF EXISTS kb_fts_terms_ai",
               "DROP TABLE IF EXISTS kb_fts_terms", "DROP TRIGGER IF EXISTS kb_fts_au", "DROP TRIGGER IF EXISTS kb_fts_ad",
               "DROP TRIGGER IF EXISTS kb_fts_ai", "DROP TABLE IF EXISTS kb_fts_titles", "DROP TABLE IF EXISTS kb_fts"]
PG_CONFIGS = {"kb_english": "english", "kb_spanish": "spanish", "kb_simple": "simple"}


def _pg_extension(bind, name):
    """Install extension `name` (into public, where it outlives per-test schemas) if we may; its schema or None."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS {name} WITH SCHEMA public")
    except sa.exc.DBAPIError:
        pass
    return bind.scalar(sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                               "WHERE e.extname = :name"), {"name": name})


def _pg_upgrade(bind):
    unaccent = _pg_extension(bind, "unaccent")
    trgm = _pg_extension(bind, "pg_trgm")
    for config, parent in PG_CONFIGS.items():
        bind.exec_driver_sql(f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = pg_catalog.{parent})")
        if unaccent:
            stem = "simple" if parent == "simple" else f"{parent}_stem"
            bind.exec_driver_sql(f"ALTER TEXT SEARCH CONFIGURATION {config} ALTER MAPPING FOR hword, hword_part, word "
                                 f'WITH "{unaccent}".unaccent, {stem}')
    config = ("CASE language WHEN 'en' THEN 'kb_english'::regconfig WHEN 'es' THEN 'kb_spanish'::regconfig "
              "ELSE 'kb_simple'::regconfig END")
    bind.exec_driver_sql(
        "ALTER TABLE kb_search_docs ADD COLUMN kb_fts_document tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector({config}, title), 'A') || setweight(to_tsvector({config}, tags), 'B') || "
        f"setweight(to_tsvector({config}, body), 'C') || setweight(to_tsvector('kb_simple', title_grams), 'A') || "
        "setweight(to_tsvector('kb_simple', body_grams), 'C')) STORED")
    bind.exec_driver_sql("CREATE INDEX kb_fts_document_idx ON kb_search_docs USING gin (kb_fts_document)")
    # Titles and tags alone: a small vector that answers most searches without ranking every body.
    bind.exec_driver_sql(
        "ALTER TABLE kb_search_docs ADD COLUMN kb_fts_title tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector({config}, title), 'A') || setweight(to_tsvector({config}, tags), 'B') || "
        "setweight(to_tsvector('kb_simple', title_grams), 'A')) STORED")
    bind.exec_driver_sql("CREATE INDEX kb_fts_title_idx ON kb_search_docs USING gin (kb_fts_title)")
    if trgm:
        bind.exec_driver_sql(f'CREATE INDEX kb_fts_terms_trgm ON kb_search_terms USING gin (term "{trgm}".gin_trgm_ops)')


def _pg_downgrade(bind):
    bind.exec_driver_sql("DROP INDEX IF EXISTS kb_fts_terms_trgm")
    bind.exec_driver_sql("DROP INDEX IF EXISTS kb_fts_title_idx")
    bind.exec_driver_sql("DROP INDEX IF EXISTS kb_fts_document_idx")
    bind.exec_driver_sql("ALTER TABLE kb_search_docs DROP COLUMN IF EXISTS kb_fts_title")
    bind.exec_driver_sql("ALTER TABLE kb_search_docs DROP COLUMN IF EXISTS kb_fts_document")
    for config in PG_CONFIGS:
        bind.exec_driver_sql(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}")


def upgrade():
    op.create_table('kb_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('descriptions', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['kb_categories.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    with op.batch_alter_table('kb_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_categories_parent_id'), ['parent_id'], unique=False)

    op.create_table('kb_search_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('term')
    )
    op.create_table('kb_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('results', sa.Integer(), nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kb_searches', schema=None) as batch_op:
        batch_op.create_index('ix_kb_searches_created', ['created_at'], unique=False)
        batch_op.create_index('ix_kb_searches_visitor', ['visitor', 'id'], unique=False)

    op.create_table('kb_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('default_language', sa.String(length=12), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['kb_categories.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_articles_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_kb_articles_status_visibility', ['status', 'visibility'], unique=False)

    op.create_table('kb_editors',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('kb_article_links',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('related_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['related_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'related_id')
    )
    with op.batch_alter_table('kb_article_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_article_links_related_id'), ['related_id'], unique=False)

    op.create_table('kb_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=127), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('storage_key')
    )
    with op.batch_alter_table('kb_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_attachments_article_id'), ['article_id'], unique=False)

    op.create_table('kb_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kb_revisions', schema=None) as batch_op:
        batch_op.create_index('uq_kb_revisions_number', ['article_id', 'language', 'number'], unique=True)

    op.create_table('kb_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id', 'language', name='uq_kb_translations_article_language'),
    sa.UniqueConstraint('language', 'slug', name='uq_kb_translations_language_slug')
    )
    op.create_table('kb_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kb_views', schema=None) as batch_op:
        batch_op.create_index('ix_kb_views_article_created', ['article_id', 'created_at'], unique=False)
        batch_op.create_index('ix_kb_views_visitor', ['visitor'], unique=False)

    op.create_table('kb_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id', 'visitor', name='uq_kb_votes_article_visitor')
    )
    op.create_table('kb_deflections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('visitor')
    )
    with op.batch_alter_table('kb_deflections', schema=None) as batch_op:
        batch_op.create_index('ix_kb_deflections_created', ['created_at'], unique=False)

    op.create_table('kb_search_docs',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('title_grams', sa.Text(), nullable=False),
    sa.Column('body_grams', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['id'], ['kb_translations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kb_search_docs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_search_docs_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_search_docs_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_kb_search_docs_language_visibility', ['language', 'visibility'], unique=False)

    op.create_table('kb_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id', 'article_id', name='uq_kb_sent_message_article')
    )
    with op.batch_alter_table('kb_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_sent_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_sent_ticket_id'), ['ticket_id'], unique=False)

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
        _pg_downgrade(bind)
    with op.batch_alter_table('kb_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_sent_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_kb_sent_article_id'))

    op.drop_table('kb_sent')
    with op.batch_alter_table('kb_search_docs', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_search_docs_language_visibility')
        batch_op.drop_index(batch_op.f('ix_kb_search_docs_category_id'))
        batch_op.drop_index(batch_op.f('ix_kb_search_docs_article_id'))

    op.drop_table('kb_search_docs')
    with op.batch_alter_table('kb_deflections', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_deflections_created')

    op.drop_table('kb_deflections')
    op.drop_table('kb_votes')
    with op.batch_alter_table('kb_views', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_views_visitor')
        batch_op.drop_index('ix_kb_views_article_created')

    op.drop_table('kb_views')
    op.drop_table('kb_translations')
    with op.batch_alter_table('kb_revisions', schema=None) as batch_op:
        batch_op.drop_index('uq_kb_revisions_number')

    op.drop_table('kb_revisions')
    with op.batch_alter_table('kb_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_attachments_article_id'))

    op.drop_table('kb_attachments')
    with op.batch_alter_table('kb_article_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_article_links_related_id'))

    op.drop_table('kb_article_links')
    op.drop_table('kb_editors')
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_articles_status_visibility')
        batch_op.drop_index(batch_op.f('ix_kb_articles_category_id'))

    op.drop_table('kb_articles')
    with op.batch_alter_table('kb_searches', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_searches_visitor')
        batch_op.drop_index('ix_kb_searches_created')

    op.drop_table('kb_searches')
    op.drop_table('kb_search_terms')
    with op.batch_alter_table('kb_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_categories_parent_id'))

    op.drop_table('kb_categories')
