"""Organizations own booths; memberships; durable jobs; the daily cap on cards.

Ownership moves from a company NAME (``booths.owner_company``, which anyone could
type) to an organization id:
- every enterprise account becomes the ``owner`` of one new enterprise organization
  named by its company (its display name when it has none). Accounts that typed the
  same company name get one organization EACH: matching names was the takeover hole;
- a booth whose ``owner_user`` is such an account belongs to that organization; any
  other booth (a company string without an account, an account that is gone or is
  not an enterprise) is left unowned, and the migration logs it;
- a park_staff account's ``parks`` become ``staff`` memberships in one organization
  of kind ``park`` per park id (named by the park id until someone renames it);
- ``booths.owner_company``, ``booths.owner_user`` and ``accounts.parks`` are dropped.

Every card of a legacy file is kept (each was acknowledged to a visitor); an index on
(user, ts) serves the daily cap on cards per visitor. On a file the
first store made, ``schema_version`` gets a row 2 so that store refuses to open it.

Downgrade is lossy: a booth goes back to its organization's name and one owner;
other members, park names and jobs are lost.

Revision 0002, after 0001.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger("server.db.migrations")

REAL: sa.types.TypeEngine[float] = sa.Double().with_variant(sqlite.REAL(), "sqlite")
ROWID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EMPTY = sa.text("''")
ZERO = sa.text("0")

accounts = sa.table("accounts", sa.column("user"), sa.column("name"), sa.column("role"),
                    sa.column("company"), sa.column("parks"), sa.column("created"))
organizations = sa.table("organizations", sa.column("id"), sa.column("kind"), sa.column("name"),
                         sa.column("name_key"), sa.column("park_id"), sa.column("created"),
                         sa.column("demo"))
memberships = sa.table("memberships", sa.column("org_id"), sa.column("user"), sa.column("role"),
                       sa.column("created"))
booths = sa.table("booths", sa.column("park"), sa.column("booth"), sa.column("owner_company"),
                  sa.column("owner_user"), sa.column("owner_org"), sa.column("demo"))
cards = sa.table("cards", sa.column("id"), sa.column("park"), sa.column("booth"), sa.column("user"))


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def upgrade() -> None:
    _create_tables()
    bind = op.get_bind()
    org_of = _organizations_from_accounts(bind)
    _booths_to_organizations(bind, org_of)
    op.drop_column("accounts", "parks")
    op.create_index("cards_user_ts", "cards", ["user", "ts"])  # a visitor's cards per day (the cap)
    _mark_schema_version(bind, add=True)


def _create_tables() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.Text, nullable=False),
        sa.Column("park_id", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("created", REAL, nullable=False),
        sa.Column("demo", sa.Integer, nullable=False, server_default=ZERO),
        sa.CheckConstraint("kind IN ('enterprise', 'park', 'institution', 'department')",
                           name="organizations_kind"),
    )
    op.create_index("organizations_name_key", "organizations", ["name_key"])
    op.create_index("organizations_one_per_park", "organizations", ["park_id"], unique=True,
                    sqlite_where=sa.text("kind = 'park'"), postgresql_where=sa.text("kind = 'park'"))
    op.create_table(
        "memberships",
        sa.Column("org_id", ROWID, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user", sa.Text, sa.ForeignKey("accounts.user", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("created", REAL, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "user", name="memberships_pkey"),
        sa.CheckConstraint("role IN ('owner', 'admin', 'member', 'staff', 'officer')", name="memberships_role"),
    )
    op.create_index("memberships_user", "memberships", ["user"])
    op.create_table(
        "jobs",
        sa.Column("id", ROWID, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("due", REAL, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default=sa.text("'pending'")),
        sa.Column("claimed_by", sa.Text, nullable=False, server_default=EMPTY),
        sa.Column("claimed_at", REAL),
        sa.Column("finished_at", REAL),
        sa.Column("error", sa.Text, nullable=False, server_default=EMPTY),
        sa.UniqueConstraint("key", name="jobs_key"),
        sa.CheckConstraint("state IN ('pending', 'claimed', 'done', 'failed')", name="jobs_state"),
    )
    op.create_index("jobs_due", "jobs", ["state", "due"])


def _new_org(bind: sa.Connection, kind: str, name: str, park_id: str, created: float, demo: bool) -> int:
    stmt = organizations.insert().values(kind=kind, name=name, name_key=name_key(name), park_id=park_id,
                                         created=created, demo=int(demo)).returning(organizations.c.id)
    return int(bind.execute(stmt).scalar_one())


def _organizations_from_accounts(bind: sa.Connection) -> dict[str, int]:
    """One enterprise organization per enterprise account (never shared by name), park
    organizations for park staff; returns enterprise account -> its organization."""
    owned: dict[str, list[bool]] = {}
    for user, demo in bind.execute(sa.select(booths.c.owner_user, booths.c.demo)):
        owned.setdefault(user, []).append(bool(demo))
    org_of: dict[str, int] = {}
    park_orgs: dict[str, int] = {}
    rows = bind.execute(sa.select(accounts.c.user, accounts.c.name, accounts.c.role, accounts.c.company,
                                  accounts.c.parks, accounts.c.created)
                        .order_by(accounts.c.created, accounts.c.user)).all()
    for user, name, role, company, parks, created in rows:
        park_ids = sorted({p.strip() for p in parks.split(",") if p.strip()})
        if role == "enterprise":
            demo = bool(owned.get(user)) and all(owned[user])
            org_of[user] = _new_org(bind, "enterprise", company.strip() or name, "", created, demo)
            bind.execute(memberships.insert().values(org_id=org_of[user], user=user, role="owner",
                                                     created=created))
        if park_ids and role != "park_staff":
            log.warning("account %s (%s) listed parks %s: only park staff run parks; dropped",
                        user, role, ",".join(park_ids))
            continue
        for park_id in park_ids:
            if park_id not in park_orgs:
                park_orgs[park_id] = _new_org(bind, "park", park_id, park_id, created, False)
            bind.execute(memberships.insert().values(org_id=park_orgs[park_id], user=user, role="staff",
                                                     created=created))
    log.info("organizations: %d enterprises from accounts, %d parks", len(org_of), len(park_orgs))
    return org_of


def _booths_to_organizations(bind: sa.Connection, org_of: dict[str, int]) -> None:
    owner: list[dict[str, object]] = []
    for park, booth, company, user in bind.execute(
            sa.select(booths.c.park, booths.c.booth, booths.c.owner_company, booths.c.owner_user)):
        if user in org_of:
            owner.append({"p": park, "b": booth, "org": org_of[user]})
        elif user or company:
            log.warning("booth %s/%s (company %r, account %r): no enterprise account owns it; left unowned",
                        park, booth, company, user)
    with op.batch_alter_table("booths") as batch:
        batch.add_column(sa.Column("owner_org", ROWID, sa.ForeignKey(
            "organizations.id", ondelete="SET NULL", name="booths_owner_org_fkey")))
        batch.drop_column("owner_company")
        batch.drop_column("owner_user")
    if owner:
        bind.execute(booths.update().where(booths.c.park == sa.bindparam("p"), booths.c.booth == sa.bindparam("b"))
                     .values(owner_org=sa.bindparam("org")), owner)


def _mark_schema_version(bind: sa.Connection, *, add: bool) -> None:
    if not sa.inspect(bind).has_table("schema_version"):
        return
    if add:
        bind.execute(sa.text("INSERT INTO schema_version VALUES (2, :at)"),
                     {"at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())})
    else:
        bind.execute(sa.text("DELETE FROM schema_version WHERE version = 2"))


def downgrade() -> None:
    bind = op.get_bind()
    _mark_schema_version(bind, add=False)
    op.drop_index("cards_user_ts", table_name="cards")
    op.add_column("accounts", sa.Column("parks", sa.Text, nullable=False, server_default=EMPTY))
    staff = sa.select(memberships.c.user, organizations.c.park_id).join(
        organizations, organizations.c.id == memberships.c.org_id).where(
        organizations.c.kind == "park", memberships.c.role == "staff")
    parks: dict[str, list[str]] = {}
    for user, park_id in bind.execute(staff):
        parks.setdefault(user, []).append(park_id)
    for user, ids in parks.items():
        bind.execute(accounts.update().where(accounts.c.user == user).values(parks=",".join(sorted(ids))))
    with op.batch_alter_table("booths") as batch:
        batch.add_column(sa.Column("owner_company", sa.Text, nullable=False, server_default=EMPTY))
        batch.add_column(sa.Column("owner_user", sa.Text, nullable=False, server_default=EMPTY))
    owner_user = (sa.select(sa.func.min(memberships.c.user))
                  .where(memberships.c.org_id == booths.c.owner_org, memberships.c.role == "owner")
                  .scalar_subquery())
    org_name = sa.select(organizations.c.name).where(organizations.c.id == booths.c.owner_org).scalar_subquery()
    bind.execute(booths.update().where(booths.c.owner_org.is_not(None))
                 .values(owner_company=org_name, owner_user=sa.func.coalesce(owner_user, "")))
    with op.batch_alter_table("booths") as batch:
        batch.alter_column("owner_company", server_default=None)
        batch.alter_column("owner_user", server_default=None)
        batch.drop_column("owner_org")
    for name in ("jobs", "memberships", "organizations"):
        op.drop_table(name)
