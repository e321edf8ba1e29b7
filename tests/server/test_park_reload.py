"""A park whose scene changes is reloaded in the running world: visitors stay (moved to
walkable ground), clients get a fresh `joined`; a broken scene changes nothing; a new
park goes online."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from pathlib import Path

from server.main import App
from tests.server.harness import (
    OTHER_PARK,
    PARK,
    Visitor,
    _box,
    small_config,
    small_layout,
    write_scene,
)
from world.layout import Region
from world.protocol import messages as M
from world.protocol.quantize import pos_from_wire


def _walled(park_id: str, hole: tuple[float, float, float, float]):  # type: ignore[no-untyped-def]
    """The small park with one more hole in its walkable ground (a new building)."""
    base = small_layout(park_id)
    region = base.walkable[0]
    bigger = Region(region.outer, (*region.holes, _box(*hole, ccw=False)))
    return dataclasses.replace(base, walkable=(bigger,))


def test_a_changed_park_reloads_with_its_visitors_moved_to_walkable_ground(tmp_path: Path) -> None:
    layouts = {PARK: small_layout(PARK), OTHER_PARK: small_layout(OTHER_PARK)}
    cfg = small_config(tmp_path)
    for layout in layouts.values():
        write_scene(cfg.scenes_dir, layout)
    plans: dict[str, object] = {}

    def rebuild(park_id: str, scenes_dir: Path) -> None:
        plan = plans[park_id]
        if plan == "broken":
            (scenes_dir / f"{park_id}.glb").write_bytes(b"glTF not really")
        else:
            write_scene(scenes_dir, plan)  # type: ignore[arg-type]

    pictures: list[tuple[str, str]] = []  # (park, the scene live when its picture was asked for)

    async def go() -> None:
        app = App(cfg, layouts=layouts, rng=random.Random(3), rebuild=rebuild,
                  preview=lambda park_id: pictures.append((park_id, app.parks[park_id].scene.sha256)))
        await app.start()
        try:
            ann, bob = await Visitor.connect(app.port), await Visitor.connect(app.port)
            await ann.hello_guest("Ann")
            await bob.hello_guest("Bob")
            await ann.join(spawn="centre")
            await bob.join(spawn="b1")
            await ann.wait_until(lambda: bob.eid in ann.seen)
            old_hash = app.parks[PARK].scene.sha256
            record = app.parks[PARK].booths["b1"]
            # a building now covers the centre where Ann stands
            plans[PARK] = _walled(PARK, (-3.0, -3.0, 3.0, 3.0))
            mark = len(ann.inbox)
            assert await app.reloader.reload(PARK)
            joined = await ann.wait_for(lambda m: isinstance(m, M.Joined), start=mark)
            assert joined.park == PARK and joined.scene_hash != old_hash
            assert joined.scene_hash == app.parks[PARK].scene.sha256
            x, y = pos_from_wire(joined.x), pos_from_wire(joined.y)
            assert app.parks[PARK].room.grid.contains(x, y) and max(abs(x), abs(y)) >= 2.9
            # both visitors are still there, see each other again, and keep walking
            ann.eid = joined.you
            bob_joined = await bob.wait_for(lambda m: isinstance(m, M.Joined) and m.scene_hash != old_hash)
            bob.eid = bob_joined.you
            await ann.wait_until(lambda: bob.eid in ann.seen)
            before = len([m for m in ann.inbox if isinstance(m, M.SnapView)])
            await ann.walk(1.0, 0.0, 0.5)
            await ann.wait_until(lambda: len([m for m in ann.inbox if isinstance(m, M.SnapView)]) > before + 5)
            assert app.parks[PARK].booths["b1"] is record  # booth content, likes and staff stay
            _, _, body = await _scene(app.port, PARK)
            assert body == (cfg.scenes_dir / f"{PARK}.glb").read_bytes()  # HTTP serves the new scene
            assert pictures == [(PARK, joined.scene_hash)]  # the portal's picture, of the new scene

            # a scene that does not load changes nothing
            plans[PARK] = "broken"
            assert not await app.reloader.reload(PARK)
            assert app.parks[PARK].scene.sha256 == joined.scene_hash and ann.closed is None
            assert len(pictures) == 1  # no picture of a scene that is not live

            # a new park goes online without a restart
            plans["new-park"] = small_layout("new-park")
            assert await app.reloader.reload("new-park")
            assert pictures[-1] == ("new-park", app.parks["new-park"].scene.sha256)
            cara = await Visitor.connect(app.port)
            await cara.hello_guest("Cara")
            assert isinstance(await cara.join(park="new-park"), M.Joined)
            for v in (ann, bob, cara):
                await v.close()
        finally:
            await app.stop()
    asyncio.run(go())


async def _scene(port: int, park: str) -> tuple[int, dict[str, str], bytes]:
    from tests.server.harness import http_get

    return await http_get(port, f"/scenes/{park}.glb")


def test_an_avatar_held_for_resume_survives_a_reload_and_resumes_into_the_new_room(tmp_path: Path) -> None:
    layouts = {PARK: small_layout(PARK), OTHER_PARK: small_layout(OTHER_PARK)}
    cfg = small_config(tmp_path)
    for layout in layouts.values():
        write_scene(cfg.scenes_dir, layout)

    def rebuild(park_id: str, scenes_dir: Path) -> None:
        write_scene(scenes_dir, _walled(park_id, (20.0, 20.0, 25.0, 25.0)))

    async def go() -> None:
        app = App(cfg, layouts=layouts, rng=random.Random(5), rebuild=rebuild)
        await app.start()
        try:
            dan = await Visitor.connect(app.port)
            await dan.hello_guest("Dan")
            await dan.join(spawn="centre")
            token = dan.session.resume
            dan.ws.transport.abort()
            await dan.wait_until(lambda: dan.closed is not None)
            await dan.wait_until(lambda: len(app.presence.holds) == 1)
            assert await app.reloader.reload(PARK)
            (held_eid,) = app.parks[PARK].held
            assert held_eid in app.parks[PARK].room and app.presence.holds[token].eid == held_eid
            back = await Visitor.connect(app.port)
            session = await back.hello_guest("", resume=token)
            assert isinstance(session, M.Session) and session.resumed
            joined = await back.wait_for(lambda m: isinstance(m, M.Joined))
            assert joined.you == held_eid and joined.scene_hash == app.parks[PARK].scene.sha256
            await back.close()
        finally:
            await app.stop()
    asyncio.run(go())
