"""The live camera on the playground page, driven in-process with AppTest: the view opens in the pictures' place and
closes, the kernel and options in use reach the frame thread, Snapshot makes the frame the photo, and a visitor
who cannot stream (the limit, the operator, no TURN off localhost) reads why and gets the snapshot camera. The video
itself needs a browser (tests/browser/test_live.py) or an aiortc peer (tests/test_live_loopback.py).

streamlit-webrtc asks Streamlit's runtime for the session's run count, which AppTest's stand-in runtime lacks: the
tests make it answer "unknown", as it does outside a server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import imgkernel
from app import live
from app.panels import live as live_panel
from tests.apptest import ROOT, control_texts, ok, pick, result_captions, start, state, widget

pytest.importorskip("streamlit_webrtc")
STREAMER = "pg_live_stream"
TURN = [{"urls": "turn:turn.example.org:3478", "username": "u", "credential": "p"}]


@pytest.fixture(autouse=True)
def fresh_server(monkeypatch):
    """A fresh admission counter (the process's is shared by every test) and streamlit-webrtc outside a server."""
    import streamlit_webrtc.component

    monkeypatch.setattr(streamlit_webrtc.component, "get_this_session_info", lambda: None)
    monkeypatch.delenv(live.MAX_LIVE_ENV, raising=False)
    monkeypatch.delenv(live.ICE_ENV, raising=False)
    live.shared_slots.cache_clear()
    yield
    live.shared_slots.cache_clear()


def streamers(at) -> list:
    return [e for e in at.get("component_instance") if (e.key or "").startswith(STREAMER)]


def open_live(at=None):
    at = at or ok(start())
    pick(at, "pg_cameras", "live", True)
    return ok(at)


FIRST_VISIT = """
import sys
from tests.apptest import ok, pick, start, widget
VIDEO = ("streamlit_webrtc", "aiortc", "av")
at = ok(start())
assert not [m for m in VIDEO if m in sys.modules], [m for m in VIDEO if m in sys.modules]
import streamlit_webrtc.component  # the live view would import it now; patched as in the fixture above
streamlit_webrtc.component.get_this_session_info = lambda: None
pick(at, "pg_cameras", "live", True)
ok(at)
assert all(m in sys.modules for m in VIDEO)
print("ok")
"""


def test_the_first_visit_does_not_load_the_video_libraries():
    """streamlit-webrtc, aiortc and av (~30 MB and ~0.4 s to import) load when the live view opens, not before. In
    a fresh interpreter: this one may have imported them for other tests."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", FIRST_VISIT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-2000:]


def test_the_live_view_opens_in_the_pictures_place_and_closes():
    at = ok(start())
    assert not streamers(at) and result_captions(at)
    open_live(at)
    assert len(streamers(at)) == 1 and not result_captions(at)  # the video instead of the two pictures
    assert state(at).view.live and not at.camera_input
    assert any("press Start" in c.value for c in at.caption)  # the camera waits for the visitor's Start
    assert any("never stored, logged or cached" in c.value for c in at.caption)
    holder = at.session_state[live_panel.HOLDER_KEY]
    pick(at, "pg_cameras", "live", False)
    assert not streamers(ok(at)) and result_captions(at)
    assert live_panel.HOLDER_KEY not in at.session_state
    # streamlit-webrtc's context stays for its component's last callback, marked stopped
    stream = at.session_state[live_panel.STREAM_KEY]
    assert stream._get_worker() is None and not stream.state.playing and not stream.state.signalling
    assert live.shared_slots().has_room(holder.owner) and holder.latest() is None


def test_the_kernel_and_options_in_use_reach_the_frame_thread():
    at = open_live()
    holder: live.LiveHolder = at.session_state[live_panel.HOLDER_KEY]
    np.testing.assert_array_equal(holder.params().matrix, state(at).matrix)
    pick(at, "pg_kernel", "kernel", "sobel_left")
    np.testing.assert_array_equal(holder.params().matrix, imgkernel.get("sobel_left").matrix())
    widget(at, "toggle", "pg_gray").set_value(True).run()
    assert holder.params().settings == state(ok(at)).settings and holder.params().settings.gray
    widget(at, "radio", "pg_view").set_value("signed").run()
    assert holder.params().view == "signed"
    at.slider(key=live_panel.SPLIT_KEY).set_value(30).run()
    at.toggle(key=live_panel.MIRROR_KEY).set_value(False).run()
    p = holder.params()
    assert p.split == pytest.approx(0.3) and p.mirror is False
    assert at.session_state[live_panel.HOLDER_KEY] is holder and len(streamers(ok(at))) == 1  # the same stream


def test_snapshot_makes_the_current_frame_the_photo():
    from streamlit_webrtc.component import WebRtcStreamerState

    at = open_live()
    assert at.button(key=live_panel.SNAPSHOT_KEY).disabled  # nothing to take before Start
    at.session_state[live_panel.STREAM_KEY]._set_state(WebRtcStreamerState(playing=True, signalling=False))
    frame = np.random.default_rng(7).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    at.run()
    at.session_state[live_panel.HOLDER_KEY].record(frame, 0.001)
    at.button(key=live_panel.SNAPSHOT_KEY).click().run()
    photo = state(ok(at)).photo
    assert photo.name.startswith("Live snapshot") and photo.size == (64, 48)
    np.testing.assert_array_equal(photo.pixels, frame)
    assert not photo.pixels.flags.writeable
    assert control_texts(at, "pg_photo")[0] == f"In use: **{photo.name}** · 64 × 48 px"
    assert any("is the photo now" in c.value for c in at.caption)


def test_past_the_limit_a_visitor_reads_why_and_gets_the_snapshot_camera(monkeypatch):
    monkeypatch.setenv(live.MAX_LIVE_ENV, "1")
    live.shared_slots.cache_clear()
    at = open_live()
    at.slider(key=live_panel.SPLIT_KEY).set_value(30).run()
    at.toggle(key=live_panel.MIRROR_KEY).set_value(False).run()
    assert live.shared_slots().claim("another visitor's stream")
    at.run()
    assert not streamers(at) and result_captions(at)  # the pictures stay
    (info,) = [i.value for i in at.sidebar.info]
    assert "The live camera is full" in info and "1 of 1 live streams" in info and "snapshot camera" in info
    assert at.camera_input(key="pg_camera") is not None
    live.shared_slots().release("another visitor's stream")  # the other stream ends
    at.run()
    assert len(streamers(ok(at))) == 1 and not at.sidebar.info
    # the split and the mirror chosen before came back with the view (a run without them drops their widgets' keys)
    p = at.session_state[live_panel.HOLDER_KEY].params()
    assert (p.split, p.mirror) == (pytest.approx(0.3), False)
    assert at.slider(key=live_panel.SPLIT_KEY).value == 30 and at.toggle(key=live_panel.MIRROR_KEY).value is False


def test_the_operator_can_turn_the_live_camera_off(monkeypatch):
    monkeypatch.setenv(live.MAX_LIVE_ENV, "0")
    live.shared_slots.cache_clear()
    at = open_live()
    assert not streamers(at) and "turned off on this server" in at.sidebar.info[0].value and at.camera_input


def test_off_localhost_without_a_turn_server_the_visitor_is_told_plainly(monkeypatch):
    monkeypatch.setattr(live_panel, "_address", lambda: live.PageAddress("https", "imgkernel.example.org"))
    at = open_live()
    assert not streamers(at) and at.camera_input
    assert "needs a TURN server" in at.sidebar.info[0].value
    monkeypatch.setenv(live.ICE_ENV, json.dumps(TURN))
    at.run()
    assert len(streamers(ok(at))) == 1 and not at.sidebar.info


def test_hostile_ice_settings_are_ignored_with_a_warning(monkeypatch):
    monkeypatch.setenv(live.ICE_ENV, '[{"urls": "javascript:alert(1)"}, {"urls": "stun:ok.example:3478"}]')
    at = open_live()
    assert len(streamers(at)) == 1
    (warning,) = [w.value for w in at.warning]
    assert "IMGKERNEL_ICE_SERVERS" in warning and "ICE server 1" in warning and "javascript" not in warning
