"""The unified social credit code (统一社会信用代码, GB 32100-2015): check and make one.

A code is 18 characters from a 31-character alphabet (the digits and the capital
letters without I, O, S, V and Z, which read like digits):

    position 1      registration authority (9 = market regulation, 5 = civil affairs, ...)
    position 2      organization type under that authority (1 = enterprise, ...)
    positions 3-8   the administrative division code (digits; 110105 is Beijing Chaoyang)
    positions 9-17  the organization code (GB 11714)
    position 18     the check character

Check character: with ``value(c)`` its index in the alphabet and weight
``3**(i-1) mod 31`` for position ``i`` (1..17), ``check = (31 - sum mod 31) mod 31``,
mapped back through the alphabet. ``validate`` checks the length, the alphabet, that
the division code is digits and the check character; it does not look the authority,
type or division up in a register (none is available offline), nor the organization
code's own GB 11714 check digit (older codes predate it). Pure: randomness comes in
as a ``random.Random``.
"""

from __future__ import annotations

import random

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
WEIGHTS = tuple(pow(3, i, 31) for i in range(LENGTH - 1))  # 1, 3, 9, 27, 19, 26, 16, ...
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
DIVISION = slice(2, 8)  # positions 3-8
CHAOYANG_BEIJING = "110105"
ENTERPRISE_PREFIX = "91"  # market regulation (9), enterprise (1)


class CreditCodeError(ValueError):
    """A code that is not a valid unified social credit code.

    ``position`` is the 1-based position of the offending character (0 when the
    problem is the code as a whole, such as its length); ``problem`` says what is wrong.
    """

    def __init__(self, code: str, position: int, problem: str) -> None:
        self.code = code
        self.position = position
        self.problem = problem
        where = f"position {position}: " if position else ""
        super().__init__(f"unified social credit code {code!r}: {where}{problem}")


def check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a code."""
    if len(first17) != LENGTH - 1:
        raise CreditCodeError(first17, 0, f"needs {LENGTH - 1} characters to compute a check, got {len(first17)}")
    total = 0
    for i, (c, weight) in enumerate(zip(first17, WEIGHTS, strict=True)):
        if c not in _VALUE:
            raise CreditCodeError(first17, i + 1, _not_in_alphabet(c))
        total += _VALUE[c] * weight
    return ALPHABET[(31 - total % 31) % 31]


def _not_in_alphabet(c: str) -> str:
    hint = " (lowercase: codes use capital letters)" if c.upper() in _VALUE else ""
    if c in "IOSVZ":
        hint = " (I, O, S, V and Z are not used: they read like digits)"
    return f"{c!r} is not in the code alphabet 0-9 A-H J-N P-R T-U W-Y{hint}"


def validate(code: str) -> str:
    """``code`` itself when it is a valid unified social credit code; else raises
    ``CreditCodeError`` naming the first position that is wrong. Surrounding spaces
    are not forgiven: callers strip what people type (see ``normalize``)."""
    if len(code) != LENGTH:
        raise CreditCodeError(code, 0, f"must be {LENGTH} characters long, not {len(code)}")
    for i, c in enumerate(code):
        if c not in _VALUE:
            raise CreditCodeError(code, i + 1, _not_in_alphabet(c))
    for i in range(DIVISION.start, DIVISION.stop):
        if not code[i].isdigit():
            raise CreditCodeError(code, i + 1, f"{code[i]!r}: positions 3-8 are the administrative "
                                               "division code and must be digits")
    expected = check_character(code[:-1])
    if code[-1] != expected:
        raise CreditCodeError(code, LENGTH, f"check character is {code[-1]!r} but the first 17 "
                                            f"characters give {expected!r} (a typo somewhere?)")
    return code


def problem_of(code: str) -> tuple[str, dict[str, object]] | None:
    """Why ``code`` is not a unified social credit code, as (problem code, params) for
    the translation catalogue (``code_length``, ``code_char``, ``code_division``,
    ``code_check``), or None when it is valid."""
    if len(code) != LENGTH:
        return "code_length", {"length": len(code)}
    for i, c in enumerate(code):
        if c not in ALPHABET:
            return "code_char", {"position": i + 1, "char": c}
    for i in range(DIVISION.start, DIVISION.stop):
        if not code[i].isdigit():
            return "code_division", {"position": i + 1, "char": code[i]}
    expected = check_character(code[:-1])
    if code[-1] != expected:
        return "code_check", {"given": code[-1], "expected": expected}
    return None


def normalize(typed: str) -> str:
    """What a person typed, as a code to validate: spaces and hyphens removed, upper case."""
    return "".join(c for c in typed if c not in " -\u3000").upper()


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except CreditCodeError:
        return False
    return True


def generate(rng: random.Random, *, prefix: str = ENTERPRISE_PREFIX, division: str = CHAOYANG_BEIJING) -> str:
    """A code with a valid check character, for demo data: ``prefix`` (authority and
    type), ``division``, a random 9-character organization code from ``rng``."""
    if len(prefix) != 2 or len(division) != 6 or not division.isdigit():
        raise ValueError("prefix is 2 characters, division 6 digits")
    body = prefix + division + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)
