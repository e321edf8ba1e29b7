// Desktop and phone controls -> movement intent in the world frame.
// Keyboard: WASD / arrows walk, Shift runs, Q/E or mouse drag turns. Touch: the left
// half of the screen is a stick, dragging on the right half turns.

export class Controls {
  constructor(element) {
    this.keys = new Set();
    this.heading = Math.PI / 2; // radians CCW from +x (east); starts facing north
    this.pitch = -0.15;
    this.stick = { x: 0, y: 0, id: null, ox: 0, oy: 0 };
    this.look = { id: null, x: 0, y: 0 };
    this.xrIntent = null; // set by the XR controllers while presenting
    this.enabled = true;
    const typing = (e) => e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA");
    window.addEventListener("keydown", (e) => { if (!typing(e)) this.keys.add(e.code); });
    window.addEventListener("keyup", (e) => this.keys.delete(e.code));
    window.addEventListener("blur", () => this.keys.clear());
    let drag = null;
    element.addEventListener("mousedown", (e) => { drag = { x: e.clientX, y: e.clientY }; });
    window.addEventListener("mouseup", () => { drag = null; });
    window.addEventListener("mousemove", (e) => {
      if (!drag) return;
      this.turn((e.clientX - drag.x) * 0.005, (e.clientY - drag.y) * 0.003);
      drag = { x: e.clientX, y: e.clientY };
    });
    element.addEventListener("touchstart", (e) => this.touch(e, "start"), { passive: false });
    element.addEventListener("touchmove", (e) => this.touch(e, "move"), { passive: false });
    element.addEventListener("touchend", (e) => this.touch(e, "end"));
    element.addEventListener("touchcancel", (e) => this.touch(e, "end"));
  }

  turn(dx, dy) {
    this.heading -= dx;
    this.pitch = Math.max(-1.2, Math.min(0.4, this.pitch - dy));
  }

  touch(e, phase) {
    const half = window.innerWidth / 2;
    for (const t of e.changedTouches) {
      if (phase === "start") {
        if (t.clientX < half && this.stick.id === null) Object.assign(this.stick, { id: t.identifier, ox: t.clientX, oy: t.clientY, x: 0, y: 0 });
        else if (this.look.id === null) Object.assign(this.look, { id: t.identifier, x: t.clientX, y: t.clientY });
      } else if (phase === "move") {
        if (t.identifier === this.stick.id) {
          const r = 60;
          this.stick.x = Math.max(-1, Math.min(1, (t.clientX - this.stick.ox) / r));
          this.stick.y = Math.max(-1, Math.min(1, (t.clientY - this.stick.oy) / r));
        } else if (t.identifier === this.look.id) {
          this.turn((t.clientX - this.look.x) * 0.006, (t.clientY - this.look.y) * 0.004);
          this.look.x = t.clientX;
          this.look.y = t.clientY;
        }
      } else {
        if (t.identifier === this.stick.id) Object.assign(this.stick, { id: null, x: 0, y: 0 });
        if (t.identifier === this.look.id) this.look.id = null;
      }
    }
    if (phase !== "end") e.preventDefault();
  }

  /** {mx, my, run}: the direction to walk in the world frame, |(mx, my)| <= 1. */
  intent(dt) {
    if (this.xrIntent) return this.xrIntent;
    const k = this.keys;
    if (k.has("KeyQ")) this.heading += 1.8 * dt;
    if (k.has("KeyE")) this.heading -= 1.8 * dt;
    let f = 0;
    let s = 0;
    if (k.has("KeyW") || k.has("ArrowUp")) f += 1;
    if (k.has("KeyS") || k.has("ArrowDown")) f -= 1;
    if (k.has("KeyD")) s += 1;
    if (k.has("KeyA")) s -= 1;
    if (k.has("ArrowLeft")) this.heading += 1.8 * dt;
    if (k.has("ArrowRight")) this.heading -= 1.8 * dt;
    f -= this.stick.y;
    s += this.stick.x;
    if (!this.enabled) { f = 0; s = 0; }
    return toWorld(this.heading, f, s, k.has("ShiftLeft") || k.has("ShiftRight"));
  }
}

/** Forward/strafe relative to `heading` -> a world-frame direction of length <= 1. */
export function toWorld(heading, forward, strafe, run) {
  const c = Math.cos(heading);
  const sn = Math.sin(heading);
  let mx = forward * c + strafe * sn;
  let my = forward * sn - strafe * c;
  const len = Math.hypot(mx, my);
  if (len > 1) { mx /= len; my /= len; }
  return { mx, my, run: !!run };
}
