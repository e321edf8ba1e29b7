// A park's layout as the scene carries it (scenes[0].extras.cloudpark, world/layout.py):
// metres, x east, y north. Ground (x, y) is three.js (x, 0, -y).

export function pointInRing(x, y, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export class ParkLayout {
  constructor(data) {
    if (!data || !Array.isArray(data.walkable)) throw new Error("scene carries no cloudpark layout");
    this.data = data;
    this.id = data.park;
    this.walkable = data.walkable;
    this.booths = data.booths || [];
    this.spawns = data.spawns || [];
    this.kiosk = data.kiosk || null; // the policy service point (scenes before builder 3 have none)
    this.site = data.site || { width: 100, depth: 100 };
  }

  isWalkable(x, y) {
    return this.walkable.some(
      (r) => pointInRing(x, y, r.outer) && !(r.holes || []).some((h) => pointInRing(x, y, h)),
    );
  }

  boothAt(x, y) {
    return this.booths.find((b) => pointInRing(x, y, b.zone)) || null;
  }

  booth(id) {
    return this.booths.find((b) => b.id === id) || null;
  }
}

export const toScene = (x, y, h = 0) => [x, h, -y];
