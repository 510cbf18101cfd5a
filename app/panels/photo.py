"""The sidebar's photo box: a sample, an upload, the camera or the live camera (``live``); the photo in use is named
under it."""

from __future__ import annotations

import streamlit as st

import imgkernel
from imgkernel.formats.images import EXTENSIONS

from .. import cache, i18n, session, wording
from ..i18n import _
from ..later import Later
from ..limits import UPLOAD_LIMIT_MB
from ..state import PlaygroundState, choose_sample, photo_removed, refuse_photo, set_view, use_photo
from . import live


def _choose_sample(state: PlaygroundState, name: str) -> PlaygroundState:
    return choose_sample(state, cache.sample_photo(name))


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
    sb = st.sidebar
    sb.header(_("Photo"))
    sb.selectbox(
        _("Sample photo"),
        list(cache.SAMPLES),
        format_func=wording.photo_name,
        **session.control(state, "sample", "pg_sample", state.sample, _choose_sample, choices=cache.SAMPLES),
    )
    sb.file_uploader(
        _("…or drop your own (up to {limit} MB)", limit=UPLOAD_LIMIT_MB),
        type=list(EXTENSIONS),
        key="pg_upload",
        max_upload_size=UPLOAD_LIMIT_MB,
        on_change=_on_file,
        args=("pg_upload", "Upload"),
    )
    camera = sb.toggle(
        _("Use the camera"),
        help=_("The browser asks for the camera only when this is on."),
        **session.control(state, "view", "pg_camera_on", state.view.camera, set_view, field="camera"),
    )
    if live.live_toggle(state) and (why := live.refusal()) is not None:
        sb.info(why)
        camera = True  # the snapshot camera instead of the live one
    if camera:
        sb.camera_input(_("Take a photo"), key="pg_camera", on_change=_on_file, args=("pg_camera", "Camera"))
    if "photo" in state.problems:
        sb.error(i18n.message(state.problems["photo"]))
    photo = state.photo
    sb.markdown(_("In use: **{photo}** · {size}", photo=wording.photo_name(photo.name), size=wording.size(*photo.size)))
