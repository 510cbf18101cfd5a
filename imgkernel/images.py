"""Loading photos safely and turning them back into files.

Everything the engine sees is 8-bit gray (H, W) or RGB (H, W, 3); alpha is kept aside, never filtered,
and can be re-attached to the result.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .limits import MAX_PIXELS

ACCEPTED = "PNG, JPEG, WebP, BMP, GIF or TIFF"


class ImageLoadError(ValueError):
    """The input is not an image we can read; the message says what was wrong in plain words."""


@dataclass(frozen=True)
class LoadedImage:
    pixels: np.ndarray  # uint8, (H, W) gray or (H, W, 3) RGB
    alpha: np.ndarray | None  # uint8 (H, W) or None
    format: str  # e.g. "PNG", "JPEG"
    original_mode: str  # Pillow mode of the file, e.g. "P", "CMYK", "I;16"

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def is_gray(self) -> bool:
        return self.pixels.ndim == 2


def load_image(source: bytes | str | os.PathLike | BinaryIO, *, max_pixels: int = MAX_PIXELS) -> LoadedImage:
    """Read an image from bytes, a path or a binary file object.

    Applies EXIF orientation, keeps the first frame of animations, converts every mode to 8-bit L or RGB
    (alpha kept aside) and refuses files over ``max_pixels`` before decoding them.
    """
    data = _read_bytes(source)
    if not data:
        raise ImageLoadError(f"The file is empty (0 bytes). Please choose a {ACCEPTED} image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                fmt = im.format or "unknown"
                w, h = im.size
                if w * h > max_pixels:
                    raise ImageLoadError(
                        f"The image is {w} x {h} pixels ({w * h / 1e6:.1f} megapixels); the limit is "
                        f"{max_pixels / 1e6:.0f} megapixels. Please resize it first."
                    )
                mode = im.mode
                im.seek(0)
                im.load()
                im = ImageOps.exif_transpose(im)
                pixels, alpha = _to_8bit(im)
    except ImageLoadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageLoadError(
            f"The image claims to be enormous; refused (limit {max_pixels / 1e6:.0f} megapixels)."
        ) from None
    except UnidentifiedImageError:
        raise ImageLoadError(f"This file is not an image we can read. Please choose a {ACCEPTED} image.") from None
    except (OSError, SyntaxError, ValueError, TypeError, IndexError, EOFError, MemoryError) as exc:
        raise ImageLoadError(
            f"The image file is damaged or incomplete ({type(exc).__name__}). Please choose a {ACCEPTED} image."
        ) from None
    return LoadedImage(pixels, alpha, fmt, mode)


def _read_bytes(source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as f:
                return f.read()
        except OSError as exc:
            raise ImageLoadError(f"Cannot open {os.fspath(source)!r}: {exc.strerror or exc}.") from None
    if hasattr(source, "read"):
        try:
            data = source.read()
        except OSError as exc:
            raise ImageLoadError(f"Cannot read the file: {exc}.") from None
        if isinstance(data, (bytes, bytearray)):
            return bytes(data)
    raise ImageLoadError("Expected image bytes, a file path or a binary file object.")


def _to_8bit(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    alpha = None
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(im, dtype=np.float64)
        if im.mode.startswith("I;16"):
            a = a / 257.0
        elif a.size and (a.max() > 255 or a.min() < 0):
            lo, hi = float(a.min()), float(a.max())
            a = (a - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(a)
        elif im.mode == "F" and a.size and a.max() <= 1.0:
            a = a * 255.0
        return np.clip(np.nan_to_num(a) + 0.5, 0, 255).astype(np.uint8), None
    if im.mode == "P":
        im = im.convert("RGBA") if "transparency" in im.info else im.convert("RGB")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        alpha = np.asarray(im.getchannel("A"), dtype=np.uint8).copy()
        im = im.convert("L" if im.mode in ("LA", "La") else "RGB")
        if alpha.min() == 255:
            alpha = None
    if im.mode == "1":
        im = im.convert("L")
    if im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    return np.asarray(im, dtype=np.uint8).copy(), alpha


def to_gray(pixels: np.ndarray) -> np.ndarray:
    """ITU-R 601 luminance (Pillow's "L" conversion) as uint8; gray input is returned as is."""
    if pixels.ndim == 2:
        return pixels
    return np.asarray(Image.fromarray(pixels, "RGB").convert("L"))


def to_pil(pixels: np.ndarray, alpha: np.ndarray | None = None) -> Image.Image:
    """A Pillow image of uint8 pixels, with alpha re-attached when given (and the same size)."""
    im = Image.fromarray(np.ascontiguousarray(pixels))
    if alpha is not None and alpha.shape == pixels.shape[:2]:
        im = im.convert("RGBA" if pixels.ndim == 3 else "LA")
        im.putalpha(Image.fromarray(alpha))
    return im


def encode_png(pixels: np.ndarray, alpha: np.ndarray | None = None, *, compress_level: int = 1) -> bytes:
    """PNG bytes; level 1 is ~4x faster than Pillow's default 6 for a few percent more bytes."""
    buf = io.BytesIO()
    to_pil(pixels, alpha).save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def resize_long_side(pixels: np.ndarray, long_side: int) -> np.ndarray:
    """Downscale (never upscale) so the longer side is at most ``long_side`` pixels."""
    h, w = pixels.shape[:2]
    if max(h, w) <= long_side:
        return pixels
    f = long_side / max(h, w)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    resample = Image.Resampling.BOX if f < 0.5 else Image.Resampling.BILINEAR
    return np.asarray(Image.fromarray(pixels).resize(size, resample))
