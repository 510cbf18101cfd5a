"""How one output pixel is computed, step by step, with exactly the engine's conventions.

``explain_pixel`` redoes the filter for a single output pixel with plain indexing (no padding of the whole
image): which input pixels each tap reads (including border-mode padding values), the kernel as applied
(rotated 180 degrees for true convolution), the element-wise products, their sum, the divisor/offset and
the 8-bit mapping. Coordinates are (row, column), 0-based, with row 0 at the top. Its numbers equal
``run_filter`` for the same settings (the tests check that), so the walkthrough can never drift from the app.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from ..borders import MODE_RULES, Mode, border_index
from ..engine import dilated_span, output_shape
from ..errors import KernelError
from ..mapping import Scale, apply_scale, to_uint8
from ..messages import Message
from ..pipeline import Settings, border_value, prepare, run_filter, scale_for


@dataclass(frozen=True)
class PixelExplanation:
    """One output pixel's computation. Arrays of taps have the kernel's shape (kh, kw) [+ channels]."""

    out_row: int
    out_col: int
    in_row: int  # input pixel under the kernel's anchor (padded modes) or the window's middle (valid)
    in_col: int
    rows: np.ndarray  # (kh,) input row each kernel row reads; may lie outside the image (padding)
    cols: np.ndarray  # (kw,) input column each kernel column reads
    outside: np.ndarray  # (kh, kw) bool: the tap reads a padding value, not a real pixel
    kernel: np.ndarray  # (kh, kw) float64, as applied (rotated 180 degrees for true convolution)
    neighbourhood: np.ndarray  # (kh, kw) or (kh, kw, C) float64 input values each tap reads
    products: np.ndarray  # neighbourhood * kernel, same shape
    raw: np.ndarray  # (C,) sum of the products per channel (C = 1 for gray)
    scale: Scale  # effective divisor and offset
    scaled: np.ndarray  # (C,) float32 raw / divisor + offset: what ``Result.values`` holds
    final: np.ndarray  # (C,) uint8 after the out-of-range mapping: the displayed pixel
    value_range: tuple[float, float] | None  # whole-image min/max used by "rescale" (else None)


def tap_positions(out_index: int, k: int, mode: Mode, stride: int, dilation: int, true_convolution: bool) -> np.ndarray:
    """Input indices along one axis read by kernel taps 0..k-1 (as applied) for output index ``out_index``."""
    span = dilated_span(k, dilation)
    if mode == "valid":
        start = out_index * stride
    else:
        anchor = span - 1 - span // 2 if true_convolution else span // 2  # the dilated kernel turns about it
        start = out_index * stride - anchor
    return start + dilation * np.arange(k)


def pixel_taps(
    settings: Settings, kernel_shape: tuple[int, int], out_row: int, out_col: int
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols): the input rows and columns output pixel (``out_row``, ``out_col``) reads, tap by tap.

    The one place the walkthrough and the playground's loupe take a pixel's window from, so the two can never
    disagree: border mode, stride, dilation and true convolution (whose turned kernel moves the anchor of an
    even kernel) all go through ``tap_positions``. Indices outside the image are taps that read padding."""
    args = (settings.mode, settings.stride, settings.dilation, settings.true_convolution)
    return tap_positions(out_row, kernel_shape[0], *args), tap_positions(out_col, kernel_shape[1], *args)


def window_box(
    settings: Settings, kernel_shape: tuple[int, int], out_row: int, out_col: int
) -> tuple[int, int, int, int]:
    """(top, left, bottom, right), inclusive: the box around every input pixel output pixel (``out_row``,
    ``out_col``) reads (``pixel_taps``). With dilation the taps are spread out and the box spans them all; it
    may stick out of the image where taps read padding."""
    rows, cols = pixel_taps(settings, kernel_shape, out_row, out_col)
    return int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())


def explain_pixel(
    pixels: np.ndarray,
    kernel: np.ndarray,
    settings: Settings,
    row: int,
    col: int,
    *,
    value_range: tuple[float, float] | None = None,
) -> PixelExplanation:
    """Explain output pixel (``row``, ``col``) of ``run_filter(pixels, kernel, settings)``.

    ``value_range`` is the (low, high) of the whole image's scaled values, needed only when
    ``settings.out_of_range == "rescale"`` (pass ``result.mapped.low/high``); without it the whole filter is run.
    """
    img = np.asarray(pixels)
    if img.ndim not in (2, 3) or img.size == 0:
        raise KernelError(code="walk_bad_photo")
    ker = np.asarray(kernel, dtype=np.float64)
    shape = output_shape(
        img.shape[:2], ker.shape, mode=settings.mode, stride=settings.stride, dilation=settings.dilation
    )
    if not (0 <= row < shape[0] and 0 <= col < shape[1]):
        raise KernelError("walk_outside_output", row=row, col=col, w=int(shape[1]), h=int(shape[0]))
    applied = ker[::-1, ::-1] if settings.true_convolution else ker
    kh, kw = ker.shape
    h, w = img.shape[:2]
    rows, cols = pixel_taps(settings, (kh, kw), row, col)
    outside = ((rows < 0) | (rows >= h))[:, None] | ((cols < 0) | (cols >= w))[None, :]

    # gather first, convert after: only the kh x kw taps are copied and (for "gray") converted, whatever the
    # photo's size; the luminance is per pixel, so converting the taps equals converting the photo. The
    # engine's own border maps pick the pixels (a cval tap reads index -1, then gets cval below).
    src_rows, src_cols = border_index(rows, h, settings.mode), border_index(cols, w, settings.mode)
    taps = prepare(img[np.ix_(src_rows, src_cols)], settings)
    squeeze = taps.ndim == 2
    hood = (taps[:, :, None] if squeeze else taps).astype(np.float64)
    if settings.mode == "constant":
        hood[outside] = border_value(settings)
    products = hood * applied[:, :, None]
    raw = products.sum(axis=(0, 1))

    scale = scale_for(ker, settings)
    scaled = apply_scale(raw.astype(np.float32), scale)
    if settings.out_of_range == "rescale":
        if value_range is None:
            res = run_filter(pixels, kernel, settings)
            value_range = (res.mapped.low, res.mapped.high)
        # mapping the pixel together with the image's extremes gives exactly the image's min..max stretch
        row_vals = np.concatenate([scaled, np.asarray(value_range, np.float32)])[None, :]
        final = to_uint8(row_vals, out_of_range="rescale", linear=settings.linear).image[0, : len(scaled)]
    else:
        value_range = None
        final = to_uint8(scaled[None, :], out_of_range=settings.out_of_range, linear=settings.linear).image[0]

    if settings.mode == "valid":
        span_h, span_w = dilated_span(kh, settings.dilation), dilated_span(kw, settings.dilation)
        in_row, in_col = row * settings.stride + span_h // 2, col * settings.stride + span_w // 2
    else:
        in_row, in_col = row * settings.stride, col * settings.stride
    return PixelExplanation(
        row,
        col,
        in_row,
        in_col,
        rows,
        cols,
        outside,
        applied,
        hood[:, :, 0] if squeeze else hood,
        products[:, :, 0] if squeeze else products,
        raw,
        scale,
        scaled,
        final,
        value_range,
    )


def coordinates_note(settings: Settings, kernel_shape: tuple[int, int], row: int, col: int) -> Message:
    """A sentence relating output (row, col) to the input pixels, for the chosen border mode and stride."""
    s, d = settings.stride, settings.dilation
    kh, kw = kernel_shape
    span_h, span_w = dilated_span(kh, d), dilated_span(kw, d)
    at = {"row": row, "col": col, "in_row": row * s, "in_col": col * s}
    if settings.mode == "valid":
        return Message(
            "walk_note_valid",
            **at,
            stride=s,
            w=span_w,
            h=span_h,
            columns=Message("walk_columns", n=span_w - 1),
            rows=Message("walk_rows", n=span_h - 1),
        )
    rule = MODE_RULES[settings.mode]  # a message: what the border mode reads outside the image
    if s > 1:
        return Message("walk_note_centred_stride", **at, stride=s, mode=settings.mode, rule=rule)
    return Message("walk_note_centred", **at, mode=settings.mode, rule=rule)


def output_for_input(
    settings: Settings, kernel_shape: tuple[int, int], out_shape: tuple[int, ...], row: int, col: int
) -> tuple[int, int]:
    """The output pixel whose window is centred closest to input pixel (``row``, ``col``) (for clicks)."""
    result = []
    for i, k, n in zip((row, col), kernel_shape, out_shape[:2], strict=True):
        centre = dilated_span(k, settings.dilation) // 2 if settings.mode == "valid" else 0
        result.append(int(np.clip(round((i - centre) / settings.stride), 0, n - 1)))
    return result[0], result[1]


def enlarge(image: np.ndarray, factor: int) -> np.ndarray:
    """``image`` (H, W[, C]) with every pixel drawn as a ``factor`` x ``factor`` block (nearest neighbour: crisp)."""
    return np.repeat(np.repeat(np.asarray(image), factor, axis=0), factor, axis=1)


def zoomed_crop(
    image: np.ndarray, row: int, col: int, radius: int, box: tuple[int, int, int, int], factor: int = 16
) -> np.ndarray:
    """A nearest-neighbour enlargement of the pixels within ``radius`` of (row, col), with ``box`` outlined.

    ``box`` is (top, left, bottom, right) inclusive, in the image's pixel coordinates (it may stick out of the
    image: the outline is drawn where it would be). Returns RGB uint8 of side (2 * radius + 1) * factor.
    """
    img = np.asarray(image, dtype=np.uint8)
    rgb = np.repeat(img[:, :, None], 3, axis=2) if img.ndim == 2 else img[:, :, :3]
    h, w = rgb.shape[:2]
    side = 2 * radius + 1
    crop = np.full((side, side, 3), 40, np.uint8)  # dark grey where the crop leaves the image
    r0, c0 = row - radius, col - radius
    rs, re_ = max(r0, 0), min(r0 + side, h)
    cs, ce = max(c0, 0), min(c0 + side, w)
    crop[rs - r0 : re_ - r0, cs - c0 : ce - c0] = rgb[rs:re_, cs:ce]
    big = Image.fromarray(enlarge(crop, factor))
    top, left, bottom, right = box
    xy = ((left - c0) * factor, (top - r0) * factor, (right - c0 + 1) * factor - 1, (bottom - r0 + 1) * factor - 1)
    draw = ImageDraw.Draw(big)
    draw.rectangle(xy, outline=(0, 0, 0), width=4)  # a black halo under a yellow line: visible on any colour
    draw.rectangle((xy[0] + 1, xy[1] + 1, xy[2] - 1, xy[3] - 1), outline=(255, 220, 0), width=2)
    return np.asarray(big)
