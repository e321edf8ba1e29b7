"""Public policy services: policies as versioned computable rules, their matches against
the zone's enterprises, topic subscriptions, and applications (政策兑现) with their steps
and files.

- ``policies``: one row per policy; ``current_version`` is the version people see and
  the matcher uses (0 while a draft has none); ``state`` draft / published / withdrawn;
  ``issuer_org_id`` the department (or park organization, for park-level measures) that
  publishes it; ``level`` national / municipal / district / zone / park; ``park_id`` the
  park of a park-level policy ("" otherwise); ``demo`` marks generated demo policies.
- ``policy_versions``: every version's full text and rules, never rewritten once
  published. **Dates** (``effective_from/to``, ``apply_from/to``) are ISO calendar dates
  as text (``YYYY-MM-DD``), inclusive, on the zone's calendar (Asia/Shanghai): a window
  "until 2026-06-30" is open through that Beijing day. NULL is open-ended. Text dates
  compare correctly as strings on both engines. ``published_at`` is a UTC epoch REAL.
  ``materials``, ``rules``, ``benefit`` and ``topics`` are JSON (``world.policies``
  reads and checks them). ``search_title`` / ``search_body`` hold the words of the
  version (Chinese segmented by jieba when writing, English lowercased), separated by
  spaces, because neither engine segments Chinese.
- Search objects (engine-specific, outside tables.py like 0003's): on SQLite the FTS5
  table ``policy_fts`` (title, body; rowid = policy id) holding the **current** version
  of each policy, kept by triggers ``policy_fts_*``; on PostgreSQL the generated
  ``policy_tsv`` column (``simple`` configuration, title weighted A, body B) with the GIN
  index ``policy_tsv_gin``.
- ``policy_terms``: what search filters on (industry codes a policy's rules name, its
  topics) for the current version, like ``org_terms``.
- ``policy_matches``: the bulk matcher's verdicts (``eligible`` / ``possibly``; an
  enterprise that is not eligible has no row), the amount it could claim (yuan, NULL
  when not computable), the reasons per clause as JSON, and the version notified.
- ``policy_subscriptions``: who wants to hear of new policies on a topic.
- ``policy_applications``: one per application; ``version`` is the version applied
  under (kept when the policy changes); at most one open application (any state but
  rejected, disbursed, withdrawn) per policy and enterprise (a partial unique index).
- ``application_steps``: every transition, who, from, to, the note, when.
- ``application_files``: the materials handed in; ``upload_id`` is the uploads store's
  content id (server/uploads.py).

Revision 0007, after 0006.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

REAL: sa.types.TypeEngine[float] = sa.Double().with_variant(sqlite.REAL(), "sqlite")
ROWID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EMPTY = sa.text("''")
ZERO = sa.text("0")
LIST = sa.text("'[]'")
OBJECT = sa.text("'{}'")
POLICY_LEVELS = ("national", "municipal", "district", "zone", "park")
POLICY_STATES = ("draft", "published", "withdrawn")
VERDICTS = ("eligible", "possibly", "not")
POLICY_TERM_KINDS = ("industry", "topic")
APPLICATION_STATES = ("submitted", "under_review", "more_info", "resubmitted", "approved", "rejected",
                      "disbursed", "withdrawn")
CLOSED_STATES = "('rejected', 'disbursed', 'withdrawn')"

SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE policy_fts USING fts5(title, body, tokenize = 'unicode61')",
    # a version row written while it is the policy's current one (the first version, or a
    # policy whose current_version was set before its row): index it
    "CREATE TRIGGER policy_fts_version AFTER INSERT ON policy_versions "
    "WHEN new.version = (SELECT current_version FROM policies WHERE id = new.policy_id) BEGIN "
    "DELETE FROM policy_fts WHERE rowid = new.policy_id; "
    "INSERT INTO policy_fts (rowid, title, body) VALUES (new.policy_id, new.search_title, new.search_body); END",
    "CREATE TRIGGER policy_fts_current AFTER UPDATE OF current_version ON policies BEGIN "
    "DELETE FROM policy_fts WHERE rowid = old.id; "
    "INSERT INTO policy_fts (rowid, title, body) SELECT new.id, search_title, search_body FROM policy_versions "
    "WHERE policy_id = new.id AND version = new.current_version; END",
    "CREATE TRIGGER policy_fts_delete AFTER DELETE ON policies BEGIN "
    "DELETE FROM policy_fts WHERE rowid = old.id; END",
)
POSTGRESQL_SEARCH = (
    "ALTER TABLE policy_versions ADD COLUMN policy_tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', search_title), 'A') || "
    "setweight(to_tsvector('simple', search_body), 'B')) STORED",
    "CREATE INDEX policy_tsv_gin ON policy_versions USING gin (policy_tsv)",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("current_version", sa.Integer, nullable=False, server_default=ZERO),
        sa.Column("issuer_org_id", ROWID, sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("park_id", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("state", sa.Text, nullable=False, server_default=sa.text("'draft'")),
        sa.Column("demo", sa.Integer, nullable=False, server_default=ZERO),
        sa.Column("created", REAL, nullable=False),
        sa.Column("updated", REAL, nullable=False),
        sa.CheckConstraint(_one_of("level", POLICY_LEVELS), name="policies_level"),
        sa.CheckConstraint(_one_of("state", POLICY_STATES), name="policies_state"),
    )
    op.create_index("policies_state_level", "policies", ["state", "level"])
    op.create_index("policies_issuer", "policies", ["issuer_org_id", "id"])
    op.create_table(
        "policy_versions",
        sa.Column("policy_id", ROWID, sa.ForeignKey("policies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title_zh", sa.Text, nullable=False),
        sa.Column("title_en", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("summary_zh", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("summary_en", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("body_zh", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("issuer", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("effective_from", sa.Text),
        sa.Column("effective_to", sa.Text),
        sa.Column("apply_from", sa.Text),
        sa.Column("apply_to", sa.Text),
        sa.Column("materials", sa.Text, nullable=False, server_default=LIST),
        sa.Column("rules", sa.Text, nullable=False, server_default=OBJECT),
        sa.Column("benefit", sa.Text, nullable=False, server_default=OBJECT),
        sa.Column("topics", sa.Text, nullable=False, server_default=LIST),
        sa.Column("search_title", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("search_body", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("note", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("created", REAL, nullable=False),
        sa.Column("published_at", REAL),
        sa.Column("published_by", sa.Text, nullable=False, server_default=EMPTY),
        sa.PrimaryKeyConstraint("policy_id", "version", name="policy_versions_pkey"),
        sa.CheckConstraint(_one_of("level", POLICY_LEVELS), name="policy_versions_level"),
        sa.CheckConstraint("effective_from IS NULL OR effective_to IS NULL OR effective_from <= effective_to",
                           name="policy_versions_effective"),
        sa.CheckConstraint("apply_from IS NULL OR apply_to IS NULL OR apply_from <= apply_to",
                           name="policy_versions_apply"),
    )
    op.create_index("policy_versions_apply_to", "policy_versions", ["apply_to"])
    op.create_table(
        "policy_terms",
        sa.Column("policy_id", ROWID, sa.ForeignKey("policies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("term", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("policy_id", "kind", "term", name="policy_terms_pkey"),
        sa.CheckConstraint(_one_of("kind", POLICY_TERM_KINDS), name="policy_terms_kind"),
    )
    op.create_index("policy_terms_lookup", "policy_terms", ["kind", "term", "policy_id"])
    op.create_table(
        "policy_matches",
        sa.Column("policy_id", ROWID, sa.ForeignKey("policies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("org_id", ROWID, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("amount", REAL),
        sa.Column("reasons", sa.Text, nullable=False, server_default=LIST),
        sa.Column("matched", REAL, nullable=False),
        sa.Column("notified_version", sa.Integer, nullable=False, server_default=ZERO),
        sa.PrimaryKeyConstraint("policy_id", "org_id", name="policy_matches_pkey"),
        sa.CheckConstraint(_one_of("verdict", VERDICTS), name="policy_matches_verdict"),
    )
    op.create_index("policy_matches_org", "policy_matches", ["org_id", "verdict", "policy_id"])
    op.create_table(
        "policy_subscriptions",
        sa.Column("user", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("created", REAL, nullable=False),
        sa.PrimaryKeyConstraint("user", "topic", name="policy_subscriptions_pkey"),
    )
    op.create_index("policy_subscriptions_topic", "policy_subscriptions", ["topic", "user"])
    op.create_table(
        "policy_applications",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("policy_id", ROWID, sa.ForeignKey("policies.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("org_id", ROWID, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default=sa.text("'submitted'")),
        sa.Column("amount_claimed", REAL),
        sa.Column("amount_approved", REAL),
        sa.Column("submitted_by", sa.Text, nullable=False),
        sa.Column("reviewer", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("note", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("demo", sa.Integer, nullable=False, server_default=ZERO),
        sa.Column("created", REAL, nullable=False),
        sa.Column("updated", REAL, nullable=False),
        sa.ForeignKeyConstraint(["policy_id", "version"], ["policy_versions.policy_id", "policy_versions.version"],
                                name="policy_applications_version_fkey"),
        sa.CheckConstraint(_one_of("state", APPLICATION_STATES), name="policy_applications_state"),
    )
    op.create_index("policy_applications_open", "policy_applications", ["policy_id", "org_id"], unique=True,
                    sqlite_where=sa.text(f"state NOT IN {CLOSED_STATES}"),
                    postgresql_where=sa.text(f"state NOT IN {CLOSED_STATES}"))
    op.create_index("policy_applications_org", "policy_applications", ["org_id", "id"])
    op.create_index("policy_applications_queue", "policy_applications", ["policy_id", "state", "id"])
    op.create_table(
        "application_steps",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("application_id", ROWID, sa.ForeignKey("policy_applications.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("from_state", sa.Text, nullable=False, server_default=EMPTY),  # "" for the first step
        sa.Column("to_state", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("ts", REAL, nullable=False),
    )
    op.create_index("application_steps_application", "application_steps", ["application_id", "id"])
    op.create_table(
        "application_files",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("application_id", ROWID, sa.ForeignKey("policy_applications.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("material_key", sa.Text, nullable=False),
        sa.Column("upload_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("uploaded_by", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("created", REAL, nullable=False),
    )
    op.create_index("application_files_application", "application_files", ["application_id", "material_key"])
    for statement in SQLITE_SEARCH if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_SEARCH:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("policy_fts_version", "policy_fts_current", "policy_fts_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS policy_fts")
    for table in ("application_files", "application_steps", "policy_applications", "policy_subscriptions",
                  "policy_matches", "policy_terms", "policy_versions", "policies"):
        op.drop_table(table)
