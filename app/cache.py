"""Cached calls into imgkernel: photos, previews, filter results and the encoded pictures the page shows.

Every cache is shared by all sessions and bounded (``max_entries``). Photos are keyed on their digest, never
on the pixel array itself (Streamlit hashes big arrays from a sample); kernels are small and hashed in full.
Each picture is encoded once per thing it depends on: the original per photo (and grayscale), the result per
kernel and settings; the difference, histogram and loupe only when their panel is open.

What every visitor's every rerun reads (the samples, the encoded pictures) is held once for the process
(``st.cache_resource``) and handed out as is: read-only arrays and bytes, never a per-session copy.
``st.cache_data`` would unpickle a fresh copy on every call, for every visitor.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

import imgkernel
from imgkernel.formats.images import SAFE_FORMATS, resize_long_side
from imgkernel.fullres import filtered_png
from imgkernel.limits import MAX_PIXELS
from imgkernel.pipeline import Settings, prepare

from .budget import BIG_DECODE, Ticket, decode_cost, queued_message, shared_budget
from .i18n import _
from .limits import PREVIEW_LONG_SIDE
from .state import Photo, make_photo

ASSETS = Path(__file__).resolve().parents[1] / "assets"
SAMPLES: dict[str, str] = {
    "Chelsea the cat": "chelsea.png",
    "Coffee cup": "coffee.png",
    "Astronaut": "astronaut.png",
    "Camera man (gray)": "camera.png",
    "Brick wall (gray)": "brick.png",
    "Rocket launch": "rocket.jpg",
}
DEFAULT_SAMPLE = "Chelsea the cat"
# Kernels only (small, hashed in full); photos are keyed on their digest instead.
_ARRAYS: dict[str | type[Any], Callable[[Any], Any]] = {np.ndarray: lambda a: (a.shape, a.dtype.str, a.tobytes())}


@st.cache_resource(max_entries=len(SAMPLES), show_spinner=False)  # shared: its arrays are read-only
def _sample_loaded(name: str) -> imgkernel.LoadedImage:
    return imgkernel.load_image(ASSETS / SAMPLES[name])


def sample_photo(name: str = DEFAULT_SAMPLE) -> Photo:
    if name not in SAMPLES:
        name = DEFAULT_SAMPLE
    return make_photo(name, _sample_loaded(name), sample=name)


# A resource cache, not cache_data: cache_data keeps a pickled copy of every entry and hands out unpickled
# copies (+150 MB each for a 50 MP photo); the arrays are read-only, so every session can share one.
@st.cache_resource(max_entries=4, show_spinner=False)
def _decoded(sha: str, _data: bytes) -> imgkernel.LoadedImage:
    # ``sha`` stands for ``_data``; errors (ImageLoadError) are raised, never cached.
    return imgkernel.load_image(_data)


def _decode_cost(data: bytes) -> int:
    """What decoding ``data`` would take, from its header (0 when the loader will refuse it before decoding)."""
    try:
        with Image.open(io.BytesIO(data), formats=SAFE_FORMATS) as im:
            w, h = im.size
    except Exception:  # not an image, or a damaged one: the loader says so in plain words
        return 0
    return decode_cost(h, w) if w * h <= MAX_PIXELS else 0


def photo_from_upload(name: str, data: bytes) -> Photo:
    """An uploaded or camera file as a Photo; raises ``ImageLoadError`` with a plain message.

    Decoding a big photo waits its turn in the server's memory budget (``app.budget``), saying so on the page.
    """
    sha = hashlib.sha256(data).hexdigest()
    cost = _decode_cost(data)
    if cost < BIG_DECODE:
        return make_photo(name, _decoded(sha, data))
    notice: Any = None

    def queued(ticket: Ticket) -> None:
        nonlocal notice
        notice = notice or st.empty()
        then = _("{name} is opened as soon as there is room.", name=name)
        notice.info(queued_message(ticket.ahead, then), icon="⏳")

    with shared_budget().reserve(cost, on_wait=queued):
        if notice is not None:
            notice.info(_("Opening {name}…", name=name), icon="⏳")
        photo = make_photo(name, _decoded(sha, data))
        preview(photo)  # the screen's copy, made now: downscaling goes through a full-size Pillow image (4 B/px)
    if notice is not None:
        notice.empty()
    return photo


def photo_from_frame(name: str, pixels: np.ndarray) -> Photo:
    """A live camera frame, (H, W, 3) uint8, as the photo (*Snapshot*). Not cached and never encoded or written:
    the frame is the visitor's, and becomes their photo as an upload does (held by their session only)."""
    frame = np.array(pixels, dtype=np.uint8, copy=True)
    frame.flags.writeable = False  # photos are read-only (the caches below share what is derived from them)
    return make_photo(name, imgkernel.LoadedImage(frame, None, "RAW", "RGB"))


@st.cache_data(max_entries=16, show_spinner=False)  # previews and the Learn pages' thumbnails
def _preview(digest: str, long_side: int, _pixels: np.ndarray) -> np.ndarray:
    return resize_long_side(_pixels, long_side)


def preview(photo: Photo, long_side: int = PREVIEW_LONG_SIDE) -> Photo:
    """The photo downscaled (never upscaled) so its long side is at most ``long_side`` px; alpha dropped."""
    if max(photo.pixels.shape[:2]) <= long_side:
        return photo
    return Photo(
        photo.name, f"{photo.digest}@{long_side}", _preview(photo.digest, long_side, photo.pixels), None, photo.sample
    )


# A 1024-px preview result is ~12 MB (float32 responses + 8-bit image): 16 entries bound the memory.
@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=_ARRAYS)
def _filtered(digest: str, _pixels: np.ndarray, kernel: np.ndarray, settings: Settings) -> imgkernel.Result:
    return imgkernel.run_filter(_pixels, kernel, settings)


def filtered(photo: Photo, kernel: np.ndarray, settings: Settings) -> imgkernel.Result:
    """The cached filter result for a photo (keyed on its digest), kernel and settings."""
    return _filtered(photo.digest, photo.pixels, np.asarray(kernel, dtype=np.float64), settings)


def displayed(result: imgkernel.Result, view: str) -> np.ndarray:
    """The 8-bit picture of a result for a view mode: the mapping, or the signed colour map."""
    return imgkernel.signed_colormap(result.values) if view == "signed" else result.mapped.image


@st.cache_resource(max_entries=16, show_spinner=False)  # bytes: shared as they are
def _original_png(digest: str, _pixels: np.ndarray, gray: bool) -> bytes:
    return imgkernel.encode_png(prepare(_pixels, Settings(gray=gray)))


def original_png(photo: Photo, gray: bool) -> bytes:
    """The photo as the filter sees it (its luminance when ``gray``), as PNG: exact pixels."""
    return _original_png(photo.digest, photo.pixels, gray)


@st.cache_data(max_entries=2, show_spinner=False)
def colour_scale(signed: bool = True) -> bytes:
    """The signed colour map's legend as a PNG strip: −limit (blue) … 0 (white) … +limit (orange), or 0 … +limit."""
    strip = np.tile(np.linspace(-1.0 if signed else 0.0, 1.0, 256, dtype=np.float32), (14, 1))
    return imgkernel.encode_png(imgkernel.signed_colormap(strip, limit=1.0))


@dataclass(frozen=True)
class ResultView:
    """The filtered picture, encoded, and the numbers shown under it."""

    png: bytes
    width: int
    height: int
    low: float
    high: float
    clipped_pixels: int
    clipped_fraction: float
    limit: float  # the magnitude drawn at full colour in the signed view (0 in the others)


# The one cache every slider step reads: shared (a frozen dataclass of bytes and numbers), and twice its old size
# so that a class on one photo and preset keeps finding what someone else just chose (bench/classroom.py). An
# entry is the PNG only (0.3 MB for the default photo, up to ~2 MB for a 1024-px preview): 64 hold 20-130 MB.
# The filter's float result is not kept for it (2-12 MB each); ``filtered`` (the panels under it) caches its own.
@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=_ARRAYS)
def _result_view(
    digest: str, _photo: Photo, kernel: np.ndarray, settings: Settings, view: str, _shared: bool = False
) -> ResultView:
    # ``_shared`` (not part of the key): a panel under the pictures reads the float result too, so take it from
    # ``filtered``'s cache rather than filter the preview a second time
    result = filtered(_photo, kernel, settings) if _shared else imgkernel.run_filter(_photo.pixels, kernel, settings)
    m = result.mapped
    limit = 0.0
    if view == "signed":  # the colour map's full-colour magnitude, for its legend
        limit = float(np.max(np.abs(result.values.mean(axis=2) if result.values.ndim == 3 else result.values)))
    return ResultView(
        imgkernel.encode_png(displayed(result, view)),
        result.values.shape[1],
        result.values.shape[0],
        m.low,
        m.high,
        m.clipped_pixels,
        m.clipped_fraction,
        limit,
    )


def result_view(photo: Photo, kernel: np.ndarray, settings: Settings, view: str, shared: bool = False) -> ResultView:
    """The encoded result of ``photo`` through ``kernel``; raises ``KernelError`` for impossible settings.
    ``shared``: an open panel needs ``filtered`` for the same result, so a miss computes it there (once)."""
    return _result_view(photo.digest, photo, np.asarray(kernel, dtype=np.float64), settings, view, shared)


@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=_ARRAYS)
def _difference(digest: str, _photo: Photo, kernel: np.ndarray, settings: Settings) -> tuple[bytes, float] | None:
    result = filtered(_photo, kernel, settings).mapped.image
    original = prepare(_photo.pixels, settings)
    if result.shape != original.shape:
        return None
    diff = np.abs(result.astype(np.int16) - original.astype(np.int16)).astype(np.uint8)
    return imgkernel.encode_png(diff), float(diff.mean())


def difference(photo: Photo, kernel: np.ndarray, settings: Settings) -> tuple[bytes, float] | None:
    """|8-bit result − original| as PNG and its mean; None when stride or ``valid`` changed the size."""
    return _difference(photo.digest, photo, np.asarray(kernel, dtype=np.float64), settings)


@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=_ARRAYS)
def _histogram(digest: str, _photo: Photo, kernel: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    return np.histogram(filtered(_photo, kernel, settings).values, bins=64)


def histogram(photo: Photo, kernel: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """64-bin counts and edges of the responses after divisor and offset (all channels)."""
    return _histogram(photo.digest, photo, np.asarray(kernel, dtype=np.float64), settings)


def full_resolution_png(
    photo: Photo,
    kernel: np.ndarray,
    settings: Settings,
    view: str = "clip",
    progress: Callable[[float], None] | None = None,
) -> bytes:
    """The filtered photo at full size as PNG with its alpha re-attached, cropped and strided like the
    result (``pipeline.output_alpha``) when stride or ``valid`` made it smaller (not cached).

    The pixels of ``displayed(run_filter(...), view)``, made band by band (``imgkernel.fullres``): a 50 MP
    export holds its PNG and a few MB more instead of ~700 MB. ``progress(fraction)`` after every band.
    """
    return filtered_png(photo.pixels, kernel, settings, alpha=photo.alpha, signed=view == "signed", progress=progress)
