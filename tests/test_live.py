"""The live camera's pure parts (``app.live``): frame sizes, the split view, the frame filter, the holder the page
and the frame thread share, the admission counter, the watchdog, and the hosting checks (ICE servers from
secrets or the environment, hostile values included; localhost; TURN)."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

import imgkernel
from app import live
from app.i18n import message
from app.live import (
    DIVIDER_RGB,
    LiveHolder,
    LiveParams,
    LiveSlots,
    PageAddress,
    Watchdog,
    capped_size,
    filter_frame,
    fit_to,
    has_turn,
    ice_servers_from,
    live_blocker,
    max_live_from,
    page_address,
    split_view,
)
from tests.apptest import oracle

RNG = np.random.default_rng(25)


def frame(h: int = 48, w: int = 64) -> np.ndarray:
    return RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)


# ---- sizes and the picture sent back ----


@pytest.mark.parametrize(
    ("size", "capped"),
    [
        ((640, 480), (640, 480)),  # what the page asks the camera for
        ((320, 240), (320, 240)),  # never scaled up
        ((1280, 720), (640, 360)),  # a camera that ignores the request: 16:9 kept
        ((1920, 1080), (640, 360)),
        ((4000, 3000), (640, 480)),
        ((480, 640), (360, 480)),  # a phone held upright: the height is the limit
        ((641, 481), (640, 480)),
        ((2, 2), (2, 2)),
    ],
)
def test_frames_are_capped_at_640_by_480_keeping_their_shape(size, capped):
    w, h = capped_size(*size)
    assert (w, h) == capped
    assert w <= 640 and h <= 480 and w % 2 == 0 and h % 2 == 0
    assert abs(w / h - size[0] / size[1]) < 0.02


@pytest.mark.parametrize("size", [(0, 480), (640, -1)])
def test_a_frame_without_pixels_is_refused(size):
    with pytest.raises(ValueError):
        capped_size(*size)


def test_the_split_view_shows_the_original_left_the_filter_right_and_a_thin_line():
    original, filtered = frame(), frame()
    out = split_view(original, filtered, 0.5)
    assert out.shape == original.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(out[:, :31], original[:, :31])
    np.testing.assert_array_equal(out[:, 33:], filtered[:, 33:])
    assert (out[:, 31:33] == DIVIDER_RGB).all()  # two pixels wide, at the split
    np.testing.assert_array_equal(split_view(original, filtered, 0.0), filtered)  # all filtered: no line
    np.testing.assert_array_equal(split_view(original, filtered, 1.0), original)
    np.testing.assert_array_equal(split_view(original, filtered, 7.0), original)  # out of range: clamped
    with pytest.raises(ValueError):
        split_view(original, filtered[:-1], 0.5)


def test_a_smaller_or_gray_result_is_fitted_to_the_frame():
    gray = RNG.integers(0, 256, (24, 32), dtype=np.uint8)  # a stride-2 result of a 48 x 64 frame, gray
    out = fit_to(gray, 48, 64)
    assert out.shape == (48, 64, 3)
    np.testing.assert_array_equal(out[::2, ::2, 0], gray)  # each pixel repeated 2 x 2
    np.testing.assert_array_equal(out[1::2, 1::2, 2], gray)
    valid = frame(46, 62)  # a 3 x 3 kernel in "valid" mode: one pixel less on each side
    assert fit_to(valid, 48, 64).shape == (48, 64, 3)
    same = frame()
    assert fit_to(same, 48, 64) is same


@pytest.mark.parametrize("name", ["sharpen", "sobel_left", "outline", "box_blur"])
def test_a_frame_is_filtered_as_the_pictures_are(name):
    """The filtered part is ``run_filter``'s picture (checked against scipy), the rest the frame."""
    spec = imgkernel.get(name)
    rgb = frame()
    settings = imgkernel.Settings(divisor=float(spec.divisor), offset=float(spec.offset))
    out = filter_frame(rgb, LiveParams(spec.matrix(), settings, split=0.5))
    expected = np.clip(np.rint(oracle(rgb, spec.matrix(), divisor=spec.divisor, offset=spec.offset)), 0, 255)
    np.testing.assert_allclose(out[:, 33:], expected[:, 33:], atol=1)
    np.testing.assert_array_equal(out[:, :31], rgb[:, :31])


def test_gray_stride_and_the_signed_view_reach_the_frame():
    rgb, k = frame(), imgkernel.get("sobel_left").matrix()
    gray = filter_frame(rgb, LiveParams(k, imgkernel.Settings(gray=True), split=0.0))
    assert (gray[..., 0] == gray[..., 1]).all() and (gray[..., 1] == gray[..., 2]).all()
    strided = filter_frame(rgb, LiveParams(k, imgkernel.Settings(stride=2), split=0.0))
    assert strided.shape == rgb.shape and (strided[::2, ::2] == strided[1::2, 1::2]).all()
    signed = filter_frame(rgb, LiveParams(k, view="signed", split=0.0))
    want = imgkernel.signed_colormap(imgkernel.run_filter(rgb, k).values)
    np.testing.assert_array_equal(signed, want)


def test_settings_a_frame_cannot_take_are_refused_as_for_pictures():
    big = np.ones((31, 31))
    with pytest.raises(imgkernel.KernelError):
        filter_frame(frame(16, 16), LiveParams(big, imgkernel.Settings(mode="valid")))


# ---- the holder ----


def test_the_holder_hands_the_newest_parameters_to_the_frame_thread():
    a, b = LiveParams(np.eye(3)), LiveParams(np.ones((3, 3)), split=0.0)
    holder = LiveHolder("me", a)
    assert holder.params() is a
    seen = []
    stop = threading.Event()

    def frames() -> None:
        while not stop.is_set():
            seen.append(holder.params())

    t = threading.Thread(target=frames)
    t.start()
    time.sleep(0.01)
    holder.set_params(b)
    time.sleep(0.01)
    stop.set()
    t.join()
    assert seen[0] is a and seen[-1] is b and set(map(id, seen)) <= {id(a), id(b)}


def test_the_holder_counts_frames_per_second_and_the_filter_time():
    holder = LiveHolder("me", LiveParams(np.eye(3)))
    assert holder.stats().fps == 0 and holder.latest() is None and holder.last_frame() is None
    f = frame()
    for i in range(31):  # 15 frames a second for 2 s, 4 ms each
        holder.record(f, 0.004, now=100 + i / 15)
    s = holder.stats(now=102)
    assert s.fps == pytest.approx(15, rel=0.01) and s.filter_ms == pytest.approx(4)
    assert s.frames == 31 and s.size == (64, 48) and s.failed is None
    assert holder.stats(now=110).fps == 0  # nothing for 8 s
    latest = holder.latest()
    assert latest is not None and np.array_equal(latest, f) and latest is not f  # a copy for Snapshot
    holder.forget()  # the stream stopped: no frame is kept
    assert holder.latest() is None and holder.stats().frames == 0 and holder.last_frame() is None


def test_a_refused_frame_is_counted_with_its_reason():
    holder = LiveHolder("me", LiveParams(np.eye(3)))
    why = imgkernel.KernelError("too big")
    holder.record(frame(), 0.001, failed=why)
    assert holder.stats().failed is why


# ---- admission ----


def test_slots_admit_up_to_the_limit_and_come_back():
    slots = LiveSlots(2, lease=10)
    assert slots.claim("a", now=0) and slots.claim("b", now=0)
    assert not slots.claim("c", now=1) and not slots.has_room("c", now=1)
    assert slots.has_room("a", now=1) and slots.claim("a", now=1)  # a holder renews its own
    assert slots.in_use(now=1) == 2
    slots.release("a")
    assert slots.has_room("c", now=2) and slots.claim("c", now=2)
    slots.release("nobody")  # releasing twice, or what was never held, changes nothing
    slots.release("a")
    assert slots.in_use(now=2) == 2


def test_a_slot_nobody_renews_is_free_after_its_lease():
    slots = LiveSlots(1, lease=10)
    assert slots.claim("closed tab", now=0)
    assert not slots.claim("next", now=9)
    assert slots.claim("next", now=10.5)  # no frame and no page run for 10 s
    assert slots.in_use(now=10.5) == 1


def test_frames_renew_a_slot_but_never_take_one():
    slots = LiveSlots(1, lease=10)
    assert not slots.renew("streaming", now=0) and slots.in_use(now=0) == 0  # a frame before the page's claim
    assert slots.claim("streaming", now=0)
    for t in range(5, 60, 5):
        assert slots.renew("streaming", now=t)
    assert not slots.claim("other", now=62)
    slots.release("streaming")
    assert not slots.renew("streaming", now=63)  # a late frame of the ended stream
    assert slots.claim("other", now=63)
    assert not slots.renew("streaming", now=100)  # nor once the other's lease is over


def test_a_limit_of_zero_admits_nobody():
    slots = LiveSlots(0)
    assert not slots.has_room("a") and not slots.claim("a")


def test_slots_never_admit_more_than_the_limit_from_many_threads():
    slots = LiveSlots(3)
    admitted = []
    barrier = threading.Barrier(20)

    def visitor(i: int) -> None:
        barrier.wait()
        if slots.claim(f"v{i}"):
            admitted.append(i)

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(admitted) == 3 and slots.in_use() == 3


@pytest.mark.parametrize(
    ("value", "limit", "complaint"),
    [
        (None, live.DEFAULT_MAX_LIVE, False),
        ("", live.DEFAULT_MAX_LIVE, False),
        ("5", 5, False),
        (" 2 ", 2, False),
        ("0", 0, False),  # the live camera off
        ("-1", live.DEFAULT_MAX_LIVE, True),
        ("three", live.DEFAULT_MAX_LIVE, True),
        ("1.5", live.DEFAULT_MAX_LIVE, True),
        ("1e9", live.DEFAULT_MAX_LIVE, True),
        ("9" * 40, live.DEFAULT_MAX_LIVE, True),
    ],
)
def test_the_limit_comes_from_the_environment(value, limit, complaint):
    env = {} if value is None else {"IMGKERNEL_MAX_LIVE": value}
    got, why = max_live_from(env)
    assert got == limit and (why is not None) == complaint
    if why:
        assert "IMGKERNEL_MAX_LIVE" in why and value not in why.replace("IMGKERNEL_MAX_LIVE", "")


# ---- the watchdog ----


class FakeStream:
    def __init__(self) -> None:
        self.stopped = 0

    def stop(self) -> None:
        self.stopped += 1


def test_the_watchdog_stops_a_stream_whose_frames_stopped():
    dog = Watchdog(idle=6, first=30)
    holder, stream = LiveHolder("tab", LiveParams(np.eye(3))), FakeStream()
    dog.watch(holder, stream.stop, now=0)
    dog.unwatch("tab")  # (no thread needed for this test: sweep is called by hand)
    dog.watch(holder, stream.stop, now=0)
    holder.record(frame(), 0.001, now=1)
    assert dog.sweep(now=6) == [] and stream.stopped == 0
    holder.record(frame(), 0.001, now=6)
    assert dog.sweep(now=11.9) == []
    assert dog.sweep(now=12.5) == ["tab"] and stream.stopped == 1  # 6.5 s without a frame: the tab is gone
    assert dog.sweep(now=20) == [] and stream.stopped == 1 and dog.watching() == 0


def test_the_watchdog_waits_longer_for_the_first_frame():
    dog = Watchdog(idle=6, first=30)
    holder, stream = LiveHolder("slow", LiveParams(np.eye(3))), FakeStream()
    holder.record(frame(), 0.001, now=-50)  # a frame from the stream before: not this one's
    dog.watch(holder, stream.stop, now=0)
    assert dog.sweep(now=29) == []
    assert dog.sweep(now=31) == ["slow"] and stream.stopped == 1


def test_the_same_stream_watched_again_keeps_its_start_and_a_new_one_starts_afresh():
    dog = Watchdog(idle=6, first=30)
    holder, one, two = LiveHolder("me", LiveParams(np.eye(3))), FakeStream(), FakeStream()
    dog.watch(holder, one.stop, now=0)
    dog.watch(holder, one.stop, now=20)  # every page run watches it again
    assert dog.sweep(now=31) == ["me"]
    dog.watch(holder, two.stop, now=40)
    dog.watch(holder, one.stop, now=45)  # Stop, then Start: another stream
    assert dog.sweep(now=71) == [] and dog.sweep(now=76) == ["me"] and one.stopped == 2 and two.stopped == 0


def test_the_watchdog_thread_runs_only_while_something_is_watched():
    dog = Watchdog(idle=0.05, first=0.05, poll=0.02)
    holder, stream = LiveHolder("gone", LiveParams(np.eye(3))), FakeStream()
    dog.watch(holder, stream.stop)
    assert any(t.name == "imgkernel-live-watchdog" for t in threading.enumerate())
    deadline = time.monotonic() + 5
    while (stream.stopped == 0 or dog._thread is not None) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stream.stopped == 1 and dog._thread is None


def test_a_stream_the_watchdog_stops_gives_its_slot_and_frame_back_at_once():
    """A vanished tab's stream may never report its end: the slot must not stay taken for its lease (the next
    visitor's Start would be refused as "full"), nor its last frame be kept."""
    slots = LiveSlots(1, lease=60)
    dog = Watchdog(idle=6, first=30, slots=slots)
    holder, stream = LiveHolder("gone", LiveParams(np.eye(3))), FakeStream()
    assert slots.claim("gone", now=0) and slots.claim("other", now=0) is False
    dog.watch(holder, stream.stop, now=0)
    holder.record(frame(), 0.001, now=1)
    assert dog.sweep(now=8) == ["gone"] and stream.stopped == 1  # its end callback never came
    assert slots.in_use(now=8) == 0 and slots.claim("other", now=8) and holder.latest() is None


def test_a_stream_that_cannot_be_stopped_does_not_stop_the_watchdog():
    dog = Watchdog(idle=1, first=1)

    def broken() -> None:
        raise RuntimeError("already closed")

    ok = FakeStream()
    dog.watch(LiveHolder("a", LiveParams(np.eye(3))), broken, now=0)
    dog.watch(LiveHolder("b", LiveParams(np.eye(3))), ok.stop, now=0)
    assert sorted(dog.sweep(now=2)) == ["a", "b"] and ok.stopped == 1


# ---- hosting ----

TURN = {"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "p"}
STUN = {"urls": "stun:stun.example.org:3478"}


def test_nothing_configured_means_no_ice_servers():
    assert ice_servers_from(None, None) == ([], [])
    assert ice_servers_from(None, "  ") == ([], [])


def test_ice_servers_from_secrets_win_over_the_environment():
    servers, problems = ice_servers_from([STUN, TURN], json.dumps([{"urls": "stun:other.example:1"}]))
    assert servers == [{"urls": ["stun:stun.example.org:3478"]}, TURN] and problems == []
    assert has_turn(servers) and not has_turn(servers[:1])


def test_ice_servers_from_the_environment():
    servers, problems = ice_servers_from(None, json.dumps([TURN]))
    assert servers == [TURN] and problems == []
    one, _ = ice_servers_from(None, json.dumps(TURN))  # a single server, not in a list
    assert one == [TURN]
    turns, _ = ice_servers_from(None, json.dumps([{**TURN, "urls": "turns:t.example:5349?transport=tcp"}]))
    assert has_turn(turns)


SECRET = "hunter2-secret"
HOSTILE = [
    "not json",
    "[" * 5000 + "]" * 5000,  # deeply nested
    "x" * 9000,  # too long
    "42",
    '"stun:a.example"',
    "null",
    json.dumps([{"urls": "http://evil.example/"}]),
    json.dumps([{"urls": "javascript:alert(1)"}]),
    json.dumps([{"urls": ["stun:a.example"] * 9}]),
    json.dumps([{"urls": "stun:" + "a" * 600}]),
    json.dumps([{"urls": "stun:a.example b"}]),
    json.dumps([{"urls": []}]),
    json.dumps([{"urls": 5}]),
    json.dumps([{"urls": {"a": 1}}]),
    json.dumps([{"url": "stun:a.example"}]),
    json.dumps([["stun:a.example"]]),
    json.dumps([{"urls": "turn:t.example", "username": "u"}]),  # TURN without a credential
    json.dumps([{"urls": "turn:t.example", "username": 7, "credential": SECRET}]),
    json.dumps([{"urls": "turn:t.example", "username": "u", "credential": SECRET * 100}]),
    json.dumps([{"urls": "stun:a.example", "credential": ""}]),
    json.dumps([STUN] * 9),
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_ice_settings_are_ignored_with_a_message_that_leaks_nothing(text):
    servers, problems = ice_servers_from(None, text)
    assert servers == [] and problems
    for p in problems:
        said = message(p)
        assert "IMGKERNEL_ICE_SERVERS" in said and SECRET not in said and "evil" not in said and len(said) < 300


def test_a_bad_entry_is_dropped_and_the_good_ones_kept():
    servers, problems = ice_servers_from([STUN, {"urls": "turn:t.example"}, TURN, "stun:x"], None)
    assert servers == [{"urls": [STUN["urls"]]}, TURN]
    assert [message(p) for p in problems] == [
        "ice_servers: ICE server 2: a TURN server needs a `username` and a `credential`.",
        "ice_servers: ICE server 4 is not a table of `urls`, `username` and `credential`.",
    ]


@pytest.mark.parametrize("secret", [5, "turn:t.example", {"urls": 3}, [None], {"urls": "stun:a", "username": b"x"}])
def test_hostile_secrets_are_ignored_with_a_message(secret):
    servers, problems = ice_servers_from(secret, None)
    assert servers == [] and problems and all("ice_servers" in message(p) for p in problems)


@pytest.mark.parametrize(
    ("url", "host", "local"),
    [
        ("http://localhost:8501/", None, True),
        ("http://127.0.0.1:8501/playground", None, True),
        ("http://127.8.9.1/", None, True),
        ("http://[::1]:8501/", None, True),
        ("http://app.localhost/", None, True),
        (None, "localhost:8501", True),
        (None, "127.0.0.1", True),
        ("https://imgkernel.streamlit.app/", None, False),
        ("http://192.168.1.20:8501/", None, False),
        ("http://localhost.evil.example/", None, False),
        (None, "example.org:443", False),
        ("http://[::1", "localhost", True),  # a broken URL: the Host header decides
    ],
)
def test_where_the_page_is(url, host, local):
    assert page_address(url, host).local is local


def test_no_address_known_blocks_nothing():
    assert page_address(None, None) == PageAddress("", "")
    assert live_blocker(PageAddress("", ""), []) is None


def test_off_localhost_the_live_camera_needs_https_and_a_turn_server():
    assert live_blocker(page_address("http://localhost:8501/"), []) is None
    assert "HTTPS" in live_blocker(page_address("http://192.168.1.20:8501/"), [TURN])
    no_turn = live_blocker(page_address("https://imgkernel.streamlit.app/"), [STUN])
    assert no_turn is not None and "TURN" in no_turn
    assert live_blocker(page_address("https://imgkernel.streamlit.app/"), [STUN, TURN]) is None


# ---- the view in the playground's state ----


def test_the_live_view_is_part_of_the_view_and_survives_reset():
    from app.state import initial, make_photo, reset, set_view

    photo = make_photo("p", imgkernel.LoadedImage(frame(), None, "RAW", "RGB"))
    state = initial(photo, "p")
    assert not state.view.live
    opened = set_view(state, live=True)
    assert opened.view.live and opened.kernel is state.kernel
    assert set_view(opened, live="yes").view.live  # not a bool: ignored, the view stays as it was
    assert reset(opened).view.live  # Reset puts the kernel back, not the camera away
    assert not set_view(opened, live=False).view.live
