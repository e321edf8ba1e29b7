"""Publishing policies in the government console (``policy.publish``).

``/console/government/policies``: the policies of the organizations the person issues
for (departments they are an officer of; the park they staff, for park-level
measures), with how many enterprises each matched; ``…/new`` and ``…/<id>/edit``: the
structured form (``policy_form``); publishing writes version 1 (or a new version) and
the publishing service matches it against every enterprise and tells the eligible and
possibly eligible ones (``server.policies.service``); ``…/<id>/withdraw``. A problem is
shown beside its field (422), in the person's language (``policy.p.<code>``; listed above
the form by the field's label), and nothing is written."""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from server.policies.service import PolicyService
from server.web.guard import Viewer, need, web_of
from server.web.policy_form import MAX_ROWS, field_of, rows_in, values_of, version_of
from server.web.rematch import policies_of
from server.web.render import render
from world.people import Person
from world.permissions import Resource
from world.policies.fields import FIELDS, NUMBER_FIELDS, TOPICS
from world.policies.rules import PolicyError, Problem
from world.policies.versions import LEVELS, MATERIAL_KINDS, parse_version

router = APIRouter(prefix="/console/government/policies", include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**53)]


def issuing(person: Person) -> list[Any]:
    """The memberships the person publishes for: (org id, name, park id) of each department
    they are an officer of and each park they staff."""
    return [m for m in person.memberships
            if (m.kind == "department" and m.role == "officer") or (m.kind == "park" and m.role == "staff")]


def publisher_of(request: Request) -> PolicyService:
    return policies_of(web_of(request))


async def policy_issuer(request: Request, person: Person) -> Resource:
    text = str(request.path_params.get("policy_id", ""))
    policy = await web_of(request).store.policies.get(int(text)) if text.isascii() and text.isdigit() and len(text) < 16 else None
    if policy is None:
        raise HTTPException(404, f"policy: no policy {text}")
    request.state.policy = policy
    return Resource(owner_org=policy.issuer_org_id, park_id=policy.park_id)


async def form_issuer(request: Request, person: Person) -> Resource:
    """The organization the new policy is issued by (the form's ``issuer_org``; the
    person's first when the form names none)."""
    form = await request.form() if request.method == "POST" else {}
    text = str(form.get("issuer_org", ""))
    if text.isascii() and text.isdigit() and len(text) < 16:
        return Resource(owner_org=int(text))
    mine = issuing(person)
    return Resource(owner_org=mine[0].org_id) if mine else Resource()


Publisher = Annotated[Viewer, Depends(need("policy.publish"))]
NewPublisher = Annotated[Viewer, Depends(need("policy.publish", form_issuer))]
Owner = Annotated[Viewer, Depends(need("policy.publish", policy_issuer))]


@router.get("", response_class=HTMLResponse)
async def mine(request: Request, viewer: Publisher) -> Response:
    store = web_of(request).store
    items = []
    for m in issuing(viewer.person):
        for p in await store.policies.of_issuer(m.org_id, limit=100):
            items.append({"policy": p, "issuer": m.org_name, "counts": await store.policies.match_counts(p.id)})
    return render(request, viewer, "policy_mine.html", console="government", items=items,
                  published=request.query_params.get("published", ""))


Say = Callable[..., str]
_LABELS = {"level": "pol.level", "topics": "pol.topic", "rules": "pol.conditions", "materials": "pol.materials",
           "benefit.type": "pf.benefit_type", "benefit.field": "pf.benefit_field"}


def field_label(say: Say, keys: Set[str], name: str) -> str:
    """A form field by its label on the page: ``cond.1.min`` is "Condition 2 · Minimum"."""
    found = re.match(r"^(cond|mat)\.(\d{1,2})(?:\.(min|max))?$", name)
    if found:
        kind, n, part = found.groups()
        label = say("pf.condition" if kind == "cond" else "pf.material", n=int(n) + 1)
        return f"{label} · {say(f'pf.{part}')}" if part else label
    key = _LABELS.get(name) or f"pf.{name.removeprefix('benefit.')}"
    return say(key) if key in keys else name


def _shown(say: Say, keys: Set[str], name: str, value: object) -> object:
    if name == "field" and f"pol.field.{value}" in keys:
        return say(f"pol.field.{value}")
    if isinstance(value, float):
        value = int(value) if value.is_integer() else value
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value


def problem_words(say: Say, keys: Set[str], p: tuple[str, str]) -> str:
    """A problem in the person's language (its English where it has no code in the catalogue)."""
    code = getattr(p, "code", "")
    if not code or f"policy.p.{code}" not in keys:
        return p[1]
    params = getattr(p, "params", {})
    return say(f"policy.p.{code}", **{k: _shown(say, keys, k, v) for k, v in params.items()})


def _form(request: Request, viewer: Viewer, *, values: dict[str, str], rows: int, mats: int, status: int = 200,
          errors: dict[str, Problem] | None = None, action: str, policy: Any = None) -> Response:
    texts = web_of(request).texts
    keys = texts.keys()

    def say(key: str, **params: object) -> str:
        return texts.translate(viewer.lang, key, **params)

    said = {f: problem_words(say, keys, p) for f, p in (errors or {}).items()}
    lines = [(field_label(say, keys, f), words) for f, words in said.items()]
    return render(request, viewer, "policy_form.html", status=status, console="government", values=values,
                  rows=range(min(MAX_ROWS, rows)), mats=range(min(MAX_ROWS, mats)), errors=said, lines=lines,
                  fields=FIELDS, number_fields=NUMBER_FIELDS, levels=LEVELS, topics=TOPICS, kinds=MATERIAL_KINDS,
                  issuers=issuing(viewer.person), action=action, policy=policy)


@router.get("/new", response_class=HTMLResponse)
async def new_form(request: Request, viewer: Publisher) -> Response:
    values = {"level": "district", "combine": "all", "benefit.type": "percent", "mat.0.required": "1",
              "mat.0.kind.pdf": "1"}
    return _form(request, viewer, values=values, rows=3, mats=2, action="/console/government/policies/new")


def _flat(form: Any) -> dict[str, str]:
    return {k: ",".join(str(v) for v in form.getlist(k)) for k in form.keys()}


async def _parsed(request: Request) -> tuple[dict[str, str], Any, dict[str, Problem]]:
    values = _flat(await request.form())
    data, paths, errors = version_of(values)
    version = None
    try:
        version = parse_version(data)
    except PolicyError as exc:
        for (path, problem), (code, params) in zip(exc.problems, exc.codes, strict=True):
            errors.setdefault(field_of(path, paths), Problem(path, problem, code, **params))
    return values, (None if errors else version), errors


def _counts(values: dict[str, str]) -> tuple[int, int]:
    more = 1 if values.get("more") == "cond" else 0
    more_mat = 1 if values.get("more") == "mat" else 0
    return (max(rows_in(values, "cond") or [-1]) + 1 + more, max(rows_in(values, "mat") or [-1]) + 1 + more_mat)


@router.post("/new", response_class=HTMLResponse)
async def publish(request: Request, viewer: NewPublisher) -> Response:
    values, version, errors = await _parsed(request)
    rows, mats = _counts(values)
    org = next((m for m in issuing(viewer.person) if str(m.org_id) == values.get("issuer_org")), None)
    if org is None and viewer.person.role != "admin":
        errors.setdefault("issuer_org", Problem("issuer_org", "choose the organization the policy is issued by",
                                                "issuer_org"))
    if values.get("more") or errors or version is None:
        return _form(request, viewer, values=values, rows=rows, mats=mats, status=200 if values.get("more") else 422,
                     errors={} if values.get("more") else errors, action="/console/government/policies/new")
    park_id = org.park_id if org is not None and org.kind == "park" else ""
    issuer = org.org_id if org is not None else int(values.get("issuer_org", "0") or 0)
    if park_id and version.level != "park":
        return _form(request, viewer, values=values, rows=rows, mats=mats, status=422,
                     errors={"level": Problem("level", "a park's staff publish park-level policies", "park_level")},
                     action="/console/government/policies/new")
    done = await publisher_of(request).publish(version, issuer_org_id=issuer, by=viewer.person.user_id,
                                               now=web_of(request).clock.now(), park_id=park_id)
    return RedirectResponse(f"/console/government/policies?published={done.policy_id}", status_code=303)


@router.get("/{policy_id}/edit", response_class=HTMLResponse)
async def edit_form(request: Request, viewer: Owner, policy_id: Id) -> Response:
    policy = request.state.policy
    try:
        values, rows, mats = values_of(policy.current.spec)
    except ValueError as exc:  # nested groups: the form would lose them
        return _form(request, viewer, values={"issuer_org": str(policy.issuer_org_id)}, rows=0, mats=0,
                     policy=policy, status=409, errors={"rules": Problem("rules", str(exc), "nested")},
                     action=f"/console/government/policies/{policy_id}/edit")
    values["issuer_org"] = str(policy.issuer_org_id)
    return _form(request, viewer, values=values, rows=rows + 1, mats=mats + 1, policy=policy,
                 action=f"/console/government/policies/{policy_id}/edit")


@router.post("/{policy_id}/edit", response_class=HTMLResponse)
async def change(request: Request, viewer: Owner, policy_id: Id) -> Response:
    policy = request.state.policy
    values, version, errors = await _parsed(request)
    rows, mats = _counts(values)
    action = f"/console/government/policies/{policy_id}/edit"
    try:
        values_of(policy.current.spec)
    except ValueError as exc:  # never replace a nested rule by the form's flat one
        return _form(request, viewer, values=values, rows=0, mats=0, status=409, errors={"rules": Problem("rules", str(exc), "nested")},
                     action=action, policy=policy)
    if values.get("more") or errors or version is None:
        return _form(request, viewer, values=values, rows=rows, mats=mats, status=200 if values.get("more") else 422,
                     errors={} if values.get("more") else errors, action=action, policy=policy)
    await publisher_of(request).change(policy_id, version, by=viewer.person.user_id, now=web_of(request).clock.now(),
                                       note=values.get("note", "")[:500])
    return RedirectResponse(f"/console/government/policies?published={policy_id}", status_code=303)


@router.post("/{policy_id}/withdraw", response_class=HTMLResponse)
async def withdraw(request: Request, viewer: Owner, policy_id: Id) -> Response:
    await publisher_of(request).withdraw(policy_id, by=viewer.person.user_id, now=web_of(request).clock.now())
    return RedirectResponse("/console/government/policies", status_code=303)
