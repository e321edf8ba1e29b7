"""Crowd bots: headless visitors that speak the real protocol over real websockets.

``route`` plans where a visitor walks (from the park's layout), ``visitor`` is one
connection (websockets' sans-I/O client under a raw asyncio protocol), ``crowd``
runs many visitors in one process, ``swarm`` spreads a crowd over processes and
``tally`` holds what they measured. ``cli`` is the ``cloudpark bots`` command.
"""
