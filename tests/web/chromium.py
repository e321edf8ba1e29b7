"""Debian's Chromium under Playwright for the web tests: one launch per module, a person
signed in through the sign-in page, and the no-sideways-scroll check."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.web.people import PASSWORD
from tests.webxr.conftest import CHROMIUM, CHROMIUM_ARGS


@contextmanager
def launched(*extra_args: str) -> Iterator[Any]:
    """Chromium (headless) with the project's flags and ``extra_args`` (a fake camera, say)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run bash tools/setup.sh --test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], headless=True)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(context: Any, url: str, user: str, password: str = PASSWORD) -> Any:
    """A new page of ``context`` signed in as ``user`` through the sign-in form."""
    page = context.new_page()
    page.goto(f"{url}/signin")
    page.fill("#user", user)
    page.fill("#password", password)
    page.locator("form button").click()
    page.wait_for_load_state()
    return page


def fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scroll"
