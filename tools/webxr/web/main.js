// The browser client: loads the exported park, joins it on the world server, and runs
// one loop for desktop, phone, VR and AR. `window.cloudpark` is a read-mostly hook
// for tests and curious visitors.
import { World } from "./world.js";
import { Connection, msg, serverUrl, posFromWire, yawFromWire, wrapYaw } from "./net.js";
import { Controls } from "./controls.js";
import { Prediction } from "./motion.js";
import { BoothPanel } from "./booth.js";
import { AccountPanel, savedGuestName, savedLogin } from "./account.js";
import { Hud } from "./hud.js";
import { XRMode } from "./xr.js";
import { Notices, webTicket } from "./notices.js";
import { Scenery } from "./scene.js";
import { SpaceZones } from "./spaces.js";
import { KioskPanel } from "./kiosk.js";
import { SpacePanel } from "./space_panel.js";
import { ShowcaseHall } from "./hall.js";
import { StageBoard } from "./board.js";
import { StageScreen } from "./stage_screen.js";
import { setTexts, setLang, pickLang, getLang, rememberLang, t, missing, LANGS } from "./i18n.js";

const CAMERA_DISTANCE = 5;
const EYE_HEIGHT = 1.6;
const KEEPALIVE_MS = 20000; // well inside the server's idle timeout (60 s)
const TURN_EPSILON = 0.01; // radians of heading change worth telling the server

function guestName(query) {
  const asked = (query.get("name") || "").trim().slice(0, 32);
  return asked || savedGuestName() || t("web3d.guest_name", { n: Math.floor(1000 + Math.random() * 9000) });
}

async function main() {
  const config = JSON.parse(document.getElementById("cloudpark-config").textContent);
  const query = new URLSearchParams(location.search);
  setTexts(config.texts);
  setLang(pickLang(query.get("lang") || config.lang, navigator.languages || [navigator.language]));
  document.documentElement.lang = getLang() === "zh" ? "zh-CN" : "en";
  const canvas = document.getElementById("view");
  const world = new World(canvas);
  const app = { world, config, frames: 0, firstRenderMs: null, snaps: 0 };
  window.cloudpark = app;
  const url = serverUrl(config.server, location);
  // The scene follows the world server's: a rebuilt park is swapped in on its `joined`.
  app.scenery = new Scenery(world, {
    wsUrl: url, park: config.park,
    onSwap: (l) => { app.layout = l; app.prediction.layout = l; app.spaces.redraw(); app.stage.attach(); }, // zones of the new layout
  });
  const layout = await app.scenery.start(config, document.getElementById("fatal"));
  // The stage screen: the showcase's stream (the world server's `stage` message; `?stream=<hls url>`
  // plays it without one, for testing). A relative `hls` is a path on the web app: this page's
  // origin when the web app served it (it fills in `web_session`), else the same host's port
  // 8765 (the desktop client's rule), as from the world server's own /web/.
  const webApp = config.web_session ? location.href : `${location.protocol}//${location.hostname}:8765/`;
  app.stage = new StageScreen(world, { overlay: document.getElementById("overlay"), base: webApp });
  app.stage.attach();
  if (query.get("stream")) app.stage.play({ state: "live", url: query.get("stream"), title: query.get("title") || "" });
  const color = lively(Math.random());
  const name = guestName(query);
  const login = savedLogin();
  const ticket = await webTicket(config.web_session); // signed in on the web: enter as yourself
  const conn = new Connection({
    url, park: config.park, name, color, spawn: query.get("spawn"), token: login ? login.token : null, ticket,
  });
  const controls = new Controls(canvas);
  const prediction = new Prediction(layout);
  const spawn = layout.spawns[0] || { x: 0, y: 0, facing: Math.PI / 2 };
  prediction.reset(spawn.x, spawn.y);
  controls.heading = spawn.facing;
  Object.assign(app, { conn, controls, prediction, layout });
  // The language switch: this page at once, the browser's choice (the web app reads the same
  // cookie), and for a signed-in person the account (the web and the desktop client follow).
  const switchLang = (to) => {
    const next = LANGS.includes(to) ? to : LANGS[(LANGS.indexOf(getLang()) + 1) % LANGS.length];
    setLang(next);
    rememberLang(next);
    if (conn.user && conn.user.role !== "guest") conn.request(msg.setLang(next)).catch(() => {});
  };
  app.switchLang = switchLang;
  app.hud = new Hud(document.getElementById("hud"), conn, {
    names: { zh: config.title_zh || config.title, en: config.title }, onSwitch: () => switchLang(),
  });
  app.booth = new BoothPanel(document.getElementById("booth"), conn);
  app.notices = new Notices(document.getElementById("notices"), conn);
  app.hall = new ShowcaseHall(document.getElementById("overlay"), conn, world); // hall name, reactions and their bursts
  app.board = new StageBoard(document.getElementById("overlay"), conn); // the event's questions and polls
  app.spaces = new SpaceZones(world, conn, canvas); // bookable zones: free / taken, tap to book
  app.kiosk = new KioskPanel(document.getElementById("kiosk"), conn, { // the policy service point
    where: () => ({ x: prediction.x, y: prediction.y }), layout: () => app.layout,
  });
  app.spacePanel = new SpacePanel(document.getElementById("space"), conn, { // walk into a zone: book this space
    where: () => ({ x: prediction.x, y: prediction.y }), layout: () => app.layout, items: () => app.spaces.items,
    guest: () => !conn.user || conn.user.role === "guest",
  });
  // First visit (no saved sign-in, no guest name chosen): offer guest / log in / register.
  app.account = new AccountPanel(document.getElementById("account"), document.getElementById("who"), conn, {
    serverUrl: url, firstVisit: !ticket && !login && !query.get("name") && !savedGuestName(),
  });
  app.xr = new XRMode(app);
  // entering VR / AR is a tap: the stage's sound comes on with it (no page buttons in a headset)
  document.getElementById("xr-buttons").addEventListener("click", () => app.stage.gesture(), { capture: true });
  app.booth.onChange((view) => app.xr.showBooth(view));
  await app.xr.addButtons(document.getElementById("xr-buttons"));
  const me = world.setSelf(name, color);

  let tickMs = 50;
  let ticker = null;
  conn.on("welcome", (m) => {
    prediction.walk = m.walk_speed;
    prediction.runSpeed = m.run_speed;
    tickMs = 1000 / Math.max(1, m.tick_rate);
  });
  conn.on("session", (m) => {
    if (m.user) app.user = m.user;
    if (m.lang) { setLang(m.lang); rememberLang(m.lang); } // the account's choice follows the person
  });
  conn.on("joined", (m) => {
    app.scenery.follow(m); // another scene hash: the park was rebuilt (or the page's is stale)
    // A resumed avatar keeps its booth panel (the server does not re-send `booth` on resume);
    // a new avatar starts outside every booth.
    if (m.you !== app.you && app.booth.booth) app.booth.close();
    world.clearAvatars();
    prediction.reset(posFromWire(m.x), posFromWire(m.y));
    controls.heading = yawFromWire(m.yaw);
    app.you = m.you;
    app.hud.setOnline(1);
    clearInterval(ticker);
    // Inputs go out while the visitor moves or turns, plus one to stop; standing still
    // costs the server nothing but a ping now and then (receiving is its dear direction).
    let moving = false;
    let sentYaw = NaN;
    let lastSent = performance.now();
    ticker = setInterval(() => {
      if (!conn.joined) return;
      const dt = tickMs / 1000;
      const i = controls.intent(dt);
      const now = performance.now();
      const move = i.mx !== 0 || i.my !== 0;
      const turned = !(Math.abs(wrapYaw(controls.heading - sentYaw)) < TURN_EPSILON);
      if (move || moving || turned) {
        const s = conn.sendInput(i.mx, i.my, controls.heading, i.run);
        prediction.apply({ s, mx: i.mx, my: i.my, run: i.run, dt });
        sentYaw = controls.heading;
        lastSent = now;
      } else if (now - lastSent > KEEPALIVE_MS) {
        conn.sendRaw(msg.ping(Date.now() / 1000));
        lastSent = now;
      }
      moving = move;
    }, tickMs);
  });
  // The park's stage (live / interrupted / ended / scheduled / none), sent after `joined` and on
  // every change; with `?stream=` a stage without an event does not stop the test stream.
  conn.on("stage", (m) => {
    if (query.get("stream") && !m.event) return;
    if (!m.stage || m.stage === "main") app.stage.play(m); // one stage screen per scene today
  });
  // The stage screen's common clock: the world server's time from a few pings after joining
  // and one a minute (the quickest round trip wins).
  let clockPings = null;
  conn.on("joined", () => {
    clearInterval(clockPings);
    const ping = () => { if (conn.joined) conn.sendRaw(msg.ping(Date.now() / 1000)); };
    [300, 1300, 2600].forEach((ms) => setTimeout(ping, ms));
    clockPings = setInterval(ping, 60000);
  });
  conn.on("pong", (m) => app.stage.clockSample(m.c, m.s, Date.now() / 1000));
  conn.on("snap", (m) => {
    app.snaps += 1;
    world.applySnapshot(m, performance.now());
    prediction.reconcile(m.a, posFromWire(m.p[0]), posFromWire(m.p[1]));
    app.hud.setOnline(world.avatars.size + 1);
  });
  conn.on("status", (s) => {
    document.body.dataset.net = s.state;
    if (s.state === "reconnecting" || s.state === "closed") {
      clearInterval(ticker);
      world.clearAvatars();
      if (s.state === "closed" && app.booth.booth) app.booth.close();
    }
  });
  conn.open();
  // Leaving the page ends the session at once (close 1000) instead of leaving an avatar
  // held for the resume window.
  window.addEventListener("pagehide", () => conn.close());
  window.addEventListener("pageshow", (e) => { if (e.persisted) conn.open(); });

  app.resize = () => world.resize(window.innerWidth, window.innerHeight);
  window.addEventListener("resize", app.resize);
  app.resize();

  let last = performance.now();
  world.renderer.setAnimationLoop((time, frame) => {
    const now = performance.now();
    const dt = Math.min(0.1, (now - last) / 1000);
    last = now;
    // Show your own avatar a touch smoothed towards the predicted position.
    const k = Math.min(1, dt * 15);
    me.place(me.x + (prediction.x - me.x) * k, me.y + (prediction.y - me.y) * k, controls.heading, 0, now);
    world.update(now, dt);
    if (frame) app.xr.onFrame(frame, dt);
    else placeCamera(world, me, controls);
    me.node.visible = app.xr.mode !== "vr";
    world.render();
    app.renderedAt = Date.now(); // the wall clock of the picture on the canvas (stage screen sync tests)
    app.frames += 1;
    if (app.firstRenderMs === null) {
      app.firstRenderMs = Math.round(performance.now());
      document.body.dataset.ready = "1";
    }
  });

  app.setHeading = (h) => { controls.heading = h; };
  app.state = () => ({
    net: conn.state,
    you: app.you ?? null,
    self: { x: prediction.x, y: prediction.y, heading: controls.heading },
    avatars: [...world.avatars.values()].map((a) => ({ eid: a.eid, name: a.name, x: a.x, y: a.y })),
    booth: app.booth.booth ? app.booth.booth.id : null,
    spaces: app.spaces.state(),
    kiosk: app.kiosk.state(),
    spacePanel: app.spacePanel.state(),
    user: conn.user ? { ...conn.user } : null,
    lang: getLang(),
    missingTexts: [...missing],
    frames: app.frames,
    snaps: app.snaps,
    scene: app.scenery.state(),
    hall: app.hall.state(),
    board: app.board.state(),
    stage: app.stage.state(),
    xr: { mode: app.xr.mode, frames: app.xr.frames, placed: app.xr.placed,
      park: world.parkRoot.position.toArray(), scale: world.parkRoot.scale.x, visible: world.parkRoot.visible,
      panel: !!app.xr.panel, teleport: app.xr.teleportTarget },
  });
}

/** A saturated, mid-light colour for hue `h` in [0, 1) (random greys and browns vanish on paving). */
function lively(h) {
  const s = 0.7;
  const l = 0.5;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h * 12) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return (f(0) << 16) | (f(8) << 8) | f(4);
}

function placeCamera(world, me, controls) {
  const h = controls.heading;
  const p = controls.pitch;
  const cx = me.x - Math.cos(h) * CAMERA_DISTANCE * Math.cos(p);
  const cy = me.y - Math.sin(h) * CAMERA_DISTANCE * Math.cos(p);
  const cz = EYE_HEIGHT + 0.6 - Math.sin(p) * CAMERA_DISTANCE;
  world.rig.position.set(0, 0, 0);
  world.camera.position.set(cx, cz, -cy);
  // Look past your avatar (over its shoulder) so the park ahead fills the view.
  world.camera.lookAt(me.x + Math.cos(h) * 4, EYE_HEIGHT, -(me.y + Math.sin(h) * 4));
}

main().catch((err) => {
  const box = document.getElementById("fatal");
  box.hidden = false;
  box.textContent = t("web3d.start_failed", { detail: err.message });
  // eslint-disable-next-line no-console
  console.error(err);
});
