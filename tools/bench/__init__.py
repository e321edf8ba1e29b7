"""Benchmarks: ``cloudpark bench crowd`` measures how many visitors one server core holds.

``prometheus`` reads the server's /metrics text, ``server`` starts and watches a
pinned ``cloudpark serve`` subprocess, ``crowd`` steps through client counts with
the bots pinned to the other core, ``report`` writes the JSON, the plot and the
Markdown table, ``cli`` is the command.
"""
