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
  login: msg.login("li-na", "lantern-festival-42", 6),
  register: msg.register({ user: "acme", password: "gears-and-levers", name: "赵磊", role: "enterprise", company: "Acme Robotics" }, 7),
  register_visitor: msg.register({ user: "li-na", password: "lantern-festival-42", name: "Li Na", role: "visitor", company: "" }, 8),
  token: msg.token("tok-login-xyz", 9),
  code_login: msg.codeLogin("K7QP-M2XD", 15),
  look: msg.look("访客 Bo", undefined, 10),
  booth_edit: msg.boothEdit("798-art-zone/b1", {
    name: "Acme", tagline: "", description: "墨", image: "", logo: "", video: "https://acme.example/v.mp4",
    links: [{ label: "Site", url: "https://acme.example/" }], products: [{ name: "Inkbot", price: "¥9" }],
  }, 11),
  booth_stats: msg.boothStats("b1", 12),
  sign_out: msg.signOut(false, 13),
  sign_out_everywhere: msg.signOut(true, 14),
  set_lang: msg.setLang("en", 16),
  kiosk: msg.kiosk(17),
  space_slots: msg.spaceSlots(12, 18),
  space_book: msg.spaceBook(12, 1767225600, 60, 19),
  space_check_in: msg.spaceCheckIn(12, 6, 21),
  react: msg.react("applause"),
  hall_move: msg.hallMove(21),
  stage_chat: msg.stageChat(true, 22),
  spotlight: msg.spotlight("li-na", 23),
  stage_remove: msg.stageRemove("troll", "spam", 24),
  ask: msg.ask("什么时候上映？", 25),
  upvote: msg.upvote(31, true, 26),
  unvote: msg.upvote(31, false, 27),
  poll_vote: msg.pollVote(4, [0, 2], 28),
};
const encoded = {};
for (const [name, m] of Object.entries(built)) encoded[name] = Buffer.from(encodeMessage(m)).toString("hex");
process.stdout.write(JSON.stringify({ decoded, encoded }));
