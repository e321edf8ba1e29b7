"""Applying for a policy's benefit, and reviewing the applications (政策兑现).

``ApplicationService.apply`` checks that the policy is published and open for
applications today (the zone's calendar), that the enterprise matched it (eligible or
possibly eligible), that every required material came with a file of a kind that
material takes (``server.uploads``: judged by content), stores the files, then writes
the application, its first step, its files and its audit entry in one transaction.
``step`` moves an application along ``world.policies.applications``' table (the route
says whose side the person is on: the enterprise's or the reviewing officers'), again
with its step, files and audit entry in one transaction. After every write the
enterprise's owners and admins are told through ``server.notices.send`` (inbox + the
in-park notice); the reviewing officers are told of new and resubmitted applications.

Refusals are ``ApplyRefused`` with a catalogue code (``apply.refused.<code>``), its
parameters and an English message; an upload's own refusal keeps its code
(``upload.refused.<code>``) and names the material.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from server.bus import Bus
from server.clock import Clock
from server.db.applications import AlreadyOpen, Application, Moved, NewFile, PolicyTerms
from server.db.inbox import Notice
from server.notices import send
from server.uploads import UploadRefused, Uploads, check
from world.policies.applications import APPLICANT, MAX_AMOUNT, REVIEWER, Refusal, advance

MAX_FILES_PER_MATERIAL = 5
MAX_FILES = 20
APPLYING_VERDICTS = ("eligible", "possibly")


class ApplyRefused(Exception):
    def __init__(self, code: str, message: str, *, status: int = 422, field: str = "", **params: Any) -> None:
        self.code, self.message, self.status, self.field, self.params = code, message, status, field, params
        super().__init__(message)

    @property
    def key(self) -> str:
        return self.code if self.code.startswith("upload.") else f"apply.refused.{self.code}"


@dataclass(frozen=True, slots=True)
class Incoming:
    """A file as it came with the form: which material it is for, its name and bytes."""

    material_key: str
    name: str
    data: bytes


def enterprise_link(org_id: int, application_id: int) -> str:
    return f"/console/enterprise/{org_id}/applications/{application_id}"


def review_link(application_id: int) -> str:
    return f"/console/government/applications/{application_id}"


def amount_text(amount: float | None) -> str:
    return "" if amount is None else f"{amount:,.0f}"


class ApplicationService:
    def __init__(self, store: Any, bus: Bus, uploads: Uploads, clock: Clock, *, zone: str = "Asia/Shanghai") -> None:
        self.store, self.bus, self.uploads, self.clock = store, bus, uploads, clock
        self.zone = ZoneInfo(zone)

    def today(self) -> str:
        return dt.datetime.fromtimestamp(self.clock.now(), self.zone).date().isoformat()

    async def verdict(self, policy_id: int, org_id: int) -> tuple[str, float | None]:
        """The matcher's verdict for the enterprise ("not" when it has no match row)."""
        found: tuple[str, float | None] | None = await self.store.applications.match(policy_id, org_id)
        return found or ("not", None)

    async def window(self, terms: PolicyTerms) -> None:
        today = self.today()
        if terms.state != "published":
            raise ApplyRefused("not_published", f"policy {terms.id} is {terms.state}, not published",
                               status=409, state=terms.state)
        if terms.apply_from and today < terms.apply_from:
            raise ApplyRefused("not_yet", f"applications open on {terms.apply_from}", status=409,
                               date=terms.apply_from)
        if terms.apply_to and today > terms.apply_to:
            raise ApplyRefused("closed_window", f"applications closed on {terms.apply_to}", status=409,
                               date=terms.apply_to)

    def _materials(self, terms: PolicyTerms, files: Sequence[Incoming], *, first: bool) -> list[tuple[Incoming, str]]:
        """Each file checked against its material (kinds, size) by content; on the first
        submission every required material must be there."""
        known = {str(m.get("key")): m for m in terms.materials}
        per: dict[str, int] = {}
        if len(files) > MAX_FILES:
            raise ApplyRefused("too_many_files", f"at most {MAX_FILES} files in one go", field="files", max=MAX_FILES)
        out: list[tuple[Incoming, str]] = []
        for f in files:
            material = known.get(f.material_key)
            if material is None:
                raise ApplyRefused("unknown_material", f"the policy asks for no material {f.material_key!r}",
                                   field=f"file.{f.material_key}", material=f.material_key)
            per[f.material_key] = per.get(f.material_key, 0) + 1
            if per[f.material_key] > MAX_FILES_PER_MATERIAL:
                raise ApplyRefused("too_many_files", f"at most {MAX_FILES_PER_MATERIAL} files for one material",
                                   field=f"file.{f.material_key}", max=MAX_FILES_PER_MATERIAL)
            kinds = tuple(material.get("kinds") or ("pdf", "image", "docx", "xlsx"))
            try:
                check(f.name, f.data, kinds, max_bytes=self.uploads.max_bytes)
            except UploadRefused as why:
                raise ApplyRefused(f"upload.refused.{why.code}", f"{material.get('name_en') or f.material_key}: "
                                   f"{why.message}", field=f"file.{f.material_key}", name=f.name,
                                   material=material.get("name_zh") or f.material_key,
                                   material_en=material.get("name_en") or f.material_key, **why.params) from None
            out.append((f, f.material_key))
        if first:
            for key, material in known.items():
                if material.get("required") and key not in per:
                    raise ApplyRefused("material_missing", f"the required material "
                                       f"{material.get('name_en') or key!r} has no file", field=f"file.{key}",
                                       material=material.get("name_zh") or key,
                                       material_en=material.get("name_en") or key)
        return out

    async def _store_files(self, terms: PolicyTerms, files: Sequence[Incoming]) -> list[NewFile]:
        kinds = {str(m.get("key")): tuple(m.get("kinds") or ("pdf", "image", "docx", "xlsx")) for m in terms.materials}
        out = []
        for f in files:
            stored = await self.uploads.accept(f.name, f.data, kinds[f.material_key])
            out.append(NewFile(f.material_key, stored.id, stored.name, stored.content_type, stored.size))
        return out

    async def apply(self, user: str, policy_id: int, org_id: int, *, claimed: float | None,
                    files: Sequence[Incoming]) -> Application:
        terms = await self.store.applications.terms(policy_id)
        if terms is None:
            raise ApplyRefused("no_policy", f"there is no policy {policy_id}", status=404)
        await self.window(terms)
        verdict, amount = await self.verdict(policy_id, org_id)
        if verdict not in APPLYING_VERDICTS:
            raise ApplyRefused("not_eligible", "the enterprise does not meet this policy's conditions", status=409)
        if claimed is not None and not 0 <= claimed <= MAX_AMOUNT:
            raise ApplyRefused("claim_range", f"the amount claimed must lie within 0..{MAX_AMOUNT} yuan",
                               field="claimed", max=MAX_AMOUNT)
        move = advance("", "submit", APPLICANT)
        assert not isinstance(move, Refusal)
        self._materials(terms, files, first=True)
        existing = await self.store.applications.open_for(policy_id, org_id)
        if existing is not None:
            raise ApplyRefused("already_open", f"application {existing.id} for this policy is still open",
                               status=409, id=existing.id)
        stored = await self._store_files(terms, files)
        now = self.clock.now()
        try:
            new_id = await self.store.applications.create(
                policy_id=policy_id, version=terms.version, org_id=org_id, by=user,
                claimed=claimed if claimed is not None else amount, files=stored, now=now,
                audit={"verdict": verdict})
        except AlreadyOpen as exc:
            raise ApplyRefused("already_open", f"application {exc.existing} for this policy is still open",
                               status=409, id=exc.existing) from None
        application = await self.store.applications.get(new_id)
        assert application is not None
        await self._tell(application, "submitted", now=now)
        return application

    async def step(self, user: str, application_id: int, step: str, by: str, *, note: str = "",
                   amount: float | None = None, files: Sequence[Incoming] = ()) -> Application:
        """Take ``step`` on the application as ``by`` (APPLICANT or REVIEWER)."""
        application = await self.store.applications.get(application_id)
        if application is None:
            raise ApplyRefused("no_application", f"there is no application {application_id}", status=404)
        note = note.strip()
        claimed = None if application.amount_claimed is None else int(application.amount_claimed)
        move = advance(application.state, step, by, note=note, amount=None if amount is None else int(amount),
                       claimed=claimed)
        if isinstance(move, Refusal):
            field = {"note_missing": "note", "note_long": "note", "amount_missing": "amount",
                     "amount_range": "amount", "amount_over": "amount"}.get(move.code, "step")
            raise ApplyRefused(move.code, move.reason, status=409 if field == "step" else 422, field=field,
                               state=application.state, claimed=amount_text(application.amount_claimed))
        if files and not move.files:
            raise ApplyRefused("no_files_here", f"{step} takes no files", field="files")
        stored: list[NewFile] = []
        if files:
            terms = await self.store.applications.terms(application.policy_id, application.version)
            assert terms is not None
            self._materials(terms, files, first=False)
            stored = await self._store_files(terms, files)
        now = self.clock.now()
        try:
            moved = await self.store.applications.move(
                application_id, source=application.state, target=move.target, by=user, note=note,
                amount_approved=amount if move.amount else None, reviewer=by == REVIEWER, files=stored, now=now,
                action=f"application.{step}")
        except Moved as exc:
            raise ApplyRefused("moved", f"the application is {exc.state} now: look again", status=409,
                               state=exc.state) from None
        await self._tell(moved, move.target, now=now, note=note)
        return moved

    async def _tell(self, application: Application, state: str, *, now: float, note: str = "") -> None:
        params = {"id": application.id, "title_zh": application.title_zh,
                  "title_en": application.title_en or application.title_zh, "org": application.org_name,
                  "note": note, "amount": amount_text(application.amount_approved),
                  "claimed": amount_text(application.amount_claimed)}
        managers = await self.store.applications.managers(application.org_id)
        if managers:
            await send(self.store, self.bus, managers,
                       Notice("policy", f"apply.notice.{state}.title", f"apply.notice.{state}.body", params,
                              enterprise_link(application.org_id, application.id)), now=now)
        if state in ("submitted", "resubmitted", "withdrawn"):
            reviewers = await self.store.applications.reviewers(application.issuer_org_id)
            if reviewers:
                await send(self.store, self.bus, reviewers,
                           Notice("policy", f"apply.review.{state}.title", f"apply.review.{state}.body", params,
                                  review_link(application.id)), now=now)
