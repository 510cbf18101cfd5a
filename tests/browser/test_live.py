"""The live camera in Chromium, with a fake camera playing a generated test clip (``devtools.live_page``): the video
that comes back is the kernel's picture of the camera, follows a kernel change mid-stream, Snapshot makes the frame
the photo, a second tab past ``IMGKERNEL_MAX_LIVE`` reads why, and closed streams give back their slot and threads.

A server of its own with a limit of one stream, and a browser of its own with the fake camera. Timings (frame rate,
the kernel switch's delay) are recorded with ``record_property``, never asserted beyond "frames flow": tests never
fail on timing; ``bench/live.py`` measures them.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

import imgkernel
from app import live
from devtools import live_page as lp
from devtools.browser import DESKTOP, start_app, stop_app
from devtools.st_page import assert_no_exception, image_pixels, open_app, settle, wait_idle
from tests.browser.test_accessibility import _axe, axe_source

pytestmark = pytest.mark.browser
SEEN = np.ascontiguousarray(np.fliplr(lp.pattern(0)))  # the camera as the page shows it (mirrored)
RIGHT = (slice(60, 470), slice(340, 630))  # the filtered half, away from the line and the moving square


def expected(name: str) -> np.ndarray:
    spec = imgkernel.get(name)
    settings = imgkernel.Settings(divisor=float(spec.divisor), offset=float(spec.offset))
    return live.filter_frame(SEEN, live.LiveParams(spec.matrix(), settings))


def server_threads_and_rss(pid: int) -> tuple[int, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["Threads"]), int(fields["VmRSS"].split()[0]) / 1024


def settled_threads(pid: int, at_most: int, timeout: float = 15) -> int:
    """The server's thread count once it is ``at_most`` or less (or whatever it is after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while True:
        threads, _ = server_threads_and_rss(pid)
        if threads <= at_most or time.monotonic() > deadline:
            return threads
        time.sleep(0.2)


def steady_threads(pid: int, still: float = 1.0, timeout: float = 10) -> int:
    """The server's thread count once it has not changed for ``still`` s (a stream just stopped winds its threads
    down over a second or two, longer on a loaded machine), or its lowest after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    threads, _ = server_threads_and_rss(pid)
    lowest, since = threads, time.monotonic()
    while time.monotonic() - since < still and time.monotonic() < deadline:
        time.sleep(0.2)
        now, _ = server_threads_and_rss(pid)
        if now != threads:
            threads, since = now, time.monotonic()
        lowest = min(lowest, now)
    return threads if time.monotonic() - since >= still else lowest


@pytest.fixture(scope="module")
def live_server():
    proc, url = start_app(env={live.MAX_LIVE_ENV: "1"})
    try:
        yield proc, url
    finally:
        stop_app(proc)


@pytest.fixture(scope="module")
def camera(launch, tmp_path_factory):
    """Chromium with a fake camera playing the test clip, and its permission granted."""
    clip = lp.make_clip(tmp_path_factory.mktemp("camera") / "clip.y4m")
    browser = launch(lp.fake_camera_args(clip))
    try:
        yield browser.new_context(viewport=DESKTOP, permissions=["camera"])
    finally:
        browser.close()


def toggle_live(page) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_text("Live camera", exact=True).click()


@pytest.fixture(scope="module")
def tab_a(camera, live_server):
    """A visitor with the live view open and streaming (the tests below share it, in order)."""
    page = camera.new_page()
    page.set_default_timeout(30_000)
    open_app(page, live_server[1])
    toggle_live(page)
    frame = lp.start_stream(page)
    yield page, frame
    page.close()


def test_the_video_is_the_kernel_on_the_camera_and_follows_a_kernel_change(tab_a, record_property):
    page, frame = tab_a
    shown = lp.count_frames(frame, 2.0)
    fps = shown["frames"] / shown["seconds"]
    record_property("fps_640x480", round(fps, 1))
    assert (shown["width"], shown["height"]) == (640, 480) and fps >= 1  # frames flow (the rate: bench/live.py)
    page.get_by_text("frames/s filtered").wait_for()  # the rate is shown while it plays
    assert_no_exception(page)
    # axe-core: nothing serious in the live view or streamlit-webrtc's frame (Streamlit's own sidebar navigation is
    # tests/browser/test_accessibility.py's, against its baseline)
    found = [n for n in _axe(page, axe_source()) if "stSidebarNav" not in n["path"]]
    assert not found, found

    delay = lp.kernel_switch_delay(page, frame, "sobel_left", expected("sobel_left"))
    record_property("kernel_switch_ms", None if delay is None else round(delay))
    assert delay is not None, "the video never changed after the kernel did"
    wait_idle(page)
    page.wait_for_timeout(300)
    out = lp.grab(frame)
    want = expected("sobel_left")
    with_filter, without = lp.correlation(out[RIGHT], want[RIGHT]), lp.correlation(out[RIGHT], SEEN[RIGHT])
    record_property("correlation_filtered_unfiltered", f"{with_filter:.3f} {without:.3f}")
    assert with_filter > 0.8 and with_filter > without + 0.4, (with_filter, without)
    left = (slice(60, 470), slice(10, 300))
    assert lp.correlation(out[left], SEEN[left]) > 0.9  # the original half is the camera


def test_past_the_limit_a_second_tab_is_told_and_closed_streams_come_back(tab_a, camera, live_server, record_property):
    """With a limit of one stream: a second tab reads why and gets the snapshot camera; once the first stream
    stops it can stream; closing its tab (no goodbye reaches the server) gives the slot and the threads back."""
    page_a, frame_a = tab_a
    proc, url = live_server
    b = camera.new_page()
    b.set_default_timeout(30_000)
    open_app(b, url)
    toggle_live(b)
    b.get_by_text("The live camera is full").wait_for()
    b.locator('[data-testid="stCameraInput"]').wait_for()  # the snapshot camera instead
    assert b.locator(f'iframe[src*="{lp.COMPONENT_URL}"]').count() == 0

    frame_a.get_by_role("button", name="Stop").focus()  # by keyboard
    page_a.keyboard.press("Enter")
    settle(page_a, "Press Start")
    baseline = steady_threads(proc.pid)  # no stream running (the pools are warm)
    _, rss_before = server_threads_and_rss(proc.pid)
    toggle_live(b)  # off and on again: the page looks again
    settle(b, "…or drop your own")
    toggle_live(b)
    lp.start_stream(b)
    streaming, _ = server_threads_and_rss(proc.pid)
    assert streaming > baseline
    b.close()  # the tab closes mid-stream
    closed = time.monotonic()
    after = settled_threads(proc.pid, at_most=baseline + 1, timeout=20)
    record_property("threads_baseline_streaming_after", f"{baseline} {streaming} {after}")
    record_property("tab_close_to_threads_back_s", round(time.monotonic() - closed, 1))
    assert after <= baseline + 1
    _, rss_after = server_threads_and_rss(proc.pid)
    record_property("rss_mb_before_after", f"{rss_before:.0f} {rss_after:.0f}")
    assert rss_after < rss_before + 60

    # The first tab's video frame now: a run of it while the second tab held the slot showed it the pictures
    # instead, and a new frame came with the slot.
    frame = lp.component_frame(page_a)
    start = frame.get_by_role("button", name="Start")
    start.focus()  # by keyboard: the slot came back, the first visitor streams again
    page_a.keyboard.press("Enter")
    frame.wait_for_function("() => { const v = document.querySelector('video'); return v && v.currentTime > 0; }")
    assert_no_exception(page_a)


def test_snapshot_puts_the_frame_in_the_playground(tab_a):
    page, _frame = tab_a
    snapshot = page.get_by_role("button", name="Snapshot")
    expect(snapshot).to_be_enabled(timeout=30_000)  # the page learns that the stream plays in a rerun of its own
    snapshot.focus()  # by keyboard
    page.keyboard.press("Enter")
    settle(page, "is the photo now")
    in_use = page.locator('[data-testid="stSidebar"] .kc-text').filter(has_text="In use:")
    expect(in_use).to_have_text(re.compile(r"^In use: Live snapshot .* · 640 × 480 px$"))
    toggle_live(page)  # leave the view: the stream stops, the pictures come back with the snapshot in them
    settle(page, "Result: ")
    assert page.locator(f'iframe[src*="{lp.COMPONENT_URL}"]').count() == 0
    shot = image_pixels(page, 0)
    assert shot.shape == (480, 640, 3)
    assert lp.correlation(shot[60:470, 60:580], SEEN[60:470, 60:580]) > 0.9  # the camera's frame, through VP8
    assert_no_exception(page)
