"""The zone platform: profiles, directory search, invitations, password resets, the
audit log, the inbox and bookable spaces.

- ``org_profiles``: one per enterprise or institution (``world.profiles``), with the
  searchable name keys; ``credit_code`` unique when present. ``org_terms`` indexes
  industry codes, certifications, tags and service kinds for the directory's filters;
  ``org_grams`` the 2-character runs of names with a non-ASCII character (two-character
  Chinese queries, which no trigram index can serve).
- Directory search on names: on SQLite an FTS5 table ``directory_fts`` with the
  ``trigram`` tokenizer (rowid = org_id), kept in step with ``org_profiles`` by
  triggers, so every write that changes a name changes the index in the same
  transaction; on PostgreSQL the ``pg_trgm`` extension and GIN indexes on the keys.
- ``invitations`` and ``password_resets`` store SHA-256 hashes, never the codes.
- ``audit_log`` (append-only), ``inbox`` (notifications), ``spaces`` (venues).
- ``accounts.demo``: demo accounts are marked like demo organizations.

Downgrade drops all of it.

Revision 0003, after 0002.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

REAL: sa.types.TypeEngine[float] = sa.Double().with_variant(sqlite.REAL(), "sqlite")
ROWID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EMPTY = sa.text("''")
ZERO = sa.text("0")
LIST = sa.text("'[]'")
OBJECT = sa.text("'{}'")
REVENUE_BANDS = ("under_1m", "1m_10m", "10m_50m", "50m_200m", "200m_1b", "over_1b")
MEMBER_ROLES = ("owner", "admin", "member", "staff", "officer")
TERM_KINDS = ("industry", "certification", "tag", "service")

SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE directory_fts USING fts5(key_zh, key_en, tokenize = 'trigram')",
    "CREATE TRIGGER directory_fts_insert AFTER INSERT ON org_profiles BEGIN "
    "INSERT INTO directory_fts (rowid, key_zh, key_en) VALUES (new.org_id, new.key_zh, new.key_en); END",
    "CREATE TRIGGER directory_fts_update AFTER UPDATE OF key_zh, key_en ON org_profiles BEGIN "
    "UPDATE directory_fts SET key_zh = new.key_zh, key_en = new.key_en WHERE rowid = old.org_id; END",
    "CREATE TRIGGER directory_fts_delete AFTER DELETE ON org_profiles BEGIN "
    "DELETE FROM directory_fts WHERE rowid = old.org_id; END",
)
POSTGRESQL_SEARCH = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX org_profiles_trgm_zh ON org_profiles USING gin (key_zh gin_trgm_ops)",
    "CREATE INDEX org_profiles_trgm_en ON org_profiles USING gin (key_en gin_trgm_ops)",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.add_column("accounts", sa.Column("demo", sa.Integer, nullable=False, server_default=ZERO))
    _profiles()
    _access()
    _records()
    for statement in SQLITE_SEARCH if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_SEARCH:
        op.execute(statement)


def _profiles() -> None:
    op.create_table(
        "org_profiles",
        sa.Column("org_id", ROWID, sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name_zh", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("name_en", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("key_zh", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("key_en", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("credit_code", sa.Text),
        sa.Column("park_id", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("founded", sa.Integer),
        sa.Column("employees", sa.Integer),
        sa.Column("revenue_band", sa.Text),
        sa.Column("area_m2", REAL),
        *(sa.Column(name, sa.Text, nullable=False, server_default=LIST)
          for name in ("industry_codes", "certifications", "service_kinds", "tags", "offers", "needs", "contacts")),
        sa.Column("verified", sa.Text, nullable=False, server_default=OBJECT),
        sa.Column("updated", REAL, nullable=False),
        sa.CheckConstraint("revenue_band IS NULL OR " + _one_of("revenue_band", REVENUE_BANDS),
                           name="org_profiles_revenue_band"),
        sa.CheckConstraint("kind IN ('enterprise', 'institution')", name="org_profiles_kind"),
    )
    op.create_index("org_profiles_credit_code", "org_profiles", ["credit_code"], unique=True)
    op.create_index("org_profiles_park", "org_profiles", ["park_id"])
    op.create_table(
        "org_terms",
        sa.Column("org_id", ROWID, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("term", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "kind", "term", name="org_terms_pkey"),
        sa.CheckConstraint(_one_of("kind", TERM_KINDS), name="org_terms_kind"),
    )
    op.create_index("org_terms_lookup", "org_terms", ["kind", "term", "org_id"])
    op.create_table(
        "org_grams",
        sa.Column("org_id", ROWID, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("gram", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("gram", "org_id", name="org_grams_pkey"),
    )
    op.create_index("org_grams_org", "org_grams", ["org_id"])


def _access() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("code_hash", sa.LargeBinary, nullable=False),
        sa.Column("org_id", ROWID, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created", REAL, nullable=False),
        sa.Column("expires", REAL, nullable=False),
        sa.Column("used_by", sa.Text),
        sa.Column("used_at", REAL),
        sa.CheckConstraint(_one_of("role", MEMBER_ROLES), name="invitations_role"),
        sa.UniqueConstraint("code_hash", name="invitations_code_hash"),
    )
    op.create_index("invitations_org", "invitations", ["org_id"])
    op.create_table(
        "password_resets",
        sa.Column("hash", sa.LargeBinary, primary_key=True),
        sa.Column("user", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("issued_by", sa.Text, nullable=False),
        sa.Column("created", REAL, nullable=False),
        sa.Column("expires", REAL, nullable=False),
        sa.Column("used_at", REAL),
    )
    op.create_index("password_resets_user", "password_resets", ["user"])


def _records() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("ts", REAL, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=OBJECT),
    )
    op.create_index("audit_log_target", "audit_log", ["target", "id"])
    op.create_index("audit_log_actor", "audit_log", ["actor", "id"])
    op.create_table(
        "inbox",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("recipient", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title_key", sa.Text, nullable=False),
        sa.Column("body_key", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False, server_default=OBJECT),
        sa.Column("link", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("created", REAL, nullable=False),
        sa.Column("read_at", REAL),
    )
    op.create_index("inbox_recipient", "inbox", ["recipient", "id"])
    op.create_index("inbox_unread", "inbox", ["recipient"], sqlite_where=sa.text("read_at IS NULL"),
                    postgresql_where=sa.text("read_at IS NULL"))
    op.create_table(
        "spaces",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("park_id", sa.Text, nullable=False),
        sa.Column("venue_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer),
        sa.Column("building", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("demo", sa.Integer, nullable=False, server_default=ZERO),
        sa.UniqueConstraint("park_id", "venue_id", name="spaces_venue"),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("directory_fts_insert", "directory_fts_update", "directory_fts_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS directory_fts")
    for table in ("spaces", "inbox", "audit_log", "password_resets", "invitations", "org_grams", "org_terms",
                  "org_profiles"):
        op.drop_table(table)
    op.drop_column("accounts", "demo")
