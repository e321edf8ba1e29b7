// The event's Q&A board and polls in the 3D page (one board for every hall of the park):
// the world server's `questions` and `polls`, asking (`ask`), upvoting (`upvote`) and
// voting (`poll_vote`). Shown while an event is on the stage; a guest is asked to sign in.
// The words come from the catalogue (`client.board.*`).
import { msg } from "./net.js";
import { t, onLang, errorText } from "./i18n.js";
import { el } from "./form.js";

const ON_STAGE = ["scheduled", "live", "interrupted"];
const SHOWN = 8; // questions listed (the most voted)
const STYLE = `
#board { position: absolute; right: 12px; bottom: 64px; width: min(340px, calc(100vw - 24px)); max-height: 55%;
  overflow-y: auto; box-sizing: border-box; background: rgba(255,255,255,.95); border-radius: 12px; padding: 10px 14px;
  box-shadow: 0 6px 24px rgba(0,0,0,.2); font-size: 14px; pointer-events: auto; }
#board[hidden] { display: none; }
#board h3 { margin: 2px 0 6px; font-size: 15px; }
#board form { display: flex; gap: 6px; margin-bottom: 6px; }
#board form input { flex: 1; min-width: 0; }
#board ol { list-style: none; margin: 0; padding: 0; }
#board li { display: flex; gap: 8px; align-items: flex-start; padding: 4px 0; border-top: 1px solid #eee; }
#board .up { min-width: 44px; border: 1px solid #c9d6e4; background: #f2f7fc; border-radius: 8px; cursor: pointer; }
#board .up.on { background: #1673d1; color: #fff; border-color: #1673d1; }
#board .q b { font-weight: 600; } #board .q .tag { color: #777; font-size: 12px; margin-left: 4px; }
#board .poll { border-top: 2px solid #e4e9ef; margin-top: 6px; padding-top: 6px; }
#board .poll button { display: block; width: 100%; text-align: left; margin: 3px 0; padding: 4px 8px; border-radius: 8px;
  border: 1px solid #c9d6e4; background: #fff; cursor: pointer; position: relative; overflow: hidden; }
#board .poll button.on { border-color: #1673d1; font-weight: 600; }
#board .poll .bar { position: absolute; left: 0; top: 0; bottom: 0; background: rgba(22,115,209,.15); }
#board .poll button span { position: relative; }
#board .note, #board .err { color: #666; font-size: 12px; margin: 2px 0; } #board .err { color: #b3261e; }
`;

export class StageBoard {
  constructor(overlay, conn) {
    this.conn = conn;
    this.stage = null;
    this.questions = null;
    this.polls = null;
    this.voted = new Set();
    this.mine = new Set();
    this.chosen = new Map(); // poll id -> choices
    this.error = "";
    if (!document.getElementById("board-style")) {
      document.head.append(el("style", { id: "board-style" }, STYLE));
    }
    this.root = el("aside", { id: "board", hidden: true });
    overlay.append(this.root);
    conn.on("stage", (m) => { this.stage = m; this.render(); });
    conn.on("questions", (m) => {
      if (m.voted) this.voted = new Set(m.voted);
      if (m.mine) this.mine = new Set(m.mine);
      this.questions = m;
      this.render();
    });
    conn.on("polls", (m) => {
      for (const p of m.items || []) if (p.chosen) this.chosen.set(p.id, p.chosen);
      this.polls = m;
      this.render();
    });
    conn.on("joined", () => { this.voted = new Set(); this.mine = new Set(); this.chosen = new Map(); });
    onLang(() => this.render());
  }

  get guest() { return !this.conn.user || this.conn.user.role === "guest"; }

  render() {
    const on = !!this.stage && ON_STAGE.includes(this.stage.state) && !!this.stage.event;
    this.root.hidden = !on;
    if (!on) return;
    const kids = [el("h3", {}, t("client.board.title"))];
    if (this.guest) kids.push(el("p", { class: "note" }, t("client.board.sign_in")));
    else {
      const input = el("input", { name: "text", maxlength: "300", placeholder: t("client.board.ask_placeholder") });
      kids.push(el("form", { class: "ask", onsubmit: (e) => { e.preventDefault(); this.ask(input); } },
        input, el("button", { type: "submit" }, t("client.board.ask"))));
    }
    if (this.error) kids.push(el("p", { class: "err", role: "alert" }, this.error));
    const items = (this.questions && this.questions.items) || [];
    if (!items.length) kids.push(el("p", { class: "note" }, t("client.board.empty")));
    const list = el("ol", { class: "questions" });
    for (const q of items.slice(0, SHOWN)) {
      const voted = this.voted.has(q.id);
      const up = el("button", {
        type: "button", class: voted ? "up on" : "up", "data-question": String(q.id), disabled: this.guest || q.state !== "visible",
        "aria-pressed": String(voted), title: t("client.board.upvote"), onclick: () => this.upvote(q.id, !voted),
      }, `▲ ${q.votes || 0}`);
      const tag = q.state === "answered" ? t("client.board.answered") : q.state === "pending" ? t("client.board.pending") : "";
      list.append(el("li", { "data-question": String(q.id) }, up,
        el("div", { class: "q" }, el("b", {}, `${q.name}: `), q.text, tag ? el("span", { class: "tag" }, tag) : null)));
    }
    kids.push(list);
    for (const p of (this.polls && this.polls.items) || []) kids.push(this.poll(p));
    this.root.replaceChildren(...kids);
  }

  poll(p) {
    const mine = new Set(this.chosen.get(p.id) || []);
    const total = p.counts ? p.counts.reduce((a, b) => a + b, 0) : 0;
    const box = el("div", { class: "poll", "data-poll": String(p.id), "data-state": p.state || "open" },
      el("b", {}, p.question));
    (p.options || []).forEach((option, i) => {
      const share = p.counts && total ? p.counts[i] / total : 0;
      const label = p.counts ? `${option} · ${p.counts[i]}` : option;
      box.append(el("button", {
        type: "button", class: mine.has(i) ? "on" : "", "data-option": String(i),
        disabled: this.guest || p.state === "closed", onclick: () => this.vote(p, i),
      }, el("div", { class: "bar", style: `width:${Math.round(share * 100)}%` }), el("span", {}, label)));
    });
    const note = p.state === "closed" ? t("client.board.poll_closed")
      : p.counts ? t("client.board.ballots", { n: p.ballots || 0 }) : t("client.board.poll_hidden");
    box.append(el("p", { class: "note" }, note));
    return box;
  }

  say(err) { this.error = err ? errorText(err) : ""; this.render(); }

  ask(input) {
    const text = input.value.trim();
    if (!text) return;
    this.conn.request(msg.ask(text)).then((r) => {
      if (r && r.data && r.data.question) this.mine.add(r.data.question);
      input.value = "";
      this.say(null);
    }).catch((err) => this.say(err));
  }

  upvote(id, up) {
    this.conn.request(msg.upvote(id, up)).then(() => {
      if (up) this.voted.add(id); else this.voted.delete(id);
      this.say(null);
    }).catch((err) => this.say(err));
  }

  vote(p, i) {
    let choices = [i];
    if (p.kind === "multiple") {
      const mine = new Set(this.chosen.get(p.id) || []);
      if (mine.has(i)) mine.delete(i); else mine.add(i);
      choices = [...mine].sort((a, b) => a - b).slice(0, p.max_choices || 1);
      if (!choices.length) return;
    }
    this.conn.request(msg.pollVote(p.id, choices)).then((r) => {
      this.chosen.set(p.id, (r && r.data && r.data.chosen) || choices);
      this.say(null);
    }).catch((err) => this.say(err));
  }

  state() {
    return {
      shown: !this.root.hidden, questions: ((this.questions && this.questions.items) || []).map((q) => [q.id, q.votes || 0, q.text]),
      polls: ((this.polls && this.polls.items) || []).map((p) => [p.id, p.state, p.counts || null]),
      voted: [...this.voted], error: this.error,
    };
  }
}
