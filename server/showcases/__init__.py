"""Showcases: events on park stages, their registrations, Q&A, polls and attendance (the service)."""
