"""Bookings of the parks' offline spaces: the spaces' rules, bookings, weekly series and
the waitlist, with the no-double-booking guarantee in the database itself.

- ``spaces`` gains its booking rules (``rules``: ``world.bookings.SpaceRules`` as JSON,
  the defaults where a setting is missing), ``equipment`` and ``photos`` (JSON lists),
  ``floor_area`` (m², optional), ``price`` (text shown as it is: "" is free; settled
  offline), ``retired`` (no new bookings; old ones stay) and ``updated``.
- ``bookings``: one row per booking, times as UTC epoch seconds; ``occ_start`` /
  ``occ_end`` are the occupied range (the time plus the space's buffers).
  **No two holding bookings (confirmed, checked in, pending, offered) of one space
  overlap**: on PostgreSQL an exclusion constraint over ``numrange(occ_start, occ_end)``
  (``btree_gist`` for the ``space_id WITH =`` part); on SQLite triggers before INSERT
  and UPDATE that raise on an overlapping holding row (the writer's ``BEGIN
  IMMEDIATE`` serialises writers, so the check inside the statement cannot race).
  Both carry the name ``bookings_no_overlap``, which the service recognises.
- ``booking_series``: a weekly series (its local wall-clock time, the count, the
  occurrences that clashed, as JSON: reported, never dropped silently).
- ``booking_waitlist``: who waits for a taken time; ``offer_id`` is the booking it was
  offered as.

Revision 0005, after 0004.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

REAL: sa.types.TypeEngine[float] = sa.Double().with_variant(sqlite.REAL(), "sqlite")
ROWID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EMPTY = sa.text("''")
ZERO = sa.text("0")
LIST = sa.text("'[]'")
OBJECT = sa.text("'{}'")
BOOKING_STATES = ("pending", "confirmed", "offered", "checked_in", "cancelled", "declined", "expired", "released")
HOLDING = "('confirmed', 'checked_in', 'pending', 'offered')"
WAIT_STATES = ("waiting", "offered", "left", "dropped")

SQLITE_GUARD = (
    f"""CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
    WHEN NEW.state IN {HOLDING}
    BEGIN
        SELECT RAISE(ABORT, 'bookings_no_overlap: the space is taken at that time')
        WHERE EXISTS (SELECT 1 FROM bookings b WHERE b.space_id = NEW.space_id AND b.state IN {HOLDING}
                      AND b.occ_start < NEW.occ_end AND NEW.occ_start < b.occ_end);
    END""",
    f"""CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF space_id, occ_start, occ_end, state ON bookings
    WHEN NEW.state IN {HOLDING}
    BEGIN
        SELECT RAISE(ABORT, 'bookings_no_overlap: the space is taken at that time')
        WHERE EXISTS (SELECT 1 FROM bookings b WHERE b.space_id = NEW.space_id AND b.id <> NEW.id
                      AND b.state IN {HOLDING} AND b.occ_start < NEW.occ_end AND NEW.occ_start < b.occ_end);
    END""",
)
POSTGRESQL_GUARD = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist "
    "(space_id WITH =, numrange(occ_start::numeric, occ_end::numeric) WITH &&) "
    f"WHERE (state IN {HOLDING})",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.add_column("spaces", sa.Column("rules", sa.Text, nullable=False, server_default=OBJECT))
    op.add_column("spaces", sa.Column("equipment", sa.Text, nullable=False, server_default=LIST))
    op.add_column("spaces", sa.Column("photos", sa.Text, nullable=False, server_default=LIST))
    op.add_column("spaces", sa.Column("floor_area", REAL))
    op.add_column("spaces", sa.Column("price", sa.Text, nullable=False, server_default=EMPTY))
    op.add_column("spaces", sa.Column("retired", sa.Integer, nullable=False, server_default=ZERO))
    op.add_column("spaces", sa.Column("updated", REAL, nullable=False, server_default=ZERO))
    op.create_index("spaces_park_kind", "spaces", ["park_id", "kind"])
    op.create_table(
        "booking_series",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("space_id", ROWID, sa.ForeignKey("spaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("org_id", ROWID, sa.ForeignKey("organizations.id", ondelete="SET NULL")),
        sa.Column("booked_by", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("for_user", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("first_start", REAL, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("clashes", sa.Text, nullable=False, server_default=LIST),
        sa.Column("created", REAL, nullable=False),
    )
    op.create_table(
        "bookings",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("space_id", ROWID, sa.ForeignKey("spaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("org_id", ROWID, sa.ForeignKey("organizations.id", ondelete="SET NULL")),
        sa.Column("booked_by", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("for_user", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("people", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("start_at", REAL, nullable=False),
        sa.Column("end_at", REAL, nullable=False),
        sa.Column("occ_start", REAL, nullable=False),
        sa.Column("occ_end", REAL, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("series_id", ROWID, sa.ForeignKey("booking_series.id", ondelete="SET NULL")),
        sa.Column("hold_until", REAL),
        sa.Column("code_hash", sa.LargeBinary),
        sa.Column("note", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("created", REAL, nullable=False),
        sa.Column("updated", REAL, nullable=False),
        sa.CheckConstraint(_one_of("state", BOOKING_STATES), name="bookings_state"),
        sa.CheckConstraint("start_at < end_at AND occ_start <= start_at AND end_at <= occ_end",
                           name="bookings_range"),
        sa.UniqueConstraint("code_hash", name="bookings_code_hash"),
    )
    op.create_index("bookings_space_time", "bookings", ["space_id", "occ_start"])
    op.create_index("bookings_for_user", "bookings", ["for_user", "start_at"])
    op.create_index("bookings_org_time", "bookings", ["org_id", "start_at"])
    op.create_table(
        "booking_waitlist",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("space_id", ROWID, sa.ForeignKey("spaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("org_id", ROWID, sa.ForeignKey("organizations.id", ondelete="SET NULL")),
        sa.Column("booked_by", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("for_user", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("people", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("start_at", REAL, nullable=False),
        sa.Column("end_at", REAL, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("offer_id", ROWID, sa.ForeignKey("bookings.id", ondelete="SET NULL")),
        sa.Column("created", REAL, nullable=False),
        sa.CheckConstraint(_one_of("state", WAIT_STATES), name="booking_waitlist_state"),
    )
    op.create_index("booking_waitlist_space", "booking_waitlist", ["space_id", "state", "id"])
    for statement in SQLITE_GUARD if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_GUARD:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS bookings_no_overlap_insert")
        op.execute("DROP TRIGGER IF EXISTS bookings_no_overlap_update")
    op.drop_table("booking_waitlist")
    op.drop_table("bookings")
    op.drop_table("booking_series")
    op.drop_index("spaces_park_kind", "spaces")
    for column in ("updated", "retired", "price", "floor_area", "photos", "equipment", "rules"):
        op.drop_column("spaces", column)
