// What a booth's owner sees in its panel: "Edit booth" (booth_edit) and "My booth's
// visitors" (booth_stats). Shown when the server's permission map (`session.perms`) allows
// the action and the booth is the enterprise's own; the server still decides per booth, and
// a refusal is shown with its explicit reason.
import { msg } from "./net.js";
import { el, FormErrors } from "./form.js";
import { t, errorText, getLang } from "./i18n.js";

const URL_FIELDS = [["image", "web3d.owner.image"], ["logo", "web3d.owner.logo"], ["video", "web3d.owner.video"]];

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
    this.submit = el("button", { type: "submit" }, t("web3d.owner.save"));
    const text = (name, label, value, max = "200") =>
      el("label", {}, label, el("input", { name, "data-field": name, maxlength: max, value: value || "" }));
    this.form = el("form", { class: "edit", novalidate: true },
      text("name", t("web3d.owner.name"), c.name),
      text("tagline", t("web3d.owner.tagline"), c.tagline),
      el("label", {}, t("web3d.owner.description"), el("textarea", { name: "description", "data-field": "description", maxlength: "4000", rows: "4" }, c.description || "")),
      ...URL_FIELDS.map(([f, label]) => text(f, t(label), c[f], "2000")),
      el("h4", {}, t("web3d.owner.links")), this.links,
      el("button", { type: "button", class: "add", onclick: () => this.addLink({}) }, t("web3d.owner.add_link")),
      el("h4", {}, t("web3d.owner.products")), this.products,
      el("button", { type: "button", class: "add", onclick: () => this.addProduct({}) }, t("web3d.owner.add_product")),
      el("div", { class: "row" }, this.submit), line);
    this.errors = new FormErrors(this.form, line);
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.save(); });
    this.node = el("details", { class: "owner edit-booth" }, el("summary", {}, t("web3d.owner.edit")), this.form);
  }

  reindex(box, kind) {
    [...box.children].forEach((row, i) => {
      row.dataset.field = `${kind}[${i}]`;
      for (const input of row.querySelectorAll("[data-key]")) input.dataset.field = `${kind}[${i}].${input.dataset.key}`;
    });
  }

  addLink(l) {
    const row = el("div", { class: "rowset" },
      rowInput("", t("web3d.owner.label"), l.label, { "data-key": "label", maxlength: "200" }),
      rowInput("", "https://…", l.url, { "data-key": "url", maxlength: "2000" }),
      el("button", { type: "button", class: "remove", title: t("web3d.owner.remove"), onclick: () => { row.remove(); this.reindex(this.links, "links"); } }, "×"));
    this.links.append(row);
    this.reindex(this.links, "links");
  }

  addProduct(p) {
    const row = el("div", { class: "rowset" },
      rowInput("", t("web3d.owner.product_name"), p.name, { "data-key": "name", maxlength: "200" }),
      rowInput("", t("web3d.owner.price"), p.price, { "data-key": "price", maxlength: "200" }),
      rowInput("", t("web3d.owner.description"), p.description, { "data-key": "description", maxlength: "4000" }),
      rowInput("", t("web3d.owner.page_url"), p.url, { "data-key": "url", maxlength: "2000" }),
      rowInput("", t("web3d.owner.image"), p.image, { "data-key": "image", maxlength: "2000" }),
      el("button", { type: "button", class: "remove", title: t("web3d.owner.remove"), onclick: () => { row.remove(); this.reindex(this.products, "products"); } }, "×"));
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
    this.errors.line(t("web3d.owner.saving"));
    this.conn.request(msg.boothEdit(this.boothId, this.content()))
      .then(() => this.errors.line(t("web3d.owner.saved"), "ok"))
      .catch((err) => { this.errors.line(""); this.errors.server(err); })
      .finally(() => { this.submit.disabled = false; });
  }
}

const count = (n, what) => t(`web3d.stats.${what}.${n === 1 ? "one" : "many"}`, { n });
const when = (ts) => (ts ? new Date(ts * 1000).toLocaleString(getLang() === "zh" ? "zh-CN" : "en") : "");

export class BoothVisitors {
  constructor(conn, view) {
    this.conn = conn;
    this.boothId = view.id;
    this.body = el("div", { class: "statsbody" });
    this.line = el("p", { class: "formline", role: "status" });
    const refresh = el("button", { type: "button", class: "refresh", onclick: () => this.load() }, t("web3d.stats.refresh"));
    this.node = el("details", { class: "owner visitors" }, el("summary", {}, t("web3d.stats.title")),
      el("div", { class: "row" }, refresh), this.line, this.body);
    this.node.addEventListener("toggle", () => { if (this.node.open) this.load(); });
  }

  load() {
    this.line.className = "formline";
    this.line.textContent = t("web3d.stats.loading");
    this.conn.request(msg.boothStats(this.boothId)).then((ok) => {
      this.line.textContent = "";
      this.render(ok.data || {});
    }).catch((err) => {
      this.line.className = "formline err";
      this.line.textContent = errorText(err);
    });
  }

  render(s) {
    const cards = s.cards || [];
    const visits = s.recent_visits || [];
    const dwell = Math.round(s.dwell_s || 0);
    this.body.replaceChildren(
      el("p", { class: "figures" },
        el("span", { "data-stat": "visits" }, count(s.visits || 0, "visits")), " · ",
        el("span", { "data-stat": "visitors" }, count(s.visitors || 0, "visitors")), " · ",
        el("span", { "data-stat": "likes" }, count(s.likes || 0, "likes")), " · ",
        el("span", { "data-stat": "cards" }, count(cards.length, "cards")), " · ",
        el("span", { "data-stat": "dwell" }, t("web3d.stats.dwell", { n: dwell }))),
      el("h4", {}, t("web3d.stats.cards_title")),
      cards.length ? el("ul", { class: "cards" }, ...cards.map((c) => el("li", {},
        el("b", {}, c.name), c.company ? ` · ${c.company}` : "",
        c.email ? el("div", {}, c.email) : null, c.phone ? el("div", {}, c.phone) : null,
        c.message ? el("div", { class: "muted" }, c.message) : null,
        el("div", { class: "muted" }, `${c.user} · ${when(c.ts)}`))))
        : el("p", { class: "muted" }, t("web3d.stats.no_cards")),
      el("h4", {}, t("web3d.stats.visits_title")),
      visits.length ? el("ul", { class: "visits" }, ...visits.slice(0, 20).map((v) =>
        el("li", {}, t("web3d.stats.visit_row", { name: v.name, s: Math.round(v.dwell || 0), when: when(v.entered) }))))
        : el("p", { class: "muted" }, t("web3d.stats.no_visits")));
  }
}
