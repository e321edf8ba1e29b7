"""Indexes for the read paths the consoles and the directory walk.

- ``org_profiles_directory_order``: the directory's keyset pages (server/db/directory.py)
  walk profiles ordered by their sort name (``coalesce(nullif(key_en, ''), key_zh)``)
  and id; with this index a cursor page seeks instead of scanning and sorting (deep
  page p99 74 -> 5 ms on SQLite, 97 -> 4 ms on PostgreSQL at zone scale: docs/data.md).
  The name keys ride along (SQLite: as trailing columns, PostgreSQL: ``INCLUDE``) so
  the name match is tested on the index entry. An expression index, engine-specific
  SQL, kept outside tables.py like the search objects of 0003.
- ``visits_booth``, ``cards_booth`` gain the time column and ``likes_booth_ts`` is new:
  the enterprise console's booth statistics count a booth's rows per day over the last
  30 days; (park, booth) alone found the booth's rows but not the window.

Revision 0006, after 0005.
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

DIRECTORY_ORDER = {
    "sqlite": "CREATE INDEX org_profiles_directory_order ON org_profiles "
              "(coalesce(nullif(key_en, ''), key_zh), org_id, key_zh, key_en)",
    "postgresql": "CREATE INDEX org_profiles_directory_order ON org_profiles "
                  "((coalesce(nullif(key_en, ''), key_zh) COLLATE \"C\"), org_id) INCLUDE (key_zh, key_en)",
}


def upgrade() -> None:
    op.execute(DIRECTORY_ORDER[op.get_bind().dialect.name])
    op.drop_index("visits_booth", table_name="visits")
    op.create_index("visits_booth", "visits", ["park", "booth", "entered"])
    op.drop_index("cards_booth", table_name="cards")
    op.create_index("cards_booth", "cards", ["park", "booth", "ts"])
    op.create_index("likes_booth_ts", "likes", ["park", "booth", "ts"])


def downgrade() -> None:
    op.drop_index("likes_booth_ts", table_name="likes")
    op.drop_index("cards_booth", table_name="cards")
    op.create_index("cards_booth", "cards", ["park", "booth"])
    op.drop_index("visits_booth", table_name="visits")
    op.create_index("visits_booth", "visits", ["park", "booth"])
    op.execute("DROP INDEX org_profiles_directory_order")
