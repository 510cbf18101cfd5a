"""The small shared UI layer: session-state contract and cached calls into imgkernel.

Every page reads the photo and kernel the user chose in the playground through ``current_photo()`` and
``current_kernel()``, and changes them only through ``set_photo()`` / ``set_kernel()``.
Caches are keyed on an explicit digest of the pixels (Streamlit hashes big arrays from a sample).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

import imgkernel
from imgkernel.pipeline import Settings

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
DEFAULT_KERNEL = "sharpen"


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


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs={np.ndarray: lambda a: (a.shape, a.tobytes())})
def _filtered(digest: str, _pixels: np.ndarray, kernel: np.ndarray, settings: Settings) -> imgkernel.Result:
    # ``_pixels`` is not hashed: ``digest`` stands for it. The kernel is small, so it is hashed in full.
    return imgkernel.run_filter(_pixels, kernel, settings)


def filtered(photo: Photo, kernel: np.ndarray, settings: Settings) -> imgkernel.Result:
    """The cached filter result for a photo (keyed on its digest), kernel and settings."""
    return _filtered(photo.digest, photo.pixels, np.asarray(kernel, dtype=np.float64), settings)
