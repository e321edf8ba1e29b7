"""The showcase service as the world server's ``StageSource`` (``server.stage_board``):
what a park's stage shows now.

The live event on the park's stage first; else the next scheduled one starting within a
day; else the last one that ended within a day (its replay). The state the visitors see
is the event's, with the stream's on top: a live event whose stream dropped is
``interrupted``. The playlist is the event's external HLS URL when it has one, else the
web app's ``/streams/<event>/live.m3u8`` while live (``replay.m3u8`` once ended and the
recording is there: stream state ``ended``). ``staff`` (who runs the stage controls) are
the organizer and the presenters, as ``showcase.moderate`` has them.
"""

from __future__ import annotations

from server.db.showcases import EventRow
from server.showcases.service import ShowcaseService
from server.stage_board import StageState

DAY = 86400.0


def _hls(row: EventRow, state: str) -> str:
    if row.stream_url:
        return row.stream_url
    if state in ("live", "interrupted") and row.stream_state in ("live", "interrupted"):
        return f"/streams/{row.id}/live.m3u8"
    if state == "ended" and row.stream_state == "ended":
        return f"/streams/{row.id}/replay.m3u8"
    return ""


class ShowcaseStages:
    def __init__(self, service: ShowcaseService, stage_id: str = "main") -> None:
        self.service = service
        self.stage_id = stage_id

    async def _row(self, park_id: str) -> EventRow | None:
        now = self.service.clock.now()
        shows = self.service.store.showcases
        coming = await shows.listed(since=now, until=now + DAY, park_id=park_id, stage_id=self.stage_id, limit=5)
        live = [e for e in coming if e.state == "live"]
        if live:
            return live[0]
        if coming:
            return coming[0]
        ended = await shows.listed(since=now - DAY, park_id=park_id, stage_id=self.stage_id,
                                   states=("ended",), limit=50)
        return ended[-1] if ended else None

    async def stage_of(self, park_id: str) -> StageState | None:
        row = await self._row(park_id)
        if row is None:
            return None
        state = "interrupted" if row.state == "live" and row.stream_state == "interrupted" else row.state
        names = []
        for user in row.presenters:
            account = await self.service.store.accounts.get(user)
            names.append((user, account.name if account is not None else user))
        return StageState(row.id, row.title_zh, row.title_en, state, _hls(row, state), int(row.start), int(row.end),
                          tuple(names), (row.organizer, *row.presenters), row.stage_id)
