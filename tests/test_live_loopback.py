"""The live camera end to end without a browser: an aiortc peer streams a test pattern through streamlit-webrtc's
worker and the app's frame callback, with real VP8 both ways (``tests.live_loopback``). What comes back is the
kernel's picture of the camera; a kernel changed mid-stream reaches it; a slow filter drops frames instead of
lagging; and twenty streams opened and closed leave no thread, slot or memory behind."""

from __future__ import annotations

import gc
import os
import threading
import time

import numpy as np
import pytest

pytest.importorskip("streamlit_webrtc")

import streamlit_webrtc.webrtc as webrtc  # noqa: E402

import imgkernel  # noqa: E402
from app import live, live_stream  # noqa: E402
from app.budget import ALLOCATOR_PINNED  # noqa: E402, F401  (the server's allocator setting: freed memory returns)
from devtools.live_page import correlation, pattern  # noqa: E402
from tests.live_loopback import FPS, Loop, Stream, threads_and_rss  # noqa: E402

pytestmark = pytest.mark.server_allocator  # the RSS after twenty streams is the server's (tests/conftest.py)

FRAMES = [pattern(i) for i in range(4)]
SEEN = np.ascontiguousarray(np.fliplr(FRAMES[0]))  # the camera as the visitor sees it (mirrored)
RIGHT = (slice(60, 470), slice(340, 630))  # the filtered half, away from the line and the moving square


def params(name: str, **kw) -> live.LiveParams:
    spec = imgkernel.get(name)
    settings = imgkernel.Settings(divisor=float(spec.divisor), offset=float(spec.offset))
    return live.LiveParams(spec.matrix(), settings, **kw)


@pytest.fixture(scope="module")
def loop():
    lp = Loop()
    yield lp
    lp.close()


def open_stream(loop, name: str = "sobel_left", slots: live.LiveSlots | None = None, owner: str = "visitor"):
    slots = slots or live.LiveSlots(3)
    assert slots.claim(owner)  # the page's run when the visitor presses Start (app.panels.live.refusal)
    holder = live.LiveHolder(owner, params(name))
    stream = Stream(loop, FRAMES, live_stream.frame_callback(holder, slots), live_stream.ended_callback(holder, slots))
    return stream, holder, slots


def test_the_video_that_comes_back_is_the_kernel_applied_to_the_camera(loop):
    stream, holder, slots = open_stream(loop, "sobel_left")
    try:
        out = stream.wait_for_frames(8)
        assert out.shape == (480, 640, 3) and slots.in_use() == 1
        expected = live.filter_frame(SEEN, params("sobel_left"))
        with_filter, without = correlation(out[RIGHT], expected[RIGHT]), correlation(out[RIGHT], SEEN[RIGHT])
        assert with_filter > 0.8 and without < 0.4, (with_filter, without)
        left = (slice(60, 470), slice(10, 300))  # the original half
        assert correlation(out[left], SEEN[left]) > 0.9
        assert holder.stats().frames > 0 and holder.stats().size == (640, 480)
    finally:
        stream.close()
    assert slots.in_use() == 0 and holder.latest() is None  # the stream's end gave the slot back, forgot the frame


def test_a_frame_after_the_stream_ended_takes_back_neither_the_slot_nor_a_frame():
    """Frames still on their way when a stream ends (Stop, the view left) reach the callback after the end: one of
    them once took the slot back for a lease (the next visitor's Start then found the camera full and its video
    was closed) and kept a frame in memory after the camera was off."""
    import av

    slots = live.LiveSlots(1)
    holder = live.LiveHolder("visitor", params("sobel_left"))
    callback, ended = live_stream.frame_callback(holder, slots), live_stream.ended_callback(holder, slots)
    frame = av.VideoFrame.from_ndarray(FRAMES[0], format="rgb24")
    callback(frame)  # before the page's run took the slot: shown, not kept
    assert holder.latest() is None and slots.in_use() == 0
    assert slots.claim("visitor")  # the page's run at Start
    callback(frame)
    assert holder.latest() is not None and holder.stats().frames == 1
    ended()
    late = callback(frame)
    assert (late.width, late.height) == (640, 480)  # still filtered and returned: the video just ends
    assert slots.in_use() == 0 and slots.claim("next visitor")
    assert holder.latest() is None and holder.stats().frames == 0


def test_a_kernel_changed_mid_stream_reaches_the_video_without_a_restart(loop):
    stream, holder, _slots = open_stream(loop, "sobel_left")
    try:
        stream.wait_for_frames(5)
        worker = stream.worker
        for name in ("outline", "sharpen", "sobel_left"):
            expected = live.filter_frame(SEEN, params(name))
            holder.set_params(params(name))  # what every run of the page does
            changed = time.monotonic()
            deadline = changed + 10
            while time.monotonic() < deadline:
                out = stream.wait_for_frames(1)
                if correlation(out[RIGHT], expected[RIGHT]) > 0.8:
                    break
            else:
                raise AssertionError(f"{name} never showed in the video")
            assert stream.worker is worker
    finally:
        stream.close()


def test_a_slow_filter_drops_frames_instead_of_lagging(loop):
    """A filter 4 times slower than the camera: it only ever sees the newest frame, so what it works on stays
    within a frame or two of the camera while most frames are skipped."""
    lags: list[float] = []
    started = time.monotonic()
    slots = live.LiveSlots(1)
    holder = live.LiveHolder("slow", params("sharpen"))
    fast = live_stream.frame_callback(holder, slots)

    def slow(frame):
        lags.append((time.monotonic() - started) - float(frame.pts * frame.time_base))
        time.sleep(4 / FPS)
        return fast(frame)

    stream = Stream(loop, FRAMES, slow, live_stream.ended_callback(holder, slots))
    try:
        stream.wait_for_frames(3)
        time.sleep(2)
    finally:
        stream.close()
    assert len(lags) < 2.5 * FPS / 4 + 5  # about one frame in four was filtered
    early, late = np.median(lags[1:4]), np.median(lags[-3:])
    # queued instead, the last frames would be filtered ~1.5 s late (2 s of frames at a quarter of their rate)
    assert late - early < 0.5, lags


def _native_threads() -> set[int]:
    return {int(tid) for tid in os.listdir("/proc/self/task")}


def _settled() -> tuple[set[int], float]:
    """The process's threads (native ids) and RSS in MB once the dust settled, asyncio's executor pool left out:
    it runs the video encoders, grows as encodes overlap up to its fixed size and is reused (not a leak)."""
    gc.collect()
    time.sleep(0.3)
    pool = {t.native_id for t in threading.enumerate() if t.name.startswith("asyncio_")}
    return _native_threads() - pool, threads_and_rss()[1]


def test_twenty_streams_opened_and_closed_leave_nothing_behind(loop):
    """The app's slot and every thread a stream starts (its decoder, its filter thread, its codecs' own threads)
    come back after each stream, whichever side ends it first; the memory stays where one stream left it. (Threads
    are compared by identity: any other test's thread that ends meanwhile changes nothing.)"""
    slots = live.LiveSlots(1)
    for name in ("sobel_left", "outline"):  # the first streams load the codecs and start their native helpers once
        first, _, _ = open_stream(loop, name, slots=slots)
        first.wait_for_frames(3)
        first.close()
    del first
    before, base_rss = _settled()
    for i in range(20):
        stream, holder, _ = open_stream(loop, "outline" if i % 2 else "sobel_left", slots=slots, owner=f"v{i}")
        stream.wait_for_frames(1)  # the stream plays: a filtered frame came back
        assert slots.in_use() == 1 and not slots.has_room("next")  # a limit of 1: the next visitor waits
        stream.close(server_first=i % 2 == 0)  # Stop / the view left, or the tab closed first
        assert slots.in_use() == 0 and holder.latest() is None, i
    del stream, holder  # the last stream's codecs (and their native threads) go with it
    after, rss = _settled()
    assert not webrtc._live_workers
    born = after - before
    assert len(born) <= 1, sorted(t.name for t in threading.enumerate())  # one may still be on its way out
    pool = [t for t in threading.enumerate() if t.name.startswith("asyncio_")]
    assert len(pool) <= min(32, (os.cpu_count() or 1) + 4)  # asyncio's default executor: bounded
    assert rss <= base_rss + 40, (base_rss, rss)


def test_the_watchdog_ends_a_stream_whose_visitor_vanished(loop, monkeypatch):
    """A closed tab often says nothing to the server (Chromium sends no goodbye that aiortc acts on: it notices when
    ICE consent fails, ~30 s later). The frames stop, and the watchdog stops the stream: the slot and the threads
    come back in seconds."""
    dog = live.shared_watchdog()  # the app's, as the stream's end callback unwatches it
    monkeypatch.setattr(dog, "idle", 0.5)
    monkeypatch.setattr(dog, "poll", 0.1)
    before, _ = _settled()
    stream, holder, slots = open_stream(loop, slots=live.LiveSlots(1))
    dog.watch(holder, stream.worker.stop)
    stream.wait_for_frames(3)
    stream.camera.frozen = True  # the visitor vanishes
    deadline = time.monotonic() + 20  # (aiortc alone: about 30 s)
    while (slots.in_use() or dog.watching()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slots.in_use() == 0 and dog.watching() == 0 and holder.latest() is None
    loop.run(stream.pc.close())
    del stream, holder
    after, _ = _settled()
    assert len(after - before) <= 1  # the stream's threads are gone (one may still be on its way out)
