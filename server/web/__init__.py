"""The web app: the portal, the consoles and the JSON API (``/api/``), its own process.

``server.web.app.create_app(config, store, bus, clock)`` builds it; ``server.web.main``
runs it under uvicorn (``cloudpark web``). See docs/platform.md.
"""
