"""The Panda3D desktop client."""
