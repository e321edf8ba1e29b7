// The sign-in panel (DOM overlay): continue as a guest, log in, or register. A login or a
// registration runs on a short connection of its own (net.js `signIn`), so a wrong password
// costs nothing; on success the park session restarts signed in with the login token, which
// is remembered in localStorage for the next visit (sent as `token`). The password is only
// ever in its input field and the one `login`/`register` frame: never logged, never stored.
import { msg, signIn } from "./net.js";
import { el, FormErrors } from "./form.js";

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
    this.badgeButton = el("button", { type: "button", id: "account-button", onclick: () => this.toggle() }, "Sign in");
    badge.replaceChildren(this.badgeName, this.badgeButton);
    // A session (sign-in, or a resume after a drop) redraws the panel only when who you are
    // changed: a form being filled in survives reconnects.
    conn.on("session", () => { if (this.shownFor !== this.who()) this.render(); else this.renderBadge(); });
    conn.on("token_refused", (err) => {
      forget();
      this.notice = `Your saved sign-in was refused (${err.code}: ${err.message}); you are a guest now.`;
      this.tab = "login";
      this.show();
    });
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
    if (!u) { this.badgeName.textContent = "connecting…"; return; }
    this.badgeName.textContent = this.signedIn
      ? `${u.name} · ${u.role}${u.company ? ` · ${u.company}` : ""}`
      : `${u.name} · guest`;
    this.badgeButton.textContent = this.signedIn ? "Account" : "Sign in";
  }

  render() {
    this.renderBadge();
    if (this.root.hidden) return;
    this.shownFor = this.who();
    const close = el("button", { class: "close", type: "button", title: "Close", onclick: () => this.hide() }, "×");
    const notice = this.notice ? el("p", { class: "formline err", role: "alert" }, this.notice) : null;
    if (this.signedIn) {
      const u = this.user;
      this.root.replaceChildren(close, el("h2", {}, "Your account"),
        el("p", { class: "signedin" }, "Signed in as ", el("b", {}, u.name), ` (${u.id}, ${u.role}${u.company ? `, ${u.company}` : ""}).`),
        el("p", { class: "muted" }, "This browser remembers your sign-in until you sign out."),
        el("button", { type: "button", class: "signout", onclick: () => this.signOut() }, "Sign out"));
      return;
    }
    const tabs = el("div", { class: "tabs", role: "tablist" }, ...[
      ["guest", "Guest"], ["login", "Log in"], ["register", "Register"],
    ].map(([id, label]) => el("button", {
      type: "button", role: "tab", "data-tab": id, "aria-selected": String(this.tab === id),
      onclick: () => { this.tab = id; this.notice = ""; this.render(); },
    }, label)));
    const body = { guest: () => this.guestForm(), login: () => this.loginForm(), register: () => this.registerForm() }[this.tab]();
    this.root.replaceChildren(...[close, el("h2", {}, "Welcome to the park"), notice, tabs, body].filter(Boolean));
  }

  field(name, label, attrs = {}) {
    return el("label", {}, label, el("input", { name, "data-field": name, ...attrs }));
  }

  guestForm() {
    const name = el("input", { name: "name", "data-field": "name", maxlength: "32", value: this.user ? this.user.name : this.conn.name });
    const line = el("p", { class: "formline", role: "status" });
    const form = el("form", { class: "guest", novalidate: true },
      el("label", {}, "Your name", name),
      el("p", { class: "muted" }, "Guests walk, chat and like booths. To leave a business card, log in or register."),
      el("button", { type: "submit" }, "Continue as guest"), line);
    const errors = new FormErrors(form, line);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      errors.clear();
      const chosen = name.value.trim();
      if (!chosen) { errors.show("name", "Your name is needed (1 to 32 characters)."); return; }
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
    const submit = el("button", { type: "submit" }, "Log in");
    const form = el("form", { class: "login", novalidate: true },
      this.field("user", "User name", { autocomplete: "username", maxlength: "64" }),
      this.field("password", "Password", { type: "password", autocomplete: "current-password", maxlength: "256" }),
      submit, line);
    const errors = new FormErrors(form, line);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      errors.clear();
      const user = form.elements.user.value.trim();
      const password = form.elements.password.value;
      if (!user) errors.show("user", "Enter your user name.");
      if (!password) errors.show("password", "Enter your password.");
      if (!user || !password) return;
      this.send(form, submit, errors, msg.login(user, password), LOGIN_FIELDS, (err) => {
        if (err.code === "auth_failed") form.elements.password.value = "";
      });
    });
    return form;
  }

  registerForm() {
    const line = el("p", { class: "formline", role: "status" });
    const submit = el("button", { type: "submit" }, "Register");
    const role = el("select", { name: "role", "data-field": "role" },
      el("option", { value: "visitor" }, "Visitor"), el("option", { value: "enterprise" }, "Enterprise (exhibitor)"));
    const company = this.field("company", "Company", { maxlength: "200", autocomplete: "organization" });
    company.hidden = true;
    role.addEventListener("change", () => { company.hidden = role.value !== "enterprise"; });
    const form = el("form", { class: "register", novalidate: true },
      this.field("user", "User name (letters, digits, . _ - @)", { autocomplete: "username", maxlength: "64" }),
      this.field("password", `Password (at least ${MIN_PASSWORD} characters)`, { type: "password", autocomplete: "new-password", maxlength: "256" }),
      this.field("name", "Display name", { maxlength: "32", autocomplete: "nickname" }),
      el("label", {}, "I am a", role), company, submit, line);
    const errors = new FormErrors(form, line);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      errors.clear();
      const f = form.elements;
      const data = { user: f.user.value.trim(), password: f.password.value, name: f.name.value.trim(), role: role.value,
        company: role.value === "enterprise" ? f.company.value.trim() : "" };
      let ok = true;
      const need = (cond, field, text) => { if (!cond) { errors.show(field, text); ok = false; } };
      need(data.user, "user", "Choose a user name.");
      need(data.password.length >= MIN_PASSWORD, "password", `The password needs at least ${MIN_PASSWORD} characters.`);
      need(data.name, "name", "Choose the name others see (1 to 32 characters).");
      need(data.role !== "enterprise" || data.company, "company", "An enterprise account needs its company name.");
      if (!ok) return;
      this.send(form, submit, errors, msg.register(data), { ...REGISTER_FIELDS, invalid: "" }, null, registerField);
    });
    return form;
  }

  /** One login/register request on its own connection; on success the park session
   * restarts signed in. Errors go next to their field; the form keeps what was typed. */
  send(form, submit, errors, request, byCode, onError, fieldFor) {
    submit.disabled = true;
    errors.line("Checking with the server…");
    signIn(this.serverUrl, request).then((session) => {
      form.reset();
      remember(session);
      this.notice = "";
      this.hide();
      this.conn.switchTo(session.token);
    }).catch((err) => {
      errors.line("");
      const field = fieldFor ? fieldFor(err) : "";
      if (field) errors.show(field, `${err.code}: ${err.message}`);
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
