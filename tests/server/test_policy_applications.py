"""Applying for a policy and reviewing it, on both engines: materials checked by content,
every step in one transaction with its audit entry, the enterprise told at each step."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server.bus import InProcessBus
from server.clock import ManualClock
from server.db.tables import application_files, audit_log, policy_applications
from server.policies.applications import ApplicationService, ApplyRefused, Incoming
from server.uploads import LocalFolder, Uploads
from tests.server.db.conftest import opened, run
from tests.server.policy_rows import add_match, add_policy, people
from tests.server.test_uploads import pdf_bytes, png_bytes
from world.policies.applications import APPLICANT, REVIEWER

LEASE = Incoming("lease", "租赁合同.pdf", pdf_bytes())


def service(store: object, tmp: Path) -> tuple[ApplicationService, InProcessBus]:
    bus = InProcessBus()
    return ApplicationService(store, bus, Uploads(LocalFolder(tmp / "uploads")), ManualClock()), bus


async def count(store: object, table: object) -> int:
    from sqlalchemy import func, select
    return int((await store.db.row(select(func.count()).select_from(table)))[0])  # type: ignore[attr-defined]


def test_apply_ask_for_more_resubmit_approve_and_disburse(database_url: str, tmp_path: Path) -> None:
    async def go() -> None:
        async with opened(database_url) as store:
            orgs = await people(store)
            pid = await add_policy(store, orgs["bureau"])
            await add_match(store, pid, orgs["acme"])
            apps, _ = service(store, tmp_path)
            app = await apps.apply("erin", pid, orgs["acme"], claimed=None, files=[LEASE])
            assert (app.state, app.amount_claimed, app.version) == ("submitted", 180000.0, 1)
            app = await apps.step("olga", app.id, "start_review", REVIEWER)
            app = await apps.step("olga", app.id, "ask_more", REVIEWER, note="请补充场地照片")
            assert app.state == "more_info" and app.note == "请补充场地照片"
            app = await apps.step("erin", app.id, "resubmit", APPLICANT,
                                  files=[Incoming("photos", "site.png", png_bytes())])
            app = await apps.step("olga", app.id, "start_review", REVIEWER)
            app = await apps.step("olga", app.id, "approve", REVIEWER, amount=150000)
            app = await apps.step("olga", app.id, "disburse", REVIEWER)
            assert (app.state, app.amount_approved, app.reviewer) == ("disbursed", 150000.0, "olga")
            steps = await store.applications.steps(app.id)
            assert [(s.actor, s.from_state, s.to_state) for s in steps] == [
                ("erin", "", "submitted"), ("olga", "submitted", "under_review"),
                ("olga", "under_review", "more_info"), ("erin", "more_info", "resubmitted"),
                ("olga", "resubmitted", "under_review"), ("olga", "under_review", "approved"),
                ("olga", "approved", "disbursed")]
            files = await store.applications.files(app.id)
            assert [(f.material_key, f.content_type, f.uploaded_by) for f in files] == [
                ("lease", "application/pdf", "erin"), ("photos", "image/png", "erin")]
            assert await apps.uploads.read(files[0].upload_id) == LEASE.data
            audit = await store.audit.page(target=f"application:{app.id}")
            assert [e.action for e in reversed(audit)] == [
                "policy.apply", "application.start_review", "application.ask_more", "application.resubmit",
                "application.start_review", "application.approve", "application.disburse"]
            assert audit[1].detail == {"from": "under_review", "to": "approved", "amount": 150000}
            # the enterprise's owner heard of every step, its member nothing; the officer of new files
            told = [n.notice.title_key for n in await store.inbox.page("erin", limit=50)]
            assert told[::-1] == [f"apply.notice.{s}.title" for s in (
                "submitted", "under_review", "more_info", "resubmitted", "under_review", "approved", "disbursed")]
            assert not await store.inbox.page("eve")
            assert [n.notice.title_key for n in await store.inbox.page("olga")][::-1] == [
                "apply.review.submitted.title", "apply.review.resubmitted.title"]
            assert (await store.inbox.page("erin", limit=1))[0].notice.link == \
                f"/console/enterprise/{orgs['acme']}/applications/{app.id}"
    run(go())


def test_refusals_name_what_is_wrong_and_write_nothing(database_url: str, tmp_path: Path) -> None:
    async def go() -> None:
        async with opened(database_url) as store:
            orgs = await people(store)
            pid = await add_policy(store, orgs["bureau"])
            closed = await add_policy(store, orgs["bureau"], apply_to="2025-06-30")
            draft = await add_policy(store, orgs["bureau"], state="draft")
            for p in (pid, closed, draft):
                await add_match(store, p, orgs["acme"])
            apps, _ = service(store, tmp_path)

            async def refused(*args: object, **kw: object) -> ApplyRefused:
                with pytest.raises(ApplyRefused) as caught:
                    await apps.apply(*args, **kw)  # type: ignore[arg-type]
                return caught.value
            assert (await refused("erin", pid, orgs["acme"], claimed=None, files=[])).code == "material_missing"
            disguised = await refused("erin", pid, orgs["acme"], claimed=None,
                                      files=[Incoming("lease", "lease.pdf", png_bytes())])
            assert disguised.key == "upload.refused.disguised" and disguised.field == "file.lease"
            wrong = await refused("erin", pid, orgs["acme"], claimed=None,
                                  files=[Incoming("lease", "lease.png", png_bytes())])
            assert wrong.key == "upload.refused.not_accepted" and wrong.params["material_en"] == "Lease contract"
            fake = await refused("erin", pid, orgs["acme"], claimed=None,
                                 files=[Incoming("lease", "lease.pdf", b"MZ\x90 a program")])
            assert fake.key == "upload.refused.unknown_type"
            assert (await refused("erin", pid, orgs["acme"], claimed=None,
                                  files=[LEASE, Incoming("permit", "p.pdf", pdf_bytes())])).code == "unknown_material"
            assert (await refused("zed", pid, orgs["zeta"], claimed=None, files=[LEASE])).code == "not_eligible"
            assert (await refused("erin", closed, orgs["acme"], claimed=None, files=[LEASE])).code == "closed_window"
            assert (await refused("erin", draft, orgs["acme"], claimed=None, files=[LEASE])).code == "not_published"
            assert (await refused("erin", pid, orgs["acme"], claimed=-5, files=[LEASE])).code == "claim_range"
            assert await count(store, policy_applications) == 0 and await count(store, application_files) == 0
            assert not any((tmp_path / "uploads").rglob("*")) if (tmp_path / "uploads").exists() else True
            first = await apps.apply("erin", pid, orgs["acme"], claimed=100000, files=[LEASE])
            again = await refused("erin", pid, orgs["acme"], claimed=None, files=[LEASE])
            assert again.code == "already_open" and again.params["id"] == first.id
            # steps out of turn, by the wrong side, without a note or over the claim
            with pytest.raises(ApplyRefused) as caught:
                await apps.step("erin", first.id, "approve", APPLICANT, amount=1)
            assert caught.value.code == "not_now"
            await apps.step("olga", first.id, "start_review", REVIEWER)
            for step, by, kw, code in (("approve", APPLICANT, {"amount": 1}, "not_yours"),
                                       ("ask_more", REVIEWER, {"note": " "}, "note_missing"),
                                       ("approve", REVIEWER, {"amount": 100001}, "amount_over"),
                                       ("approve", REVIEWER, {}, "amount_missing")):
                with pytest.raises(ApplyRefused) as caught:
                    await apps.step("olga", first.id, step, by, **kw)  # type: ignore[arg-type]
                assert caught.value.code == code, step
            assert len(await store.applications.steps(first.id)) == 2
    run(go())


def test_two_officers_deciding_at_once_one_wins(database_url: str, tmp_path: Path) -> None:
    async def go() -> None:
        async with opened(database_url) as store:
            orgs = await people(store)
            pid = await add_policy(store, orgs["bureau"])
            await add_match(store, pid, orgs["acme"])
            apps, _ = service(store, tmp_path)
            app = await apps.apply("erin", pid, orgs["acme"], claimed=None, files=[LEASE])
            await apps.step("olga", app.id, "start_review", REVIEWER)
            results = await asyncio.gather(apps.step("olga", app.id, "approve", REVIEWER, amount=1000),
                                           apps.step("otto", app.id, "reject", REVIEWER, note="不符合"),
                                           return_exceptions=True)
            won = [r for r in results if not isinstance(r, BaseException)]
            lost = [r for r in results if isinstance(r, ApplyRefused)]
            # the loser read the application before the winner wrote (``moved``: the state moved
            # under it) or after (``not_now``: no such step from the decided state); both are
            # the race's answer, depending on the interleaving (seen both ways on PostgreSQL)
            assert len(won) == 1 and len(lost) == 1 and lost[0].code in ("moved", "not_now")
            steps = await store.applications.steps(app.id)
            assert len(steps) == 3 and steps[-1].to_state == won[0].state
            assert await count(store, audit_log) == 3
    run(go())


def test_the_database_keeps_one_open_application_per_policy_and_enterprise(database_url: str, tmp_path: Path) -> None:
    async def go() -> None:
        async with opened(database_url) as store:
            orgs = await people(store)
            pid = await add_policy(store, orgs["bureau"])
            await add_match(store, pid, orgs["acme"])
            apps, _ = service(store, tmp_path)
            results = await asyncio.gather(*(apps.apply("erin", pid, orgs["acme"], claimed=None, files=[LEASE])
                                             for _ in range(4)), return_exceptions=True)
            assert sum(not isinstance(r, BaseException) for r in results) == 1
            assert all(r.code == "already_open" for r in results if isinstance(r, ApplyRefused))
            won = next(r for r in results if not isinstance(r, BaseException))
            await apps.step("erin", won.id, "withdraw", APPLICANT)  # closed: a new one may start
            assert (await apps.apply("erin", pid, orgs["acme"], claimed=None, files=[LEASE])).id != won.id
            mine = await store.applications.of_org(orgs["acme"])
            assert [a.state for a in mine] == ["submitted", "withdrawn"]
            assert await store.applications.of_org(orgs["zeta"]) == []
            assert len(await store.applications.queue([orgs["bureau"]])) == 2
            assert await store.applications.queue([orgs["other"]]) == []
    run(go())
