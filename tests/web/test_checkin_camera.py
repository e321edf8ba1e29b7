"""The park office's camera scanner in Chromium with its fake camera: the camera "sees" a
video file (Y4M) made from a screenshot of the QR code on the booker's phone page. Debian's
Chromium has no BarcodeDetector on Linux, so this is the jsQR fallback the page loads from
/vendor/jsQR.js (where BarcodeDetector exists the page uses it instead). The scan is refused
while the check-in window is closed, not sent again while the same code stays in view, and
checks the booking in once the window is open; the database agrees. A stand-in
BarcodeDetector (the browsers that have one) is asked instead of jsQR. Screenshots:
build/screenshots/web/booking-checkin-camera-*.png."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.web.booking_live import BookingServer, half_hour_after
from tests.web.chromium import launched, sign_in

SHOTS = Path("build/screenshots/web")
PHONE = {"width": 390, "height": 844}
SENT = "cp-check-in-sent"  # checkin.js: the code it sent last (sessionStorage)


def write_y4m(picture: Image.Image | None, path: Path, size: tuple[int, int] = (640, 480), frames: int = 10) -> None:
    """A still video for Chromium's fake camera: ``picture`` centred on white (None: only
    white), 4:2:0, written whole and then moved into place (the camera opens it on
    getUserMedia)."""
    canvas = Image.new("RGB", size, "white")
    if picture is not None:
        canvas.paste(picture.convert("RGB"), ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2))
    ycc = np.asarray(canvas.convert("YCbCr"))
    frame = b"FRAME\n" + ycc[:, :, 0].tobytes() + ycc[::2, ::2, 1].tobytes() + ycc[::2, ::2, 2].tobytes()
    part = path.with_suffix(".part")
    part.write_bytes(f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)
    os.replace(part, path)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BookingServer]:
    live = BookingServer(tmp_path_factory.mktemp("camera") / "data").start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fake-camera") / "camera.y4m"


@pytest.fixture(scope="module")
def chromium(camera: Path) -> Iterator[Any]:
    with launched("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                  f"--use-file-for-fake-video-capture={camera}") as browser:
        yield browser


def _scanning(page: Any) -> None:
    """The scanner is up: the camera's video plays and the typing hint is gone."""
    page.wait_for_function("!document.getElementById('scanner').hidden && "
                           "document.getElementById('camera').readyState >= 2", timeout=20_000)
    assert page.locator("#no-camera").is_hidden()


def test_the_park_office_scans_the_bookers_qr_with_the_camera(chromium: Any, server: BookingServer,
                                                               camera: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    start = half_hour_after(server.clock.now(), 60)
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    booker = chromium.new_context(locale="zh-CN", **phone)
    emil = sign_in(booker, server.url, "emil")
    emil.goto(f"{server.url}/console/employee/spaces?day={start.date().isoformat()}&start={start:%H:%M}"
              f"&minutes=60&space={server.rooms['room-2']}")
    emil.locator(".slots button", has_text=f"{start:%H:%M}").click()
    emil.wait_for_url("**/console/employee/bookings?done=*")
    booking = int(emil.url.rsplit("done=", 1)[1])
    qr = Image.open(io.BytesIO(emil.locator(f"#booking-{booking} .qr svg").screenshot()))
    qr = qr.resize((qr.width * 2, qr.height * 2), Image.Resampling.NEAREST)  # the phone held up close
    write_y4m(qr, camera)

    office = chromium.new_context(locale="en", **phone)
    pam = sign_in(office, server.url, "pam")
    assert not pam.evaluate("'BarcodeDetector' in window")  # Debian's Chromium: the jsQR fallback is what runs
    # an hour early: the scan is read and sent, and the page says the window is not open yet
    pam.goto(f"{server.url}/console/park/check-in")
    pam.wait_for_url("**/console/park/check-in")
    pam.locator("[role=alert]").wait_for(timeout=20_000)
    early = pam.locator("[role=alert]").inner_text()
    assert "Too early to check in: check-in opens 15 minutes before the start." in early and "too_early" not in early
    assert server.call(lambda: server.store.bookings.get(booking)).state == "confirmed"
    # the answer page scans again but does not send the same code while it stays in view
    _scanning(pam)
    pam.evaluate("window.stillHere = true")
    pam.wait_for_timeout(2500)
    assert pam.evaluate("window.stillHere === true") and pam.evaluate(f"sessionStorage.getItem('{SENT}')")
    pam.screenshot(path=str(SHOTS / "booking-checkin-camera-early-phone.png"))

    # the booker takes the phone away: the scanner forgets the code
    write_y4m(None, camera)
    pam.goto(f"{server.url}/console/park/check-in")
    _scanning(pam)
    pam.wait_for_function(f"!sessionStorage.getItem('{SENT}')", timeout=20_000)

    # ten minutes before the start, inside the window: scanned, checked in
    server.to(start - timedelta(minutes=10))
    write_y4m(qr, camera)
    pam.goto(f"{server.url}/console/park/check-in")
    pam.locator("[role=status]").wait_for(timeout=20_000)
    assert pam.locator("[role=status]").inner_text() == f"Checked in: Meeting room 2 at {start:%H:%M}, emil"
    assert pam.locator("[role=alert]").count() == 0
    assert server.call(lambda: server.store.bookings.get(booking)).state == "checked_in"
    _scanning(pam)
    pam.screenshot(path=str(SHOTS / "booking-checkin-camera-phone.png"))
    emil.goto(f"{server.url}/console/employee/bookings")
    assert emil.locator(f"#booking-{booking} .tag").inner_text() == "已签到"
    code = emil.locator(f"#booking-{booking} .checkin-code").inner_text()
    booker.close()
    office.close()

    # where the browser has a BarcodeDetector (Chrome on Android) the page asks it and loads no jsQR:
    # a stand-in that "reads" the same code; the answer is that it was checked in already
    detecting = chromium.new_context(locale="en", **phone)
    raw = "CP:" + code.replace("-", "")
    detecting.add_init_script("window.BarcodeDetector = class { static async getSupportedFormats() "
                              "{ return ['qr_code']; } async detect() { return [{ rawValue: '" + raw + "' }]; } };")
    desk = sign_in(detecting, server.url, "pam")
    desk.goto(f"{server.url}/console/park/check-in")
    desk.locator("[role=alert]").wait_for(timeout=20_000)
    assert desk.locator("[role=alert]").inner_text() == "This booking is checked in already."
    assert desk.evaluate("typeof window.jsQR") == "undefined"
    assert server.call(lambda: server.store.bookings.get(booking)).state == "checked_in"
    detecting.close()
