"""A rule broken by one named field: the one shape of "field: problem" errors that the
booth, text and booking rules raise (each keeps its own subclass, so callers catch
exactly the rule they apply)."""

from __future__ import annotations


class FieldError(ValueError):
    """``field`` names the offending field, ``problem`` says what is wrong;
    ``str(exc)`` is ``"field: problem"``."""

    def __init__(self, field_name: str, problem: str) -> None:
        self.field = field_name
        self.problem = problem
        super().__init__(f"{field_name}: {problem}")
