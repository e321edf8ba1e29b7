"""Showcases: events on park stages, their registrations with a waitlist, the Q&A board,
polls and attendance.

- ``showcase_events``: one row per event (``world.showcases.events``): the park and its
  stage (``stage_id``, "main" today), the organizer, titles and descriptions in Chinese
  and English, ``start_at``/``end_at`` (UTC epoch seconds), ``capacity``,
  ``registration`` open / required, ``quota`` (NULL: the capacity), ``confirmed`` (the
  confirmed registrations, moved by conditional updates in the same transaction as the
  registration rows: the seat count that never over-admits), ``state`` scheduled / live
  / ended / cancelled, the stage's bookable space and the booking that holds it
  (``server.bookings``: one conflict checker), ``premoderate`` (questions wait for a
  moderator), ``words`` (the event's own filtered words, JSON list), ``stream_url`` (an
  external HLS URL, "" for the server's own stream) and ``stream_state`` idle / live /
  interrupted / ended, ``note`` (why it was cancelled).
- ``showcase_presenters``: the presenters (account ids) in their order.
- ``showcase_registrations``: one per person and event, ``state`` confirmed /
  waitlisted / cancelled; ``position`` orders the waitlist (the place is the rank among
  the waitlisted: first come first served).
- ``showcase_questions`` (``votes`` counts the rows of ``showcase_question_votes``, moved
  in the same transaction; one vote per person is the primary key).
- ``showcase_polls``, ``showcase_poll_options``, ``showcase_poll_ballots`` (one ballot per
  person and poll: the primary key; ``choices`` a JSON list of option indexes).
- ``showcase_attendance``: who was in which instance (hall) of the park during the event,
  ``joined``/``left`` (NULL while there).

Revision 0008, after 0007.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

REAL: sa.types.TypeEngine[float] = sa.Double().with_variant(sqlite.REAL(), "sqlite")
ROWID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EMPTY = sa.text("''")
ZERO = sa.text("0")
LIST = sa.text("'[]'")
REGISTRATIONS = ("open", "required")
EVENT_STATES = ("scheduled", "live", "ended", "cancelled")
STREAM_STATES = ("idle", "live", "interrupted", "ended")
REGISTRATION_STATES = ("confirmed", "waitlisted", "cancelled")
QUESTION_STATES = ("pending", "visible", "answered", "hidden")
POLL_KINDS = ("single", "multiple")
POLL_RESULTS = ("live", "hidden")
POLL_STATES = ("draft", "open", "closed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "showcase_events",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("park_id", sa.Text, nullable=False),
        sa.Column("stage_id", sa.Text, nullable=False),
        sa.Column("organizer", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("title_zh", sa.Text, nullable=False),
        sa.Column("title_en", sa.Text, nullable=False),
        sa.Column("description_zh", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("description_en", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("start_at", REAL, nullable=False),
        sa.Column("end_at", REAL, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("registration", sa.Text, nullable=False),
        sa.Column("quota", sa.Integer),
        sa.Column("confirmed", sa.Integer, nullable=False, server_default=ZERO),
        sa.Column("state", sa.Text, nullable=False, server_default=sa.text("'scheduled'")),
        sa.Column("space_id", ROWID, sa.ForeignKey("spaces.id", ondelete="SET NULL")),
        sa.Column("booking_id", ROWID, sa.ForeignKey("bookings.id", ondelete="SET NULL")),
        sa.Column("premoderate", sa.Integer, nullable=False, server_default=ZERO),
        sa.Column("words", sa.Text, nullable=False, server_default=LIST),
        sa.Column("stream_url", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("stream_state", sa.Text, nullable=False, server_default=sa.text("'idle'")),
        sa.Column("note", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("demo", sa.Integer, nullable=False, server_default=ZERO),
        sa.Column("created", REAL, nullable=False),
        sa.Column("updated", REAL, nullable=False),
        sa.CheckConstraint(_one_of("registration", REGISTRATIONS), name="showcase_events_registration"),
        sa.CheckConstraint(_one_of("state", EVENT_STATES), name="showcase_events_state"),
        sa.CheckConstraint(_one_of("stream_state", STREAM_STATES), name="showcase_events_stream_state"),
        sa.CheckConstraint("start_at < end_at", name="showcase_events_range"),
        sa.CheckConstraint("capacity > 0 AND (quota IS NULL OR (quota > 0 AND quota <= capacity)) "
                           "AND confirmed >= 0", name="showcase_events_seats"),
    )
    op.create_index("showcase_events_stage", "showcase_events", ["park_id", "stage_id", "start_at"])
    op.create_index("showcase_events_time", "showcase_events", ["state", "start_at"])
    op.create_index("showcase_events_organizer", "showcase_events", ["organizer", "start_at"])
    op.create_table(
        "showcase_presenters",
        sa.Column("event_id", ROWID, sa.ForeignKey("showcase_events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("event_id", "user", name="showcase_presenters_pkey"),
    )
    op.create_index("showcase_presenters_user", "showcase_presenters", ["user"])
    op.create_table(
        "showcase_registrations",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("event_id", ROWID, sa.ForeignKey("showcase_events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("created", REAL, nullable=False),
        sa.Column("updated", REAL, nullable=False),
        sa.UniqueConstraint("event_id", "user", name="showcase_registrations_person"),
        sa.CheckConstraint(_one_of("state", REGISTRATION_STATES), name="showcase_registrations_state"),
    )
    op.create_index("showcase_registrations_queue", "showcase_registrations", ["event_id", "state", "position"])
    op.create_index("showcase_registrations_user", "showcase_registrations", ["user", "event_id"])
    op.create_table(
        "showcase_questions",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("event_id", ROWID, sa.ForeignKey("showcase_events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("flagged", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("votes", sa.Integer, nullable=False, server_default=ZERO),
        sa.Column("created", REAL, nullable=False),
        sa.Column("updated", REAL, nullable=False),
        sa.CheckConstraint(_one_of("state", QUESTION_STATES), name="showcase_questions_state"),
        sa.CheckConstraint("votes >= 0", name="showcase_questions_votes"),
    )
    op.create_index("showcase_questions_event", "showcase_questions", ["event_id", "state", "votes"])
    op.create_table(
        "showcase_question_votes",
        sa.Column("question_id", ROWID, sa.ForeignKey("showcase_questions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("created", REAL, nullable=False),
        sa.PrimaryKeyConstraint("question_id", "user", name="showcase_question_votes_pkey"),
    )
    op.create_table(
        "showcase_polls",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("event_id", ROWID, sa.ForeignKey("showcase_events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("results", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default=sa.text("'draft'")),
        sa.Column("max_choices", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created", REAL, nullable=False),
        sa.Column("opened_at", REAL),
        sa.Column("closed_at", REAL),
        sa.CheckConstraint(_one_of("kind", POLL_KINDS), name="showcase_polls_kind"),
        sa.CheckConstraint(_one_of("results", POLL_RESULTS), name="showcase_polls_results"),
        sa.CheckConstraint(_one_of("state", POLL_STATES), name="showcase_polls_state"),
    )
    op.create_index("showcase_polls_event", "showcase_polls", ["event_id", "id"])
    op.create_table(
        "showcase_poll_options",
        sa.Column("poll_id", ROWID, sa.ForeignKey("showcase_polls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("poll_id", "idx", name="showcase_poll_options_pkey"),
    )
    op.create_table(
        "showcase_poll_ballots",
        sa.Column("poll_id", ROWID, sa.ForeignKey("showcase_polls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("choices", sa.Text, nullable=False),
        sa.Column("created", REAL, nullable=False),
        sa.Column("updated", REAL, nullable=False),
        sa.PrimaryKeyConstraint("poll_id", "user", name="showcase_poll_ballots_pkey"),
    )
    op.create_table(
        "showcase_attendance",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("event_id", ROWID, sa.ForeignKey("showcase_events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("instance", sa.Text, nullable=False),
        sa.Column("joined", REAL, nullable=False),
        sa.Column("left", REAL),
        sa.CheckConstraint('"left" IS NULL OR "left" >= joined', name="showcase_attendance_range"),
    )
    op.create_index("showcase_attendance_event", "showcase_attendance", ["event_id", "user", "joined"])


def downgrade() -> None:
    for table in ("showcase_attendance", "showcase_poll_ballots", "showcase_poll_options", "showcase_polls",
                  "showcase_question_votes", "showcase_questions", "showcase_registrations", "showcase_presenters",
                  "showcase_events"):
        op.drop_table(table)
