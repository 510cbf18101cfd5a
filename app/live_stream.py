"""The live camera's frame callback: the one place that handles video frames (PyAV). Imported only when a visitor
opens the live view, with streamlit-webrtc, aiortc and av (``app.panels.live``): the playground's first visit
does not load them.

streamlit-webrtc runs the callback on its own thread per stream (``async_processing=True``). Frames that arrived
while the previous one was being filtered wait in its queue, and it hands the callback only the newest of them
(``AsyncMediaProcessTrack._worker_thread`` with ``CallbackAttachableProcessor.recv_queued``, 0.79): a slow
kernel drops frames, it never builds a lag. Meanwhile the browser gets the last filtered frame again.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import av
import numpy as np

import imgkernel

from .live import LiveHolder, LiveSlots, capped_size, filter_frame, stream_ended


def frame_callback(holder: LiveHolder, slots: LiveSlots) -> Callable[[av.VideoFrame], av.VideoFrame]:
    """The function streamlit-webrtc calls with each (newest) camera frame: capped to 640 x 480, mirrored if asked,
    filtered with the parameters the page last put in ``holder``, and returned as the split view. Each frame
    renews the stream's admission slot (the page's run took it at Start) and is kept as the newest for *Snapshot*;
    a frame that comes when the stream holds no slot (it has ended, or its page has not run yet) does neither.
    No Streamlit in here: this runs outside any script run."""

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        held = slots.renew(holder.owner)
        width, height = capped_size(frame.width, frame.height)
        rgb: np.ndarray = frame.to_ndarray(format="rgb24", width=width, height=height)  # swscale, when bigger
        params = holder.params()
        if params.mirror:
            rgb = np.ascontiguousarray(rgb[:, ::-1])
        start = time.perf_counter()
        failed: imgkernel.KernelError | None = None
        try:
            out = filter_frame(rgb, params)
        except imgkernel.KernelError as exc:  # e.g. ``valid`` with a kernel larger than the frame: show the frame
            out, failed = rgb, exc
        if held:
            holder.record(rgb, time.perf_counter() - start, failed)
        return av.VideoFrame.from_ndarray(out, format="rgb24")

    return callback


def ended_callback(holder: LiveHolder, slots: LiveSlots) -> Callable[[], None]:
    """Called by streamlit-webrtc when the stream's input ends (Stop, the tab closed, the connection lost, the
    visitor left the page): the slot is given back and the newest frame forgotten (``stream_ended``)."""
    return functools.partial(stream_ended, holder, slots)
