// The browser client's words: the one translation catalogue (assets/i18n, `client.*`,
// `web3d.*` and `role.*` keys) that the export writes into the page's config, in the
// person's language. The language: the account's (`session.lang`) when signed in and
// chosen, else this browser's choice (the web app's `lang` cookie: the page is served from
// the same origin), else what the web app said for this viewer (`config.lang`), else the
// browser's languages (any zh-* is Chinese), else Chinese, the zone's language.
export const LANGS = ["zh", "en"];
const COOKIE = "lang";
const YEAR_S = 365 * 24 * 3600;

let texts = { zh: {}, en: {} };
let lang = "zh";
const listeners = [];
/** Keys asked for that the catalogue lacks (shown as the key itself; tests read this). */
export const missing = new Set();

export function setTexts(table) {
  if (table && typeof table === "object") texts = table;
}

/** The language for this page before any session says otherwise. */
export function pickLang(configured, navigatorLanguages, cookie = globalThis.document ? document.cookie : "") {
  const chosen = /(?:^|;\s*)lang=([a-z]+)/.exec(cookie || "");
  if (chosen && LANGS.includes(chosen[1])) return chosen[1];
  if (LANGS.includes(configured)) return configured;
  for (const tag of navigatorLanguages || []) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (LANGS.includes(primary)) return primary;
  }
  return "zh";
}

export const getLang = () => lang;

/** Show the interface in `next` (every listener redraws its part); false when unchanged. */
export function setLang(next) {
  if (!LANGS.includes(next) || next === lang) return false;
  lang = next;
  if (globalThis.document) document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const fn of listeners) fn(lang);
  return true;
}

/** Remember this browser's choice where the web app reads it too (the `lang` cookie). */
export function rememberLang(l) {
  if (globalThis.document) document.cookie = `${COOKIE}=${l}; path=/; max-age=${YEAR_S}; samesite=lax`;
}

export function onLang(fn) { listeners.push(fn); }

/** The catalogue's text for `key` with `{name}` placeholders filled. */
export function t(key, params = {}) {
  const table = texts[lang] || {};
  const text = table[key];
  if (typeof text !== "string") {
    missing.add(key);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

const KNOWN_ERRORS = new Set(["malformed", "too_large", "bad_type", "unknown_type", "bad_state", "not_allowed",
  "not_found", "invalid", "rate_limited", "auth_failed", "conflict", "version", "unavailable", "closed", "timeout"]);

/** The words for a code the server sent (`error.code`), in this language. */
export function errorWords(code) {
  return t(KNOWN_ERRORS.has(code) ? `client.error.${code}` : "client.error.unknown");
}

/** A server error for people: the code's words (and in English the server's own message). */
export function errorText(err) {
  const code = (err && err.code) || "";
  const detail = (err && err.message) || "";
  if (!code) return lang === "en" && detail ? detail : errorWords("unknown");
  return t("web3d.error", { why: errorWords(code), code, detail });
}

/** The words for a role id (`role.visitor`, ...), or the id when the catalogue has none. */
export function roleWords(role) {
  const key = `role.${role}`;
  return typeof (texts[lang] || {})[key] === "string" ? t(key) : role;
}
