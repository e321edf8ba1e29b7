"""Public policy pages: ``/policies`` (search in Chinese or English with filters,
relevant first; ``PolicyRepo.search`` segments the words with jieba) and
``/policies/<id>`` (the full text, who issued it, the dates, the materials, the
conditions and the benefit in words; for a person who runs an enterprise, a link to
that enterprise's verdict and the application form). ``GET /api/policies`` and
``GET /api/policies/<id>`` answer the same as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from server.db.policies import Query as PolicyQuery
from server.web.guard import Viewer, public, web_of
from server.web.policy_verdicts import benefit_text, lines
from server.web.render import render
from world.people import ENTERPRISE_MANAGERS
from world.policies.fields import TOPICS
from world.policies.versions import LEVELS, dump_version, is_open

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/policies", tags=["policies"])
PAGE = 20
Level = Literal["national", "municipal", "district", "zone", "park"]


class PolicySearch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str = Field(default="", max_length=64, description="words in Chinese or English")
    level: Level | None = Field(default=None, description="the issuing level")
    industry: str = Field(default="", max_length=4, pattern=r"^([A-T]|\d{0,4})$",
                          description="a GB/T 4754 section letter or code prefix the policy's rules name")
    topic: Literal[TOPICS] | None = Field(default=None, description="a topic the policy is filed under")  # type: ignore[valid-type]
    open: bool = Field(default=False, description="only policies open for applications today")
    deadline: dt.date | None = Field(default=None, description="only windows closing on or before this date")
    page: int = Field(default=1, ge=1, le=21)


class PolicyCard(BaseModel):
    id: int
    title_zh: str
    title_en: str
    level: str
    issuer: str
    apply_from: dt.date | None
    apply_to: dt.date | None
    open: bool
    topics: list[str]
    demo: bool
    url: str


class PolicyPage(BaseModel):
    policies: list[PolicyCard]
    total: int
    page: int


def today_of(request: Request) -> dt.date:
    web = web_of(request)
    return dt.datetime.fromtimestamp(web.clock.now(), ZoneInfo(web.config.zone_timezone)).date()


def _card(policy: Any, today: dt.date) -> PolicyCard:
    spec = policy.current.spec
    return PolicyCard(id=policy.id, title_zh=spec.title_zh, title_en=spec.title_en, level=policy.level,
                      issuer=spec.issuer, apply_from=spec.apply_from, apply_to=spec.apply_to,
                      open=policy.state == "published" and is_open(spec, today), topics=list(spec.topics),
                      demo=policy.demo, url=f"/policies/{policy.id}")


async def search_policies(request: Request, s: PolicySearch) -> PolicyPage:
    today = today_of(request)
    hits, total = await web_of(request).store.policies.search(PolicyQuery(
        text=s.q, levels=(s.level,) if s.level else (), industry=s.industry, topic=s.topic or "",
        open_on=today if s.open else None, deadline_by=s.deadline, limit=PAGE, offset=(s.page - 1) * PAGE))
    return PolicyPage(policies=[_card(h.policy, today) for h in hits if h.policy.current is not None], total=total,
                      page=s.page)


@router.get("/policies", response_class=HTMLResponse)
async def policies_page(request: Request, viewer: Annotated[Viewer, Depends(public)],
                        search: Annotated[PolicySearch, Query()]) -> Response:
    found = await search_policies(request, search)
    asked = {k: v for k, v in search.model_dump().items() if v not in (None, "", False) and k != "page"}
    more = "/policies?" + urlencode({**asked, "page": search.page + 1}) \
        if search.page * PAGE < min(found.total, 21 * PAGE) else None
    return render(request, viewer, "policies.html", found=found, asked=search, levels=LEVELS, topics=TOPICS,
                  more=more)


@api.get("", response_model=PolicyPage, summary="Search the policies (public)")
async def policies_api(request: Request, viewer: Annotated[Viewer, Depends(public)],
                       search: Annotated[PolicySearch, Query()]) -> PolicyPage:
    return await search_policies(request, search)


async def _published(request: Request, policy_id: int) -> Any:
    policy = await web_of(request).store.policies.get(policy_id)
    if policy is None or policy.current is None or policy.state == "draft":
        raise HTTPException(404, f"policy: no policy {policy_id}")
    return policy


@router.get("/policies/{policy_id}", response_class=HTMLResponse)
async def policy_page(request: Request, viewer: Annotated[Viewer, Depends(public)],
                      policy_id: Annotated[int, Path(ge=1, le=2**53)]) -> Response:
    web = web_of(request)
    policy = await _published(request, policy_id)
    spec = policy.current.spec
    t = lambda key, **p: web.texts.translate(viewer.lang, key, **p)  # noqa: E731
    parks = {p.id: (p.name_zh if viewer.lang == "zh" else p.name_en) for p in web.catalogue}
    managed = [m for m in viewer.person.memberships if m.kind == "enterprise" and m.role in ENTERPRISE_MANAGERS]
    return render(request, viewer, "policy.html", policy=policy, spec=spec, card=_card(policy, today_of(request)),
                  conditions=lines(t, None, parks, spec.rule), benefit=benefit_text(t, viewer.lang, spec.benefit),
                  managed=managed, title=spec.title_en if viewer.lang != "zh" and spec.title_en else spec.title_zh)


class PolicyFull(PolicyCard):
    summary_zh: str
    summary_en: str
    body_zh: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    materials: list[dict[str, Any]]
    rules: dict[str, Any]
    benefit: dict[str, Any]
    version: int
    state: str


@api.get("/{policy_id}", response_model=PolicyFull, summary="One policy's current version (public)",
         responses={404: {"description": "no such policy"}})
async def policy_api(request: Request, viewer: Annotated[Viewer, Depends(public)],
                     policy_id: Annotated[int, Path(ge=1, le=2**53)]) -> PolicyFull:
    policy = await _published(request, policy_id)
    spec = policy.current.spec
    data = dump_version(spec)
    return PolicyFull(**_card(policy, today_of(request)).model_dump(), summary_zh=spec.summary_zh,
                      summary_en=spec.summary_en, body_zh=spec.body_zh, effective_from=spec.effective_from,
                      effective_to=spec.effective_to, materials=data["materials"], rules=data["rules"],
                      benefit=data["benefit"], version=policy.current_version, state=policy.state)
