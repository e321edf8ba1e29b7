// What a booth's owner sees in its panel: "Edit booth" (booth_edit) and "My booth's
// visitors" (booth_stats). Shown when the server's permission map (`session.perms`) allows
// the action and the booth is the enterprise's own; the server still decides per booth, and
// a refusal is shown with its explicit reason.
import { msg } from "./net.js";
import { el, FormErrors } from "./form.js";

const URL_FIELDS = [["image", "Image URL"], ["logo", "Logo URL"], ["video", "Video URL"]];

/** May this user manage this booth, as far as the permission map tells? */
export function mayManage(perms, user, view, action) {
  if (!perms[action] || !user) return false;
  // For an enterprise "true" means "booths you own": the booth's owner is its company.
  // Park staff and admins get the form and the server decides for the park at hand.
  return user.role !== "enterprise" || (!!view.owner && view.owner === user.company);
}

const rowInput = (field, placeholder, value, attrs = {}) =>
  el("input", { "data-field": field, placeholder, value: value || "", ...attrs });

export class BoothEditor {
  constructor(conn, view) {
    this.conn = conn;
    this.boothId = view.id;
    const c = view.content || {};
    this.links = el("div", { class: "rows", "data-field": "links" });
    this.products = el("div", { class: "rows", "data-field": "products" });
    for (const l of c.links || []) this.addLink(l);
    for (const p of c.products || []) this.addProduct(p);
    const line = el("p", { class: "formline", role: "status" });
    this.submit = el("button", { type: "submit" }, "Save booth");
    const text = (name, label, value, max = "200") =>
      el("label", {}, label, el("input", { name, "data-field": name, maxlength: max, value: value || "" }));
    this.form = el("form", { class: "edit", novalidate: true },
      text("name", "Name", c.name),
      text("tagline", "Tagline", c.tagline),
      el("label", {}, "Description", el("textarea", { name: "description", "data-field": "description", maxlength: "4000", rows: "4" }, c.description || "")),
      ...URL_FIELDS.map(([f, label]) => text(f, label, c[f], "2000")),
      el("h4", {}, "Links"), this.links,
      el("button", { type: "button", class: "add", onclick: () => this.addLink({}) }, "+ Link"),
      el("h4", {}, "Products"), this.products,
      el("button", { type: "button", class: "add", onclick: () => this.addProduct({}) }, "+ Product"),
      el("div", { class: "row" }, this.submit), line);
    this.errors = new FormErrors(this.form, line);
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.save(); });
    this.node = el("details", { class: "owner edit-booth" }, el("summary", {}, "Edit booth"), this.form);
  }

  reindex(box, kind) {
    [...box.children].forEach((row, i) => {
      row.dataset.field = `${kind}[${i}]`;
      for (const input of row.querySelectorAll("[data-key]")) input.dataset.field = `${kind}[${i}].${input.dataset.key}`;
    });
  }

  addLink(l) {
    const row = el("div", { class: "rowset" },
      rowInput("", "Label", l.label, { "data-key": "label", maxlength: "200" }),
      rowInput("", "https://…", l.url, { "data-key": "url", maxlength: "2000" }),
      el("button", { type: "button", class: "remove", title: "Remove", onclick: () => { row.remove(); this.reindex(this.links, "links"); } }, "×"));
    this.links.append(row);
    this.reindex(this.links, "links");
  }

  addProduct(p) {
    const row = el("div", { class: "rowset" },
      rowInput("", "Product name", p.name, { "data-key": "name", maxlength: "200" }),
      rowInput("", "Price", p.price, { "data-key": "price", maxlength: "200" }),
      rowInput("", "Description", p.description, { "data-key": "description", maxlength: "4000" }),
      rowInput("", "Page URL", p.url, { "data-key": "url", maxlength: "2000" }),
      rowInput("", "Image URL", p.image, { "data-key": "image", maxlength: "2000" }),
      el("button", { type: "button", class: "remove", title: "Remove", onclick: () => { row.remove(); this.reindex(this.products, "products"); } }, "×"));
    this.products.append(row);
    this.reindex(this.products, "products");
  }

  /** The whole content as the form holds it (every field: the server replaces them all). */
  content() {
    const f = this.form.elements;
    const rows = (box) => [...box.children].map((row) =>
      Object.fromEntries([...row.querySelectorAll("[data-key]")].map((i) => [i.dataset.key, i.value.trim()])));
    return {
      name: f.name.value.trim(), tagline: f.tagline.value.trim(), description: f.description.value.trim(),
      image: f.image.value.trim(), logo: f.logo.value.trim(), video: f.video.value.trim(),
      links: rows(this.links).filter((l) => l.label || l.url),
      products: rows(this.products).filter((p) => Object.values(p).some(Boolean))
        .map((p) => Object.fromEntries(Object.entries(p).filter(([k, v]) => k === "name" || v))),
    };
  }

  save() {
    this.errors.clear();
    this.submit.disabled = true;
    this.errors.line("Saving…");
    this.conn.request(msg.boothEdit(this.boothId, this.content()))
      .then(() => this.errors.line("Saved: visitors at the booth see it now.", "ok"))
      .catch((err) => { this.errors.line(""); this.errors.server(err); })
      .finally(() => { this.submit.disabled = false; });
  }
}

const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const when = (ts) => (ts ? new Date(ts * 1000).toLocaleString() : "");

export class BoothVisitors {
  constructor(conn, view) {
    this.conn = conn;
    this.boothId = view.id;
    this.body = el("div", { class: "statsbody" });
    this.line = el("p", { class: "formline", role: "status" });
    const refresh = el("button", { type: "button", class: "refresh", onclick: () => this.load() }, "Refresh");
    this.node = el("details", { class: "owner visitors" }, el("summary", {}, "My booth's visitors"),
      el("div", { class: "row" }, refresh), this.line, this.body);
    this.node.addEventListener("toggle", () => { if (this.node.open) this.load(); });
  }

  load() {
    this.line.className = "formline";
    this.line.textContent = "Loading…";
    this.conn.request(msg.boothStats(this.boothId)).then((ok) => {
      this.line.textContent = "";
      this.render(ok.data || {});
    }).catch((err) => {
      this.line.className = "formline err";
      this.line.textContent = `${err.code ? `${err.code}: ` : ""}${err.message}`;
    });
  }

  render(s) {
    const cards = s.cards || [];
    const visits = s.recent_visits || [];
    const dwell = Math.round(s.dwell_s || 0);
    this.body.replaceChildren(
      el("p", { class: "figures" },
        el("span", { "data-stat": "visits" }, count(s.visits || 0, "visit", "visits")), " · ",
        el("span", { "data-stat": "visitors" }, count(s.visitors || 0, "visitor", "visitors")), " · ",
        el("span", { "data-stat": "likes" }, count(s.likes || 0, "like", "likes")), " · ",
        el("span", { "data-stat": "cards" }, count(cards.length, "card", "cards")), " · ",
        el("span", { "data-stat": "dwell" }, `${dwell} s in the zone`)),
      el("h4", {}, "Business cards"),
      cards.length ? el("ul", { class: "cards" }, ...cards.map((c) => el("li", {},
        el("b", {}, c.name), c.company ? ` · ${c.company}` : "",
        c.email ? el("div", {}, c.email) : null, c.phone ? el("div", {}, c.phone) : null,
        c.message ? el("div", { class: "muted" }, c.message) : null,
        el("div", { class: "muted" }, `${c.user} · ${when(c.ts)}`))))
        : el("p", { class: "muted" }, "No cards yet."),
      el("h4", {}, "Recent visits"),
      visits.length ? el("ul", { class: "visits" }, ...visits.slice(0, 20).map((v) =>
        el("li", {}, `${v.name} · ${Math.round(v.dwell || 0)} s · ${when(v.entered)}`)))
        : el("p", { class: "muted" }, "No finished visits yet (a visit counts once the visitor walks out)."));
  }
}
