// The park's policy kiosk (the policy service point): when your avatar steps onto the
// ground in front of it (`layout.kiosk.zone`) the client asks the world server `kiosk`
// and shows, in a panel, the policies that match your enterprise: the verdict, the amount
// it could claim, and a link to apply (or read) on the web app. Stepping off closes it.
import { msg } from "./net.js";
import { el } from "./form.js";
import { pointInRing } from "./park.js";
import { t, onLang, getLang, errorText } from "./i18n.js";

const CHECK_MS = 250;

/** The kiosk's words for one matched policy's line. */
export function kioskLine(item) {
  const verdict = t(`client.kiosk.${item.verdict}`);
  return item.amount == null ? verdict : t("client.kiosk.up_to", { verdict, amount: item.amount.toLocaleString("en") });
}

export class KioskPanel {
  /** `where()`: the avatar's {x, y} now; `layout()`: the park's layout; `open(url)`: how a web page opens. */
  constructor(root, conn, { where, layout, open = (url) => window.open(url, "_blank", "noopener") }) {
    Object.assign(this, { root, conn, where, layout, open });
    this.inside = false;
    this.data = null;
    this.asked = 0;
    this.shown = 0;
    setInterval(() => this.check(), CHECK_MS);
    conn.on("joined", () => { this.inside = false; this.close(); });
    onLang(() => { if (this.data) this.draw(this.data); });
  }

  check() {
    const lay = this.layout();
    const kiosk = lay && lay.kiosk;
    const p = this.where();
    const inside = !!(kiosk && this.conn.joined && p && pointInRing(p.x, p.y, kiosk.zone));
    if (inside === this.inside) return;
    this.inside = inside;
    if (!inside) { this.close(); return; }
    this.asked += 1;
    this.conn.request(msg.kiosk()).then((ok) => {
      if (this.inside) this.draw(ok.data || {});
    }).catch((err) => { if (this.inside) this.draw({ error: errorText(err), items: [] }); });
  }

  close() {
    this.data = null;
    this.root.hidden = true;
    this.root.replaceChildren();
    delete this.root.dataset.kiosk;
  }

  link(url, words) {
    return el("a", { href: url, target: "_blank", rel: "noopener", onclick: (e) => { e.preventDefault(); this.open(url); } },
      words);
  }

  draw(data) {
    this.data = data;
    this.shown += 1;
    const zh = getLang() === "zh";
    const kids = [
      el("button", { type: "button", class: "close", "aria-label": t("client.kiosk.close"), onclick: () => this.close() }, "×"),
      el("h2", {}, t("client.kiosk.title")),
    ];
    if (data.error) kids.push(el("p", { class: "err" }, data.error));
    else if (data.why === "guest") kids.push(el("p", {}, t("client.kiosk.guest")));
    else if (data.why === "no_enterprise") kids.push(el("p", {}, t("client.kiosk.no_enterprise")));
    else {
      kids.push(el("p", { class: "muted" }, t("client.kiosk.for", { org: data.org, eligible: data.eligible,
        possibly: data.possibly })));
      if (!data.items.length) kids.push(el("p", {}, t("client.kiosk.none")));
      const list = el("ul", { class: "kiosk-items" });
      for (const item of data.items) {
        const title = zh ? item.title_zh : item.title_en;
        list.append(el("li", { class: `kiosk-item ${item.verdict}` },
          el("strong", {}, title), el("br"), el("span", { class: "muted" }, kioskLine(item)),
          item.apply_to ? el("span", { class: "muted" }, ` · ${t("client.kiosk.until", { date: item.apply_to })}`) : null,
          el("br"), this.link(item.url, t(data.manages ? "client.kiosk.apply" : "client.kiosk.read"))));
      }
      kids.push(list);
      if (!data.manages) kids.push(el("p", { class: "muted" }, t("client.kiosk.member")));
    }
    kids.push(el("p", {}, this.link(data.url || "/policies", t(data.why ? "client.kiosk.search" : "client.kiosk.all"))));
    this.root.replaceChildren(...kids);
    this.root.hidden = false;
    this.root.dataset.kiosk = data.why || (data.error ? "error" : "ok");
  }

  state() {
    return { inside: this.inside, asked: this.asked, shown: this.shown, open: !this.root.hidden,
      items: this.data && this.data.items ? this.data.items.map((i) => i.policy) : [] };
  }
}
