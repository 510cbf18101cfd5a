"""The live camera: the playground's kernel on moving video, in place of the pictures while it is on.

The sidebar's *Live camera* toggle (beside *Use the camera*) opens the view; the camera starts only when the
visitor presses Start in it. Each camera frame goes through ``imgkernel.run_filter`` with the kernel and settings
in use (``app.live.filter_frame``) and comes back as one picture: the original on the left, the filtered frame on
the right, split by a thin line (one 640 x 480 video to encode, not two side by side). A kernel, slider or option
changed meanwhile reaches the next frame through ``LiveHolder``, which every run of this view updates: the stream
never restarts.

streamlit-webrtc, aiortc and av load only here, when the view opens (``_streamer``): a first visit stays as light
as before. A process-wide counter (``app.live.shared_slots``, ``IMGKERNEL_MAX_LIVE``) admits a few streams at once;
past it, or where live video cannot work (no TURN server off localhost, no HTTPS), the visitor reads why and gets
the snapshot camera instead (``photo.photo_box``).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import TYPE_CHECKING, Any

import streamlit as st

from .. import cache, controls, i18n, live, session
from ..i18n import _
from ..later import Later
from ..state import PlaygroundState, set_view, use_photo
from .pictures import title

if TYPE_CHECKING:  # the video libraries load only when the view opens
    from streamlit_webrtc.config import Translations

STREAM_KEY = "pg_live_stream"  # streamlit-webrtc's context (and its component's key)
HOLDER_KEY = "pg_live_holder"
SPLIT_KEY, MIRROR_KEY, SNAPSHOT_KEY = "pg_live_split", "pg_live_mirror", "pg_live_snapshot"
SNAPPED_KEY = "pg_live_snapped"  # the name of the last snapshot taken in this session
CONSTRAINTS: dict[str, Any] = {
    "video": {
        "width": {"ideal": live.MAX_WIDTH},
        "height": {"ideal": live.MAX_HEIGHT},
        "frameRate": {"ideal": live.TARGET_FPS},
    },
    "audio": False,
}


# ---- may this visitor stream? ----


def _secret() -> object:
    """The ``ice_servers`` secret, or None when there is no secrets file or no such key."""
    try:
        if not st.secrets.load_if_toml_exists():
            return None
        return st.secrets.get("ice_servers")
    except Exception:  # a secrets file Streamlit cannot read: as if there were none (Streamlit logs why)
        return None


def ice_servers() -> tuple[list[dict[str, Any]], list[Later]]:
    """The deployment's ICE servers (secrets, else ``IMGKERNEL_ICE_SERVERS``, else none) and why any were ignored."""
    return live.ice_servers_from(_secret(), os.environ.get(live.ICE_ENV))


def _address() -> live.PageAddress:
    try:
        return live.page_address(st.context.url, st.context.headers.get("host"))
    except Exception:  # outside a browser session (AppTest): nothing known, nothing blocked
        return live.PageAddress("", "")


def _streaming() -> bool:
    """This session's stream is running or being set up (the visitor pressed Start)."""
    ctx = st.session_state.get(STREAM_KEY)
    state = getattr(ctx, "state", None)
    return bool(getattr(state, "playing", False) or getattr(state, "signalling", False))


def _owner() -> str:
    """This session's name in the admission counter."""
    holder = st.session_state.get(HOLDER_KEY)
    if isinstance(holder, live.LiveHolder):
        return holder.owner
    owner = st.session_state.get("pg_live_owner")
    if not isinstance(owner, str):
        owner = st.session_state["pg_live_owner"] = uuid.uuid4().hex
    return owner


def refusal() -> str | None:
    """Why this visitor cannot have the live camera now, in their language; None when they can. A running stream
    renews its slot here; a view not started only checks that one is free (Start takes it)."""
    slots = live.shared_slots()
    if slots.limit == 0:
        return _("The live camera is turned off on this server. The snapshot camera works.")
    why = live.live_blocker(_address(), ice_servers()[0])
    if why is not None:
        return i18n.message(why) + " " + _("The snapshot camera works meanwhile.")
    owner = _owner()
    if slots.claim(owner) if _streaming() else slots.has_room(owner):
        return None
    return _(
        "The live camera is full: {used} of {limit} live streams are in use on this server. The snapshot camera "
        "works meanwhile; try the live camera again in a minute.",
        used=slots.in_use(),
        limit=slots.limit,
    )


def close() -> None:
    """The visitor left the view (or it is closed): stop the stream now, give its slot back, forget its frame."""
    holder = st.session_state.pop(HOLDER_KEY, None)
    # streamlit-webrtc's context stays where it is: its component's callback reads it when the browser reports the
    # stream's end, which may come after this run (a KeyError there was an uncaught error on the page). The stream
    # is stopped here and marked stopped, so this session no longer counts as streaming (``_streaming``).
    ctx: Any = st.session_state.get(STREAM_KEY)
    if hasattr(ctx, "_get_worker"):  # streamlit-webrtc 0.79's context
        from streamlit_webrtc.component import WebRtcStreamerState

        worker = ctx._get_worker()
        if worker is not None:
            worker.stop()
        ctx._set_worker(None)
        ctx._set_state(WebRtcStreamerState(playing=False, signalling=False))
    if isinstance(holder, live.LiveHolder):
        live.stream_ended(holder, live.shared_slots())


# ---- the view ----


def _holder(params: live.LiveParams) -> live.LiveHolder:
    holder = st.session_state.get(HOLDER_KEY)
    if not isinstance(holder, live.LiveHolder):
        holder = st.session_state[HOLDER_KEY] = live.LiveHolder(_owner(), params)
    holder.set_params(params)
    return holder


def _translations() -> Translations:
    """streamlit-webrtc's own words, in the visitor's language."""
    return {
        "start": _("Start"),
        "stop": _("Stop"),
        "select_device": _("Select camera"),
        "select_camera": _("Select camera"),
        "turn_camera_on": _("Turn the camera on"),
        "turn_camera_off": _("Turn the camera off"),
        "media_api_not_available": _("This browser gives this page no camera (it needs HTTPS or localhost)."),
        "device_ask_permission": _("Allow this page to use your camera."),
        "device_not_available": _("No camera was found."),
        "device_access_denied": _("The camera is blocked: allow it in the browser's site settings, then press Start."),
    }


def _streamer(holder: live.LiveHolder, servers: list[dict[str, Any]]) -> Any:
    """streamlit-webrtc's component, sending frames to ``app.live_stream.frame_callback``: imported here, only
    once a visitor opens the view."""
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    from .. import live_stream

    slots = live.shared_slots()
    return webrtc_streamer(
        key=STREAM_KEY,
        mode=WebRtcMode.SENDRECV,
        rtc_configuration={"iceServers": servers},  # never None: streamlit-webrtc would ask Google's STUN server
        media_stream_constraints=CONSTRAINTS,
        video_frame_callback=live_stream.frame_callback(holder, slots),
        on_video_ended=live_stream.ended_callback(holder, slots),
        async_processing=True,
        translations=_translations(),
        video_html_attrs={"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}},
        media_toggle_controls=False,  # Start and Stop only: a camera paused in the browser would look like a closed tab
    )


def _stats_line(stats: live.LiveStats, limit: int) -> str:
    size = f"{stats.size[0]} × {stats.size[1]} px" if stats.size else "—"
    return _(
        "{fps} frames/s filtered · {ms} ms per frame · {size} · live streams on this server: {used} of {limit}",
        fps=f"{stats.fps:.1f}",
        ms=f"{stats.filter_ms:.1f}",
        size=size,
        used=live.shared_slots().in_use(),
        limit=limit,
    )


def _stats(holder: live.LiveHolder, playing: bool) -> None:
    """The frame rate and the filter's time, read from the holder every second while the stream plays."""

    @st.fragment(run_every=1.0 if playing else None)
    def stats() -> None:
        s = holder.stats()
        if playing:
            st.caption(_stats_line(s, live.shared_slots().limit))
        else:
            st.caption(_("Press Start: the browser then asks for your camera."))
        if s.failed is not None:
            st.warning(i18n.message(s.failed) + " " + _("The frames are shown unfiltered."))

    stats()


def _snapshot(holder: live.LiveHolder) -> None:
    """The newest frame becomes the playground's photo, as an upload does (``use_photo``)."""
    frame = holder.latest()
    if frame is None:
        st.warning(_("No frame yet: press Start and wait for the video."))
        return
    name = _("Live snapshot {time}", time=dt.datetime.now().strftime("%H:%M:%S"))
    session.apply(use_photo, cache.photo_from_frame(name, frame))
    st.session_state[SNAPPED_KEY] = name
    st.rerun()  # the whole page: the sidebar names the new photo


def live_view(state: PlaygroundState) -> bool:
    """Draw the live view in the pictures' place; False (nothing drawn) when this visitor cannot have it (the
    sidebar says why and offers the snapshot camera)."""
    why = refusal()
    if why is not None:
        if _streaming():
            close()  # a slot lost while streaming (or the settings changed): stop it now, not at the lease's end
            st.rerun()
        return False
    servers, problems = ice_servers()
    for problem in problems:
        st.warning(i18n.message(problem))
    # Split and mirror live in the state object, not in their widgets' keys: Streamlit drops a keyed widget's value
    # in any run that does not draw it (one that refuses the view, say), and the next drawing may then show the
    # widget's default: an unmirrored camera.
    params = live.LiveParams(
        state.matrix, state.settings, state.view.mode, state.view.live_split / 100, state.view.live_mirror
    )
    holder = _holder(params)
    video, side = st.columns([3, 1], gap="medium")
    with video, st.container(key="pg-live"):
        ctx = _streamer(holder, servers)
        words = _("Your camera, live: as it is left of the line, through {kernel} right of it.", kernel=title(state))
        st.caption(words)  # what the video shows, in words (streamlit-webrtc's video takes no label)
    worker = ctx._get_worker()  # streamlit-webrtc 0.79's running stream, if any
    if worker is not None:
        live.shared_watchdog().watch(holder, worker.stop)  # a closed tab stops it in seconds, not at ICE's 30 s
    playing = bool(ctx.state.playing)
    with side:
        st.slider(
            _("Original on the left"),
            0,
            100,
            step=5,
            format="%d%%",
            help=_("How much of the width shows the camera as it is; the rest shows it filtered. 0%: all filtered."),
            **session.control(state, "view", SPLIT_KEY, state.view.live_split, set_view, field="live_split"),
        )
        st.toggle(
            _("Mirror"),
            help=_("Show the camera as a mirror does, before filtering."),
            **session.control(state, "view", MIRROR_KEY, state.view.live_mirror, set_view, field="live_mirror"),
        )
        if st.button(
            _("Snapshot"),
            key=SNAPSHOT_KEY,
            disabled=not playing,
            help=_("Make the current frame the playground's photo."),
        ):
            _snapshot(holder)
        snapped = st.session_state.get(SNAPPED_KEY)
        if snapped and state.photo.name == snapped:
            st.caption(_("**{name}** is the photo now: turn the live camera off to see it filtered.", name=snapped))
        _stats(holder, playing)
    st.caption(
        _(
            "The camera starts only when you press Start, and stops with Stop or when you leave this view. Frames "
            "are filtered in memory and never stored, logged or cached; only the newest is kept, in memory, for "
            "Snapshot, while the camera is on."
        )
    )
    return True


def live_switch(state: PlaygroundState) -> controls.Item:
    """The sidebar's *Live camera* switch, beside *Use the camera* (drawn by ``photo.photo_box``)."""
    return controls.switch(
        "live",
        _("Live camera"),
        state.view.live,
        help=_(
            "Your camera's video through the kernel, live. The browser asks for the camera only when you press Start."
        ),
    )


def live_opened(state: PlaygroundState) -> bool:
    """Whether the live view is open; closing it (the switch turned off) stops this session's stream."""
    if not state.view.live and HOLDER_KEY in st.session_state:  # the view was open in this session's last run
        close()
    return state.view.live
