"""The fused 8-bit path (``imgkernel.filter_uint8``, ``imgkernel.fused``) against ``run_filter``'s float path.

What is promised, and checked here on random photos, kernels and every option: ``filter_uint8`` gives
``run_filter``'s picture and figures bit for bit, whichever route it takes. The float32 route is ``run_filter``'s
very arithmetic; the exact int16 route is taken only where ``run_filter``'s float32 sums are exact (whole-number
or dyadic weights, its ``direct`` method), and is checked on its own too: ``run_filter``'s steps applied to the
exact sums computed another way.
"""

from __future__ import annotations

import contextlib
import tracemalloc
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import imgkernel
from imgkernel import _tiles, engine, fullres, fused
from imgkernel.mapping import Mapped, apply_scale, to_uint8
from imgkernel.pipeline import Settings, border_value, prepare, run_filter, scale_for

RNG = np.random.default_rng(26)


def figures(m: Mapped) -> tuple[float, float, int]:
    return m.low, m.high, m.clipped_pixels


def assert_same(got: Mapped, expected: Mapped) -> None:
    np.testing.assert_array_equal(got.image, expected.image)
    assert figures(got) == figures(expected)


def float_path(pixels: np.ndarray, kernel: np.ndarray, s: Settings, method: str) -> Mapped:
    """``run_filter``'s steps with the engine's ``method`` forced (``run_filter`` itself runs ``auto``)."""
    fn = engine.convolve if s.true_convolution else engine.correlate
    raw = fn(
        prepare(pixels, s),
        kernel,
        mode=s.mode,
        cval=border_value(s),
        stride=s.stride,
        dilation=s.dilation,
        method=method,  # type: ignore[arg-type]
    )
    return to_uint8(apply_scale(raw, scale_for(kernel, s), in_place=True), out_of_range=s.out_of_range)


def exact_reference(pixels: np.ndarray, kernel: np.ndarray, s: Settings, exact: fused.Exact) -> Mapped:
    """What the exact path promises, computed another way: the whole-number sums by the engine's float32
    ``direct`` method (exact: every sum is below 2**16), divided by the denominator in float32, then
    ``run_filter``'s scaling and mapping."""
    fn = engine.convolve if s.true_convolution else engine.correlate
    weights = exact.weights.astype(np.float64)  # as correlated: turned back for ``convolve`` to turn
    weights = weights[::-1, ::-1] if s.true_convolution else weights
    sums = fn(
        prepare(pixels, s), weights, mode=s.mode, cval=border_value(s), stride=s.stride, dilation=s.dilation,
        method="direct",
    )  # fmt: skip
    assert np.array_equal(sums, np.round(sums))  # whole numbers: exact
    if exact.denominator != 1:
        sums /= np.float32(exact.denominator)
    return to_uint8(apply_scale(sums, scale_for(kernel, s), in_place=True), out_of_range=s.out_of_range)


@contextlib.contextmanager
def small_strips():
    """Strips of a row or two, bands of a few rows and threads on tiny photos: every seam is exercised."""
    with (
        mock.patch.object(fused, "EXACT_STRIP_BYTES", 64),
        mock.patch.object(_tiles, "STRIP_BYTES", 256),
        mock.patch.object(_tiles, "PARALLEL_MIN_VALUES", 1),
        mock.patch.object(fullres, "BAND_BYTES", 512),
    ):
        yield


# --------------------------------------------------------------------------------------------------
# every option, random photos and kernels


def kernels() -> st.SearchStrategy[np.ndarray]:
    shape = st.tuples(st.integers(1, 5), st.integers(1, 5))
    ints = hnp.arrays(np.int64, shape, elements=st.integers(-4, 4))
    return st.one_of(
        ints.map(lambda k: k.astype(np.float64)),  # whole numbers: sharpen, emboss, Laplacians
        st.tuples(ints, st.integers(1, 5)).map(lambda a: a[0] / 2.0 ** a[1]),  # dyadic: 1/16 binomial blurs
        st.tuples(hnp.arrays(np.int64, shape, elements=st.integers(0, 9)), st.sampled_from([3, 7, 9, 12, 81])).map(
            lambda a: a[0] / a[1]  # other denominators: 1/9, 1/81 boxes
        ),
        st.tuples(  # rank 1 in whole numbers: Sobel, boxes, binomials (the exact path's column and row passes)
            hnp.arrays(np.int64, st.integers(1, 5), elements=st.integers(-3, 3)),
            hnp.arrays(np.int64, st.integers(1, 5), elements=st.integers(-3, 3)),
        ).map(lambda a: np.outer(*a).astype(np.float64)),
        hnp.arrays(np.float64, shape, elements=st.floats(-3, 3, allow_nan=False, width=32)),  # anything else
    )


photos = st.one_of(
    hnp.arrays(np.uint8, st.tuples(st.integers(1, 13), st.integers(1, 13), st.just(3))),
    hnp.arrays(np.uint8, st.tuples(st.integers(1, 13), st.integers(1, 13))),
    hnp.arrays(np.bool_, st.tuples(st.integers(1, 9), st.integers(1, 9))),
)
options = st.builds(
    Settings,
    mode=st.sampled_from(imgkernel.MODES),
    cval=st.sampled_from([0.0, 40.0, 255.0, 12.5, 300.0]),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    true_convolution=st.booleans(),
    divisor=st.sampled_from([1.0, 1.0, 4.0, 3.0, -2.0, 0.5]),
    offset=st.sampled_from([0.0, 0.0, 10.0, 127.5, -20.0]),
    normalise=st.booleans(),
    mean=st.booleans(),
    out_of_range=st.sampled_from(["clip", "abs", "rescale"]),
    gray=st.booleans(),
    linear=st.booleans(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pixels=photos, kernel=kernels(), s=options, seams=st.booleans())
def test_the_fused_picture_is_run_filters(pixels, kernel, s, seams):
    try:
        expected = run_filter(pixels, kernel, s).mapped
    except imgkernel.KernelError as exc:
        with pytest.raises(imgkernel.KernelError) as raised:
            fullres.filter_uint8(pixels, kernel, s)
        assert raised.value.code == exc.code
        return
    with small_strips() if seams else contextlib.nullcontext():
        got = fullres.filter_uint8(pixels, kernel, s)
        bare = fullres.filter_uint8(pixels, kernel, s, figures=False)
    assert_same(got, expected)
    np.testing.assert_array_equal(bare.image, got.image)  # the picture alone: the same bytes
    assert bare.clipped_pixels == 0 and (s.out_of_range == "rescale" or np.isnan(bare.low) and np.isnan(bare.high))
    exact = fullres._plan(pixels, kernel, s, "auto").exact
    if exact is None:
        event("float32")
        return
    formula = fused.IntegerSink(exact, scale_for(kernel, s), s.out_of_range, None).offset is not None
    event(f"exact, {'formula' if formula else 'float32 steps'}, {'separable' if exact.factors else 'full rank'}")
    assert not s.linear and pixels.dtype in (np.uint8, np.bool_) and exact.denominator & (exact.denominator - 1) == 0
    assert_same(got, exact_reference(pixels, kernel, s, exact))


@pytest.mark.parametrize(
    ("name", "s", "dyadic"),
    [
        ("sharpen", Settings(), True),
        ("emboss", Settings(mode="nearest"), True),
        ("outline", Settings(out_of_range="abs"), True),
        ("laplacian_8", Settings(out_of_range="rescale", mode="wrap"), True),
        ("ridge_4", Settings(mode="constant", cval=200.0, normalise=True), True),
        ("sobel_top", Settings(normalise=True), True),  # rank 1: exact only where run_filter runs ``direct``
        ("blur", Settings(), True),  # 1/16, rank 1 too
        ("box_blur", Settings(stride=2), False),  # 1/9: float32 weights are not ninths
    ],
)
@pytest.mark.parametrize("size", [(61, 47), (400, 600)])
def test_catalogue_kernels_on_a_photo(name, s, dyadic, size):
    photo = RNG.integers(0, 256, (*size, 3), dtype=np.uint8)
    kernel = imgkernel.get(name).matrix()
    job = fullres._plan(photo, kernel, s, "auto")
    assert (job.exact is not None) == (dyadic and job.plan.method == "direct")
    if name == "sharpen":
        assert job.exact is not None
    got = fullres.filter_uint8(photo, kernel, s)
    assert_same(got, run_filter(photo, kernel, s).mapped)
    if job.exact is not None:
        assert_same(got, exact_reference(photo, kernel, s, job.exact))


def test_float_kernels_fft_and_linear_bands_give_run_filters_bytes():
    photo = RNG.integers(0, 256, (700, 41, 3), dtype=np.uint8)  # taller than one row of FFT tiles
    kernel = RNG.normal(size=(15, 15))
    assert engine.auto_method(photo, kernel) == "fft"
    g = np.exp(-0.5 * ((np.arange(9) - 4) / 1.5) ** 2)
    for k, s in [
        (kernel, Settings()),
        (kernel, Settings(mode="wrap", out_of_range="rescale", true_convolution=True)),
        (np.outer(g, g) / g.sum() ** 2, Settings(linear=True, gray=True)),  # separable, decoded band by band
        (RNG.normal(size=(3, 4)), Settings(linear=True, mode="constant", cval=90.0, out_of_range="abs")),
    ]:
        assert fullres._plan(photo, k, s, "auto").exact is None
        with mock.patch.object(fullres, "BAND_BYTES", 41 * 3 * 4 * 50):  # linear: 14 bands of 50 rows
            assert_same(fullres.filter_uint8(photo, k, s), run_filter(photo, k, s).mapped)


# --------------------------------------------------------------------------------------------------
# the exact path's pieces


@pytest.mark.parametrize(
    ("kernel", "denominator", "factors"),
    [
        (np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float), 1, False),
        (np.outer([1, 2, 1], [1, 2, 1]) / 16, 16, True),
        (np.full((3, 3), 1 / 9), 9, True),
        (np.full((9, 9), 1 / 81), 81, True),
        (np.ones((15, 15)), 1, True),  # sums up to 57375: read as uint16
        (np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], float), 1, True),
        (np.array([[2 / 9, 1 / 3]]), 9, True),
        (np.array([[0.1, 0.2]]), 10, True),  # the doubles nearest to 1/10 and 1/5
    ],
)
def test_exact_kernel_finds_whole_numbers_over_a_common_denominator(kernel, denominator, factors):
    exact = fused.exact_kernel(kernel)
    assert exact is not None and exact.denominator == denominator
    np.testing.assert_array_equal(exact.weights / denominator, kernel)
    assert (exact.factors is not None) == factors
    if exact.factors is not None:
        np.testing.assert_array_equal(np.outer(*exact.factors), exact.weights)


@pytest.mark.parametrize(
    "kernel",
    [
        RNG.normal(size=(3, 3)),  # float weights
        np.array([[0.1 + 1e-12]]),  # near 1/10, but not the double nearest to it
        np.full((17, 17), 1.0),  # sums up to 73695: past 16 bits
        np.array([[100.0, -100.0, 100.0, 100.0]]),  # -25500..76500: neither int16 nor uint16
        np.full((3, 3), 1 / 263),  # denominator above 257
    ],
)
def test_exact_kernel_refuses_what_16_bits_cannot_hold_exactly(kernel):
    assert fused.exact_kernel(kernel) is None


def test_a_whole_number_border_value_widens_the_range():
    assert fused.exact_kernel(np.ones((1, 2)), 40.0).high == 510
    assert fused.exact_kernel(np.ones((1, 2)), 300.0).high == 600
    assert fused.exact_kernel(np.array([[1.0, -1.0]]), -300.0).low == -555
    assert fused.exact_kernel(np.ones((1, 2)), 12.5) is None


def test_sums_past_32767_wrap_in_int16_and_come_back_as_uint16():
    photo = np.full((40, 30, 3), 255, np.uint8)
    photo[::7] = RNG.integers(0, 256, (6, 30, 3), dtype=np.uint8)
    kernel = np.array([[100.0, 100.0], [57.0, 0.0]])  # sums up to 65535: int16 wraps, uint16 holds them
    for s in (Settings(normalise=True), Settings(divisor=300.0), Settings(out_of_range="rescale")):
        job = fullres._plan(photo, kernel, s, "auto")
        assert job.exact is not None and not job.exact.signed
        got = fullres.filter_uint8(photo, kernel, s)
        assert_same(got, exact_reference(photo, kernel, s, job.exact))
        assert_same(got, run_filter(photo, kernel, s).mapped)
        assert got.high == pytest.approx(255.0 * 257 / (257 if s.normalise else 300 if s.divisor == 300 else 1))


@pytest.mark.parametrize(
    ("name", "s", "k"),
    [
        ("sharpen", Settings(), 0),
        ("sharpen", Settings(out_of_range="abs"), 0),
        ("sobel_top", Settings(normalise=True), 128),
        ("emboss", Settings(offset=10.0), 10),
        ("box_blur", Settings(), None),  # divided by 9: float32 steps
        ("sharpen", Settings(divisor=2.0), None),
        ("sharpen", Settings(out_of_range="rescale"), None),
    ],
)
def test_the_integer_formula_is_used_only_where_it_gives_the_same_bytes(name, s, k):
    kernel = imgkernel.get(name).matrix()
    exact = fused.exact_kernel(kernel)
    assert exact is not None
    sink = fused.IntegerSink(exact, scale_for(kernel, s), s.out_of_range, (0.0, 1.0))
    assert sink.offset == k


def test_threads_and_strips_change_no_bit():
    photo = RNG.integers(0, 256, (90, 70, 3), dtype=np.uint8)
    for kernel in (imgkernel.get("sharpen").matrix(), np.full((5, 5), 1 / 25), RNG.normal(size=(4, 4))):
        with imgkernel.threads(1):
            one = fullres.filter_uint8(photo, kernel)
        with small_strips():
            many = fullres.filter_uint8(photo, kernel)
        assert_same(many, one)


def test_no_whole_image_float32_is_made(monkeypatch):
    monkeypatch.setenv(engine.CALIBRATE_ENV, "0")  # the calibration's own test images are not the point here
    photo = RNG.integers(0, 256, (1200, 1600, 3), dtype=np.uint8)
    float_bytes = photo.size * 4
    for kernel in (imgkernel.get("sharpen").matrix(), RNG.normal(size=(3, 3))):
        fullres.filter_uint8(photo[:64], kernel)  # the thread pool and the engine's first plan, not measured
        tracemalloc.start()
        try:
            fullres.filter_uint8(photo, kernel)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        # the uint8 result (a quarter of the float32 one) and a few strips per thread
        assert peak < 0.25 * float_bytes + _tiles.WORKERS * 6 * _tiles.STRIP_BYTES, (kernel, peak / float_bytes)
