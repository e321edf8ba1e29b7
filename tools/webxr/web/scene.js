// The park's scene, kept equal to the one the world server hosts. At start: the page's own
// .glb (a static export names it and its hash) or else the world server's
// /scenes/<park>.glb (the web app's page for any live park; the hash is its ETag). After
// that every `joined` names the scene hash of the room it put you in; when a park office
// rebuilt the park it comes unasked with a new hash: fetch that scene
// (/scenes/<park>.glb?h=<hash>, cached for good by its hash), swap it in place (the old
// one freed), keep the websocket session and the avatar where the server put it. A newer
// `joined` while a fetch is on its way wins: the older fetch is aborted and, should it
// still finish, thrown away.
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { ParkLayout } from "./park.js";
import { disposeTree } from "./world.js";
import { t } from "./i18n.js";

const RETRY_MS = [2000, 5000, 15000]; // a failed fetch of a wanted scene is tried again, then left
const BUILDING_WAIT_MS = 2000; // a park approved a moment ago: its scene is still being built
const BUILDING_TRIES = 90;
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** The HTTP URL of `path` on the world server whose websocket is `wsUrl` (ws -> http, wss -> https). */
export function sceneUrl(wsUrl, path, hash) {
  const url = new URL(path, wsUrl.replace(/^ws(s?):/, "http$1:"));
  if (hash) url.searchParams.set("h", hash);
  return url.href;
}

/** Fetch and parse a scene: {model, layout, hash}. `hash`: the one asked for, else the
 * response's ETag when `etagIsHash` (the world server's scenes), else null (unknown). */
export async function fetchScene(url, { signal, hash = null, etagIsHash = false } = {}) {
  const reply = await fetch(url, { signal });
  if (!reply.ok) throw Object.assign(new Error(`${url}: HTTP ${reply.status}`), { status: reply.status });
  const buffer = await reply.arrayBuffer();
  const etag = (reply.headers.get("ETag") || "").replace(/^W\//, "").replace(/"/g, "");
  const base = new URL(".", new URL(url, location.href)).href;
  const gltf = await new GLTFLoader().parseAsync(buffer, base);
  const data = gltf.scene.userData.cloudpark || (gltf.parser.json.scenes[0].extras || {}).cloudpark;
  let layout;
  try {
    layout = new ParkLayout(data);
  } catch (err) {
    disposeTree(gltf.scene);
    throw err;
  }
  return { model: gltf.scene, layout, hash: hash || (etagIsHash && etag) || null };
}

export class Scenery {
  /** `onSwap(layout)`: called after a new scene replaced the shown one. */
  constructor(world, { wsUrl, park, onSwap = () => {} }) {
    this.world = world;
    this.wsUrl = wsUrl;
    this.park = park;
    this.onSwap = onSwap;
    this.hash = null; // the scene shown (null: not known)
    this.wanted = null; // the scene the server last named
    this.loading = null; // {hash, abort} of the fetch on its way
    this.swaps = 0; // scenes swapped in after the first
    this.dropped = 0; // fetches overtaken by a newer joined
    this.failures = 0;
    this.freed = null; // what the last swap freed (counts)
    this.retry = null;
  }

  /** The first scene: the page's (`config.glb`, `config.scene_hash`) or the world server's,
   * waited for while it answers 404 (a park approved a moment ago is still being built;
   * `notice` says so meanwhile). */
  async start(config, notice = null) {
    const own = Boolean(config.glb);
    const url = own ? config.glb : sceneUrl(this.wsUrl, `/scenes/${encodeURIComponent(this.park)}.glb`);
    let got;
    for (let attempt = 1; ; attempt += 1) {
      try {
        got = await fetchScene(url, { hash: own ? config.scene_hash || null : null, etagIsHash: !own });
        break;
      } catch (err) {
        if (own || err.status !== 404 || attempt >= BUILDING_TRIES) throw err;
        if (notice) { notice.hidden = false; notice.textContent = t("web3d.scene.building"); }
        await sleep(BUILDING_WAIT_MS);
      }
    }
    if (notice) notice.hidden = true;
    this.hash = got.hash;
    this.wanted = got.hash;
    this.world.showPark(got.model, got.layout);
    this.mark();
    return got.layout;
  }

  /** A `joined` (asked for or not): load its scene when it is not the one shown or coming. */
  follow(joined) {
    const hash = joined.scene_hash;
    if (!hash || hash === this.wanted) return;
    this.wanted = hash;
    clearTimeout(this.retry);
    if (this.loading) {
      this.loading.abort.abort();
      this.loading = null;
      this.dropped += 1;
    }
    if (hash === this.hash) { this.mark(); return; } // back to the scene still shown
    this.load(hash, joined.scene || `/scenes/${encodeURIComponent(this.park)}.glb`, 0);
  }

  async load(hash, path, attempt) {
    const abort = new AbortController();
    const loading = { hash, abort };
    this.loading = loading;
    this.mark();
    let got;
    try {
      got = await fetchScene(sceneUrl(this.wsUrl, path, hash), { signal: abort.signal, hash });
    } catch (err) {
      if (this.loading !== loading) return; // overtaken (aborted): the newer one is on its way
      this.loading = null;
      this.failures += 1;
      // eslint-disable-next-line no-console
      console.warn(`the park's new scene could not be loaded (the old one stays): ${err.message}`);
      if (attempt < RETRY_MS.length) {
        this.retry = setTimeout(() => { if (this.wanted === hash && !this.loading) this.load(hash, path, attempt + 1); },
          RETRY_MS[attempt]);
      }
      this.mark();
      return;
    }
    if (this.loading !== loading || this.wanted !== hash) {
      disposeTree(got.model); // a newer joined won while this one was parsed
      return;
    }
    this.loading = null;
    this.freed = this.world.showPark(got.model, got.layout);
    this.hash = hash;
    this.swaps += 1;
    this.mark();
    this.onSwap(got.layout);
  }

  /** The shown scene on the page (`data-scene`, `data-scene-loading`) for tests and people. */
  mark() {
    const d = document.body.dataset;
    d.scene = this.hash || "";
    if (this.loading) d.sceneLoading = this.loading.hash;
    else delete d.sceneLoading;
  }

  state() {
    return { hash: this.hash, wanted: this.wanted, loading: this.loading ? this.loading.hash : null,
      swaps: this.swaps, dropped: this.dropped, failures: this.failures, freed: this.freed };
  }
}
