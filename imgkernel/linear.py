"""Linear light: filter the light itself, not the sRGB codes of a photo (what GIMP 2.10+ does).

A photo's 8-bit values are sRGB codes: value 128 is about 22 % of full light, not 50 %. A blur or sharpen of the
codes (what setosa, GIMP 2.8, Photoshop, ImageMagick, Pillow and this engine do by default) therefore darkens
edges and halos. In linear light the codes are first decoded to light (IEC 61966-2-1's transfer curve), the
kernel, divisor and offset work on the light, and the result is encoded back. Units stay 0..255 on both sides so
that divisor, offset and the value ranges read alike: an offset of 127.5 is half of full *light*, which is sRGB
code 188 (GIMP's convolution matrix on a flat grey with *normalise* gives 188 where the codes give 128).
"""

from __future__ import annotations

import numpy as np

# Rec. 709 / sRGB luminance of linear light (GIMP's and babl's "Y"); sRGB codes use ITU-R 601 (Pillow's "L").
LUMINANCE = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
_CODES = np.arange(256, dtype=np.float64) / 255
_DECODE = (255 * np.where(_CODES <= 0.04045, _CODES / 12.92, ((_CODES + 0.055) / 1.055) ** 2.4)).astype(np.float32)


def to_linear(pixels: np.ndarray) -> np.ndarray:
    """sRGB codes to linear light (IEC 61966-2-1's curve), keeping the 0..255 scale.

    Parameters
    ----------
    pixels : array_like
        uint8 codes (decoded exactly, by table), or other numbers in 0..255 (clipped to it); any shape.

    Returns
    -------
    numpy.ndarray
        float32 light in 0..255, the shape of ``pixels``: 128 gives about 55 (22 % of full light).
    """
    px = np.asarray(pixels)
    if px.dtype == np.uint8:
        return _DECODE[px]  # exact, by table
    c = np.clip(px.astype(np.float64) / 255, 0, 1)
    return (255 * np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)).astype(np.float32)


def to_srgb(light: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Linear light back to sRGB codes, the inverse of ``to_linear``; not rounded, so the 8-bit mapping rounds once.

    Parameters
    ----------
    light : array_like
        Light in 0..255 (clipped to it); any shape.
    out : numpy.ndarray, optional
        A float32 array of the same shape to work in and return (it may be ``light`` itself).

    Returns
    -------
    numpy.ndarray
        float32 codes in 0..255.
    """
    v = np.clip(np.asarray(light, dtype=np.float32), 0, 255, out=out)
    v *= np.float32(1 / 255)
    low = v <= np.float32(0.0031308)
    high = np.power(v, np.float32(1 / 2.4))
    high *= np.float32(1.055)
    high -= np.float32(0.055)
    np.multiply(v, np.float32(12.92), out=v, where=low)
    np.copyto(v, high, where=~low)
    v *= np.float32(255)
    return v


def luminance(light: np.ndarray) -> np.ndarray:
    """The luminance of linear RGB light (H, W, 3) as (H, W) float32; gray input is returned as is."""
    return light if light.ndim == 2 else light @ LUMINANCE
