// Heads-up display: connection status, visitors online, and the park/near chat.
import { msg } from "./net.js";

export class Hud {
  constructor(root, conn) {
    this.conn = conn;
    this.status = root.querySelector("#status");
    this.online = root.querySelector("#online");
    this.log = root.querySelector("#chatlog");
    const form = root.querySelector("#chatform");
    const input = form.querySelector("input");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      conn.request(msg.chat("park", text)).catch((err) => this.line("system", err.message));
      input.value = "";
      input.blur();
    });
    conn.on("status", (s) => { this.status.textContent = s.state + (s.detail ? ` · ${s.detail}` : ""); this.status.dataset.state = s.state; });
    conn.on("chat", (m) => { if (m.ch !== "booth") this.line(m.name, m.text); });
    conn.on("error", (m) => { if (!m.re) this.line("server", m.msg); });
  }

  line(who, text) {
    const row = document.createElement("div");
    const b = document.createElement("b");
    b.textContent = `${who}: `;
    row.append(b, text);
    this.log.append(row);
    while (this.log.childElementCount > 50) this.log.firstElementChild.remove();
    this.log.scrollTop = this.log.scrollHeight;
  }

  setOnline(n) { this.online.textContent = `${n} online`; }
}
