"""The park's policy kiosk: ``kiosk`` -> the policies that match the person's enterprise.

A client sends ``kiosk`` when its avatar steps onto the kiosk's zone (``layout.kiosk``).
The answer (``ok``, ``data``) names the enterprise and lists its matched, published
policies (eligible first, then possibly eligible, by amount; at most ``SHOWN``), each
with its verdict, the amount it could claim and the web page to open: the enterprise
console's verdict and application form for its owners and admins, the public policy
page for its other members (only owners and admins apply). A guest, or someone without
an enterprise, gets ``why`` (``guest``, ``no_enterprise``) and the policy search page."""

from __future__ import annotations

from typing import Any

from server.presence import Visitor
from server.refusal import Refusal
from world.people import ENTERPRISE_MANAGERS
from world.protocol import messages as M
from world.protocol.constants import ErrorCode

SHOWN = 8
SEARCH = "/policies"


def _enterprise(person: Any) -> tuple[int, str, bool] | None:
    """(org id, name, manages it) of the enterprise the kiosk speaks of: the first the
    person runs, else the first they belong to."""
    ents = [m for m in person.memberships if m.kind == "enterprise" and m.role in ("owner", "admin", "member")]
    ents.sort(key=lambda m: (m.role not in ENTERPRISE_MANAGERS, m.org_id))
    return (ents[0].org_id, ents[0].org_name, ents[0].role in ENTERPRISE_MANAGERS) if ents else None


class KioskDesk:
    def __init__(self, store: Any) -> None:
        self.store = store

    async def view(self, v: Visitor, msg: M.Kiosk, found: Any) -> M.Ok:
        if v.park is None:
            raise Refusal(ErrorCode.BAD_STATE, "kiosk: stand in a park first")
        person = v.person
        if person is None or person.is_guest:
            return M.Ok(re=msg.id, data={"why": "guest", "items": [], "url": SEARCH})
        mine = _enterprise(person)
        if mine is None:
            return M.Ok(re=msg.id, data={"why": "no_enterprise", "items": [], "url": SEARCH})
        org_id, name, manages = mine
        items = []
        counts = {"eligible": 0, "possibly": 0}
        for match, policy in await self.store.policies.matches_of(org_id):
            if policy.state != "published" or policy.current is None:
                continue
            counts[match.verdict] = counts.get(match.verdict, 0) + 1
            if len(items) < SHOWN:
                spec = policy.current.spec
                items.append({"policy": policy.id, "title_zh": spec.title_zh, "title_en": spec.title_en or spec.title_zh,
                              "verdict": match.verdict, "amount": None if match.amount is None else int(match.amount),
                              "apply_to": None if spec.apply_to is None else spec.apply_to.isoformat(),
                              "url": f"/console/enterprise/{org_id}/policies/{policy.id}" if manages
                              else f"/policies/{policy.id}"})
        return M.Ok(re=msg.id, data={"why": "", "org": name, "org_id": org_id, "manages": manages, "items": items,
                                     **counts, "url": f"/console/enterprise/{org_id}/policies" if manages else SEARCH})
