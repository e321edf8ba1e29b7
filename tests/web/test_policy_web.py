"""Policies and applications on the web: the enterprise sees its verdict with a reason
per clause and the amount's arithmetic, applies with materials checked by content, the
officer of the issuing department reviews; nobody sees another's applications."""

from __future__ import annotations

import re

import pytest

from tests.server.test_uploads import pdf_bytes, png_bytes
from tests.web.conftest import AppUnderTest
from tests.web.policy_people import match_now, seed_policy_world

pytestmark = pytest.mark.anyio
PDF = ("租赁合同.pdf", pdf_bytes(), "application/pdf")


async def world(web: AppUnderTest):  # type: ignore[no-untyped-def]
    w = await seed_policy_world(web.store, web.config.scrypt_n)
    await match_now(web.store, w.policy, (w.acme, w.zeta))
    return w


async def post_files(web: AppUnderTest, path: str, data: dict[str, str], files: list[tuple[str, tuple[str, bytes, str]]],
                     lang: str = "en"):  # type: ignore[no-untyped-def]
    return await web.client.post(path, data={"csrf": await web.csrf(), **data}, files=files,
                                 headers={"Accept-Language": lang})


async def test_the_enterprise_sees_why_and_how_much(web: AppUnderTest) -> None:
    w = await world(web)
    await web.sign_in("olga")
    listing = await web.client.get(f"/console/enterprise/{w.acme}/policies", headers={"Accept-Language": "en"})
    assert listing.status_code == 200 and "Rent subsidy for cultural enterprises (test)" in listing.text
    assert "up to 180,000 yuan" in listing.text
    page = await web.client.get(f"/console/enterprise/{w.acme}/policies/{w.policy}", headers={"Accept-Language": "en"})
    text = re.sub(r"\s+", " ", page.text)
    assert "Employees 35: must be within 10–200 people" in text
    assert "Years since founding 7: must be at most 15 years" in text
    assert "Base: a year&#39;s rent = Rented area 240 × 1,500 = 360,000 yuan" in text
    assert "At 50 %: 180,000 yuan" in text and "Within the cap of 500,000 yuan: 180,000 yuan" in text
    zh = await web.client.get(f"/console/enterprise/{w.acme}/policies/{w.policy}", headers={"Accept-Language": "zh"})
    assert "员工人数 35：须在 10–200 人 之间" in re.sub(r"\s+", " ", zh.text)


async def test_a_possibly_eligible_enterprise_sees_the_missing_fact(web: AppUnderTest) -> None:
    w = await world(web)
    await web.sign_in("zoe")
    page = await web.client.get(f"/console/enterprise/{w.zeta}/policies/{w.policy}", headers={"Accept-Language": "en"})
    text = re.sub(r"\s+", " ", page.text)
    assert "Possibly eligible" in text and "Employees not declared: must be within 10–200 people" in text
    assert "Cannot be computed: Rented area not declared" in text


async def test_apply_ask_for_more_resubmit_approve(web: AppUnderTest) -> None:
    w = await world(web)
    await web.sign_in("olga")
    base = f"/console/enterprise/{w.acme}"
    refused = await post_files(web, f"{base}/policies/{w.policy}/apply", {"claimed": ""},
                               [("file.lease", ("lease.pdf", png_bytes(), "application/pdf"))])
    assert refused.status_code == 422
    assert "Lease contract: the file lease.pdf is named .pdf but its content is PNG." in refused.text
    missing = await post_files(web, f"{base}/policies/{w.policy}/apply", {"claimed": "100000"}, [])
    assert missing.status_code == 422 and "A required material is missing: Lease contract." in missing.text
    sent = await post_files(web, f"{base}/policies/{w.policy}/apply", {"claimed": "180,000"}, [("file.lease", PDF)])
    assert sent.status_code == 303, sent.text
    app_url = sent.headers["location"].split("?")[0]
    app_id = int(app_url.rsplit("/", 1)[1])
    mine = await web.client.get(app_url)
    assert "租赁合同.pdf" in mine.text and 'id="application-state">已提交' in mine.text or "Submitted" in mine.text
    file_url = re.search(rf'href="({app_url}/files/\d+)"', mine.text).group(1)  # type: ignore[union-attr]
    got = await web.client.get(file_url)
    assert got.content == PDF[1] and got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment")
    # the officer of the issuing bureau reviews; another bureau's officer is refused
    web.client.cookies.clear()
    await web.sign_in("otto")
    assert (await web.client.get(f"/console/government/applications/{app_id}")).status_code == 403
    assert (await web.client.get(f"/console/government/applications/{app_id}/files/1")).status_code == 403
    assert "艾克美" not in (await web.client.get("/console/government/applications")).text
    web.client.cookies.clear()
    await web.sign_in("dora")
    queue = await web.client.get("/console/government/applications", headers={"Accept-Language": "en"})
    assert f"/console/government/applications/{app_id}" in queue.text
    review = f"/console/government/applications/{app_id}"
    assert (await web.client.get(f"{review}/files/{file_url.rsplit('/', 1)[1]}")).content == PDF[1]
    csrf = await web.csrf()
    for data in ({"step": "start_review"}, {"step": "ask_more", "note": "请补充场地照片"}):
        moved = await web.client.post(f"{review}/step", data={"csrf": csrf, **data})
        assert moved.status_code == 303, moved.text
    early = await web.client.post(f"{review}/step", data={"csrf": csrf, "step": "approve", "amount": "1"},
                                  headers={"Accept-Language": "en"})
    assert early.status_code == 409 and "cannot be taken while the application is more_info" in early.text
    # the enterprise was told, with the officer's note, and sends the photo
    web.client.cookies.clear()
    await web.sign_in("olga")
    inbox = await web.client.get("/api/inbox")
    assert inbox.json()["items"][0]["body"].endswith("请补充场地照片")
    disguised = await post_files(web, f"{app_url}/step", {"step": "resubmit"},
                                 [("file.photos", ("site.png", pdf_bytes(), "image/png"))])
    assert disguised.status_code == 422 and "named .png but its content is PDF" in disguised.text
    ok = await post_files(web, f"{app_url}/step", {"step": "resubmit"},
                          [("file.photos", ("site.png", png_bytes(), "image/png"))])
    assert ok.status_code == 303, ok.text
    web.client.cookies.clear()
    await web.sign_in("dora")
    csrf = await web.csrf()
    await web.client.post(f"{review}/step", data={"csrf": csrf, "step": "start_review"})
    over = await web.client.post(f"{review}/step", data={"csrf": csrf, "step": "approve", "amount": "200000"},
                                 headers={"Accept-Language": "en"})
    assert over.status_code == 422 and "may not exceed the amount claimed (180,000 yuan)" in over.text
    done = await web.client.post(f"{review}/step", data={"csrf": csrf, "step": "approve", "amount": "150000"})
    assert done.status_code == 303
    audit = await web.store.audit.page(target=f"application:{app_id}")
    assert [e.action for e in audit][0] == "application.approve" and audit[0].actor == "dora"
    # another enterprise never sees it
    web.client.cookies.clear()
    await web.sign_in("zoe")
    assert (await web.client.get(f"/console/enterprise/{w.zeta}/applications/{app_id}")).status_code == 404
    assert (await web.client.get(f"/console/enterprise/{w.acme}/applications/{app_id}")).status_code == 403
    assert (await web.client.get(f"{app_url}/files/1")).status_code == 403


async def test_the_public_search_and_policy_page(web: AppUnderTest) -> None:
    w = await world(web)
    found = await web.client.get("/policies", params={"q": "房租补贴"}, headers={"Accept-Language": "zh"})
    assert found.status_code == 200 and f"/policies/{w.policy}" in found.text
    en = await web.client.get("/api/policies", params={"q": "rent subsidy", "open": "true"})
    assert [p["id"] for p in en.json()["policies"]] == [w.policy]
    bad = await web.client.get("/api/policies", params={"level": "galactic"})
    assert bad.status_code == 422 and "level" in bad.json()["message"]
    page = await web.client.get(f"/policies/{w.policy}", headers={"Accept-Language": "en"})
    assert "50 % of a year&#39;s rent, at most 500,000 yuan" in page.text
    assert "Employees: must be within 10–200 people" in re.sub(r"\s+", " ", page.text)


async def test_uploads_over_the_limit_get_a_413_page(web: AppUnderTest) -> None:
    w = await world(web)
    await web.sign_in("olga")
    big = b"%PDF-1.4\n" + b"0" * (31 * 1024 * 1024)
    reply = await post_files(web, f"/console/enterprise/{w.acme}/policies/{w.policy}/apply", {},
                             [("file.lease", ("big.pdf", big, "application/pdf"))])
    assert reply.status_code == 413 and "30 MiB" in reply.text


def publish_form(csrf: str, issuer: int, **over: str) -> dict[str, str]:
    form = {"csrf": csrf, "issuer_org": str(issuer), "title_zh": "小微文化企业房租补贴", "title_en": "Rent subsidy for small cultural firms",
            "issuer": "朝阳区文化和旅游局（测试）", "level": "district", "summary_en": "Half a year's rent.",
            "body_zh": "第一条 补贴标准为年租金的百分之五十。", "apply_from": "2025-12-01", "apply_to": "2026-06-30",
            "topics": "rent", "combine": "all",
            "cond.0.field": "employees", "cond.0.min": "10", "cond.0.max": "200",
            "cond.1.field": "age_years", "cond.1.max": "15",
            "benefit.type": "percent", "benefit.field": "area_m2", "benefit.per_unit": "1500", "benefit.percent": "50",
            "benefit.cap": "500000", "benefit.base_zh": "年租金", "benefit.base_en": "a year's rent",
            "mat.0.key": "lease", "mat.0.name_zh": "租赁合同", "mat.0.name_en": "Lease contract", "mat.0.required": "1",
            "mat.0.kind.pdf": "1"}
    form.update(over)
    return {k: v for k, v in form.items() if v != "-"}


async def test_officers_publish_with_the_rule_builder_and_bad_input_is_named(web: AppUnderTest) -> None:
    w = await world(web)
    await web.sign_in("dora")
    csrf = await web.csrf()
    assert (await web.client.get("/console/government/policies/new")).status_code == 200
    path = "/console/government/policies/new"
    for over, field, words in (
            ({"cond.0.field": "shoe_size"}, "cond.0", "'shoe_size' is not a profile field"),
            ({"apply_to": "2025-11-01"}, "apply_to", "before the window"),
            ({"benefit.cap": ""}, "benefit.cap", "needs a cap"),
            ({"cond.0.min": "300"}, "cond.0", "above the maximum"),
            ({"cond.0.min": "ten"}, "cond.0.min", "is not a number"),
            ({"mat.0.key": "Lease Contract"}, "mat.0", "lowercase")):
        reply = await web.client.post(path, data=publish_form(csrf, w.bureau, **over), headers={"Accept-Language": "en"})
        assert reply.status_code == 422, over
        assert f'data-field="{field}"' in reply.text and words in reply.text.replace("&#39;", "'"), (over, field)
    before = len(await web.store.policies.of_issuer(w.bureau))
    assert before == 1  # nothing half-written
    elsewhere = await web.client.post(path, data=publish_form(csrf, 999_999))
    assert elsewhere.status_code == 403
    more = await web.client.post(path, data=publish_form(csrf, w.bureau, more="cond"))
    assert more.status_code == 200 and 'name="cond.2.field"' in more.text
    done = await web.client.post(path, data=publish_form(csrf, w.bureau))
    assert done.status_code == 303, done.text
    new = [p for p in await web.store.policies.of_issuer(w.bureau) if p.id != w.policy][0]
    assert new.current.spec.benefit.cap == 500000 and new.state == "published"
    told = await web.store.inbox.page("olga")
    assert any(n.notice.link == f"/policies/{new.id}" for n in told)
    edit = await web.client.get(f"/console/government/policies/{new.id}/edit")
    assert 'value="lease"' in edit.text and 'value="1500"' in edit.text
    web.client.cookies.clear()
    await web.sign_in("otto")
    assert (await web.client.get(f"/console/government/policies/{new.id}/edit")).status_code == 403


async def test_the_form_says_its_refusals_in_the_persons_language_by_the_fields_label(web: AppUnderTest) -> None:
    """Chinese and English pages name each problem by the field's label and say it in
    their language: no raw field paths, no English rule text on the Chinese page."""
    w = await world(web)
    await web.sign_in("dora")
    csrf = await web.csrf()
    path = "/console/government/policies/new"
    cases = (  # (bad values, form field, Chinese line, English line)
        ({"cond.0.field": "shoe_size"}, "cond.0", "条件 1：「shoe_size」不是企业档案的字段",
         "Condition 1: 'shoe_size' is not a profile field"),
        ({"cond.0.min": "300"}, "cond.0", "条件 1：最小值 300 大于最大值 200",
         "Condition 1: the minimum 300 is above the maximum 200"),
        ({"cond.1.max": "ten"}, "cond.1.max", "条件 2 · 上限：「ten」不是数字", "Condition 2 · Maximum: 'ten' is not a number"),
        ({"apply_to": "2025-11-01"}, "apply_to", "申报截止：截止日期 2025-11-01 早于受理开始日期 2025-12-01",
         "Applications close: 2025-11-01 is before the window's start 2025-12-01"),
        ({"benefit.cap": ""}, "benefit.cap", "上限（元）：按比例的扶持须设上限（最多支付多少元）",
         "Cap (yuan): a percentage benefit needs a cap (the most it pays, in yuan)"),
        ({"mat.0.key": "Lease Contract"}, "mat.0", "材料 1：代号须为 1–40 个小写字母、数字或下划线，以字母开头",
         "Material 1: the key must be 1-40 lowercase letters, digits or _ starting with a letter"),
        ({"title_zh": ""}, "title_zh", "标题（中文）：必填", "Title (Chinese): is required"),
        ({"benefit.percent": "150"}, "benefit.percent", "比例（%）：须为大于 0 且不超过 100 的数字",
         "Percent: must be a number above 0 and at most 100"),
    )
    for over, field, zh, en in cases:
        for lang, line in (("zh", zh), ("en", en)):
            reply = await web.client.post(path, data=publish_form(csrf, w.bureau, **over), headers={"Accept-Language": lang})
            assert reply.status_code == 422, (over, lang)
            text = reply.text.replace("&#39;", "'")
            errors = re.search(r'<div class="err" role="alert" id="form-errors">(.*?)</div>', text, re.S)
            assert errors is not None and f"<li>{line}</li>" in errors.group(1), (over, lang, errors and errors.group(1))
            assert "<code>" not in errors.group(1)  # no raw field path
            beside = re.search(rf'<span class="error field-error" data-field="{re.escape(field)}">(.*?)</span>', text)
            assert beside is not None and beside.group(1) == line.split("：" if lang == "zh" else ": ", 1)[1], (over, lang)
    zh = await web.client.post(path, data=publish_form(csrf, w.bureau, **{"cond.0.field": "shoe_size"}),
                               headers={"Accept-Language": "zh"})
    assert "is not a profile field" not in zh.text and "rules.all" not in zh.text
    assert len(await web.store.policies.of_issuer(w.bureau)) == 1  # nothing written


async def test_the_api_applies_reviews_and_keeps_enterprises_apart(web: AppUnderTest) -> None:
    w = await world(web)
    await web.sign_in("olga")
    h = {"X-CSRF-Token": await web.csrf()}
    matches = (await web.client.get(f"/api/enterprise/{w.acme}/policies")).json()
    assert matches == [{"policy_id": w.policy, "title_zh": "文化企业房租补贴（测试）",
                        "title_en": "Rent subsidy for cultural enterprises (test)", "verdict": "eligible",
                        "amount": 180000.0}]
    why = (await web.client.get(f"/api/enterprise/{w.acme}/policies/{w.policy}/verdict",
                                headers={"Accept-Language": "en"})).json()
    assert why["verdict"] == "eligible" and why["amount"] == 180000 and len(why["clauses"]) == 3
    bad = await web.client.post(f"/api/enterprise/{w.acme}/policies/{w.policy}/applications", headers=h,
                                data={"claimed": "lots"}, files=[("file.lease", PDF)])
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "claimed"
    made = await web.client.post(f"/api/enterprise/{w.acme}/policies/{w.policy}/applications", headers=h,
                                 data={"claimed": "100000"}, files=[("file.lease", PDF)])
    assert made.status_code == 201, made.text
    app_id = made.json()["id"]
    again = await web.client.post(f"/api/enterprise/{w.acme}/policies/{w.policy}/applications", headers=h,
                                  files=[("file.lease", PDF)])
    assert again.status_code == 409 and again.json()["detail"][0]["type"] == "already_open"
    one = (await web.client.get(f"/api/enterprise/{w.acme}/applications/{app_id}")).json()
    assert one["state"] == "submitted" and one["files"][0]["name"] == "租赁合同.pdf"
    web.client.cookies.clear()
    await web.sign_in("zoe")
    assert (await web.client.get(f"/api/enterprise/{w.acme}/applications")).status_code == 403
    assert (await web.client.get(f"/api/enterprise/{w.zeta}/applications/{app_id}")).status_code == 404
    web.client.cookies.clear()
    await web.sign_in("dora")
    h = {"X-CSRF-Token": await web.csrf()}
    assert [a["id"] for a in (await web.client.get("/api/review/applications")).json()] == [app_id]
    step = f"/api/review/applications/{app_id}/steps"
    assert (await web.client.post(step, headers=h, json={"step": "start_review"})).json()["state"] == "under_review"
    over = await web.client.post(step, headers=h, json={"step": "approve", "amount": 100001})
    assert over.status_code == 422 and over.json()["detail"][0] == {
        "field": "amount", "message": "the amount approved (100001) exceeds the amount claimed (100000)",
        "type": "amount_over"}
    extra = await web.client.post(step, headers=h, json={"step": "approve", "amount": 1, "sneaky": True})
    assert extra.status_code == 422
    assert (await web.client.post(step, headers=h, json={"step": "approve", "amount": 90000})).json()[
        "amount_approved"] == 90000.0
    web.client.cookies.clear()
    await web.sign_in("otto")
    assert (await web.client.get("/api/review/applications")).json() == []
    h = {"X-CSRF-Token": await web.csrf()}
    assert (await web.client.post(step, headers=h, json={"step": "disburse"})).status_code == 403
    paths = (await web.client.get("/api/openapi.json")).json()["paths"]
    assert "/api/review/applications/{application_id}/steps" in paths and "/api/policies" in paths


async def test_people_follow_policy_topics(web: AppUnderTest) -> None:
    await web.sign_in("emil")
    csrf = await web.csrf()
    saved = await web.client.post("/console/policy-topics", data={"csrf": csrf, "topic": ["rent", "digital"]})
    assert saved.status_code == 303
    assert await web.store.policies.topics_of("emil") == ["digital", "rent"]
    await web.client.post("/console/policy-topics", data={"csrf": csrf, "topic": ["ip"]})
    assert await web.store.policies.topics_of("emil") == ["ip"]
    bad = await web.client.post("/console/policy-topics", data={"csrf": csrf, "topic": ["gold"]})
    assert bad.status_code == 422 and await web.store.policies.topics_of("emil") == ["ip"]
    page = await web.client.get("/console/policy-topics")
    assert 'value="ip" checked' in page.text


async def test_a_rule_with_nested_groups_is_never_flattened_by_the_form(web: AppUnderTest) -> None:
    from tests.web.policy_people import RENT
    from world.policies.versions import parse_version
    w = await world(web)
    nested = {**RENT, "rules": {"all": [{"any": [{"field": "employees", "op": "between", "value": [10, None]},
                                                 {"field": "area_m2", "op": "between", "value": [100, None]}]}]}}
    pid = await web.store.policies.create(parse_version(nested), issuer_org_id=w.bureau, by="dora", now=1.0,
                                          publish=True)
    await web.sign_in("dora")
    page = await web.client.get(f"/console/government/policies/{pid}/edit")
    assert page.status_code == 409 and "申报条件：这条政策的条件有嵌套分组，表单无法编辑" in page.text
    en = await web.client.get(f"/console/government/policies/{pid}/edit", headers={"Accept-Language": "en"})
    assert en.status_code == 409 and "Conditions: the rule nests groups: edit it through the API" in en.text
    posted = await web.client.post(f"/console/government/policies/{pid}/edit",
                                   data=publish_form(await web.csrf(), w.bureau))
    assert posted.status_code == 409
    assert (await web.store.policies.get(pid)).current_version == 1
