// The booth panel (DOM overlay): what the enterprise shows, Like, Leave card (only
// with the visitor's explicit consent) and the booth's chat.
import { msg } from "./net.js";

const el = (tag, attrs = {}, ...kids) => {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") n.className = v;
    else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) n.append(k);
  return n;
};

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
    this.booth = view;
    const c = view.content || {};
    this.root.replaceChildren();
    this.root.hidden = false;
    this.root.dataset.booth = view.id;
    const likeBtn = el("button", { class: "like", type: "button" }, `♥ Like · ${view.likes}`);
    if (view.liked) likeBtn.classList.add("on");
    likeBtn.addEventListener("click", () => this.like());
    this.likeButton = likeBtn;
    const links = (c.links || []).filter((l) => safeUrl(l.url)).map((l) =>
      el("li", {}, el("a", { href: l.url, target: "_blank", rel: "noopener noreferrer" }, l.label || l.url)));
    const products = (c.products || []).map((p) =>
      el("li", {}, el("b", {}, p.name), p.price ? ` · ${p.price}` : "", p.description ? el("div", { class: "muted" }, p.description) : null));
    const img = safeUrl(c.image) ? el("img", { src: c.image, alt: "" }) : null;
    this.chatLog = el("div", { class: "chatlog" });
    const chatInput = el("input", { placeholder: "Ask the booth…", maxlength: "500" });
    const chatForm = el("form", { class: "row", onsubmit: (e) => {
      e.preventDefault();
      const text = chatInput.value.trim();
      if (!text) return;
      this.conn.request(msg.chat("booth", text, view.id)).catch((err) => this.note(err.message));
      chatInput.value = "";
    } }, chatInput, el("button", { type: "submit" }, "Send"));
    this.root.append(...[
      el("button", { class: "close", type: "button", title: "Close", onclick: () => this.close() }, "×"),
      el("h2", {}, c.name || view.id),
      c.tagline ? el("p", { class: "tagline" }, c.tagline) : null,
      img,
      c.description ? el("p", {}, c.description) : null,
      links.length ? el("ul", { class: "links" }, ...links) : null,
      products.length ? el("ul", { class: "products" }, ...products) : null,
      el("div", { class: "row" }, likeBtn,
        view.staff && view.staff.length ? el("span", { class: "muted" }, `staff on duty: ${view.staff.join(", ")}`) : null),
      this.cardForm(view.id),
      el("h3", {}, "Chat"), this.chatLog, chatForm,
      this.noteLine = el("p", { class: "note", role: "status" }),
    ].filter((n) => n !== null && n !== undefined));
    for (const fn of this.listeners) fn(view);
  }

  cardForm(boothId) {
    // The server's permission map decides (guests cannot leave cards): the UI follows it.
    if (!this.conn.perms["booth.card"]) {
      return el("p", { class: "muted cardnote" }, "To leave a business card, register or log in first.");
    }
    const field = (name, label, type = "text") =>
      el("label", {}, label, el("input", { name, type, maxlength: "200" }));
    const consent = el("input", { type: "checkbox", name: "consent" });
    const send = el("button", { type: "submit", disabled: "" }, "Leave my card");
    consent.addEventListener("change", () => { send.disabled = !consent.checked; });
    const form = el("form", { class: "card" },
      field("name", "Name"), field("company", "Company"), field("email", "Email", "email"), field("phone", "Phone", "tel"),
      el("label", { class: "consent" }, consent, " I agree to share these details with this enterprise."),
      send);
    const details = el("details", {}, el("summary", {}, "Leave a business card"), form);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(form).entries());
      if (!consent.checked) { this.note("Tick the consent box to share your card."); return; }
      if (!data.name) { this.note("Your name is needed on a card."); return; }
      this.conn.request(msg.card(boothId, { ...data, consent: true }))
        .then(() => { this.note("Card left. Thank you!"); details.open = false; })
        .catch((err) => this.note(`Card not sent: ${err.message}`));
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
    this.root.hidden = true;
    this.root.replaceChildren();
    delete this.root.dataset.booth;
    for (const fn of this.listeners) fn(null);
  }
}
