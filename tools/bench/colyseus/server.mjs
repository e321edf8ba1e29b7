// Colyseus peer for Cloud Park's crowd benchmark (issue 14): one "tour" room, 20 Hz,
// per-client StateView of the 30 nearest players. Usage: node server.mjs [port] [stats.json]
// Prints "listening <port>" when ready; on SIGTERM writes tick/patch timings (ms, with
// epoch-ms stamps) to the stats path (or stdout) and exits.
import { performance } from "node:perf_hooks";
import { writeFileSync } from "node:fs";
import { Server, Room } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { schema, StateView } from "@colyseus/schema";

const PORT = Number(process.argv[2] ?? process.env.PORT ?? 2567);
const STATS = process.argv[3] ?? process.env.STATS ?? "";
const SIDE = 300, SPEED = 1.4, DT = 0.05, CELL = 40, NEAREST = 30;
const CELLS = Math.ceil(SIDE / CELL);

const Player = schema({ x: "number", y: "number", yaw: "number", anim: "number" }, "Player");
const State = schema({ players: { map: Player, view: true } }, "TourState");

const samples = [];  // [epoch ms, tick ms, patch ms]
let lastTick = 0;

class TourRoom extends Room {
  maxClients = 5000;
  maxMessagesPerSecond = 1000;

  onCreate() {
    this.state = new State();
    this.inputs = new Map();   // sessionId -> {mx, my, yaw}
    this.seen = new Map();     // sessionId -> Set of sessionIds in its view
    this.autoDispose = false;
    this.patchRate = 50;
    this.setSimulationInterval(() => this.tick(), 50);
    this.onMessage("in", (client, m) => {
      const mx = Number(m?.mx) || 0, my = Number(m?.my) || 0;
      this.inputs.set(client.sessionId, { mx, my, yaw: Number(m?.yaw) || 0 });
    });
  }

  onJoin(client) {
    const p = new Player();
    p.x = Math.random() * SIDE; p.y = Math.random() * SIDE; p.yaw = 0; p.anim = 0;
    this.state.players.set(client.sessionId, p);
    client.view = new StateView();
    this.seen.set(client.sessionId, new Set());
  }

  onLeave(client) {
    this.state.players.delete(client.sessionId);
    this.inputs.delete(client.sessionId);
    this.seen.delete(client.sessionId);
  }

  tick() {
    const t0 = performance.now();
    const players = this.state.players;
    const grid = new Array(CELLS * CELLS);
    for (let i = 0; i < grid.length; i++) grid[i] = [];
    players.forEach((p, id) => {
      const inp = this.inputs.get(id);
      if (inp) {
        const n = Math.hypot(inp.mx, inp.my);
        if (n > 0) {
          p.x = Math.min(SIDE, Math.max(0, p.x + (inp.mx / n) * SPEED * DT));
          p.y = Math.min(SIDE, Math.max(0, p.y + (inp.my / n) * SPEED * DT));
          p.anim = 1;
        } else if (p.anim !== 0) p.anim = 0;
        p.yaw = inp.yaw;
      }
      const cx = Math.min(CELLS - 1, Math.floor(p.x / CELL));
      const cy = Math.min(CELLS - 1, Math.floor(p.y / CELL));
      grid[cy * CELLS + cx].push([id, p]);
    });
    for (const client of this.clients) {
      const me = players.get(client.sessionId);
      if (!me || !client.view) continue;
      const cx = Math.min(CELLS - 1, Math.floor(me.x / CELL));
      const cy = Math.min(CELLS - 1, Math.floor(me.y / CELL));
      let cand = [];
      for (let r = 1; r <= CELLS; r++) {   // grow the ring until enough candidates
        cand = [];
        for (let y = Math.max(0, cy - r); y <= Math.min(CELLS - 1, cy + r); y++)
          for (let x = Math.max(0, cx - r); x <= Math.min(CELLS - 1, cx + r); x++)
            for (const e of grid[y * CELLS + x]) cand.push(e);
        if (cand.length > NEAREST || r >= CELLS) break;
      }
      cand.sort((a, b) => ((a[1].x - me.x) ** 2 + (a[1].y - me.y) ** 2) - ((b[1].x - me.x) ** 2 + (b[1].y - me.y) ** 2));
      const want = new Set();
      for (const [id] of cand.slice(0, NEAREST + 1)) want.add(id);   // itself plus 30
      const had = this.seen.get(client.sessionId);
      for (const id of had) if (!want.has(id)) { const p = players.get(id); if (p) client.view.remove(p); had.delete(id); }
      for (const id of want) if (!had.has(id)) { client.view.add(players.get(id)); had.add(id); }
    }
    lastTick = performance.now() - t0;
  }

  broadcastPatch() {
    const t0 = performance.now();
    const r = super.broadcastPatch();
    samples.push([Date.now(), lastTick, performance.now() - t0]);
    return r;
  }
}

const server = new Server({ transport: new WebSocketTransport() });
server.define("tour", TourRoom);
await server.listen(PORT);
console.log(`listening ${PORT}`);

process.on("SIGTERM", () => {
  const out = JSON.stringify({ samples });
  if (STATS) writeFileSync(STATS, out); else console.log(out);
  process.exit(0);
});
