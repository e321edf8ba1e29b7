"""``/console/policy-topics`` (``account.self``): the topics a person wants to hear of
when a policy is published or changed (``PolicyRepo.subscribe``; the publishing
service tells the subscribers through the inbox). One form, every topic a checkbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.web.guard import Viewer, need, web_of
from server.web.render import render
from world.policies.fields import TOPICS

router = APIRouter(prefix="/console/policy-topics", include_in_schema=False)
Self = Annotated[Viewer, Depends(need("account.self"))]


@router.get("", response_class=HTMLResponse)
async def topics_page(request: Request, viewer: Self) -> Response:
    mine = await web_of(request).store.policies.topics_of(viewer.person.user_id)
    return render(request, viewer, "policy_topics.html", console="employee", topics=TOPICS, mine=set(mine),
                  saved=request.query_params.get("saved") == "1")


@router.post("", response_class=HTMLResponse)
async def save_topics(request: Request, viewer: Self) -> Response:
    store = web_of(request).store
    form = await request.form()
    wanted = {str(t) for t in form.getlist("topic")}
    unknown = wanted - set(TOPICS)
    if unknown:
        return render(request, viewer, "error.html", status=422, message="error.invalid",
                      fields=[{"field": "topic", "message": f"unknown topics {', '.join(sorted(unknown))} "
                               f"(known: {', '.join(TOPICS)})"}])
    user = viewer.person.user_id
    now = web_of(request).clock.now()
    have = set(await store.policies.topics_of(user))
    for topic in sorted(wanted - have):
        await store.policies.subscribe(user, topic, now=now)
    for topic in sorted(have - wanted):
        await store.policies.unsubscribe(user, topic)
    return RedirectResponse("/console/policy-topics?saved=1", status_code=303)
