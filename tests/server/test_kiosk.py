"""The policy kiosk: a person of an enterprise standing in a park asks ``kiosk`` and gets
the policies that match their enterprise (links to apply for its owners and admins, to
read for its members); guests and people without an enterprise are told why."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.server.harness import Visitor, running_app
from tests.server.test_set_lang import _login
from tests.web.policy_people import RENT
from world.policies.versions import parse_version
from world.protocol import messages as M


def test_the_kiosk_lists_the_enterprises_matched_policies(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            now = app.clock.now()
            await app.accounts.create("olga", "long enough", "Olga", "enterprise", company="Acme (test)", now=now)
            await app.accounts.create("emil", "long enough", "Emil", "visitor", now=now)
            await app.accounts.create("vera", "long enough", "Vera", "visitor", now=now)
            acme = (await app.store.orgs.named("Acme (test)"))[0].id
            await app.store.orgs.add_member(acme, "emil", "member", now)
            bureau = await app.store.orgs.create("department", "Bureau (test)", now=now)
            rent = await app.store.policies.create(parse_version(RENT), issuer_org_id=bureau, by="x", now=now,
                                                   publish=True)
            other = await app.store.policies.create(parse_version({**RENT, "title_zh": "人才补贴", "title_en": ""}),
                                                    issuer_org_id=bureau, by="x", now=now, publish=True)
            await app.store.policies.replace_matches(rent, 1, [{"org_id": acme, "verdict": "eligible",
                                                                "amount": 180000.0, "reasons": "[]"}], now=now)
            await app.store.policies.replace_matches(other, 1, [{"org_id": acme, "verdict": "possibly",
                                                                 "amount": None, "reasons": "[]"}], now=now)
            owner, _ = await _login(app.port, "olga", "long enough")
            early = await owner.request(M.Kiosk())
            assert isinstance(early, M.Error) and early.code == "bad_state"  # not in a park yet
            await owner.join()
            ok = await owner.request(M.Kiosk())
            assert isinstance(ok, M.Ok), ok
            data = ok.data
            assert (data["why"], data["org"], data["eligible"], data["possibly"]) == ("", "Acme (test)", 1, 1)
            assert [i["verdict"] for i in data["items"]] == ["eligible", "possibly"]
            first = data["items"][0]
            assert first == {"policy": rent, "title_zh": RENT["title_zh"], "title_en": RENT["title_en"],
                             "verdict": "eligible", "amount": 180000, "apply_to": "2026-06-30",
                             "url": f"/console/enterprise/{acme}/policies/{rent}"}
            assert data["items"][1]["title_en"] == "人才补贴"  # no English title: the Chinese one
            member, _ = await _login(app.port, "emil", "long enough")
            await member.join()
            seen = (await member.request(M.Kiosk())).data
            assert not seen["manages"] and seen["items"][0]["url"] == f"/policies/{rent}"
            nobody, _ = await _login(app.port, "vera", "long enough")
            await nobody.join()
            assert (await nobody.request(M.Kiosk())).data == {"why": "no_enterprise", "items": [], "url": "/policies"}
            guest = await Visitor.connect(app.port)
            await guest.hello_guest("Gus")
            await guest.join()
            assert (await guest.request(M.Kiosk())).data["why"] == "guest"
            for v in (owner, member, nobody, guest):
                await v.close()
    asyncio.run(go())
