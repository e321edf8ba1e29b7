"""The parks as the portal and ``GET /api/parks`` show them: catalogue names, visitors
online now (None: unknown), the way into the browser 3D client and the desktop client."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from pydantic import BaseModel, Field

from server.web.services import Web


class ParkLocation(BaseModel):
    lat: float
    lon: float
    estimated: bool
    basis: str


class ParkCard(BaseModel):
    id: str
    name_zh: str
    name_en: str
    address_zh: str | None = None
    online: int | None = Field(description="visitors in the park now; null when the world server does not answer")
    web_url: str = Field(description="the park in the browser 3D client")
    desktop_command: str = Field(description="how to open the park in the desktop client")
    preview: str | None = Field(description="a picture of the park's scene, when one was rendered")
    location: ParkLocation | None = Field(description="where the park is (WGS 84), when the catalogue says")


async def park_cards(web: Web) -> list[ParkCard]:
    counts = await web.online.counts()
    game = web.config.game_url
    previews = web.config.previews_dir
    cards = []
    for park in web.catalogue:
        cards.append(ParkCard(
            id=park.id, name_zh=park.name_zh, name_en=park.name_en, address_zh=park.address_zh,
            online=None if counts is None else counts.get(park.id, 0),
            web_url=f"/web/{park.id}/?server={quote(game, safe='')}",
            desktop_command=f"cloudpark client --server {game} --park {park.id}",
            preview=_preview_url(previews / f"{park.id}.png"),
            location=None if park.location is None else ParkLocation(
                lat=park.location.lat, lon=park.location.lon, estimated=park.location.estimated,
                basis=park.location.basis),
        ))
    return cards


def _preview_url(png: Path) -> str | None:
    """The picture's URL while it exists (the card shows a placeholder before), with its
    time as a version, so a picture rendered again after the scene was rebuilt shows
    at once rather than the one a browser cached."""
    try:
        version = png.stat().st_mtime_ns
    except OSError:
        return None
    return f"/previews/{png.name}?v={version}"


async def park_titles(web: Web, lang: str) -> dict[str, str]:
    """Every park's name in ``lang``: the catalogue's, and for a park that has an office
    (an organization) but no catalogue entry (the demo zone's placeholders) that
    organization's name, so no page shows a bare id."""
    names = {o.park_id: o.name for o in await web.store.orgs.all("park") if o.park_id}
    names.update({p.id: (p.name_zh if lang == "zh" else p.name_en) for p in web.catalogue})
    return names
