"""Publishing policies, and the policy finding the enterprise.

``PolicyService.publish`` writes a policy (version 1) or ``change`` a new version of
one, audit-logs it, then ``rematch``: the bulk matcher (``server.policies.bulk``, numpy
over the zone's enterprises as columns) finds every eligible and possibly eligible
enterprise, and one transaction (``server.notices.send_each`` with the matches' write
``along``) rewrites the policy's matches, written as told, and the notices to the owners
and admins of those not yet told of this version (each enterprise its own verdict, amount
and the clauses with their marks; the in-world push follows). Both land or neither; no
UPDATE of every match afterwards. ``notify`` tells any match left untold (a catch-up). A policy whose application window has closed is
not matched or pushed. Subscribers of the policy's topics are told too (one notice).

Deadline reminders are scheduler jobs (``policy.deadline``, written with the version):
``REMIND_DAYS`` days before the window's last day, at 09:00 on the zone's calendar, the
matched enterprises that have not applied are reminded. Handlers are idempotent: a
reminder for a version that is no longer current, or a withdrawn policy, does nothing.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from server.bus import Bus
from server.db.inbox import Notice
from server.db.policies import ToldMoved
from server.notices import send, send_each
from server.policies.bulk import match
from server.policies.columns import load
from world.i18n import Texts
from world.policies.evaluate import Facts, evaluate, stored_reasons
from world.policies.rules import leaves
from world.policies.versions import PolicyVersion
from world.profiles import EnterpriseProfile

log = logging.getLogger("cloudpark.policies")
REMIND_DAYS = (7, 1)
REMIND_HOUR = 9
TOLD_ROLES = ("owner", "admin")  # who acts for an enterprise on a policy (policy.apply)
MARKS = {"met": "✓", "not": "✗", "unknown": "?"}


@dataclass(frozen=True, slots=True)
class Matched:
    policy_id: int
    version: int
    eligible: int
    possibly: int
    told: int  # people notified
    match_s: float  # loading the columns and matching
    write_s: float  # the one transaction: the matches written, and the notices (the new ones told)
    notify_s: float  # building the notices: who decides for each enterprise, the texts


def link(policy_id: int) -> str:
    return f"/policies/{policy_id}"


class PolicyService:
    def __init__(self, store: Any, bus: Bus, texts: Texts, tz: ZoneInfo) -> None:
        self.store = store
        self.bus = bus
        self.texts = texts
        self.tz = tz

    def today(self, now: float) -> date:
        return datetime.fromtimestamp(now, self.tz).date()

    def year(self, now: float) -> int:
        return self.today(now).year

    # --- publishing

    async def publish(self, v: PolicyVersion, *, issuer_org_id: int, by: str, now: float, park_id: str = "",
                      demo: bool = False) -> Matched:
        policy_id = await self.store.policies.create(v, issuer_org_id=issuer_org_id, by=by, now=now, publish=True,
                                                     park_id=park_id, demo=demo)
        await self.store.audit.add(by, "policy.publish", f"policy:{policy_id}",
                                   {"version": 1, "title": v.title_zh, "level": v.level}, now=now)
        return await self._after_publish(policy_id, 1, v, now=now)

    async def change(self, policy_id: int, v: PolicyVersion, *, by: str, now: float, note: str = "") -> Matched:
        """A new version of a published policy (open applications keep theirs), matched again."""
        number = await self.store.policies.add_version(policy_id, v, by=by, now=now, publish=True, note=note)
        await self.store.audit.add(by, "policy.change", f"policy:{policy_id}",
                                   {"version": number, "title": v.title_zh, "note": note}, now=now)
        return await self._after_publish(policy_id, number, v, now=now)

    async def withdraw(self, policy_id: int, *, by: str, now: float) -> bool:
        done = bool(await self.store.policies.withdraw(policy_id, now=now))
        if done:
            await self.store.audit.add(by, "policy.withdraw", f"policy:{policy_id}", {}, now=now)
        return done

    async def _after_publish(self, policy_id: int, number: int, v: PolicyVersion, *, now: float) -> Matched:
        await self.schedule_reminders(policy_id, number, v, now=now)
        result = await self.rematch(policy_id, now=now)
        if v.topics:
            await self._tell_subscribers(policy_id, v, now=now)
        return result

    # --- matching

    async def rematch(self, policy_id: int, *, now: float, notify: bool = True) -> Matched:
        """Match the current version against every enterprise, store, and tell the new ones."""
        policy = await self.store.policies.get(policy_id)
        if policy is None or policy.current is None or policy.state != "published":
            raise KeyError(policy_id)
        spec = policy.current.spec
        started = time.perf_counter()
        if spec.apply_to is not None and spec.apply_to < self.today(now):
            cols = None  # the window has closed: nobody is pointed at it
        else:
            cols = await self.store.db.read(load)
        rows: list[dict[str, Any]] = []
        if cols is not None and cols.size:
            out = match(cols, spec.rule, spec.benefit, self.year(now))
            org_ids = cols.org_ids[out.rows].tolist()
            amounts = [None if a != a else float(a) for a in out.amounts.tolist()]  # NaN -> NULL
            rows = [{"org_id": o, "verdict": v, "amount": a, "reasons": r}
                    for o, v, a, r in zip(org_ids, out.verdicts.tolist(), amounts, out.reasons.tolist(), strict=True)]
        matched = time.perf_counter()
        version = policy.current_version
        told, build_s = 0, 0.0
        if not notify:
            await self.store.policies.replace_matches(policy_id, version, rows, now=now)
        else:
            told, build_s = await self._write_and_tell(policy, rows, now=now)
        written = time.perf_counter()
        eligible = sum(1 for r in rows if r["verdict"] == "eligible")
        return Matched(policy_id, version, eligible, len(rows) - eligible, told,
                       matched - started, written - matched - build_s, build_s)

    async def _write_and_tell(self, policy: Any, rows: list[dict[str, Any]], *, now: float) -> tuple[int, float]:
        """The matches and the notices of the enterprises not told of this version yet, in one
        transaction (no UPDATE of 50,000 rows afterwards to mark them told: they are written told)."""
        for _ in range(3):
            t0 = time.perf_counter()
            told = await self.store.policies.told_of(policy.id, policy.current_version)
            people = await self.store.db.read(_deciders)
            cache: dict[Any, Any] = {}
            items: list[tuple[str, Notice]] = []
            for r in rows:
                users = people.get(r["org_id"])
                if users and r["org_id"] not in told:
                    notice = self._notice(policy, r["verdict"], r["amount"], r["reasons"], cache)
                    items.extend((u, notice) for u in users)
            write = self.store.policies.matches_writer(policy.id, policy.current_version, rows, now=now, told=told)
            build_s = time.perf_counter() - t0
            try:
                return await send_each(self.store, self.bus, items, now=now, along=write), build_s
            except ToldMoved:
                continue  # another run told some of them meanwhile: read again
        raise RuntimeError(f"policy {policy.id}: the told enterprises kept changing")

    async def rematch_org(self, org_id: int, *, now: float) -> int:
        """Match one enterprise against every open published policy (its profile changed),
        with the pure evaluator: one enterprise, so no columns; how many it matches. Not
        pushed: the inbox hears of a policy when it is published or changed."""
        profile = await self.store.profiles.get(org_id)
        if not isinstance(profile, EnterpriseProfile):
            return 0
        ids = await self.store.policies.published_open(self.today(now))
        found = await self.store.policies.many(ids)
        awards = frozenset(await self.store.db.read(_awards_of(org_id)))
        facts = Facts(profile, awards, self.year(now))
        rows = []
        for pid in ids:
            policy = found.get(pid)
            if policy is None or policy.current is None:
                continue
            result = evaluate(policy.current.spec.rule, policy.current.spec.benefit, facts)
            if result.verdict != "not":
                yuan = None if result.amount is None else result.amount.yuan
                rows.append({"policy_id": pid, "version": policy.current_version, "verdict": result.verdict,
                             "amount": None if yuan is None else float(yuan), "reasons": stored_reasons(result)})
        return await self.store.policies.replace_org_matches(org_id, ids, rows, now=now)

    # --- telling

    def _clauses(self, rule: Any, reasons: str, lang: str) -> str:
        pairs = json.loads(reasons)
        names = [self.texts.translate(lang, f"policy.field.{c.field}") for c in leaves(rule)]
        return " · ".join(f"{name} {MARKS[state]}" for name, (state, _why) in zip(names, pairs, strict=True))

    def _notice(self, policy: Any, verdict: str, amount: float | None, reasons: str,
                cache: dict[Any, Any]) -> Notice:
        """The notice for one verdict, amount and clause marks: enterprises that share all
        three share one ``Notice`` (and its parameters' JSON, written once); the clause text
        is made once per verdict and marks."""
        key = (verdict, reasons, amount)
        found = cache.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        spec = policy.current.spec
        clauses = cache.get((verdict, reasons))
        if clauses is None:
            clauses = cache[(verdict, reasons)] = {f"clauses_{lang}": self._clauses(spec.rule, reasons, lang)
                                                   for lang in ("zh", "en")}
        params = {"policy": policy.id, "title_zh": spec.title_zh, "title_en": spec.title_en or spec.title_zh,
                  "amount": "" if amount is None else f"{amount:,.0f}", **clauses}
        kind = "possibly" if verdict == "possibly" else "eligible" if amount is not None else "eligible_no_amount"
        cache[key] = notice = Notice("policy", f"policy.notice.{verdict}.title", f"policy.notice.{kind}.body",
                                     params, link(policy.id))
        return notice

    async def notify(self, policy_id: int, *, now: float) -> int:
        """Tell the owners and admins of each matched enterprise not yet told of this version."""
        policy = await self.store.policies.get(policy_id)
        if policy is None or policy.current is None:
            return 0
        pending = await self.store.policies.to_notify(policy_id, policy.current_version)
        if not pending:
            return 0
        people = await self.store.db.read(_people_of_matches(policy_id, policy.current_version))
        by_org: dict[int, list[str]] = {}
        for org_id, user in people:
            by_org.setdefault(org_id, []).append(user)
        cache: dict[Any, Any] = {}
        items: list[tuple[str, Notice]] = []
        for org_id, verdict, amount, reasons in pending:
            users = by_org.get(org_id)
            if users:
                notice = self._notice(policy, verdict, amount, reasons, cache)
                items.extend((u, notice) for u in users)
        told = await send_each(self.store, self.bus, items, now=now) if items else 0
        await self.store.policies.mark_notified(policy_id, policy.current_version)
        return told

    async def _tell_subscribers(self, policy_id: int, v: PolicyVersion, *, now: float) -> int:
        users = await self.store.policies.subscribers(v.topics)
        if not users:
            return 0
        notice = Notice("policy", "policy.notice.topic.title", "policy.notice.topic.body",
                        {"policy": policy_id, "title_zh": v.title_zh, "title_en": v.title_en or v.title_zh},
                        link(policy_id))
        return await send(self.store, self.bus, users, notice, now=now)

    # --- deadline reminders

    def reminder_due(self, apply_to: date, days: int) -> float:
        day = apply_to - timedelta(days=days)
        return datetime(day.year, day.month, day.day, REMIND_HOUR, tzinfo=self.tz).timestamp()

    async def schedule_reminders(self, policy_id: int, number: int, v: PolicyVersion, *, now: float) -> int:
        if v.apply_to is None:
            return 0
        made = 0
        for days in REMIND_DAYS:
            due = self.reminder_due(v.apply_to, days)
            if due > now:
                made += bool(await self.store.jobs.schedule(
                    "policy.deadline", f"policy.deadline:{policy_id}:{number}:{days}", due,
                    {"policy": policy_id, "version": number, "days": days}))
        return made

    def register(self, scheduler: Any) -> None:
        """The reminder handler, in any process that runs a scheduler on this database."""
        scheduler.handle("policy.deadline", self._job_deadline)

    async def _job_deadline(self, payload: dict[str, Any], now: float) -> None:
        policy = await self.store.policies.get(int(payload["policy"]))
        if (policy is None or policy.state != "published" or policy.current is None
                or policy.current_version != int(payload["version"]) or policy.current.spec.apply_to is None):
            return
        users = await self.store.db.read(_not_applied(policy.id))
        if users:
            spec = policy.current.spec
            notice = Notice("policy", "policy.notice.deadline.title", "policy.notice.deadline.body",
                            {"policy": policy.id, "title_zh": spec.title_zh, "title_en": spec.title_en or spec.title_zh,
                             "apply_to": spec.apply_to.isoformat() if spec.apply_to else "",
                             "days": int(payload["days"])}, link(policy.id))
            await send(self.store, self.bus, users, notice, now=now)


async def _deciders(conn: AsyncConnection) -> dict[int, list[str]]:
    """Every enterprise's owners and admins (who are told of its matches)."""
    rows = await conn.execute(text(
        'SELECT s.org_id, s."user" FROM memberships s JOIN org_profiles p ON p.org_id = s.org_id '
        "WHERE p.kind = 'enterprise' AND s.role IN ('owner', 'admin') ORDER BY s.org_id, s.\"user\""))
    out: dict[int, list[str]] = {}
    for org_id, user in rows:
        out.setdefault(int(org_id), []).append(str(user))
    return out


def _people_of_matches(policy_id: int, version: int) -> Any:
    async def run(conn: AsyncConnection) -> list[tuple[int, str]]:
        rows = await conn.execute(text(
            'SELECT m.org_id, s."user" FROM policy_matches m JOIN memberships s ON s.org_id = m.org_id '
            "WHERE m.policy_id = :p AND m.version = :v AND m.notified_version < :v "
            "AND s.role IN ('owner', 'admin') ORDER BY m.org_id, s.\"user\""), {"p": policy_id, "v": version})
        return [(int(r[0]), str(r[1])) for r in rows]
    return run


def _not_applied(policy_id: int) -> Any:
    async def run(conn: AsyncConnection) -> list[str]:
        rows = await conn.execute(text(
            'SELECT DISTINCT s."user" FROM policy_matches m JOIN memberships s ON s.org_id = m.org_id '
            "WHERE m.policy_id = :p AND s.role IN ('owner', 'admin') AND NOT EXISTS ("
            "SELECT 1 FROM policy_applications a WHERE a.policy_id = m.policy_id AND a.org_id = m.org_id) "
            'ORDER BY s."user"'), {"p": policy_id})
        return [str(r[0]) for r in rows]
    return run


def _awards_of(org_id: int) -> Any:
    async def run(conn: AsyncConnection) -> list[str]:
        rows = await conn.execute(text(
            "SELECT v.topics FROM policy_applications a JOIN policy_versions v ON v.policy_id = a.policy_id "
            "AND v.version = a.version WHERE a.org_id = :o AND a.state IN ('approved', 'disbursed')"), {"o": org_id})
        return [str(t) for r in rows for t in json.loads(r[0])]
    return run
