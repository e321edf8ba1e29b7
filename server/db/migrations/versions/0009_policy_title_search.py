"""PostgreSQL: a title-only tsvector beside ``policy_tsv``, for ranking a bounded set.

``ts_rank`` reads each hit's whole tsvector (title and body, ~1.2 KB, toasted); a common
word (北京市 in 7,412 of 20,000 policies) made ranking every hit the slowest part of a
search (~60-80 ms). Policy search now ranks at most ``RANKED`` candidates: the newest hits
whose title holds the query, then the newest others, found on this small inline column
(``policy_tsv_title``, generated, stored, with its GIN index ``policy_tsv_title_gin``).
Fewer hits than that: all are ranked, as before.
SQLite's FTS5 ranks with bm25 inside the index and needs nothing.

Revision 0009, after 0008.
"""

from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE policy_versions ADD COLUMN policy_tsv_title tsvector GENERATED ALWAYS AS ("
                   "to_tsvector('simple', search_title)) STORED")
        op.execute("CREATE INDEX policy_tsv_title_gin ON policy_versions USING gin (policy_tsv_title)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX policy_tsv_title_gin")
        op.execute("ALTER TABLE policy_versions DROP COLUMN policy_tsv_title")
