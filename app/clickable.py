"""A picture that says where it was clicked, with a text alternative.

The walkthrough and the loupe used ``streamlit-image-coordinates``, whose picture has no ``alt`` (a screen reader
announces an unnamed image). This is the same idea in a few lines of our own (``clickable_frontend/``, a Streamlit
component without build tools): the picture as a JPEG data URL, drawn ``width`` screen pixels wide with ``alt`` as
its text alternative; a click returns ``{"x", "y", "width", "height", "unix_time"}``, the point in displayed pixels,
the displayed size and the time (a new click is a new value even on the same spot), as the package did.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import numpy as np
import streamlit.components.v1 as components
from PIL import Image

_component = components.declare_component("clickable_image", path=str(Path(__file__).parent / "clickable_frontend"))


def jpeg_data_url(pixels: np.ndarray, quality: int = 85) -> str:
    """``pixels`` (H, W[, 3], uint8) as a ``data:image/jpeg`` URL."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def clickable_image(pixels: np.ndarray, *, alt: str, width: int, key: str, quality: int = 85) -> dict[str, Any] | None:
    """Draw ``pixels`` ``width`` screen pixels wide (never wider than its column), with ``alt`` as its text
    alternative and a crosshair cursor; the last click (see the module docstring), or None before the first."""
    value = _component(src=jpeg_data_url(pixels, quality), alt=alt, width=int(width), key=key, default=None)
    return value if isinstance(value, dict) else None
