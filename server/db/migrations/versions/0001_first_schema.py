"""The first schema: exactly what ``server/store.py`` (schema version 1) created.

A file that store made is stamped with this revision instead of running it.

Revision 0001, the first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

REAL: sa.types.TypeEngine[float] = sa.Double().with_variant(sqlite.REAL(), "sqlite")
ROWID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EMPTY = sa.text("''")
ZERO = sa.text("0")
# Single-column primary keys are declared nullable because the first store wrote
# "user TEXT PRIMARY KEY" without NOT NULL (SQLite then allows NULL in a non-integer
# key; PostgreSQL never does): every SQLite file has the same schema, old or new.


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("user", sa.Text, primary_key=True, nullable=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("company", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("color", sa.Integer, nullable=False, server_default=ZERO),
        sa.Column("parks", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("kdf", sa.Text, nullable=False),
        sa.Column("salt", sa.LargeBinary, nullable=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
        sa.Column("created", REAL, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("hash", sa.LargeBinary, primary_key=True, nullable=True),
        sa.Column("user", sa.Text, sa.ForeignKey("accounts.user"), nullable=False),
        sa.Column("created", REAL, nullable=False),
        sa.Column("expires", REAL, nullable=False),
    )
    op.create_index("tokens_expires", "tokens", ["expires"])
    op.create_table(
        "booths",
        sa.Column("park", sa.Text, nullable=False),
        sa.Column("booth", sa.Text, nullable=False),
        sa.Column("owner_company", sa.Text, nullable=False),
        sa.Column("owner_user", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("updated", REAL, nullable=False),
        sa.Column("demo", sa.Integer, nullable=False, server_default=ZERO),
        sa.PrimaryKeyConstraint("park", "booth"),
    )
    op.create_table(
        "visits",
        sa.Column("id", ROWID, primary_key=True, nullable=True),
        sa.Column("park", sa.Text, nullable=False),
        sa.Column("booth", sa.Text, nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("entered", REAL, nullable=False),
        sa.Column("left", REAL, nullable=False),
        sa.Column("dwell", REAL, nullable=False),
    )
    op.create_index("visits_booth", "visits", ["park", "booth"])
    op.create_table(
        "likes",
        sa.Column("park", sa.Text, nullable=False),
        sa.Column("booth", sa.Text, nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("ts", REAL, nullable=False),
        sa.UniqueConstraint("park", "booth", "user"),
    )
    op.create_table(
        "cards",
        sa.Column("id", ROWID, primary_key=True, nullable=True),
        sa.Column("park", sa.Text, nullable=False),
        sa.Column("booth", sa.Text, nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("company", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("consent", sa.Integer, sa.CheckConstraint("consent = 1"), nullable=False),
        sa.Column("ts", REAL, nullable=False),
    )
    op.create_index("cards_booth", "cards", ["park", "booth"])
    op.create_table(
        "chat",
        sa.Column("id", ROWID, primary_key=True, nullable=True),
        sa.Column("park", sa.Text, nullable=False),
        sa.Column("ch", sa.Text, nullable=False),
        sa.Column("booth", sa.Text, nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("ts", REAL, nullable=False),
    )
    op.create_index("chat_ts", "chat", ["ts"])
    op.create_index("chat_park", "chat", ["park", "id"])
    op.create_table(
        "positions",
        sa.Column("user", sa.Text, primary_key=True, nullable=True),
        sa.Column("park", sa.Text, nullable=False),
        sa.Column("x", REAL, nullable=False),
        sa.Column("y", REAL, nullable=False),
        sa.Column("yaw", REAL, nullable=False),
        sa.Column("ts", REAL, nullable=False),
    )


def downgrade() -> None:
    for name in ("positions", "chat", "cards", "likes", "visits", "booths", "tokens", "accounts"):
        op.drop_table(name)
