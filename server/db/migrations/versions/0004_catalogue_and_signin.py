"""The live park catalogue, one-time sign-in codes and each account's language.

- ``park_catalogue``: the zone's parks as the platform holds them now, one row per
  park with its catalogue entry as TOML text (the same text a file in
  ``assets/parks/`` holds, parsed by ``world.catalogue``), seeded from those files;
  ``state`` is ``live`` (hosted), ``proposed`` (a park office asked to add it, an
  admin has not decided), or ``rejected``; ``revision`` counts saves so two editors
  cannot overwrite each other unknowingly.
- ``signin_codes``: short one-time codes a signed-in person shows in the console and
  types into the desktop client (which cannot read browser cookies); SHA-256 hashes
  only, never the codes.
- ``accounts.lang``: the language the person chose ("" = follow the browser or the
  client's locale), so the choice follows them across the web and the 3D clients.

Revision 0004, after 0003.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

REAL: sa.types.TypeEngine[float] = sa.Double().with_variant(sqlite.REAL(), "sqlite")
EMPTY = sa.text("''")
CATALOGUE_STATES = ("live", "proposed", "rejected")


def upgrade() -> None:
    op.add_column("accounts", sa.Column("lang", sa.Text, nullable=False, server_default=EMPTY))
    op.create_table(
        "park_catalogue",
        sa.Column("park_id", sa.Text, primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("proposed_by", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("decided_by", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("note", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("updated", REAL, nullable=False),
        sa.CheckConstraint("state IN ('live', 'proposed', 'rejected')", name="park_catalogue_state"),
    )
    op.create_index("park_catalogue_state", "park_catalogue", ["state"])
    op.create_table(
        "signin_codes",
        sa.Column("hash", sa.LargeBinary, primary_key=True),
        sa.Column("user", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("created", REAL, nullable=False),
        sa.Column("expires", REAL, nullable=False),
        sa.Column("used_at", REAL),
    )
    op.create_index("signin_codes_user", "signin_codes", ["user"])


def downgrade() -> None:
    op.drop_table("signin_codes")
    op.drop_table("park_catalogue")
    op.drop_column("accounts", "lang")
