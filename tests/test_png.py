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

from imgkernel.png import encode_png


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
