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
  login: (user, password, id) => ({ t: "login", user, password, id }),
  register: (f, id) => ({
    t: "register", user: f.user, password: f.password, name: f.name, role: f.role || "visitor",
    company: f.company || undefined, id,
  }),
  token: (token, id) => ({ t: "token", token, id }),
  codeLogin: (code, id) => ({ t: "code_login", code, id }),
  signOut: (everywhere, id) => (everywhere ? { t: "sign_out", everywhere: true, id } : { t: "sign_out", id }),
  setLang: (lang, id) => ({ t: "set_lang", lang, id }),
  look: (name, color, id) => ({ t: "look", name, color, id }),
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
  boothEdit: (booth, content, id) => ({ t: "booth_edit", booth, content, id }),
  boothStats: (booth, id) => ({ t: "booth_stats", booth, id }),
  kiosk: (id) => ({ t: "kiosk", id }),
  spaceSlots: (space, id) => ({ t: "space_slots", space, id }),
  spaceBook: (space, start, minutes, id) => ({ t: "space_book", space, start, minutes, id }),
  spaceCheckIn: (space, booking, id) => ({ t: "space_check_in", space, booking, id }),
  react: (kind, id) => ({ t: "react", kind, id: id || undefined }),
  hallMove: (id) => ({ t: "hall_move", id }),
  stageChat: (muted, id) => ({ t: "stage_chat", muted: !!muted, id }),
  spotlight: (user, id) => ({ t: "spotlight", user: user || "", id }),
  stageRemove: (user, reason, id) => ({ t: "stage_remove", user, reason: reason || undefined, id }),
  ask: (text, id) => ({ t: "ask", text, id }),
  upvote: (question, up, id) => ({ t: "upvote", question, up: up === false ? false : undefined, id }),
  pollVote: (poll, choices, id) => ({ t: "poll_vote", poll, choices, id }),
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
  constructor({ url, park, name, color, spawn, token, ticket, WebSocketImpl }) {
    this.url = url;
    this.token = token || null; // a login token: sign in with `token` instead of as a guest
    this.ticket = ticket || null; // a one-time ticket from the web sign-in (`code_login`): wins, once
    this.user = null;
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
      for (const [, p] of this.pending) p.reject(Object.assign(new Error("connection closed"), { code: "closed" }));
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
        if (!this.resume) this.authenticate();
        break;
      case "session":
        this.resume = m.resume;
        this.user = m.user;
        this.perms = m.perms || {};
        if (this.joined && !m.re && !m.resumed) {
          // A refreshed session while in the park (the account changed: its language, its
          // roles): the new user and permissions only; the avatar stays where it is.
          break;
        }
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
          // The resume token expired: sign in again (token or guest).
          this.resume = null;
          this.authenticate();
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

  /** Sign in on a fresh connection: with the login token when there is one, else as a guest.
   * A refused token is dropped ("token_refused" event) and the visitor enters as a guest. */
  authenticate() {
    if (this.ticket) {
      // one use: after it the session's login token signs in again (resume expired, reconnect)
      const ticket = this.ticket;
      this.ticket = null;
      this.request(msg.codeLogin(ticket)).then((m) => { if (m.token) this.token = m.token; }).catch((err) => {
        this.emit("ticket_refused", err);
        if (err.code !== "closed") this.authenticate();
      });
      return;
    }
    if (!this.token) { this.sendRaw(msg.guest(this.name, this.color)); return; }
    const token = this.token;
    this.request(msg.token(token)).catch((err) => {
      if (err.code !== "auth_failed" || this.token !== token) return;
      this.token = null;
      this.emit("token_refused", err);
      this.sendRaw(msg.guest(this.name, this.color));
    });
  }

  /** Start a new session as someone else (a login token, or null for a guest): the old
   * connection closes normally (its avatar leaves) and a new one signs in and joins. */
  switchTo(token) {
    this.token = token || null;
    this.resume = null;
    const old = this.ws;
    this.ws = null;
    this.joined = null;
    for (const [, p] of this.pending) p.reject(Object.assign(new Error("switched account"), { code: "closed" }));
    this.pending.clear();
    if (old) {
      old.onmessage = null;
      old.onclose = null;
      old.close(1000, "switching account");
    }
    this.attempt = 0;
    this.open();
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
      if (!this.sendRaw(withId)) { reject(Object.assign(new Error("not connected"), { code: "closed" })); return; }
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

/**
 * One login or registration on a short-lived connection of its own (hello -> `login` or
 * `register`), so a failed attempt costs the visitor nothing: their avatar stays where it is.
 * Resolves with the `session` (carrying the login token); rejects with the server's error
 * (`code`, `message`). The connection then closes normally; it never joins a park.
 */
export function signIn(url, request, { WebSocketImpl, timeoutMs = 15000 } = {}) {
  const WS = WebSocketImpl || globalThis.WebSocket;
  return new Promise((resolve, reject) => {
    const ws = new WS(url, SUBPROTOCOL);
    ws.binaryType = "arraybuffer";
    let done = false;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn(value);
      if (ws.readyState <= 1) ws.close(1000, "signed in");
    };
    const fail = (code, message) => finish(reject, Object.assign(new Error(message), { code }));
    const timer = setTimeout(() => fail("timeout", "the server did not answer"), timeoutMs);
    ws.onopen = () => ws.send(encodeMessage(msg.hello(null)));
    ws.onmessage = (ev) => {
      if (typeof ev.data === "string") return;
      let m;
      try { m = decodeMessage(ev.data); } catch (err) { fail("malformed", err.message); return; }
      if (m.t === "welcome") ws.send(encodeMessage({ ...request, id: 1 }));
      else if (m.t === "session" && m.re === 1) finish(resolve, m);
      else if (m.t === "error" && (m.re === 1 || !m.re)) fail(m.code, m.msg);
    };
    ws.onclose = (ev) => fail("closed", `the server closed the connection (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`);
    ws.onerror = () => {};
  });
}

/** The websocket URL: ?server= wins, then the export's configured server, then this host's /ws. */
export function serverUrl(configured, location) {
  const query = new URLSearchParams(location.search).get("server");
  const chosen = query || configured;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  // ":8766/ws": the host this page came from, on the game port (the web app and the
  // world server are two processes on one host)
  if (chosen && chosen.startsWith(":")) return `${scheme}//${location.hostname}${chosen}`;
  if (chosen) return chosen;
  return `${scheme}//${location.host}/ws`;
}
