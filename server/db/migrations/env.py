"""Alembic environment: run only through ``server.db.migrate`` (which passes the
connection, already inside the transaction that holds the whole upgrade)."""

from __future__ import annotations

from alembic import context

from server.db.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with server.db.migrate (python -m server.db upgrade URL)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copy-and-move
    transactional_ddl=True,  # the caller's BEGIN covers DDL on SQLite too
)
with context.begin_transaction():
    context.run_migrations()
