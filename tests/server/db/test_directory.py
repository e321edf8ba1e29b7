"""Directory search: partial names in Chinese and English, filters, relevance order,
pages; and the same answers from SQLite and PostgreSQL."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from server.db.directory import (
    MAX_OFFSET,
    MAX_PAGE,
    Cursor,
    CursorError,
    DirectoryHit,
    DirectoryQuery,
)
from tests.server.db.conftest import _empty, _need_postgresql, opened, run
from world.profiles import EnterpriseProfile, InstitutionProfile, Profile

NOW = 1_790_000_000.0
PROFILES: list[Profile] = [
    EnterpriseProfile("动漫", "Anime", park_id="e9", industry_codes=("6572",), tags=("animation",)),
    EnterpriseProfile("动漫工坊（演示）", "Anime Works (demo)", park_id="e9", industry_codes=("6572", "8730"),
                      tags=("animation", "games")),
    EnterpriseProfile("北京动漫设计（演示）", "Beijing Anime Design (demo)", park_id="751-d-park",
                      industry_codes=("7492",), tags=("design",), certifications=("high_tech",)),
    EnterpriseProfile("墨砚影视（演示）", "Inkstone Film 100% (demo)", park_id="751-d-park",
                      industry_codes=("8730",), tags=("film",)),
    EnterpriseProfile("", "lattice_design (demo)", park_id="e9", industry_codes=("7491",)),
    InstitutionProfile("知产律所（演示）", "Anime IP Law (demo)", service_kinds=("legal", "ip"), park_id="e9"),
]


def _names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.name_en for h in page.hits]


def test_search_finds_partial_names_relevant_first(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.profiles.create_many(PROFILES, now=NOW)
            d = store.directory
            # exact, then prefix, then substring; by name within each
            assert _names(await d.search(DirectoryQuery("动漫"))) == [
                "Anime", "Anime Works (demo)", "Beijing Anime Design (demo)"]
            assert _names(await d.search(DirectoryQuery("ANIME"))) == [
                "Anime", "Anime IP Law (demo)", "Anime Works (demo)", "Beijing Anime Design (demo)"]
            assert [h.match for h in (await d.search(DirectoryQuery("anime"))).hits] == [0, 1, 1, 2]
            assert _names(await d.search(DirectoryQuery("动漫设计"))) == ["Beijing Anime Design (demo)"]
            assert _names(await d.search(DirectoryQuery("影"))) == ["Inkstone Film 100% (demo)"]  # one character
            assert _names(await d.search(DirectoryQuery("100%"))) == ["Inkstone Film 100% (demo)"]
            assert _names(await d.search(DirectoryQuery("0%"))) == ["Inkstone Film 100% (demo)"]  # % is literal
            assert _names(await d.search(DirectoryQuery("e_d"))) == ["lattice_design (demo)"]  # _ too
            assert _names(await d.search(DirectoryQuery('"'))) == []
            assert _names(await d.search(DirectoryQuery("  beijing   ANIME "))) == ["Beijing Anime Design (demo)"]
    run(go())


def test_filters_narrow_the_results(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.profiles.create_many(PROFILES, now=NOW)
            d = store.directory
            assert _names(await d.search(DirectoryQuery("anime", park_id="e9", kinds=("enterprise",)))) == [
                "Anime", "Anime Works (demo)"]
            assert _names(await d.search(DirectoryQuery(industry="87"))) == [
                "Anime Works (demo)", "Inkstone Film 100% (demo)"]
            assert _names(await d.search(DirectoryQuery(tags=("animation", "games")))) == ["Anime Works (demo)"]
            assert _names(await d.search(DirectoryQuery(service="ip"))) == ["Anime IP Law (demo)"]
            assert _names(await d.search(DirectoryQuery(certification="high_tech"))) == [
                "Beijing Anime Design (demo)"]
            hit = (await d.search(DirectoryQuery(service="legal"))).hits[0]
            assert (hit.kind, hit.service_kinds, hit.match) == ("institution", ("legal", "ip"), 3)
    run(go())


def test_pages_follow_one_another(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.profiles.create_many(PROFILES, now=NOW)
            d = store.directory
            everything = _names(await d.search(DirectoryQuery(limit=100)))
            assert len(everything) == len(PROFILES)
            first = await d.search(DirectoryQuery(limit=4))
            second = await d.search(DirectoryQuery(offset=4, limit=4))
            assert first.more and not second.more
            assert _names(first) + _names(second) == everything
    run(go())


def test_renaming_and_deleting_keep_the_index_in_step(url: str) -> None:
    from sqlalchemy import delete

    from server.db.tables import organizations

    async def go() -> None:
        async with opened(url) as store:
            ids = await store.profiles.create_many(PROFILES, now=NOW)
            d = store.directory
            assert _names(await d.search(DirectoryQuery("影视"))) == ["Inkstone Film 100% (demo)"]
            assert await store.profiles.put(ids[3], EnterpriseProfile("云端戏剧", "Cloud Theatre"), now=NOW)
            assert _names(await d.search(DirectoryQuery("墨砚影视"))) == []
            assert _names(await d.search(DirectoryQuery("影视"))) == []  # the two-character index followed
            assert _names(await d.search(DirectoryQuery("戏剧"))) == ["Cloud Theatre"]
            assert _names(await d.search(DirectoryQuery("云端戏剧"))) == ["Cloud Theatre"]

            async def drop(conn):  # type: ignore[no-untyped-def]
                await conn.execute(delete(organizations).where(organizations.c.id == ids[1]))
            await store.db.commit(drop)
            assert _names(await d.search(DirectoryQuery("动漫工坊"))) == []
    run(go())


WORDS_ZH = ("文化", "创意", "动漫", "影视", "设计", "传媒", "音乐", "数字", "艺术", "北京", "游戏", "出版")
WORDS_EN = ("Culture", "Creative", "Anime", "Film", "Design", "Media", "Music", "Digital", "Art", "Beijing",
            "Games", "Press")


def _random_profiles(rng: random.Random, n: int) -> list[Profile]:
    out: list[Profile] = []
    for _ in range(n):
        picks = rng.sample(range(len(WORDS_ZH)), 3)
        out.append(EnterpriseProfile("".join(WORDS_ZH[i] for i in picks) + "（演示）",
                                     " ".join(WORDS_EN[i] for i in picks) + " (demo)",
                                     park_id=rng.choice(("e9", "751-d-park", "798-art-zone")),
                                     industry_codes=(rng.choice(("8730", "6572", "7492", "8810")),),
                                     tags=tuple(rng.sample(("film", "games", "design", "music"), 2))))
    return out


def test_both_engines_give_the_same_answers(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    pg = _need_postgresql(request.getfixturevalue("pg_database"))
    run(_empty(pg))
    rng = random.Random(3)
    profiles = _random_profiles(rng, 300)
    queries = [DirectoryQuery(t, park_id=p, industry=i, tags=tg, offset=o, limit=15)
               for t in ("", "动漫", "文化创意", "media", "art", "数字艺", "n", "(demo)", "ga", "示）", "京")
               for p, i, tg, o in ((None, None, (), 0), ("e9", None, (), 15), (None, "87", ("film",), 0))]

    async def answers(url: str) -> list[list[tuple[int, str, int]]]:
        async with opened(url) as store:
            ids = await store.profiles.create_many(profiles, now=NOW)
            first = ids[0]
            out = []
            for q in queries:
                page = await store.directory.search(q)
                out.append([(h.org_id - first, h.name_en, h.match) for h in page.hits])
                if page.next is not None:  # and the page after it, by cursor
                    after = await store.directory.search(replace(q, offset=0, after=page.next))
                    out.append([(h.org_id - first, h.name_en, h.match) for h in after.hits])
            return out

    sqlite = run(answers(f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite3'}"))
    postgresql = run(answers(pg.replace("postgresql://", "postgresql+asyncpg://", 1)))
    assert sum(len(a) for a in sqlite) > 100
    assert sqlite == postgresql



async def _walk(store, query: DirectoryQuery, between=None) -> list[DirectoryHit]:  # type: ignore[no-untyped-def]
    """Every hit of ``query``, page by page through the cursors (``between(n)`` runs
    after page n, e.g. to write rows meanwhile)."""
    seen: list[DirectoryHit] = []
    page = await store.directory.search(query)
    n = 0
    while True:
        seen.extend(page.hits)
        if page.next is None:
            assert not page.more
            return seen
        n += 1
        if between is not None:
            await between(n)
        token = page.next.encode(query)  # what the web hands out and takes back
        page = await store.directory.search(replace(query, after=Cursor.decode(token, query)))


def test_cursor_pages_have_no_gaps_and_no_duplicates(url: str) -> None:
    profiles = _random_profiles(random.Random(5), 80) + PROFILES

    async def go() -> None:
        async with opened(url) as store:
            await store.profiles.create_many(profiles, now=NOW)
            for text in ("", "anime", "动漫", "ga", "a", "(demo)", "文化创意"):
                for park, size in ((None, 7), ("e9", 5), (None, 1)):
                    q = DirectoryQuery(text, park_id=park, limit=size)
                    whole = (await store.directory.search(replace(q, limit=MAX_PAGE))).hits
                    assert len(whole) < MAX_PAGE  # the one big page holds every hit
                    assert [(h.match, h.sort_key, h.org_id) for h in whole] == sorted(
                        (h.match, h.sort_key, h.org_id) for h in whole)
                    # an offset page is one sorted statement, a first page of 1-2 characters
                    # goes tier by tier: the same hits in the same order
                    shifted = (await store.directory.search(replace(q, limit=MAX_PAGE, offset=1))).hits
                    assert [h.org_id for h in shifted] == [h.org_id for h in whole[1:]], (text, park)
                    walked = await _walk(store, q)
                    assert [h.org_id for h in walked] == [h.org_id for h in whole], (text, park, size)
            # a cursor inside the exact and prefix tiers carries on into the later ones
            tiers = [h.match for h in await _walk(store, DirectoryQuery("anime", limit=1))]
            assert tiers == sorted(tiers) and {0, 1, 2} <= set(tiers)
    run(go())


def test_cursor_pages_hold_steady_while_rows_are_written(url: str) -> None:
    rng = random.Random(11)
    first, later = _random_profiles(rng, 90), _random_profiles(rng, 60)

    async def go() -> None:
        async with opened(url) as store:
            await store.profiles.create_many(first, now=NOW)
            q = DirectoryQuery("a", limit=8)
            before = {h.org_id for h in (await store.directory.search(replace(q, limit=MAX_PAGE))).hits}

            async def write(n: int) -> None:  # new enterprises land on both sides of the cursor
                await store.profiles.create_many(later[(n - 1) * 6:n * 6], now=NOW)
            walked = [h.org_id for h in await _walk(store, q, write)]
            assert len(walked) == len(set(walked))  # no row twice
            assert before <= set(walked)  # none that was there all along skipped
            assert len(set(walked) - before) < 60  # (some new ones fell behind the cursor)
    run(go())


def test_deep_offsets_are_refused_and_foreign_cursors_too(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.profiles.create_many(PROFILES, now=NOW)
            with pytest.raises(ValueError, match="offset: at most"):
                await store.directory.search(DirectoryQuery(offset=MAX_OFFSET + 1))
            q = DirectoryQuery("anime", limit=2)
            token = (await store.directory.search(q)).next.encode(q)  # type: ignore[union-attr]
            assert Cursor.decode(token, replace(q, limit=5))  # the page size may change
            with pytest.raises(CursorError, match="another search"):
                Cursor.decode(token, DirectoryQuery("anim"))
            with pytest.raises(CursorError, match="another search"):
                Cursor.decode(token, replace(q, park_id="e9"))
            for bad in ("", "abc", "!!!", token[:-3], "W10", "WzEsMiwzXQ"):
                with pytest.raises(CursorError, match="not a directory cursor"):
                    Cursor.decode(bad, q)
    run(go())
