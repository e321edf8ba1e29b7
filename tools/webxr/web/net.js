// The Cloud Park wire protocol for browsers: one MessagePack map per binary websocket
// frame, tagged by key "t" (see docs/protocol.md and world/protocol/messages.py).
// `Connection` runs the session: hello -> guest -> join, inputs once per tick,
// reconnect with the resume token after a drop.
import { Encoder, decode } from "@msgpack/msgpack";

export const PROTOCOL_VERSION = 1;
export const SUBPROTOCOL = "cloudpark.v1";
export const CM_PER_M = 100;
export const YAW_UNITS = 65536;
const TAU = Math.PI * 2;

const encoder = new Encoder({ ignoreUndefined: true });

/** Bytes for one client message (a plain object with `t`). Undefined fields are left out. */
export function encodeMessage(msg) {
  if (!msg || typeof msg.t !== "string") throw new TypeError("a message needs a string `t`");
  return encoder.encode(msg);
}

/** One server frame -> a plain object with `t`; throws ProtocolError on anything else. */
export function decodeMessage(bytes) {
  let msg;
  try {
    msg = decode(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes);
  } catch (err) {
    throw new ProtocolError("malformed", String(err && err.message ? err.message : err));
  }
  if (msg === null || typeof msg !== "object" || Array.isArray(msg) || typeof msg.t !== "string") {
    throw new ProtocolError("bad_type", "a frame must hold one map with a string `t`");
  }
  return msg;
}

export class ProtocolError extends Error {
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.code = code;
  }
}

// Wire units (world/protocol/quantize.py).
export const posFromWire = (cm) => cm / CM_PER_M;
export const posToWire = (m) => Math.round(m * CM_PER_M);
export function yawFromWire(units) {
  const r = (((units % YAW_UNITS) + YAW_UNITS) % YAW_UNITS) / YAW_UNITS * TAU;
  return r >= Math.PI ? r - TAU : r;
}
export function yawToWire(rad) {
  return (((Math.round(rad / TAU * YAW_UNITS)) % YAW_UNITS) + YAW_UNITS) % YAW_UNITS;
}
/** Radians wrapped into [-pi, pi) so `in.yaw` stays within the documented range. */
export function wrapYaw(rad) {
  const r = (((rad + Math.PI) % TAU) + TAU) % TAU;
  return r - Math.PI;
}

// Client -> server messages. Defaults are left out, as the Python codec does.
export const msg = {
  hello: (resume) => ({ t: "hello", v: PROTOCOL_VERSION, client: "web", resume: resume || undefined }),
  guest: (name, color, id) => ({ t: "guest", name, color, id }),
  join: (park, id, spawn) => ({ t: "join", park, spawn, id }),
  leave: (id) => ({ t: "leave", id }),
  input: (s, mx, my, yaw, run) => ({ t: "in", s, mx: +mx, my: +my, yaw: wrapYaw(+yaw), run: !!run }),
  chat: (ch, text, booth, id) => ({ t: "chat", ch, text, booth, id }),
  like: (booth, id) => ({ t: "like", booth, id }),
  card: (booth, fields, id) => ({
    t: "card", booth, consent: fields.consent === true, name: fields.name,
    company: fields.company || undefined, email: fields.email || undefined,
    phone: fields.phone || undefined, message: fields.message || undefined, id,
  }),
  emote: (e) => ({ t: "emote", e }),
  parks: (id) => ({ t: "parks", id }),
  ping: (c) => ({ t: "ping", c }),
};

const RETRY_MS = [500, 1000, 2000, 4000, 8000];

/**
 * A session with the world server. Events (`on(type, fn)`): every server message by
 * its `t`, plus "status" ({state, detail}). Requests with an `id` resolve on the
 * matching `ok`/`error`/typed reply (`re`).
 */
export class Connection {
  constructor({ url, park, name, color, spawn, WebSocketImpl }) {
    this.url = url;
    this.park = park;
    this.spawn = spawn || null;
    this.perms = {};
    this.name = name;
    this.color = color;
    this.WebSocket = WebSocketImpl || globalThis.WebSocket;
    this.handlers = new Map();
    this.pending = new Map();
    this.nextId = 1;
    this.resume = null;
    this.welcome = null;
    this.joined = null;
    this.ws = null;
    this.attempt = 0;
    this.closed = false;
    this.state = "idle";
    this.seq = 0;
  }

  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(fn);
    return this;
  }

  emit(type, value) {
    for (const fn of this.handlers.get(type) || []) fn(value);
  }

  setState(state, detail = "") {
    this.state = state;
    this.emit("status", { state, detail });
  }

  open() {
    this.closed = false;
    this.setState("connecting", this.url);
    const ws = new this.WebSocket(this.url, SUBPROTOCOL);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.sendRaw(msg.hello(this.resume));
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data === "string") return;
      let m;
      try {
        m = decodeMessage(ev.data);
      } catch (err) {
        this.emit("status", { state: this.state, detail: `bad frame: ${err.message}` });
        return;
      }
      this.receive(m);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.joined = null;
      for (const [, p] of this.pending) p.reject(new Error("connection closed"));
      this.pending.clear();
      if (this.closed || ev.code === 4000 || ev.code === 4005 || ev.code === 4008) {
        this.setState("closed", `${ev.code} ${ev.reason || ""}`.trim());
        return;
      }
      const delay = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
      this.attempt += 1;
      this.setState("reconnecting", `in ${delay} ms (close ${ev.code})`);
      setTimeout(() => { if (!this.closed) this.open(); }, delay);
    };
    ws.onerror = () => {};
  }

  close() {
    this.closed = true;
    if (this.ws) this.ws.close(1000, "bye");
  }

  receive(m) {
    switch (m.t) {
      case "welcome":
        this.welcome = m;
        if (!this.resume) this.sendRaw(msg.guest(this.name, this.color));
        break;
      case "session":
        this.resume = m.resume;
        this.user = m.user;
        this.perms = m.perms || {};
        if (m.resumed && m.park === this.park) {
          // The server put us back in the park; join only if it does not say so soon.
          clearTimeout(this.rejoinTimer);
          this.rejoinTimer = setTimeout(() => { if (!this.joined) this.join(); }, 1500);
        } else {
          this.join();
        }
        break;
      case "joined":
        clearTimeout(this.rejoinTimer);
        this.joined = m;
        this.setState("joined", m.park);
        break;
      case "error":
        if (!m.re && this.resume && (m.code === "auth_failed" || m.code === "not_found") && !this.joined) {
          // The resume token expired: start over as a guest.
          this.resume = null;
          this.sendRaw(msg.guest(this.name, this.color));
        }
        break;
      case "bye":
        this.setState("closing", m.reason);
        break;
      default:
        break;
    }
    if (m.re && this.pending.has(m.re)) {
      const p = this.pending.get(m.re);
      this.pending.delete(m.re);
      if (m.t === "error") p.reject(Object.assign(new Error(m.msg), { code: m.code }));
      else p.resolve(m);
    }
    this.emit(m.t, m);
  }

  /** Join the park (at `spawn` when asked for; an unknown spawn falls back to the park's choice). */
  join() {
    this.request(msg.join(this.park, undefined, this.spawn || undefined)).catch((err) => {
      if (err.code === "not_found" && this.spawn) {
        this.spawn = null;
        this.join();
      } else {
        this.setState("error", err.message);
      }
    });
  }

  sendRaw(m) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(encodeMessage(m));
    return true;
  }

  /** Send a message that carries `id`; resolves with the answer. */
  request(m) {
    const id = this.nextId++;
    if (this.nextId > 0xffffffff) this.nextId = 1;
    const withId = { ...m, id };
    return new Promise((resolve, reject) => {
      if (!this.sendRaw(withId)) { reject(new Error("not connected")); return; }
      this.pending.set(id, { resolve, reject });
    });
  }

  /** One tick of movement intent; returns the sequence number used. */
  sendInput(mx, my, yaw, run) {
    this.seq = (this.seq + 1) >>> 0;
    this.sendRaw(msg.input(this.seq, mx, my, yaw, run));
    return this.seq;
  }
}

/** The websocket URL: ?server= wins, then the export's configured server, then this host's /ws. */
export function serverUrl(configured, location) {
  const query = new URLSearchParams(location.search).get("server");
  const chosen = query || configured;
  if (chosen) return chosen;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}
