"""The zone directory on the web: ``GET /api/directory`` and the ``/directory`` page
(public, no contacts), paged by cursor; every bad parameter refused naming it."""

from __future__ import annotations

import pytest

from tests.web.conftest import AppUnderTest
from world.profiles import Contact, EnterpriseProfile, InstitutionProfile

pytestmark = pytest.mark.anyio
NOW = 1_790_000_000.0


async def _seed(web: AppUnderTest) -> None:
    profiles = [EnterpriseProfile(f"动漫工坊{i:02d}（演示）", f"Anime Works {i:02d} (demo)", park_id="798-art-zone",
                                  industry_codes=("6572",), tags=("animation", "demo"),
                                  contacts=(Contact("email", f"boss{i}@example.com", "members"),))
                for i in range(23)]
    profiles += [EnterpriseProfile("墨砚影视（演示）", "Inkstone Film (demo)", park_id="751-d-park",
                                   industry_codes=("8730",), tags=("film", "demo")),
                 InstitutionProfile("知产律所（演示）", "Anime IP Law (demo)", service_kinds=("legal", "ip"),
                                    park_id="798-art-zone")]
    await web.store.profiles.create_many(profiles, now=NOW)


async def _all_pages(web: AppUnderTest, params: dict[str, object]) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    cursor = None
    while True:
        reply = await web.client.get("/api/directory", params={**params, **({"cursor": cursor} if cursor else {})})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        entries += body["entries"]
        cursor = body["next"]
        if cursor is None:
            return entries


async def test_anyone_searches_the_directory_and_pages_by_cursor(web: AppUnderTest) -> None:
    await _seed(web)
    first = (await web.client.get("/api/directory", params={"q": "anime", "limit": 10})).json()
    assert len(first["entries"]) == 10 and first["next"] and first["limit"] == 10
    assert first["entries"][0]["name_en"] == "Anime IP Law (demo)" and first["entries"][0]["match"] == "prefix"
    assert "contacts" not in first["entries"][0] and "example.com" not in str(first)
    every = await _all_pages(web, {"q": "anime", "limit": 10})
    names = [e["name_en"] for e in every]
    assert len(names) == 24 == len(set(names))  # 23 works and the law firm, none twice
    assert [e["name_en"] for e in await _all_pages(web, {"q": "动漫", "limit": 7})] == [
        f"Anime Works {i:02d} (demo)" for i in range(23)]
    film = (await web.client.get("/api/directory", params={"industry": "87", "tag": ["film", "demo"]})).json()
    assert [e["name_en"] for e in film["entries"]] == ["Inkstone Film (demo)"] and film["next"] is None
    ip = (await web.client.get("/api/directory", params={"kind": "institution", "service": "ip"})).json()
    assert [(e["kind"], e["service_kinds"]) for e in ip["entries"]] == [("institution", ["legal", "ip"])]
    park = (await web.client.get("/api/directory", params={"park": "751-d-park"})).json()
    assert [e["park_id"] for e in park["entries"]] == ["751-d-park"]


async def test_bad_parameters_are_refused_naming_the_field(web: AppUnderTest) -> None:
    await _seed(web)
    cursor = (await web.client.get("/api/directory", params={"q": "anime", "limit": 5})).json()["next"]
    cases = {
        "limit": {"limit": 51}, "kind": {"kind": "person"}, "park": {"park": "Not A Park!"},
        "industry": {"industry": "8a"}, "q": {"q": "x" * 65}, "tag": {"tag": ["a"] * 6}, "service": {"service": "catering"},
        "shoe_size": {"shoe_size": 44},
    }
    cases = list(cases.items()) + [("q", {"q": "a\x00b"}), ("tag", {"tag": ["\x07"]})]
    for field, params in cases:
        reply = await web.client.get("/api/directory", params=params)
        assert reply.status_code == 422, (field, reply.text)
        assert [d["field"].split(".")[0] for d in reply.json()["detail"]] == [field], reply.text  # tag.0: the first tag
    for params, why in (({"q": "anim", "cursor": cursor}, "another search"),
                        ({"q": "anime", "cursor": "garbage"}, "not a directory cursor")):
        reply = await web.client.get("/api/directory", params=params)
        assert reply.status_code == 422 and reply.json()["detail"][0]["field"] == "cursor"
        assert why in reply.json()["message"]


async def test_the_directory_page_lists_filters_and_pages(web: AppUnderTest) -> None:
    await _seed(web)
    for lang, word in (("zh", "企业名录"), ("en", "Directory")):
        page = await web.client.get("/directory", params={"q": "动漫", "kind": "", "park": "", "industry": "",
                                                          "tag": ""}, headers={"Accept-Language": lang})
        assert page.status_code == 200 and word in page.text
        assert "rel=\"next\"" in page.text and "example.com" not in page.text
    page = await web.client.get("/directory", params={"q": "动漫"}, headers={"Accept-Language": "en"})
    assert "Anime Works 00 (demo)" in page.text and "Anime Works 19 (demo)" in page.text
    assert "Anime Works 20 (demo)" not in page.text  # 20 to a page
    nxt = page.text.split('href="', page.text.count('href="'))  # the next link's target
    link = next(part.split('"', 1)[0] for part in nxt if part.startswith("/directory?") and "cursor=" in part)
    second = await web.client.get(link.replace("&amp;", "&"), headers={"Accept-Language": "en"})
    assert second.status_code == 200 and "Anime Works 20 (demo)" in second.text
    assert "Anime Works 00 (demo)" not in second.text and "First page" in second.text
    bad = await web.client.get("/directory", params={"industry": "x"}, headers={"Accept-Language": "en"})
    assert bad.status_code == 422 and "industry" in bad.text
