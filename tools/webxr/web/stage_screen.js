// The stage screen: the showcase's HLS stream played by hls.js into a hidden <video>, shown
// as a three.js VideoTexture on the scene's `stage_screen` mesh (the same mesh in VR), with
// positional sound from the video that fades with distance from the stage.
//
// Every viewer aims at the same moment of the stream: hls.js knows the source's wall clock
// of the picture being shown (EXT-X-PROGRAM-DATE-TIME, `hls.playingDate`), so the delay
// behind the source is `now - playingDate`. A common target delay (TARGET_DELAY_S) is held
// by nudging the playback rate within 0.95..1.05 and, when more than SEEK_OVER_S off, by
// seeking. A late joiner starts at hls.js's live sync point, close to the live edge.
//
// States (the world server's `stage` message, or `play()` from tests and `?stream=`):
// live: the stream; interrupted: a "stream interrupted" card while the stream is retried;
// ended: a card, and the replay (VOD) on demand; scheduled / none: the event's title card
// (none without a title: the scene's own idle picture).
import * as THREE from "three";
import Hls from "hls.js/light";
import { t, onLang, getLang } from "./i18n.js";

export const TARGET_DELAY_S = 3.5; // behind the source clock: 1 s segments, a live sync point 2 s from the end
const SEEK_OVER_S = 1.0; // further off than this: seek instead of nudging the rate
const RATE_SPAN = 0.05; // playbackRate stays within 1 +- this
const RATE_GAIN = 0.1; // per second of error (0.5 s off -> the full 5 %)
const DEAD_BAND_S = 0.04;
const SYNC_MS = 250;
const RETRY_MS = 3000; // a failed stream is loaded again this long after its fatal error
const STALL_MS = 4000; // a live picture standing still this long: shown as interrupted
const CARD_W = 1024;
const CARD_H = 576;
const SOUND = { ref: 8, max: 80, rolloff: 1 }; // metres: full level near the stage, silent at 80 m
const STATES = new Set(["live", "interrupted", "ended", "scheduled", "none"]);

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** The stage state as the client uses it, from a `stage` message or a test's object. */
export function stageState(m) {
  const s = m && typeof m === "object" ? m : {};
  const state = STATES.has(s.state) ? s.state : "none";
  const url = typeof s.url === "string" ? s.url : (typeof s.hls === "string" ? s.hls : "");
  return { state, url, replay: typeof s.replay === "string" ? s.replay : (state === "ended" ? url : ""),
    title: typeof s.title === "string" ? s.title : "", event: s.event ?? null,
    starts: Number.isFinite(s.starts) ? s.starts : null, ends: Number.isFinite(s.ends) ? s.ends : null };
}

/** The playback rate that closes `err` seconds of delay error (positive: too far behind). */
export function nudgeRate(err) {
  if (Math.abs(err) < DEAD_BAND_S) return 1;
  return 1 + clamp(err * RATE_GAIN, -RATE_SPAN, RATE_SPAN);
}

export class StageScreen {
  /** `base`: the URL relative stream addresses resolve against (the web app / world server). */
  constructor(world, { overlay, base = location.href, targetDelay = TARGET_DELAY_S, clock = () => Date.now() } = {}) {
    this.world = world;
    this.base = base;
    this.target = targetDelay;
    this.clock = clock; // this machine's wall clock, ms
    this.offsetMs = 0; // the world server's clock minus this machine's (ping / pong), ms
    this.clockSamples = [];
    this.stage = stageState(null);
    this.mesh = null;
    this.idleMaterial = null;
    this.shown = "idle"; // video | connecting | interrupted | ended | title | idle (what the screen shows)
    this.hls = null;
    this.src = ""; // the stream loaded into hls.js
    this.mode = null; // "live" | "replay"
    this.delay = null; // seconds behind the source clock, live only
    this.seeks = 0;
    this.retries = 0;
    this.errors = [];
    this.stalled = false;
    this.lastProgress = { t: -1, at: 0 };
    this.video = document.createElement("video");
    Object.assign(this.video, { muted: true, autoplay: true, playsInline: true, loop: false, crossOrigin: "anonymous" });
    this.video.setAttribute("playsinline", "");
    this.video.hidden = true;
    document.body.append(this.video);
    this.videoTexture = new THREE.VideoTexture(this.video);
    this.videoTexture.colorSpace = THREE.SRGBColorSpace;
    this.videoTexture.flipY = false; // glTF UVs: v runs down the picture
    this.videoMaterial = new THREE.MeshBasicMaterial({ map: this.videoTexture, toneMapped: false });
    this.cardCanvas = document.createElement("canvas");
    this.cardCanvas.width = CARD_W;
    this.cardCanvas.height = CARD_H;
    this.cardTexture = new THREE.CanvasTexture(this.cardCanvas);
    this.cardTexture.colorSpace = THREE.SRGBColorSpace;
    this.cardTexture.flipY = false;
    this.cardMaterial = new THREE.MeshBasicMaterial({ map: this.cardTexture, toneMapped: false });
    this.listener = null;
    this.sound = null;
    this.soundOn = false;
    this.soundButton = this.button(overlay, "stage-sound", () => this.toggleSound());
    this.replayButton = this.button(overlay, "stage-replay", () => this.playReplay());
    this.video.addEventListener("playing", () => this.redraw());
    this.video.addEventListener("ended", () => { if (this.mode === "replay") { this.mode = null; this.redraw(); } });
    this.timer = setInterval(() => this.sync(), SYNC_MS);
    onLang(() => this.redraw());
  }

  button(overlay, id, fn) {
    const b = document.createElement("button");
    b.type = "button";
    b.id = id;
    b.className = "stage-button";
    b.hidden = true;
    b.addEventListener("click", fn);
    (overlay || document.body).append(b);
    return b;
  }

  /** Find the scene's screen (after the park, or a rebuilt one, is shown). */
  attach(model = this.world.model) {
    let mesh = null;
    if (model) {
      model.traverse((o) => { if (!mesh && o.isMesh && (o.name === "stage_screen" || (o.parent && o.parent.name === "stage_screen"))) mesh = o; });
    }
    this.mesh = mesh;
    this.idleMaterial = mesh ? mesh.material : null;
    if (mesh && this.sound) this.placeSound();
    this.redraw();
    return !!mesh;
  }

  /** Show a stage state: `{state, url (or hls), title, starts, ends, replay}`. */
  play(message) {
    this.stage = stageState(message);
    const { state, url } = this.stage;
    if ((state === "live" || state === "interrupted") && url) {
      if (this.mode !== "live" || this.src !== this.resolve(url)) this.load(url, "live");
    } else if (this.mode === "live" || (this.mode === "replay" && state !== "ended")) {
      this.unload();
    }
    this.redraw();
    return this.state();
  }

  /** The wall clock viewers agree on: the world server's (the machine that stamps the
   * stream's program date time), estimated from ping / pong: this machine's clock plus the
   * offset of the quickest of the last 8 round trips. */
  now() {
    return this.clock() + this.offsetMs;
  }

  /** A `pong`: `c` the client's send time, `s` the server's time, `at` the arrival (all s). */
  clockSample(c, s, at) {
    if (![c, s, at].every(Number.isFinite) || at < c) return;
    this.clockSamples.push({ rtt: at - c, offset: s - (c + at) / 2 });
    if (this.clockSamples.length > 8) this.clockSamples.shift();
    const best = this.clockSamples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
    this.offsetMs = best.offset * 1000;
  }

  resolve(url) {
    return new URL(url, this.base).href;
  }

  load(url, mode) {
    const src = this.resolve(url);
    const again = src === this.src && mode === this.mode; // a retry: still interrupted until it plays
    this.unload();
    this.mode = mode;
    this.src = src;
    if (!again) this.stalled = false;
    this.lastProgress = { t: -1, at: performance.now() };
    const video = this.video;
    if (!Hls.isSupported()) {
      // Safari (iOS) plays HLS natively; the delay is not known there (no program clock)
      if (video.canPlayType("application/vnd.apple.mpegurl")) {
        video.src = this.src;
        video.play().catch(() => {});
      } else {
        this.errors.push("hls.js is not supported by this browser");
      }
      return;
    }
    const live = mode === "live";
    const hls = new Hls({
      liveSyncDuration: live ? 2 : undefined, // start 2 s before the playlist's end: near the live edge
      maxLiveSyncPlaybackRate: 1, // our own rate control aims at the common target instead
      backBufferLength: 30,
      startPosition: live ? -1 : 0,
      manifestLoadingMaxRetry: 2,
      levelLoadingMaxRetry: 2,
      fragLoadingMaxRetry: 2,
    });
    this.hls = hls;
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (!data.fatal || this.hls !== hls) return;
      this.errors.push(`${data.type}: ${data.details}`);
      if (this.errors.length > 20) this.errors.shift();
      this.stalled = true;
      this.redraw();
      const src = this.src;
      const again = this.mode;
      hls.destroy();
      this.hls = null;
      // keep retrying while the stage still wants this stream
      this.retry = setTimeout(() => {
        if (this.src === src && this.mode === again && !this.hls) { this.retries += 1; this.load(src, again); }
      }, RETRY_MS);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => { video.play().catch(() => {}); });
    hls.loadSource(this.src);
    hls.attachMedia(video);
  }

  unload() {
    clearTimeout(this.retry);
    if (this.hls) { this.hls.destroy(); this.hls = null; }
    this.mode = null;
    this.src = "";
    this.delay = null;
    this.video.removeAttribute("src");
    this.video.playbackRate = 1;
    this.video.load();
  }

  /** The recording, from its start, on demand (a tap: sound may come with it). */
  playReplay() {
    const url = this.stage.replay || this.stage.url;
    if (this.stage.state !== "ended" || !url) return false;
    this.load(url, "replay");
    this.enableSound();
    this.redraw();
    return true;
  }

  /** Once per SYNC_MS: hold the common delay behind the source clock; notice a frozen picture. */
  sync() {
    const v = this.video;
    const now = performance.now();
    if (v.readyState >= 2 && v.currentTime !== this.lastProgress.t) {
      this.lastProgress = { t: v.currentTime, at: now };
      if (this.stalled && this.mode) { this.stalled = false; this.redraw(); }
    } else if (this.mode === "live" && !this.stalled && now - this.lastProgress.at > STALL_MS) {
      this.stalled = true; // the source stopped: hls.js keeps asking for the playlist
      this.redraw();
    }
    if (this.mode !== "live" || !this.hls || v.readyState < 2) return;
    const date = this.hls.playingDate;
    if (!date) return;
    this.delay = (this.now() - date.getTime()) / 1000;
    const err = this.delay - this.target; // > 0: further behind than the others aim at
    if (Math.abs(err) > SEEK_OVER_S && !v.seeking && v.seekable.length) {
      const end = v.seekable.end(v.seekable.length - 1) - 0.5;
      const start = v.seekable.start(0);
      const to = clamp(v.currentTime + err, start, end);
      if (Math.abs(to - v.currentTime) > 0.25) {
        v.currentTime = to;
        this.seeks += 1;
      }
      v.playbackRate = 1;
    } else {
      v.playbackRate = nudgeRate(err);
    }
  }

  // --- sound -------------------------------------------------------------------------

  enableSound() {
    if (!this.listener) {
      this.listener = new THREE.AudioListener();
      this.world.camera.add(this.listener);
      this.sound = new THREE.PositionalAudio(this.listener);
      this.sound.setMediaElementSource(this.video);
      this.sound.setDistanceModel("linear");
      this.sound.setRefDistance(SOUND.ref);
      this.sound.setMaxDistance(SOUND.max);
      this.sound.setRolloffFactor(SOUND.rolloff);
      this.placeSound();
    }
    this.listener.context.resume().catch(() => {});
    this.video.muted = false;
    this.soundOn = true;
    this.redraw();
  }

  /** A tap that enters VR or AR: no page buttons can be tapped in the headset, so the
   * stage's sound comes on with it while a stream is loaded. */
  gesture() {
    if (this.mode && !this.soundOn) this.enableSound();
  }

  toggleSound() {
    if (this.soundOn) {
      this.video.muted = true;
      this.soundOn = false;
      this.redraw();
    } else {
      this.enableSound();
    }
  }

  placeSound() {
    if (!this.mesh || !this.sound) return;
    const geo = this.mesh.geometry;
    if (!geo.boundingBox) geo.computeBoundingBox();
    this.mesh.add(this.sound);
    geo.boundingBox.getCenter(this.sound.position); // the middle of the screen, not the node's origin
  }

  /** Metres from the listener (the camera, in VR the headset) to the middle of the screen. */
  distance() {
    if (!this.mesh) return null;
    const geo = this.mesh.geometry;
    if (!geo.boundingBox) geo.computeBoundingBox();
    const centre = geo.boundingBox.getCenter(new THREE.Vector3());
    this.mesh.localToWorld(centre);
    const eye = this.world.camera.getWorldPosition(new THREE.Vector3());
    const scale = this.world.parkRoot.scale.x || 1;
    return centre.distanceTo(eye) / scale;
  }

  /** The level the distance model gives at the listener (1 near the stage, 0 past SOUND.max). */
  level() {
    const d = this.distance();
    if (d === null) return null;
    return clamp(1 - SOUND.rolloff * (Math.max(d, SOUND.ref) - SOUND.ref) / (SOUND.max - SOUND.ref), 0, 1);
  }

  /** Where the screen's corners are on the canvas (drawing-buffer pixels), each with its
   * texture coordinates (u, v: 0,0 is the picture's top left), for tests reading the picture. */
  rect() {
    if (!this.mesh) return null;
    const geo = this.mesh.geometry;
    const pos = geo.attributes.position;
    const uv = geo.attributes.uv;
    const size = this.world.renderer.getDrawingBufferSize(new THREE.Vector2());
    const xr = this.world.renderer.xr;
    let cam = this.world.camera;
    if (xr.isPresenting) { // the headset's view (its first eye): where the picture is drawn
      const both = xr.getCamera();
      cam = both.cameras && both.cameras.length ? both.cameras[0] : both;
      cam.matrixWorldInverse.copy(cam.matrixWorld).invert();
    } else {
      cam.updateMatrixWorld();
    }
    const corners = [];
    for (let i = 0; i < pos.count; i++) {
      const p = new THREE.Vector3().fromBufferAttribute(pos, i);
      this.mesh.localToWorld(p);
      p.project(cam);
      corners.push({ x: (p.x + 1) / 2 * size.x, y: (1 - p.y) / 2 * size.y, u: uv ? uv.getX(i) : null, v: uv ? uv.getY(i) : null });
    }
    return { width: size.x, height: size.y, corners };
  }

  // --- what the screen shows -----------------------------------------------------------

  redraw() {
    const { state, title } = this.stage;
    const ready = this.video.readyState >= 2;
    let shown;
    if (this.mode === "replay") shown = ready ? "video" : "ended";
    else if (state === "live") {
      if (this.stalled) shown = "interrupted"; // the source stopped or failed: retrying
      else shown = this.mode === "live" && ready ? "video" : "connecting";
    } else if (state === "interrupted") shown = "interrupted";
    else if (state === "ended") shown = "ended";
    else shown = title ? "title" : "idle";
    this.shown = shown;
    if (this.mesh) {
      if (shown === "video") this.mesh.material = this.videoMaterial;
      else if (shown === "idle") this.mesh.material = this.idleMaterial;
      else {
        this.drawCard(shown);
        this.mesh.material = this.cardMaterial;
      }
    }
    this.soundButton.hidden = shown !== "video";
    this.soundButton.textContent = t(this.soundOn ? "web3d.stage.mute" : "web3d.stage.tap_for_sound");
    this.replayButton.hidden = !(state === "ended" && (this.stage.replay || this.stage.url) && this.mode !== "replay");
    this.replayButton.textContent = t("web3d.stage.replay");
    document.body.dataset.stage = shown;
  }

  drawCard(kind) {
    const g = this.cardCanvas.getContext("2d");
    const grad = g.createLinearGradient(0, 0, 0, CARD_H);
    grad.addColorStop(0, kind === "interrupted" ? "#3a1d1d" : "#17233f");
    grad.addColorStop(1, kind === "interrupted" ? "#1a0c0c" : "#0b1222");
    g.fillStyle = grad;
    g.fillRect(0, 0, CARD_W, CARD_H);
    g.fillStyle = kind === "interrupted" ? "#e2553f" : "#3d7be0";
    g.fillRect(0, CARD_H - 18, CARD_W, 18);
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillStyle = "#ffffff";
    const font = (px, weight = "") => `${weight} ${px}px 'Noto Sans CJK SC', 'Noto Sans', sans-serif`;
    const { title } = this.stage;
    let line2 = "";
    if (kind === "interrupted") line2 = t("client.stage.interrupted");
    else if (kind === "ended") line2 = t(this.stage.replay || this.stage.url ? "client.stage.replay_ready" : "client.stage.ended");
    else if (this.stage.state === "scheduled" && this.stage.starts) line2 = t("client.stage.starts", { time: clock(this.stage.starts) });
    else if (kind === "connecting") line2 = t("client.stage.connecting");
    g.font = font(64, "bold");
    fitText(g, title || t("client.stage.no_event"), CARD_W / 2, CARD_H / 2 - (line2 ? 50 : 0), CARD_W - 80);
    if (line2) {
      g.font = font(44);
      g.fillStyle = kind === "interrupted" ? "#ffb4a6" : "#c8d6f0";
      fitText(g, line2, CARD_W / 2, CARD_H / 2 + 60, CARD_W - 80);
    }
    this.cardTexture.needsUpdate = true;
    this.cardKind = kind;
  }

  state() {
    const v = this.video;
    return {
      state: this.stage.state, url: this.stage.url, title: this.stage.title, event: this.stage.event,
      shown: this.shown, mode: this.mode, src: this.src, attached: !!this.mesh,
      delay: this.delay, target: this.target, rate: v.playbackRate, clockOffset: this.offsetMs / 1000, seeks: this.seeks, retries: this.retries,
      stalled: this.stalled, currentTime: v.currentTime, readyState: v.readyState,
      muted: v.muted, sound: this.soundOn, distance: this.distance(), level: this.level(),
      errors: [...this.errors],
    };
  }
}

/** A local HH:MM for epoch seconds. */
function clock(epochS) {
  return new Date(epochS * 1000).toLocaleTimeString(getLang() === "zh" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit" });
}

function fitText(g, text, x, y, width) {
  let s = String(text);
  while (s.length > 1 && g.measureText(s).width > width) s = s.slice(0, -2) + "…";
  g.fillText(s, x, y);
}
