"""The fast PNG encoder against Pillow's decoder (an independent reader): exact pixels for every layout."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from imgkernel.formats.png import PngWriter, encode_png


def decode(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()  # checks every chunk's CRC and the deflate stream
    return im


@pytest.mark.parametrize(
    ("shape", "alpha", "mode"),
    [
        ((7, 5), False, "L"),
        ((7, 5), True, "LA"),
        ((7, 5, 3), False, "RGB"),
        ((7, 5, 3), True, "RGBA"),
        ((1, 1, 3), False, "RGB"),
        ((1, 300), False, "L"),
    ],
)
@pytest.mark.parametrize("level", [0, 1, 3])
def test_every_layout_decodes_to_the_same_pixels(shape, alpha, mode, level):
    rng = np.random.default_rng(sum(shape) + level)
    px = rng.integers(0, 256, shape, dtype=np.uint8)
    a = rng.integers(0, 256, shape[:2], dtype=np.uint8) if alpha else None
    im = decode(encode_png(px, a, level=level))
    assert im.mode == mode and im.size == (shape[1], shape[0])
    expected = px if a is None else np.dstack([px, a])
    np.testing.assert_array_equal(np.asarray(im).reshape(expected.shape), expected)


@settings(max_examples=60, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40), st.sampled_from([3]))))
def test_any_rgb_picture_round_trips(px):
    np.testing.assert_array_equal(np.asarray(decode(encode_png(px))), px)


def test_a_photo_compresses_like_pillow_and_non_contiguous_input_works():
    photo = np.asarray(Image.open(Path(__file__).resolve().parents[1] / "assets" / "chelsea.png").convert("RGB"))
    ours = encode_png(photo[:, ::-1])  # a mirrored view, not contiguous
    np.testing.assert_array_equal(np.asarray(decode(ours)), photo[:, ::-1])
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, format="PNG", compress_level=1)
    assert len(ours) < 1.1 * len(buf.getvalue())


@pytest.mark.parametrize(
    ("px", "alpha"),
    [
        (np.zeros((3, 3), np.float32), None),
        (np.zeros((3, 3, 2), np.uint8), None),
        (np.zeros((3, 3, 3), np.uint8), np.zeros((2, 3), np.uint8)),
    ],
)
def test_wrong_input_is_refused_plainly(px, alpha):
    with pytest.raises(ValueError, match="expected uint8|alpha has shape"):
        encode_png(px, alpha)


def write_in_bands(px: np.ndarray, alpha: np.ndarray | None, cuts: list[int], level: int = 1) -> bytes:
    samples = (1 if px.ndim == 2 else px.shape[2]) + (alpha is not None)
    writer = PngWriter(px.shape[1], px.shape[0], samples, level=level)
    for r0, r1 in zip([0, *cuts], [*cuts, px.shape[0]], strict=True):
        writer.add(px[r0:r1], None if alpha is None else alpha[r0:r1])
    return writer.finish()


@pytest.mark.parametrize(
    ("shape", "alpha", "cuts"),
    [
        ((9, 5), False, [1, 2, 3, 4, 5, 6, 7, 8]),  # one row per band: every row filtered against the band above
        ((9, 5), True, [4]),
        ((9, 5, 3), False, [3, 7]),
        ((9, 5, 3), True, [1, 8]),
        ((1, 4, 3), True, []),
        ((300, 257, 3), False, [1, 100, 101, 299]),  # big enough for several deflate outputs (IDAT chunks)
    ],
)
@pytest.mark.parametrize("level", [0, 1, 3])
def test_a_png_written_band_by_band_decodes_to_the_same_pixels(shape, alpha, cuts, level):
    rng = np.random.default_rng(sum(shape) + level + len(cuts))
    px = rng.integers(0, 256, shape, dtype=np.uint8)
    px[len(px) // 2 :] //= 7  # some runs, so the row filter and deflate both matter
    a = rng.integers(0, 256, shape[:2], dtype=np.uint8) if alpha else None
    data = write_in_bands(px, a, cuts, level)
    expected = px if a is None else np.dstack([px, a])
    np.testing.assert_array_equal(np.asarray(decode(data)).reshape(expected.shape), expected)
    assert data[:33] == encode_png(px, a, level=level)[:33]  # the same signature and header
    if shape[0] == 300:
        assert data.count(b"IDAT") >= 2  # the stream split over chunks as it came out


def test_band_by_band_stays_close_to_the_whole_picture_in_size():
    photo = np.asarray(Image.open(Path(__file__).resolve().parents[1] / "assets" / "chelsea.png").convert("RGB"))
    whole = encode_png(photo)
    bands = write_in_bands(photo, None, list(range(16, photo.shape[0], 16)))
    np.testing.assert_array_equal(np.asarray(decode(bands)), photo)
    assert len(bands) < 1.02 * len(whole)


def test_the_writer_refuses_rows_that_do_not_fit_and_an_unfinished_picture():
    writer = PngWriter(4, 3, 3)
    with pytest.raises(ValueError, match="rows of 5 x 3 samples"):
        writer.add(np.zeros((1, 5, 3), np.uint8))
    with pytest.raises(ValueError, match="4 x 1"):
        writer.add(np.zeros((1, 4), np.uint8))
    writer.add(np.zeros((2, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="4 rows for a PNG 3 rows high"):
        writer.add(np.zeros((2, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="only 2 of the PNG's 3 rows"):
        writer.finish()
    with pytest.raises(ValueError, match="samples per pixel"):
        PngWriter(4, 3, 5)
