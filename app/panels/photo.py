"""The sidebar's photo box: the photo in use, a sample, an upload, the camera or the live camera (``live``)."""

from __future__ import annotations

import streamlit as st

import imgkernel
from imgkernel.formats.images import EXTENSIONS

from .. import cache, controls, i18n, session, wording
from ..i18n import _
from ..later import Later
from ..limits import UPLOAD_LIMIT_MB
from ..state import PlaygroundState, choose_sample, photo_removed, refuse_photo, set_view, use_photo
from . import live


def _picked(name: str, value: str | bool) -> None:
    """A pick in the photo box's controls (``app.controls`` has checked it is one of theirs)."""
    if name == "sample":
        session.apply(choose_sample, cache.sample_photo(str(value)))
    elif name == "camera":
        session.apply(set_view, by="view", camera=value)
    else:
        session.apply(set_view, by="view", live=value)


def _on_file(key: str, source: str) -> None:
    """A file was dropped, replaced or removed. It is decoded here, once, never written to disk."""
    f = st.session_state.get(key)
    if f is None:
        if source == "Upload":  # emptied (or the first half of a replacement): the sample, for now
            session.apply(photo_removed, cache.sample_photo(session.current().sample))
        return  # the camera was cleared: the photo in use stays
    if f.size > UPLOAD_LIMIT_MB * 1024 * 1024:
        why = Later(
            "{name} is over the {mb} MB upload limit. The last good photo stays.", name=f.name, mb=UPLOAD_LIMIT_MB
        )
        session.apply(refuse_photo, why)  # said in the visitor's language where it is shown (i18n.message)
        return
    try:
        photo = cache.photo_from_upload(f.name, f.getvalue())
    except imgkernel.ImageLoadError as exc:
        session.apply(refuse_photo, Later("{name}: {reason} The last good photo stays.", name=f.name, reason=exc))
        return
    session.apply(use_photo, photo)


def photo_box(state: PlaygroundState) -> None:
    """The photo in use, a sample to pick, an upload, the camera switches; native controls (``app.controls``)
    but for the uploader and the snapshot camera."""
    sb = st.sidebar
    photo = state.photo
    in_use = _("In use: **{photo}** · {size}", photo=wording.photo_name(photo.name), size=wording.size(*photo.size))
    samples = [(name, wording.photo_name(name)) for name in cache.SAMPLES]
    with sb:
        controls.panel(
            "pg_photo",
            [
                controls.heading(_("Photo")),
                controls.text(in_use),
                controls.select("sample", _("Sample photo"), samples, state.sample),
            ],
            _picked,
        )
    sb.file_uploader(
        _("…or drop your own (up to {limit} MB)", limit=UPLOAD_LIMIT_MB),
        type=list(EXTENSIONS),
        key="pg_upload",
        max_upload_size=UPLOAD_LIMIT_MB,
        on_change=_on_file,
        args=("pg_upload", "Upload"),
    )
    with sb:
        controls.panel(
            "pg_cameras",
            [
                controls.switch(
                    "camera",
                    _("Use the camera"),
                    state.view.camera,
                    help=_("The browser asks for the camera only when this is on."),
                ),
                live.live_switch(state),
            ],
            _picked,
        )
    camera = state.view.camera
    if live.live_opened(state) and (why := live.refusal()) is not None:
        sb.info(why)
        camera = True  # the snapshot camera instead of the live one
    if camera:
        sb.camera_input(_("Take a photo"), key="pg_camera", on_change=_on_file, args=("pg_camera", "Camera"))
    if "photo" in state.problems:
        sb.error(i18n.message(state.problems["photo"]))
