// In-world notices: a notification written to your inbox (a booking confirmed, ...) while
// you are in a park arrives as a `notice` message and shows here as a toast with your
// unread count; it links to the console's inbox. `title`/`body` come rendered by the
// server in your account's language (docs/protocol.md, `notice`).
import { el } from "./form.js";

const SHOW_MS = 12000;
const KEEP = 3;

/** Ask the web app (this page's origin) for a one-time ticket when the person is signed in
 * there: the 3D session then signs in as them (`code_login`) instead of as a guest. The
 * session cookie stays HttpOnly: only the ticket reaches this page. `sessionUrl` is the
 * web app's session endpoint, which it writes into the page's config when it serves the
 * page (`web_session`); "" (the page served by the world server): no request at all.
 * null when signed out or when the page is not served by the web app. */
export async function webTicket(sessionUrl, fetchImpl = globalThis.fetch) {
  if (!sessionUrl || !fetchImpl) return null;
  try {
    const s = await fetchImpl(sessionUrl, { credentials: "same-origin" });
    if (!s.ok) return null;
    const state = await s.json();
    if (!state.signed_in) return null;
    const r = await fetchImpl("/api/game-ticket", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": state.csrf },
    });
    if (!r.ok) return null;
    return (await r.json()).ticket || null;
  } catch {
    return null;
  }
}

export class Notices {
  constructor(root, conn) {
    this.root = root;
    this.shown = [];
    this.unread = 0;
    conn.on("notice", (m) => this.show(m));
  }

  show(m) {
    this.unread = m.unread || 0;
    const link = typeof m.link === "string" && m.link.startsWith("/") && !m.link.startsWith("//") ? m.link : "/console/inbox";
    const close = el("button", { type: "button", class: "close", onclick: () => this.drop(box) }, "×");
    const count = el("a", { class: "unread", href: "/console/inbox", target: "_blank", rel: "noopener", title: String(this.unread) },
      el("b", {}, String(this.unread)));
    const box = el("div", { class: "notice", role: "status", "data-id": String(m.id), "data-kind": m.kind || "" },
      close, el("a", { class: "title", href: link, target: "_blank", rel: "noopener" }, m.title || m.title_key),
      el("p", {}, m.body || m.body_key), count);
    this.root.prepend(box);
    this.shown.unshift(box);
    while (this.shown.length > KEEP) this.drop(this.shown[this.shown.length - 1]);
    setTimeout(() => this.drop(box), SHOW_MS);
  }

  drop(box) {
    box.remove();
    this.shown = this.shown.filter((b) => b !== box);
  }
}
