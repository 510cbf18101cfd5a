"""An in-process aiortc loopback for the live camera: an aiortc peer plays a test pattern to streamlit-webrtc's
server-side worker running the app's frame callback, and receives the filtered video back, with real VP8 encoding,
decoding, ICE, DTLS and SRTP on both sides; no browser and no Streamlit script run.

It uses streamlit-webrtc's ``WebRtcWorker`` with an injected event loop and relay (0.79's hook for tests;
requirements.txt pins 0.79.x): what the component does after the browser's offer, and ``worker.stop()`` is what it
does on Stop, on a closed session and when the visitor leaves the page.
"""

from __future__ import annotations

import asyncio
import fractions
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import av
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from streamlit_webrtc.webrtc import WebRtcMode, WebRtcWorker

FPS = 15


class PatternTrack(MediaStreamTrack):
    """A camera that shows ``frames`` in turn at ``FPS`` frames per second."""

    kind = "video"

    def __init__(self, frames: list[np.ndarray]) -> None:
        super().__init__()
        self.frames = frames
        self.frozen = False  # set: no more frames, and no word to the other side (a tab gone without a goodbye)
        self._n = 0
        self._start: float | None = None

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        while self.frozen:
            await asyncio.sleep(0.05)
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self._n / FPS - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        frame = av.VideoFrame.from_ndarray(self.frames[self._n % len(self.frames)], format="rgb24")
        frame.pts = self._n * 90_000 // FPS
        frame.time_base = fractions.Fraction(1, 90_000)
        self._n += 1
        return frame


class Loop:
    """An asyncio loop on its own thread (as Streamlit's server runs streamlit-webrtc's)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="loopback-loop", daemon=True)
        self._thread.start()
        self.relay: MediaRelay = self.run(self._relay())

    @staticmethod
    async def _relay() -> MediaRelay:
        return MediaRelay()

    def run(self, coro: Any, timeout: float = 20) -> Any:
        fut: Future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return fut.result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


class Stream:
    """One visitor's stream: the visitor's peer (``pc``) and the server's worker, connected; ``frames`` holds the
    video the visitor receives (as (time.monotonic(), RGB array) pairs, the newest last)."""

    def __init__(
        self,
        loop: Loop,
        frames: list[np.ndarray],
        callback: Callable[[av.VideoFrame], av.VideoFrame],
        ended: Callable[[], None] | None = None,
    ) -> None:
        self.loop = loop
        self.received: list[tuple[float, np.ndarray]] = []
        self.worker = WebRtcWorker(
            mode=WebRtcMode.SENDRECV,
            rtc_configuration=RTCConfiguration(iceServers=[]),
            source_video_track=None,
            source_audio_track=None,
            sink_video_track=None,
            sink_audio_track=None,
            player_factory=None,
            in_recorder_factory=None,
            out_recorder_factory=None,
            video_frame_callback=callback,
            audio_frame_callback=None,
            queued_video_frames_callback=None,
            queued_audio_frames_callback=None,
            on_video_ended=ended,
            on_audio_ended=None,
            video_processor_factory=None,
            audio_processor_factory=None,
            async_processing=True,
            video_receiver_size=4,
            audio_receiver_size=4,
            sendback_video=True,
            sendback_audio=False,
            loop=loop.loop,
            relay=loop.relay,
        )
        self.pc: RTCPeerConnection = loop.run(self._offer(frames))
        answer = self.worker.process_offer(self.pc.localDescription.sdp, self.pc.localDescription.type, timeout=15)
        loop.run(self.pc.setRemoteDescription(RTCSessionDescription(answer.sdp, answer.type)))

    async def _offer(self, frames: list[np.ndarray]) -> RTCPeerConnection:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.camera = PatternTrack(frames)
        pc.addTrack(self.camera)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            asyncio.ensure_future(self._receive(track))

        await pc.setLocalDescription(await pc.createOffer())
        return pc

    async def _receive(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.received.append((time.monotonic(), frame.to_ndarray(format="rgb24")))
            del self.received[:-4]

    def wait_for_frames(self, n: int = 1, timeout: float = 15, since: float | None = None) -> np.ndarray:
        """The newest received frame once ``n`` frames came after ``since`` (time.monotonic)."""
        since = time.monotonic() if since is None else since
        deadline = time.monotonic() + timeout
        count = 0
        seen: float | None = None
        while time.monotonic() < deadline:
            if self.received and self.received[-1][0] > since and self.received[-1][0] != seen:
                seen = self.received[-1][0]
                count += 1
                if count >= n:
                    return self.received[-1][1]
            time.sleep(0.01)
        raise AssertionError(f"{count} of {n} frames came back within {timeout} s")

    def close(self, server_first: bool = True) -> None:
        """End the stream as the app does: the server's worker stops (Stop, the view left, the watchdog), and the
        visitor's peer closes (the tab)."""
        if server_first:
            self.worker.stop(timeout=5)
            self.loop.run(self.pc.close())
        else:
            self.loop.run(self.pc.close())
            self.worker.stop(timeout=5)


def threads_and_rss() -> tuple[int, float]:
    """This process's native threads and resident memory in MB (from /proc/self/status)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["Threads"]), int(fields["VmRSS"].split()[0]) / 1024
