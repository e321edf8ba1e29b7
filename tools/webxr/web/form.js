// DOM overlay forms: building elements, and showing the server's errors next to the field
// they are about (`error.msg` names it: "links[1].url: ...", or "... at `$.user`").
import { errorText } from "./i18n.js";

export const el = (tag, attrs = {}, ...kids) => {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") n.className = v;
    else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null && k !== undefined && k !== false) n.append(k);
  return n;
};

/** The field an error message names: `$.content.links[1].url` (bad_type) or
 * `links[1].url: ...` (invalid). Returns "links[1].url", or "" when none is named. */
export function fieldOf(message) {
  const m = /`\$\.(?:content\.)?([\w[\].]+)`/.exec(message || "") || /^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)?):/.exec(message || "");
  return m ? m[1] : "";
}

/** Error lines of one form: `show(field, text)` puts the text right after the input whose
 * `data-field` is `field` (or the closest shorter path: "links[1]" for "links[1].label"),
 * else on the form's own line. */
export class FormErrors {
  constructor(form, formLine) {
    this.form = form;
    this.formLine = formLine;
  }

  clear() {
    for (const n of this.form.querySelectorAll(".err[data-for]")) n.remove();
    this.formLine.textContent = "";
    this.formLine.className = "formline";
    for (const n of this.form.querySelectorAll("[aria-invalid]")) n.removeAttribute("aria-invalid");
  }

  input(field) {
    let path = field;
    while (path) {
      const n = this.form.querySelector(`[data-field="${CSS.escape(path)}"]`);
      if (n) return n;
      const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
      path = cut > 0 ? path.slice(0, cut) : "";
    }
    return null;
  }

  show(field, text) {
    const input = field ? this.input(field) : null;
    if (!input) { this.line(text, "err"); return; }
    input.setAttribute("aria-invalid", "true");
    const note = el("span", { class: "err", "data-for": field, role: "alert" }, text);
    input.after(note);
    if (note.scrollIntoView) note.scrollIntoView({ block: "nearest" });
  }

  /** A server error (`code`, `message`), placed by the field it names or by `byCode`. */
  server(err, byCode = {}) {
    const text = errorText(err);
    this.show(fieldOf(err.message) || byCode[err.code] || "", text);
  }

  line(text, kind = "") {
    this.formLine.textContent = text;
    this.formLine.className = `formline ${kind}`.trim();
    // An answer (ok or error) is only useful if it is seen: bring it into the panel's view.
    if (kind && this.formLine.scrollIntoView) this.formLine.scrollIntoView({ block: "nearest" });
  }
}
