// The browser codec (tools/webxr/web/net.js) against the shared vectors.
// Prints JSON: {decoded: {side: {name: message}}, encoded: {name: hex}} for the Python test.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { decodeMessage, encodeMessage, msg } from "../../tools/webxr/web/net.js";

const dir = process.argv[2];
const decoded = { server: {}, client: {} };
for (const side of ["server", "client"]) {
  for (const f of readdirSync(join(dir, side)).filter((n) => n.endsWith(".msgpack")).sort()) {
    decoded[side][f.replace(".msgpack", "")] = decodeMessage(new Uint8Array(readFileSync(join(dir, side, f))));
  }
}
// The same client messages built by the browser client's own constructors.
const built = {
  hello: msg.hello(null),
  hello_resume: msg.hello("tok-abc"),
  guest: msg.guest("访客 Ada", 0x3388ff, 1),
  join: msg.join("798-art-zone", 2),
  in: msg.input(12, 0.6, -0.8, 1.25, true),
  in_idle: msg.input(13, 0, 0, -3.0, false),
  chat: msg.chat("booth", "你好", "b1", 3),
  like: msg.like("b1", 4),
  card: msg.card("b1", { name: "Wang Fang", consent: true, company: "Acme", email: "w@example.com" }, 5),
};
const encoded = {};
for (const [name, m] of Object.entries(built)) encoded[name] = Buffer.from(encodeMessage(m)).toString("hex");
process.stdout.write(JSON.stringify({ decoded, encoded }));
