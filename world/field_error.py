"""A rule broken by one named field: the one shape of "field: problem" errors that the
booth, text and booking rules raise (each keeps its own subclass, so callers catch
exactly the rule they apply)."""

from __future__ import annotations


class FieldError(ValueError):
    """``field`` names the offending field, ``problem`` says what is wrong (English);
    ``str(exc)`` is ``"field: problem"``. A rule that pages say in the person's language
    also gives ``code`` (the catalogue key ``field.p.<code>``) and its ``params``."""

    code: str = ""  # a subclass may fix one for all its errors (TextRuleError: "invalid")

    def __init__(self, field_name: str, problem: str, code: str = "", **params: object) -> None:
        self.field = field_name
        self.problem = problem
        if code:  # else the class's own
            self.code = code
        self.params = params
        super().__init__(f"{field_name}: {problem}")
