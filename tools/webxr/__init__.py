"""WebXR export: a park as a static web folder (three.js client, the park's .glb)."""
