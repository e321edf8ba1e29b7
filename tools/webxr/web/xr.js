// WebXR: "Enter VR" (immersive-vr: walk with the thumbstick or teleport on the
// walkable ground, booth panels in the world) and "Enter AR" (immersive-ar: hit-test
// places the park as a tabletop miniature; pinch to scale, drag to rotate).
import * as THREE from "three";
import { toWorld } from "./controls.js";
import { t, onLang } from "./i18n.js";

const TABLETOP_M = 0.6; // the miniature's longest side on the table
const SNAP_TURN = Math.PI / 6;

export class XRMode {
  constructor(app) {
    this.app = app;
    this.world = app.world;
    this.renderer = app.world.renderer;
    this.mode = null; // "vr" | "ar" | null
    this.session = null;
    this.frames = 0;
    this.placed = false;
    this.teleportTarget = null;
    this.touches = new Map(); // AR input source -> last ray
    this.turnLatch = false;
    this.panel = null;
    this.reticle = new THREE.Mesh(
      new THREE.RingGeometry(0.04, 0.06, 32).rotateX(-Math.PI / 2),
      new THREE.MeshBasicMaterial({ color: 0x22ddaa }),
    );
    this.reticle.matrixAutoUpdate = false;
    this.reticle.visible = false;
    this.world.scene.add(this.reticle);
    this.marker = new THREE.Mesh(
      new THREE.CircleGeometry(0.35, 32).rotateX(-Math.PI / 2),
      new THREE.MeshBasicMaterial({ color: 0x22ddaa, transparent: true, opacity: 0.7 }),
    );
    this.marker.visible = false;
    this.world.parkRoot.add(this.marker);
    this.controllers = [0, 1].map((i) => {
      const c = this.renderer.xr.getController(i);
      const ray = new THREE.Line(
        new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(), new THREE.Vector3(0, 0, -5)]),
        new THREE.LineBasicMaterial({ color: 0xffffff }),
      );
      c.add(ray);
      c.addEventListener("select", () => this.onSelect(c));
      this.world.rig.add(c);
      return c;
    });
  }

  async supported(kind) {
    try {
      return !!(navigator.xr && (await navigator.xr.isSessionSupported(kind)));
    } catch {
      return false;
    }
  }

  async addButtons(root) {
    const make = (label, kind, fn) => {
      const b = document.createElement("button");
      b.type = "button";
      b.id = kind === "immersive-vr" ? "enter-vr" : "enter-ar";
      b.textContent = label;
      b.addEventListener("click", () => (this.session ? this.session.end() : fn()).catch((e) => this.app.hud.line("xr", e.message)));
      root.append(b);
      return b;
    };
    if (await this.supported("immersive-vr")) this.vrButton = make(t("web3d.xr.enter_vr"), "immersive-vr", () => this.enterVR());
    if (await this.supported("immersive-ar")) this.arButton = make(t("web3d.xr.enter_ar"), "immersive-ar", () => this.enterAR());
    onLang(() => this.relabel());
  }

  /** The buttons' words in the current language (after a switch). */
  relabel() {
    const inVR = this.mode === "vr";
    const inAR = this.mode === "ar";
    if (this.vrButton) this.vrButton.textContent = t(inVR ? "web3d.xr.exit_vr" : "web3d.xr.enter_vr");
    if (this.arButton) this.arButton.textContent = t(inAR ? "web3d.xr.exit_ar" : "web3d.xr.enter_ar");
    if (this.shownBooth) this.showBooth(this.shownBooth);
  }

  async enterVR() {
    const session = await navigator.xr.requestSession("immersive-vr", {
      optionalFeatures: ["local-floor", "bounded-floor", "hand-tracking"],
    });
    this.renderer.xr.setReferenceSpaceType("local-floor");
    await this.start(session, "vr");
  }

  async enterAR() {
    const session = await navigator.xr.requestSession("immersive-ar", {
      requiredFeatures: ["hit-test"],
      optionalFeatures: ["dom-overlay"],
      domOverlay: { root: document.getElementById("overlay") },
    });
    this.renderer.xr.setReferenceSpaceType("local");
    await this.start(session, "ar");
    const viewer = await session.requestReferenceSpace("viewer");
    this.hitSource = await session.requestHitTestSource({ space: viewer });
    const w = this.world;
    this.savedBackground = w.scene.background;
    this.savedFog = w.scene.fog;
    w.scene.background = null;
    w.scene.fog = null;
    const site = w.layout ? w.layout.site : { width: 100, depth: 100 };
    this.baseScale = TABLETOP_M / Math.max(site.width, site.depth, 1);
    w.parkRoot.scale.setScalar(this.baseScale);
    w.parkRoot.visible = false;
    this.placed = false;
    session.addEventListener("selectstart", (e) => this.touchStart(e));
    session.addEventListener("selectend", (e) => this.touchEnd(e));
  }

  async start(session, mode) {
    this.session = session;
    this.mode = mode;
    this.frames = 0;
    const w = this.world;
    this.savedCamera = { p: w.camera.position.clone(), q: w.camera.quaternion.clone() };
    w.camera.position.set(0, 0, 0);
    w.camera.quaternion.identity();
    session.addEventListener("end", () => this.onEnd());
    this.renderer.xr.enabled = true;
    await this.renderer.xr.setSession(session);
    document.body.dataset.xr = mode;
    // Only the way out is offered while a session runs (the other button would end it too).
    if (this.vrButton) Object.assign(this.vrButton, { textContent: t("web3d.xr.exit_vr"), hidden: mode !== "vr" });
    if (this.arButton) Object.assign(this.arButton, { textContent: t("web3d.xr.exit_ar"), hidden: mode !== "ar" });
  }

  onEnd() {
    const w = this.world;
    if (this.mode === "ar") {
      w.scene.background = this.savedBackground;
      w.scene.fog = this.savedFog;
      w.parkRoot.position.set(0, 0, 0);
      w.parkRoot.quaternion.identity();
      w.parkRoot.scale.setScalar(1);
      w.parkRoot.visible = true;
      this.reticle.visible = false;
      if (this.hitSource) this.hitSource.cancel?.();
      this.hitSource = null;
    }
    w.rig.rotation.set(0, 0, 0);
    if (this.savedCamera) {
      w.camera.position.copy(this.savedCamera.p);
      w.camera.quaternion.copy(this.savedCamera.q);
    }
    this.app.controls.xrIntent = null;
    this.closePanel();
    this.session = null;
    this.mode = null;
    this.renderer.xr.enabled = false;
    delete document.body.dataset.xr;
    if (this.vrButton) Object.assign(this.vrButton, { textContent: t("web3d.xr.enter_vr"), hidden: false });
    if (this.arButton) Object.assign(this.arButton, { textContent: t("web3d.xr.enter_ar"), hidden: false });
    this.app.resize();
  }

  /** Called once per XR animation frame, before rendering. */
  onFrame(frame, dt) {
    this.frames += 1;
    if (this.mode === "vr") this.vrFrame(dt);
    else if (this.mode === "ar") this.arFrame(frame);
  }

  headHeading() {
    const dir = new THREE.Vector3();
    this.renderer.xr.getCamera().getWorldDirection(dir);
    return Math.atan2(-dir.z, dir.x);
  }

  vrFrame() {
    const self = this.app.prediction;
    const w = this.world;
    w.rig.position.set(self.x, 0, -self.y); // the rig stands where the server says you are
    let forward = 0;
    let strafe = 0;
    let turn = 0;
    for (const src of this.session.inputSources || []) {
      const axes = src.gamepad ? src.gamepad.axes : [];
      if (axes.length < 4) continue;
      if (src.handedness === "right") turn = axes[2];
      else { strafe = axes[2]; forward = -axes[3]; }
    }
    if (Math.abs(turn) > 0.7 && !this.turnLatch) {
      w.rig.rotation.y -= Math.sign(turn) * SNAP_TURN;
      this.turnLatch = true;
    } else if (Math.abs(turn) < 0.3) this.turnLatch = false;
    const dead = (v) => (Math.abs(v) < 0.15 ? 0 : v);
    forward = dead(forward);
    strafe = dead(strafe);
    const heading = this.headHeading();
    this.app.controls.heading = heading;
    if (forward || strafe) {
      this.teleportTarget = null;
      this.marker.visible = false;
      this.app.controls.xrIntent = toWorld(heading, forward, strafe, false);
    } else if (this.teleportTarget) {
      const dx = this.teleportTarget.x - self.x;
      const dy = this.teleportTarget.y - self.y;
      const d = Math.hypot(dx, dy);
      if (d < 0.3) {
        this.teleportTarget = null;
        this.marker.visible = false;
        this.app.controls.xrIntent = { mx: 0, my: 0, run: false };
      } else {
        // The server owns positions: a teleport travels there at run speed.
        this.app.controls.xrIntent = { mx: dx / d, my: dy / d, run: true };
      }
    } else {
      this.app.controls.xrIntent = { mx: 0, my: 0, run: false };
    }
  }

  /** Where a controller's ray meets the ground, in park metres (x east, y north), or null. */
  groundHit(controller) {
    const origin = new THREE.Vector3().setFromMatrixPosition(controller.matrixWorld);
    const dir = new THREE.Vector3(0, 0, -1).transformDirection(controller.matrixWorld);
    if (dir.y > -1e-3) return null;
    const t = -origin.y / dir.y;
    const p = origin.addScaledVector(dir, t);
    return { x: p.x, y: -p.z };
  }

  onSelect(controller) {
    if (this.mode !== "vr") return;
    if (this.panel && this.panelSelect(controller)) return;
    const hit = this.groundHit(controller);
    this.teleport(hit);
  }

  /** Teleport to a ground point if it is walkable; returns whether it was accepted. */
  teleport(hit) {
    const layout = this.world.layout;
    if (!hit || !layout || !layout.isWalkable(hit.x, hit.y)) return false;
    this.teleportTarget = hit;
    this.marker.position.set(hit.x, 0.02, -hit.y);
    this.marker.visible = true;
    return true;
  }

  arFrame(frame) {
    const ref = this.renderer.xr.getReferenceSpace();
    if (this.hitSource) {
      const hits = frame.getHitTestResults(this.hitSource);
      if (hits.length) {
        const pose = hits[0].getPose(ref);
        this.reticle.visible = !this.placed;
        this.reticle.matrix.fromArray(pose.transform.matrix);
        this.lastHit = pose.transform.matrix;
      } else {
        this.reticle.visible = false;
      }
    }
    // Gestures: one finger drags to rotate, two fingers pinch to scale and twist.
    const rays = [];
    for (const [src, prev] of this.touches) {
      const pose = frame.getPose(src.targetRaySpace, ref);
      if (!pose) continue;
      const m = new THREE.Matrix4().fromArray(pose.transform.matrix);
      const dir = new THREE.Vector3(0, 0, -1).transformDirection(m);
      const cur = { x: dir.x, z: dir.z, moved: prev.moved };
      if (prev.x !== undefined) {
        cur.moved = prev.moved + Math.hypot(cur.x - prev.x, cur.z - prev.z);
      }
      rays.push({ src, prev, cur });
    }
    const root = this.world.parkRoot;
    if (this.placed && rays.length === 1 && rays[0].prev.x !== undefined) {
      const { prev, cur } = rays[0];
      root.rotation.y += (cur.x - prev.x) * 4;
    } else if (this.placed && rays.length >= 2 && rays[0].prev.x !== undefined && rays[1].prev.x !== undefined) {
      const [a, b] = rays;
      const d0 = Math.hypot(a.prev.x - b.prev.x, a.prev.z - b.prev.z);
      const d1 = Math.hypot(a.cur.x - b.cur.x, a.cur.z - b.cur.z);
      if (d0 > 1e-4) {
        const s = Math.min(8, Math.max(0.25, (root.scale.x / this.baseScale) * (d1 / d0)));
        root.scale.setScalar(this.baseScale * s);
      }
      const ang0 = Math.atan2(a.prev.z - b.prev.z, a.prev.x - b.prev.x);
      const ang1 = Math.atan2(a.cur.z - b.cur.z, a.cur.x - b.cur.x);
      root.rotation.y -= ang1 - ang0;
    }
    for (const { src, cur } of rays) this.touches.set(src, cur);
  }

  touchStart(e) {
    this.touches.set(e.inputSource, { moved: 0 });
  }

  touchEnd(e) {
    const t = this.touches.get(e.inputSource);
    this.touches.delete(e.inputSource);
    // A tap (not a drag) places the park where the reticle is.
    if (this.lastHit && (!this.placed || (t && t.moved < 0.02 && this.touches.size === 0))) this.place(this.lastHit);
  }

  place(matrix) {
    const root = this.world.parkRoot;
    const m = new THREE.Matrix4().fromArray(matrix);
    const p = new THREE.Vector3();
    const q = new THREE.Quaternion();
    const s = new THREE.Vector3();
    m.decompose(p, q, s);
    root.position.copy(p);
    root.visible = true;
    this.placed = true;
    this.reticle.visible = false;
  }

  // --- booth panels in the world (VR) ---------------------------------------------

  showBooth(view) {
    this.shownBooth = view;
    this.closePanel();
    if (this.mode !== "vr" || !view) return;
    const canvas = document.createElement("canvas");
    canvas.width = 1024;
    canvas.height = 640;
    const g = canvas.getContext("2d");
    const c = view.content || {};
    g.fillStyle = "rgba(250,250,246,0.96)";
    g.fillRect(0, 0, 1024, 640);
    g.fillStyle = "#111";
    g.font = "bold 64px 'Noto Sans CJK SC', sans-serif";
    g.fillText(c.name || view.id, 48, 100);
    g.font = "36px 'Noto Sans CJK SC', sans-serif";
    g.fillStyle = "#445";
    g.fillText(c.tagline || "", 48, 160);
    const words = (c.description || "").slice(0, 400);
    for (let i = 0; i < 6; i++) g.fillText(words.slice(i * 40, (i + 1) * 40), 48, 240 + i * 48);
    g.fillStyle = view.liked ? "#d33" : "#355";
    g.fillRect(48, 530, 360, 80);
    g.fillStyle = "#fff";
    g.fillText(t("web3d.booth.like", { n: view.likes }), 80, 585);
    g.fillStyle = "#777";
    g.fillRect(760, 530, 216, 80);
    g.fillStyle = "#fff";
    g.fillText(t("web3d.close"), 810, 585);
    const tex = new THREE.CanvasTexture(canvas);
    tex.colorSpace = THREE.SRGBColorSpace;
    const panel = new THREE.Mesh(new THREE.PlaneGeometry(1.6, 1.0), new THREE.MeshBasicMaterial({ map: tex, side: THREE.DoubleSide }));
    const heading = this.headHeading();
    const self = this.app.prediction;
    panel.position.set(self.x + Math.cos(heading) * 1.6, 1.5, -(self.y + Math.sin(heading) * 1.6));
    panel.lookAt(self.x, 1.5, -self.y);
    panel.name = "booth-panel";
    panel.userData.booth = view;
    this.world.parkRoot.add(panel);
    this.panel = panel;
  }

  panelSelect(controller) {
    const ray = new THREE.Raycaster();
    const origin = new THREE.Vector3().setFromMatrixPosition(controller.matrixWorld);
    const dir = new THREE.Vector3(0, 0, -1).transformDirection(controller.matrixWorld);
    ray.set(origin, dir);
    const hit = ray.intersectObject(this.panel)[0];
    if (!hit || !hit.uv) return false;
    const px = hit.uv.x * 1024;
    const py = (1 - hit.uv.y) * 640;
    if (py > 530 && py < 610 && px > 48 && px < 408) this.app.booth.like();
    else if (py > 530 && py < 610 && px > 760) this.app.booth.close();
    return true;
  }

  closePanel() {
    if (!this.panel) return;
    this.world.parkRoot.remove(this.panel);
    this.panel.material.map.dispose();
    this.panel.material.dispose();
    this.panel.geometry.dispose();
    this.panel = null;
  }
}
