"""Showcases: scheduled events on park stages (issue 12)."""
