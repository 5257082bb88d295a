"""The schema is made only by migrations, and the migrations make exactly what the models say."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from helpdesk.extensions import db


def test_migrations_match_the_models(app):
    # The same name filter as `flask db migrate` (search-engine objects the ORM cannot describe).
    include_name = app.extensions["migrate"].configure_args.get("include_name")
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
