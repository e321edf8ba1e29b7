"""``cloudpark scenes``: build and check park scenes. (Being built: see issue 2.)"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    pass


def build_and_report(out, parks, previews):  # type: ignore[no-untyped-def]
    raise NotImplementedError
