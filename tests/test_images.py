"""The loader against the corpus of hostile and odd files, plus the helpers that turn results back into files."""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import random
import struct
import tempfile
import tracemalloc

import numpy as np
import pytest
from PIL import EpsImagePlugin, Image, ImageFile

from imgkernel import limits
from imgkernel.formats.images import (
    ACCEPTED,
    EXTENSIONS,
    ImageLoadError,
    describe_pixels,
    load_image,
    resize_long_side,
    to_gray,
    to_pil,
)
from imgkernel.formats.png import encode_png
from imgkernel.limits import MAX_JPEG_SCANS
from tests.corpus import corpus, png_bytes, progressive_jpeg, save, scaled16, solid

CORPUS = corpus()
OK_FILES = [f for f in CORPUS.values() if f.ok]
REFUSED_FILES = [f for f in CORPUS.values() if not f.ok]


def load(f, source=None):
    kwargs = {} if f.max_pixels is None else {"max_pixels": f.max_pixels}
    return load_image(f.data if source is None else source, **kwargs)


def assert_probes(values: np.ndarray, probes, tol: int = 0) -> None:
    for (y, x), expected in probes:
        got = np.asarray(values[y, x], dtype=int)
        diff = np.abs(got - np.asarray(expected, dtype=int))
        assert diff.max() <= tol, f"pixel ({y}, {x}) is {got.tolist()}, expected {expected} (tolerance {tol})"


@pytest.mark.parametrize("f", OK_FILES, ids=lambda f: f.name)
def test_readable_files_load_as_8bit_with_expected_shape_alpha_and_pixels(f):
    _, shape, has_alpha = f.expect
    img = load(f)
    assert img.pixels.dtype == np.uint8
    assert img.pixels.shape == shape
    assert not img.pixels.flags.writeable and img.pixels.flags.c_contiguous
    assert (img.width, img.height) == (shape[1], shape[0])
    assert img.is_gray == (len(shape) == 2)
    assert_probes(img.pixels, f.probes, f.tol)
    if has_alpha:
        assert img.alpha is not None
        assert img.alpha.dtype == np.uint8 and img.alpha.shape == shape[:2]
        assert not img.alpha.flags.writeable
        assert_probes(img.alpha, f.alpha_probes)
    else:
        assert img.alpha is None


# Pillow warns (once) about headers over its own 89 MP threshold before our limit refuses them.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("f", REFUSED_FILES, ids=lambda f: f.name)
def test_unreadable_files_are_refused_with_a_plain_message(f):
    with pytest.raises(ImageLoadError) as info:
        load(f)
    message = str(info.value)
    assert f.expect[1] in message
    assert ACCEPTED in message  # says what would work
    for jargon in ("Traceback", "Error", "Exception", "<_io", "PIL", "0x"):
        assert jargon not in message
    assert isinstance(info.value, ValueError)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_loading_the_whole_corpus_never_writes_files(monkeypatch):
    real_open = builtins.open

    def read_only_open(file, mode="r", *args, **kwargs):
        assert set(mode) <= set("rbt"), f"opened {file!r} with mode {mode!r}"
        return real_open(file, mode, *args, **kwargs)

    def no_temp_files(*args, **kwargs):
        raise AssertionError("a temporary file was created")

    monkeypatch.setattr(builtins, "open", read_only_open)
    for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_temp_files)
    monkeypatch.setattr(os, "open", no_temp_files)
    for f in CORPUS.values():
        with contextlib.suppress(ImageLoadError):
            load(f)


def damaged_variants(data: bytes, seed: int) -> list[bytes]:
    """Every short prefix, 40 longer ones, and 100 copies with 1 to 4 random bytes overwritten."""
    rng = random.Random(seed)
    cuts = sorted(set(range(min(len(data), 120))) | {len(data) * k // 40 for k in range(40)})
    variants = [data[:c] for c in cuts]
    for _ in range(100):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        variants.append(bytes(b))
    return variants


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning", "ignore::UserWarning")  # Pillow's
@pytest.mark.parametrize("f", OK_FILES, ids=lambda f: f.name)
def test_damaged_copies_load_or_are_refused_but_never_crash(f):
    refused = 0
    for i, variant in enumerate(damaged_variants(f.data, seed=len(f.name))):
        try:
            img = load(f, variant)
        except ImageLoadError as exc:
            assert ACCEPTED in str(exc)
            refused += 1
        else:
            assert img.pixels.dtype == np.uint8 and img.pixels.ndim in (2, 3), f"variant {i}"
    assert refused > 0  # at least the empty and the short prefixes


def test_corpus_files_are_small_and_uniquely_named():
    assert len(CORPUS) >= 50 and len(REFUSED_FILES) >= 20  # both kinds, or a parametrised test runs on nothing
    assert all(len(f.data) < 16_000 for f in CORPUS.values())
    assert len({f.filename for f in CORPUS.values()}) == len(CORPUS)


def test_every_readable_corpus_file_has_an_accepted_extension():
    assert {f.filename.rsplit(".", 1)[1].lower() for f in OK_FILES} <= set(EXTENSIONS)


def test_formats_are_reported():
    assert load(CORPUS["mpo"]).format == "MPO"  # a phone's multi-picture JPEG, opened as its first picture
    assert load(CORPUS["cmyk_jpeg"]).original_mode == "CMYK"
    assert load(CORPUS["gray16_png"]).original_mode == "I;16"
    assert load(CORPUS["float_tiff"]).original_mode == "F"
    assert load(CORPUS["webp_lossless"]).format == "WEBP"


def test_progressive_jpeg_matches_pillows_own_decode():
    data = CORPUS["jpeg_progressive"].data
    expected = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    np.testing.assert_array_equal(load_image(data).pixels, expected)


def with_padding_before_scans(data: bytes, first_marker_at: int) -> bytes:
    """``data`` (a JPEG) with comment segments after SOI so that its first FF DA starts at ``first_marker_at``."""
    pad = first_marker_at - data.index(b"\xff\xda")
    segments = []
    while pad:
        size = min(pad, 65537) if pad - min(pad, 65537) not in (1, 2, 3) else pad - 4  # each 4..65537 bytes
        segments.append(b"\xff\xfe" + struct.pack(">H", size - 2) + b"\0" * (size - 4))
        pad -= size
    return data[:2] + b"".join(segments) + data[2:]


@pytest.mark.parametrize("split", [0, 1, 2])  # FF DA before, across and after the 1 MiB read boundary
def test_scan_limit_counts_markers_across_read_boundaries(split):
    boundary = 1 << 20
    over = with_padding_before_scans(progressive_jpeg(MAX_JPEG_SCANS + 1), boundary - split)
    assert over.index(b"\xff\xda") == boundary - split
    with pytest.raises(ImageLoadError, match="scans"):
        load_image(over)
    at = with_padding_before_scans(progressive_jpeg(MAX_JPEG_SCANS), boundary - split)
    assert load_image(at).pixels.shape == (16, 16, 3)


def test_16bit_gray_scales_every_value_like_the_definition():
    values = np.arange(0, 65536, 7, dtype=np.uint16)
    values[-1] = 65535
    img = load_image(save(Image.fromarray(values.reshape(1, -1)), "PNG"))
    expected = np.array([scaled16(int(v)) for v in values])
    assert img.pixels[0, 0] == 0 and img.pixels[0, -1] == 255
    np.testing.assert_array_equal(img.pixels[0], expected)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([-3e38, 0, 3e38], [0, 128, 255]),  # a range that overflows float32
        ([1000, 1000.5, 1010], [0, 13, 255]),  # offset data keeps its precision: 0.5 / 10 * 255 = 12.75
        ([7, 7, 7], [7, 7, 7]),  # within 0..255: kept
        ([300, 300, 300], [0, 0, 0]),  # flat and out of range: no division by zero
    ],
)
def test_float_ranges_are_stretched_exactly(values, expected):
    data = save(Image.fromarray(np.array([values], np.float32)), "TIFF")
    assert load_image(data).pixels[0].tolist() == expected


def test_header_bomb_is_refused_without_allocating():
    data = CORPUS["png_header_100000x100000"].data
    tracemalloc.start()
    try:
        with pytest.raises(ImageLoadError):
            load_image(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # the claimed image is 30 GB of RGB


def test_compressed_bomb_is_refused_before_decoding():
    f = CORPUS["png_zeros_bomb"]
    tracemalloc.start()
    try:
        with pytest.raises(ImageLoadError, match="over the limit"):
            load(f)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # decoding would need 9 MB


def test_the_pixel_limit_is_inclusive():
    data = save(solid((1, 2, 3), (7, 3)), "PNG")
    assert load_image(data, max_pixels=21).pixels.shape == (3, 7, 3)
    with pytest.raises(ImageLoadError, match="over the limit of 20 pixels"):
        load_image(data, max_pixels=20)


def test_the_default_limit_comes_from_limits():
    w = 10_000
    h = limits.MAX_PIXELS // w  # a header exactly at the limit is not refused for its size...
    with pytest.raises(ImageLoadError) as at_limit:
        load_image(png_bytes(w, h, 8, 0, b""))
    assert "over the limit" not in str(at_limit.value)  # ...it fails later, for its missing pixels
    with pytest.raises(ImageLoadError, match="over the limit"):
        load_image(png_bytes(w, h + 1, 8, 0, b""))


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1 pixel"),
        (4096, "4,096 pixels"),
        (1_000_000, "1 megapixel"),
        (12_345_678, "12.3 megapixels"),
        (50_000_000, "50 megapixels"),
    ],
)
def test_pixel_counts_read_naturally(n, text):
    assert describe_pixels(n) == text


@pytest.mark.parametrize("bad", [0, -5])
def test_max_pixels_must_be_positive(bad):
    with pytest.raises(ValueError, match="at least 1"):
        load_image(CORPUS["1x1"].data, max_pixels=bad)


@pytest.mark.parametrize("bad", [1.5, "100", None, True])
def test_max_pixels_must_be_an_integer(bad):
    with pytest.raises(TypeError, match="integer"):
        load_image(CORPUS["1x1"].data, max_pixels=bad)


def test_max_pixels_accepts_numpy_integers():
    assert load_image(CORPUS["1x1"].data, max_pixels=np.int64(1)).pixels.shape == (1, 1, 3)


def test_eps_plugin_is_never_tried(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the EPS plugin (which runs Ghostscript) was tried")

    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", fail)
    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", fail)
    with pytest.raises(ImageLoadError, match="PostScript"):
        load_image(CORPUS["eps"].data)


def test_truncated_images_stay_refused_and_the_global_flag_is_untouched():
    with pytest.raises(ImageLoadError, match="incomplete"):
        load_image(CORPUS["truncated_jpeg"].data)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_bytes_like_sources(kind):
    img = load_image(kind(CORPUS["rgba_png"].data))
    assert img.pixels.shape == (2, 3, 3) and img.alpha is not None


def test_path_sources(tmp_path):
    path = tmp_path / "rgba.png"
    path.write_bytes(CORPUS["rgba_png"].data)
    by_path = load_image(path)
    by_str = load_image(str(path))
    from_bytes = load_image(CORPUS["rgba_png"].data)
    np.testing.assert_array_equal(by_path.pixels, from_bytes.pixels)
    np.testing.assert_array_equal(by_str.alpha, from_bytes.alpha)


def test_missing_path_and_directory_are_refused_plainly(tmp_path):
    with pytest.raises(ImageLoadError, match="Cannot open"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageLoadError, match="Cannot open"):
        load_image(tmp_path)


def test_file_object_not_at_start_is_read_whole_and_its_position_restored():
    f = io.BytesIO(CORPUS["exif_orientation_6"].data)
    f.seek(0, io.SEEK_END)  # an upload someone already read
    end = f.tell()
    img = load_image(f)
    assert img.pixels.shape == (12, 16, 3)
    assert f.tell() == end
    f.seek(10)
    load_image(f)
    assert f.tell() == 10


def test_real_file_object(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(CORPUS["exif_orientation_3"].data)
    with open(path, "rb") as fh:
        img = load_image(fh)
    assert_probes(img.pixels, CORPUS["exif_orientation_3"].probes, CORPUS["exif_orientation_3"].tol)


class OneShotStream(io.RawIOBase):
    """A pipe-like stream: readable once, not seekable."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, b):
        chunk = self._data.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)


def test_unseekable_stream():
    img = load_image(io.BufferedReader(OneShotStream(CORPUS["bmp"].data)))
    assert img.pixels.shape == (6, 8, 3)


def test_text_mode_file_is_refused(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"not really")
    with open(path) as fh, pytest.raises(ImageLoadError, match="binary"):
        load_image(fh)


def test_closed_file_is_refused():
    f = io.BytesIO(CORPUS["bmp"].data)
    f.close()
    with pytest.raises(ImageLoadError, match="Cannot read"):
        load_image(f)


def test_wrong_source_type():
    with pytest.raises(TypeError, match="bytes, a path or a binary file object"):
        load_image(123)


def test_streamlit_uploaded_file_even_after_it_was_read():
    # The real class (a BytesIO subclass); importing it does not start Streamlit, and imgkernel never imports it.
    from streamlit.proto.Common_pb2 import FileURLs
    from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

    f = CORPUS["palette_transparency_png"]
    upload = UploadedFile(UploadedFileRec("id", f.filename, "image/png", f.data), FileURLs())
    upload.read()
    img = load_image(upload)
    assert img.alpha is not None and img.alpha[0, 3] == 0
    assert upload.read() == b""  # its position was left where the app had it


def test_load_does_not_modify_the_callers_bytes():
    data = bytearray(CORPUS["rgba_png"].data)
    before = bytes(data)
    load_image(data)
    assert bytes(data) == before


def test_to_pil_and_encode_png_round_trip_with_alpha():
    f = CORPUS["rgba_png"]
    img = load(f)
    back = load_image(encode_png(img.pixels, img.alpha))
    np.testing.assert_array_equal(back.pixels, img.pixels)
    np.testing.assert_array_equal(back.alpha, img.alpha)
    gray = load(CORPUS["la_png"])
    pil = to_pil(gray.pixels, gray.alpha)
    assert pil.mode == "LA"
    np.testing.assert_array_equal(np.asarray(pil)[..., 1], gray.alpha)
    assert to_pil(img.pixels).mode == "RGB"
    assert load_image(encode_png(gray.pixels)).alpha is None


def test_to_pil_refuses_alpha_of_another_size():
    with pytest.raises(ValueError, match="alpha has shape"):
        to_pil(np.zeros((5, 10, 3), np.uint8), np.zeros((10, 20), np.uint8))


def test_to_gray_matches_itu_601():
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    expected = rgb @ np.array([0.299, 0.587, 0.114])
    assert np.abs(to_gray(rgb).astype(float) - expected).max() <= 1
    gray = rgb[..., 0]
    assert to_gray(gray) is gray


@pytest.mark.parametrize(
    ("shape", "long_side", "expected"),
    [
        ((300, 400, 3), 100, (75, 100, 3)),
        ((400, 300), 100, (100, 75)),
        ((1000, 10, 3), 100, (100, 1, 3)),
        ((10, 1000), 7, (1, 7)),
        ((120, 80, 3), 90, (90, 60, 3)),
    ],
)
def test_resize_long_side_keeps_aspect(shape, long_side, expected):
    out = resize_long_side(np.zeros(shape, np.uint8), long_side)
    assert out.shape == expected and out.dtype == np.uint8


@pytest.mark.parametrize("long_side", [50, 51, 500])
def test_resize_long_side_never_upscales(long_side):
    a = np.arange(50 * 30, dtype=np.uint8).reshape(30, 50)
    assert resize_long_side(a, long_side) is a


def test_resize_long_side_refuses_a_zero_side():
    with pytest.raises(ValueError, match="at least 1"):
        resize_long_side(np.zeros((4, 4), np.uint8), 0)


def test_resize_long_side_preserves_a_flat_colour():
    a = np.full((200, 300, 3), (10, 200, 90), np.uint8)
    out = resize_long_side(a, 64)
    assert out.shape == (43, 64, 3)
    assert (out == (10, 200, 90)).all()
