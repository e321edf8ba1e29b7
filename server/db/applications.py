"""Applications for policies' benefits (政策兑现): the rows, their steps and files.

``ApplicationRepo`` writes an application, its first step, its files and its audit entry
in one transaction; a later step is a compare-and-set on the state (two officers
approving at once: one wins, the other is told it moved) written with its step, its
files and its audit entry, again in one transaction. The database keeps at most one
open application per policy and enterprise (the partial unique index
``policy_applications_open``); a second is ``AlreadyOpen``. Which moves are allowed is
``world.policies.applications`` (the service asks it before writing here).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.audit import append
from server.db.database import Database
from server.db.tables import (
    APPLICATION_CLOSED,
    application_files,
    application_steps,
    memberships,
    organizations,
    policies,
    policy_applications,
    policy_matches,
    policy_versions,
)

MAX_PAGE = 100


class AlreadyOpen(Exception):
    """The enterprise has an open application for this policy (its id in ``existing``)."""

    def __init__(self, existing: int | None) -> None:
        self.existing = existing
        super().__init__(f"an open application exists already: {existing}")


class Moved(Exception):
    """The application is no longer in the state the step was taken from."""

    def __init__(self, state: str) -> None:
        self.state = state
        super().__init__(f"the application is {state} now")


@dataclass(frozen=True, slots=True)
class PolicyTerms:
    """What applying needs to know of a policy's version."""

    id: int
    version: int
    state: str
    issuer_org_id: int
    park_id: str
    level: str
    title_zh: str
    title_en: str
    issuer: str
    apply_from: str | None
    apply_to: str | None
    materials: tuple[dict[str, Any], ...]
    benefit: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewFile:
    material_key: str
    upload_id: str
    name: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class ApplicationFile:
    id: int
    application_id: int
    material_key: str
    upload_id: str
    name: str
    content_type: str
    size: int
    uploaded_by: str
    created: float


@dataclass(frozen=True, slots=True)
class ApplicationStep:
    id: int
    actor: str
    from_state: str
    to_state: str
    note: str
    ts: float


@dataclass(frozen=True, slots=True)
class Application:
    id: int
    policy_id: int
    version: int
    org_id: int
    state: str
    amount_claimed: float | None
    amount_approved: float | None
    submitted_by: str
    reviewer: str
    note: str
    demo: bool
    created: float
    updated: float
    # of the version applied under, and who applies
    title_zh: str = ""
    title_en: str = ""
    issuer_org_id: int = 0
    org_name: str = ""


_JOINED = (policy_applications.join(policy_versions, and_(policy_versions.c.policy_id == policy_applications.c.policy_id,
                                                          policy_versions.c.version == policy_applications.c.version))
           .join(policies, policies.c.id == policy_applications.c.policy_id)
           .join(organizations, organizations.c.id == policy_applications.c.org_id))
_COLUMNS = (*policy_applications.c, policy_versions.c.title_zh, policy_versions.c.title_en,
            policies.c.issuer_org_id, organizations.c.name.label("org_name"))


def _application(r: Any) -> Application:
    return Application(int(r.id), int(r.policy_id), int(r.version), int(r.org_id), r.state,
                       None if r.amount_claimed is None else float(r.amount_claimed),
                       None if r.amount_approved is None else float(r.amount_approved),
                       r.submitted_by, r.reviewer, r.note, bool(r.demo), float(r.created), float(r.updated),
                       r.title_zh, r.title_en, int(r.issuer_org_id), r.org_name)


def target_of(application_id: int) -> str:
    """The audit log's name for an application."""
    return f"application:{application_id}"


async def _insert_files(conn: AsyncConnection, application_id: int, files: Sequence[NewFile], by: str,
                        now: float) -> None:
    if files:
        await conn.execute(application_files.insert(), [
            {"application_id": application_id, "material_key": f.material_key, "upload_id": f.upload_id,
             "name": f.name, "content_type": f.content_type, "size": f.size, "uploaded_by": by, "created": now}
            for f in files])


async def _open_id(conn: AsyncConnection, policy_id: int, org_id: int) -> int | None:
    return (await conn.execute(select(policy_applications.c.id).where(
        policy_applications.c.policy_id == policy_id, policy_applications.c.org_id == org_id,
        policy_applications.c.state.not_in(APPLICATION_CLOSED)))).scalar()


class ApplicationRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def terms(self, policy_id: int, version: int | None = None) -> PolicyTerms | None:
        """A policy's version (its current one by default), as applying reads it."""
        on = policy_versions.c.version == (policies.c.current_version if version is None else version)
        row = await self.db.row(select(policies.c.state, policies.c.issuer_org_id, policies.c.park_id,
                                       *policy_versions.c)
                                .select_from(policies.join(policy_versions, and_(
                                    policy_versions.c.policy_id == policies.c.id, on)))
                                .where(policies.c.id == policy_id))
        if row is None:
            return None
        return PolicyTerms(int(row.policy_id), int(row.version), row.state, int(row.issuer_org_id), row.park_id,
                           row.level, row.title_zh, row.title_en, row.issuer, row.apply_from, row.apply_to,
                           tuple(json.loads(row.materials or "[]")), json.loads(row.benefit or "{}"))

    async def match(self, policy_id: int, org_id: int) -> tuple[str, float | None] | None:
        """The matcher's verdict and amount for the enterprise (None: no match row, not eligible)."""
        row = await self.db.row(select(policy_matches.c.verdict, policy_matches.c.amount).where(
            policy_matches.c.policy_id == policy_id, policy_matches.c.org_id == org_id))
        if row is None:
            return None
        return row.verdict, None if row.amount is None else float(row.amount)

    async def create(self, *, policy_id: int, version: int, org_id: int, by: str, claimed: float | None,
                     files: Sequence[NewFile], now: float, audit: dict[str, Any]) -> int:
        """A new application (state ``submitted``) with its first step, files and audit
        entry; ``AlreadyOpen`` when the enterprise has an open one for the policy."""
        async def run(conn: AsyncConnection) -> int:
            existing = await _open_id(conn, policy_id, org_id)
            if existing is not None:
                raise AlreadyOpen(existing)
            try:
                async with conn.begin_nested():
                    result = await conn.execute(policy_applications.insert().values(
                        policy_id=policy_id, version=version, org_id=org_id, state="submitted",
                        amount_claimed=claimed, submitted_by=by, created=now, updated=now)
                        .returning(policy_applications.c.id))
                    new_id = int(result.scalar_one())
            except IntegrityError as exc:  # another process's application won the unique index
                raise AlreadyOpen(await _open_id(conn, policy_id, org_id)) from exc
            await conn.execute(application_steps.insert().values(
                application_id=new_id, actor=by, from_state="", to_state="submitted", note="", ts=now))
            await _insert_files(conn, new_id, files, by, now)
            await append(conn, by, "policy.apply", target_of(new_id),
                         {**audit, "policy": policy_id, "version": version, "org": org_id,
                          "files": [f.upload_id for f in files]}, now=now)
            return new_id
        return await self.db.commit(run)

    async def move(self, application_id: int, *, source: str, target: str, by: str, note: str = "",
                   amount_approved: float | None = None, reviewer: bool = False,
                   files: Sequence[NewFile] = (), now: float, action: str) -> Application:
        """Move the application from ``source`` to ``target`` (``Moved`` when it is not in
        ``source`` any more), with its step, files and audit entry; the row after."""
        async def run(conn: AsyncConnection) -> Application:
            values: dict[str, Any] = {"state": target, "updated": now}
            if note:
                values["note"] = note
            if amount_approved is not None:
                values["amount_approved"] = amount_approved
            if reviewer:
                values["reviewer"] = by
            done = await conn.execute(update(policy_applications).where(
                policy_applications.c.id == application_id, policy_applications.c.state == source).values(values))
            if done.rowcount != 1:
                state = (await conn.execute(select(policy_applications.c.state).where(
                    policy_applications.c.id == application_id))).scalar()
                raise Moved(state or "gone")
            await conn.execute(application_steps.insert().values(
                application_id=application_id, actor=by, from_state=source, to_state=target, note=note, ts=now))
            await _insert_files(conn, application_id, files, by, now)
            detail: dict[str, Any] = {"from": source, "to": target}
            if note:
                detail["note"] = note
            if amount_approved is not None:
                detail["amount"] = amount_approved
            if files:
                detail["files"] = [f.upload_id for f in files]
            await append(conn, by, action, target_of(application_id), detail, now=now)
            row = (await conn.execute(select(*_COLUMNS).select_from(_JOINED)
                                      .where(policy_applications.c.id == application_id))).one()
            return _application(row)
        return await self.db.commit(run)

    async def get(self, application_id: int) -> Application | None:
        row = await self.db.row(select(*_COLUMNS).select_from(_JOINED)
                                .where(policy_applications.c.id == application_id))
        return None if row is None else _application(row)

    async def open_for(self, policy_id: int, org_id: int) -> Application | None:
        row = await self.db.row(select(*_COLUMNS).select_from(_JOINED).where(
            policy_applications.c.policy_id == policy_id, policy_applications.c.org_id == org_id,
            policy_applications.c.state.not_in(APPLICATION_CLOSED)))
        return None if row is None else _application(row)

    async def of_org(self, org_id: int, *, before: int | None = None, limit: int = 20) -> list[Application]:
        """The enterprise's applications, newest first (keyset pages by id)."""
        stmt = select(*_COLUMNS).select_from(_JOINED).where(policy_applications.c.org_id == org_id)
        if before is not None:
            stmt = stmt.where(policy_applications.c.id < before)
        rows = await self.db.rows(stmt.order_by(policy_applications.c.id.desc()).limit(min(limit, MAX_PAGE)))
        return [_application(r) for r in rows]

    async def queue(self, issuers: Sequence[int], *, states: Sequence[str] = (), before: int | None = None,
                    limit: int = 20) -> list[Application]:
        """Applications for the policies of ``issuers`` (organizations), newest first;
        only in ``states`` when given."""
        if not issuers:
            return []
        stmt = select(*_COLUMNS).select_from(_JOINED).where(policies.c.issuer_org_id.in_(list(issuers)))
        if states:
            stmt = stmt.where(policy_applications.c.state.in_(list(states)))
        if before is not None:
            stmt = stmt.where(policy_applications.c.id < before)
        rows = await self.db.rows(stmt.order_by(policy_applications.c.id.desc()).limit(min(limit, MAX_PAGE)))
        return [_application(r) for r in rows]

    async def counts(self, issuers: Sequence[int]) -> dict[str, int]:
        """How many applications of the issuers' policies are in each state."""
        if not issuers:
            return {}
        rows = await self.db.rows(select(policy_applications.c.state, func.count())
                                  .select_from(policy_applications.join(policies, policies.c.id ==
                                                                        policy_applications.c.policy_id))
                                  .where(policies.c.issuer_org_id.in_(list(issuers)))
                                  .group_by(policy_applications.c.state))
        return {r[0]: int(r[1]) for r in rows}

    async def files(self, application_id: int) -> list[ApplicationFile]:
        rows = await self.db.rows(select(application_files).where(application_files.c.application_id ==
                                                                  application_id).order_by(application_files.c.id))
        return [ApplicationFile(int(r.id), int(r.application_id), r.material_key, r.upload_id, r.name,
                                r.content_type, int(r.size), r.uploaded_by, float(r.created)) for r in rows]

    async def steps(self, application_id: int) -> list[ApplicationStep]:
        rows = await self.db.rows(select(application_steps).where(application_steps.c.application_id ==
                                                                  application_id).order_by(application_steps.c.id))
        return [ApplicationStep(int(r.id), r.actor, r.from_state, r.to_state, r.note, float(r.ts)) for r in rows]

    async def awards(self, org_id: int) -> frozenset[str]:
        """The topics of policies whose benefit the enterprise was approved for (the
        platform's record the ``awards`` rule field reads)."""
        rows = await self.db.rows(select(policy_versions.c.topics).select_from(_JOINED).where(
            policy_applications.c.org_id == org_id, policy_applications.c.state.in_(("approved", "disbursed"))))
        return frozenset(t for r in rows for t in json.loads(r.topics or "[]"))

    async def managers(self, org_id: int) -> list[str]:
        """The owners and admins of an enterprise: who is told about its applications."""
        rows = await self.db.rows(select(memberships.c.user).where(
            memberships.c.org_id == org_id, memberships.c.role.in_(("owner", "admin"))).order_by(memberships.c.user))
        return [r[0] for r in rows]

    async def reviewers(self, issuer_org_id: int) -> list[str]:
        """The officers (or park staff) of the issuing organization."""
        rows = await self.db.rows(select(memberships.c.user).where(
            memberships.c.org_id == issuer_org_id, memberships.c.role.in_(("officer", "staff")))
            .order_by(memberships.c.user))
        return [r[0] for r in rows]
