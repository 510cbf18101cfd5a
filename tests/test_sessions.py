"""Several playground sessions at once in one process, sharing the process-wide caches (``app.cache``'s
st.cache_data functions): each sees only its own photo and kernel, and its results match the oracle.

AppTest swaps a process-global mock Runtime in and out around every run, so AppTest runs cannot overlap in
threads; the sessions are interleaved step by step instead (all alive at once, one cache), and the cached
layer itself is hammered from real threads. Real concurrent sessions: tests/browser/test_many_users.py.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import imgkernel
from app import cache
from app.state import Photo, digest_of
from tests.apptest import assert_shows, edit, ok, oracle, pick, png_bytes, start, state, upload

PRESETS = ["outline", "emboss", "box_blur", "sobel_left", "laplacian_8", "gaussian"]


def session_photo(i: int) -> np.ndarray:
    """A different image per session: its own colour, size and a bright square at its own place."""
    px = np.zeros((40 + 3 * i, 50 + 2 * i, 3), np.uint8)
    px[:] = ((37 * i) % 256, (91 * i + 40) % 256, (53 * i + 200) % 256)
    px[5 + i : 15 + i, 10:20] = 255
    return px


def session_steps(i: int, rounds: int = 3):
    """One session's actions; yields after each so that the sessions interleave."""
    preset = PRESETS[i % len(PRESETS)]
    px = session_photo(i)
    at = ok(upload(start(), f"s{i}.png", png_bytes(px)))
    yield
    for r in range(rounds):
        pick(at, "pg_kernel", "kernel", preset if r % 2 == 0 else "sharpen")
        k = state(ok(at))
        photo = state(at).photo
        assert photo.name == f"s{i}.png"
        np.testing.assert_array_equal(photo.pixels, px)
        assert k.name == (preset if r % 2 == 0 else "sharpen")
        np.testing.assert_array_equal(k.matrix, imgkernel.get(k.name).matrix())
        s = k.settings
        assert_shows(at, oracle(px, k.matrix, mode=s.mode, divisor=s.divisor, offset=s.offset), clip_tolerance=2)
        yield
    # a custom weight on top of the last preset: the session's own edit
    edit(at, 0, 0, float(i + 1))
    k = state(ok(at))
    assert k.name == "custom" and k.matrix[0, 0] == i + 1
    assert_shows(at, oracle(px, k.matrix, divisor=k.settings.divisor, offset=k.settings.offset), clip_tolerance=2)


def test_interleaved_sessions_never_see_each_others_photo_or_kernel():
    sessions = [session_steps(i) for i in range(8)]
    while sessions:
        for s in list(sessions):
            if next(s, "done") == "done":
                sessions.remove(s)


def test_the_shared_caches_give_each_thread_its_own_result():
    """cache.filtered and cache.result_view from 8 threads at once, several rounds, overlapping photos, kernels."""
    photos = [Photo(f"p{i}", digest_of(session_photo(i)), session_photo(i)) for i in range(8)]
    kernels = [imgkernel.get(p).matrix() for p in PRESETS]

    def work(i: int) -> None:
        for r in range(6):
            photo, kernel = photos[(i + r) % len(photos)], kernels[(i * 3 + r) % len(kernels)]
            result = cache.filtered(photo, kernel, imgkernel.Settings())
            np.testing.assert_allclose(result.values, oracle(photo.pixels, kernel), atol=1e-3)
            v = cache.result_view(photo, kernel, imgkernel.Settings(), "clip")
            assert (v.height, v.width) == result.values.shape[:2] and v.low == pytest.approx(result.values.min())

    with ThreadPoolExecutor(max_workers=8) as pool:
        for f in [pool.submit(work, i) for i in range(8)]:
            f.result()  # re-raises a thread's failed assertion
