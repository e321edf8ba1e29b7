"""Public policy services: publishing and matching (helper A), applications (applications.py)."""
