"""PNG encoding that keeps up with a slider: NumPy row filtering plus ISA-L's deflate.

Pillow's encoder spends ~20 ms on a 451 x 300 photo (zlib, one row at a time); the screen needs a new PNG
on every weight change. Here each row gets PNG's "Up" filter (the difference to the row above, vectorised)
and the whole image is deflated at once by ISA-L (``isal``), ~13x faster for the same size. Any PNG reader
gives back the exact pixels (8 bits per sample; gray, gray + alpha, RGB or RGBA).
"""

from __future__ import annotations

import struct

import numpy as np
from isal import isal_zlib

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}  # samples per pixel -> PNG colour type (gray, gray+alpha, RGB, RGBA)
_UP = 2  # PNG filter type: each byte minus the byte above it


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", isal_zlib.crc32(data, isal_zlib.crc32(kind)))


def encode_png(pixels: np.ndarray, alpha: np.ndarray | None = None, *, level: int = 1) -> bytes:
    """PNG bytes of uint8 pixels (H, W) or (H, W, 3), with ``alpha`` (H, W) attached when given.

    ``level`` is ISA-L's compression level, 0 (fastest) to 3 (smallest). The alpha must have the pixels'
    (H, W): after a stride or "valid" borders, crop and stride it like the picture first.
    """
    px = np.asarray(pixels)
    if px.dtype != np.uint8 or px.ndim not in (2, 3) or (px.ndim == 3 and px.shape[2] not in (1, 3, 4)):
        raise ValueError(f"expected uint8 (H, W) or (H, W, 3) pixels, got {px.dtype} {px.shape}")
    if alpha is not None:
        if alpha.shape != px.shape[:2]:
            raise ValueError(f"alpha has shape {alpha.shape} but the pixels are {px.shape[:2]} (H, W)")
        px = np.dstack([px, np.asarray(alpha, dtype=np.uint8)])
    h, w = px.shape[:2]
    samples = 1 if px.ndim == 2 else px.shape[2]
    rows = px.reshape(h, w * samples)
    raw = np.empty((h, w * samples + 1), np.uint8)  # each row: its filter type, then its filtered bytes
    raw[0, 0], raw[1:, 0] = 0, _UP
    raw[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=raw[1:, 1:])  # uint8 arithmetic wraps modulo 256, as PNG wants
    header = struct.pack(">IIBBBBB", w, h, 8, _COLOUR_TYPE[samples], 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", isal_zlib.compress(raw, level)) + _chunk(b"IEND", b"")
