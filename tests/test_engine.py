"""The engine against independent oracles: scipy.ndimage (padded modes) and a slow loop ('valid')."""

from __future__ import annotations

import json
import math
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.ndimage as ndi
import threadpoolctl
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import imgkernel
from imgkernel import _model_store, _tiles, engine, errors
from imgkernel.borders import border_index
from imgkernel.engine import KernelError, convolve, correlate, is_separable, output_shape, separable_factors
from imgkernel.formats import images

PADDED = ("reflect", "mirror", "nearest", "wrap", "constant")
COMPUTING = ("direct", "fft", "auto")  # "separable" only accepts rank-1 kernels, tested apart
RNG = np.random.default_rng(20260125)


def dilate(ker: np.ndarray, d: int) -> np.ndarray:
    """The kernel with d - 1 zeros inserted between taps."""
    kh, kw = ker.shape
    out = np.zeros((d * (kh - 1) + 1, d * (kw - 1) + 1))
    out[::d, ::d] = ker
    return out


def scipy_ref(image, ker, *, fn="correlate", mode="reflect", cval=0.0, stride=1, dilation=1) -> np.ndarray:
    """scipy.ndimage on float64, per channel, with the zero-inserted kernel, then the strided positions."""
    f = ndi.correlate if fn == "correlate" else ndi.convolve
    x = np.asarray(image, dtype=np.float64)
    dk = dilate(np.asarray(ker, dtype=np.float64), dilation)
    if x.ndim == 2:
        ref = f(x, dk, mode=mode, cval=cval)
    else:
        ref = np.stack([f(x[:, :, c], dk, mode=mode, cval=cval) for c in range(x.shape[2])], axis=-1)
    return ref[::stride, ::stride]


def valid_loop(image, ker, *, stride=1, dilation=1) -> np.ndarray:
    """The obvious definition of 'valid' correlation, one output pixel at a time."""
    x = np.asarray(image, dtype=np.float64)
    kh, kw = ker.shape
    oh = (x.shape[0] - dilation * (kh - 1) - 1) // stride + 1
    ow = (x.shape[1] - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((oh, ow, *x.shape[2:]))
    for i in range(oh):
        for j in range(ow):
            for u in range(kh):
                for v in range(kw):
                    out[i, j] += ker[u, v] * x[i * stride + u * dilation, j * stride + v * dilation]
    return out


def assert_close(got: np.ndarray, ref: np.ndarray) -> None:
    """Within 1e-4 of the value range (the engine's stated accuracy), same shape, float32.

    The range is taken as at least the largest magnitude, so a constant result (a 1x1 image) still
    gets float32's relative precision rather than an absolute 1e-4.
    """
    assert got.dtype == np.float32
    assert got.shape == ref.shape
    tol = 1e-4 * max(1.0, float(np.ptp(ref)), float(np.abs(ref).max()))
    np.testing.assert_allclose(got, ref, rtol=0, atol=tol)


def rand_image(h, w, c=3, dtype=np.uint8):
    shape = (h, w) if c == 0 else (h, w, c)
    if dtype == np.bool_:
        return RNG.random(shape) > 0.5
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return RNG.integers(max(info.min, -1000), min(info.max, 60000), shape, endpoint=True).astype(dtype)
    return (RNG.standard_normal(shape) * 50).astype(dtype)


# --------------------------------------------------------------------------------------------------
# agreement with scipy.ndimage


@pytest.mark.parametrize("fn", ["correlate", "convolve"])
@pytest.mark.parametrize("mode", PADDED)
@pytest.mark.parametrize("method", COMPUTING)
@pytest.mark.parametrize("kshape", [(3, 3), (4, 4), (2, 5), (1, 6), (6, 1), (1, 1), (5, 2)])
def test_matches_scipy_every_mode(fn, mode, method, kshape):
    img = rand_image(13, 17)
    ker = RNG.standard_normal(kshape)
    f = correlate if fn == "correlate" else convolve
    got = f(img, ker, mode=mode, cval=7.5, method=method)
    assert_close(got, scipy_ref(img, ker, fn=fn, mode=mode, cval=7.5))


@pytest.mark.parametrize("fn", ["correlate", "convolve"])
@pytest.mark.parametrize("mode", PADDED)
@pytest.mark.parametrize("kshape", [(3, 3), (4, 6), (1, 5), (7, 1)])
def test_separable_method_matches_scipy(fn, mode, kshape):
    img = rand_image(11, 14)
    ker = np.outer(RNG.standard_normal(kshape[0]), RNG.standard_normal(kshape[1]))
    f = correlate if fn == "correlate" else convolve
    assert_close(f(img, ker, mode=mode, cval=-3, method="separable"), scipy_ref(img, ker, fn=fn, mode=mode, cval=-3))


@pytest.mark.parametrize(
    "ker",
    [
        np.ones((4, 5)) / 20,  # box: one group of equal weights
        np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0,  # symmetric: pairs share a weight
        np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),  # sharpen: -1 group after the 5
        np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),  # outline: -1 is the biggest group
        np.array([[2, 2, -3], [2, 1, 1], [-3, 1, 2]]),  # several groups, none of them +-1 first
        np.array([[1, 0], [0, 1]]),
    ],
)
@pytest.mark.parametrize("method", ["direct", "separable"])
def test_kernels_with_repeated_weights(ker, method):
    """Taps sharing a weight are summed first: the result must not change."""
    if method == "separable" and not is_separable(ker):
        ker = np.outer(ker[0] + 0.5, ker[0] + 0.5)
    img = rand_image(14, 19)
    for mode in ("reflect", "constant"):
        got = correlate(img, ker, mode=mode, cval=4.0, stride=2, method=method)
        assert_close(got, scipy_ref(img, ker, mode=mode, cval=4.0, stride=2))


@pytest.mark.parametrize("fn", ["correlate", "convolve"])
@pytest.mark.parametrize("method", ["direct", "fft", "separable"])
@pytest.mark.parametrize("stride,dilation", [(2, 1), (3, 1), (1, 2), (2, 3), (4, 2)])
@pytest.mark.parametrize("kshape", [(3, 3), (2, 4)])
def test_stride_and_dilation(fn, method, stride, dilation, kshape):
    img = rand_image(19, 23)
    ker = RNG.standard_normal(kshape)
    if method == "separable":
        ker = np.outer(ker[:, 0], ker[0])
    f = correlate if fn == "correlate" else convolve
    for mode in ("reflect", "constant", "wrap"):
        got = f(img, ker, mode=mode, cval=2.0, stride=stride, dilation=dilation, method=method)
        assert_close(got, scipy_ref(img, ker, fn=fn, mode=mode, cval=2.0, stride=stride, dilation=dilation))


@pytest.mark.parametrize("method", ["direct", "fft", "auto"])
@pytest.mark.parametrize("stride,dilation", [(1, 1), (2, 1), (1, 2), (3, 2)])
@pytest.mark.parametrize("kshape", [(3, 3), (2, 5), (1, 1), (4, 1)])
def test_valid_mode_against_loop(method, stride, dilation, kshape):
    img = rand_image(12, 15)
    ker = RNG.standard_normal(kshape)
    got = correlate(img, ker, mode="valid", stride=stride, dilation=dilation, method=method)
    assert_close(got, valid_loop(img, ker, stride=stride, dilation=dilation))


def test_valid_mode_is_a_slice_of_scipy():
    img = rand_image(20, 21, 0)
    ker = RNG.standard_normal((5, 3))
    full = scipy_ref(img, ker)
    assert_close(correlate(img, ker, mode="valid"), full[2:-2, 1:-1])


def test_valid_convolve_flips_the_kernel():
    img = rand_image(9, 10)
    ker = RNG.standard_normal((3, 4))
    assert_close(convolve(img, ker, mode="valid"), valid_loop(img, ker[::-1, ::-1]))


@pytest.mark.parametrize("mode", PADDED)
@pytest.mark.parametrize("shape", [(1, 5), (5, 1), (2, 2), (1, 1), (3, 2)])
@pytest.mark.parametrize("kshape", [(5, 5), (7, 4), (1, 9)])
@pytest.mark.parametrize("method", ["direct", "fft"])
def test_kernel_bigger_than_tiny_image(mode, shape, kshape, method):
    """Borders repeat (reflect, mirror, wrap) beyond one image length exactly as scipy does."""
    img = rand_image(*shape, c=0)
    ker = RNG.standard_normal(kshape)
    for fn, f in (("correlate", correlate), ("convolve", convolve)):
        got = f(img, ker, mode=mode, cval=1.25, method=method)
        assert_close(got, scipy_ref(img, ker, fn=fn, mode=mode, cval=1.25))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64, np.bool_])
@pytest.mark.parametrize("channels", [0, 1, 3, 4])
def test_dtypes_and_channels(dtype, channels):
    img = rand_image(10, 12, channels, dtype)
    ker = RNG.standard_normal((3, 3))
    for method in ("direct", "fft"):
        got = correlate(img, ker, mode="mirror", method=method)
        assert got.shape == img.shape
        assert_close(got, scipy_ref(img, ker, mode="mirror"))


def test_input_is_not_modified_and_output_is_new():
    img = rand_image(8, 9, 3, np.float32)
    before = img.copy()
    out = correlate(img, np.ones((1, 1)), method="direct")
    np.testing.assert_array_equal(img, before)
    np.testing.assert_array_equal(out, img)
    assert not np.shares_memory(out, img)


def test_non_contiguous_input():
    base = rand_image(30, 40, 3, np.uint16)
    img = base[::2, ::-3, ::-1]
    ker = RNG.standard_normal((3, 2))
    assert_close(correlate(img, ker, mode="nearest"), scipy_ref(img, ker, mode="nearest"))


# --------------------------------------------------------------------------------------------------
# strips, tiles and threads: force many small pieces so every boundary is crossed


@pytest.fixture
def small_pieces(monkeypatch):
    """Tiny strips (a few rows), tiny FFT tiles and threads even for small images."""
    monkeypatch.setattr(_tiles, "STRIP_BYTES", 4 * 3 * 40 * 3)  # ~3 rows of a 40-wide RGB image
    monkeypatch.setattr(_tiles, "PARALLEL_MIN_VALUES", 0)
    monkeypatch.setattr(_tiles, "TILE_MAX", 16)
    monkeypatch.setattr(_tiles, "TILE_OVERHEAD", 0)


@pytest.mark.parametrize("method", ["direct", "separable", "fft"])
@pytest.mark.parametrize("h", [1, 2, 7, 29])
def test_strip_and_tile_boundaries(small_pieces, method, h):
    img = rand_image(h, 40)
    ker = np.outer(RNG.standard_normal(5), RNG.standard_normal(4))
    for mode in ("reflect", "constant", "wrap"):
        for stride in (1, 2, 3):
            got = correlate(img, ker, mode=mode, cval=9.0, stride=stride, method=method)
            assert_close(got, scipy_ref(img, ker, mode=mode, cval=9.0, stride=stride))


# direct_gemm, the matrix-product form of ``direct`` (auto picks it for big stride-1 jobs; called directly here so
# small images exercise it too)

GEMM_SHAPES = [(3, 3), (5, 5), (4, 4), (2, 5), (1, 1), (6, 1), (1, 6), (7, 3)]


def gemm(img, ker, mode="reflect", cval=0.0, dilation=1, strip_bytes=None) -> np.ndarray:
    g = engine._geometry(img, np.shape(ker), mode, np.float32(cval), 1, dilation, None)
    return _tiles.direct_gemm(g, np.asarray(ker, np.float64), strip_bytes)


@pytest.mark.parametrize("mode", PADDED)
@pytest.mark.parametrize("kshape", GEMM_SHAPES)
@pytest.mark.parametrize("dilation", [1, 2])
def test_direct_gemm_matches_scipy(mode, kshape, dilation):
    for h, c in ((1, 3), (2, 1), (3, 4), (5, 3), (9, 2), (30, 3)):  # every remainder of the 4-row groups
        img = rand_image(h, 17, c)
        ker = RNG.standard_normal(kshape)
        if kshape[1] > 2:
            ker[:, 1] = 0  # a column without taps is skipped
        assert_close(gemm(img, ker, mode, 7.5, dilation), scipy_ref(img, ker, mode=mode, cval=7.5, dilation=dilation))


@pytest.mark.parametrize("kshape", [(3, 3), (2, 4), (5, 1)])
def test_direct_gemm_valid_mode_against_loop(kshape):
    img = rand_image(14, 19, 3)
    ker = RNG.standard_normal(kshape)
    for dilation in (1, 2):
        assert_close(gemm(img, ker, "valid", dilation=dilation), valid_loop(img, ker, dilation=dilation))


def test_direct_gemm_zero_kernel_and_nan_free_short_groups():
    img = rand_image(7, 9, 3)
    assert not gemm(img, np.zeros((3, 3))).any()
    assert np.isfinite(gemm(img, RNG.standard_normal((3, 3)), strip_bytes=1)).all()


def test_direct_gemm_rows_do_not_depend_on_where_a_strip_starts(monkeypatch):
    """The same bits whatever the strip height or thread count: what lets a big photo be filtered band by band."""
    img = rand_image(61, 53, 3)
    ker = RNG.standard_normal((5, 4))
    monkeypatch.setattr(_tiles, "PARALLEL_MIN_VALUES", 0)
    first = gemm(img, ker, "wrap")
    for strip_bytes in (1, 4 * 3 * 53 * 3, 4 * 3 * 53 * 9, 1 << 20):
        np.testing.assert_array_equal(gemm(img, ker, "wrap", strip_bytes=strip_bytes), first)
    monkeypatch.setattr(_tiles, "WORKERS", 1)
    np.testing.assert_array_equal(gemm(img, ker, "wrap"), first)


def test_direct_gemm_computes_stride_one_only():
    g = engine._geometry(rand_image(9, 9), (3, 3), "reflect", np.float32(0), 2, 1, None)
    with pytest.raises(ValueError, match="stride 1"):
        _tiles.direct_gemm(g, np.ones((3, 3)))


# ``separable`` with its column pass as matrix products (auto picks it where the model finds it cheaper)


def separable_gemm(img, ker, mode="reflect", cval=0.0, dilation=1, strip_bytes=None) -> np.ndarray:
    g = engine._geometry(img, np.shape(ker), mode, np.float32(cval), 1, dilation, None)
    return _tiles.separable(g, separable_factors(ker), strip_bytes, gemm=True)


@pytest.mark.parametrize("mode", PADDED + ("valid",))
@pytest.mark.parametrize("kshape", [(3, 3), (5, 5), (4, 2), (1, 6), (7, 1), (9, 9)])
@pytest.mark.parametrize("dilation", [1, 2])
def test_separable_column_products_match_scipy(mode, kshape, dilation):
    img = rand_image(23, 19, 3)
    ker = np.outer(RNG.standard_normal(kshape[0]), RNG.standard_normal(kshape[1]))
    if mode == "valid":
        if dilation * (max(kshape) - 1) + 1 > 19:
            return
        assert_close(separable_gemm(img, ker, mode, dilation=dilation), valid_loop(img, ker, dilation=dilation))
    else:
        ref = scipy_ref(img, ker, mode=mode, cval=7.5, dilation=dilation)
        assert_close(separable_gemm(img, ker, mode, 7.5, dilation), ref)


def test_separable_column_products_do_not_depend_on_where_a_strip_starts(monkeypatch):
    img = rand_image(61, 53, 3)
    ker = np.outer(RNG.standard_normal(7), RNG.standard_normal(5))
    monkeypatch.setattr(_tiles, "PARALLEL_MIN_VALUES", 0)
    first = separable_gemm(img, ker, "wrap")
    assert np.isfinite(first).all()  # the zero rows below a short last group: no NaN from old memory
    for strip_bytes in (1, 4 * 3 * 59 * 3, 4 * 3 * 59 * 9, 1 << 20):
        np.testing.assert_array_equal(separable_gemm(img, ker, "wrap", strip_bytes=strip_bytes), first)
    monkeypatch.setattr(_tiles, "WORKERS", 1)
    np.testing.assert_array_equal(separable_gemm(img, ker, "wrap"), first)


def test_separable_column_products_compute_stride_one_only_and_auto_picks_them_where_cheaper(monkeypatch):
    g = engine._geometry(rand_image(9, 9), (3, 3), "reflect", np.float32(0), 2, 1, None)
    with pytest.raises(ValueError, match="stride 1"):
        _tiles.separable(g, (np.ones(3), np.ones(3)), gemm=True)
    monkeypatch.setattr(engine, "calibration", lambda: engine.Model(ns_per_pass=1.0, ns_per_mac=0.001))
    monkeypatch.setattr(engine, "CALIBRATE_MIN_VALUES", 0)
    img, ker = rand_image(40, 60), np.outer(*(2 * [np.exp(-0.5 * (np.arange(-4, 5) / 1.5) ** 2)]))
    for stride, products in ((1, True), (2, False)):  # strided: the kept rows only, by shift-and-add
        p = engine.plan(img, ker, "reflect", 0.0, stride, 1, "auto", None)
        assert p.method == "separable" and p.gemm is products
        assert_close(correlate(img, ker, stride=stride), scipy_ref(img, ker, stride=stride))


def blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"]


def test_blas_is_one_thread_during_products_and_given_back_after(machine_blas_threads):
    """OpenBLAS's threads would fight the engine's own; the limit is process-wide, so it must be given back, also
    when calls overlap (the first one to finish must not restore it under the other)."""
    before = blas_threads()
    seen = []
    with _tiles.one_blas_thread():
        seen.append(blas_threads())
        with _tiles.one_blas_thread():
            seen.append(blas_threads())
        seen.append(blas_threads())  # the inner one left: still limited for the outer one
    assert all(t == [1] * len(before) for t in seen)
    assert blas_threads() == before
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: gemm(rand_image(40, 300), RNG.standard_normal((3, 3))), range(8)))
    assert blas_threads() == before


def test_border_maps_never_step_up_by_more_than_one():
    """What lets ``_tiles._as_slice`` tell a plain run of rows from its two ends alone."""
    for mode in PADDED:
        for n in range(1, 12):
            for pad in ((0, 0), (1, 1), (3, 0), (0, 7), (15, 15)):
                steps = np.diff(_tiles._axis_map(n, pad, mode))
                assert steps.size == 0 or steps.max() <= 1, (mode, n, pad)


def test_fft_tiles_cover_every_position(small_pieces):
    img = rand_image(37, 45, 2)
    ker = RNG.standard_normal((6, 5))
    got = correlate(img, ker, mode="mirror", method="fft", dilation=2)
    assert_close(got, scipy_ref(img, ker, mode="mirror", dilation=2))
    got = correlate(img, ker, mode="valid", method="fft", stride=3)
    assert_close(got, valid_loop(img, ker, stride=3))


@pytest.mark.parametrize("method", ["direct", "separable", "fft"])
def test_very_wide_and_very_tall_images(method):
    ker = np.outer(RNG.standard_normal(3), RNG.standard_normal(4))
    for shape in ((3, 5000), (4000, 2)):
        img = rand_image(*shape, c=0)
        assert_close(correlate(img, ker, mode="reflect", method=method), scipy_ref(img, ker, mode="reflect"))


def test_threads_give_the_same_result_as_one(monkeypatch):
    img = rand_image(300, 200)
    ker = RNG.standard_normal((5, 5))
    g = engine._geometry(img, ker.shape, "reflect", np.float32(0), 1, 1, None)
    ways = (_tiles.direct, _tiles.direct_gemm, _tiles.fft)  # each way itself, on every thread and on 1
    threaded = [way(g, ker) for way in ways]
    monkeypatch.setattr(_tiles, "WORKERS", 1)
    for way, result in zip(ways, threaded, strict=True):
        np.testing.assert_array_equal(way(g, ker), result)


def test_an_error_inside_a_worker_reaches_the_caller(monkeypatch, small_pieces):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(_tiles, "accumulate", broken)
    with pytest.raises(RuntimeError, match="boom"):
        correlate(rand_image(40, 40), np.ones((3, 3)), method="direct")


def test_concurrent_callers_get_their_own_results(monkeypatch):
    """Several threads (Streamlit sessions) calling at once share the pool without mixing results."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(_tiles, "PARALLEL_MIN_VALUES", 0)
    monkeypatch.setattr(_tiles, "STRIP_BYTES", 4 * 3 * 30 * 2)
    images = [rand_image(25 + i, 30) for i in range(6)]
    ker = RNG.standard_normal((3, 4))
    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(lambda im: correlate(im, ker, method="direct"), images))
    for im, got in zip(images, results, strict=True):
        assert_close(got, scipy_ref(im, ker))


@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (40, 9, 3), (5,)])
def test_over_rows_visits_every_row_once(monkeypatch, shape):
    monkeypatch.setattr(_tiles, "STRIP_BYTES", 4 * 9 * 3 * 2)
    monkeypatch.setattr(_tiles, "PARALLEL_MIN_VALUES", 0)
    seen = np.zeros(shape[0], int)

    def task(r0, r1, scratch):
        assert scratch.shape[0] >= r1 - r0 and scratch.shape[1:] == shape[1:]
        np.add.at(seen, np.arange(r0, r1), 1)

    _tiles.over_rows(shape[0], shape[1:], task)
    np.testing.assert_array_equal(seen, 1)


@pytest.mark.parametrize("how", ["clip", "abs", "rescale"])
def test_strip_wise_mapping_equals_whole_array_mapping(monkeypatch, how):
    """imgkernel.mapping.to_uint8 runs over_rows strips; the result is the obvious whole-array one."""
    from imgkernel.mapping import to_uint8

    monkeypatch.setattr(_tiles, "STRIP_BYTES", 4 * 11 * 3 * 2)
    monkeypatch.setattr(_tiles, "PARALLEL_MIN_VALUES", 0)
    v = (RNG.standard_normal((23, 11, 3)) * 200 + 100).astype(np.float32)
    got = to_uint8(v, out_of_range=how)
    work = {"clip": v, "abs": np.abs(v), "rescale": (v - v.min()) * np.float32(255 / (v.max() - v.min()))}[how]
    np.testing.assert_array_equal(got.image, np.clip(work + np.float32(0.5), 0, 255).astype(np.uint8))
    if how == "clip":
        assert got.clipped_pixels == np.count_nonzero(((v < -0.5) | (v >= 255.5)).any(axis=2)) > 0


@pytest.mark.parametrize("method", ["direct", "separable", "fft"])
def test_peak_memory_is_below_three_images(method):
    """One call allocates less than 3x the float32 image (the output itself is 1x)."""
    img = rand_image(600, 800)
    ker = np.ones((9, 9)) if method == "separable" else RNG.standard_normal((9, 9))
    correlate(img[:50, :50], ker, method=method)  # warm up the thread pool outside the measurement
    tracemalloc.start()
    try:
        correlate(img, ker, method=method)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * img.size * 4


# --------------------------------------------------------------------------------------------------
# properties


small_images = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 12), st.integers(1, 12)),
    elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False),
)
kernels = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 5), st.integers(1, 5)),
    elements=st.floats(-10, 10, allow_nan=False, allow_infinity=False),
)
modes = st.sampled_from(PADDED)


@settings(max_examples=40, deadline=None)
@given(a=small_images, k=kernels, mode=modes, alpha=st.floats(-3, 3), method=st.sampled_from(COMPUTING))
def test_linearity(a, k, mode, alpha, method):
    b = np.flip(a, axis=0) + 1.0
    lhs = correlate(alpha * a + b, k, mode=mode, method=method)
    rhs = alpha * correlate(a, k, mode=mode, method=method) + correlate(b, k, mode=mode, method=method)
    tol = 1e-4 * max(1.0, float(np.ptp(rhs)), float(np.abs(k).sum() * 300))
    np.testing.assert_allclose(lhs, rhs, rtol=0, atol=tol)


@settings(max_examples=30, deadline=None)
@given(a=small_images, kh=st.integers(0, 3), kw=st.integers(0, 3), mode=modes, method=st.sampled_from(COMPUTING))
def test_identity_kernel(a, kh, kw, mode, method):
    ker = np.zeros((2 * kh + 1, 2 * kw + 1))
    ker[kh, kw] = 1.0
    np.testing.assert_allclose(correlate(a, ker, mode=mode, method=method), a, rtol=0, atol=1e-4 * 200)


@settings(max_examples=30, deadline=None)
@given(a=small_images, k=kernels, dy=st.integers(-5, 5), dx=st.integers(-5, 5), method=st.sampled_from(COMPUTING))
def test_shift_equivariance_in_wrap_mode(a, k, dy, dx, method):
    shifted_then_filtered = correlate(np.roll(a, (dy, dx), axis=(0, 1)), k, mode="wrap", method=method)
    filtered_then_shifted = np.roll(correlate(a, k, mode="wrap", method=method), (dy, dx), axis=(0, 1))
    tol = 1e-4 * max(1.0, float(np.abs(k).sum() * 200))
    np.testing.assert_allclose(shifted_then_filtered, filtered_then_shifted, rtol=0, atol=tol)


@settings(max_examples=30, deadline=None)
@given(
    a=small_images,
    mode=modes,
    col=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-5, 5, allow_nan=False)),
    row=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-5, 5, allow_nan=False)),
)
def test_methods_agree_on_rank1_kernels(a, mode, col, row):
    ker = np.outer(col, row)
    ref = correlate(a, ker, mode=mode, method="direct")
    tol = 1e-4 * max(1.0, float(np.abs(ker).sum() * 200))
    for method in ("fft", "auto") + (("separable",) if is_separable(ker) else ()):
        np.testing.assert_allclose(correlate(a, ker, mode=mode, method=method), ref, rtol=0, atol=tol)


@settings(max_examples=30, deadline=None)
@given(a=small_images, k=kernels, mode=st.sampled_from(PADDED + ("valid",)), stride=st.integers(1, 3))
def test_auto_equals_direct(a, k, mode, stride):
    try:
        ref = correlate(a, k, mode=mode, stride=stride, method="direct")
    except KernelError:  # kernel larger than the image in 'valid' mode
        with pytest.raises(KernelError):
            correlate(a, k, mode=mode, stride=stride, method="auto")
        return
    tol = 1e-4 * max(1.0, float(np.abs(k).sum() * 200))
    np.testing.assert_allclose(correlate(a, k, mode=mode, stride=stride), ref, rtol=0, atol=tol)


# --------------------------------------------------------------------------------------------------
# auto picks sensible methods (the cost model is measured; these are its clear-cut cases)


def test_auto_prefers_separable_for_rank1_and_fft_for_big_kernels(monkeypatch):
    picked = []
    real = {name: getattr(_tiles, name) for name in ("direct", "separable", "fft")}
    for name, fn in real.items():
        monkeypatch.setattr(_tiles, name, lambda *a, _n=name, _f=fn, **kw: picked.append(_n) or _f(*a, **kw))
    img = rand_image(200, 300)
    gauss = np.exp(-0.5 * (np.arange(-7, 8) / 2.5) ** 2)
    correlate(img, np.outer(gauss, gauss))
    correlate(img, RNG.standard_normal((31, 31)))
    correlate(img, RNG.standard_normal((3, 3)))
    assert picked == ["separable", "fft", "direct"]


# --------------------------------------------------------------------------------------------------
# bad arguments


GOOD_IMG = np.zeros((5, 6), np.uint8)


@pytest.mark.parametrize(
    "kwargs,words",
    [
        (dict(kernel=np.zeros((0, 3))), "empty"),
        (dict(kernel=[[1, np.nan]]), "not a finite number"),
        (dict(kernel=[[1, np.inf]]), "not a finite number"),
        (dict(kernel=[[1, 2], [3]]), "grid of numbers"),
        (dict(kernel=np.ones(3)), "2-D"),
        (dict(kernel=np.ones((2, 2, 2))), "2-D"),
        (dict(kernel=[["a", "b"]]), "grid of numbers"),
        (dict(image=np.array([[1.0, np.nan]])), "not a finite number"),
        (dict(image=np.array([[1.0, -np.inf]], np.float32)), "not a finite number"),
        (dict(image=np.zeros(5)), "2-D (H, W) or 3-D"),
        (dict(image=np.zeros((2, 2, 2, 2))), "2-D (H, W) or 3-D"),
        (dict(image=np.zeros((0, 4))), "empty"),
        (dict(image=np.array([["a", "b"]])), "real numbers"),
        (dict(image=np.ones((3, 3), complex)), "real numbers"),
        (dict(mode="same"), "Unknown border mode"),
        (dict(method="winograd"), "Unknown method"),
        (dict(stride=0), "stride"),
        (dict(stride=1.5), "stride"),
        (dict(stride=True), "stride"),
        (dict(dilation=0), "dilation"),
        (dict(dilation="2"), "dilation"),
        (dict(cval=np.nan), "cval"),
        (dict(cval="zero"), "cval"),
        (dict(kernel=np.ones((7, 3)), mode="valid"), "must fit"),
        (dict(kernel=np.ones((3, 3)), mode="valid", dilation=3), "must fit"),
        (dict(kernel=np.array([[1.0, 2.0], [3.0, 4.0]]), method="separable"), "rank-1"),
    ],
)
@pytest.mark.parametrize("fn", [correlate, convolve])
def test_bad_arguments_raise_kernel_error(fn, kwargs, words):
    args = dict(image=GOOD_IMG, kernel=np.ones((3, 3)))
    args.update(kwargs)
    image, kernel = args.pop("image"), args.pop("kernel")
    with pytest.raises(KernelError, match=words.replace("(", r"\(").replace(")", r"\)")):
        fn(image, kernel, **args)


def test_each_error_is_one_class_wherever_it_is_imported_from():
    assert engine.KernelError is errors.KernelError is imgkernel.KernelError
    assert images.ImageLoadError is errors.ImageLoadError is imgkernel.ImageLoadError
    assert issubclass(KernelError, ValueError) and issubclass(images.ImageLoadError, ValueError)  # documented


# --------------------------------------------------------------------------------------------------
# border modes: the index maps the engine pads with (and the walkthrough reads through) against numpy.pad

NP_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap"}  # scipy -> numpy words


@pytest.mark.parametrize("mode", PADDED)
@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_border_index_reads_what_numpy_pad_writes(mode, n):
    for before, after in [(0, 0), (1, 2), (n, n), (3 * n + 1, 2 * n + 3)]:  # also wider than the image
        got = border_index(np.arange(-before, n + after), n, mode)
        if mode == "constant":
            want = np.pad(np.arange(n), (before, after), constant_values=-1)  # -1: cval
        else:
            want = np.pad(np.arange(n), (before, after), mode=NP_PAD[mode])
        np.testing.assert_array_equal(got, want)


# --------------------------------------------------------------------------------------------------
# output shape


@pytest.mark.parametrize(
    "image_shape,kernel_shape,mode,stride,dilation,expected",
    [
        ((10, 7), (3, 3), "reflect", 1, 1, (10, 7)),
        ((10, 7), (3, 3), "reflect", 3, 1, (4, 3)),  # ceil(10/3), ceil(7/3)
        ((10, 7, 3), (5, 2), "wrap", 2, 4, (5, 4, 3)),
        ((10, 7), (3, 3), "valid", 1, 1, (8, 5)),
        ((10, 7), (3, 3), "valid", 2, 1, (4, 3)),  # floor((10-3)/2)+1, floor((7-3)/2)+1
        ((10, 7), (3, 2), "valid", 1, 3, (4, 4)),  # spans 7 and 4
        ((10, 7, 4), (1, 1), "valid", 4, 1, (3, 2, 4)),
    ],
)
def test_output_shape_formula(image_shape, kernel_shape, mode, stride, dilation, expected):
    assert output_shape(image_shape, kernel_shape, mode=mode, stride=stride, dilation=dilation) == expected
    img = np.zeros(image_shape, np.uint8)
    got = correlate(img, np.ones(kernel_shape), mode=mode, stride=stride, dilation=dilation)
    assert got.shape == expected


def test_output_shape_rejects_kernel_too_big_for_valid():
    with pytest.raises(KernelError, match="must fit"):
        output_shape((4, 4), (5, 1), mode="valid")


# --------------------------------------------------------------------------------------------------
# separability


@pytest.mark.parametrize(
    "kernel,expected",
    [
        (np.outer([1, 2, 1], [1, 0, -1]), True),  # Sobel
        (np.ones((4, 7)), True),  # box
        (np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]), False),  # sharpen
        (np.array([[1.0, 2.0], [3.0, 4.0]]), False),
        (np.zeros((3, 3)), False),
        (np.ones((1, 5)), True),
    ],
)
def test_is_separable(kernel, expected):
    assert is_separable(kernel) is expected


def test_separable_factors_rebuild_the_kernel():
    ker = np.outer([1.0, 4.0, 6.0, 4.0, 1.0], [-1.0, 0.0, 1.0])
    col, row = separable_factors(ker)
    np.testing.assert_allclose(np.outer(col, row), ker, atol=1e-12)
    assert col[np.argmax(np.abs(col))] > 0


def test_auto_method_follows_the_documented_crossovers():
    """What ``method="auto"`` picks (README: direct for small kernels, separable for rank-1 ones, FFT for big)."""
    rng = np.random.default_rng(11)
    photo = rng.integers(0, 256, (300, 451, 3), dtype=np.uint8)
    assert imgkernel.auto_method(photo, rng.normal(size=(3, 3))) == "direct"
    gauss = imgkernel.get("gaussian").matrix({"size": 15, "sigma": 2.5})
    assert imgkernel.auto_method(photo, gauss) == "separable"
    assert imgkernel.auto_method(photo, rng.normal(size=(21, 21))) == "fft"
    for k, gemm in ((3, False), (5, True)):  # how direct runs: shift-and-add, then matrix products
        ker = rng.normal(size=(k, k))
        g = engine._geometry(photo, ker.shape, "reflect", np.float32(0), 1, 1, None)
        assert imgkernel.auto_method(photo, ker) == "direct" and engine.direct_as_gemm(ker, g) is gemm
    with pytest.raises(imgkernel.KernelError):
        imgkernel.auto_method(photo, np.ones((3, 3)), mode="bogus")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# auto on the machine it runs on: the calibration (timings are never asserted, only bounds and counts)


@pytest.fixture
def fresh_calibration(monkeypatch, tmp_path):
    """A process that has not calibrated yet, on a machine that never did (an empty cache folder); the real
    calibration runs when asked (counted)."""
    monkeypatch.setattr(engine, "_calibrated", None)
    monkeypatch.delenv(engine.CALIBRATE_ENV, raising=False)
    monkeypatch.setenv(_model_store.CACHE_ENV, str(tmp_path / "cache"))
    calls = []
    real = engine._measure_model
    monkeypatch.setattr(engine, "_measure_model", lambda: calls.append(1) or real())
    return calls


def test_calibration_runs_once_per_process_and_is_bounded(fresh_calibration):
    first = engine.calibration()
    assert engine.calibration() is first and engine.calibration() is first
    assert len(fresh_calibration) == 1
    assert 0 < first.seconds < 2.0  # a guard against a runaway calibration, not a speed test
    assert first.strip_bytes in engine._STRIP_CHOICES and first.tile_max in engine._TILE_CHOICES
    measured = (first.ns_per_pass, first.ns_per_mac, first.ns_per_fft_unit)
    assert all(math.isfinite(v) and v > 0 for v in measured)
    # the fixed cost per FFT call is an intercept: on a busy machine it may come out as 0, never below
    assert math.isfinite(first.fft_fixed_ns) and first.fft_fixed_ns >= 0


def test_concurrent_first_calls_calibrate_once(fresh_calibration):
    with ThreadPoolExecutor(4) as pool:
        models = list(pool.map(lambda _: engine.calibration(), range(8)))
    assert len(fresh_calibration) == 1
    assert all(m is models[0] for m in models)


@pytest.fixture
def measured(monkeypatch, tmp_path):
    """As ``fresh_calibration``, with a stand-in measurement (distinct figures each time, no timing): the store's
    tests are about what is kept and read, not about measuring."""
    monkeypatch.setattr(engine, "_calibrated", None)
    monkeypatch.delenv(engine.CALIBRATE_ENV, raising=False)
    monkeypatch.setenv(_model_store.CACHE_ENV, str(tmp_path / "cache"))
    calls = []

    def measure() -> engine.Model:
        calls.append(1)
        n = min(_tiles.workers(), engine._CALIBRATE_MAX_THREADS)
        return engine.Model(
            ns_per_pass=0.1 + len(calls) / 64, strip_bytes=1 << 19, tile_max=256, seconds=0.4, threads=n
        )

    monkeypatch.setattr(engine, "_measure_model", measure)
    return calls


def test_a_machine_calibrates_once_and_later_processes_read_it(measured, monkeypatch):
    """The next process (here: the process-wide model forgotten) reads the saved figures instead of measuring."""
    first = engine.calibration()
    monkeypatch.setattr(engine, "_calibrated", None)
    again = engine.calibration()
    assert len(measured) == 1
    assert again == first and again is not first
    monkeypatch.setattr(engine, "_calibrated", None)
    monkeypatch.setenv(engine.CALIBRATE_ENV, "measure")  # measure afresh, and replace what was saved
    assert engine.calibration() != first
    assert len(measured) == 2
    monkeypatch.setattr(engine, "_calibrated", None)
    monkeypatch.delenv(engine.CALIBRATE_ENV)
    assert engine.calibration() == engine.calibration() != first  # the new figures were kept


def test_a_calibration_saved_for_other_threads_is_not_used(measured, monkeypatch):
    engine.calibration()
    monkeypatch.setattr(engine, "_calibrated", None)
    with imgkernel.threads(1):
        assert engine.calibration().threads == 1
    assert len(measured) == 2


def _saved_file(tmp_path):
    (path,) = (tmp_path / "cache").glob("calibration-*.json")
    return path


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: "not json {",
        lambda d: json.dumps([1, 2]),
        lambda d: json.dumps({**d, "key": "another machine"}),
        lambda d: json.dumps({**d, "model": {**d["model"], "ns_per_pass": "fast"}}),
        lambda d: json.dumps({**d, "model": {**d["model"], "ns_per_pass": True}}),
        lambda d: json.dumps({**d, "model": {**d["model"], "ns_per_mac": 0}}),
        lambda d: json.dumps({**d, "model": {**d["model"], "fft_fixed_ns": -1.0}}),
        lambda d: json.dumps({**d, "model": {**d["model"], "strip_bytes": 12345}}),
        lambda d: json.dumps({**d, "model": {**d["model"], "tile_max": 1 << 40}}),
        lambda d: json.dumps({**d, "model": {**d["model"], "threads": 64}}),
        lambda d: json.dumps({**d, "model": {k: v for k, v in d["model"].items() if k != "seconds"}}),
        lambda d: json.dumps(d).replace(str(d["model"]["ns_per_pass"]), "NaN"),
        lambda d: json.dumps(d).replace(str(d["model"]["ns_per_pass"]), "1e400"),
    ],
)
def test_a_spoilt_saved_calibration_is_measured_again_and_replaced(measured, monkeypatch, tmp_path, spoil):
    """The file is the user's to edit or break: anything but what the engine wrote is ignored, never trusted."""
    first = engine.calibration()
    path = _saved_file(tmp_path)
    path.write_text(spoil(json.loads(path.read_text())))
    monkeypatch.setattr(engine, "_calibrated", None)
    model = engine.calibration()
    assert len(measured) == 2
    assert model.strip_bytes in engine._STRIP_CHOICES and model.threads == first.threads
    assert json.loads(path.read_text())["model"]["ns_per_pass"] == model.ns_per_pass  # replaced


def test_an_unwritable_cache_folder_only_means_measuring_each_time(measured, monkeypatch, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv(_model_store.CACHE_ENV, str(blocked / "cache"))  # a folder inside a file: never creatable
    engine.calibration()
    monkeypatch.setattr(engine, "_calibrated", None)
    engine.calibration()
    assert len(measured) == 2


def test_small_jobs_never_calibrate(fresh_calibration):
    """The app's first screen (default photo, 0.14 MP) and previews never wait for a calibration."""
    photo = rand_image(300, 451)
    for k in (3, 9, 31):
        imgkernel.auto_method(photo, RNG.standard_normal((k, k)))
        correlate(photo, RNG.standard_normal((k, k)))
    assert fresh_calibration == []


def test_calibration_can_be_switched_off(fresh_calibration, monkeypatch):
    monkeypatch.setenv(engine.CALIBRATE_ENV, "0")
    assert engine.calibration() is engine.REFERENCE
    assert fresh_calibration == []


@pytest.mark.parametrize(
    "model",
    [
        engine.REFERENCE,
        engine.Model(ns_per_pass=0.01, ns_per_fft_unit=10.0, fft_fixed_ns=1e9, strip_bytes=1 << 18, tile_max=256),
        engine.Model(ns_per_pass=10.0, ns_per_fft_unit=0.01, fft_fixed_ns=0.0, strip_bytes=1 << 20, tile_max=320),
    ],
    ids=["reference", "slow-fft", "slow-direct"],
)
def test_calibrated_choice_is_valid_and_results_unchanged(monkeypatch, model):
    """Whatever a machine measures, auto picks an applicable method and the values stay scipy's."""
    monkeypatch.setattr(engine, "calibration", lambda: model)
    monkeypatch.setattr(engine, "CALIBRATE_MIN_VALUES", 0)  # every job uses the (fake) calibrated model
    img = rand_image(70, 90)
    gauss = np.outer(*(2 * [np.exp(-0.5 * (np.arange(-3, 4) / 1.5) ** 2)]))
    for ker in (RNG.standard_normal((3, 3)), RNG.standard_normal((9, 9)), gauss):
        picked = imgkernel.auto_method(img, ker)
        assert picked in ("direct", "fft") + (("separable",) if is_separable(ker) else ())
        assert_close(correlate(img, ker), scipy_ref(img, ker))
    if model.ns_per_pass > model.ns_per_fft_unit:
        assert imgkernel.auto_method(img, RNG.standard_normal((9, 9))) == "fft"
    elif model.fft_fixed_ns > 1e6:
        assert imgkernel.auto_method(img, RNG.standard_normal((9, 9))) == "direct"


@pytest.mark.parametrize("method", ["direct", "fft", "separable"])
def test_forcing_a_method_still_works_with_a_calibration(monkeypatch, method):
    model = engine.Model(ns_per_pass=10.0, ns_per_fft_unit=0.01, fft_fixed_ns=0.0, strip_bytes=4 * 3 * 50, tile_max=32)
    monkeypatch.setattr(engine, "calibration", lambda: model)
    monkeypatch.setattr(engine, "CALIBRATE_MIN_VALUES", 0)
    called = []
    for name in [method] + (["direct_gemm"] if method == "direct" else []):  # direct: either implementation
        real = getattr(_tiles, name)
        monkeypatch.setattr(_tiles, name, lambda *a, real=real, **kw: called.append(a) or real(*a, **kw))
    img = rand_image(61, 50)
    ker = np.outer([1.0, 2.0, 1.0], [1.0, 0.0, -1.0]) if method == "separable" else RNG.standard_normal((5, 5))
    assert_close(correlate(img, ker, method=method), scipy_ref(img, ker))
    assert len(called) == 1 and called[0][-1] in (model.strip_bytes, model.tile_max)  # the calibrated sizes


@pytest.mark.parametrize("stride", [1, 2])
def test_direct_runs_as_matrix_products_where_the_model_finds_them_cheaper(monkeypatch, stride):
    """Big stride-1 jobs go to direct_gemm when it is cheaper; strided ones always shift and add."""
    monkeypatch.setattr(engine, "calibration", lambda: engine.Model(ns_per_pass=1.0, ns_per_mac=0.001))
    monkeypatch.setattr(engine, "CALIBRATE_MIN_VALUES", 0)
    called = []
    for name in ("direct", "direct_gemm"):
        real = getattr(_tiles, name)
        monkeypatch.setattr(_tiles, name, lambda *a, real=real, name=name: called.append(name) or real(*a))
    img, ker = rand_image(40, 60), RNG.standard_normal((5, 5))
    assert_close(correlate(img, ker, stride=stride, method="direct"), scipy_ref(img, ker, stride=stride))
    assert imgkernel.auto_method(img, ker, stride=stride) == "direct"
    assert called == ["direct_gemm" if stride == 1 else "direct"]
