// The showcase hall: which of the park's halls you are in (`hall`: "798 Art Zone - hall 2"),
// the offer of a seat in the main hall (a button sends `hall_move`), the reaction buttons
// while an event is on the stage (`react`), and the reactions of every hall as a burst of
// emoji rising over the stage once a second (`reactions`). The words come from the
// catalogue (`client.hall.*`, `client.react.*`); the hall's name from the server.
import * as THREE from "three";
import { msg } from "./net.js";
import { t, onLang, getLang, errorText } from "./i18n.js";

export const KINDS = ["applause", "cheer", "heart", "laugh", "wow"];
// Drawn sprites (the page must not depend on an emoji font being installed): 32 x 32 SVG.
const FACE = '<circle cx="16" cy="16" r="14" fill="#ffcc33" stroke="#c98a00" stroke-width="1.5"/>';
export const SPRITES = {
  applause: '<svg viewBox="0 0 32 32"><g fill="#ffb347" stroke="#b8621b" stroke-width="1.5">'
    + '<rect x="6" y="8" width="9" height="18" rx="4.5" transform="rotate(-18 10 17)"/>'
    + '<rect x="16" y="8" width="9" height="18" rx="4.5" transform="rotate(18 21 17)"/></g>'
    + '<g stroke="#e0561b" stroke-width="2" stroke-linecap="round"><path d="M9 4l2 3M16 2v4M23 4l-2 3"/></g></svg>',
  cheer: '<svg viewBox="0 0 32 32"><polygon points="16,2 20,12 31,12 22,19 25,30 16,23 7,30 10,19 1,12 12,12"'
    + ' fill="#ffd23f" stroke="#d18b00" stroke-width="1.5" stroke-linejoin="round"/></svg>',
  heart: '<svg viewBox="0 0 32 32"><path d="M16 28C6 20 2 15 2 10a7 7 0 0 1 14-2 7 7 0 0 1 14 2c0 5-4 10-14 18z"'
    + ' fill="#ff3b5c" stroke="#b5102f" stroke-width="1.5"/></svg>',
  laugh: `<svg viewBox="0 0 32 32">${FACE}<path d="M9 12q2.5-3 5 0M18 12q2.5-3 5 0" fill="none" stroke="#5a3a00"`
    + ' stroke-width="2" stroke-linecap="round"/><path d="M8 17h16q-1 8-8 8t-8-8z" fill="#7a2a00"/></svg>',
  wow: `<svg viewBox="0 0 32 32">${FACE}<circle cx="11" cy="12" r="2.2" fill="#5a3a00"/>`
    + '<circle cx="21" cy="12" r="2.2" fill="#5a3a00"/><ellipse cx="16" cy="22" rx="3.5" ry="4.5" fill="#7a2a00"/></svg>',
};
const MAX_SPRITES = 24; // per burst, however large the crowd
const BURST_MS = 2200;
const ON_STAGE = ["scheduled", "live", "interrupted"];
const point = new THREE.Vector3();
const STYLE = `
#hall { position: absolute; top: 8px; left: 50%; transform: translateX(-50%); background: rgba(20, 30, 40, .78);
  color: #fff; padding: 4px 12px; border-radius: 14px; font-weight: 600; display: flex; gap: 8px; align-items: center; }
#hall[hidden], #reactions[hidden], #hall [hidden] { display: none; }
#hall .hall-muted { font-weight: 400; color: #ffd24a; }
#hall .hall-move { font: inherit; font-weight: 500; border: 0; border-radius: 10px; padding: 2px 10px; background: #ffd24a; cursor: pointer; }
#reactions { position: absolute; bottom: 12px; left: 50%; transform: translateX(-50%); display: flex; gap: 6px;
  background: rgba(20, 30, 40, .55); padding: 4px 8px; border-radius: 18px; pointer-events: auto; }
#reactions button { width: 40px; height: 40px; border: 0; background: transparent; cursor: pointer; padding: 4px; }
#reactions button svg, #bursts .burst svg { width: 100%; height: 100%; display: block; }
#bursts { position: fixed; inset: 0; pointer-events: none; overflow: hidden; }
#bursts .burst { position: absolute; width: 34px; height: 34px; opacity: 0; transform: translate(-50%, 0);
  animation: cloudpark-burst ${BURST_MS}ms ease-out forwards; }
@keyframes cloudpark-burst { 0% { opacity: 0; transform: translate(-50%, 0) scale(.6); }
  15% { opacity: 1; transform: translate(-50%, -20px) scale(1.1); }
  100% { opacity: 0; transform: translate(-50%, -180px) scale(1); } }
`;

function ensureStyle() {
  if (document.getElementById("hall-style")) return;
  const style = document.createElement("style");
  style.id = "hall-style";
  style.textContent = STYLE;
  document.head.append(style);
}

/** How many sprites of each kind a burst shows: every kind that came at least one, the rest
 * shared by count, at most MAX_SPRITES. */
export function burstSprites(counts, most = MAX_SPRITES) {
  const kinds = KINDS.filter((k) => (counts[k] || 0) > 0);
  const total = kinds.reduce((n, k) => n + counts[k], 0);
  if (!total) return [];
  const out = [];
  for (const k of kinds) {
    const n = Math.max(1, Math.round((counts[k] / total) * Math.min(most, total)));
    for (let i = 0; i < n; i += 1) out.push(k);
  }
  return out.slice(0, most);
}

export class ShowcaseHall {
  constructor(overlay, conn, world) {
    this.conn = conn;
    this.world = world;
    ensureStyle();
    this.hall = null; // the last `hall` message
    this.stage = null; // the last `stage` message
    this.bursts = 0;
    this.history = []; // the last reactions counts received
    this.sprites = 0;
    this.lastCounts = null;
    this.badge = document.createElement("div");
    this.badge.id = "hall";
    this.badge.hidden = true;
    this.name = document.createElement("span");
    this.name.className = "hall-name";
    this.move = document.createElement("button");
    this.move.type = "button";
    this.move.className = "hall-move";
    this.move.hidden = true;
    this.move.addEventListener("click", () => this.moveToMain());
    this.muted = document.createElement("span");
    this.muted.className = "hall-muted";
    this.badge.append(this.name, this.muted, this.move);
    this.bar = document.createElement("div");
    this.bar.id = "reactions";
    this.bar.hidden = true;
    this.buttons = KINDS.map((kind) => {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.kind = kind;
      b.innerHTML = SPRITES[kind]; // our own constant markup
      b.addEventListener("click", () => this.react(kind));
      this.bar.append(b);
      return b;
    });
    this.layer = document.createElement("div");
    this.layer.id = "bursts";
    overlay.append(this.badge, this.bar, this.layer);
    conn.on("hall", (m) => { this.hall = m; this.render(); });
    conn.on("stage", (m) => { this.stage = m; this.render(); });
    conn.on("reactions", (m) => this.burst(m.counts || {}));
    // the event's Q&A board and polls, kept (shown by the stage's panels: `questions`, `polls`)
    this.questions = null;
    this.polls = null;
    conn.on("questions", (m) => { this.questions = m; });
    conn.on("polls", (m) => { this.polls = m; });
    onLang(() => this.render());
  }

  render() {
    const h = this.hall;
    const overflow = !!h && (h.hall > 1 || (h.halls || 1) > 1);
    const muted = !!this.stage && !!this.stage.muted;
    this.badge.hidden = !overflow && !muted;
    this.name.hidden = !overflow;
    if (h) this.name.textContent = getLang() === "en" ? h.name_en : h.name_zh;
    this.muted.hidden = !muted;
    this.muted.textContent = t("client.stage.muted");
    const offered = !!h && h.hall > 1 && (h.offer_until || 0) * 1000 > Date.now();
    this.move.hidden = !offered;
    this.move.textContent = t("client.hall.move");
    this.badge.title = offered ? t("client.hall.offer") : "";
    const on = !!this.stage && ON_STAGE.includes(this.stage.state);
    this.bar.hidden = !on;
    for (const b of this.buttons) {
      b.title = t(`client.react.${b.dataset.kind}`);
      b.setAttribute("aria-label", b.title);
    }
  }

  react(kind) {
    this.conn.request(msg.react(kind, 1)).catch((err) => this.say(errorText(err)));
  }

  moveToMain() {
    this.move.disabled = true;
    this.conn.request(msg.hallMove()).catch((err) => this.say(errorText(err))).finally(() => { this.move.disabled = false; });
  }

  say(text) { this.badge.title = text; }

  /** Where the stage's screen is on the page, in CSS pixels (null: not in front of the camera). */
  stageOnPage() {
    const stage = this.world.layout && this.world.layout.stage;
    const canvas = this.world.renderer.domElement;
    if (!stage) return null;
    point.set(stage.x, (stage.screen_height || 4) + 1, -stage.y);
    this.world.parkRoot.localToWorld(point);
    point.project(this.world.camera);
    if (point.z > 1) return null;
    const r = canvas.getBoundingClientRect();
    return { x: r.left + (point.x + 1) / 2 * r.width, y: r.top + (1 - point.y) / 2 * r.height };
  }

  burst(counts) {
    this.lastCounts = counts;
    this.history.push(counts);
    if (this.history.length > 20) this.history.shift();
    const kinds = burstSprites(counts);
    if (!kinds.length) return;
    this.bursts += 1;
    const at = this.stageOnPage() || { x: window.innerWidth / 2, y: window.innerHeight / 3 };
    kinds.forEach((kind, i) => {
      const s = document.createElement("span");
      s.className = "burst";
      s.dataset.kind = kind;
      s.innerHTML = SPRITES[kind];
      const dx = (Math.random() - 0.5) * 160;
      s.style.left = `${at.x + dx}px`;
      s.style.top = `${at.y}px`;
      s.style.animationDelay = `${(i / kinds.length) * 600}ms`;
      this.layer.append(s);
      this.sprites += 1;
      setTimeout(() => s.remove(), BURST_MS + 700);
    });
  }

  state() {
    return {
      hall: this.hall ? this.hall.hall : 0, halls: this.hall ? this.hall.halls : 0,
      name: this.name.hidden || this.badge.hidden ? "" : this.name.textContent, offer: !this.move.hidden,
      muted: !this.muted.hidden,
      reactions: !this.bar.hidden, bursts: this.bursts, sprites: this.sprites,
      shown: this.layer.childElementCount, counts: this.lastCounts, history: this.history.slice(),
      questions: this.questions ? this.questions.items.length : 0, polls: this.polls ? this.polls.items.length : 0,
    };
  }
}
