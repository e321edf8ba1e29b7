// A scripted WebXR device for tests: installed with page.add_init_script before the
// client loads. It implements the parts of navigator.xr that three.js and the client
// use (sessions, reference spaces, XRWebGLLayer rendering into the page's canvas, a
// viewer pose, gamepads, hit-test) and drives frames with the page's rAF.
(() => {
  const identity = () => new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  const translate = (x, y, z) => { const m = identity(); m[12] = x; m[13] = y; m[14] = z; return m; };
  const perspective = (fovy, aspect, near, far) => {
    const f = 1 / Math.tan(fovy / 2); const nf = 1 / (near - far);
    return new Float32Array([f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1, 0, 0, 2 * far * near * nf, 0]);
  };
  const state = window.__xrMock = {
    sessions: [], frames: 0, head: [0, 1.6, 0], hit: [0, -0.5, -1.0],
    inputSources: [], session: null,
  };

  class Space { constructor(kind) { this.kind = kind; } getOffsetReferenceSpace() { return this; } }
  class XRWebGLLayerMock {
    constructor(session, gl) {
      this.framebuffer = null; // null: render into the page's canvas
      this.framebufferWidth = gl.drawingBufferWidth;
      this.framebufferHeight = gl.drawingBufferHeight;
      this.ignoreDepthValues = false;
    }
    getViewport() { return { x: 0, y: 0, width: this.framebufferWidth, height: this.framebufferHeight }; }
  }
  class Session extends EventTarget {
    constructor(mode, init) {
      super();
      this.mode = mode;
      this.init = init || {};
      this.renderState = { baseLayer: null, depthNear: 0.1, depthFar: 1000 };
      this.enabledFeatures = [...(this.init.requiredFeatures || []), ...(this.init.optionalFeatures || [])];
      this.environmentBlendMode = mode === "immersive-ar" ? "alpha-blend" : "opaque";
      this.inputSources = state.inputSources;
      this.callbacks = new Map();
      this.nextHandle = 1;
      this.ended = false;
      this.visibilityState = "visible";
      this.hitSources = [];
      const pump = () => {
        if (this.ended) return;
        const cbs = [...this.callbacks.entries()];
        this.callbacks.clear();
        const frame = new Frame(this);
        for (const [, cb] of cbs) cb(performance.now(), frame);
        if (cbs.length) state.frames += 1;
        requestAnimationFrame(pump);
      };
      requestAnimationFrame(pump);
    }
    updateRenderState(s) { Object.assign(this.renderState, s); }
    async requestReferenceSpace(kind) { return new Space(kind); }
    requestAnimationFrame(cb) { const h = this.nextHandle++; this.callbacks.set(h, cb); return h; }
    cancelAnimationFrame(h) { this.callbacks.delete(h); }
    async requestHitTestSource(opts) { const s = { opts, cancel() {} }; this.hitSources.push(s); return s; }
    async end() { if (this.ended) return; this.ended = true; state.session = null; this.dispatchEvent(new Event("end")); }
    async updateTargetFrameRate() {}
  }
  class Frame {
    constructor(session) { this.session = session; }
    getViewerPose() {
      const [x, y, z] = state.head;
      const m = translate(x, y, z);
      const inv = translate(-x, -y, -z);
      const view = { eye: "none", projectionMatrix: perspective(1.2, 4 / 3, 0.05, 1000),
        transform: { matrix: m, inverse: { matrix: inv }, position: { x, y, z, w: 1 } } };
      return { views: [view], transform: view.transform, emulatedPosition: false };
    }
    getPose(space) {
      if (space && space.matrix) return { transform: { matrix: space.matrix } };
      return null;
    }
    getHitTestResults() {
      const [x, y, z] = state.hit;
      return [{ getPose: () => ({ transform: { matrix: translate(x, y, z) } }) }];
    }
    getJointPose() { return null; }
  }
  const fire = (type, source) => {
    const ev = new Event(type);
    ev.inputSource = source;
    ev.frame = new Frame(state.session);
    state.session.dispatchEvent(ev);
  };
  // Test controls: tap (AR screen touch = transient pointer), controller select, sticks.
  state.tap = (matrix) => {
    const src = { handedness: "none", targetRayMode: "screen", targetRaySpace: { matrix: matrix || identity() }, profiles: [] };
    fire("selectstart", src);
    fire("selectend", src);
    fire("select", src);
  };
  state.setStick = (hand, x, y) => {
    let src = state.inputSources.find((s) => s.handedness === hand);
    if (!src) {
      src = { handedness: hand, targetRayMode: "tracked-pointer", targetRaySpace: { matrix: translate(0, 1.2, -0.2) },
        gripSpace: null, profiles: ["generic-trigger-squeeze-thumbstick"], gamepad: { axes: [0, 0, 0, 0], buttons: [] } };
      state.inputSources.push(src);
      if (state.session) {
        const ev = new Event("inputsourceschange"); ev.added = [src]; ev.removed = [];
        state.session.dispatchEvent(ev);
      }
    }
    src.gamepad.axes = [0, 0, x, y];
  };
  const xr = {
    async isSessionSupported(mode) { return mode === "immersive-vr" || mode === "immersive-ar"; },
    async requestSession(mode, init) {
      const s = new Session(mode, init);
      state.session = s;
      state.sessions.push(mode);
      return s;
    },
    addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(navigator, "xr", { value: xr, configurable: true });
  window.XRWebGLLayer = XRWebGLLayerMock;
  delete window.XRWebGLBinding;
  for (const C of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    if (C) C.prototype.makeXRCompatible = async function () {}; // no real device to wait for
  }
})();
