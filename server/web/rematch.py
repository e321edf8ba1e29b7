"""An enterprise's facts changed on the web (its owners saved the profile, its park
confirmed a fact, admitted or removed it): match it again against every open policy, so
its "policies for us" page and the park's policy kiosk say what holds now. One
enterprise, the pure evaluator (``PolicyService.rematch_org``); nobody is told here: the
inbox hears of a policy when it is published or changed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from server.policies.service import PolicyService
from server.web.services import Web


def policies_of(web: Web) -> PolicyService:
    """The policy service over the web app's store and bus, in the zone's time zone."""
    return PolicyService(web.store, web.bus, web.texts, ZoneInfo(web.config.zone_timezone))


async def rematch(web: Web, org_id: int, *, now: float) -> int:
    """How many open policies the enterprise matches now (eligible or possibly)."""
    return await policies_of(web).rematch_org(org_id, now=now)
