"""The government console's zone figures: aggregate counts on both engines."""

from __future__ import annotations

from tests.server.db.conftest import opened, run
from world.booths import BoothContent
from world.profiles import EnterpriseProfile, InstitutionProfile


def test_enterprises_by_park_and_division_institutions_by_service_and_demo_counts(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.profiles.create_many([
                EnterpriseProfile("甲", park_id="798-art-zone", industry_codes=("8730", "8750")),
                EnterpriseProfile("乙", park_id="798-art-zone", industry_codes=("6572",)),
                EnterpriseProfile("丙", park_id="751-d-park", industry_codes=("8730", "R")),
                InstitutionProfile("律所", service_kinds=("legal", "ip"), park_id="751-d-park"),
            ], now=1.0, demo=True)
            own = await store.profiles.create(EnterpriseProfile("丁"), now=1.0)
            await store.booths.assign("798-art-zone", "b1", own, BoothContent(name="丁"), 2.0)
            await store.booths.assign("798-art-zone", "b2", None, BoothContent(), 2.0)
            counts = await store.zone_figures.counts()
            assert counts.enterprises_by_park == {"798-art-zone": 2, "751-d-park": 1, "": 1}
            assert counts.enterprises_by_division == {"87": 2, "65": 1, "R": 1}  # 8730 + 8750 count once
            assert counts.institutions_by_service == {"legal": 1, "ip": 1}
            assert counts.institutions == 1 and counts.organizations == 5 and counts.demo_organizations == 4
            assert counts.booths == 2 and counts.booths_occupied == 1
    run(go())
