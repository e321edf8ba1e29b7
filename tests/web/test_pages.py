"""Every page renders in both languages from the catalogue alone: the app runs with a
strict catalogue (a missing key raises, so the page answers 500), and the templates
hold no interface text of their own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.accounts import Accounts
from server.db.inbox import Notice
from server.web.app import HERE
from tests.web.conftest import AppUnderTest
from tests.web.people import PASSWORD, PEOPLE
from world.profiles import EnterpriseProfile, InstitutionProfile

pytestmark = pytest.mark.anyio
LANG_TAG = {"zh": 'lang="zh-CN"', "en": 'lang="en"'}
CONSOLES = ("government", "park", "enterprise", "employee", "institution")
ADMIN_PAGES = ("/console/admin", "/console/admin?kind=institution", "/console/admin?kind=department&after=1",
               "/console/admin/organizers", "/console/government/enterprises",
               "/console/government/enterprises?q=%E5%A2%A8")
CATALOGUE_PAGES = ("/console/park/catalogue/798-art-zone", "/console/park/new", "/console/park/proposals")
PARK_OFFICE_PAGES = tuple(f"/console/park/798-art-zone/{p}" for p in (
    "enterprises", "enterprises?find=%E5%A2%A8", "enterprises?q=x&offset=20", "import", "staff", "booths",
    "booths/b01", "audit", "audit?before=5", "calendar", "calendar?view=week&day=2026-03-29")) + ("/console/audit",)
ACCOUNT_PAGES = ("/console/inbox", "/console/inbox?unread=true", "/console/signin-code", "/console/policy-topics")  # everyone signed in


async def _get(web: AppUnderTest, path: str, lang: str) -> tuple[int, str]:
    reply = await web.client.get(path, headers={"Accept-Language": lang})
    assert reply.status_code < 500, (path, lang, reply.text[-400:])
    assert reply.status_code == 303 or LANG_TAG[lang] in reply.text, (path, lang)
    return reply.status_code, reply.text


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_page_renders_in_both_languages_for_every_role(web: AppUnderTest, lang: str) -> None:
    assert (await _get(web, "/", lang))[0] == 200
    assert (await _get(web, "/signin", lang))[0] == 200
    assert (await _get(web, "/directory?q=a", lang))[0] == 200
    assert (await _get(web, "/no/such/page", lang))[0] == 404
    csrf = await web.csrf()
    bad = await web.client.post("/signin", data={"user": "x", "password": "y"}, headers={"Accept-Language": lang})
    assert bad.status_code == 403 and LANG_TAG[lang] in bad.text
    wrong = await web.client.post("/signin", data={"user": "olga", "password": "wrong one", "csrf": csrf},
                                  headers={"Accept-Language": lang})
    assert wrong.status_code == 401 and LANG_TAG[lang] in wrong.text
    await web.store.inbox.send(list(PEOPLE), Notice("account", "notice.code_used.title", "notice.code_used.body",
                                                    link="/signout"), now=1.0)
    acme = (await web.store.orgs.named("Acme Design (test)"))[0].id
    own = [f"/console/enterprise/{acme}/{tab}" for tab in ("profile", "people", "stats")]
    tenant = await web.store.profiles.create(EnterpriseProfile(name_zh="墨砚（测试）", credit_code="914403001922038216",
                                                               park_id="798-art-zone", founded=2015), now=web.clock.now())
    own.append(f"/console/park/798-art-zone/enterprises/{tenant}")
    own.append(f"/console/government/enterprises/{tenant}")
    for path in (f"/directory/{tenant}", "/directory/999999"):
        assert (await _get(web, path, lang))[0] == (200 if "999999" not in path else 404), path
    law = await web.store.profiles.create(InstitutionProfile(name_zh="律所（测试）", service_kinds=("legal",),
                                                             park_id="798-art-zone"), now=web.clock.now())
    await Accounts(web.store, scrypt_n=web.config.scrypt_n).create("ina", PASSWORD, "Ina Institution", "visitor", now=1.0)
    await web.store.orgs.add_member(law, "ina", "admin", 1.0)
    bureau = await web.store.orgs.create("department", "区文旅局（测试）", now=1.0)
    await web.store.orgs.add_member(bureau, "gwen", "officer", 1.0)
    own += [f"/console/institution/{law}/profile", f"/console/admin/orgs/{law}", f"/console/admin/orgs/{bureau}"]
    for path in ("/join", "/join?code=ABC", "/reset", "/reset?token=x"):
        assert (await _get(web, path, lang))[0] == 200, path
    consoles, public = await policy_pages(web)
    own += consoles
    for path in public:
        assert (await _get(web, path, lang))[0] == 200, path
    shown: dict[str, set[str]] = {}  # page -> the users it rendered (200) for
    for user in (*PEOPLE, "dora", "ina"):
        web.client.cookies.clear()
        await web.sign_in(user)
        for path in ("/", "/signout", "/console/", *(f"/console/{c}" for c in CONSOLES), *ACCOUNT_PAGES,
                     *CATALOGUE_PAGES, *PARK_OFFICE_PAGES, *ADMIN_PAGES, *own, "/console/reset", "/join"):
            status, _ = await _get(web, path, lang)
            assert status in (200, 303, 403), (user, path, status)
            shown.setdefault(path, set())
            if status == 200:
                shown[path].add(user)
    never = sorted(path for path, users in shown.items() if not users)
    assert never == [], f"pages no role ever saw rendered: {never}"
    assert shown["/console/institution"] == {"ada", "ina"} and shown["/console/admin"] == {"ada"}


async def policy_pages(web: AppUnderTest) -> tuple[list[str], list[str]]:
    """The policy pages (publishing, the enterprise's verdict and applications, review),
    with a policy, its matches and one application to show."""
    from server.policies.applications import ApplicationService, Incoming
    from server.uploads import local
    from tests.server.test_uploads import pdf_bytes
    from tests.web.policy_people import match_now, seed_policy_world
    w = await seed_policy_world(web.store, web.config.scrypt_n)
    await match_now(web.store, w.policy, (w.acme, w.zeta))
    service = ApplicationService(web.store, _NoBus(), local(web.config.data_dir), web.clock)
    app = await service.apply("olga", w.policy, w.acme, claimed=None, files=[Incoming("lease", "a.pdf", pdf_bytes())])
    ent = f"/console/enterprise/{w.acme}"
    return [f"{ent}/policies", f"{ent}/policies/{w.policy}", f"{ent}/applications", f"{ent}/applications/{app.id}",
            "/console/government/policies", "/console/government/policies/new",
            f"/console/government/policies/{w.policy}/edit", "/console/government/applications",
            "/console/government/applications?state=submitted", f"/console/government/applications/{app.id}"], [
        "/policies", "/policies?q=%E6%88%BF%E7%A7%9F&open=true&level=district", f"/policies/{w.policy}"]


class _NoBus:
    def publish(self, subject: str, hint: object) -> None:
        pass


async def test_the_two_languages_really_differ_on_the_page(web: AppUnderTest) -> None:
    _, zh = await _get(web, "/", "zh")
    _, en = await _get(web, "/", "en")
    assert "园区" in zh and "798艺术区" in zh
    assert "Parks" in en and "798 Art Zone" in en


def _interface_text(template: str) -> str:
    """What a template would show of its own: everything outside Jinja and tags."""
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", template, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    return re.sub(r"&[a-z]+;|[·:()\s]", " ", text).strip()


def test_templates_have_no_interface_text_outside_the_catalogue() -> None:
    for path in sorted(Path(HERE / "templates").glob("*.html")):
        left = _interface_text(path.read_text(encoding="utf-8"))
        assert not re.search(r"[A-Za-z\u4e00-\u9fff]", left), f"{path.name}: {left[:120]!r}"
