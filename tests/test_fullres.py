"""The full-resolution result band by band (``imgkernel.fullres``) against the whole-photo path: the same bits for
every setting and band height, and a fraction of the memory."""

from __future__ import annotations

import io
import itertools
import tracemalloc

import numpy as np
import pytest
from PIL import Image

import imgkernel
from imgkernel import _tiles, engine, fullres
from imgkernel.engine import auto_method
from imgkernel.mapping import signed_colormap
from imgkernel.pipeline import Settings, output_alpha, run_filter

RNG = np.random.default_rng(15)
RGB = RNG.integers(0, 256, (23, 17, 3), dtype=np.uint8)  # odd sizes: bands never divide the height evenly
GRAY = RNG.integers(0, 256, (19, 22), dtype=np.uint8)
KERNELS = [RNG.normal(size=(3, 3)), RNG.normal(size=(4, 5)) * 3]  # an even-sized kernel has an off-centre anchor
ROWS = [1, 2, 7, None]  # band heights: one row, two, odd, the default (the whole of these small photos)


def stacked(bands) -> np.ndarray:
    """The bands one under the other, checking they come top to bottom without gaps."""
    bands = list(bands)
    starts = [i0 for i0, _ in bands]
    assert starts == list(itertools.accumulate([0] + [b.shape[0] for _, b in bands[:-1]]))
    return np.concatenate([b for _, b in bands])


def decode(data: bytes) -> np.ndarray:
    im = Image.open(io.BytesIO(data))
    im.load()
    return np.asarray(im)


def whole_png_pixels(px, kernel, settings, alpha=None, signed=False) -> np.ndarray:
    """What the app exported before: the whole photo filtered, mapped and encoded at once, decoded."""
    result = run_filter(px, kernel, settings)
    shown = signed_colormap(result.values) if signed else result.mapped.image
    a = None if alpha is None else output_alpha(alpha, np.shape(kernel), settings)
    return decode(imgkernel.encode_png(shown, a))


@pytest.mark.parametrize("true_convolution", [False, True])
@pytest.mark.parametrize("stride", [1, 3])
@pytest.mark.parametrize("mode", imgkernel.MODES)
def test_bands_of_any_height_are_the_whole_photo_result_bit_for_bit(mode, stride, true_convolution):
    checked = 0
    layouts = [(RGB, False), (RGB, True), (GRAY, False)]  # colour, its luminance, a gray photo
    for dilation, (photo, gray), (k, kernel) in itertools.product([1, 2], layouts, enumerate(KERNELS)):
        settings = Settings(
            mode=mode, cval=40.0, stride=stride, dilation=dilation, true_convolution=true_convolution, gray=gray
        )
        settings = settings.with_(divisor=3.0, offset=20.0) if k else settings
        whole = run_filter(photo, kernel, settings)
        pictures = {"clip": whole.mapped.image}  # the whole photo's pictures: the same for every band height
        for oor in ("abs", "rescale"):
            pictures[oor] = run_filter(photo, kernel, settings.with_(out_of_range=oor)).mapped.image
        for rows in ROWS:
            np.testing.assert_array_equal(
                stacked(fullres.response_bands(photo, kernel, settings, rows=rows)), whole.values
            )
            for oor, expected in pictures.items():
                s = settings.with_(out_of_range=oor)
                np.testing.assert_array_equal(stacked(fullres.picture_bands(photo, kernel, s, rows=rows)), expected)
            signed = stacked(fullres.picture_bands(photo, kernel, settings, signed=True, rows=rows))
            np.testing.assert_array_equal(signed, signed_colormap(whole.values))
            checked += 1
    assert checked == 2 * 3 * 2 * len(ROWS)  # nothing skipped: every combination is a valid filter here


@pytest.mark.parametrize(
    "settings",
    [
        Settings(),
        Settings(mode="wrap", stride=2, out_of_range="rescale"),
        Settings(mode="valid", stride=3, dilation=2),
        Settings(mode="constant", cval=255.0, true_convolution=True, out_of_range="abs"),
        Settings(gray=True, mode="mirror", normalise=True),
        Settings(linear=True, mode="constant", cval=200.0, out_of_range="rescale"),
        Settings(linear=True, gray=True, offset=20.0),
    ],
)
@pytest.mark.parametrize("layout", ["gray", "rgb", "rgb+alpha", "gray+alpha"])
@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("rows", [1, 5, None])
def test_the_png_decodes_to_the_pixels_of_the_whole_photo_path(settings, layout, signed, rows):
    px = RGB if layout.startswith("rgb") else GRAY
    alpha = RNG.integers(0, 256, px.shape[:2], dtype=np.uint8) if layout.endswith("alpha") else None
    kernel = KERNELS[1]
    data = fullres.filtered_png(px, kernel, settings, alpha=alpha, signed=signed, rows=rows)
    np.testing.assert_array_equal(decode(data), whole_png_pixels(px, kernel, settings, alpha, signed))


FFT_PHOTO = RNG.integers(0, 256, (700, 41, 3), dtype=np.uint8)  # taller than one row of FFT tiles
FFT_KERNEL = RNG.normal(size=(15, 15))


@pytest.mark.parametrize(
    "settings",
    [
        Settings(),
        Settings(mode="wrap", true_convolution=True),
        Settings(mode="mirror", out_of_range="rescale"),
        Settings(mode="constant", cval=9.0, gray=True),
        Settings(linear=True, mode="constant", cval=90.0),
    ],
)
def test_fft_bands_are_its_rows_of_tiles_and_give_the_same_bits(settings):
    assert auto_method(FFT_PHOTO, FFT_KERNEL, mode=settings.mode) == "fft"  # what run_filter uses here
    bands = list(fullres.response_bands(FFT_PHOTO, FFT_KERNEL, settings, rows=1))
    assert len(bands) >= 2  # several rows of tiles, whatever ``rows`` asked for
    whole = run_filter(FFT_PHOTO, FFT_KERNEL, settings)
    np.testing.assert_array_equal(stacked(bands), whole.values)
    np.testing.assert_array_equal(
        decode(fullres.filtered_png(FFT_PHOTO, FFT_KERNEL, settings)), whole_png_pixels(FFT_PHOTO, FFT_KERNEL, settings)
    )


@pytest.mark.parametrize(("mode", "stride", "dilation"), [("reflect", 1, 1), ("wrap", 3, 1), ("valid", 2, 2)])
@pytest.mark.parametrize("method", ["direct", "separable", "fft"])
def test_every_method_band_by_band_equals_that_method_on_the_whole_photo(method, mode, stride, dilation):
    gaussian = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0  # rank 1: every method applies
    settings = Settings(mode=mode, stride=stride, dilation=dilation)
    whole = imgkernel.correlate(FFT_PHOTO, gaussian, mode=mode, stride=stride, dilation=dilation, method=method)
    bands = list(fullres.response_bands(FFT_PHOTO, gaussian, settings, rows=13, method=method))
    assert len(bands) >= 2
    np.testing.assert_array_equal(stacked(bands), whole)


@pytest.mark.parametrize("mode", ["reflect", "wrap", "constant", "valid"])
@pytest.mark.parametrize("dilation", [1, 2])
def test_direct_as_matrix_products_band_by_band_gives_the_same_bits(monkeypatch, mode, dilation):
    """Where the engine's model picks ``direct_gemm`` (big photos), bands of any height still give the whole run's
    bits: it is chosen once for the photo and every output row gets the same arithmetic wherever a band starts."""
    monkeypatch.setattr(engine, "calibration", lambda: engine.Model(ns_per_pass=1.0, ns_per_mac=0.001))
    monkeypatch.setattr(engine, "CALIBRATE_MIN_VALUES", 0)
    used = []
    real = _tiles.direct_gemm
    monkeypatch.setattr(_tiles, "direct_gemm", lambda *a: used.append(1) or real(*a))
    settings = Settings(mode=mode, dilation=dilation, cval=30.0)
    kernel = KERNELS[1]
    whole = run_filter(FFT_PHOTO, kernel, settings)
    assert used, "run_filter did not use direct_gemm"
    for rows in (1, 2, 7, 13, None):
        used.clear()
        np.testing.assert_array_equal(
            stacked(fullres.response_bands(FFT_PHOTO, kernel, settings, rows=rows)), whole.values
        )
        assert used


@pytest.mark.parametrize("mode", ["reflect", "wrap", "valid"])
def test_separable_column_products_band_by_band_give_the_same_bits(monkeypatch, mode):
    """``separable``'s column pass as matrix products (big photos): the same bits for bands of any height."""
    monkeypatch.setattr(engine, "calibration", lambda: engine.Model(ns_per_pass=1.0, ns_per_mac=0.001))
    monkeypatch.setattr(engine, "CALIBRATE_MIN_VALUES", 0)
    g = np.exp(-0.5 * (np.arange(-3, 4) / 1.2) ** 2)
    kernel = np.outer(g, g * [1, -1, 2, 1, 2, -1, 1])
    settings = Settings(mode=mode)
    assert fullres._plan(FFT_PHOTO, kernel, settings, "auto").plan.gemm  # what run_filter uses here
    whole = run_filter(FFT_PHOTO, kernel, settings)
    for rows in (1, 2, 7, 13, None):
        np.testing.assert_array_equal(
            stacked(fullres.response_bands(FFT_PHOTO, kernel, settings, rows=rows)), whole.values
        )
        np.testing.assert_array_equal(
            stacked(fullres.picture_bands(FFT_PHOTO, kernel, settings, rows=rows)), whole.mapped.image
        )


def test_float_and_bool_photos_and_the_same_refusals_as_run_filter():
    floats = RNG.normal(size=(31, 9)).astype(np.float64) * 300
    np.testing.assert_array_equal(
        stacked(fullres.picture_bands(floats, KERNELS[0], rows=4)), run_filter(floats, KERNELS[0]).mapped.image
    )
    mask = RGB[:, :, 0] > 128
    np.testing.assert_array_equal(
        stacked(fullres.response_bands(mask, KERNELS[0], rows=3)), run_filter(mask, KERNELS[0]).values
    )
    floats[20, 3] = np.nan
    with pytest.raises(imgkernel.KernelError, match="not a finite number"):
        fullres.filtered_png(floats, KERNELS[0])
    for bad, kernel in [(Settings(mode="valid"), np.ones((30, 3))), (Settings(divisor=0.0), KERNELS[0])]:
        with pytest.raises(imgkernel.KernelError) as whole_error:
            run_filter(RGB, kernel, bad)
        with pytest.raises(imgkernel.KernelError) as band_error:
            fullres.response_bands(RGB, kernel, bad)  # refused before any band is made
        assert str(band_error.value) == str(whole_error.value)


def test_the_band_path_needs_a_fraction_of_the_whole_photo_paths_memory():
    """A 2000 x 1500 RGB export (tracemalloc: NumPy's arrays and the PNG's bytes): the whole-photo path holds float32
    responses, the 8-bit picture and PNG's filtered rows at once (~5 bytes a sample); bands hold the PNG and one
    band's arrays."""
    h, w = 1500, 2000
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    photo = np.dstack([x * 0.1, y * 0.15, (x + y) * 0.05]) + RNG.normal(0, 6, (h, w, 3))
    photo = np.clip(photo, 0, 255).astype(np.uint8)  # a gradient with sensor-like noise: the PNG compresses a little
    del x, y
    kernel = imgkernel.get("sharpen").matrix()

    def peak(make) -> tuple[int, bytes]:
        tracemalloc.start()
        try:
            data = make()
            return tracemalloc.get_traced_memory()[1], data
        finally:
            tracemalloc.stop()

    whole_peak, whole_png = peak(lambda: imgkernel.encode_png(run_filter(photo, kernel).mapped.image))
    band_peak, band_png = peak(lambda: fullres.filtered_png(photo, kernel))
    np.testing.assert_array_equal(decode(band_png), decode(whole_png))
    samples = photo.size
    assert whole_peak > 4 * samples  # the float32 responses alone are 4 bytes a sample
    assert band_peak < 0.5 * whole_peak
    assert band_peak - len(band_png) < 8 * fullres.BAND_BYTES  # beyond the PNG itself: a few bands' worth
