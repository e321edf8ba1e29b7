"""What every route of the web app works with, built once by ``create_app`` and kept
in ``app.state.web`` (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.templating import Jinja2Templates

from server.accounts import Accounts
from server.bus import Bus
from server.clock import Clock
from server.config import ServerConfig
from server.web.online import OnlineCounts
from server.web.sessions import Csrf
from world.catalogue import Catalogue
from world.chat import ChatLimiter
from world.i18n import Texts


@dataclass
class Web:
    config: ServerConfig
    store: Any  # server.db.Store
    bus: Bus
    clock: Clock
    accounts: Accounts
    texts: Texts
    csrf: Csrf
    catalogue: Catalogue
    online: OnlineCounts
    templates: Jinja2Templates
    # new accounts per address (``/join``), made from the config on first use; the world
    # server's front desk keeps its own for registrations over the websocket
    registrations: ChatLimiter | None = field(default=None)
    live: Any = None  # server.web.live_parks.LiveParks: keeps ``catalogue`` as the database holds it
    applications: Any = None  # server.policies.applications.ApplicationService, made on first use
