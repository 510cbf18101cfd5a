"""The live camera's parts that need neither Streamlit nor the video libraries, so they are tested as plain
functions: the frame path (size cap, filter, split view), the holder the page and the frame thread share,
the process-wide admission counter, the watchdog that ends streams whose visitor vanished, and the hosting checks
(ICE servers, localhost, TURN).

The page (``app.panels.live``) draws the view; ``app.live_stream`` turns video frames into arrays and back.
Frames go through ``imgkernel.run_filter`` with the playground's kernel and settings, the code path of the
pictures. Nothing here writes, logs or caches a frame: the holder keeps only the newest one, in memory, for
*Snapshot*, and forgets it when the stream stops.

Capacity figures behind ``DEFAULT_MAX_LIVE`` are in ``docs/deployment.md`` ("Live camera"), from
``bench/live.py``.
"""

from __future__ import annotations

import collections
import functools
import ipaddress
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np

import imgkernel
from imgkernel.pipeline import Settings

from .later import Later

log = logging.getLogger("imgkernel.live")

MAX_WIDTH, MAX_HEIGHT = 640, 480  # frames are filtered (and sent back) at most this size
TARGET_FPS = 15  # asked of the camera; bench/live.py measures the capacity at this rate
# One stream's filter runs on one thread: at 640 x 480 a second one costs more than it saves (Sharpen: 3.6 ms on
# one thread, 5.6 ms on two, 2-core EPYC), and the cores are shared with the stream's codecs and other visitors.
FILTER_THREADS = 1
MAX_LIVE_ENV = "IMGKERNEL_MAX_LIVE"
DEFAULT_MAX_LIVE = 2  # streams at once: one 640 x 480 stream at 15 fps takes 0.35-0.41 of a core (bench/live.py);
# two leave about half of a 2-core server to the class's pictures (docs/deployment.md, "Live camera")
LEASE_S = 10.0  # a slot whose stream sent no frame (and whose page did not run) for this long is free again
IDLE_S = 4.0  # a stream with no frame for this long is stopped (``Watchdog``): its tab was closed
FIRST_FRAME_S = 30.0  # ... or with no first frame this long after Start
ICE_ENV = "IMGKERNEL_ICE_SERVERS"
MAX_ICE_SERVERS = 8
MAX_ICE_TEXT = 8_000  # characters of JSON in the environment variable
MAX_ICE_FIELD = 512  # characters of one URL, user name or credential
_ICE_URL = re.compile(r"(stuns?|turns?):[^\s]+")
DIVIDER_PX = 2  # the line between the original and the filtered part
DIVIDER_RGB = (255, 255, 255)


# ---- sizes and frames ----


def capped_size(width: int, height: int, max_width: int = MAX_WIDTH, max_height: int = MAX_HEIGHT) -> tuple[int, int]:
    """(width, height) scaled down, keeping the aspect ratio, to fit ``max_width`` x ``max_height`` (never up), in
    even numbers when scaled (4:2:0 video). A camera that ignores the 640 x 480 request is filtered at this size.

    >>> capped_size(1280, 720)
    (640, 360)
    >>> capped_size(320, 240)
    (320, 240)
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"not a frame size: {width} x {height}")
    scale = min(1.0, max_width / width, max_height / height)
    if scale == 1.0:
        return width, height
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def fit_to(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """``image`` (H', W') or (H', W', 3) uint8 as an RGB picture of ``height`` x ``width``: a gray result gets
    three channels, a strided or ``valid`` result (smaller) is stretched by repeating pixels, so it lines up with
    the original under it (stride 2 shows its 2 x 2 blocks)."""
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    h, w = image.shape[:2]
    if (h, w) == (height, width):
        return image
    rows = np.minimum(np.arange(height) * h // height, h - 1)
    cols = np.minimum(np.arange(width) * w // width, w - 1)
    return image[rows[:, None], cols[None, :]]


def split_view(original: np.ndarray, filtered: np.ndarray, split: float) -> np.ndarray:
    """One picture: the original's left ``split`` fraction of the width, the filtered rest, a thin line between.

    One 640 x 480 picture is one video encode (side by side would be 1280 x 480: twice the encoder's work and
    bandwidth), and the line lets a moving hand cross from the photo to the filter. ``split`` 0 shows only the
    filtered frame, 1 only the original. Both are (H, W, 3) uint8 of the same size.
    """
    if original.shape != filtered.shape:
        raise ValueError(f"shapes differ: {original.shape} and {filtered.shape}")
    width = original.shape[1]
    x = round(min(1.0, max(0.0, split)) * width)
    if x <= 0:
        return filtered
    if x >= width:
        return original
    out = filtered.copy()
    out[:, :x] = original[:, :x]
    lo, hi = max(0, x - DIVIDER_PX // 2), min(width, x + (DIVIDER_PX + 1) // 2)
    out[:, lo:hi] = DIVIDER_RGB
    return out


@dataclass(frozen=True, eq=False)
class LiveParams:
    """What the frame thread applies: the playground's kernel and settings (as the pictures use them), its view
    mode (``signed`` draws the colour map), and the live view's own split and mirror."""

    matrix: np.ndarray
    settings: Settings = Settings()
    view: str = "clip"
    split: float = 0.5
    mirror: bool = True


def filter_frame(rgb: np.ndarray, params: LiveParams) -> np.ndarray:
    """One camera frame (H, W, 3) uint8 through the kernel, composed as the split view (H, W, 3) uint8.
    Raises ``imgkernel.KernelError`` for settings the frame cannot take (e.g. ``valid`` with a kernel larger
    than the frame)."""
    with imgkernel.threads(FILTER_THREADS):
        result = imgkernel.run_filter(rgb, params.matrix, params.settings)
        shown = imgkernel.signed_colormap(result.values) if params.view == "signed" else result.mapped.image
    return split_view(rgb, fit_to(shown, rgb.shape[0], rgb.shape[1]), params.split)


# ---- what the page and the frame thread share ----


@dataclass(frozen=True)
class LiveStats:
    fps: float  # frames filtered per second over the last ``LiveHolder.WINDOW_S`` seconds
    filter_ms: float  # mean time of one frame's filter and composition over the same frames
    frames: int  # frames filtered since the stream started
    size: tuple[int, int] | None  # (width, height) of the last frame
    failed: imgkernel.KernelError | None  # why the last frame could not be filtered, None when it could


class LiveHolder:
    """The parameters the page sets on every run and the frame thread reads for every frame, the frame thread's
    counters the page reads, and the newest frame for *Snapshot*; every access under one lock.

    The frame thread never touches Streamlit or session state (it runs outside any script run): the page hands
    it this object, as streamlit-webrtc's README shows for passing parameters to a callback.
    """

    WINDOW_S = 2.0

    def __init__(self, owner: str, params: LiveParams) -> None:
        self.owner = owner  # the admission slot's holder (one per session)
        self._lock = threading.Lock()
        self._params = params
        self._latest: np.ndarray | None = None
        self._times: collections.deque[tuple[float, float]] = collections.deque()  # (when, filter seconds)
        self._frames = 0
        self._size: tuple[int, int] | None = None
        self._failed: imgkernel.KernelError | None = None
        self._last: float | None = None  # when the newest frame came (time.monotonic)

    def set_params(self, params: LiveParams) -> None:
        with self._lock:
            self._params = params

    def params(self) -> LiveParams:
        with self._lock:
            return self._params

    def record(
        self, frame: np.ndarray, seconds: float, failed: imgkernel.KernelError | None = None, now: float | None = None
    ) -> None:
        """One frame filtered in ``seconds`` (or refused with ``failed``): counted, and kept as the newest."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._latest = frame
            self._last = now
            self._frames += 1
            self._size = (frame.shape[1], frame.shape[0])
            self._failed = failed
            self._times.append((now, seconds))
            while self._times and self._times[0][0] < now - self.WINDOW_S:
                self._times.popleft()

    def latest(self) -> np.ndarray | None:
        """A copy of the newest camera frame (as shown: capped, mirrored), or None."""
        with self._lock:
            return None if self._latest is None else self._latest.copy()

    def forget(self) -> None:
        """The stream stopped: drop the newest frame and the counters."""
        with self._lock:
            self._latest = None
            self._times.clear()
            self._frames = 0
            self._size = None
            self._failed = None
            self._last = None

    def last_frame(self) -> float | None:
        """When the newest frame came (``time.monotonic``), None before the first."""
        with self._lock:
            return self._last

    def stats(self, now: float | None = None) -> LiveStats:
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = [(t, s) for t, s in self._times if t >= now - self.WINDOW_S]
            fps = 0.0
            if len(recent) >= 2:
                span = max(recent[-1][0] - recent[0][0], 1e-6)
                fps = (len(recent) - 1) / span
            ms = 1000 * sum(s for _, s in recent) / len(recent) if recent else 0.0
            return LiveStats(fps, ms, self._frames, self._size, self._failed)


# ---- admission ----


class LiveSlots:
    """At most ``limit`` live streams at once in this process (thread-safe): each stream costs the server a share
    of a core for as long as it runs (its video decoder, filter and encoder), and past the cores' capacity every
    stream lags and every visitor's page slows down.

    A slot is held by an owner (one per session) from the run that starts its stream (``claim``); it is renewed
    by every page run (``claim``) and every frame (``renew``), and given back when the stream stops or the visitor
    leaves the view (``release``). A slot nobody renewed for ``lease`` seconds is free again: a tab closed without a
    word, or a server-side stream that died, cannot keep it.
    """

    def __init__(self, limit: int, lease: float = LEASE_S) -> None:
        self.limit = limit
        self.lease = lease
        self._held: dict[str, float] = {}  # owner -> when it was last renewed (time.monotonic)
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        for owner, seen in list(self._held.items()):
            if seen < now - self.lease:
                del self._held[owner]

    def has_room(self, owner: str, now: float | None = None) -> bool:
        """Whether ``owner`` holds a slot or could take one now (nothing is taken)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            return owner in self._held or len(self._held) < self.limit

    def claim(self, owner: str, now: float | None = None) -> bool:
        """Take a slot for ``owner``, or renew the one it holds; False when all are taken (by others)."""
        return self._hold(owner, now, take=True)

    def renew(self, owner: str, now: float | None = None) -> bool:
        """Renew ``owner``'s slot if it holds one; False (nothing taken) if not. A frame's renewal: a frame still on
        its way when its stream ended must not take back the slot the stream gave up (the next visitor's Start
        would find the camera full for a lease)."""
        return self._hold(owner, now, take=False)

    def _hold(self, owner: str, now: float | None, take: bool) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            if owner not in self._held and (not take or len(self._held) >= self.limit):
                return False
            self._held[owner] = now
            return True

    def release(self, owner: str) -> None:
        with self._lock:
            self._held.pop(owner, None)

    def in_use(self, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            return len(self._held)


class Watchdog:
    """Stops streams whose frames stopped coming: a closed tab, a lost network, a browser that left the view
    without a word. Left alone, aiortc notices only when ICE consent fails, about 30 s later (aioice: 6 checks
    5 s apart), and the stream's threads (decoder, filter, connection) live until then.

    One thread for the whole process, running only while some stream is watched. ``stop`` is the stream's own
    stop (streamlit-webrtc's worker), called from that thread.
    """

    def __init__(
        self, idle: float = IDLE_S, first: float = FIRST_FRAME_S, poll: float = 1.0, slots: LiveSlots | None = None
    ) -> None:
        self.idle = idle  # seconds without a frame after the first
        self.first = first  # seconds to wait for the first frame (ICE, the camera's permission prompt)
        self.poll = poll
        # where a stopped stream's slot goes back at once: its end callback may never come (a vanished tab), and
        # the slot would otherwise stay taken for its lease, refusing the next visitor's Start
        self.slots = slots
        self._watched: dict[str, tuple[LiveHolder, Callable[[], None], float]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, holder: LiveHolder, stop: Callable[[], None], now: float | None = None) -> None:
        """Watch ``holder``'s stream (stopped with ``stop``); the same stream watched again keeps its start time."""
        now = time.monotonic() if now is None else now
        with self._lock:
            old = self._watched.get(holder.owner)
            since = old[2] if old is not None and old[1] == stop else now
            self._watched[holder.owner] = (holder, stop, since)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="imgkernel-live-watchdog", daemon=True)
                self._thread.start()

    def unwatch(self, owner: str) -> None:
        with self._lock:
            self._watched.pop(owner, None)

    def watching(self) -> int:
        with self._lock:
            return len(self._watched)

    def sweep(self, now: float | None = None) -> list[str]:
        """Stop (and stop watching) every stream idle for too long; returns their owners."""
        now = time.monotonic() if now is None else now
        with self._lock:
            stale = []
            for owner, (holder, stop, since) in list(self._watched.items()):
                last = holder.last_frame()
                if (now - last > self.idle) if last is not None and last >= since else (now - since > self.first):
                    stale.append((owner, holder, stop))
                    del self._watched[owner]
        for owner, holder, stop in stale:
            try:
                stop()
            except Exception:  # logged (no frame in it); the stream is no longer watched either way
                log.exception("could not stop an idle live stream")
            holder.forget()
            if self.slots is not None:
                self.slots.release(owner)
        return [owner for owner, _, _ in stale]

    def _run(self) -> None:
        while True:
            time.sleep(self.poll)
            self.sweep()
            with self._lock:
                if not self._watched:  # nothing left: the thread ends (the next ``watch`` starts another)
                    self._thread = None
                    return


@functools.cache
def shared_watchdog() -> Watchdog:
    return Watchdog(slots=shared_slots())


def stream_ended(holder: LiveHolder, slots: LiveSlots) -> None:
    """A stream ended (its end callback, or the visitor left the view): its slot is free for the next visitor at
    once, the watchdog lets it go, and its newest frame is forgotten."""
    slots.release(holder.owner)
    shared_watchdog().unwatch(holder.owner)
    holder.forget()


def max_live_from(environ: Mapping[str, str]) -> tuple[int, Later | None]:
    """``IMGKERNEL_MAX_LIVE``: streams at once, a whole number >= 0 (0 turns the live camera off), else the
    default, with a message for the operator (a typo in a deployment's settings must not stop the app)."""
    text = environ.get(MAX_LIVE_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_LIVE, None
    if re.fullmatch(r"\+?[0-9]{1,6}", text):
        return int(text), None
    why = Later(
        "{name} must be a whole number of live streams (0 turns the live camera off); the default, {default}, is used.",
        name=MAX_LIVE_ENV,
        default=DEFAULT_MAX_LIVE,
    )
    return DEFAULT_MAX_LIVE, why


@functools.cache
def shared_slots() -> LiveSlots:
    """The one admission counter of this process, shared by every session; a bad ``IMGKERNEL_MAX_LIVE`` is logged
    for the operator."""
    limit, why = max_live_from(os.environ)
    if why is not None:
        log.warning("%s", why)
    return LiveSlots(limit)


# ---- hosting: ICE servers, TURN, localhost ----


def _ice_server(entry: object, n: int) -> tuple[dict[str, Any] | None, Later | None]:
    """One ICE server as WebRTC takes it ({"urls": [...], "username": ..., "credential": ...}), or why not.
    The message names the entry by its number, never its values (they may hold a password)."""
    if not isinstance(entry, Mapping):
        return None, Later("ICE server {n} is not a table of `urls`, `username` and `credential`.", n=n)
    urls = entry.get("urls")
    urls = [urls] if isinstance(urls, str) else urls
    if (
        not isinstance(urls, Sequence)
        or not 1 <= len(urls) <= MAX_ICE_SERVERS
        or not all(isinstance(u, str) and len(u) <= MAX_ICE_FIELD and _ICE_URL.fullmatch(u) for u in urls)
    ):
        why = Later(
            "ICE server {n}: its `urls` must be one to {most} `stun:`, `stuns:`, `turn:` or `turns:` addresses.",
            n=n,
            most=MAX_ICE_SERVERS,
        )
        return None, why
    server: dict[str, Any] = {"urls": list(urls)}
    for key in ("username", "credential"):
        value = entry.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value or len(value) > MAX_ICE_FIELD:
            return None, Later("ICE server {n}: its {field} must be a text of 1 to 512 characters.", n=n, field=key)
        server[key] = value
    if any(u.startswith("turn") for u in server["urls"]) and not ("username" in server and "credential" in server):
        return None, Later("ICE server {n}: a TURN server needs a `username` and a `credential`.", n=n)
    return server, None


def ice_servers_from(secret: object, env_text: str | None) -> tuple[list[dict[str, Any]], list[Later]]:
    """The ICE servers for WebRTC from the ``ice_servers`` secret (preferred when set) or the
    ``IMGKERNEL_ICE_SERVERS`` environment variable (JSON: a list of {"urls", "username", "credential"}),
    and why any of it was ignored. Nothing configured: ``[]`` (localhost needs none; streamlit-webrtc would
    otherwise ask Google's STUN server, which a closed network cannot reach and the connection waits for).
    """
    source: object
    if secret is not None:
        source, where = secret, "ice_servers"
    elif env_text is not None and env_text.strip():
        where = ICE_ENV
        if len(env_text) > MAX_ICE_TEXT:
            return [], [
                Later("{where} is ignored: it is longer than {most} characters.", where=where, most=MAX_ICE_TEXT)
            ]
        try:
            source = json.loads(env_text)
        except (ValueError, RecursionError):
            return [], [Later("{where} is ignored: it is not JSON.", where=where)]
    else:
        return [], []
    if isinstance(source, Mapping):
        source = [source]  # one server given as a single table
    if isinstance(source, str) or not isinstance(source, Sequence):
        return [], [Later("{where} is ignored: it must be a list of ICE servers.", where=where)]
    if len(source) > MAX_ICE_SERVERS:
        return [], [Later("{where} is ignored: it lists more than {most} servers.", where=where, most=MAX_ICE_SERVERS)]
    servers, problems = [], []
    for n, entry in enumerate(source, start=1):
        server, why = _ice_server(entry, n)
        if server is not None:
            servers.append(server)
        if why is not None:
            problems.append(Later("{where}: {why}", where=where, why=why))
    return servers, problems


def has_turn(servers: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a TURN relay is among ``servers`` (what a visitor behind NAT needs to reach a hosted server)."""
    return any(u.startswith(("turn:", "turns:")) for s in servers for u in s.get("urls", ()))


@dataclass(frozen=True)
class PageAddress:
    scheme: str  # "http" or "https" ("" when unknown)
    host: str  # host name or address, without port or brackets ("" when unknown)

    @property
    def local(self) -> bool:
        """The page is on this computer: the browser and the server reach each other without NAT or TURN."""
        host = self.host.lower().rstrip(".")
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


def page_address(url: str | None, host_header: str | None = None) -> PageAddress:
    """Where the visitor's browser shows the page: from its URL (``st.context.url``), else the Host header."""
    for text in (url, f"//{host_header}" if host_header else None):
        if not text:
            continue
        try:
            parts = urlsplit(text)
            host = parts.hostname or ""
        except ValueError:
            continue
        if host:
            return PageAddress(parts.scheme.lower(), host)
    return PageAddress("", "")


def live_blocker(address: PageAddress, servers: Sequence[Mapping[str, Any]]) -> Later | None:
    """Why live video cannot work for this page, in plain words, or None. Said instead of showing a video that
    never starts."""
    if address.local or not address.host:
        return None
    if address.scheme == "http":
        return Later(
            "The live camera needs this page on HTTPS (or on localhost): browsers give a camera to no other page."
        )
    if not has_turn(servers):
        return Later(
            "The live camera needs a TURN server to reach this server from your network, and none is configured. "
            "The server's operator can add one (`docs/deployment.md`, section `Live camera`)."
        )
    return None
