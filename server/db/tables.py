"""Every table of the database as SQLAlchemy Core, at the newest migration.

This module describes the schema the migrations produce (a test compares the two);
it never creates anything itself: ``migrate.upgrade`` does. Types are chosen to read
the same on both engines: ``REAL`` (SQLite) / ``DOUBLE PRECISION`` (PostgreSQL) for
times and coordinates, ``BLOB`` / ``BYTEA`` for hashes, and row ids that are
SQLite's ``INTEGER PRIMARY KEY`` (the rowid) or a PostgreSQL ``BIGSERIAL``.
Booleans are stored as 0/1 integers, as the first schema did.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeEngine

from world.people import MEMBER_ROLES, ORG_KINDS

REAL: TypeEngine[float] = Double().with_variant(sqlite.REAL(), "sqlite")
ROWID = BigInteger().with_variant(Integer(), "sqlite")
JOB_STATES = ("pending", "claimed", "done", "failed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


metadata = MetaData()

accounts = Table(
    "accounts", metadata,
    Column("user", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("company", Text, nullable=False, server_default=text("''")),  # as typed; decides nothing
    Column("color", Integer, nullable=False, server_default=text("0")),
    Column("kdf", Text, nullable=False),
    Column("salt", LargeBinary, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    Column("created", REAL, nullable=False),
)

tokens = Table(
    "tokens", metadata,
    Column("hash", LargeBinary, primary_key=True),  # SHA-256 of the token, never the token
    Column("user", Text, ForeignKey("accounts.user"), nullable=False),
    Column("created", REAL, nullable=False),
    Column("expires", REAL, nullable=False),
    Index("tokens_expires", "expires"),
)

organizations = Table(
    "organizations", metadata,
    Column("id", ROWID, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),  # name casefolded, whitespace collapsed: for lookups
    Column("park_id", Text, nullable=False, server_default=text("''")),
    Column("created", REAL, nullable=False),
    Column("demo", Integer, nullable=False, server_default=text("0")),
    CheckConstraint(_one_of("kind", ORG_KINDS), name="organizations_kind"),
    Index("organizations_name_key", "name_key"),
    # one organization runs each park
    Index("organizations_one_per_park", "park_id", unique=True,
          sqlite_where=text("kind = 'park'"), postgresql_where=text("kind = 'park'")),
)

memberships = Table(
    "memberships", metadata,
    Column("org_id", ROWID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("user", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("role", Text, nullable=False),
    Column("created", REAL, nullable=False),
    PrimaryKeyConstraint("org_id", "user", name="memberships_pkey"),
    CheckConstraint(_one_of("role", MEMBER_ROLES), name="memberships_role"),
    Index("memberships_user", "user"),
)

booths = Table(
    "booths", metadata,
    Column("park", Text, nullable=False),
    Column("booth", Text, nullable=False),
    Column("content", Text, nullable=False),  # BoothContent as JSON
    Column("updated", REAL, nullable=False),
    Column("demo", Integer, nullable=False, server_default=text("0")),
    Column("owner_org", ROWID,
           ForeignKey("organizations.id", ondelete="SET NULL", name="booths_owner_org_fkey")),
    PrimaryKeyConstraint("park", "booth"),
)

visits = Table(
    "visits", metadata,
    Column("id", ROWID, primary_key=True),
    Column("park", Text, nullable=False),
    Column("booth", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("entered", REAL, nullable=False),
    Column("left", REAL, nullable=False),
    Column("dwell", REAL, nullable=False),
    Index("visits_booth", "park", "booth"),
)

likes = Table(
    "likes", metadata,
    Column("park", Text, nullable=False),
    Column("booth", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("ts", REAL, nullable=False),
    UniqueConstraint("park", "booth", "user"),
)

cards = Table(
    "cards", metadata,
    Column("id", ROWID, primary_key=True),
    Column("park", Text, nullable=False),
    Column("booth", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("company", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("phone", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("consent", Integer, CheckConstraint("consent = 1"), nullable=False),
    Column("ts", REAL, nullable=False),
    Index("cards_booth", "park", "booth"),
    Index("cards_user_ts", "user", "ts"),  # a visitor's cards per day (the daily cap)
)

chat = Table(
    "chat", metadata,
    Column("id", ROWID, primary_key=True),
    Column("park", Text, nullable=False),
    Column("ch", Text, nullable=False),
    Column("booth", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("ts", REAL, nullable=False),
    Index("chat_ts", "ts"),
    Index("chat_park", "park", "id"),
)

positions = Table(
    "positions", metadata,
    Column("user", Text, primary_key=True),
    Column("park", Text, nullable=False),
    Column("x", REAL, nullable=False),
    Column("y", REAL, nullable=False),
    Column("yaw", REAL, nullable=False),
    Column("ts", REAL, nullable=False),
)

jobs = Table(
    "jobs", metadata,
    Column("id", ROWID, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("due", REAL, nullable=False),
    Column("payload", Text, nullable=False),  # a JSON object
    Column("state", Text, nullable=False, server_default=text("'pending'")),
    Column("claimed_by", Text, nullable=False, server_default=text("''")),
    Column("claimed_at", REAL),
    Column("finished_at", REAL),
    Column("error", Text, nullable=False, server_default=text("''")),
    UniqueConstraint("key", name="jobs_key"),
    CheckConstraint(_one_of("state", JOB_STATES), name="jobs_state"),
    Index("jobs_due", "state", "due"),
)
