// The booth panel (DOM overlay): what the enterprise shows, Like, Leave card (only
// with the visitor's explicit consent), the booth's chat, and for its owner "Edit booth"
// and "My booth's visitors". The server re-sends `booth` whenever likes, staff or content
// change: the content is redrawn, the forms (and what the visitor typed) are kept.
import { msg } from "./net.js";
import { el, FormErrors } from "./form.js";
import { BoothEditor, BoothVisitors, mayManage } from "./booth_owner.js";
import { t, onLang, errorText } from "./i18n.js";

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
    // a language switch redraws an open panel in the new words (its forms start again)
    onLang(() => { if (this.booth) { this.tools = null; this.open(this.booth); } });
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
    const chatInput = el("input", { placeholder: t("web3d.booth.ask"), maxlength: "500" });
    const chatForm = el("form", { class: "row", onsubmit: (e) => {
      e.preventDefault();
      const text = chatInput.value.trim();
      if (!text) return;
      this.conn.request(msg.chat("booth", text, view.id)).catch((err) => this.note(errorText(err)));
      chatInput.value = "";
    } }, chatInput, el("button", { type: "submit" }, t("web3d.booth.send")));
    const perms = this.conn.perms;
    const user = this.conn.user;
    this.editor = mayManage(perms, user, view, "booth.edit") ? new BoothEditor(this.conn, view) : null;
    this.visitors = mayManage(perms, user, view, "booth.stats") ? new BoothVisitors(this.conn, view) : null;
    this.root.replaceChildren(...[
      el("button", { class: "close", type: "button", title: t("web3d.close"), onclick: () => this.close() }, "×"),
      this.contentBox,
      this.cardForm(view.id),
      this.editor ? this.editor.node : null,
      this.visitors ? this.visitors.node : null,
      el("h3", {}, t("web3d.booth.chat")), this.chatLog, chatForm,
      this.noteLine = el("p", { class: "note", role: "status" }),
    ].filter((n) => n !== null && n !== undefined));
  }

  contentNodes(view) {
    const c = view.content || {};
    const likeBtn = el("button", { class: "like", type: "button" }, t("web3d.booth.like", { n: view.likes }));
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
      safeUrl(c.video) ? el("p", {}, el("a", { class: "video", href: c.video, target: "_blank", rel: "noopener noreferrer" }, t("web3d.booth.video"))) : null,
      links.length ? el("ul", { class: "links" }, ...links) : null,
      products.length ? el("ul", { class: "products" }, ...products) : null,
      el("div", { class: "row" }, likeBtn,
        view.staff && view.staff.length ? el("span", { class: "muted" }, t("web3d.booth.staff", { names: view.staff.join(t("client.booth.staff_sep")) })) : null),
    ].filter((n) => n !== null && n !== undefined);
  }

  cardForm(boothId) {
    // The server's permission map decides (guests cannot leave cards): the UI follows it.
    if (!this.conn.perms["booth.card"]) {
      return el("p", { class: "muted cardnote" }, t("web3d.booth.card_signin"));
    }
    const user = this.conn.user || {};
    const field = (name, label, type = "text", value = "") =>
      el("label", {}, label, el("input", { name, type, maxlength: "200", "data-field": name, value }));
    const consent = el("input", { type: "checkbox", name: "consent", "data-field": "consent" });
    const send = el("button", { type: "submit", class: "send", disabled: true }, t("web3d.booth.card_send"));
    consent.addEventListener("change", () => { send.disabled = !consent.checked; });
    const line = el("p", { class: "formline", role: "status" });
    const form = el("form", { class: "card", novalidate: true },
      field("name", t("web3d.booth.card_name"), "text", user.name || ""),
      field("company", t("web3d.booth.card_company"), "text", user.company || ""),
      field("email", t("web3d.booth.card_email"), "email"), field("phone", t("web3d.booth.card_phone"), "tel"),
      el("label", {}, t("web3d.booth.card_message"), el("textarea", { name: "message", "data-field": "message", maxlength: "4000", rows: "3" })),
      el("label", { class: "consent" }, consent, t("web3d.booth.card_consent")),
      send, line);
    const errors = new FormErrors(form, line);
    const details = el("details", { class: "leave-card" }, el("summary", {}, t("web3d.booth.card_summary")), form);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      errors.clear();
      const data = Object.fromEntries(new FormData(form).entries());
      if (!consent.checked) { errors.show("consent", t("web3d.booth.card_tick")); return; }
      if (!data.name.trim()) { errors.show("name", t("web3d.booth.card_name_needed")); return; }
      send.disabled = true;
      errors.line(t("web3d.booth.sending"));
      this.conn.request(msg.card(boothId, { ...data, name: data.name.trim(), consent: true }))
        .then(() => {
          // Sent: the message and the consent are for this card only; the details stay for the next.
          form.elements.message.value = "";
          consent.checked = false;
          errors.line(t("web3d.booth.card_left", { booth: (this.booth && this.booth.content && this.booth.content.name) || boothId }), "ok");
        })
        .catch((err) => {
          errors.line("");
          errors.server(err);
          errors.line(t("web3d.booth.card_failed", { why: errorText(err), code: err.code || "error", detail: err.message }), "err");
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
      button.textContent = t("web3d.booth.like", { n: likes });
      button.classList.add("on");
      for (const fn of this.listeners) fn(this.booth);
    }).catch((err) => this.note(errorText(err)));
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
