// The sign-in panel (DOM overlay): continue as a guest, log in, or register. A login or a
// registration runs on a short connection of its own (net.js `signIn`), so a wrong password
// costs nothing; on success the park session restarts signed in with the login token, which
// is remembered in localStorage for the next visit (sent as `token`). The password is only
// ever in its input field and the one `login`/`register` frame: never logged, never stored.
import { msg, signIn } from "./net.js";
import { el, FormErrors } from "./form.js";
import { t, onLang, roleWords, errorWords, errorText } from "./i18n.js";

const LOGIN_KEY = "cloudpark.login"; // {token, expires, user}: no password, ever
const GUEST_KEY = "cloudpark.guest"; // the guest name chosen last time
const MIN_PASSWORD = 8;

function storage() {
  try { return window.localStorage; } catch { return null; }
}

/** The login remembered from an earlier visit, or null (expired ones are forgotten). */
export function savedLogin(now = Date.now()) {
  const store = storage();
  if (!store) return null;
  try {
    const saved = JSON.parse(store.getItem(LOGIN_KEY) || "null");
    if (saved && typeof saved.token === "string" && saved.token && !(saved.expires && saved.expires * 1000 < now)) return saved;
  } catch { /* unreadable: forget it */ }
  store.removeItem(LOGIN_KEY);
  return null;
}

function remember(session) {
  const store = storage();
  if (store) store.setItem(LOGIN_KEY, JSON.stringify({ token: session.token, expires: session.expires, user: session.user.id }));
}

function forget() {
  const store = storage();
  if (store) store.removeItem(LOGIN_KEY);
}

export function savedGuestName() {
  const store = storage();
  return (store && store.getItem(GUEST_KEY)) || "";
}

// Where an account error belongs when its message names no field.
const LOGIN_FIELDS = { auth_failed: "password" };
const REGISTER_FIELDS = { conflict: "user", not_allowed: "role" };

function registerField(err) {
  if (err.code !== "invalid") return REGISTER_FIELDS[err.code] || "";
  const m = err.message.toLowerCase();
  if (m.includes("password")) return "password";
  if (m.includes("company")) return "company";
  if (m.includes("user name")) return "user";
  if (m.includes("role")) return "role";
  return "";
}

export class AccountPanel {
  /** `root`: the panel's aside; `badge`: the HUD line showing who you are. */
  constructor(root, badge, conn, { serverUrl, firstVisit }) {
    this.root = root;
    this.badge = badge;
    this.conn = conn;
    this.serverUrl = serverUrl;
    this.tab = "guest";
    this.notice = "";
    this.badgeName = el("span", { id: "whoami" });
    this.badgeButton = el("button", { type: "button", id: "account-button", onclick: () => this.toggle() }, t("web3d.account.signin"));
    badge.replaceChildren(this.badgeName, this.badgeButton);
    // A session (sign-in, or a resume after a drop) redraws the panel only when who you are
    // changed: a form being filled in survives reconnects.
    conn.on("session", () => { if (this.shownFor !== this.who()) this.render(); else this.renderBadge(); });
    conn.on("token_refused", (err) => {
      forget();
      this.notice = t("web3d.account.token_refused", { why: errorWords(err.code), code: err.code, detail: err.message });
      this.tab = "login";
      this.show();
    });
    // a language switch redraws the panel (a form being filled in starts again in the new words)
    onLang(() => { this.shownFor = null; this.render(); });
    this.render();
    if (firstVisit) this.show();
  }

  get user() { return this.conn.user; }
  who() { return this.signedIn ? this.user.id : "guest"; }
  get signedIn() { return !!this.user && this.user.role !== "guest"; }

  toggle() { if (this.root.hidden) this.show(); else this.hide(); }
  show() { this.root.hidden = false; this.render(); }
  hide() { this.root.hidden = true; this.notice = ""; this.shownFor = null; }

  renderBadge() {
    const u = this.user;
    if (!u) { this.badgeName.textContent = t("web3d.account.connecting"); return; }
    const role = roleWords(this.signedIn ? u.role : "guest");
    this.badgeName.textContent = this.signedIn && u.company
      ? t("web3d.account.badge_company", { name: u.name, role, company: u.company })
      : t("web3d.account.badge", { name: u.name, role });
    this.badgeButton.textContent = t(this.signedIn ? "web3d.account.account" : "web3d.account.signin");
  }

  render() {
    this.renderBadge();
    if (this.root.hidden) return;
    this.shownFor = this.who();
    const close = el("button", { class: "close", type: "button", title: t("web3d.close"), onclick: () => this.hide() }, "×");
    const notice = this.notice ? el("p", { class: "formline err", role: "alert" }, this.notice) : null;
    if (this.signedIn) {
      const u = this.user;
      const who = { name: u.name, user: u.id, role: roleWords(u.role), company: u.company || "" };
      this.root.replaceChildren(close, el("h2", {}, t("web3d.account.title")),
        el("p", { class: "signedin" }, t(u.company ? "web3d.account.signed_in_company" : "web3d.account.signed_in", who)),
        el("p", { class: "muted" }, t("web3d.account.remembered")),
        el("button", { type: "button", class: "signout", onclick: () => this.signOut() }, t("web3d.account.signout")));
      return;
    }
    const tabs = el("div", { class: "tabs", role: "tablist" }, ...[
      ["guest", t("web3d.account.tab.guest")], ["login", t("web3d.account.tab.login")],
      ["register", t("web3d.account.tab.register")],
    ].map(([id, label]) => el("button", {
      type: "button", role: "tab", "data-tab": id, "aria-selected": String(this.tab === id),
      onclick: () => { this.tab = id; this.notice = ""; this.render(); },
    }, label)));
    const body = { guest: () => this.guestForm(), login: () => this.loginForm(), register: () => this.registerForm() }[this.tab]();
    this.root.replaceChildren(...[close, el("h2", {}, t("web3d.account.welcome")), notice, tabs, body].filter(Boolean));
  }

  field(name, label, attrs = {}) {
    return el("label", {}, label, el("input", { name, "data-field": name, ...attrs }));
  }

  guestForm() {
    const name = el("input", { name: "name", "data-field": "name", maxlength: "32", value: this.user ? this.user.name : this.conn.name });
    const line = el("p", { class: "formline", role: "status" });
    const form = el("form", { class: "guest", novalidate: true },
      el("label", {}, t("web3d.account.your_name"), name),
      el("p", { class: "muted" }, t("web3d.account.guest_info")),
      el("button", { type: "submit" }, t("web3d.account.as_guest")), line);
    const errors = new FormErrors(form, line);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      errors.clear();
      const chosen = name.value.trim();
      if (!chosen) { errors.show("name", t("web3d.account.name_needed")); return; }
      const store = storage();
      if (store) store.setItem(GUEST_KEY, chosen);
      this.conn.name = chosen;
      if (this.user && chosen === this.user.name) { this.hide(); return; }
      this.conn.request(msg.look(chosen)).then(() => {
        if (this.conn.user) this.conn.user = { ...this.conn.user, name: chosen };
        this.hide();
        this.renderBadge();
      }).catch((err) => errors.server(err, { bad_type: "name", invalid: "name" }));
    });
    return form;
  }

  loginForm() {
    const line = el("p", { class: "formline", role: "status" });
    const submit = el("button", { type: "submit" }, t("web3d.account.login"));
    const form = el("form", { class: "login", novalidate: true },
      this.field("user", t("web3d.account.user"), { autocomplete: "username", maxlength: "64" }),
      this.field("password", t("web3d.account.password"), { type: "password", autocomplete: "current-password", maxlength: "256" }),
      submit, line);
    const errors = new FormErrors(form, line);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      errors.clear();
      const user = form.elements.user.value.trim();
      const password = form.elements.password.value;
      if (!user) errors.show("user", t("web3d.account.user_needed"));
      if (!password) errors.show("password", t("web3d.account.password_needed"));
      if (!user || !password) return;
      this.send(form, submit, errors, msg.login(user, password), LOGIN_FIELDS, (err) => {
        if (err.code === "auth_failed") form.elements.password.value = "";
      });
    });
    return form;
  }

  registerForm() {
    const line = el("p", { class: "formline", role: "status" });
    const submit = el("button", { type: "submit" }, t("web3d.account.register"));
    const role = el("select", { name: "role", "data-field": "role" },
      el("option", { value: "visitor" }, t("web3d.account.role_visitor")),
      el("option", { value: "enterprise" }, t("web3d.account.role_enterprise")));
    const company = this.field("company", t("web3d.account.company"), { maxlength: "200", autocomplete: "organization" });
    company.hidden = true;
    role.addEventListener("change", () => { company.hidden = role.value !== "enterprise"; });
    const form = el("form", { class: "register", novalidate: true },
      this.field("user", t("web3d.account.new_user"), { autocomplete: "username", maxlength: "64" }),
      this.field("password", t("web3d.account.new_password", { n: MIN_PASSWORD }), { type: "password", autocomplete: "new-password", maxlength: "256" }),
      this.field("name", t("web3d.account.display_name"), { maxlength: "32", autocomplete: "nickname" }),
      el("label", {}, t("web3d.account.i_am"), role), company, submit, line);
    const errors = new FormErrors(form, line);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      errors.clear();
      const f = form.elements;
      const data = { user: f.user.value.trim(), password: f.password.value, name: f.name.value.trim(), role: role.value,
        company: role.value === "enterprise" ? f.company.value.trim() : "" };
      let ok = true;
      const need = (cond, field, text) => { if (!cond) { errors.show(field, text); ok = false; } };
      need(data.user, "user", t("web3d.account.choose_user"));
      need(data.password.length >= MIN_PASSWORD, "password", t("web3d.account.short_password", { n: MIN_PASSWORD }));
      need(data.name, "name", t("web3d.account.choose_name"));
      need(data.role !== "enterprise" || data.company, "company", t("web3d.account.company_needed"));
      if (!ok) return;
      this.send(form, submit, errors, msg.register(data), { ...REGISTER_FIELDS, invalid: "" }, null, registerField);
    });
    return form;
  }

  /** One login/register request on its own connection; on success the park session
   * restarts signed in. Errors go next to their field; the form keeps what was typed. */
  send(form, submit, errors, request, byCode, onError, fieldFor) {
    submit.disabled = true;
    errors.line(t("web3d.account.checking"));
    signIn(this.serverUrl, request).then((session) => {
      form.reset();
      remember(session);
      this.notice = "";
      this.hide();
      this.conn.switchTo(session.token);
    }).catch((err) => {
      errors.line("");
      const field = fieldFor ? fieldFor(err) : "";
      if (field) errors.show(field, errorText(err));
      else errors.server(err, byCode);
      if (onError) onError(err);
    }).finally(() => { submit.disabled = false; });
  }

  signOut() {
    // revoke the login token on the server (best effort: the page forgets it either way)
    if (this.conn.token || (this.conn.user && this.conn.user.role !== "guest")) {
      this.conn.request(msg.signOut(false)).catch(() => {});
    }
    forget();
    this.notice = "";
    this.tab = "guest";
    this.hide();
    this.conn.name = savedGuestName() || this.conn.name;
    this.conn.switchTo(null);
  }
}
