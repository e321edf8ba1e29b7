// The booth panel (DOM overlay): what the enterprise shows, Like, Leave card (only
// with the visitor's explicit consent), the booth's chat, and for its owner "Edit booth"
// and "My booth's visitors". The server re-sends `booth` whenever likes, staff or content
// change: the content is redrawn, the forms (and what the visitor typed) are kept.
import { msg } from "./net.js";
import { el, FormErrors } from "./form.js";
import { BoothEditor, BoothVisitors, mayManage } from "./booth_owner.js";

const safeUrl = (u) => (/^https?:\/\//i.test(u || "") ? u : null);

export class BoothPanel {
  constructor(root, conn) {
    this.root = root;
    this.conn = conn;
    this.booth = null;
    this.listeners = [];
    conn.on("booth", (m) => this.open(m.booth));
    conn.on("booth_exit", (m) => { if (this.booth && this.booth.id === m.booth) this.close(); });
    conn.on("chat", (m) => { if (m.ch === "booth" && this.booth && m.booth === this.booth.id) this.addChat(m); });
  }

  onChange(fn) { this.listeners.push(fn); }

  open(view) {
    const same = this.booth && this.booth.id === view.id;
    this.booth = view;
    this.root.hidden = false;
    this.root.dataset.booth = view.id;
    const tools = this.toolsKey(view);
    if (!same || this.tools !== tools) this.build(view, tools);
    this.contentBox.replaceChildren(...this.contentNodes(view));
    for (const fn of this.listeners) fn(view);
  }

  /** Who may do what here: forms are rebuilt only when this changes (or another booth opens). */
  toolsKey(view) {
    const p = this.conn.perms;
    const u = this.conn.user;
    return [u ? u.id : "", !!p["booth.card"], mayManage(p, u, view, "booth.edit"), mayManage(p, u, view, "booth.stats")].join("|");
  }

  build(view, tools) {
    this.tools = tools;
    this.contentBox = el("div", { class: "content" });
    this.chatLog = el("div", { class: "chatlog" });
    const chatInput = el("input", { placeholder: "Ask the booth…", maxlength: "500" });
    const chatForm = el("form", { class: "row", onsubmit: (e) => {
      e.preventDefault();
      const text = chatInput.value.trim();
      if (!text) return;
      this.conn.request(msg.chat("booth", text, view.id)).catch((err) => this.note(err.message));
      chatInput.value = "";
    } }, chatInput, el("button", { type: "submit" }, "Send"));
    const perms = this.conn.perms;
    const user = this.conn.user;
    this.editor = mayManage(perms, user, view, "booth.edit") ? new BoothEditor(this.conn, view) : null;
    this.visitors = mayManage(perms, user, view, "booth.stats") ? new BoothVisitors(this.conn, view) : null;
    this.root.replaceChildren(...[
      el("button", { class: "close", type: "button", title: "Close", onclick: () => this.close() }, "×"),
      this.contentBox,
      this.cardForm(view.id),
      this.editor ? this.editor.node : null,
      this.visitors ? this.visitors.node : null,
      el("h3", {}, "Chat"), this.chatLog, chatForm,
      this.noteLine = el("p", { class: "note", role: "status" }),
    ].filter((n) => n !== null && n !== undefined));
  }

  contentNodes(view) {
    const c = view.content || {};
    const likeBtn = el("button", { class: "like", type: "button" }, `♥ Like · ${view.likes}`);
    if (view.liked) likeBtn.classList.add("on");
    likeBtn.addEventListener("click", () => this.like());
    this.likeButton = likeBtn;
    const links = (c.links || []).filter((l) => safeUrl(l.url)).map((l) =>
      el("li", {}, el("a", { href: l.url, target: "_blank", rel: "noopener noreferrer" }, l.label || l.url)));
    const products = (c.products || []).map((p) =>
      el("li", {}, el("b", {}, p.name), p.price ? ` · ${p.price}` : "", p.description ? el("div", { class: "muted" }, p.description) : null));
    const img = safeUrl(c.image) ? el("img", { src: c.image, alt: "" }) : null;
    return [
      el("h2", {}, c.name || view.id),
      c.tagline ? el("p", { class: "tagline" }, c.tagline) : null,
      img,
      c.description ? el("p", {}, c.description) : null,
      safeUrl(c.video) ? el("p", {}, el("a", { class: "video", href: c.video, target: "_blank", rel: "noopener noreferrer" }, "▶ Watch the video")) : null,
      links.length ? el("ul", { class: "links" }, ...links) : null,
      products.length ? el("ul", { class: "products" }, ...products) : null,
      el("div", { class: "row" }, likeBtn,
        view.staff && view.staff.length ? el("span", { class: "muted" }, `staff on duty: ${view.staff.join(", ")}`) : null),
    ].filter((n) => n !== null && n !== undefined);
  }

  cardForm(boothId) {
    // The server's permission map decides (guests cannot leave cards): the UI follows it.
    if (!this.conn.perms["booth.card"]) {
      return el("p", { class: "muted cardnote" }, "To leave a business card, register or log in first.");
    }
    const user = this.conn.user || {};
    const field = (name, label, type = "text", value = "") =>
      el("label", {}, label, el("input", { name, type, maxlength: "200", "data-field": name, value }));
    const consent = el("input", { type: "checkbox", name: "consent", "data-field": "consent" });
    const send = el("button", { type: "submit", class: "send", disabled: true }, "Leave my card");
    consent.addEventListener("change", () => { send.disabled = !consent.checked; });
    const line = el("p", { class: "formline", role: "status" });
    const form = el("form", { class: "card", novalidate: true },
      field("name", "Name", "text", user.name || ""), field("company", "Company", "text", user.company || ""),
      field("email", "Email", "email"), field("phone", "Phone", "tel"),
      el("label", {}, "Message", el("textarea", { name: "message", "data-field": "message", maxlength: "4000", rows: "3" })),
      el("label", { class: "consent" }, consent, " I agree to share these details with this enterprise."),
      send, line);
    const errors = new FormErrors(form, line);
    const details = el("details", { class: "leave-card" }, el("summary", {}, "Leave my business card"), form);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      errors.clear();
      const data = Object.fromEntries(new FormData(form).entries());
      if (!consent.checked) { errors.show("consent", "Tick the box to agree to share your card."); return; }
      if (!data.name.trim()) { errors.show("name", "Your name is needed on a card."); return; }
      send.disabled = true;
      errors.line("Sending…");
      this.conn.request(msg.card(boothId, { ...data, name: data.name.trim(), consent: true }))
        .then(() => {
          // Sent: the message and the consent are for this card only; the details stay for the next.
          form.elements.message.value = "";
          consent.checked = false;
          errors.line(`Card left at ${(this.booth && this.booth.content && this.booth.content.name) || boothId}. Thank you!`, "ok");
        })
        .catch((err) => {
          errors.line("");
          errors.server(err);
          errors.line(`Card not sent (${err.code || "error"}: ${err.message}). Nothing was lost: send it again.`, "err");
        })
        .finally(() => { send.disabled = !consent.checked; });
    });
    return details;
  }

  like() {
    if (!this.booth) return;
    const button = this.likeButton;
    const id = this.booth.id;
    this.conn.request(msg.like(id)).then((ok) => {
      if (!this.booth || this.booth.id !== id) return;
      const likes = ok.data && typeof ok.data.likes === "number" ? ok.data.likes : this.booth.likes + 1;
      this.booth.likes = likes;
      this.booth.liked = true;
      button.textContent = `♥ Like · ${likes}`;
      button.classList.add("on");
      for (const fn of this.listeners) fn(this.booth);
    }).catch((err) => this.note(err.message));
  }

  addChat(m) {
    if (!this.chatLog) return;
    this.chatLog.append(el("div", {}, el("b", {}, `${m.name}: `), m.text));
    this.chatLog.scrollTop = this.chatLog.scrollHeight;
  }

  note(text) { if (this.noteLine) this.noteLine.textContent = text; }

  close() {
    this.booth = null;
    this.tools = null;
    this.root.hidden = true;
    this.root.replaceChildren();
    delete this.root.dataset.booth;
    for (const fn of this.listeners) fn(null);
  }
}
