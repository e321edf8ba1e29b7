"""The Panda3D window: draws the park and everyone in it, reads keys and mouse.

One frame task does, in order: drain the network inbox (never blocks), run fixed
simulation ticks (one ``in`` message each), draw your predicted avatar and the
interpolated crowd in one batched mesh, move the camera, refresh the HUD and step a
script when one is given.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from panda3d.core import (
    Filename,
    TextNode,
    loadPrcFileData,
)

from client import avatar_model
from client.board_panel import BoardPanel
from client.booth_image import BoothImages
from client.hall_view import HallView
from client.kiosk_panel import KioskPanel
from client.link import Link, LinkStatus
from client.scene_cache import SceneError, fetch_scene
from client.scenery import Look
from client.script import Step
from client.space_panel import SpacePanel
from client.space_zones import SpaceZones
from client.stage_screen import StageScreen
from client.texts import Notice, load_texts, locale_lang
from client.visit import Visit, move_direction
from world.geometry import centroid
from world.glb import layout_from_glb
from world.layout import ParkLayout
from world.protocol import messages as M
from world.protocol.quantize import pos_from_wire
from world.showcases.reactions import KINDS

log = logging.getLogger(__name__)
STAGE_VIEW = getattr(M, "StageView", None)  # the world server's `stage` message (docs/protocol.md)
PLATES = 16  # name plates on the nearest visitors only: text is one draw call each
CAMERA_FOV = 65.0  # degrees, horizontal
LOOK_UP = 12.0  # degrees the view is raised above the line to the avatar's head


@dataclass(frozen=True, slots=True)
class ClientConfig:
    server: str = "ws://127.0.0.1:8766/ws"
    park: str | None = None
    name: str = ""  # "" = the catalogue's word for a visitor, in the client's language
    lang: str = ""  # "" = the system locale's (an account's choice wins once signed in)
    color: int | None = None
    spawn: str | None = None
    offscreen: bool = False
    software: bool = False
    script: list[Step] | None = None
    screenshot: Path | None = None
    size: tuple[int, int] = (1280, 720)
    code: str = ""  # a one-time sign-in code from the web console ("" = a guest)
    web: str = ""  # the web app's address ("" = the game server's host, port 8765): the kiosk's links open there
    stream: str = ""  # an HLS address played on the stage screen without a `stage` message (testing)


def web_address(cfg: ClientConfig) -> str:
    """The web app's address: ``cfg.web``, else the game server's host on port 8765."""
    if cfg.web:
        return cfg.web.rstrip("/")
    parts = urlsplit(cfg.server)
    scheme = "https" if parts.scheme == "wss" else "http"
    return f"{scheme}://{parts.hostname or '127.0.0.1'}:8765"


EMOTE_KEYS = ("wave", "clap", "cheer", "dance", "sit")


def configure_panda(cfg: ClientConfig) -> None:
    """Panda3D settings; must run before ShowBase is created."""
    title = load_texts().translate(cfg.lang or locale_lang(), "client.title")
    lines = [f"win-size {cfg.size[0]} {cfg.size[1]}", f"window-title {title}", "audio-library-name null",
             "sync-video false", "notify-level-device fatal", "framebuffer-multisample 0"]
    if cfg.software:
        lines.append("load-display p3tinydisplay")
    elif cfg.offscreen:
        lines += ["load-display p3headlessgl", "aux-display pandagl", "aux-display p3tinydisplay"]
    if cfg.offscreen:
        lines.append("window-type offscreen")
    loadPrcFileData("cloudpark", "\n".join(lines))


def make_step(layout: ParkLayout):  # type: ignore[no-untyped-def]
    from world.movement import apply_input
    from world.walkable import WalkGrid

    grid = WalkGrid.from_layout(layout)

    def step(x: float, y: float, yaw: float, inp: M.Input, dt: float) -> tuple[float, float, float, int]:
        return apply_input(x, y, yaw, inp, dt, grid)

    step.grid = grid  # type: ignore[attr-defined]
    return step


def build_app(cfg: ClientConfig):  # type: ignore[no-untyped-def]
    configure_panda(cfg)
    from direct.showbase.ShowBase import ShowBase

    from client.crowd_mesh import CrowdMesh, Figure, walk_phase
    from client.hud import Hud, load_font

    class ParkClient(ShowBase):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(windowType="offscreen" if cfg.offscreen else None)
            self.cfg = cfg
            self.disableMouse()
            self.camLens.setFov(CAMERA_FOV)
            self.camLens.setNearFar(0.2, 2500.0)
            self.look = Look(self, cfg.software)
            self.pbr = self.look.path == "simplepbr"
            self.look.install()
            load_font(self.loader, cfg.size[1])
            texts = load_texts()
            lang = cfg.lang or locale_lang()
            name = cfg.name or texts.translate(lang, "client.default_name")
            self.visit = Visit(name, want_park=cfg.park, color=cfg.color, spawn=cfg.spawn, lang=lang)
            self.link = Link(cfg.server, name, cfg.color, code=cfg.code or None)
            if cfg.code:
                self.visit.code = "sending"  # --code: its refusal is told as one typed into the panel
            self.images = BoothImages(cfg.server)
            self.hud = Hud(self, self.visit, self.choose_park, self.chat, self.like, self.card, self.emote,
                           images=self.images, texts=texts, on_lang=self.switch_lang, on_code=self.sign_in_with_code)
            self.crowd = CrowdMesh(avatar_model.load(), self.render, 64, linear=self.look.linear)
            self.zones = SpaceZones(self.render, texts, self.look.display_colour)
            self.kiosk_panel = KioskPanel(self, self.visit, texts.translate)
            self.space_panel = SpacePanel(self, self.visit, texts.translate)
            # the showcase's stream on the scene's stage screen (decoded on its own thread)
            self.stage = StageScreen(self.render, lambda key, **p: texts.translate(self.visit.lang, key, **p),
                                     lambda: self.visit.lang, linear=self.look.linear,
                                     resolve=lambda url: urljoin(web_address(cfg) + "/", url))
            self.stream_started = False
            self.clock_pings: list[float] = []  # when to ask the server's time (self.t)
            # which hall of the park (overflow halls), reactions and their bursts
            self.hall = HallView(self.aspect2d, lambda key, **p: texts.translate(self.visit.lang, key, **p),
                                 lambda: self.visit.lang, time.time)
            # the event's questions and polls: "?..." in chat asks, Ctrl+n upvotes, Alt+n votes
            self.board = BoardPanel(self, lambda key, **p: texts.translate(self.visit.lang, key, **p),
                                    lambda: not self.visit.signed_in)
            self.scene_np = None
            self.scene_hash = ""
            self.loading: threading.Thread | None = None
            self.load_done: queue.SimpleQueue[tuple[str, Path | str, str]] = queue.SimpleQueue()
            self.load_progress = 0.0
            self.grid = None
            self.phases: dict[int, float] = {}
            self.my_phase = 0.0
            self.plates = [self._plate() for _ in range(PLATES)]
            self.cam_heading, self.cam_pitch, self.cam_distance = 0.0, math.radians(20), 7.5
            self.keys: dict[str, bool] = {}
            self.run_toggle = False
            self.acc = 0.0
            self.t = 0.0
            self.fps = 0.0
            self._last_mouse: tuple[float, float] | None = None
            self.script = list(cfg.script or [])
            self.script_i = 0
            self.script_t0: float | None = None
            self.script_move: tuple[float, float, bool] | None = None
            self._stuck = 0
            self._detour = 0  # frames left sliding sideways around an obstacle (sign = side)
            self.exit_code: int | None = None
            self.shown_start = False
            self._bind_keys()
            if cfg.server:
                self.link.start()
            self.taskMgr.add(self._frame, "cloudpark-frame")

        # --- setup -----------------------------------------------------------------

        def _plate(self):  # type: ignore[no-untyped-def]
            text = TextNode("plate")
            text.setAlign(TextNode.ACenter)
            text.setTextColor(1, 1, 1, 1)
            text.setShadow(0.05, 0.05)
            text.setCardColor(0, 0, 0, 0.4)
            text.setCardAsMargin(0.15, 0.15, 0.05, 0.05)
            text.setCardDecal(True)  # the text drawn on its card, not depth-fighting with it
            np_ = self.render.attachNewNode(text)
            np_.setBillboardPointEye()
            np_.setScale(0.28)
            np_.setLightOff()
            np_.setShaderOff()
            np_.hide()
            return np_

        def _bind_keys(self) -> None:
            for key in ("w", "a", "s", "d", "arrow_up", "arrow_down", "arrow_left", "arrow_right", "shift",
                        "mouse3", "mouse1"):
                self.accept(key, self.keys.__setitem__, [key, True])
                self.accept(f"{key}-up", self.keys.__setitem__, [key, False])
            self.accept("r", self._toggle_run)
            self.accept("wheel_up", self._zoom, [-0.8])
            self.accept("wheel_down", self._zoom, [0.8])
            self.accept("enter", self._focus_chat)
            for i in range(1, 10):  # emotes 1-5; in a bookable space's zone they book its times
                self.accept(str(i), self.number_key, [i])
            self.accept("escape", self.hud.toggle_parks)
            self.accept("f1", self.hud.toggle_help)
            self.accept("f2", self.switch_lang)
            self.accept("f3", self.hud.toggle_code)
            self.accept("p", self.open_kiosk)
            self.accept("m", self.move_to_main_hall)
            self.accept("c", self.check_in)  # in a space's zone, with one of your bookings open for check-in
            for key, kind in zip(("f5", "f6", "f7", "f8", "f9"), KINDS, strict=True):
                self.accept(key, self.react, [kind])
            for i in range(1, 10):
                self.accept(f"control-{i}", lambda n: self.send(self.board.keys.upvote(n)), [i])
                self.accept(f"alt-{i}", lambda n: self.send(self.board.keys.vote(n)), [i])

        def move_to_main_hall(self) -> None:
            """M in an overflow hall while a seat in the main hall is offered: move there."""
            if not self.hud.typing:
                self.send(self.hall.move())

        def react(self, kind: str) -> None:
            if not self.hud.typing:
                self.send(self.hall.state.react(kind))

        def _toggle_run(self) -> None:
            if not self.hud.typing:
                self.run_toggle = not self.run_toggle

        def _zoom(self, d: float) -> None:
            self.cam_distance = min(25.0, max(2.5, self.cam_distance + d))

        def _focus_chat(self) -> None:
            if not self.hud.typing:
                self.hud.chat_entry["focus"] = 1

        # --- actions (from HUD and script) -----------------------------------------

        def send(self, msg: object | None) -> None:
            if msg is not None:
                self.link.send(msg)  # type: ignore[arg-type]

        def open_kiosk(self) -> None:
            """P at the policy kiosk: the enterprise's policies (or the search) on the web app."""
            data = self.visit.kiosk
            if data is None or self.hud.typing:
                return
            url = web_address(cfg) + str(data.get("url") or "/policies")
            log.info("kiosk: opening %s", url)
            if not cfg.offscreen:
                webbrowser.open(url)

        def choose_park(self, park_id: str) -> None:
            self.send(self.visit.join(park_id))

        def chat(self, ch: str, text: str) -> None:
            ask = self.board.keys.ask(text)  # "?..." while an event is on the stage: a question
            self.send(ask if ask is not None else self.visit.say(ch, text))

        def like(self) -> None:
            self.send(self.visit.like())

        def card(self, name: str, email: str, consent: bool) -> None:
            self.send(self.visit.card(name, consent, email=email))

        def number_key(self, n: int) -> None:
            if self.hud.typing:
                return
            if self.visit.space_choices():
                self.book_slot(n)
            elif n <= len(EMOTE_KEYS):
                self.emote(EMOTE_KEYS[n - 1])

        def book_slot(self, n: int) -> None:
            """Book the ``n``-th time the space panel shows (the same rules as the web)."""
            ask = self.visit.book_slot(n)
            if ask is not None:
                log.info("space: booking %s %d min", ask.start, ask.minutes)
                self.send(ask)

        def check_in(self) -> None:
            """Check in at the space whose zone the avatar stands in (its panel says when it may)."""
            if self.hud.typing:
                return
            ask = self.visit.check_in()
            if ask is not None:
                log.info("space: checking in booking %d", ask.booking)
                self.send(ask)

        def emote(self, name: str) -> None:
            if not self.hud.typing:
                self.send(self.visit.set_emote(name))

        def switch_lang(self, lang: str | None = None) -> None:
            """The other language now (the HUD redraws on its next update); an account's
            choice is stored on the server, so the web and the other client follow."""
            self.send(self.visit.switch_lang(lang))
            self.visit.notices.append(Notice.of("client.lang.changed"))
            log.info("language: %s", self.visit.lang)

        def sign_in_with_code(self, typed: str) -> None:
            """A code typed into the sign-in panel: the link starts a session with it (the
            person the code was made for); a refused code leaves things as they were."""
            code = self.visit.use_code(typed)
            if code is not None:
                self.link.sign_in_with_code(code)

        # --- scene -----------------------------------------------------------------

        def _want_scene(self, joined: M.Joined) -> None:
            if joined.scene_hash == self.scene_hash or self.loading is not None:
                return  # already drawn (Visit seated the avatar) or on its way
            self.load_progress = 0.0

            def work() -> None:
                try:
                    path = fetch_scene(cfg.server, joined.scene, joined.scene_hash,
                                       progress=lambda f: setattr(self, "load_progress", f))
                    self.load_done.put(("ok", path, joined.scene_hash))
                except SceneError as exc:
                    self.load_done.put(("error", str(exc), joined.scene_hash))

            self.loading = threading.Thread(target=work, name="scene-download", daemon=True)
            self.loading.start()

        def _finish_scene(self, path: Path, sha: str) -> None:
            layout = layout_from_glb(path.read_bytes())
            if self.scene_np is not None:
                self.scene_np.removeNode()
            model = self.loader.loadModel(Filename.fromOsSpecific(str(path)), noCache=True)
            model.reparentTo(self.render)
            self.look.prepare(model)
            self.stage.attach(model)  # out of the flatten, which would merge the screen away
            model.flattenStrong()
            self.scene_np = model
            self.scene_hash = sha
            self.visit.layout = layout
            self.grid = make_step(layout)
            self.hud.set_map(layout)
            if self.visit.joined is not None and self.visit.joined.park == layout.park_id:
                self.visit.seat(self.grid)

        # --- the frame -------------------------------------------------------------

        def _frame(self, task):  # type: ignore[no-untyped-def]
            dt = min(globalClock.getDt(), 0.25)  # noqa: F821 - Panda3D builtin
            self.t += dt
            self.fps = 0.9 * self.fps + 0.1 * (1.0 / dt if dt > 0 else 0.0)
            self._network()
            self._loading()
            self._simulate(dt)
            self._draw(dt)
            self.stage.update()  # the newest decoded frame into the screen's texture
            self.hall.update(dt)
            self.board.sync()
            self._script()
            if self.exit_code is not None:
                self.stage.stop()
                self.link.close()
                self.userExit()
            return task.cont

        def _network(self) -> None:
            now = self.t
            for _ in range(1000):
                try:
                    msg = self.link.inbox.get_nowait()
                except queue.Empty:
                    break
                if isinstance(msg, LinkStatus):
                    if msg.state == "disconnected":
                        log.info("link: disconnected, reconnecting")
                        self.visit.disconnected()
                    continue
                for out in self.visit.handle(msg, now, step_for=lambda _layout: self.grid):
                    self.send(out)
                self.hall.handle(msg)
                self.board.handle(msg)
                if isinstance(msg, M.Joined):
                    log.info("joined %s as eid %d at (%.2f, %.2f)", msg.park, msg.you,
                             pos_from_wire(msg.x), pos_from_wire(msg.y))
                    self._want_scene(msg)
                    # the stage screen's common clock: the server's time from a few pings
                    self.clock_pings = [self.t + d for d in (0.3, 1.3, 2.6)]
                    if cfg.stream and not self.stream_started:
                        self.stream_started = True
                        self.stage.play({"state": "live", "url": cfg.stream})
                elif isinstance(msg, M.Pong):
                    self.stage.clock_sample(msg.c, msg.s, time.time())
                elif STAGE_VIEW is not None and isinstance(msg, STAGE_VIEW):
                    # the park's stage; with --stream a stage without an event leaves the test stream on
                    if not (cfg.stream and not msg.event) and msg.stage in ("", "main"):
                        self.stage.play(msg)
                elif isinstance(msg, M.Parks) and self.visit.want_park is None and not self.shown_start:
                    self.shown_start = True
                    self.hud.show_parks(start=True)
            for out in self.visit.update(now):
                self.send(out)
            if self.clock_pings and now >= self.clock_pings[0] and self.visit.in_park:
                self.clock_pings.pop(0)
                if not self.clock_pings:
                    self.clock_pings.append(now + 60.0)  # then one a minute
                self.send(M.Ping(c=time.time()))

        def _loading(self) -> None:
            if self.loading is None:
                return
            try:
                kind, value, sha = self.load_done.get_nowait()
            except queue.Empty:
                self.hud.show_progress(self.hud.t("client.loading"), self.load_progress)
                return
            self.loading = None
            self.hud.hide_progress()
            if kind == "ok":
                self._finish_scene(Path(value), sha)
            else:
                log.warning("scene: %s", value)
                self.visit.notices.append(Notice.of("client.notice.scene_failed", detail=str(value)))

        def _intent(self) -> tuple[float, float, bool]:
            if self.script_move is not None:
                return self.script_move
            if self.hud.typing:
                return 0.0, 0.0, False
            k = self.keys
            fwd = float(k.get("w") or k.get("arrow_up") or 0) - float(k.get("s") or k.get("arrow_down") or 0)
            right = float(k.get("d") or k.get("arrow_right") or 0) - float(k.get("a") or k.get("arrow_left") or 0)
            mx, my = move_direction(fwd, right, self.cam_heading)
            return mx, my, self.run_toggle != bool(k.get("shift"))

        def _simulate(self, dt: float) -> None:
            v = self.visit
            if not v.in_park:
                self.acc = 0.0
                return
            self.acc += dt
            tick = v.tick_dt
            while self.acc >= tick:
                self.acc -= tick
                mx, my, run = self._intent()
                yaw = math.atan2(my, mx) if (mx or my) else v.predictor.yaw  # type: ignore[union-attr]
                self.send(v.tick(mx, my, yaw, run))
            v.predictor.advance(dt)  # type: ignore[union-attr]

        def _draw(self, dt: float) -> None:
            v = self.visit
            figures = []
            me = None
            if v.predictor is not None:
                me = v.predictor.render_pose(self.acc / v.tick_dt)
                moving = v.predictor.anim in (1, 2)
                self.my_phase = walk_phase(self.my_phase, (6.0 if v.predictor.anim == 2 else 2.0) if moving else 0, dt)
                anim = v.predictor.anim if moving or v.emote == "none" else _emote_anim(v.emote)
                rgb = v.session.user.color if v.session else 0x3080FF
                figures.append(Figure(me.x, me.y, me.yaw, anim, self.my_phase, rgb))
            remotes = v.crowd.render(self.t) if v.crowd is not None else []
            for r in remotes:
                ph = self.phases[r.eid] = walk_phase(self.phases.get(r.eid, r.eid * 0.7), r.speed or 1.0, dt)
                figures.append(Figure(r.x, r.y, r.yaw, r.anim, ph, r.rgb))
            self.crowd.update(figures)
            if len(self.phases) > 4 * len(remotes) + 64:
                live = {r.eid for r in remotes}
                self.phases = {k: p for k, p in self.phases.items() if k in live}
            # name plates on the nearest
            if me is not None:
                remotes.sort(key=lambda r: (r.x - me.x) ** 2 + (r.y - me.y) ** 2)
            for plate, r in zip(self.plates, remotes, strict=False):
                plate.node().setText(r.name)
                plate.setPos(r.x, r.y, 2.0)
                plate.show()
            for plate in self.plates[len(remotes):]:
                plate.hide()
            if self.zones.update(v.layout, v.spaces, v.lang) and self.zones.drawn:
                log.info("space zones: %s", " | ".join(f"{k}: {w}" for k, w in sorted(self.zones.drawn.items())))
            if me is not None:
                self._camera(me.x, me.y, dt)
            if v.predictor is not None:
                self.send(v.kiosk_step(v.predictor.x, v.predictor.y))  # the policy kiosk: asked on arrival
                self.send(v.space_step(v.predictor.x, v.predictor.y, self.t))  # a bookable space: its free times
            self.kiosk_panel.sync()
            self.space_panel.sync()
            self.hud.update(me.x if me else None, me.y if me else None, self.fps)

        def _camera(self, x: float, y: float, dt: float) -> None:
            if self.mouseWatcherNode is not None and self.mouseWatcherNode.hasMouse() and (self.keys.get("mouse3") or self.keys.get("mouse1")):
                m = self.mouseWatcherNode.getMouse()
                if self._last_mouse is not None:
                    self.cam_heading -= (m.x - self._last_mouse[0]) * 3.0
                    self.cam_pitch = min(1.3, max(0.05, self.cam_pitch + (m.y - self._last_mouse[1]) * 2.0))
                self._last_mouse = (m.x, m.y)
            else:
                self._last_mouse = None
            dist = self._clear_distance(x, y)
            back = dist * math.cos(self.cam_pitch)
            cx = x - math.cos(self.cam_heading) * back
            cy = y - math.sin(self.cam_heading) * back
            cz = 1.6 + dist * math.sin(self.cam_pitch)
            self.camera.setPos(cx, cy, cz)
            self.camera.lookAt(x, y, 1.4)
            # Aim a little above the avatar: it stands in the lower part of the picture and
            # the view reaches the buildings and the sky (the pitch only sets the height).
            self.camera.setP(self.camera.getP() + LOOK_UP * min(1.0, self.cam_pitch / math.radians(20)))

        def _clear_distance(self, x: float, y: float) -> float:
            """Pull the camera in so it never sits inside a building (the walk grid's holes)."""
            grid = getattr(self.grid, "grid", None)
            want = self.cam_distance
            if grid is None or self.cam_pitch > 0.9:
                return want
            c, s = math.cos(self.cam_heading), math.sin(self.cam_heading)
            d = 0.5
            while d < want:
                back = d * math.cos(self.cam_pitch)
                height = 1.6 + d * math.sin(self.cam_pitch)
                if height < 8.0 and not grid.contains(x - c * back, y - s * back):
                    return max(1.5, d - 0.5)
                d += 0.5
            return want

        # --- scripted sessions -----------------------------------------------------

        def _script(self) -> None:
            if not self.script or self.script_i >= len(self.script):
                if self.script and self.exit_code is None:
                    self.exit_code = 0
                return
            v = self.visit
            if not v.in_park:
                return
            step = self.script[self.script_i]
            if self.script_t0 is None:
                self.script_t0 = self.t
                if step.do == "camera":
                    self.cam_heading = math.radians(step.num("heading", math.degrees(self.cam_heading)))
                    if step.args.get("face") == "visitor":
                        self._face_nearest_visitor(step.num("offset", 0.0))
                    self.cam_pitch = math.radians(step.num("pitch", math.degrees(self.cam_pitch)))
                    self.cam_distance = step.num("distance", self.cam_distance)
            elapsed = self.t - self.script_t0
            if elapsed < step.num("at", 0.0):
                return
            elapsed -= step.num("at", 0.0)
            done = True
            timeout = step.num("timeout", 30.0)
            if step.do == "move":
                mx, my = step.args["dir"]
                self.script_move = (float(mx), float(my), bool(step.args.get("run", False)))
                done = elapsed >= step.num("for", 1.0)
            elif step.do == "walk_to":
                done = self._steer(step) or elapsed > timeout
            elif step.do == "wait_booth":
                done = v.booth is not None or elapsed > timeout
                if v.booth is not None:
                    log.info("booth panel open: %s", v.booth.id)
                    log.info("booth panel text: %s", " | ".join(self.hud.booth_texts()))
            elif step.do == "wait_kiosk":
                done = v.kiosk is not None or elapsed > timeout
                if v.kiosk is not None:
                    self.kiosk_panel.sync()
                    log.info("kiosk panel text: %s", " | ".join(self.kiosk_panel.lines))
            elif step.do == "wait_space":  # until the space panel has its free times (or a refusal), or a result
                want = str(step.args.get("until", "offer"))
                ready = v.space_result is not None if want == "result" else v.space_check is not None if (
                    want == "checked") else (v.space_offer is not None or bool(v.space_refusal))
                done = ready or elapsed > timeout
                if ready:
                    self.space_panel.sync()
                    log.info("space panel text: %s", " | ".join(self.space_panel.lines))
            elif step.do == "book":
                self.book_slot(int(step.num("slot", 1)))
            elif step.do == "check_in":
                self.check_in()
            elif step.do == "stage":  # what a `stage` message would say
                self.stage.play(step.args)
            elif step.do == "replay":
                self.stage.replay()
            elif step.do == "wait_stage":
                want = str(step.args.get("shown", "video"))
                done = self.stage.shown == want or elapsed > timeout
                if done:
                    box = self.stage.screen_box(self.cam, self.camLens, (self.win.getXSize(), self.win.getYSize()))
                    log.info("stage screen state: %s at %s", self.stage.state(), box)
            elif step.do == "wait_images":
                done = self.hud.images_settled() or elapsed > timeout
            elif step.do == "wait_visitors":
                done = (v.crowd is not None and len(v.crowd.tracks) >= step.num("count", 1)) or elapsed > timeout
            elif step.do == "wait":
                done = elapsed >= step.num("for", 1.0)
            elif step.do == "emote":
                self.emote(str(step.args.get("name", "wave")))
            elif step.do == "chat":
                self.chat(str(step.args.get("ch", "near")), str(step.args.get("text", "")))
            elif step.do == "like":
                self.like()
            elif step.do == "card":
                self.card(str(step.args.get("name", cfg.name)), str(step.args.get("email", "")), True)
            elif step.do == "lang":
                self.switch_lang(str(step.args.get("to", "")) or None)
            elif step.do == "help":
                self.hud.toggle_help()
            elif step.do == "screenshot":
                self.screenshot_to(str(step.args.get("name", f"step{step.index}")))
            elif step.do == "quit":
                self.exit_code = 0
            elif step.do == "drop":
                p = v.predictor
                log.info("script: dropping the connection at (%.2f, %.2f) as eid %d",
                         p.x if p else 0.0, p.y if p else 0.0, v.joined.you if v.joined else -1)
                self.link.drop()
            if done:
                self.script_move = None
                self.script_i += 1
                self.script_t0 = None

        def _face_nearest_visitor(self, offset_deg: float) -> None:
            """Turn the camera so the nearest other visitor is ahead, ``offset_deg`` off centre."""
            v = self.visit
            if v.predictor is None or v.crowd is None:
                return
            others = v.crowd.render(self.t)
            if not others:
                return
            px, py = v.predictor.x, v.predictor.y
            r = min(others, key=lambda o: (o.x - px) ** 2 + (o.y - py) ** 2)
            self.cam_heading = math.atan2(r.y - py, r.x - px) + math.radians(offset_deg)

        def _steer(self, step: Step) -> bool:
            v = self.visit
            assert v.predictor is not None
            if "booth" in step.args and v.layout is not None:
                booth_id = str(step.args["booth"])
                if booth_id == "nearest":
                    px, py = v.predictor.x, v.predictor.y
                    booth_id = min(v.layout.booths, key=lambda b: (b.x - px) ** 2 + (b.y - py) ** 2).id
                    step.args["booth"] = booth_id  # keep the choice for the following frames
                if v.booth is not None and v.booth.id == booth_id:
                    self.script_move = None
                    return True
                slot = next((b for b in v.layout.booths if b.id == booth_id), None)
                if slot is None:
                    v.notices.append(Notice.of("client.notice.no_booth", id=booth_id))
                    return True
                tx, ty = centroid(slot.zone)
            else:
                tx, ty = step.num("x", 0.0), step.num("y", 0.0)
            dx, dy = tx - v.predictor.x, ty - v.predictor.y
            dist = math.hypot(dx, dy)
            if dist < 0.3:
                self.script_move = None
                return "booth" not in step.args
            f = min(1.0, dist / 0.6)
            ux, uy = dx / dist, dy / dist
            # Straight line first; when a wall stops us, slide sideways for a while.
            here = (round(v.predictor.x, 2), round(v.predictor.y, 2))
            self._stuck = self._stuck + 1 if here == getattr(self, "_last_here", None) else max(0, self._stuck - 1)
            self._last_here = here
            if self._stuck > 3:
                self._detour = 40 * (1 if self._detour >= 0 else -1) * -1
                self._stuck = 0
            if self._detour:
                side = 1.0 if self._detour > 0 else -1.0
                ux, uy = -uy * side, ux * side
                self._detour -= int(side)
            self.script_move = (ux * f, uy * f, False)
            self.cam_heading = math.atan2(dy, dx)
            return False

        def screenshot_to(self, name: str) -> Path | None:
            if cfg.screenshot is None:
                return None
            cfg.screenshot.mkdir(parents=True, exist_ok=True)
            path = cfg.screenshot / f"{name}.png"
            self.graphicsEngine.renderFrame()
            self.graphicsEngine.renderFrame()
            self.win.saveScreenshot(Filename.fromOsSpecific(str(path)))
            log.info("screenshot %s", path)
            return path

    return ParkClient()


def _emote_anim(name: str) -> int:
    from world.protocol.constants import EMOTES

    return int(EMOTES.get(name, 0))


def run(cfg: ClientConfig, max_seconds: float | None = None) -> int:
    app = build_app(cfg)
    if max_seconds is not None:
        app.taskMgr.doMethodLater(max_seconds, lambda task: setattr(app, "exit_code", 3), "deadline")
    try:
        app.run()
    except SystemExit:
        pass
    return app.exit_code if app.exit_code is not None else 0
