// Heads-up display: the park's name, connection status, visitors online, the park/near
// chat, the language switch. Every word from the catalogue (i18n.js); a switch redraws it.
import { msg } from "./net.js";
import { t, onLang, getLang, errorText } from "./i18n.js";

/** The page's own words (`data-t`: text, `data-t-placeholder`, `data-t-aria`), in this language. */
export function applyStatic(root = document) {
  for (const n of root.querySelectorAll("[data-t]")) n.textContent = t(n.dataset.t);
  for (const n of root.querySelectorAll("[data-t-placeholder]")) n.placeholder = t(n.dataset.tPlaceholder);
  for (const n of root.querySelectorAll("[data-t-aria]")) n.setAttribute("aria-label", t(n.dataset.tAria));
}

export class Hud {
  constructor(root, conn, { names, onSwitch } = {}) {
    this.conn = conn;
    this.names = names || {}; // the park's name per language
    this.title = root.querySelector("#park-title");
    this.status = root.querySelector("#status");
    this.online = root.querySelector("#online");
    this.log = root.querySelector("#chatlog");
    this.langButton = root.querySelector("#lang-button");
    this.count = null;
    this.net = { state: "connecting", detail: "" };
    const form = root.querySelector("#chatform");
    const input = form.querySelector("input");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      conn.request(msg.chat("park", text)).catch((err) => this.line(t("web3d.chat.system"), errorText(err)));
      input.value = "";
      input.blur();
    });
    if (this.langButton && onSwitch) this.langButton.addEventListener("click", onSwitch);
    conn.on("status", (s) => { this.net = s; this.showStatus(); });
    conn.on("chat", (m) => { if (m.ch !== "booth") this.line(m.name, m.text); });
    conn.on("error", (m) => { if (!m.re) this.line(t("web3d.chat.server"), errorText({ code: m.code, message: m.msg })); });
    onLang(() => this.render());
    this.render();
  }

  render() {
    applyStatic();
    const name = this.names[getLang()];
    if (this.title && name) this.title.textContent = name;
    if (this.langButton) this.langButton.textContent = t("web3d.lang.switch");
    this.showStatus();
    this.showOnline();
  }

  showStatus() {
    const s = this.net;
    const known = ["idle", "connecting", "joined", "reconnecting", "closing", "closed", "error"];
    this.status.textContent = t(known.includes(s.state) ? `web3d.net.${s.state}` : "web3d.net.error");
    this.status.title = s.detail || ""; // the technical detail (a URL, a close code) on hover
    this.status.dataset.state = s.state;
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

  setOnline(n) { this.count = n; this.showOnline(); }

  showOnline() {
    this.online.textContent = this.count === null ? t("web3d.account.connecting") : t("web3d.online", { n: this.count });
  }
}
