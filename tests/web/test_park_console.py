"""The park console's services over the real app and store (both engines): a park
office admits, removes and confirms its enterprises, imports a tenant sheet (every
problem reported, nothing half-imported, oversize and broken files refused), runs
its staff and its booth slots, and reads its part of the audit log; each privileged
change is audit-logged, tells the enterprise through the inbox and the 3D park
through the bus."""

from __future__ import annotations

import html
import io
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from server.booths import assign
from server.bus import Hint, InProcessBus
from server.clock import ManualClock
from server.db import Store
from server.web.app import create_app
from server.web.texts import load_texts
from tests.server.conftest import database_url, pg_template  # noqa: F401 - the fixtures: a fresh database on each engine
from tests.web.conftest import web_config
from tests.web.people import PASSWORD, seed_people
from world.credit_code import generate
from world.profiles import EnterpriseProfile, InstitutionProfile
from world.tenants import MAX_ROWS

pytestmark = pytest.mark.anyio
PARK, OTHER = "798-art-zone", "751-d-park"
BASE = f"/console/park/{PARK}"
INK_CODE = "914403001922038216"
LAKE_CODE = "91330100716105852F"
ZH_HEADER = "统一社会信用代码,企业名称（中文）,企业名称（英文）,行业代码,成立年份,员工人数,租用面积（平方米）,联系方式,已登记时"


class RecordingBus(InProcessBus):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, Hint]] = []

    def publish(self, subject: str, hint: Hint) -> None:
        self.sent.append((subject, dict(hint)))
        super().publish(subject, hint)


@dataclass
class Office:
    client: httpx.AsyncClient
    store: Any
    bus: RecordingBus
    clock: ManualClock
    ink: int  # an enterprise with a profile, a tenant of no park; emil is its admin
    lake: int  # a tenant of another park
    langs: dict[str, str] = field(default_factory=dict)

    async def as_(self, user: str) -> str:
        """Sign ``user`` in; the CSRF token of the new session."""
        self.client.cookies.clear()
        csrf = (await self.client.get("/api/session")).json()["csrf"]
        signed = await self.client.post("/api/session", json={"user": user, "password": PASSWORD},
                                        headers={"X-CSRF-Token": csrf})
        assert signed.status_code == 200, signed.text
        return str((await self.client.get("/api/session")).json()["csrf"])

    async def upload(self, csrf: str, name: str, data: bytes, lang: str = "en") -> httpx.Response:
        return await self.client.post(f"{BASE}/import", data={"csrf": csrf}, files={"sheet": (name, data)},
                                      headers={"Accept-Language": lang})


@pytest.fixture
async def office(database_url: str, tmp_path: Path) -> AsyncIterator[Office]:  # noqa: F811
    cfg = web_config(tmp_path / "data")
    store = await Store.open(database_url)
    await seed_people(store, cfg.scrypt_n)
    clock = ManualClock()
    ink = await store.profiles.create(EnterpriseProfile(
        name_zh="墨砚动画（测试）", name_en="Inkstone Animation (test)", credit_code=INK_CODE, founded=2015,
        employees=42, industry_codes=("8730",)), now=clock.now())
    lake = await store.profiles.create(EnterpriseProfile(
        name_zh="湖畔传媒（测试）", name_en="Lakeside Media (test)", credit_code=LAKE_CODE, park_id=OTHER), now=clock.now())
    await store.orgs.add_member(ink, "emil", "admin", clock.now())
    bus = RecordingBus()
    app = create_app(cfg, store, bus, clock, texts=load_texts(strict=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://park.test") as client:
        yield Office(client, store, bus, clock, ink, lake)
    await app.state.web.online.close()
    await store.close()


def _problems(page: str) -> list[tuple[str, str, str]]:
    return [tuple(re.sub(r"<[^>]+>", "", c).strip() for c in row)  # type: ignore[misc]
            for row in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", page)]


async def _tenants(store: Any, park: str = PARK) -> list[str]:
    from server.db.directory import DirectoryQuery

    page = await store.directory.search(DirectoryQuery(park_id=park, limit=100))
    return sorted(h.name_zh or h.name_en for h in page.hits)


async def test_admitting_by_credit_code_tells_the_enterprise_and_is_audited(office: Office) -> None:
    csrf = await office.as_("pam")
    found = await office.client.get(f"{BASE}/enterprises", params={"find": "9144 0300 1922 0382 16"},
                                    headers={"Accept-Language": "en"})
    assert found.status_code == 200 and "Inkstone Animation (test)" in found.text and "a tenant of no park yet" in found.text
    admitted = await office.client.post(f"{BASE}/enterprises/admit", data={"csrf": csrf, "org": office.ink})
    assert admitted.status_code == 303
    listed = await office.client.get(admitted.headers["location"], headers={"Accept-Language": "en"})
    assert "its owners and admins were told" in listed.text and f"/enterprises/{office.ink}" in listed.text
    assert await _tenants(office.store) == ["墨砚动画（测试）"]
    profile = await office.store.profiles.get(office.ink)
    assert profile.park_id == PARK and profile.verified["park_id"].by == "pam"
    told = await office.store.inbox.page("emil")
    assert [(n.notice.title_key, n.notice.params["park_en"]) for n in told] == [("inbox.park_admitted.title",
                                                                                  "798 Art Zone")]
    entry = (await office.store.audit.page(limit=1))[0]
    assert (entry.actor, entry.action, entry.target) == ("pam", "park.admit", f"park:{PARK}/org:{office.ink}")
    again = await office.client.post(f"{BASE}/enterprises/admit", data={"csrf": csrf, "org": office.ink},
                                     headers={"Accept-Language": "en"})
    assert again.status_code == 409 and "is a tenant of this park already" in again.text


async def test_another_parks_tenant_is_found_by_name_but_not_taken(office: Office) -> None:
    csrf = await office.as_("pam")
    found = await office.client.get(f"{BASE}/enterprises", params={"find": "湖畔"}, headers={"Accept-Language": "zh"})
    assert "湖畔传媒（测试）" in found.text and "入驻于 751 D·PARK 北京时尚设计广场" in found.text
    assert f'name="org" value="{office.lake}"' not in found.text  # no admit button
    taken = await office.client.post(f"{BASE}/enterprises/admit", data={"csrf": csrf, "org": office.lake},
                                     headers={"Accept-Language": "en"})
    assert taken.status_code == 409 and "that park removes it first" in taken.text
    assert (await office.store.profiles.get(office.lake)).park_id == OTHER


async def test_removing_frees_the_booths_live_keeps_the_profile_and_tells_the_enterprise(office: Office) -> None:
    csrf = await office.as_("pam")
    await office.client.post(f"{BASE}/enterprises/admit", data={"csrf": csrf, "org": office.ink})
    await assign(office.store, office.bus, PARK, "b03", office.ink, office.clock.now())
    await assign(office.store, office.bus, OTHER, "b01", office.ink, office.clock.now())  # not this park's slot
    office.bus.sent.clear()
    unsure = await office.client.post(f"{BASE}/enterprises/{office.ink}/remove", data={"csrf": csrf},
                                      headers={"Accept-Language": "en"})
    assert unsure.status_code == 422 and "Tick the box" in unsure.text
    removed = await office.client.post(f"{BASE}/enterprises/{office.ink}/remove", data={"csrf": csrf, "sure": "true"})
    assert removed.status_code == 303
    assert (await office.store.booths.get(PARK, "b03")).owner_org is None
    assert (await office.store.booths.get(OTHER, "b01")).owner_org == office.ink
    assert ("booth.changed", {"park": PARK, "booth": "b03"}) in office.bus.sent
    profile = await office.store.profiles.get(office.ink)
    assert profile is not None and profile.park_id == "" and profile.name_zh == "墨砚动画（测试）"
    notes = await office.store.inbox.page("emil")
    assert notes[0].notice.title_key == "inbox.park_removed.title" and notes[0].notice.params["booths"] == 1
    actions = [(e.action, e.target) for e in await office.store.audit.page(limit=5)]
    assert ("park.remove", f"park:{PARK}/org:{office.ink}") in actions
    assert ("booth.assign", f"booth:{PARK}/b03") in actions
    gone = await office.client.get(f"{BASE}/enterprises/{office.ink}", headers={"Accept-Language": "en"})
    assert gone.status_code == 404 and "is not a tenant of this park" in gone.text


async def test_park_staff_confirm_the_facts_their_tenants_declared(office: Office) -> None:
    csrf = await office.as_("pam")
    await office.client.post(f"{BASE}/enterprises/admit", data={"csrf": csrf, "org": office.ink})
    page = await office.client.get(f"{BASE}/enterprises/{office.ink}", headers={"Accept-Language": "en"})
    assert page.text.count("Unverified") == 4  # credit code, industry, founded, employees; the park is confirmed
    done = await office.client.post(f"{BASE}/enterprises/{office.ink}/confirm", data={"csrf": csrf, "fact": "employees"})
    assert done.status_code == 303
    profile = await office.store.profiles.get(office.ink)
    assert profile.verified["employees"].by == "pam"
    empty = await office.client.post(f"{BASE}/enterprises/{office.ink}/confirm", data={"csrf": csrf, "fact": "area_m2"},
                                     headers={"Accept-Language": "en"})
    assert empty.status_code == 422 and "nothing to confirm" in empty.text
    bogus = await office.client.post(f"{BASE}/enterprises/{office.ink}/confirm", data={"csrf": csrf, "fact": "name_zh"})
    assert bogus.status_code == 422 and "fact" in bogus.text
    entry = (await office.store.audit.page(limit=1))[0]
    assert (entry.action, entry.detail) == ("park.confirm", {"org": office.ink, "fact": "employees", "value": 42})
    outsider = await office.client.post(f"/console/park/{OTHER}/enterprises/{office.lake}/confirm",
                                        data={"csrf": csrf, "fact": "credit_code"})
    assert outsider.status_code == 403


def _csv(*rows: str, header: str = ZH_HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode(encoding)


async def test_a_broken_sheet_writes_nothing_and_reports_every_problem_in_both_languages(office: Office) -> None:
    csrf = await office.as_("pam")
    fresh = generate(random.Random(11))
    sheet = _csv(f"{INK_CODE[:-1]}7,坏校验位,,,,,,,",  # row 2: bad check digit
                 f"{generate(random.Random(12))},,,,,,,,",  # row 3: no name
                 f"{generate(random.Random(13))},未来公司,,,2099,,,,",  # row 4: founded in the future
                 f"{fresh},新企业（测试）,,8730,2020,5,100,010-12345678,",  # row 5: good
                 f"{fresh},重复的（测试）,,,,,,,",  # row 6: the same code twice in the file
                 f"{INK_CODE},墨砚,,,,,,,")  # row 7: registered already, the sheet does not say admit
    reply = await office.upload(csrf, "tenants.csv", sheet, "en")
    assert reply.status_code == 422
    found = _problems(reply.text)
    assert ("2", "Credit code", "The check character is “7” but the first 17 characters give “6” (a typo somewhere?).") in found
    assert ("3", "Name (Chinese)", "Give the Chinese name or the English name.") in found
    assert ("4", "Founded", "2099 is not a year between 1800 and 2026 (not after this year).") in found
    assert ("6", "Credit code", f"Credit code {fresh} is on row 5 already.") in found
    assert "Nothing from tenants.csv was imported" in reply.text
    assert await office.store.profiles.by_credit_code(fresh) is None
    assert await _tenants(office.store) == []
    zh = await office.upload(csrf, "tenants.csv", sheet, "zh")
    assert ("4", "成立年份", "2099 不在 1800 到 2026 年之间（不能晚于今年）。") in _problems(zh.text)
    # the file's own problems fixed, the database's remain: the registered code is reported, still nothing written
    only_db = await office.upload(csrf, "tenants.csv", _csv(f"{fresh},新企业（测试）,,,,,,,", f"{INK_CODE},墨砚,,,,,,,"))
    assert only_db.status_code == 422
    assert _problems(only_db.text) == [("3", "Credit code", f"An enterprise with credit code {INK_CODE} is registered "
                                        "already. To admit it, write “admit” in the “If registered” column.")]
    assert await office.store.profiles.by_credit_code(fresh) is None


async def test_a_good_sheet_is_imported_whole_admitting_what_it_says_to(office: Office) -> None:
    csrf = await office.as_("pam")
    rng = random.Random(21)
    codes = [generate(rng) for _ in range(3)]
    sheet = _csv(f"{codes[0]},甲文化（测试）,Jia Culture (test),\"8730,6572\",2018,12,300.5,jia@example.com,",
                 f"{codes[1]},乙设计（测试）,,R,,,,,", f"{codes[2]},,Bing Studio (test),,,,,,",
                 f"{INK_CODE},墨砚,,,,,,,接收", encoding="gb18030")  # Chinese Excel's CSV is GBK
    reply = await office.upload(csrf, "园区企业.csv", sheet, "en")
    assert reply.status_code == 200, _problems(reply.text)
    assert "3 new enterprise(s) created, 1 registered one(s) admitted" in reply.text
    names = await _tenants(office.store)
    assert set(names) == {"甲文化（测试）", "乙设计（测试）", "Bing Studio (test)", "墨砚动画（测试）"}
    jia = await office.store.profiles.get(await office.store.profiles.by_credit_code(codes[0]))
    assert (jia.industry_codes, jia.founded, jia.employees, jia.area_m2) == (("8730", "6572"), 2018, 12, 300.5)
    assert [(c.kind, c.value) for c in jia.contacts] == [("email", "jia@example.com")]
    entry = (await office.store.audit.page(limit=1))[0]
    assert entry.action == "park.import" and entry.detail["created"] == 3 and entry.detail["admitted"] == 1
    again = await office.upload(csrf, "园区企业.csv", sheet, "en")  # the same sheet twice: reported, not doubled
    assert again.status_code == 422 and len(_problems(again.text)) == 3


async def test_the_templates_speak_the_persons_language_and_import_as_they_are_filled(office: Office) -> None:
    csrf = await office.as_("pam")
    zh = await office.client.get(f"{BASE}/import/template.csv", headers={"Accept-Language": "zh"})
    assert zh.status_code == 200 and zh.content.decode("utf-8-sig").strip() == ZH_HEADER
    en = await office.client.get(f"{BASE}/import/template.xlsx", headers={"Accept-Language": "en"})
    book = load_workbook(io.BytesIO(en.content))
    header = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert header[:3] == ["Credit code", "Name (Chinese)", "Name (English)"]
    assert book.active["A2"].number_format == "@"  # codes stay text
    sheet = book.active
    code = generate(random.Random(31))
    sheet.append([code, "模板企业（测试）", "Template Co (test)", "8730", 2019, 7, 55, "+86 10 1234 5678", ""])
    out = io.BytesIO()
    book.save(out)
    reply = await office.upload(csrf, "filled.xlsx", out.getvalue(), "en")
    assert reply.status_code == 200 and "1 new enterprise(s) created" in reply.text
    assert await office.store.profiles.by_credit_code(code) is not None


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_broken_files_are_refused_with_a_precise_reason(office: Office) -> None:
    csrf = await office.as_("pam")
    formula = _xlsx([["Credit code", "Name (Chinese)", "Employees"], [INK_CODE[:-1] + "6", "公式", "#DIV/0!"]])
    reply = await office.upload(csrf, "formula.xlsx", formula)
    assert reply.status_code == 422 and ("2", "Employees", "The cell holds a formula error, #DIV/0!.") in _problems(reply.text)
    cases = [
        ("empty.csv", b"", "The file is empty."),
        ("blank.csv", b"\xef\xbb\xbf\r\n  \r\n", "The file is empty."),
        ("header-only.csv", _csv(), "There are no rows under the header."),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old Excel (.xls) file"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "Not a spreadsheet this page reads (.png)"),
        ("broken.xlsx", b"PK\x03\x04" + bytes(300), "The XLSX file is damaged"),
        ("latin.csv", b"credit_code,name_zh\n\xff\xfe\xfa,\x80\x80\n", "neither UTF-8 nor GB18030"),
        ("nul.csv", b"credit_code,name_zh\n\x00\x01", "Not a spreadsheet this page reads (binary)"),
    ]
    for name, data, words in cases:
        reply = await office.upload(csrf, name, data)
        assert reply.status_code == 422 and words in reply.text, (name, reply.status_code, reply.text[-600:])
    assert await _tenants(office.store) == []


async def test_oversize_sheets_are_refused_with_413_and_a_clear_page(office: Office) -> None:
    csrf = await office.as_("pam")
    huge = await office.upload(csrf, "huge.csv", b"x" * (10 * 1024 * 1024), "en")  # Content-Length says so at once
    assert huge.status_code == 413 and "over 2 MiB and was refused" in huge.text and 'lang="en"' in huge.text
    just_over = await office.upload(csrf, "over.csv", b"a,b\n" + b"x" * (2 * 1024 * 1024), "zh")  # inside the body limit
    assert just_over.status_code == 413 and "文件超过 2 MiB" in just_over.text

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        boundary = b"--cut\r\nContent-Disposition: form-data; name=\"sheet\"; filename=\"s.csv\"\r\n\r\n"
        yield boundary
        for _ in range(40):
            yield b"y" * (256 * 1024)
    stream = await office.client.post(f"{BASE}/import", content=streamed(),
                                      headers={"content-type": "multipart/form-data; boundary=cut",
                                               "X-CSRF-Token": csrf, "Accept-Language": "en"})
    assert stream.status_code == 413 and "over 2 MiB" in stream.text
    elsewhere = await office.client.post("/api/session", content=b"x" * (200 * 1024))  # other routes keep 64 KiB
    assert elsewhere.status_code == 413 and elsewhere.json()["detail"].startswith("request body too large")


async def test_too_many_rows_are_refused_naming_the_limit(office: Office) -> None:
    csrf = await office.as_("pam")
    rng = random.Random(41)
    rows = [f"{generate(rng)},企业{i}" for i in range(MAX_ROWS + 1)]
    reply = await office.upload(csrf, "many.csv", _csv(*rows, header="credit_code,name_zh"))
    assert reply.status_code == 422
    assert _problems(reply.text) == [(str(MAX_ROWS + 2), "", f"More than {MAX_ROWS} rows: split the sheet and "
                                      "import the parts.")]


async def test_staff_are_managed_by_staff_and_the_world_hears_of_it(office: Office) -> None:
    csrf = await office.as_("pam")
    added = await office.client.post(f"{BASE}/staff", data={"csrf": csrf, "user": "emil"})
    assert added.status_code == 303
    assert ("account.changed", {"user": "emil"}) in office.bus.sent
    page = await office.client.get(f"{BASE}/staff", headers={"Accept-Language": "en"})
    assert "<code>emil</code>" in page.text and "<code>pam</code>" in page.text
    unknown = await office.client.post(f"{BASE}/staff", data={"csrf": csrf, "user": "nobody"},
                                       headers={"Accept-Language": "en"})
    assert unknown.status_code == 404 and "There is no account named nobody" in unknown.text
    emil = await office.as_("emil")  # emil works for the park now
    assert (await office.client.get(f"{BASE}/booths")).status_code == 200
    removed = await office.client.post(f"{BASE}/staff/pam/remove", data={"csrf": emil})
    assert removed.status_code == 303
    last = await office.client.post(f"{BASE}/staff/emil/remove", data={"csrf": emil}, headers={"Accept-Language": "en"})
    assert last.status_code == 409 and "last staff member" in last.text
    ada = await office.as_("ada")  # a platform admin may remove anyone, even the last
    assert (await office.client.post(f"{BASE}/staff/emil/remove", data={"csrf": ada})).status_code == 303
    actions = [(e.actor, e.action, e.target) for e in await office.store.audit.page(limit=3)]
    assert actions == [("ada", "park.staff_remove", f"park:{PARK}/staff:emil"),
                       ("emil", "park.staff_remove", f"park:{PARK}/staff:pam"),
                       ("pam", "park.staff_add", f"park:{PARK}/staff:emil")]


async def test_booth_slots_go_to_the_parks_own_enterprises_and_a_stale_form_is_refused(office: Office) -> None:
    csrf = await office.as_("pam")
    await office.client.post(f"{BASE}/enterprises/admit", data={"csrf": csrf, "org": office.ink})
    listing = await office.client.get(f"{BASE}/booths", headers={"Accept-Language": "en"})
    assert listing.text.count(f'href="{BASE}/booths/b') == 16
    slot = await office.client.get(f"{BASE}/booths/b05", headers={"Accept-Language": "en"})
    assert "Inkstone Animation (test)" in slot.text
    office.bus.sent.clear()
    given = await office.client.post(f"{BASE}/booths/b05", data={"csrf": csrf, "org": office.ink, "was": ""})
    assert given.status_code == 303
    assert (await office.store.booths.get(PARK, "b05")).owner_org == office.ink
    assert office.bus.sent == [("booth.changed", {"park": PARK, "booth": "b05"})]
    entry = (await office.store.audit.page(limit=1))[0]
    assert (entry.actor, entry.action, entry.target) == ("pam", "booth.assign", f"booth:{PARK}/b05")
    stale = await office.client.post(f"{BASE}/booths/b05", data={"csrf": csrf, "org": "", "was": ""},
                                     headers={"Accept-Language": "en"})
    assert stale.status_code == 409 and "it is now held by 墨砚动画（测试）" in stale.text
    assert (await office.store.booths.get(PARK, "b05")).owner_org == office.ink
    stranger = await office.client.post(f"{BASE}/booths/b06", data={"csrf": csrf, "org": office.lake, "was": ""},
                                        headers={"Accept-Language": "en"})
    assert stranger.status_code == 422 and "slots go to the park's own enterprises" in html.unescape(stranger.text)
    # an institution in the park is no enterprise: refused in the person's language, nothing assigned
    lab = await office.store.profiles.create(InstitutionProfile(name_zh="园区法律服务站（测试）", service_kinds=("legal",),
                                                                park_id=PARK), now=office.clock.now())
    for lang, words in (("en", f"Cannot assign: 园区法律服务站（测试） (organization {lab}) is a service institution: "
                               "booths go to enterprises."),
                        ("zh", f"无法分配：园区法律服务站（测试）（组织 {lab}）是服务机构：展位只分配给企业。")):
        odd = await office.client.post(f"{BASE}/booths/b07", data={"csrf": csrf, "org": lab, "was": ""},
                                       headers={"Accept-Language": lang})
        assert odd.status_code == 422 and words in html.unescape(odd.text), lang
    assert "booths go to enterprises" not in odd.text  # the zh page: no English sentence
    untouched = await office.store.booths.get(PARK, "b07")
    assert untouched is None or untouched.owner_org is None
    freed = await office.client.post(f"{BASE}/booths/b05", data={"csrf": csrf, "org": "", "was": office.ink})
    assert freed.status_code == 303 and (await office.store.booths.get(PARK, "b05")).owner_org is None
    nowhere = await office.client.get(f"{BASE}/booths/b99")
    assert nowhere.status_code == 404


async def test_the_audit_log_shows_each_reader_their_part(office: Office) -> None:
    csrf = await office.as_("pam")
    await office.client.post(f"{BASE}/enterprises/admit", data={"csrf": csrf, "org": office.ink})
    await office.store.audit.add("oz", "park.admit", f"park:{OTHER}/org:{office.lake}", {}, now=office.clock.now())
    await office.store.audit.add("oz", "park.admit", f"park:{PARK}-annex/org:9", {}, now=office.clock.now())
    for i in range(60):
        await assign(office.store, office.bus, PARK, f"b{1 + i % 16:02d}", None, office.clock.now(), actor="cli:ops")
    mine = await office.client.get(f"{BASE}/audit", headers={"Accept-Language": "en"})
    assert mine.status_code == 200 and "Times in Asia/Shanghai" in mine.text
    assert mine.text.count("<code>booth.assign</code>") == 50 and "park.admit" not in mine.text  # newest 50 first
    older = re.search(r'href="([^"]*before=\d+)"', mine.text)
    assert older is not None
    rest = await office.client.get(older.group(1).replace("&amp;", "&"))
    assert rest.text.count("<code>booth.assign</code>") == 10 and rest.text.count("<code>park.admit</code>") == 1
    assert f"park:{OTHER}/" not in rest.text and f"{PARK}-annex" not in rest.text
    only = await office.client.get(f"{BASE}/audit", params={"target": f"park:{PARK}/org:{office.ink}"})
    assert only.text.count("<code>park.admit</code>") == 1 and "booth.assign" not in only.text
    assert (await office.client.get("/console/audit")).status_code == 403
    assert (await office.client.get(f"/console/park/{OTHER}/audit")).status_code == 403
    await office.as_("gwen")
    whole = await office.client.get("/console/audit", params={"target": f"park:{OTHER}/org:{office.lake}"})
    assert whole.status_code == 200 and whole.text.count("<code>park.admit</code>") == 1
    assert "<form method=\"post\"" not in whole.text  # read-only
    await office.as_("ada")
    assert (await office.client.get("/console/audit")).status_code == 200


async def test_the_wrong_role_gets_the_clear_403_page_and_forms_need_csrf(office: Office) -> None:
    await office.as_("olga")
    for path in ("/enterprises", "/import", "/staff", "/booths", "/audit", "/import/template.csv"):
        refused = await office.client.get(BASE + path, headers={"Accept-Language": "en"})
        assert refused.status_code == 403 and "Olga Owner" in refused.text, path
    page = await office.client.get(f"{BASE}/enterprises", headers={"Accept-Language": "en"})
    assert "run by that park's staff" in html.unescape(page.text)
    csrf = await office.as_("pam")
    assert (await office.client.post(f"{BASE}/enterprises/admit", data={"org": office.ink})).status_code == 403
    assert (await office.client.post(f"{BASE}/staff", data={"user": "emil"})).status_code == 403
    no_csrf = await office.client.post(f"{BASE}/import", files={"sheet": ("a.csv", _csv(f"{INK_CODE},x,,,,,,,"))})
    assert no_csrf.status_code == 403
    assert (await office.client.post(f"/console/park/{OTHER}/staff", data={"csrf": csrf, "user": "emil"})).status_code == 403
    office.client.cookies.clear()
    guest = await office.client.get(f"{BASE}/enterprises")
    assert guest.status_code == 303 and guest.headers["location"].startswith("/signin?next=")
