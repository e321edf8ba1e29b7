// Bot swarm for the Colyseus peer: node bot.mjs <clients> <window_s> <out.json> [url] [rate/s]
// Joins N clients to room "tour" (ramped), each walks a random direction (changed every
// few seconds) sending "in" at 10 Hz; counts state patches per client per second over
// the window after all joined, and writes a JSON summary.
import { writeFileSync } from "node:fs";
import { Client } from "@colyseus/sdk";

const N = Number(process.argv[2] ?? 50);
const WINDOW = Number(process.argv[3] ?? 10);
const OUT = process.argv[4] ?? "bot.json";
const URL = process.argv[5] ?? "ws://127.0.0.1:2567";
const RATE = Number(process.argv[6] ?? 200);

const client = new Client(URL);
const bots = [];
let errors = 0, counting = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function join(i) {
  try {
    const room = await client.joinOrCreate("tour");
    const bot = { room, patches: 0, dir: Math.random() * 2 * Math.PI };
    room.onStateChange(() => { if (counting) bot.patches++; });
    room.onError(() => errors++);
    room.onLeave(() => { if (counting) errors++; });
    bot.walk = setInterval(() => { if (Math.random() < 0.03) bot.dir = Math.random() * 2 * Math.PI; }, 100);
    bot.send = setInterval(() => room.send("in", { mx: Math.cos(bot.dir), my: Math.sin(bot.dir), yaw: bot.dir }), 100);
    bots.push(bot);
  } catch (e) { errors++; if (errors < 5) console.error(`join ${i}: ${e?.message ?? e}`); }
}

const pending = [];
for (let i = 0; i < N; i++) { pending.push(join(i)); await sleep(1000 / RATE); }
await Promise.all(pending);
await sleep(1000);
const cpu0 = process.cpuUsage(), t0 = performance.now();
counting = true;
await sleep(WINDOW * 1000);
counting = false;
const wall = (performance.now() - t0) / 1000, cpu = process.cpuUsage(cpu0);
const rates = bots.map((b) => b.patches / wall).sort((a, b) => a - b);
const q = (f) => rates.length ? +rates[Math.min(rates.length - 1, Math.floor(f * rates.length))].toFixed(2) : null;
const summary = {
  clients: N, joined: bots.length, window_s: +wall.toFixed(2),
  patches_per_client_per_s: {
    mean: rates.length ? +(rates.reduce((a, b) => a + b, 0) / rates.length).toFixed(2) : null,
    min: rates.length ? +rates[0].toFixed(2) : null, p5: q(0.05), p50: q(0.5),
  },
  errors, cpu_percent: +(100 * (cpu.user + cpu.system) / 1e6 / wall).toFixed(1),
};
writeFileSync(OUT, JSON.stringify(summary, null, 2));
for (const b of bots) { clearInterval(b.walk); clearInterval(b.send); b.room.leave().catch(() => {}); }
setTimeout(() => process.exit(0), 500);
