"""The original ``imgkernel`` 0.0.1 API, so the blog's code runs unchanged against this package.

Same names, arguments and return types (PIL images, NumPy kernels), with the bugs fixed: responses are
clipped to 0..255 (the original wrapped negative sums around, so -800 became a bright 224), RGBA images
work (alpha is cropped like the picture and re-attached, never filtered) and the work is done by the fast
engine instead of Python loops. Kernels come from the catalogue's factories, so the values live in one place.
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image

from .catalogue import get, sobel_matrix
from .engine import correlate
from .errors import KernelError
from .formats.images import load_image, to_pil
from .mapping import to_uint8
from .messages import Message
from .numeric import finite
from .pipeline import Settings, output_alpha


def read_img(imgpath: str | os.PathLike, gray: bool = True) -> Image.Image:
    """The image at ``imgpath`` (EXIF rotation applied, size-checked), as 8-bit gray when ``gray``."""
    loaded = load_image(imgpath)
    img = to_pil(loaded.pixels, loaded.alpha)
    return img.convert("L") if gray else img


def resize_width(img: Image.Image, width: int) -> Image.Image:
    """``img`` scaled to ``width`` pixels wide, keeping the aspect ratio (height rounded down, at least 1)."""
    w, h = img.size
    return img.resize((width, max(1, int(width * h / w))))


def crop_center(img: Image.Image) -> Image.Image:
    """The largest centred square of ``img``."""
    w, h = img.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    return img.crop((left, top, left + side, top + side))


def apply_img_kernel(
    img: Image.Image | np.ndarray, kernel: np.ndarray, strides: int = 1, mean: bool = False
) -> Image.Image:
    """Slide ``kernel`` over ``img`` as the original did: correlation, 'valid' output (the image shrinks by
    the kernel size minus 1), a step of ``strides`` pixels, the sum (or with ``mean`` the average) of the
    products per channel, rounded and clipped to 0..255. Gray, RGB and RGBA images (PIL or arrays) work.
    """
    pixels, alpha = _split(img)
    k = np.asarray(kernel, dtype=np.float64)
    raw = correlate(pixels, k, mode="valid", stride=strides)
    if mean:
        raw = raw / np.float32(k.size)
    out = to_uint8(raw, out_of_range="clip").image
    if alpha is not None:
        alpha = output_alpha(alpha, k.shape, Settings(mode="valid", stride=strides))
    return to_pil(out, alpha)


def _split(img: Image.Image | np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """uint8 pixels (gray or RGB) and the alpha channel, if any."""
    if isinstance(img, Image.Image):
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            img = img.convert("LA" if img.mode == "LA" else "RGBA")
        elif img.mode not in ("L", "RGB"):
            img = img.convert("RGB")
        a = np.asarray(img)
    else:
        a = np.asarray(img)
    if a.ndim == 3 and a.shape[2] in (2, 4):
        return a[:, :, :-1].squeeze(axis=2) if a.shape[2] == 2 else a[:, :, :3], a[:, :, -1]
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] == 3)):
        raise KernelError("seed_bad_image_shape", shape=tuple(int(n) for n in a.shape))
    return a, None


def _build(name: str, **values: float) -> np.ndarray:
    """The catalogue factory's matrix for any finite values (the seed did not limit weights to the sliders'
    ranges, so neither does this; only finite numbers make sense)."""
    weights = {key: finite(v, _weight(key)) for key, v in values.items()}
    return np.asarray(get(name).build(**weights), dtype=np.float64)


def _weight(name: str) -> Message:
    """A factory's argument as messages name it ("The edge weight")."""
    return Message("subject_named_weight", name=name)


def identity_kernel(iden: float = 1.0) -> np.ndarray:
    return _build("identity", iden=iden)


def sharpen_kernel(inner: float = 5.0, edge: float = -1.0) -> np.ndarray:
    return _build("sharpen", inner=inner, edge=edge)


def blur_kernel(inner: float = 0.25, edge: float = 0.125, corner: float = 0.0625) -> np.ndarray:
    return _build("blur", inner=inner, edge=edge, corner=corner)


def emboss_kernel(diag: float = 2.0, iden: float = 1.0) -> np.ndarray:
    return _build("emboss", diag=diag, iden=iden)


def outline_kernel(inner: float = 8.0, outer: float = -1.0) -> np.ndarray:
    return _build("outline", inner=inner, outer=outer)


def sobel_kernel(direction: str, base: float | None = None, edge: float = 2.0, corner: float = 1.0) -> np.ndarray:
    """A Sobel for top/bottom/left/right (``base`` sets edge=base, corner=base/2); anything else: identity."""
    if direction not in ("top", "bottom", "left", "right"):
        return identity_kernel()
    if base is not None:
        edge = finite(base, _weight("base"))
        corner = edge / 2
    return np.asarray(
        sobel_matrix(direction, finite(edge, _weight("edge")), finite(corner, _weight("corner"))), dtype=np.float64
    )


def imgconv(
    imgpath: str | os.PathLike, kernel: np.ndarray, strides: int = 1, mean: bool = False, gray: bool = True
) -> tuple[Image.Image, Image.Image]:
    """The original's one-call helper: read, resize to 320 wide, crop the centre square, filter; returns
    ``(before, after)`` (the original ignored ``strides``; here it is used)."""
    img = crop_center(resize_width(read_img(imgpath, gray), 320))
    return img, apply_img_kernel(img, kernel, strides=strides, mean=mean)
