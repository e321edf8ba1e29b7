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
    ForeignKeyConstraint,
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
from world.profiles import REVENUE_BANDS

REAL: TypeEngine[float] = Double().with_variant(sqlite.REAL(), "sqlite")
ROWID = BigInteger().with_variant(Integer(), "sqlite")
JOB_STATES = ("pending", "claimed", "done", "failed")
TERM_KINDS = ("industry", "certification", "tag", "service")
PROFILE_KINDS = ("enterprise", "institution")
# engine-specific search objects the migrations make outside this module (0003, 0006, 0007): SQLite's FTS5
# table (and its shadow tables and triggers), PostgreSQL's pg_trgm GIN indexes
SEARCH_OBJECT_PREFIXES = ("directory_fts", "org_profiles_trgm_", "org_profiles_directory_order", "policy_fts",
                          "policy_tsv")


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
    Column("demo", Integer, nullable=False, server_default=text("0")),
    Column("lang", Text, nullable=False, server_default=text("''")),  # "" = follow the browser/client locale
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
    Index("visits_booth", "park", "booth", "entered"),  # a booth's visits per day
)

likes = Table(
    "likes", metadata,
    Column("park", Text, nullable=False),
    Column("booth", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("ts", REAL, nullable=False),
    UniqueConstraint("park", "booth", "user"),
    Index("likes_booth_ts", "park", "booth", "ts"),  # a booth's likes per day
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
    Index("cards_booth", "park", "booth", "ts"),  # a booth's cards per day
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

org_profiles = Table(
    "org_profiles", metadata,  # world.profiles.EnterpriseProfile / InstitutionProfile
    Column("org_id", ROWID, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", Text, nullable=False),  # organizations.kind, copied so that search reads one table
    Column("name_zh", Text, nullable=False, server_default=text("''")),
    Column("name_en", Text, nullable=False, server_default=text("''")),
    Column("key_zh", Text, nullable=False, server_default=text("''")),  # casefolded, spaces collapsed
    Column("key_en", Text, nullable=False, server_default=text("''")),
    Column("credit_code", Text),  # unique when present
    Column("park_id", Text, nullable=False, server_default=text("''")),
    Column("founded", Integer),
    Column("employees", Integer),
    Column("revenue_band", Text),
    Column("area_m2", REAL),
    Column("industry_codes", Text, nullable=False, server_default=text("'[]'")),  # JSON lists, in order;
    Column("certifications", Text, nullable=False, server_default=text("'[]'")),  # org_terms indexes them
    Column("service_kinds", Text, nullable=False, server_default=text("'[]'")),
    Column("tags", Text, nullable=False, server_default=text("'[]'")),
    Column("offers", Text, nullable=False, server_default=text("'[]'")),
    Column("needs", Text, nullable=False, server_default=text("'[]'")),
    Column("contacts", Text, nullable=False, server_default=text("'[]'")),  # [{kind, value, visibility}]
    Column("verified", Text, nullable=False, server_default=text("'{}'")),  # {fact: {by, org_id, at}}
    Column("updated", REAL, nullable=False),
    CheckConstraint("revenue_band IS NULL OR " + _one_of("revenue_band", REVENUE_BANDS),
                    name="org_profiles_revenue_band"),
    CheckConstraint(_one_of("kind", PROFILE_KINDS), name="org_profiles_kind"),
    Index("org_profiles_credit_code", "credit_code", unique=True),
    Index("org_profiles_park", "park_id"),
)

org_terms = Table(
    "org_terms", metadata,  # what directory filters match: industry codes, certifications, tags, services
    Column("org_id", ROWID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("term", Text, nullable=False),
    PrimaryKeyConstraint("org_id", "kind", "term", name="org_terms_pkey"),
    CheckConstraint(_one_of("kind", TERM_KINDS), name="org_terms_kind"),
    Index("org_terms_lookup", "kind", "term", "org_id"),
)

org_grams = Table(
    "org_grams", metadata,  # each distinct 2-character run of a name key with a non-ASCII character:
    Column("org_id", ROWID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),  # 2-character
    Column("gram", Text, nullable=False),  # Chinese queries (shorter than a trigram) are looked up here
    PrimaryKeyConstraint("gram", "org_id", name="org_grams_pkey"),
    Index("org_grams_org", "org_id"),
)

invitations = Table(
    "invitations", metadata,
    Column("id", ROWID, primary_key=True),
    Column("code_hash", LargeBinary, nullable=False),  # SHA-256 of the code, never the code
    Column("org_id", ROWID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("role", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created", REAL, nullable=False),
    Column("expires", REAL, nullable=False),
    Column("used_by", Text),
    Column("used_at", REAL),
    CheckConstraint(_one_of("role", MEMBER_ROLES), name="invitations_role"),
    UniqueConstraint("code_hash", name="invitations_code_hash"),
    Index("invitations_org", "org_id"),
)

password_resets = Table(
    "password_resets", metadata,
    Column("hash", LargeBinary, primary_key=True),  # SHA-256 of the link's token
    Column("user", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("issued_by", Text, nullable=False),
    Column("created", REAL, nullable=False),
    Column("expires", REAL, nullable=False),
    Column("used_at", REAL),
    Index("password_resets_user", "user"),
)

audit_log = Table(
    "audit_log", metadata,  # append-only: AuditRepo has no update or delete
    Column("id", ROWID, primary_key=True),
    Column("ts", REAL, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False, server_default=text("'{}'")),  # a JSON object
    Index("audit_log_target", "target", "id"),
    Index("audit_log_actor", "actor", "id"),
)

inbox = Table(
    "inbox", metadata,
    Column("id", ROWID, primary_key=True),
    Column("recipient", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False),  # the service that wrote it: booking, event, policy, ...
    Column("title_key", Text, nullable=False),  # translation catalogue keys
    Column("body_key", Text, nullable=False),
    Column("params", Text, nullable=False, server_default=text("'{}'")),  # JSON object for the keys
    Column("link", Text, nullable=False, server_default=text("''")),
    Column("created", REAL, nullable=False),
    Column("read_at", REAL),
    Index("inbox_recipient", "recipient", "id"),
    Index("inbox_unread", "recipient", sqlite_where=text("read_at IS NULL"),
          postgresql_where=text("read_at IS NULL")),
)

spaces = Table(
    "spaces", metadata,  # bookable offline spaces (venues), seeded from the catalogue
    Column("id", ROWID, primary_key=True),
    Column("park_id", Text, nullable=False),
    Column("venue_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),  # world.catalogue.VENUE_KINDS
    Column("capacity", Integer),
    Column("building", Text, nullable=False, server_default=text("''")),
    Column("demo", Integer, nullable=False, server_default=text("0")),
    # booking (0005): world.bookings.SpaceRules as JSON (missing settings: the defaults)
    Column("rules", Text, nullable=False, server_default=text("'{}'")),
    Column("equipment", Text, nullable=False, server_default=text("'[]'")),  # JSON lists
    Column("photos", Text, nullable=False, server_default=text("'[]'")),  # picture URLs
    Column("floor_area", REAL),  # m2
    Column("price", Text, nullable=False, server_default=text("''")),  # as shown; "" is free; settled offline
    Column("retired", Integer, nullable=False, server_default=text("0")),  # no new bookings
    Column("updated", REAL, nullable=False, server_default=text("0")),
    UniqueConstraint("park_id", "venue_id", name="spaces_venue"),
    Index("spaces_park_kind", "park_id", "kind"),
)

CATALOGUE_STATES = ("live", "proposed", "rejected")

park_catalogue = Table(
    "park_catalogue", metadata,  # the live catalogue: one TOML entry per park (world.catalogue)
    Column("park_id", Text, primary_key=True),
    Column("document", Text, nullable=False),  # the entry's TOML text, as a file in assets/parks holds it
    Column("state", Text, nullable=False),  # CATALOGUE_STATES
    Column("revision", Integer, nullable=False, server_default=text("1")),  # counts saves
    Column("proposed_by", Text, nullable=False, server_default=text("''")),
    Column("decided_by", Text, nullable=False, server_default=text("''")),
    Column("note", Text, nullable=False, server_default=text("''")),  # why it was rejected
    Column("updated", REAL, nullable=False),
    CheckConstraint(_one_of("state", CATALOGUE_STATES), name="park_catalogue_state"),
    Index("park_catalogue_state", "state"),
)

signin_codes = Table(
    "signin_codes", metadata,  # one-time codes for the desktop client; SHA-256 hashes only
    Column("hash", LargeBinary, primary_key=True),
    Column("user", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("created", REAL, nullable=False),
    Column("expires", REAL, nullable=False),
    Column("used_at", REAL),
    Index("signin_codes_user", "user"),
)

BOOKING_STATES = ("pending", "confirmed", "offered", "checked_in", "cancelled", "declined", "expired", "released")
WAIT_STATES = ("waiting", "offered", "left", "dropped")
# No two holding bookings of a space overlap (occ_start/occ_end include the buffers): the
# migration adds, outside this module, PostgreSQL's exclusion constraint
# ``bookings_no_overlap`` (btree_gist) and SQLite's triggers ``bookings_no_overlap_*``.

booking_series = Table(
    "booking_series", metadata,  # a weekly series at one local wall-clock time
    Column("id", ROWID, primary_key=True),
    Column("space_id", ROWID, ForeignKey("spaces.id", ondelete="CASCADE"), nullable=False),
    Column("org_id", ROWID, ForeignKey("organizations.id", ondelete="SET NULL")),
    Column("booked_by", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("for_user", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("first_start", REAL, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("count", Integer, nullable=False),
    Column("clashes", Text, nullable=False, server_default=text("'[]'")),  # [{day, codes}]: reported, not dropped
    Column("created", REAL, nullable=False),
)

bookings = Table(
    "bookings", metadata,  # times are UTC epoch seconds
    Column("id", ROWID, primary_key=True),
    Column("space_id", ROWID, ForeignKey("spaces.id", ondelete="CASCADE"), nullable=False),
    Column("org_id", ROWID, ForeignKey("organizations.id", ondelete="SET NULL")),  # the enterprise (quotas)
    Column("booked_by", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("for_user", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("people", Integer, nullable=False, server_default=text("1")),
    Column("start_at", REAL, nullable=False),
    Column("end_at", REAL, nullable=False),
    Column("occ_start", REAL, nullable=False),  # start - buffer_before
    Column("occ_end", REAL, nullable=False),  # end + buffer_after
    Column("state", Text, nullable=False),
    Column("series_id", ROWID, ForeignKey("booking_series.id", ondelete="SET NULL")),
    Column("hold_until", REAL),  # pending and offered: the hold ends then
    Column("code_hash", LargeBinary),  # SHA-256 of the check-in code, never the code
    Column("note", Text, nullable=False, server_default=text("''")),  # why it was cancelled or declined
    Column("created", REAL, nullable=False),
    Column("updated", REAL, nullable=False),
    CheckConstraint(_one_of("state", BOOKING_STATES), name="bookings_state"),
    CheckConstraint("start_at < end_at AND occ_start <= start_at AND end_at <= occ_end", name="bookings_range"),
    UniqueConstraint("code_hash", name="bookings_code_hash"),
    Index("bookings_space_time", "space_id", "occ_start"),
    Index("bookings_for_user", "for_user", "start_at"),
    Index("bookings_org_time", "org_id", "start_at"),
)

booking_waitlist = Table(
    "booking_waitlist", metadata,
    Column("id", ROWID, primary_key=True),
    Column("space_id", ROWID, ForeignKey("spaces.id", ondelete="CASCADE"), nullable=False),
    Column("org_id", ROWID, ForeignKey("organizations.id", ondelete="SET NULL")),
    Column("booked_by", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("for_user", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("people", Integer, nullable=False, server_default=text("1")),
    Column("start_at", REAL, nullable=False),
    Column("end_at", REAL, nullable=False),
    Column("state", Text, nullable=False),
    Column("offer_id", ROWID, ForeignKey("bookings.id", ondelete="SET NULL")),  # the booking it was offered as
    Column("created", REAL, nullable=False),
    CheckConstraint(_one_of("state", WAIT_STATES), name="booking_waitlist_state"),
    Index("booking_waitlist_space", "space_id", "state", "id"),
)

# public policy services (0007): the versioned rules, matches, subscriptions and applications.
# Dates of a version are ISO calendar dates as text (YYYY-MM-DD, inclusive, Asia/Shanghai);
# search objects outside this module: SQLite's FTS5 ``policy_fts`` (+ triggers ``policy_fts_*``),
# PostgreSQL's generated columns ``policy_tsv`` (GIN index ``policy_tsv_gin``) and ``policy_tsv_title`` (0009).
POLICY_LEVELS = ("national", "municipal", "district", "zone", "park")
POLICY_STATES = ("draft", "published", "withdrawn")
VERDICTS = ("eligible", "possibly", "not")
POLICY_TERM_KINDS = ("industry", "topic")
APPLICATION_STATES = ("submitted", "under_review", "more_info", "resubmitted", "approved", "rejected",
                      "disbursed", "withdrawn")
APPLICATION_CLOSED = ("rejected", "disbursed", "withdrawn")  # any other state is open: one per policy+org

policies = Table(
    "policies", metadata,
    Column("id", ROWID, primary_key=True),
    Column("current_version", Integer, nullable=False, server_default=text("0")),  # 0: no version yet
    Column("issuer_org_id", ROWID, ForeignKey("organizations.id"), nullable=False),  # department or park org
    Column("level", Text, nullable=False),
    Column("park_id", Text, nullable=False, server_default=text("''")),  # a park-level policy's park
    Column("state", Text, nullable=False, server_default=text("'draft'")),
    Column("demo", Integer, nullable=False, server_default=text("0")),
    Column("created", REAL, nullable=False),
    Column("updated", REAL, nullable=False),
    CheckConstraint(_one_of("level", POLICY_LEVELS), name="policies_level"),
    CheckConstraint(_one_of("state", POLICY_STATES), name="policies_state"),
    Index("policies_state_level", "state", "level"),
    Index("policies_issuer", "issuer_org_id", "id"),
)

policy_versions = Table(
    "policy_versions", metadata,  # never rewritten once published
    Column("policy_id", ROWID, ForeignKey("policies.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("title_zh", Text, nullable=False),
    Column("title_en", Text, nullable=False, server_default=text("''")),
    Column("summary_zh", Text, nullable=False, server_default=text("''")),
    Column("summary_en", Text, nullable=False, server_default=text("''")),
    Column("body_zh", Text, nullable=False, server_default=text("''")),
    Column("issuer", Text, nullable=False, server_default=text("''")),  # the issuing body as printed
    Column("level", Text, nullable=False),
    Column("effective_from", Text),  # ISO dates (NULL: open-ended)
    Column("effective_to", Text),
    Column("apply_from", Text),
    Column("apply_to", Text),
    Column("materials", Text, nullable=False, server_default=text("'[]'")),  # [{key, name_zh, name_en, required, kinds}]
    Column("rules", Text, nullable=False, server_default=text("'{}'")),  # world.policies rule tree
    Column("benefit", Text, nullable=False, server_default=text("'{}'")),  # world.policies benefit
    Column("topics", Text, nullable=False, server_default=text("'[]'")),
    Column("search_title", Text, nullable=False, server_default=text("''")),  # jieba-segmented words
    Column("search_body", Text, nullable=False, server_default=text("''")),
    Column("note", Text, nullable=False, server_default=text("''")),  # what changed in this version
    Column("created", REAL, nullable=False),
    Column("published_at", REAL),
    Column("published_by", Text, nullable=False, server_default=text("''")),
    PrimaryKeyConstraint("policy_id", "version", name="policy_versions_pkey"),
    CheckConstraint(_one_of("level", POLICY_LEVELS), name="policy_versions_level"),
    CheckConstraint("effective_from IS NULL OR effective_to IS NULL OR effective_from <= effective_to",
                    name="policy_versions_effective"),
    CheckConstraint("apply_from IS NULL OR apply_to IS NULL OR apply_from <= apply_to",
                    name="policy_versions_apply"),
    Index("policy_versions_apply_to", "apply_to"),
)

policy_terms = Table(
    "policy_terms", metadata,  # search filters: the current version's industry codes and topics
    Column("policy_id", ROWID, ForeignKey("policies.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("term", Text, nullable=False),
    PrimaryKeyConstraint("policy_id", "kind", "term", name="policy_terms_pkey"),
    CheckConstraint(_one_of("kind", POLICY_TERM_KINDS), name="policy_terms_kind"),
    Index("policy_terms_lookup", "kind", "term", "policy_id"),
)

policy_matches = Table(
    "policy_matches", metadata,  # eligible / possibly only: no row is not eligible
    Column("policy_id", ROWID, ForeignKey("policies.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("org_id", ROWID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("verdict", Text, nullable=False),
    Column("amount", REAL),  # yuan; NULL: not computable (a missing fact)
    Column("reasons", Text, nullable=False, server_default=text("'[]'")),  # per clause, JSON
    Column("matched", REAL, nullable=False),
    Column("notified_version", Integer, nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("policy_id", "org_id", name="policy_matches_pkey"),
    CheckConstraint(_one_of("verdict", VERDICTS), name="policy_matches_verdict"),
    Index("policy_matches_org", "org_id", "verdict", "policy_id"),
)

policy_subscriptions = Table(
    "policy_subscriptions", metadata,
    Column("user", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("topic", Text, nullable=False),
    Column("created", REAL, nullable=False),
    PrimaryKeyConstraint("user", "topic", name="policy_subscriptions_pkey"),
    Index("policy_subscriptions_topic", "topic", "user"),
)

policy_applications = Table(
    "policy_applications", metadata,
    Column("id", ROWID, primary_key=True),
    Column("policy_id", ROWID, ForeignKey("policies.id"), nullable=False),
    Column("version", Integer, nullable=False),  # the version applied under, kept when the policy changes
    Column("org_id", ROWID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("state", Text, nullable=False, server_default=text("'submitted'")),
    Column("amount_claimed", REAL),
    Column("amount_approved", REAL),
    Column("submitted_by", Text, nullable=False),
    Column("reviewer", Text, nullable=False, server_default=text("''")),
    Column("note", Text, nullable=False, server_default=text("''")),
    Column("demo", Integer, nullable=False, server_default=text("0")),
    Column("created", REAL, nullable=False),
    Column("updated", REAL, nullable=False),
    ForeignKeyConstraint(["policy_id", "version"], ["policy_versions.policy_id", "policy_versions.version"],
                         name="policy_applications_version_fkey"),
    CheckConstraint(_one_of("state", APPLICATION_STATES), name="policy_applications_state"),
    Index("policy_applications_open", "policy_id", "org_id", unique=True,
          sqlite_where=text("state NOT IN ('rejected', 'disbursed', 'withdrawn')"),
          postgresql_where=text("state NOT IN ('rejected', 'disbursed', 'withdrawn')")),
    Index("policy_applications_org", "org_id", "id"),
    Index("policy_applications_queue", "policy_id", "state", "id"),
)

application_steps = Table(
    "application_steps", metadata,  # every transition of an application
    Column("id", ROWID, primary_key=True),
    Column("application_id", ROWID, ForeignKey("policy_applications.id", ondelete="CASCADE"), nullable=False),
    Column("actor", Text, nullable=False),
    Column("from_state", Text, nullable=False, server_default=text("''")),  # "" for the first step
    Column("to_state", Text, nullable=False),
    Column("note", Text, nullable=False, server_default=text("''")),
    Column("ts", REAL, nullable=False),
    Index("application_steps_application", "application_id", "id"),
)

application_files = Table(
    "application_files", metadata,  # materials handed in; the bytes live in the uploads store
    Column("id", ROWID, primary_key=True),
    Column("application_id", ROWID, ForeignKey("policy_applications.id", ondelete="CASCADE"), nullable=False),
    Column("material_key", Text, nullable=False),
    Column("upload_id", Text, nullable=False),  # server/uploads.py's content id
    Column("name", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("uploaded_by", Text, nullable=False, server_default=text("''")),
    Column("created", REAL, nullable=False),
    Index("application_files_application", "application_id", "material_key"),
)

# showcases (0008): events on park stages, registrations with a waitlist, Q&A, polls, attendance.
# Times are UTC epoch seconds; ``confirmed`` is the seat count, moved by conditional updates.
SHOWCASE_REGISTRATIONS = ("open", "required")
SHOWCASE_STATES = ("scheduled", "live", "ended", "cancelled")
STREAM_STATES = ("idle", "live", "interrupted", "ended")
REGISTRATION_STATES = ("confirmed", "waitlisted", "cancelled")
QUESTION_STATES = ("pending", "visible", "answered", "hidden")
POLL_KINDS = ("single", "multiple")
POLL_RESULTS = ("live", "hidden")
POLL_STATES = ("draft", "open", "closed")

showcase_events = Table(
    "showcase_events", metadata,
    Column("id", ROWID, primary_key=True),
    Column("park_id", Text, nullable=False),
    Column("stage_id", Text, nullable=False),  # the park layout's stage ("main")
    Column("organizer", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("title_zh", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("description_zh", Text, nullable=False, server_default=text("''")),
    Column("description_en", Text, nullable=False, server_default=text("''")),
    Column("start_at", REAL, nullable=False),
    Column("end_at", REAL, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("registration", Text, nullable=False),  # SHOWCASE_REGISTRATIONS
    Column("quota", Integer),  # NULL: the capacity
    Column("confirmed", Integer, nullable=False, server_default=text("0")),  # confirmed registrations
    Column("state", Text, nullable=False, server_default=text("'scheduled'")),
    Column("space_id", ROWID, ForeignKey("spaces.id", ondelete="SET NULL")),  # the stage as a bookable space
    Column("booking_id", ROWID, ForeignKey("bookings.id", ondelete="SET NULL")),  # the booking holding it
    Column("premoderate", Integer, nullable=False, server_default=text("0")),  # questions wait for a moderator
    Column("words", Text, nullable=False, server_default=text("'[]'")),  # the event's filtered words (JSON)
    Column("stream_url", Text, nullable=False, server_default=text("''")),  # an external HLS URL, or ""
    Column("stream_state", Text, nullable=False, server_default=text("'idle'")),  # STREAM_STATES
    Column("note", Text, nullable=False, server_default=text("''")),  # why it was cancelled
    Column("demo", Integer, nullable=False, server_default=text("0")),
    Column("created", REAL, nullable=False),
    Column("updated", REAL, nullable=False),
    CheckConstraint(_one_of("registration", SHOWCASE_REGISTRATIONS), name="showcase_events_registration"),
    CheckConstraint(_one_of("state", SHOWCASE_STATES), name="showcase_events_state"),
    CheckConstraint(_one_of("stream_state", STREAM_STATES), name="showcase_events_stream_state"),
    CheckConstraint("start_at < end_at", name="showcase_events_range"),
    CheckConstraint("capacity > 0 AND (quota IS NULL OR (quota > 0 AND quota <= capacity)) AND confirmed >= 0",
                    name="showcase_events_seats"),
    Index("showcase_events_stage", "park_id", "stage_id", "start_at"),
    Index("showcase_events_time", "state", "start_at"),
    Index("showcase_events_organizer", "organizer", "start_at"),
)

showcase_presenters = Table(
    "showcase_presenters", metadata,
    Column("event_id", ROWID, ForeignKey("showcase_events.id", ondelete="CASCADE"), nullable=False),
    Column("user", Text, nullable=False),
    Column("position", Integer, nullable=False),  # the order they are listed in
    PrimaryKeyConstraint("event_id", "user", name="showcase_presenters_pkey"),
    Index("showcase_presenters_user", "user"),
)

showcase_registrations = Table(
    "showcase_registrations", metadata,
    Column("id", ROWID, primary_key=True),
    Column("event_id", ROWID, ForeignKey("showcase_events.id", ondelete="CASCADE"), nullable=False),
    Column("user", Text, ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
    Column("state", Text, nullable=False),  # REGISTRATION_STATES
    Column("position", Integer, nullable=False),  # orders the waitlist (the place: rank among the waitlisted)
    Column("created", REAL, nullable=False),
    Column("updated", REAL, nullable=False),
    UniqueConstraint("event_id", "user", name="showcase_registrations_person"),
    CheckConstraint(_one_of("state", REGISTRATION_STATES), name="showcase_registrations_state"),
    Index("showcase_registrations_queue", "event_id", "state", "position"),
    Index("showcase_registrations_user", "user", "event_id"),
)

showcase_questions = Table(
    "showcase_questions", metadata,
    Column("id", ROWID, primary_key=True),
    Column("event_id", ROWID, ForeignKey("showcase_events.id", ondelete="CASCADE"), nullable=False),
    Column("author", Text, nullable=False),
    Column("name", Text, nullable=False, server_default=text("''")),  # the author's display name then
    Column("text", Text, nullable=False),
    Column("state", Text, nullable=False),  # QUESTION_STATES
    Column("flagged", Text, nullable=False, server_default=text("''")),  # the filtered word that held it
    Column("votes", Integer, nullable=False, server_default=text("0")),  # rows of showcase_question_votes
    Column("created", REAL, nullable=False),
    Column("updated", REAL, nullable=False),
    CheckConstraint(_one_of("state", QUESTION_STATES), name="showcase_questions_state"),
    CheckConstraint("votes >= 0", name="showcase_questions_votes"),
    Index("showcase_questions_event", "event_id", "state", "votes"),
)

showcase_question_votes = Table(
    "showcase_question_votes", metadata,
    Column("question_id", ROWID, ForeignKey("showcase_questions.id", ondelete="CASCADE"), nullable=False),
    Column("user", Text, nullable=False),
    Column("created", REAL, nullable=False),
    PrimaryKeyConstraint("question_id", "user", name="showcase_question_votes_pkey"),  # one vote per person
)

showcase_polls = Table(
    "showcase_polls", metadata,
    Column("id", ROWID, primary_key=True),
    Column("event_id", ROWID, ForeignKey("showcase_events.id", ondelete="CASCADE"), nullable=False),
    Column("question", Text, nullable=False),
    Column("kind", Text, nullable=False),  # POLL_KINDS
    Column("results", Text, nullable=False),  # POLL_RESULTS
    Column("state", Text, nullable=False, server_default=text("'draft'")),  # POLL_STATES
    Column("max_choices", Integer, nullable=False, server_default=text("1")),
    Column("created_by", Text, nullable=False),
    Column("created", REAL, nullable=False),
    Column("opened_at", REAL),
    Column("closed_at", REAL),
    CheckConstraint(_one_of("kind", POLL_KINDS), name="showcase_polls_kind"),
    CheckConstraint(_one_of("results", POLL_RESULTS), name="showcase_polls_results"),
    CheckConstraint(_one_of("state", POLL_STATES), name="showcase_polls_state"),
    Index("showcase_polls_event", "event_id", "id"),
)

showcase_poll_options = Table(
    "showcase_poll_options", metadata,
    Column("poll_id", ROWID, ForeignKey("showcase_polls.id", ondelete="CASCADE"), nullable=False),
    Column("idx", Integer, nullable=False),
    Column("text", Text, nullable=False),
    PrimaryKeyConstraint("poll_id", "idx", name="showcase_poll_options_pkey"),
)

showcase_poll_ballots = Table(
    "showcase_poll_ballots", metadata,
    Column("poll_id", ROWID, ForeignKey("showcase_polls.id", ondelete="CASCADE"), nullable=False),
    Column("user", Text, nullable=False),
    Column("choices", Text, nullable=False),  # JSON list of option indexes
    Column("created", REAL, nullable=False),
    Column("updated", REAL, nullable=False),
    PrimaryKeyConstraint("poll_id", "user", name="showcase_poll_ballots_pkey"),  # one ballot per person
)

showcase_attendance = Table(
    "showcase_attendance", metadata,  # who was in which instance (hall) of the park, when
    Column("id", ROWID, primary_key=True),
    Column("event_id", ROWID, ForeignKey("showcase_events.id", ondelete="CASCADE"), nullable=False),
    Column("user", Text, nullable=False),
    Column("instance", Text, nullable=False),
    Column("joined", REAL, nullable=False),
    Column("left", REAL),  # NULL while there
    CheckConstraint('"left" IS NULL OR "left" >= joined', name="showcase_attendance_range"),
    Index("showcase_attendance_event", "event_id", "user", "joined"),
)
