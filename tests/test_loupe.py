"""The window a result pixel reads (``imgkernel.learn.walkthrough.window_box``) and the playground's loupe that outlines
it (``app.panels.details.loupe_spot``): pure functions, checked against taps found independently.

The oracle filters an index image (each pixel holds its own row·W + column) with a one-hot kernel: the result
pixel then holds the index of the one input pixel that tap reads. scipy.ndimage does it for the padded modes
(no imgkernel code involved); the engine (itself checked against scipy in test_engine) for every mode."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import ndimage

import imgkernel
from app.panels.details import loupe_spot
from imgkernel.learn.walkthrough import explain_pixel, pixel_taps, window_box
from imgkernel.pipeline import Settings

H, W = 23, 29  # odd and different, so rows and columns cannot be swapped unnoticed


def _index_image() -> np.ndarray:
    return np.arange(H * W, dtype=np.float64).reshape(H, W)


def _dilated(kernel: np.ndarray, d: int) -> np.ndarray:
    """``kernel`` with d − 1 zeros between its taps, as dilation reads it."""
    out = np.zeros(((kernel.shape[0] - 1) * d + 1, (kernel.shape[1] - 1) * d + 1))
    out[::d, ::d] = kernel
    return out


def _read_by_scipy(settings: Settings, kernel_shape: tuple[int, int], out_row: int, out_col: int) -> set:
    """The input pixels result pixel (out_row, out_col) reads, by scipy on the index image (padded modes)."""
    s = settings.stride
    fn = ndimage.convolve if settings.true_convolution else ndimage.correlate
    read = set()
    for u, v in itertools.product(*map(range, kernel_shape)):
        one = np.zeros(kernel_shape)
        one[u, v] = 1
        full = fn(_index_image(), _dilated(one, settings.dilation), mode=settings.mode)
        index = int(round(full[::s, ::s][out_row, out_col]))  # stride: result pixel i is full-size pixel i·s
        read.add(divmod(index, W))
    return read


def _read_by_engine(settings: Settings, kernel_shape: tuple[int, int], out_row: int, out_col: int) -> set:
    """The same by imgkernel's engine, which also does ``valid``."""
    fn = imgkernel.convolve if settings.true_convolution else imgkernel.correlate
    read = set()
    for u, v in itertools.product(*map(range, kernel_shape)):
        one = np.zeros(kernel_shape)
        one[u, v] = 1
        out = fn(_index_image(), one, mode=settings.mode, stride=settings.stride, dilation=settings.dilation)
        read.add(divmod(int(round(float(out[out_row, out_col]))), W))
    return read


def _box(read: set) -> tuple[int, int, int, int]:
    rows, cols = zip(*read, strict=True)
    return min(rows), min(cols), max(rows), max(cols)


def _zoom_at(row: int, col: int) -> tuple[float, float]:
    """The loupe's spot on input pixel (row, col), as a click or the number inputs store it."""
    return ((col + 0.5) / W, (row + 0.5) / H)


def _out_shape(settings: Settings, kernel_shape: tuple[int, int]) -> tuple[int, ...]:
    return imgkernel.output_shape(
        (H, W), kernel_shape, mode=settings.mode, stride=settings.stride, dilation=settings.dilation
    )


# -- the library: the taps and their box ----------------------------------------------------------------------------


@pytest.mark.parametrize("true_convolution", [False, True])
@pytest.mark.parametrize("kernel_shape", [(2, 2), (3, 3), (2, 3), (4, 1)])
@pytest.mark.parametrize(("stride", "dilation"), [(1, 1), (2, 1), (3, 2), (1, 3)])
def test_window_box_is_the_box_of_the_pixels_scipy_reads(true_convolution, kernel_shape, stride, dilation):
    settings = Settings(mode="reflect", stride=stride, dilation=dilation, true_convolution=true_convolution)
    out_row, out_col = 9 // stride, 14 // stride  # away from the border: every tap reads a real, distinct pixel
    read = _read_by_scipy(settings, kernel_shape, out_row, out_col)
    assert window_box(settings, kernel_shape, out_row, out_col) == _box(read)
    rows, cols = pixel_taps(settings, kernel_shape, out_row, out_col)
    assert {(int(r), int(c)) for r in rows for c in cols} == read  # the taps themselves, not just their box


@pytest.mark.parametrize("mode", ["reflect", "wrap", "valid"])
@pytest.mark.parametrize("true_convolution", [False, True])
def test_window_box_agrees_with_the_engine_in_every_mode(mode, true_convolution):
    settings = Settings(mode=mode, stride=2, dilation=2, true_convolution=true_convolution)
    for kernel_shape in ((2, 2), (3, 2)):
        for out_row, out_col in ((3, 4), (4, 5)):
            read = _read_by_engine(settings, kernel_shape, out_row, out_col)
            assert window_box(settings, kernel_shape, out_row, out_col) == _box(read), (kernel_shape, out_row)


def test_the_walkthrough_reads_the_taps_the_box_frames():
    settings = Settings(stride=2, dilation=2, true_convolution=True)
    kernel = np.arange(6.0).reshape(2, 3)
    e = explain_pixel(_index_image(), kernel, settings, 4, 5)
    assert window_box(settings, kernel.shape, 4, 5) == (e.rows.min(), e.cols.min(), e.rows.max(), e.cols.max())
    assert (e.neighbourhood == e.rows[:, None] * W + e.cols[None, :]).all()  # the values are the taps' pixels


# -- the loupe: a spot, the result pixel it maps to, and that pixel's window -----------------------------------------


def test_loupe_outlines_the_window_of_the_result_pixel_at_stride_2_true_convolution_2x2():
    settings = Settings(stride=2, true_convolution=True)
    spot = loupe_spot(settings, (2, 2), (H, W), _out_shape(settings, (2, 2)), _zoom_at(9, 14))
    assert (spot.row, spot.col) == (9, 14)  # the pixel picked, as the number inputs show it
    assert (spot.out_row, spot.out_col) == (4, 7)  # input 9 is nearest result row 4's centre (8), 14 is 7's
    # the result pixel (4, 7) reads rows 8..9 and columns 14..15 (the turned 2 x 2 kernel's anchor is its
    # top-left); the old loupe drew a 2 x 2 box centred on the click instead: rows 8..9, columns 13..14
    assert spot.window == _box(_read_by_scipy(settings, (2, 2), 4, 7)) == (8, 14, 9, 15)
    assert spot.centre == (9, 15)  # the loupe is centred on that window


@pytest.mark.parametrize(
    "settings",
    [
        Settings(stride=2),
        Settings(stride=3, true_convolution=True),
        Settings(dilation=2),
        Settings(mode="valid", stride=2),
        Settings(mode="valid", dilation=2, true_convolution=True),
    ],
)
@pytest.mark.parametrize("kernel_shape", [(2, 2), (3, 3), (4, 2)])
def test_loupe_window_is_what_its_result_pixel_reads(settings, kernel_shape):
    out_shape = _out_shape(settings, kernel_shape)
    for row, col in ((9, 14), (10, 13), (12, 17)):
        spot = loupe_spot(settings, kernel_shape, (H, W), out_shape, _zoom_at(row, col))
        read = _read_by_engine(settings, kernel_shape, spot.out_row, spot.out_col)
        assert spot.window == _box(read), (row, col)
        top, left, bottom, right = spot.window
        assert top <= spot.centre[0] <= bottom and left <= spot.centre[1] <= right
        # the result pixel is the one whose window is nearest the spot: at most half a stride (and one pixel for an
        # even kernel's middle) away
        assert abs((top + bottom) / 2 - row) <= settings.stride / 2 + 0.5
        assert abs((left + right) / 2 - col) <= settings.stride / 2 + 0.5


def test_loupe_at_the_last_row_keeps_its_centre_inside_the_photo():
    settings = Settings(true_convolution=True)  # a 2 x 2 turned kernel reads one row below the last
    spot = loupe_spot(settings, (2, 2), (H, W), _out_shape(settings, (2, 2)), (1.0, 1.0))
    assert (spot.row, spot.col, spot.out_row, spot.out_col) == (H - 1, W - 1, H - 1, W - 1)
    assert spot.window == (H - 1, W - 1, H, W)  # reads padding there: the box sticks out, as drawn
    assert spot.centre == (H - 1, W - 1)
