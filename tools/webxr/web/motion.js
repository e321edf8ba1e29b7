// Your own avatar between snapshots: start from the server's position after input
// `a`, replay the inputs it has not applied yet (client-side prediction).

export class Prediction {
  constructor(layout) {
    this.layout = layout;
    this.pending = []; // {s, mx, my, run, dt}
    this.base = { x: 0, y: 0 };
    this.x = 0;
    this.y = 0;
    this.walk = 1.4;
    this.runSpeed = 3.0;
  }

  reset(x, y) {
    this.base = { x, y };
    this.pending = [];
    this.x = x;
    this.y = y;
  }

  /** One tick of input, applied locally at once. */
  apply(input) {
    this.pending.push(input);
    if (this.pending.length > 120) this.pending.shift();
    [this.x, this.y] = this.step(this.x, this.y, input);
  }

  /** The server says: after input `a` you are at (x, y). */
  reconcile(a, x, y) {
    this.pending = this.pending.filter((p) => p.s > a);
    let px = x;
    let py = y;
    for (const p of this.pending) [px, py] = this.step(px, py, p);
    this.base = { x, y };
    this.x = px;
    this.y = py;
  }

  step(x, y, p) {
    const v = p.run ? this.runSpeed : this.walk;
    const nx = x + p.mx * v * p.dt;
    const ny = y + p.my * v * p.dt;
    if (!this.layout || this.layout.isWalkable(nx, ny)) return [nx, ny];
    if (this.layout.isWalkable(nx, y)) return [nx, y];
    if (this.layout.isWalkable(x, ny)) return [x, ny];
    return [x, y];
  }
}
