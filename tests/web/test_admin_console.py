"""The platform admin's console over the real app and store (both engines): the admin
creates departments and service institutions (every bad field named), appoints their
people and the event organizers; each change is audit-logged, tells the person in
their inbox and goes out as ``account.changed`` (their live 3D session refreshes its
permission map); everyone else is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.clock import ManualClock
from server.db import Store
from server.web.app import create_app
from server.web.texts import load_texts
from tests.server.conftest import database_url, pg_template  # noqa: F401 - the fixtures: a fresh database on each engine
from tests.web.conftest import web_config
from tests.web.people import PASSWORD, seed_people
from tests.web.test_park_console import RecordingBus

pytestmark = pytest.mark.anyio


@dataclass
class Admin:
    client: httpx.AsyncClient
    store: Any
    bus: RecordingBus
    clock: ManualClock

    async def as_(self, user: str) -> str:
        self.client.cookies.clear()
        csrf = (await self.client.get("/api/session")).json()["csrf"]
        signed = await self.client.post("/api/session", json={"user": user, "password": PASSWORD},
                                        headers={"X-CSRF-Token": csrf})
        assert signed.status_code == 200, signed.text
        return str((await self.client.get("/api/session")).json()["csrf"])

    async def post(self, path: str, data: dict[str, Any], lang: str = "en") -> httpx.Response:
        return await self.client.post(path, data=data, headers={"Accept-Language": lang})

    async def get(self, path: str, lang: str = "en") -> httpx.Response:
        return await self.client.get(path, headers={"Accept-Language": lang})


@pytest.fixture
async def admin(database_url: str, tmp_path: Path) -> AsyncIterator[Admin]:  # noqa: F811
    cfg = web_config(tmp_path / "data")
    store = await Store.open(database_url)
    await seed_people(store, cfg.scrypt_n)
    bus, clock = RecordingBus(), ManualClock()
    app = create_app(cfg, store, bus, clock, texts=load_texts(strict=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://park.test") as client:
        yield Admin(client, store, bus, clock)
    await app.state.web.online.close()
    await store.close()


async def test_the_admin_creates_a_department_and_appoints_an_officer_who_is_told(admin: Admin) -> None:
    csrf = await admin.as_("ada")
    home = await admin.get("/console/", "zh")
    assert 'href="/console/admin"' in home.text and "平台管理" in home.text
    made = await admin.post("/console/admin/orgs", {"csrf": csrf, "kind": "department", "name_zh": "区文化和旅游局",
                                                     "name_en": "District Culture and Tourism Bureau"})
    assert made.status_code == 303
    org_id = int(made.headers["location"].split("/")[-1].split("?")[0])
    org = await admin.store.orgs.get(org_id)
    assert (org.kind, org.name) == ("department", "区文化和旅游局 / District Culture and Tourism Bureau")
    listed = await admin.get("/console/admin?kind=department")
    assert listed.status_code == 200 and f'href="/console/admin/orgs/{org_id}"' in listed.text
    again = await admin.post("/console/admin/orgs", {"csrf": csrf, "kind": "department", "name_zh": "区文化和旅游局",
                                                      "name_en": "District Culture and Tourism Bureau"})
    assert again.status_code == 422
    assert f"Name (Chinese): A government department named “{org.name}” exists already (id {org_id})." in again.text
    again_zh = await admin.post("/console/admin/orgs", {"csrf": csrf, "kind": "department", "name_zh": "区文化和旅游局",
                                                         "name_en": "District Culture and Tourism Bureau"}, "zh")
    assert again_zh.status_code == 422
    assert f"中文名称：名为“{org.name}”的政府部门已存在（编号 {org_id}）。" in again_zh.text
    assert "exists already" not in again_zh.text and "name_zh" not in again_zh.text.split("<form")[0]
    admin.bus.sent.clear()
    appointed = await admin.post(f"/console/admin/orgs/{org_id}/members", {"csrf": csrf, "user": "vera", "role": "officer"})
    assert appointed.status_code == 303
    assert ("account.changed", {"user": "vera"}) in admin.bus.sent
    page = await admin.get(appointed.headers["location"])
    assert "vera was appointed and told." in page.text and "<code>vera</code> · officer" in page.text
    told = await admin.store.inbox.page("vera")
    assert [(n.notice.body_key, n.notice.params["by"]) for n in told] == [("notice.membership.appointed_officer", "Ada Admin")]
    entries = [(e.actor, e.action, e.target, e.detail) for e in await admin.store.audit.page(limit=2)]
    assert entries == [("ada", "platform.appoint", f"org:{org_id}", {"user": "vera", "role": "officer"}),
                       ("ada", "platform.org_create", f"org:{org_id}",
                        {"kind": "department", "name": "区文化和旅游局 / District Culture and Tourism Bureau",
                         "service_kinds": [], "park_id": ""})]
    await admin.as_("vera")  # vera opens the government console now
    assert (await admin.get("/console/government")).status_code == 200
    csrf = await admin.as_("ada")
    wrong = await admin.post(f"/console/admin/orgs/{org_id}/members", {"csrf": csrf, "user": "vera", "role": "owner"})
    assert wrong.status_code == 422 and "Role: A government department has officer (not owner)." in wrong.text
    wrong_zh = await admin.post(f"/console/admin/orgs/{org_id}/members",
                                {"csrf": csrf, "user": "vera", "role": "owner"}, "zh")
    assert wrong_zh.status_code == 422
    assert "角色：政府部门可任命的角色为：工作人员（政府）（不能任命为所有者）。" in wrong_zh.text
    assert "role:" not in wrong_zh.text and "(not" not in wrong_zh.text
    nobody = await admin.post(f"/console/admin/orgs/{org_id}/members", {"csrf": csrf, "user": "nobody", "role": "officer"})
    assert nobody.status_code == 404 and "User name: There is no account named “nobody”." in nobody.text
    nobody_zh = await admin.post(f"/console/admin/orgs/{org_id}/members",
                                 {"csrf": csrf, "user": "nobody", "role": "officer"}, "zh")
    assert nobody_zh.status_code == 404 and "用户名：没有用户名为“nobody”的账号。" in nobody_zh.text
    twice = await admin.post(f"/console/admin/orgs/{org_id}/members", {"csrf": csrf, "user": "vera", "role": "officer"},
                             "zh")
    assert twice.status_code == 409 and "用户名：vera 已经是本组织的工作人员（政府）。" in twice.text
    removed = await admin.post(f"/console/admin/orgs/{org_id}/members/vera/remove", {"csrf": csrf})
    assert removed.status_code == 303 and await admin.store.orgs.members(org_id) == []
    assert (await admin.store.inbox.page("vera"))[0].notice.body_key == "notice.membership.removed"
    assert (await admin.store.audit.page(limit=1))[0].action == "platform.dismiss"
    enterprise = (await admin.store.orgs.named("Acme Design (test)"))[0].id
    refused = await admin.post(f"/console/admin/orgs/{enterprise}/members", {"csrf": csrf, "user": "vera", "role": "member"})
    assert refused.status_code == 404  # an enterprise runs its own people: not on this console
    assert "vera" not in [m.user for m in await admin.store.orgs.members(enterprise)]


async def test_an_institution_needs_its_services_and_every_bad_field_is_named(admin: Admin) -> None:
    csrf = await admin.as_("ada")
    bad = await admin.post("/console/admin/orgs", {"csrf": csrf, "kind": "institution", "name_zh": " ",
                                                    "park_id": "no-such-park"})
    assert bad.status_code == 422
    for problem in ("Name (Chinese): Has spaces at the start or end.",
                    "Services (institutions only): Choose at least one service.",
                    "Park (institutions only): “no-such-park” is not a park of the zone."):
        assert problem in bad.text, problem
    bad_zh = await admin.post("/console/admin/orgs", {"csrf": csrf, "kind": "institution", "name_zh": " ",
                                                       "park_id": "no-such-park"}, "zh")
    assert bad_zh.status_code == 422
    t = load_texts(strict=True)
    for label, problem in (("admin.name_zh", "profile.p.spaces"), ("admin.services", "profile.p.service_needed")):
        line = t.translate("zh", "profile.problem_line", field=t.translate("zh", label), problem=t.translate("zh", problem))
        assert line in bad_zh.text, line
    assert "“no-such-park”不是本区的园区。" in bad_zh.text
    assert not any(w in bad_zh.text for w in ("<code>park_id</code>", "is not a park", "has spaces"))
    zh = await admin.post("/console/admin/orgs", {"csrf": csrf, "kind": "institution", "name_zh": "x" * 201}, "zh")
    assert zh.status_code == 422 and "name_zh" in zh.text and 'lang="zh-CN"' in zh.text  # the form's own limit
    odd = await admin.post("/console/admin/orgs", {"csrf": csrf, "kind": "bank", "name_zh": "银行"})
    assert odd.status_code == 422 and "kind" in odd.text
    made = await admin.post("/console/admin/orgs", {"csrf": csrf, "kind": "institution", "name_zh": "知识产权服务中心（测试）",
                                                     "name_en": "IP Service Centre (test)", "service_kinds": ["ip", "legal"],
                                                     "park_id": "798-art-zone"})
    assert made.status_code == 303
    org_id = int(made.headers["location"].split("/")[-1].split("?")[0])
    profile = await admin.store.profiles.get(org_id)
    assert (profile.service_kinds, profile.park_id) == (("ip", "legal"), "798-art-zone")
    found = await admin.client.get("/api/directory", params={"q": "知识产权服务"})
    assert [e["id"] for e in found.json()["entries"]] == [org_id]
    for role in ("admin", "staff"):
        user = {"admin": "emil", "staff": "vera"}[role]
        done = await admin.post(f"/console/admin/orgs/{org_id}/members", {"csrf": csrf, "user": user, "role": role})
        assert done.status_code == 303, role
    page = await admin.get(f"/console/admin/orgs/{org_id}", "zh")
    assert "<code>emil</code>" in page.text and "知识产权" in page.text


async def test_the_admin_grants_and_withdraws_the_organizer_role(admin: Admin) -> None:
    csrf = await admin.as_("ada")
    admin.bus.sent.clear()
    granted = await admin.post("/console/admin/organizers", {"csrf": csrf, "user": " vera "})
    assert granted.status_code == 303
    assert (await admin.store.accounts.get("vera")).role == "organizer"
    assert ("account.changed", {"user": "vera"}) in admin.bus.sent
    listed = await admin.get(granted.headers["location"])
    assert "<code>vera</code>" in listed.text and "vera is an event organizer now and was told." in listed.text
    assert (await admin.store.inbox.page("vera"))[0].notice.body_key == "notice.organizer.granted"
    assert (await admin.store.audit.page(limit=1))[0].action == "platform.organizer_grant"
    not_visitor = await admin.post("/console/admin/organizers", {"csrf": csrf, "user": "gwen"})
    assert not_visitor.status_code == 422 and "has the platform role government officer" in not_visitor.text
    not_visitor_zh = await admin.post("/console/admin/organizers", {"csrf": csrf, "user": "gwen"}, "zh")
    assert not_visitor_zh.status_code == 422
    assert "用户名：gwen 的平台角色是政府工作人员；只有访客账号可以成为活动组织者。" in not_visitor_zh.text
    bad_name = await admin.post("/console/admin/organizers", {"csrf": csrf, "user": "a b"})
    assert bad_name.status_code == 422 and "user" in bad_name.text
    await admin.as_("vera")
    assert (await admin.get("/console/showcases")).status_code == 200
    csrf = await admin.as_("ada")
    back = await admin.post("/console/admin/organizers/vera/withdraw", {"csrf": csrf})
    assert back.status_code == 303 and (await admin.store.accounts.get("vera")).role == "visitor"
    again = await admin.post("/console/admin/organizers/vera/withdraw", {"csrf": csrf})
    assert again.status_code == 422 and "User name: vera is not an event organizer." in again.text
    again_zh = await admin.post("/console/admin/organizers/vera/withdraw", {"csrf": csrf}, "zh")
    assert again_zh.status_code == 422 and "用户名：vera 不是活动组织者。" in again_zh.text


async def test_only_the_platform_admin_opens_the_admin_console_and_forms_need_csrf(admin: Admin) -> None:
    for user in ("vera", "olga", "emil", "pam", "gwen"):
        csrf = await admin.as_(user)
        for path in ("/console/admin", "/console/admin/organizers"):
            assert (await admin.get(path)).status_code == 403, (user, path)
        made = await admin.post("/console/admin/orgs", {"csrf": csrf, "kind": "department", "name_zh": "假部门"})
        assert made.status_code == 403, user
        assert 'href="/console/admin"' not in (await admin.get("/console/")).text
    admin.client.cookies.clear()
    assert (await admin.get("/console/admin")).status_code == 303  # a guest is sent to sign in
    await admin.as_("ada")
    forged = await admin.post("/console/admin/orgs", {"kind": "department", "name_zh": "假部门"})
    assert forged.status_code == 403
    assert not [o for o in await admin.store.orgs.all(kind="department")]


async def test_an_appointed_department_officer_confirms_an_enterprises_declared_facts(admin: Admin) -> None:
    from world.profiles import EnterpriseProfile
    now = admin.clock.now()
    ink = await admin.store.profiles.create(EnterpriseProfile(
        name_zh="墨砚动画（测试）", name_en="Inkstone Animation (test)", credit_code="914403001922038216", founded=2015,
        employees=42, industry_codes=("8730",)), now=now)
    bureau = await admin.store.orgs.create("department", "区科信局（测试）", now=now)
    await admin.store.orgs.add_member(bureau, "vera", "officer", now)
    for user in ("olga", "pam", "gwen"):  # park staff confirm in their park console; a role alone is no department
        csrf = await admin.as_(user)
        refused = await admin.post(f"/console/government/enterprises/{ink}/confirm", {"csrf": csrf, "fact": "employees"})
        assert refused.status_code == 403, user
    csrf = await admin.as_("vera")
    found = await admin.get("/console/government/enterprises?q=9144%200300%201922%200382%2016")
    assert found.status_code == 200 and f'href="/console/government/enterprises/{ink}"' in found.text
    page = await admin.get(f"/console/government/enterprises/{ink}")
    assert page.text.count("Unverified") == 4  # credit code, industry, founded, employees
    done = await admin.post(f"/console/government/enterprises/{ink}/confirm", {"csrf": csrf, "fact": "employees"})
    assert done.status_code == 303
    verified = (await admin.store.profiles.get(ink)).verified["employees"]
    assert (verified.by, verified.org_id) == ("vera", bureau)
    shown = await admin.get(done.headers["location"], "zh")
    assert shown.text.count('name="fact" value="employees"') == 0 and "vera" in shown.text
    entry = (await admin.store.audit.page(limit=1))[0]
    assert (entry.actor, entry.action, entry.target, entry.detail) == (
        "vera", "department.confirm", f"org:{ink}", {"org": ink, "fact": "employees", "value": 42})
    empty = await admin.post(f"/console/government/enterprises/{ink}/confirm", {"csrf": csrf, "fact": "area_m2"})
    assert empty.status_code == 422 and "nothing to confirm" in empty.text
    bogus = await admin.post(f"/console/government/enterprises/{ink}/confirm", {"csrf": csrf, "fact": "name_zh"})
    assert bogus.status_code == 422 and "fact" in bogus.text
    forged = await admin.post(f"/console/government/enterprises/{ink}/confirm", {"fact": "founded"})
    assert forged.status_code == 403 and "founded" not in (await admin.store.profiles.get(ink)).verified


async def test_institution_people_have_their_console_and_its_admins_edit_its_profile(admin: Admin) -> None:
    csrf = await admin.as_("ada")
    made = await admin.post("/console/admin/orgs", {"csrf": csrf, "kind": "institution", "name_zh": "创新法律服务所（测试）",
                                                     "service_kinds": ["legal"], "park_id": "798-art-zone"})
    org_id = int(made.headers["location"].split("/")[-1].split("?")[0])
    for user, role in (("emil", "admin"), ("vera", "staff")):
        assert (await admin.post(f"/console/admin/orgs/{org_id}/members",
                                 {"csrf": csrf, "user": user, "role": role})).status_code == 303
    csrf = await admin.as_("emil")  # a member of Acme and the institution's admin: the landing offers both consoles
    landing = await admin.get("/console/")
    assert 'href="/console/institution"' in landing.text and 'href="/console/employee"' in landing.text
    home = await admin.get("/console/institution", "zh")
    assert home.status_code == 200 and "创新法律服务所（测试）" in home.text and "法律" in home.text
    assert f'href="/console/institution/{org_id}/profile"' in home.text and "<code>vera</code>" in home.text
    page = await admin.get(f"/console/institution/{org_id}/profile")
    assert page.status_code == 200 and 'name="service_kinds" value="legal" checked' in page.text
    assert 'name="founded"' not in page.text  # an institution has no enterprise facts
    bad = await admin.post(f"/console/institution/{org_id}/profile", {"csrf": csrf, "name_zh": "创新法律服务所（测试）",
                                                                      "credit_code": "91110000000000000X"})
    assert bad.status_code == 422
    # each field named (by its code, or by its label once problems are said in the person's language)
    assert "<code>service_kinds</code>" in bad.text or "<li>Services offered:" in bad.text
    assert "<code>credit_code</code>" in bad.text or "<li>Unified social credit code:" in bad.text
    good = await admin.post(f"/console/institution/{org_id}/profile", {
        "csrf": csrf, "name_zh": "创新法律服务所（测试）", "name_en": "Innovation Law Office (test)",
        "service_kinds": ["legal", "ip"], "offers": "合同审查\n商标注册", "contact_kind": ["email"],
        "contact_value": ["law@example.test"], "contact_visibility": ["public"]})
    assert good.status_code == 200 and "Saved" in good.text
    stored = await admin.store.profiles.get(org_id)
    assert (stored.name_en, stored.service_kinds, stored.offers, stored.park_id) == (
        "Innovation Law Office (test)", ("legal", "ip"), ("合同审查", "商标注册"), "798-art-zone")
    assert (await admin.store.audit.page(limit=1))[0].action == "org.profile"
    assert (await admin.get(f"/console/enterprise/{org_id}/profile")).status_code == 404  # not an enterprise
    await admin.as_("vera")  # staff: the console, not the profile editor
    assert (await admin.get("/console/")).status_code == 303  # straight to the one console
    assert (await admin.get("/console/institution")).status_code == 200
    assert (await admin.get(f"/console/institution/{org_id}/profile")).status_code == 403
    await admin.as_("olga")
    assert (await admin.get("/console/institution")).status_code == 403


async def test_the_government_overview_offers_the_facts_page_only_to_department_officers(admin: Admin) -> None:
    bureau = await admin.store.orgs.create("department", "区统计局（测试）", now=admin.clock.now())
    await admin.store.orgs.add_member(bureau, "vera", "officer", admin.clock.now())
    await admin.as_("vera")
    assert 'href="/console/government/enterprises"' in (await admin.get("/console/government")).text
    await admin.as_("gwen")  # the government role without a department: the overview, not the confirming
    overview = await admin.get("/console/government")
    assert overview.status_code == 200 and 'href="/console/government/enterprises"' not in overview.text
