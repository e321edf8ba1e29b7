// "Book this space" inside the park: when your avatar walks into a bookable space's zone
// (its footprint in the layout's `spaces`, shown by spaces.js) the client asks the world
// server `space_slots` and shows, in a panel, the space's next free times (today, then
// tomorrow) as one-click buttons; a click sends `space_book` and the panel says what
// came of it: booked (with the check-in code), waiting for the park office's approval, or
// refused with the rule's reason and, for a time just taken, the nearest free times as
// buttons. Walking out closes it. The zone turning red is the server's `spaces` push.
// Your own bookings of the space today come with the free times (`mine`): while one's
// check-in is open a "Check in" button sends `space_check_in` (the server checks that
// you stand in the zone) and the panel says checked in, or why not (too early, too late,
// checked in already).
import { msg } from "./net.js";
import { el } from "./form.js";
import { pointInRing } from "./park.js";
import { t, onLang, errorText } from "./i18n.js";

const CHECK_MS = 250;
const REFRESH_MS = 60000; // in a zone with a booking whose check-in has not opened: ask again this often

/** The words of one free time ("Today 09:00–10:00"). */
export function slotWords(slot, today) {
  const day = slot.day === today ? t("client.space.today") : t("client.space.tomorrow");
  return `${day} ${slot.at}–${slot.end}`;
}

export class SpacePanel {
  /** `where()`: the avatar's {x, y}; `layout()`: the park's layout; `items()`: the
   * `spaces` states by zone id; `guest()`: whether this is a guest session. */
  constructor(root, conn, { where, layout, items, guest, open = (url) => window.open(url, "_blank", "noopener") }) {
    Object.assign(this, { root, conn, where, layout, items, guest, open });
    this.zone = null; // the zone id the avatar stands in
    this.view = null; // what is drawn: {kind, ...}
    this.asked = 0;
    this.booked = [];
    this.checked = [];
    this.refreshMs = REFRESH_MS;
    this.askedAt = 0;
    this.refreshed = 0;
    setInterval(() => this.check(), CHECK_MS);
    conn.on("joined", () => { this.zone = null; this.close(); });
    onLang(() => { if (this.view) this.draw(this.view); });
  }

  zoneAt(p) {
    const lay = this.layout();
    const shapes = (lay && lay.data && lay.data.spaces) || [];
    const states = this.items();
    for (const s of shapes) {
      const item = states.get(s.id);
      if (item && item.space && Array.isArray(s.footprint) && s.footprint.length >= 3
          && pointInRing(p.x, p.y, s.footprint)) return { shape: s, item };
    }
    return null;
  }

  check() {
    const p = this.where();
    const found = this.conn.joined && p ? this.zoneAt(p) : null;
    const id = found ? found.shape.id : null;
    if (id === this.zone) { this.refresh(); return; }
    this.zone = id;
    if (!found) { this.close(); return; }
    this.ask(found.item.space, found.shape.name || id);
  }

  /** Standing in the zone with a booking whose check-in has not opened yet: ask again now
   * and then, so the "Check in" button comes when it opens. */
  refresh() {
    const v = this.view;
    if (!v || v.kind !== "slots" || this.zone === null || Date.now() - this.askedAt < this.refreshMs) return;
    if (!(v.offer.mine || []).some((b) => b.state === "confirmed" && !b.open)) return;
    const zone = this.zone;
    this.askedAt = Date.now();
    this.refreshed += 1;
    this.conn.request(msg.spaceSlots(v.offer.space)).then((m) => {
      if (this.zone === zone && this.view && this.view.kind === "slots") this.draw({ ...this.view, offer: m });
    }).catch(() => {}); // the panel keeps what it shows
  }

  ask(space, name) {
    this.asked += 1;
    this.askedAt = Date.now();
    const zone = this.zone;
    this.draw({ kind: "asking", name });
    this.conn.request(msg.spaceSlots(space)).then((m) => {
      if (this.zone === zone) this.draw({ kind: "slots", name: m.name || name, offer: m });
    }).catch((err) => {
      if (this.zone !== zone) return;
      if (err.code === "not_allowed" && this.guest()) this.draw({ kind: "sign_in", name });
      else if (err.code === "not_allowed") this.draw({ kind: "not_allowed", name, reason: err.message });
      else this.draw({ kind: "error", name, error: errorText(err) });
    });
  }

  book(offer, slot, name) {
    const zone = this.zone;
    this.draw({ kind: "booking", name, offer });
    this.conn.request(msg.spaceBook(offer.space, slot.start, slot.minutes)).then((m) => {
      this.booked.push(m);
      if (this.zone === zone) this.draw({ kind: "booked", name, offer, result: m });
    }).catch((err) => { if (this.zone === zone) this.draw({ kind: "error", name, error: errorText(err) }); });
  }

  checkIn(offer, mine, name) {
    const zone = this.zone;
    this.draw({ kind: "checking_in", name, offer });
    this.conn.request(msg.spaceCheckIn(offer.space, mine.booking)).then((m) => {
      this.checked.push(m);
      if (this.zone === zone) this.draw({ kind: "checked", name, offer, result: m });
    }).catch((err) => { if (this.zone === zone) this.draw({ kind: "error", name, error: errorText(err) }); });
  }

  /** One of your bookings of the space today: checked in, a "Check in" button, or when it opens. */
  mineRow(offer, b, name) {
    const row = el("div", { class: "mine", "data-booking": String(b.booking) },
      el("p", {}, t("client.space.mine", { start: b.start, end: b.end })));
    if (b.state === "checked_in") row.append(el("p", { class: "ok" }, t("client.space.checked_in", { start: b.start, end: b.end })));
    else if (b.open) {
      row.append(el("button", { type: "button", class: "check-in", onclick: () => this.checkIn(offer, b, name) },
        t("client.space.check_in")));
    } else row.append(el("p", { class: "muted" }, t("client.space.check_in_opens", { opens: b.opens })));
    return row;
  }

  close() {
    this.view = null;
    this.root.hidden = true;
    this.root.replaceChildren();
    delete this.root.dataset.state;
  }

  buttons(offer, slots, name) {
    const list = el("div", { class: "slots" });
    for (const s of slots) {
      list.append(el("button", { type: "button", class: "slot", "data-start": String(s.start),
        "data-minutes": String(s.minutes), onclick: () => this.book(offer, s, name) }, slotWords(s, offer.today)));
    }
    return list;
  }

  draw(view) {
    this.view = view;
    const kids = [
      el("button", { type: "button", class: "close", "aria-label": t("client.space.close"), onclick: () => this.close() }, "×"),
      el("h2", {}, t("client.space.panel_title")),
      el("p", { class: "muted" }, view.name),
    ];
    const offer = view.offer;
    if (view.kind === "asking") kids.push(el("p", {}, t("client.space.asking")));
    else if (view.kind === "booking") kids.push(el("p", {}, t("client.space.booking")));
    else if (view.kind === "checking_in") kids.push(el("p", {}, t("client.space.checking_in")));
    else if (view.kind === "checked") {
      const r = view.result;
      if (r.outcome === "checked_in") kids.push(el("p", { class: "ok" }, t("client.space.checked_in", { start: r.start, end: r.end })));
      else {
        const first = (r.problems || [])[0] || { code: "", message: "" };
        const known = ["too_early", "too_late", "state"].includes(first.code);
        kids.push(el("p", { class: "err" }, known ? t(`client.space.check_in_refused.${first.code}`)
          : t("client.space.check_in_refused.other", { message: first.message })));
      }
    }
    else if (view.kind === "sign_in") kids.push(el("p", {}, t("client.space.sign_in")));
    else if (view.kind === "not_allowed") kids.push(el("p", { class: "err" }, t("client.space.not_allowed", { reason: view.reason })));
    else if (view.kind === "error") kids.push(el("p", { class: "err" }, view.error));
    else if (view.kind === "slots") {
      const facts = [offer.price ? t("client.space.price", { price: offer.price }) : t("client.space.no_charge")];
      if (offer.capacity) facts.push(t("client.space.capacity", { n: offer.capacity }));
      kids.push(el("p", { class: "muted" }, facts.join(" · ")));
      if (offer.approval) kids.push(el("p", { class: "muted" }, t("client.space.approval")));
      for (const b of offer.mine || []) kids.push(this.mineRow(offer, b, view.name));
      if (offer.retired) kids.push(el("p", {}, t("client.space.retired")));
      else if (!offer.slots.length) kids.push(el("p", {}, t("client.space.none_free")));
      for (const minutes of offer.durations) {
        const mine = offer.slots.filter((s) => s.minutes === minutes);
        if (!mine.length) continue;
        kids.push(el("h3", {}, t("client.space.minutes", { minutes })), this.buttons(offer, mine, view.name));
      }
    } else if (view.kind === "booked") {
      const r = view.result;
      if (r.outcome === "confirmed" || r.outcome === "pending") {
        kids.push(el("p", { class: "ok" }, t(`client.space.${r.outcome}`, { day: r.day, start: r.start, end: r.end, code: r.code })),
          el("p", {}, el("a", { href: "/console/employee/bookings", target: "_blank", rel: "noopener",
            onclick: (e) => { e.preventDefault(); this.open("/console/employee/bookings"); } }, t("client.space.my_bookings"))));
      } else if ((r.problems || []).some((p) => p.code === "taken")) {
        kids.push(el("p", { class: "err" }, t("client.space.just_taken")), this.buttons(offer, r.alternatives || [], view.name));
      } else {
        const first = (r.problems || [])[0] || { message: "" };
        kids.push(el("p", { class: "err" }, t("client.space.refused", { message: first.message })));
      }
    }
    this.root.replaceChildren(...kids);
    this.root.hidden = false;
    this.root.dataset.state = view.kind === "booked" || view.kind === "checked" ? view.result.outcome : view.kind;
  }

  /** For tests: where the panel stands. */
  state() {
    const v = this.view;
    return { zone: this.zone, asked: this.asked, refreshed: this.refreshed, open: !this.root.hidden, kind: v ? v.kind : "",
      slots: v && v.offer && v.kind === "slots" ? v.offer.slots.length : 0,
      mine: v && v.offer && v.kind === "slots" ? (v.offer.mine || []).map((b) => ({ booking: b.booking, open: !!b.open, state: b.state })) : [],
      booked: this.booked.map((b) => ({ outcome: b.outcome, start: b.start, end: b.end, code: b.code })),
      checked: this.checked.map((c) => ({ outcome: c.outcome, booking: c.booking,
        problems: (c.problems || []).map((p) => p.code) })) };
  }
}
