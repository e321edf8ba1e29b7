// The park's bookable spaces in the 3D view: each space's zone (its footprint in the
// scene's layout, `spaces`) tinted green when free now and red when taken, with a label
// above its entrance ("Booked 14:00–16:00", "Free · next 17:30"), from the world server's
// `spaces` message (sent after `joined` and whenever a booking changes: docs/protocol.md).
// A tap or click on a free zone opens the web app's booking page for that space.
import * as THREE from "three";
import { t, onLang } from "./i18n.js";

export const COLOURS = { free: 0x2fbf55, taken: 0xd83a3a, retired: 0x8a8f98 };
const TAP_PX = 8; // a pointer that moved less than this between down and up is a tap
const TAP_MS = 500;
const LABEL_HEIGHT_M = 2.4;
const RAISE_M = 0.06; // above the paving, below an avatar's feet

/** The words for one space's state, in the person's language. */
export function spaceLabel(item) {
  if (item.state === "taken") {
    return item.by ? t("client.space.taken_by", { start: item.start, end: item.end, by: item.by })
      : t("client.space.taken", { start: item.start, end: item.end });
  }
  if (item.state === "retired") return t("client.space.retired");
  return item.next ? t("client.space.free_next", { time: item.next }) : t("client.space.free_tap");
}

/** Where a free space is booked: the employee console's search, narrowed to this space. */
export function bookingUrl(park, item) {
  return `/console/employee/spaces?park=${encodeURIComponent(park)}&space=${item.space}`;
}

function labelTexture(name, words, colour) {
  const canvas = document.createElement("canvas");
  canvas.width = 512;
  canvas.height = 128;
  const g = canvas.getContext("2d");
  g.fillStyle = "rgba(20,24,32,0.78)";
  g.beginPath();
  g.roundRect(4, 4, 504, 120, 18);
  g.fill();
  g.fillStyle = `#${colour.toString(16).padStart(6, "0")}`;
  g.beginPath();
  g.roundRect(4, 4, 22, 120, [18, 0, 0, 18]);
  g.fill();
  g.fillStyle = "#fff";
  g.textAlign = "center";
  g.textBaseline = "middle";
  g.font = "bold 40px 'Noto Sans CJK SC', 'Noto Sans', sans-serif";
  g.fillText(name.slice(0, 18), 266, 42, 470);
  g.font = "34px 'Noto Sans CJK SC', 'Noto Sans', sans-serif";
  g.fillText(words.slice(0, 28), 266, 92, 470);
  const tex = new THREE.CanvasTexture(canvas);
  tex.colorSpace = THREE.SRGBColorSpace;
  return tex;
}

export class SpaceZones {
  /** `world`: the World (its parkRoot, camera, layout); `conn`: the Connection;
   * `open(url)`: how a booking page is opened (a new tab by default). */
  constructor(world, conn, canvas, { open = (url) => window.open(url, "_blank", "noopener") } = {}) {
    this.world = world;
    this.open = open;
    this.park = "";
    this.items = new Map(); // layout space id -> the server's state
    this.zones = new Map(); // layout space id -> { mesh, label, colour }
    this.group = new THREE.Group();
    this.group.name = "space-zones";
    world.parkRoot.add(this.group);
    this.opened = [];
    conn.on("spaces", (m) => this.apply(m));
    conn.on("joined", (m) => { if (m.park !== this.park) this.clear(); });
    onLang(() => this.redraw());
    let down = null;
    canvas.addEventListener("pointerdown", (e) => { down = { x: e.clientX, y: e.clientY, at: performance.now() }; });
    canvas.addEventListener("pointerup", (e) => {
      if (!down) return;
      const tap = Math.hypot(e.clientX - down.x, e.clientY - down.y) < TAP_PX && performance.now() - down.at < TAP_MS;
      down = null;
      if (tap) this.tap(e.clientX, e.clientY, canvas);
    });
  }

  apply(m) {
    this.park = m.park;
    this.items = new Map((m.items || []).map((i) => [i.id, i]));
    this.redraw();
  }

  clear() {
    for (const z of this.zones.values()) this.drop(z);
    this.zones.clear();
    this.items.clear();
  }

  drop(z) {
    this.group.remove(z.mesh, z.label);
    z.mesh.geometry.dispose();
    z.mesh.material.dispose();
    z.label.material.map.dispose();
    z.label.material.dispose();
  }

  /** Build (or rebuild) every zone from the layout the scene carries and the last states. */
  redraw() {
    for (const z of this.zones.values()) this.drop(z);
    this.zones.clear();
    const layout = this.world.layout;
    const shapes = new Map(((layout && layout.data && layout.data.spaces) || []).map((s) => [s.id, s]));
    for (const [id, item] of this.items) {
      const shape = shapes.get(id);
      if (!shape || !Array.isArray(shape.footprint) || shape.footprint.length < 3) continue;
      const colour = COLOURS[item.state] ?? COLOURS.retired;
      const outline = new THREE.Shape(shape.footprint.map(([x, y]) => new THREE.Vector2(x, y)));
      const mesh = new THREE.Mesh(new THREE.ShapeGeometry(outline), new THREE.MeshBasicMaterial({
        color: colour, transparent: true, opacity: 0.45, depthWrite: false, side: THREE.DoubleSide,
      }));
      mesh.rotation.x = -Math.PI / 2; // shape (x, y) -> ground (x, 0, -y)
      mesh.position.y = RAISE_M;
      mesh.renderOrder = 2;
      mesh.name = `space-${id}`;
      mesh.userData.space = id;
      const [ex, ey] = shape.entrance || shape.footprint[0];
      const label = new THREE.Sprite(new THREE.SpriteMaterial({
        map: labelTexture(shape.name || id, spaceLabel(item), colour), depthTest: false,
      }));
      label.scale.set(3.6, 0.9, 1);
      label.center.set(0.5, 0);
      label.position.set(ex, LABEL_HEIGHT_M, -ey);
      label.renderOrder = 3;
      label.userData.space = id;
      this.group.add(mesh, label);
      this.zones.set(id, { mesh, label, colour });
    }
  }

  /** A tap at screen (x, y): a free zone under it opens its booking page. */
  tap(x, y, canvas) {
    const rect = canvas.getBoundingClientRect();
    const ndc = new THREE.Vector2(((x - rect.left) / rect.width) * 2 - 1, -((y - rect.top) / rect.height) * 2 + 1);
    const ray = new THREE.Raycaster();
    ray.setFromCamera(ndc, this.world.camera);
    const targets = [...this.zones.values()].flatMap((z) => [z.label, z.mesh]);
    const hit = ray.intersectObjects(targets, false)[0];
    const item = hit ? this.items.get(hit.object.userData.space) : null;
    if (!item || item.state !== "free" || !item.space) return null;
    const url = bookingUrl(this.park, item);
    this.opened.push(url);
    this.open(url);
    return url;
  }

  /** Where zone `id`'s footprint centre is on the canvas (client pixels), or null. */
  screenPoint(id, canvas) {
    const z = this.zones.get(id);
    if (!z) return null;
    z.mesh.geometry.computeBoundingBox();
    const centre = z.mesh.geometry.boundingBox.getCenter(new THREE.Vector3());
    const p = z.mesh.localToWorld(centre).project(this.world.camera);
    const rect = canvas.getBoundingClientRect();
    return { x: rect.left + ((p.x + 1) / 2) * rect.width, y: rect.top + ((1 - p.y) / 2) * rect.height };
  }

  /** For tests: what each zone shows. */
  state() {
    return [...this.items.values()].map((i) => ({
      id: i.id, space: i.space, state: i.state, label: spaceLabel(i), drawn: this.zones.has(i.id),
    }));
  }
}
