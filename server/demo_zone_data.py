"""The zone-scale demo data set, as data: names, profiles, people and venues drawn
from a seeded ``random.Random`` (the same seed gives the same zone).

Names are built from templates over cultural-industry vocabulary (a brand of two
words, a field, a company form), in Chinese and English, and every one carries
"（演示）" / "(demo)" so nobody mistakes it for a real enterprise. Credit codes have a
valid check character (``world.credit_code.generate``) but belong to nobody.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from world.credit_code import generate
from world.profiles import (
    CERTIFICATIONS,
    Contact,
    EnterpriseProfile,
    InstitutionProfile,
    RevenueBand,
)

DEMO_ZH = "（演示）"
DEMO_EN = " (demo)"
PLACEHOLDER_PARKS = 25  # the zone reports 51 parks; 26 are in public sources

BRANDS = (  # (zh, en)
    ("墨韵", "Inkrhyme"), ("青砖", "Bluebrick"), ("星河", "Starriver"), ("云端", "Cloudtop"), ("光影", "Lightshade"),
    ("红墙", "Redwall"), ("胡同", "Hutong"), ("琉璃", "Glaze"), ("京韵", "Jingyun"), ("木棉", "Kapok"),
    ("锦绣", "Brocade"), ("长风", "Longwind"), ("拾光", "Timepick"), ("朝阳", "Sunrise"), ("松石", "Pinestone"),
    ("知行", "Zhixing"), ("万象", "Myriad"), ("丝路", "Silkroad"), ("新元", "Neoyuan"), ("天工", "Tiangong"),
    ("鸿鹄", "Swan"), ("竹溪", "Bamboobrook"), ("融创", "Fusion"), ("东方", "Oriental"), ("博雅", "Boya"),
    ("华彩", "Huacai"), ("沐光", "Sunbath"), ("清源", "Clearsource"), ("远山", "Farhill"), ("砚池", "Inkpond"),
    ("蓝鲸", "Bluewhale"), ("火花", "Spark"), ("米仓", "Granary"), ("铁轨", "Railway"), ("厂房", "Workshop"),
    ("锅炉", "Boiler"), ("齿轮", "Gear"), ("烟囱", "Chimney"), ("纸鸢", "Kite"), ("灯笼", "Lantern"),
)
FIELDS = (  # (zh, en, industry codes, tags)
    ("动漫", "Animation", ("6572",), ("animation",)),
    ("影视", "Film and TV", ("8730", "8750"), ("film",)),
    ("文化传媒", "Culture Media", ("8610", "7259"), ("media",)),
    ("数字艺术", "Digital Art", ("6579", "8810"), ("digital art",)),
    ("工业设计", "Industrial Design", ("7491",), ("design",)),
    ("视觉设计", "Visual Design", ("7492",), ("design",)),
    ("音乐", "Music", ("8770", "8810"), ("music",)),
    ("出版", "Publishing", ("8621", "8626"), ("publishing",)),
    ("游戏", "Games", ("6572", "6513"), ("games",)),
    ("演艺", "Performing Arts", ("8810", "8820"), ("performance",)),
    ("非遗文创", "Heritage Crafts", ("8840", "2439"), ("heritage",)),
    ("广告", "Advertising", ("7251", "7259"), ("advertising",)),
    ("会展", "Exhibitions", ("7284",), ("exhibitions",)),
    ("艺术教育", "Arts Education", ("8393",), ("education",)),
    ("虚拟现实", "Virtual Reality", ("6579", "6513"), ("vr",)),
    ("建筑设计", "Architecture", ("7484",), ("design",)),
    ("时尚", "Fashion", ("7492", "1810"), ("fashion",)),
    ("摄影", "Photography", ("8060",), ("photography",)),
    ("文化科技", "Culture Tech", ("6513", "6579"), ("technology",)),
    ("艺术品经营", "Art Dealing", ("5146", "8890"), ("art market",)),
)
FORMS = (("文化有限公司", "Culture Co., Ltd."), ("科技有限公司", "Technology Co., Ltd."),
         ("传媒有限公司", "Media Co., Ltd."), ("工作室", "Studio"), ("文化发展有限公司", "Culture Development Co."))
OFFERS = ("2D animation", "post-production", "brand design", "event staging", "sound design", "3D scanning",
          "copywriting", "live streaming", "exhibition build", "IP licensing", "translation", "motion capture")
NEEDS = ("investors", "office space", "distribution partners", "interns", "rehearsal rooms", "recording studio",
         "overseas buyers", "policy advice", "IP protection", "co-production partners")
REVENUE: tuple[tuple[int, RevenueBand], ...] = (
    (10, "under_1m"), (50, "1m_10m"), (200, "10m_50m"), (800, "50m_200m"), (3000, "200m_1b"))
SERVICES = (  # (zh, en, service kind)
    ("律师事务所", "Law Firm", "legal"), ("知识产权代理有限公司", "IP Agency", "ip"),
    ("融资担保有限公司", "Finance Guarantee Co.", "finance"), ("人力资源服务有限公司", "HR Services Co.", "hr"),
    ("技术转移中心", "Technology Transfer Centre", "tech_transfer"),
)
VENUE_KINDS = (("meeting", "Meeting room", 12), ("hall", "Multi-function hall", 150), ("studio", "Studio", 20),
               ("gallery", "Gallery", 80), ("theatre", "Theatre", 300), ("outdoor", "Courtyard", 200))


@dataclass(frozen=True, slots=True)
class ZoneSize:
    parks: int = 51
    enterprises: int = 50_000
    institutions: int = 300
    employees: int = 100_000
    spaces: int = 1_000
    policies: int = 20_000  # demo policy documents (server/demo_policies.py)

    def scaled(self, factor: float) -> ZoneSize:
        return ZoneSize(self.parks, max(1, int(self.enterprises * factor)), max(1, int(self.institutions * factor)),
                        max(1, int(self.employees * factor)), max(self.parks, int(self.spaces * factor)),
                        max(1, int(self.policies * factor)))


def placeholder_park(n: int) -> tuple[str, str, str]:
    """(park id, name zh, name en) of placeholder park ``n`` (1-based)."""
    return f"placeholder-{n:02d}", f"占位园区 {n:02d}{DEMO_ZH}", f"Placeholder park {n:02d}{DEMO_EN}"


def _revenue(rng: random.Random, employees: int) -> RevenueBand:
    per_head = employees * rng.uniform(0.2, 2.0)  # 10k CNY a head, very roughly
    for limit, band in REVENUE:
        if per_head < limit:
            return band
    return "over_1b"


def enterprise(rng: random.Random, n: int, park_ids: tuple[str, ...], this_year: int) -> EnterpriseProfile:
    """Demo enterprise ``n`` (its e-mail and number follow ``n``, so each is unique)."""
    (bz1, be1), (bz2, be2) = rng.sample(BRANDS, 2)
    fz, fe, codes, tags = rng.choice(FIELDS)
    formz, forme = rng.choice(FORMS)
    if formz[:2] in fz:  # not 文化传媒传媒有限公司
        formz, forme = FORMS[1]
    employees = max(1, int(rng.lognormvariate(2.5, 1.1)))
    certs = tuple(c for c, p in zip(CERTIFICATIONS, (0.15, 0.2, 0.05, 0.02, 0.08), strict=True) if rng.random() < p)
    return EnterpriseProfile(
        name_zh=f"{bz1}{bz2}{fz}{formz}{DEMO_ZH}", name_en=f"{be1} {be2} {fe} {forme}{DEMO_EN}",
        credit_code=generate(rng), park_id=rng.choice(park_ids), industry_codes=codes,
        founded=rng.randint(1995, this_year), employees=employees, revenue_band=_revenue(rng, employees),
        certifications=certs, area_m2=round(employees * rng.uniform(6, 15) + 20, 1),
        tags=tags + ("demo",), offers=tuple(rng.sample(OFFERS, 2)), needs=tuple(rng.sample(NEEDS, 2)),
        contacts=(Contact("email", f"contact@e{n:06d}.demo.example", "public"),
                  Contact("phone", f"010-8{n:07d}", "members")))


def institution(rng: random.Random, n: int, park_ids: tuple[str, ...]) -> InstitutionProfile:
    (bz, be) = rng.choice(BRANDS)
    sz, se, kind = SERVICES[n % len(SERVICES)]
    return InstitutionProfile(
        name_zh=f"北京{bz}{sz} {n:03d}{DEMO_ZH}", name_en=f"Beijing {be} {se} {n:03d}{DEMO_EN}",
        service_kinds=(kind,), credit_code=generate(rng, prefix="91" if kind != "legal" else "31"),
        park_id=rng.choice(park_ids), tags=(kind, "demo"),
        contacts=(Contact("email", f"service@i{n:03d}.demo.example", "public"),))


def venue(rng: random.Random, park_id: str, n: int) -> tuple[str, str, str, int, str]:
    """(venue id, name, kind, capacity, building) of demo venue ``n`` in a park."""
    kind, name, capacity = VENUE_KINDS[n % len(VENUE_KINDS)]
    building = f"Building {chr(ord('A') + rng.randrange(6))}"
    return (f"demo-{kind}-{n:02d}", f"{name} {n:02d}{DEMO_EN}", kind,
            max(4, int(capacity * rng.uniform(0.5, 1.5))), building)
