"""Photo-like test JPEGs for the benchmarks: each one different, so no cache of the app can serve it twice."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def photo_jpeg(i: int, megapixels: float, tilt: float = 0.1) -> bytes:
    """A different photo-like 4:3 JPEG for each ``i``: a colour gradient (slopes up to ``tilt`` grey levels a
    pixel) with noise."""
    h = int((megapixels * 1e6 * 3 / 4) ** 0.5)
    w = h * 4 // 3
    rng = np.random.default_rng(i)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(0, 255, 3).astype(np.float32)
    slopes = rng.uniform(-tilt, tilt, (2, 3)).astype(np.float32)
    px = base + y[..., None] * slopes[0] + x[..., None] * slopes[1] + rng.normal(0, 12, (h, w, 3)).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray(np.clip(px, 0, 255).astype(np.uint8)).save(buf, format="JPEG", quality=85)
    return buf.getvalue()
