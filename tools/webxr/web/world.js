// The 3D park: the scene model, other visitors interpolated ~100 ms behind, and your
// own avatar predicted from the inputs the server has not yet acknowledged.
import * as THREE from "three";
import { posFromWire, yawFromWire } from "./net.js";

export const INTERP_DELAY_MS = 100;
const LABEL_FULL_SIZE_M = 7; // nearer than this, a label has its base size
const eye = new THREE.Vector3();
const labelSize = (k) => [1.2 * k, 0.3 * k, 1];
const ANIM_BOB = [0, 1, 1.6, 0, 0, 0, 0, 0];

export class World {
  constructor(canvas) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, alpha: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.outputColorSpace = THREE.SRGBColorSpace;
    this.scene = new THREE.Scene();
    this.sky = new THREE.Color(0xbfd8ee);
    this.scene.background = this.sky;
    this.scene.fog = new THREE.Fog(0xbfd8ee, 120, 420);
    // parkRoot holds everything in park coordinates; AR scales and places it on a table.
    this.parkRoot = new THREE.Group();
    this.parkRoot.name = "park";
    this.scene.add(this.parkRoot);
    this.rig = new THREE.Group(); // the viewer: carries the camera (and XR controllers)
    this.scene.add(this.rig);
    this.camera = new THREE.PerspectiveCamera(60, 1, 0.05, 1000);
    this.rig.add(this.camera);
    const hemi = new THREE.HemisphereLight(0xffffff, 0x445544, 1.3);
    const sun = new THREE.DirectionalLight(0xfff4e0, 1.8);
    sun.position.set(60, 120, 40);
    this.parkRoot.add(hemi, sun);
    this.avatars = new Map(); // eid -> Avatar
    this.self = null;
    this.layout = null;
    this.frames = 0;
  }

  /** Show a parsed park scene (scene.js reads it) in place of the one shown: the old
   * model's meshes, materials and textures are freed (the counts are returned); avatars
   * and lights stay. */
  showPark(model, layout) {
    const old = this.model;
    this.model = model;
    this.layout = layout;
    this.parkRoot.add(model);
    if (!old) return null;
    this.parkRoot.remove(old);
    return disposeTree(old); // what was freed
  }

  resize(width, height) {
    if (this.renderer.xr.isPresenting) return;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / Math.max(1, height);
    this.camera.updateProjectionMatrix();
  }

  /** The snapshot's entity lists, stamped with their arrival time. */
  applySnapshot(snap, now) {
    for (const [eid, x, y, yaw, anim, name, rgb] of snap.e || []) {
      let a = this.avatars.get(eid);
      if (!a) {
        a = new Avatar(eid, name, rgb);
        this.avatars.set(eid, a);
        this.parkRoot.add(a.node);
      }
      a.push(now, posFromWire(x), posFromWire(y), yawFromWire(yaw), anim);
    }
    for (const [eid, x, y, yaw, anim] of snap.u || []) {
      const a = this.avatars.get(eid);
      if (a) a.push(now, posFromWire(x), posFromWire(y), yawFromWire(yaw), anim);
    }
    for (const eid of snap.l || []) this.removeAvatar(eid);
  }

  removeAvatar(eid) {
    const a = this.avatars.get(eid);
    if (!a) return;
    this.parkRoot.remove(a.node);
    a.dispose();
    this.avatars.delete(eid);
  }

  clearAvatars() {
    for (const eid of [...this.avatars.keys()]) this.removeAvatar(eid);
  }

  setSelf(name, rgb) {
    if (this.self) return this.self;
    this.self = new Avatar(0, name, rgb);
    this.self.label.visible = false; // you know who you are; it would cover the view ahead
    this.parkRoot.add(this.self.node);
    return this.self;
  }

  update(now, dt) {
    const t = now - INTERP_DELAY_MS;
    // Name labels grow with distance (up to 3x) so a visitor 20 m away stays readable.
    this.camera.getWorldPosition(eye);
    this.parkRoot.worldToLocal(eye);
    for (const a of this.avatars.values()) {
      a.sample(t, now);
      const d = Math.hypot(a.x - eye.x, -a.y - eye.z);
      a.label.scale.set(...labelSize(Math.min(3, Math.max(1, d / LABEL_FULL_SIZE_M))));
    }
    this.frames += 1;
  }

  render() {
    this.renderer.render(this.scene, this.camera);
  }
}

/** Free what a scene tree holds on the GPU (and its images): every geometry, material and
 * texture once. Returns the counts freed (the tests check nothing is left behind). */
export function disposeTree(root) {
  const geometries = new Set();
  const materials = new Set();
  const textures = new Set();
  root.traverse((o) => {
    if (o.geometry) geometries.add(o.geometry);
    for (const m of [].concat(o.material || [])) materials.add(m);
  });
  for (const m of materials) {
    for (const value of Object.values(m)) if (value && value.isTexture) textures.add(value);
  }
  for (const g of geometries) g.dispose();
  for (const m of materials) m.dispose();
  for (const tex of textures) {
    tex.dispose();
    const image = tex.source && tex.source.data;
    if (image && typeof image.close === "function") image.close(); // an ImageBitmap from the .glb
  }
  return { geometries: geometries.size, materials: materials.size, textures: textures.size };
}

function labelTexture(text) {
  const canvas = document.createElement("canvas");
  canvas.width = 256;
  canvas.height = 64;
  const g = canvas.getContext("2d");
  g.fillStyle = "rgba(20,24,32,0.72)";
  g.beginPath();
  g.roundRect(4, 8, 248, 48, 14);
  g.fill();
  g.fillStyle = "#fff";
  g.font = "28px 'Noto Sans CJK SC', 'Noto Sans', sans-serif";
  g.textAlign = "center";
  g.textBaseline = "middle";
  g.fillText(text.slice(0, 16), 128, 33);
  const tex = new THREE.CanvasTexture(canvas);
  tex.colorSpace = THREE.SRGBColorSpace;
  return tex;
}

/** A visitor at true scale (1.7 m): body, head, a visor showing where they face, a name. */
export class Avatar {
  constructor(eid, name, rgb) {
    this.eid = eid;
    this.name = name;
    this.samples = [];
    this.x = 0;
    this.y = 0;
    this.yaw = 0;
    this.anim = 0;
    const color = new THREE.Color(rgb ?? 0x3388ff);
    const mat = new THREE.MeshStandardMaterial({ color, roughness: 0.6 });
    this.node = new THREE.Group();
    this.node.name = `avatar-${eid}`;
    this.body = new THREE.Group();
    const torso = new THREE.Mesh(new THREE.CylinderGeometry(0.22, 0.28, 1.1, 16), mat);
    torso.position.y = 0.75;
    const head = new THREE.Mesh(new THREE.SphereGeometry(0.2, 16, 12), mat);
    head.position.y = 1.5;
    const visor = new THREE.Mesh(
      new THREE.BoxGeometry(0.12, 0.08, 0.26),
      new THREE.MeshStandardMaterial({ color: 0x111111 }),
    );
    visor.position.set(0.16, 1.52, 0); // +x is the avatar's forward
    this.body.add(torso, head, visor);
    this.node.add(this.body);
    this.label = new THREE.Sprite(new THREE.SpriteMaterial({ map: labelTexture(name || "?"), depthTest: false }));
    this.label.scale.set(...labelSize(1));
    this.label.center.set(0.5, 0); // grows upwards from above the head
    this.label.position.y = 1.85;
    this.node.add(this.label);
  }

  push(t, x, y, yaw, anim) {
    this.samples.push({ t, x, y, yaw, anim });
    if (this.samples.length > 30) this.samples.splice(0, this.samples.length - 30);
    if (this.samples.length === 1) this.place(x, y, yaw, anim, t);
  }

  /** Position at render time `t`: between the two samples around it, else the nearest. */
  sample(t, now) {
    const s = this.samples;
    if (!s.length) return;
    let i = s.length - 1;
    while (i > 0 && s[i - 1].t > t) i--;
    const b = s[i];
    const a = i > 0 ? s[i - 1] : b;
    if (a === b || t >= b.t) {
      this.place(b.x, b.y, b.yaw, b.anim, now);
      return;
    }
    const f = Math.min(1, Math.max(0, (t - a.t) / (b.t - a.t)));
    let dyaw = b.yaw - a.yaw;
    if (dyaw > Math.PI) dyaw -= 2 * Math.PI;
    if (dyaw < -Math.PI) dyaw += 2 * Math.PI;
    this.place(a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f, a.yaw + dyaw * f, b.anim, now);
  }

  place(x, y, yaw, anim, now) {
    this.x = x;
    this.y = y;
    this.yaw = yaw;
    this.anim = anim;
    this.node.position.set(x, 0, -y);
    this.body.rotation.y = yaw;
    this.body.position.y = ANIM_BOB[anim] ? Math.abs(Math.sin(now / 120)) * 0.04 * ANIM_BOB[anim] : 0;
  }

  dispose() {
    this.node.traverse((o) => {
      if (o.geometry) o.geometry.dispose();
      if (o.material) {
        if (o.material.map) o.material.map.dispose();
        o.material.dispose();
      }
    });
  }
}
