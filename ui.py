"""The small shared UI layer: session-state contract and cached calls into imgkernel.

Every page reads the photo and kernel the user chose in the playground through ``current_photo()`` and
``current_kernel()``, and changes them only through ``set_photo()`` / ``set_kernel()``.
Caches are keyed on an explicit digest of the pixels (Streamlit hashes big arrays from a sample).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

import imgkernel
from imgkernel import share
from imgkernel.images import resize_long_side
from imgkernel.limits import PREVIEW_LONG_SIDE
from imgkernel.pipeline import Settings, output_alpha, prepare

ASSETS = Path(__file__).parent / "assets"
SAMPLES: dict[str, str] = {
    "Chelsea the cat": "chelsea.png",
    "Coffee cup": "coffee.png",
    "Astronaut": "astronaut.png",
    "Camera man (gray)": "camera.png",
    "Brick wall (gray)": "brick.png",
    "Rocket launch": "rocket.jpg",
}
DEFAULT_SAMPLE = "Chelsea the cat"
DEFAULT_KERNEL = share.DEFAULT_KERNEL


@dataclass(frozen=True)
class Photo:
    name: str  # sample name or uploaded file name
    digest: str  # sha256 of the pixels and alpha: the cache key for everything derived from it
    pixels: np.ndarray = field(repr=False)  # uint8 (H, W) or (H, W, 3)
    alpha: np.ndarray | None = field(default=None, repr=False)
    sample: str | None = None  # the sample's name when it is one (for share links)


@dataclass(frozen=True)
class KernelChoice:
    name: str  # catalogue name, or "custom"
    title: str
    params: dict  # catalogue parameters (empty for custom)
    matrix: np.ndarray = field(repr=False)
    settings: Settings = Settings()


def digest_of(pixels: np.ndarray, alpha: np.ndarray | None = None) -> str:
    h = hashlib.sha256()
    h.update(str(pixels.shape).encode())
    h.update(np.ascontiguousarray(pixels).data)
    if alpha is not None:
        h.update(np.ascontiguousarray(alpha).data)
    return h.hexdigest()


def photo_from_loaded(name: str, loaded: imgkernel.LoadedImage, sample: str | None = None) -> Photo:
    return Photo(name, digest_of(loaded.pixels, loaded.alpha), loaded.pixels, loaded.alpha, sample)


@st.cache_data(max_entries=len(SAMPLES), show_spinner=False)
def _sample_loaded(name: str) -> imgkernel.LoadedImage:
    return imgkernel.load_image(ASSETS / SAMPLES[name])


def sample_photo(name: str = DEFAULT_SAMPLE) -> Photo:
    if name not in SAMPLES:
        name = DEFAULT_SAMPLE
    return photo_from_loaded(name, _sample_loaded(name), sample=name)


def current_photo() -> Photo:
    photo = st.session_state.get("photo")
    return photo if isinstance(photo, Photo) else sample_photo()


def set_photo(photo: Photo) -> None:
    st.session_state["photo"] = photo


def default_kernel() -> KernelChoice:
    spec = imgkernel.get(DEFAULT_KERNEL)
    return KernelChoice(spec.name, spec.title, spec.defaults(), spec.matrix())


def current_kernel() -> KernelChoice:
    k = st.session_state.get("kernel")
    return k if isinstance(k, KernelChoice) else default_kernel()


def set_kernel(choice: KernelChoice) -> None:
    st.session_state["kernel"] = choice


# A 1024-px preview result is ~12 MB (float32 responses + 8-bit image): 16 entries bound the memory.
@st.cache_data(max_entries=16, show_spinner=False, hash_funcs={np.ndarray: lambda a: (a.shape, a.tobytes())})
def _filtered(digest: str, _pixels: np.ndarray, kernel: np.ndarray, settings: Settings) -> imgkernel.Result:
    # ``_pixels`` is not hashed: ``digest`` stands for it. The kernel is small, so it is hashed in full.
    return imgkernel.run_filter(_pixels, kernel, settings)


def filtered(photo: Photo, kernel: np.ndarray, settings: Settings) -> imgkernel.Result:
    """The cached filter result for a photo (keyed on its digest), kernel and settings."""
    return _filtered(photo.digest, photo.pixels, np.asarray(kernel, dtype=np.float64), settings)


# ---- the playground's heavier helpers (also usable by other pages) ----

@st.cache_data(max_entries=4, show_spinner=False)  # a 12 MP photo is 36 MB: keep few
def _decoded(sha: str, _data: bytes) -> imgkernel.LoadedImage:
    # ``sha`` stands for ``_data``; errors (ImageLoadError) are raised, never cached.
    return imgkernel.load_image(_data)


def photo_from_upload(name: str, data: bytes) -> Photo:
    """An uploaded or camera file as a Photo; raises ``ImageLoadError`` with a plain message."""
    return photo_from_loaded(name, _decoded(hashlib.sha256(data).hexdigest(), data))


@st.cache_data(max_entries=16, show_spinner=False)  # previews and the Learn pages' thumbnails
def _preview(digest: str, long_side: int, _pixels: np.ndarray) -> np.ndarray:
    return resize_long_side(_pixels, long_side)


def preview(photo: Photo, long_side: int = PREVIEW_LONG_SIDE) -> Photo:
    """The photo downscaled (never upscaled) so its long side is at most ``long_side`` px; alpha dropped."""
    if max(photo.pixels.shape[:2]) <= long_side:
        return photo
    return Photo(photo.name, f"{photo.digest}@{long_side}", _preview(photo.digest, long_side, photo.pixels),
                 None, photo.sample)


def file_stem(text: str) -> str:
    """A safe download file-name part from any text: lower-case letters, digits and dashes only."""
    return "-".join("".join(c if c.isalnum() and c.isascii() else " " for c in text.lower()).split())[:60] or "image"


def resize_kernel(matrix: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """A new ``rows x cols`` kernel keeping the old weights around the anchor (``size // 2``); new cells 0."""
    old = np.asarray(matrix, dtype=np.float64)
    out = np.zeros((rows, cols))
    shift = (rows // 2 - old.shape[0] // 2, cols // 2 - old.shape[1] // 2)
    src = tuple(slice(max(0, -d), min(n, m - d)) for d, n, m in zip(shift, old.shape, (rows, cols), strict=True))
    dst = tuple(slice(s.start + d, s.stop + d) for s, d in zip(src, shift, strict=True))
    out[dst] = old[src]
    return out


@dataclass(frozen=True)
class Views:
    """Everything the playground shows for one result, encoded once (cached)."""

    original_jpeg: bytes
    filtered_png: bytes  # what is displayed: the 8-bit mapping or the signed colour map
    shape: tuple[int, ...]
    low: float
    high: float
    clipped_pixels: int
    clipped_fraction: float
    difference_jpeg: bytes | None  # |8-bit result - original|; None when the sizes differ (stride, valid)
    mean_difference: float
    hist_counts: np.ndarray
    hist_edges: np.ndarray


def displayed(result: imgkernel.Result, view: str) -> np.ndarray:
    """The 8-bit picture of a result for a view (``share.VIEWS``): the mapping or the signed colour map."""
    return imgkernel.signed_colormap(result.values) if view == "signed" else result.mapped.image


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs={np.ndarray: lambda a: (a.shape, a.tobytes())})
def _views(digest: str, _photo: Photo, kernel: np.ndarray, settings: Settings, view: str) -> Views:
    result = filtered(_photo, kernel, settings)
    shown = displayed(result, view)
    original = prepare(_photo.pixels, settings)
    difference, mean_difference = None, float("nan")
    if result.mapped.image.shape == original.shape:  # the 8-bit result, also when the colour map is displayed
        diff = np.abs(result.mapped.image.astype(np.int16) - original.astype(np.int16)).astype(np.uint8)
        difference, mean_difference = _jpeg(diff), float(diff.mean())  # a PNG would cost ~100 ms per MP here
    counts, edges = np.histogram(result.values, bins=64)
    m = result.mapped
    return Views(_jpeg(original), imgkernel.encode_png(shown), result.values.shape, m.low, m.high,
                 m.clipped_pixels, m.clipped_fraction, difference, mean_difference, counts, edges)


def _jpeg(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    imgkernel.to_pil(pixels).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def views(photo: Photo, kernel: np.ndarray, settings: Settings, view: str = "clip") -> Views:
    """The cached, encoded views of ``photo`` filtered by ``kernel`` (the photo is keyed on its digest)."""
    return _views(photo.digest, photo, np.asarray(kernel, dtype=np.float64), settings, view)


def full_resolution_png(photo: Photo, kernel: np.ndarray, settings: Settings, view: str = "clip") -> bytes:
    """The filtered photo at full size as PNG with its alpha re-attached, cropped and strided like the
    result (``pipeline.output_alpha``) when stride or ``valid`` made it smaller (not cached)."""
    shown = displayed(imgkernel.run_filter(photo.pixels, kernel, settings), view)
    alpha = None if photo.alpha is None else output_alpha(photo.alpha, np.shape(kernel), settings)
    return imgkernel.encode_png(shown, alpha)
