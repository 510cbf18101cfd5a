"""Every message of kernels, numbers, files, photos, the engine and share links carries its code: each code of
``imgkernel.message_templates`` is raised (or returned) by the real function, with the same English as before."""

from __future__ import annotations

import io
import pickle
import struct
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image

from app import share
from app.later import Later
from imgkernel import catalogue, fullres, kernel_props, seed
from imgkernel.borders import MODE_RULES
from imgkernel.catalogue import get
from imgkernel.engine import correlate
from imgkernel.errors import ImageLoadError, KernelError
from imgkernel.formats.images import ACCEPTED, describe_pixels, load_image
from imgkernel.formats.kernel_io import at_cell, kernel_from_json, parse_matrix_text, parse_number, validate_matrix
from imgkernel.limits import MAX_JPEG_SCANS, MAX_KERNEL_JSON_BYTES
from imgkernel.mapping import check_divisor, to_uint8
from imgkernel.message_templates import TEMPLATES as ALL_TEMPLATES
from imgkernel.messages import Message
from imgkernel.numeric import finite
from imgkernel.pipeline import Settings, run_filter
from tests.corpus import corpus, png_bytes, progressive_jpeg

# this file's share of the library's templates (tests/test_messages_learn.py has the learning tools',
# tests/test_codegen.py the code export's, tests/test_batch.py the batches')
OTHER_FILES = ("acf", "fit", "sweep", "layer", "puzzle", "walk", "codegen", "batch", "conv", "onnx")
TEMPLATES = {c: t for c, t in ALL_TEMPLATES.items() if c.split("_")[0] not in OTHER_FILES}

IMG = np.zeros((4, 4), np.uint8)
WRONG: dict[str, Any] = {"x": "x", "abc": "abc"}  # values of the wrong type, on purpose
K = np.ones((3, 3))
REFUSAL = " Please choose a PNG, JPEG, WebP, AVIF, BMP, GIF or TIFF image of at most 50 megapixels."


def codes_in(message: Message) -> set[str]:
    """The message's code and those of the messages in its arguments."""
    found = {message.code}
    for value in message.params.values():
        if isinstance(value, Message):
            found |= codes_in(value)
    return found


def raised(fn: Callable[[], Any]) -> Message:
    with pytest.raises((KernelError, ImageLoadError)) as info:
        fn()
    assert info.value.message is not None, str(info.value)
    assert str(info.value) == info.value.message
    return info.value.message


def bmp(reserved: bytes = b"\0\0\0\0", depth: int = 24) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (2, 2), (255, 255, 255)).save(buf, "BMP")
    data = bytearray(buf.getvalue())
    data[6:10] = reserved
    data[28:30] = struct.pack("<H", depth)
    return bytes(data)


def half_png() -> bytes:
    buf = io.BytesIO()
    Image.effect_noise((64, 64), 50).save(buf, "PNG")
    return buf.getvalue()[:600]


CORPUS = corpus()
try:
    int("1" * 5000)
except ValueError as exc:  # Python's words for an integer of more than 4300 digits
    TOO_MANY_DIGITS = str(exc)

# (code, the call, its English text)
RAISED: list[tuple[str, Callable[[], Any], str]] = [
    # numbers
    ("number_empty", lambda: parse_number(""), "The cell is empty; type a number."),
    ("where_row_col", lambda: validate_matrix([[1, None]]), "The cell in row 1, column 2 is empty; type a number."),
    ("subject_at", lambda: parse_number(None, at_cell(2, 3)), "The cell in row 2, column 3 is empty; type a number."),
    ("number_bool", lambda: parse_number(True, what="divisor"), "The divisor holds true, which is not a number."),
    ("number_text_too_long", lambda: parse_number("1" * 41), "The cell holds too long a text to be a number."),
    (
        "number_not_numeric",
        lambda: parse_number("abc", what="offset"),
        "The offset holds 'abc', which is not a number.",
    ),
    ("number_wrong_type", lambda: parse_number([1]), "The cell does not hold a number."),
    ("number_nan", lambda: parse_number(float("nan"), what="value"), "The value is not a number (NaN)."),
    ("number_too_large", lambda: parse_number("1e7"), "The cell is too large: it must be between -1e+06 and 1e+06."),
    ("number_not_number_got", lambda: finite("x", "cval"), "The cval must be a number (got 'x')."),
    ("subject_named", lambda: finite(None, "gain"), "The gain must be a number (got None)."),
    (
        "number_not_finite_got",
        lambda: seed.sharpen_kernel(inner=float("inf")),
        "The inner weight must be a finite number (got inf).",
    ),
    (
        "subject_named_weight",
        lambda: seed.sobel_kernel("top", base=WRONG["x"]),
        "The base weight must be a number (got 'x').",
    ),
    # kernels
    ("kernel_not_rows", lambda: validate_matrix("abc"), "The kernel must be a list of rows of numbers."),
    ("kernel_empty", lambda: validate_matrix([]), "The kernel is empty; it needs at least one row and one column."),
    (
        "kernel_empty",
        lambda: correlate(IMG, np.zeros((0, 3))),
        "The kernel is empty; it needs at least one row and one column.",
    ),
    ("kernel_too_big", lambda: validate_matrix([[1] * 64]), "The kernel is too big: at most 63 x 63 cells."),
    (
        "kernel_ragged",
        lambda: validate_matrix([[1, 2], [3]]),
        "Every row of the kernel must have the same number of cells.",
    ),
    ("kernel_not_grid", lambda: correlate(IMG, WRONG["abc"]), "The kernel must be a grid of numbers."),
    (
        "kernel_not_2d",
        lambda: correlate(IMG, np.array([1, 2])),
        "The kernel must be 2-D (rows x columns); got 1 dimension.",
    ),
    (
        "kernel_not_2d",
        lambda: correlate(IMG, np.ones((1, 1, 1))),
        "The kernel must be 2-D (rows x columns); got 3 dimensions.",
    ),
    (
        "kernel_not_finite",
        lambda: correlate(IMG, np.array([[np.nan]])),
        "The kernel contains a value that is not a finite number (NaN or infinity).",
    ),
    (
        "kernel_not_finite_grid",
        lambda: kernel_props.dc_gain(np.array([[np.inf]])),
        "A kernel must be a non-empty 2-D grid of finite numbers.",
    ),
    # kernel files
    (
        "json_too_large",
        lambda: kernel_from_json(b" " * (MAX_KERNEL_JSON_BYTES + 1)),
        "The kernel file is too large (over 256 kB).",
    ),
    (
        "json_too_large",
        lambda: kernel_from_json(" " * (MAX_KERNEL_JSON_BYTES + 1)),
        "The kernel file is too large (over 256 kB).",
    ),
    ("json_not_utf8", lambda: kernel_from_json(b"\xff[[1]]"), "The kernel file is not text (UTF-8 JSON expected)."),
    ("json_not_text", lambda: kernel_from_json(5), "The kernel file must be JSON text."),  # type: ignore[arg-type]
    (
        "json_too_deep",
        lambda: kernel_from_json("[" * 100_000 + "]" * 100_000),
        "The kernel file is nested too deeply to be a kernel.",
    ),
    ("json_constant", lambda: kernel_from_json("[[NaN]]"), "The kernel file is not valid JSON (NaN is not a number)."),
    (
        "json_invalid",
        lambda: kernel_from_json("[[1,"),
        "The kernel file is not valid JSON (Expecting value: line 1 column 5 (char 4)).",
    ),
    (
        "json_invalid_other",
        lambda: kernel_from_json("[[" + "1" * 5000 + "]]"),
        f"The kernel file is not valid JSON ({TOO_MANY_DIGITS[:120]}).",
    ),
    (
        "json_wrong_shape",
        lambda: kernel_from_json('{"a": 1}'),
        'A kernel file must look like {"name": "my kernel", "matrix": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], '
        '"divisor": 1, "offset": 0}.',
    ),
    (
        "json_unknown_fields",
        lambda: kernel_from_json('{"matrix": [[1]], "bias": 2}'),
        "Unknown field(s) in the kernel file: 'bias'. Allowed: name, matrix, divisor, offset.",
    ),
    (
        "json_unknown_fields",
        lambda: kernel_from_json('{"matrix": [[1]], "a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}'),
        "Unknown field(s) in the kernel file: 'a', 'b', 'c', 'd', 'e', .... Allowed: name, matrix, divisor, offset.",
    ),
    (
        "json_matrix_not_rows",
        lambda: kernel_from_json('{"matrix": 5}'),
        '"matrix" must be a list of rows, each a list of numbers, e.g. [[0, -1, 0], ...].',
    ),
    ("json_matrix_not_2d", lambda: kernel_from_json("[[[1]]]"), '"matrix" must be 2-D: rows of plain numbers.'),
    (
        "json_matrix_not_number",
        lambda: kernel_from_json('[[1, "a"]]'),
        '"matrix" must hold numbers: row 1, column 2 holds "a".',
    ),
    ("json_name_not_text", lambda: kernel_from_json('{"matrix": [[1]], "name": 5}'), '"name" must be text.'),
    (
        "json_scaling_not_number",
        lambda: kernel_from_json('{"matrix": [[1]], "divisor": "2"}'),
        '"divisor" must be a number (got "2").',
    ),
    (
        "json_divisor_zero",
        lambda: kernel_from_json('{"matrix": [[1]], "divisor": 0}'),
        '"divisor" cannot be 0; use 1 to leave the values as they are.',
    ),
    (
        "subject_divisor",
        lambda: kernel_from_json('{"matrix": [[1]], "divisor": 1e9}'),
        "The divisor is too large: it must be between -1e+06 and 1e+06.",
    ),
    # pasted matrices
    ("paste_not_text", lambda: parse_matrix_text(5), "The pasted matrix must be text."),  # type: ignore[arg-type]
    (
        "paste_too_long",
        lambda: parse_matrix_text("1" * 200_001),
        "The pasted text is too long (over 200,000 characters) to be a kernel.",
    ),
    (
        "paste_empty",
        lambda: parse_matrix_text("  \n"),
        "The pasted text is empty; paste a matrix such as [[0, -1, 0], [-1, 5, -1], [0, -1, 0]].",
    ),
    (
        "paste_abbreviated",
        lambda: parse_matrix_text("[[1, ..., 2]]"),
        "The pasted matrix was shortened with '...' when it was printed; print it in full "
        "(in NumPy: np.set_printoptions(threshold=sys.maxsize)) and paste it again.",
    ),
    (
        "paste_array_unclosed",
        lambda: parse_matrix_text("np.array([[1, 2]]"),
        "The pasted array(...) has no closing ')'; paste the whole of it.",
    ),
    (
        "paste_brackets_misplaced",
        lambda: parse_matrix_text("1 2 ]"),
        "The brackets are unbalanced or misplaced: a bracketed matrix starts with '[' and ends with ']'.",
    ),
    (
        "paste_too_deep",
        lambda: parse_matrix_text("[[[1]]]"),
        "The pasted matrix is nested too deeply: a kernel is 2-D, e.g. [[1, 2], [3, 4]].",
    ),
    ("paste_unopened_bracket", lambda: parse_matrix_text("[1]]"), "The brackets are unbalanced: a ']' closes nothing."),
    (
        "paste_unclosed_bracket",
        lambda: parse_matrix_text("[[1, 2]"),
        "The brackets are unbalanced: a ']' is missing at the end.",
    ),
    ("paste_text_after", lambda: parse_matrix_text("[1, 2] x"), "There is text after the matrix's closing ']': 'x'."),
    (
        "paste_between_rows",
        lambda: parse_matrix_text("[[1], x [2]]"),
        "Between the rows of a [[...], [...]] matrix there may only be one comma, but there is 'x'; "
        "put every row in its own brackets.",
    ),
    (
        "paste_ragged",
        lambda: parse_matrix_text("[[1, 2], [3]]"),
        "Every row of the kernel must have the same number of cells. Row 1 has 2 cells and row 2 has 1.",
    ),
    (
        "paste_ragged",
        lambda: parse_matrix_text("1\n2 3"),
        "Every row of the kernel must have the same number of cells. Row 1 has 1 cell and row 2 has 2.",
    ),
    # the catalogue
    ("param_not_number", lambda: get("sharpen").matrix({"inner": "x"}), "Centre weight must be a number (got 'x')."),
    (
        "param_out_of_range",
        lambda: get("sharpen").matrix({"inner": 99}),
        "Centre weight must be between -10 and 20 (got 99).",
    ),
    (
        "param_not_whole",
        lambda: get("box_blur").matrix({"size": 2.5}),
        "Size (pixels) must be a whole number (got 2.5).",
    ),
    ("catalogue_unknown_param", lambda: get("sharpen").matrix({"zz": 1, "aa": 2}), "Sharpen has no parameter aa, zz."),
    (
        "catalogue_duplicate",
        lambda: catalogue._add(catalogue.CATALOGUE["sharpen"]),
        "The catalogue already has a kernel called 'sharpen'.",
    ),
    (
        "catalogue_unknown_kernel",
        lambda: get("nope"),
        f"No kernel called 'nope'; known kernels: {', '.join(catalogue.CATALOGUE)}.",
    ),
    # the engine
    (
        "engine_valid_too_small",
        lambda: correlate(np.zeros((2, 2)), K, mode="valid"),
        "In 'valid' mode the kernel (spanning 3 pixels with dilation 1) must fit inside the image (2 pixels); "
        "use a padded border mode or a smaller kernel.",
    ),
    (
        "pixel_count_plain",
        lambda: correlate(np.zeros((1, 9)), K, mode="valid", dilation=2),
        "In 'valid' mode the kernel (spanning 5 pixels with dilation 2) must fit inside the image (1 pixel); "
        "use a padded border mode or a smaller kernel.",
    ),
    ("engine_bad_stride", lambda: correlate(IMG, K, stride=0), "stride must be a whole number of at least 1 (got 0)."),
    (
        "engine_bad_dilation",
        lambda: correlate(IMG, K, dilation=True),
        "dilation must be a whole number of at least 1 (got True).",
    ),
    (
        "engine_unknown_mode",
        lambda: correlate(IMG, K, mode="bogus"),  # type: ignore[arg-type]
        "Unknown border mode 'bogus'; choose one of reflect, mirror, nearest, wrap, constant, valid.",
    ),
    (
        "engine_unknown_method",
        lambda: correlate(IMG, K, method="magic"),  # type: ignore[arg-type]
        "Unknown method 'magic'; choose one of auto, direct, separable, fft.",
    ),
    (
        "engine_separable_not_rank1",
        lambda: correlate(IMG, np.eye(3), method="separable"),
        "method='separable' needs a rank-1 kernel (an outer product of a column and a row).",
    ),
    (
        "image_not_2d",
        lambda: correlate(np.zeros(5), K),
        "The image must be 2-D (H, W) or 3-D (H, W, C); got 1 dimension.",
    ),
    (
        "image_not_2d",
        lambda: list(fullres.response_bands(np.zeros((2, 2, 2, 2)), K)),
        "The image must be 2-D (H, W) or 3-D (H, W, C); got 4 dimensions.",
    ),
    ("image_empty", lambda: correlate(np.zeros((0, 3)), K), "The image is empty."),
    (
        "image_not_real",
        lambda: correlate(np.zeros((2, 2), complex), K),
        "The image must hold real numbers, not complex128.",
    ),
    (
        "image_not_finite",
        lambda: correlate(np.array([[np.nan]]), np.ones((1, 1))),
        "The image contains a value that is not a finite number (NaN or infinity).",
    ),
    (
        "image_not_finite",
        lambda: list(fullres.response_bands(np.array([[0.0, np.inf]]), np.ones((1, 1)))),
        "The image contains a value that is not a finite number (NaN or infinity).",
    ),
    # divisor and mapping
    ("divisor_zero", lambda: check_divisor(0), "The divisor cannot be 0; use 1 to leave the values as they are."),
    ("divisor_too_small", lambda: check_divisor(1e-9), "The divisor must be at least 1e-06 in size (got 1e-09)."),
    (
        "subject_offset",
        lambda: run_filter(IMG, K, Settings(offset=float("nan"))),
        "The offset must be a finite number (got nan).",
    ),
    (
        "mapping_unknown_out_of_range",
        lambda: to_uint8(np.zeros(2), out_of_range="x"),  # type: ignore[arg-type]
        "Unknown out-of-range mapping 'x'; choose one of clip, abs, rescale.",
    ),
    # the original package's API
    (
        "seed_bad_image_shape",
        lambda: seed.apply_img_kernel(np.zeros((2, 2, 5), np.uint8), K),
        "Expected a gray, RGB or RGBA image; got an array of shape (2, 2, 5).",
    ),
    # photos
    ("image_file_empty", lambda: load_image(b""), "The file is empty (0 bytes)." + REFUSAL),
    (
        "image_too_many_pixels",
        lambda: load_image(png_bytes(10, 10, 8, 0, b""), max_pixels=50),
        "The image is 10 x 10 pixels (100 pixels), over the limit of 50 pixels. Please choose a PNG, JPEG, WebP, "
        "AVIF, BMP, GIF or TIFF image of at most 50 pixels.",
    ),
    (
        "megapixel_count_decimal",
        lambda: load_image(png_bytes(2000, 1500, 8, 0, b""), max_pixels=2_500_000),
        "The image is 2,000 x 1,500 pixels (3 megapixels), over the limit of 2.5 megapixels. Please choose "
        "a PNG, JPEG, WebP, AVIF, BMP, GIF or TIFF image of at most 2.5 megapixels.",
    ),
    (
        "image_tiff_compression",
        lambda: load_image(CORPUS["tiff_thunderscan"].data),
        "This TIFF uses an unusual compression (tiff_thunderscan) we do not decode." + REFUSAL,
    ),
    (
        "image_jpeg_scans",
        lambda: load_image(progressive_jpeg(MAX_JPEG_SCANS + 1)),
        f"This JPEG has over {MAX_JPEG_SCANS} scans, far more than any camera or editor writes; it would take very "
        "long to decode." + REFUSAL,
    ),
    (
        "image_bomb",
        lambda: load_image(CORPUS["png_header_100000x100000"].data, max_pixels=10**11),
        "The image claims to be enormous (a possible decompression bomb); it was not decoded. Please choose a PNG, "
        "JPEG, WebP, AVIF, BMP, GIF or TIFF image of at most 100000 megapixels.",
    ),
    (
        "image_truncated",
        lambda: load_image(half_png()),
        "The image file is incomplete: it ends too early (was the download or upload cut off?)." + REFUSAL,
    ),
    (
        "image_format_damaged",
        lambda: load_image(bmp(depth=7)),
        "The BMP file is damaged and cannot be decoded." + REFUSAL,
    ),
    (
        "image_damaged",
        lambda: load_image(bmp(b"\xff" * 4, depth=7)),
        "The image file is damaged and cannot be decoded." + REFUSAL,
    ),
    (
        "image_cannot_open",
        lambda: load_image("/nonexistent/photo.png"),
        "Cannot open the file '/nonexistent/photo.png': No such file or directory.",
    ),
    (
        "image_text_mode",
        lambda: load_image(io.StringIO("abc")),  # type: ignore[arg-type]
        "The file was opened as text; images must be read in binary mode.",
    ),
]

FILE_KINDS = [
    ("file_pdf", b"%PDF-1.4 binary \x80\x81", "a PDF document"),
    ("file_postscript", b"%!PS-Adobe-3.0", "a PostScript/EPS file"),
    ("file_eps", b"\xc5\xd0\xd3\xc6\x00\x00", "an EPS file"),
    ("file_zip", b"PK\x03\x04\x14\x00", "a ZIP archive (or an Office document)"),
    ("file_heic", b"\0\0\0\x18ftypheic\0\0\0\0", "a HEIC/HEIF photo (convert it to JPEG first)"),
    ("file_media", b"\0\0\0\x18ftypmp42\0\0\0\0", "a video or other media file"),
    ("file_svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "an SVG drawing (vector graphics)"),
    ("file_html", b"<!DOCTYPE html><html></html>", "a web page (HTML)"),
    ("file_text", b"just some notes\n", "a text file"),
    ("file_unrecognised", b"\x00\x01\x02\xff\xfe", "in a format we do not recognise"),
]

LINKS: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    # (code, query, decode's keywords, the notice)
    ("share_not_text", {"k": 5}, {}, "'k': not text."),
    ("share_link_too_long", {"k": "x" * 10}, {"max_chars": 5}, "The link is too long (11 characters; at most 5)."),
    ("share_link_too_long", {"k": ""}, {"max_chars": 0}, "The link is too long (1 character; at most 0)."),
    ("share_unknown_setting", {"zzz": "1"}, {}, "'zzz': unknown setting."),
    ("share_not_one_of", {"view": "x"}, {}, "view='x': not one of clip, abs, rescale, signed."),
    ("share_not_one_of", {"mode": "x"}, {}, "mode='x': not one of reflect, mirror, nearest, wrap, constant, valid."),
    ("share_no_such_sample", {"img": "x"}, {}, "img='x': no such sample photo."),
    ("share_custom_no_params", {"k": "custom", "m": "1", "p.a": "1"}, {}, "'p.a': a custom kernel has no parameters."),
    ("share_custom_no_matrix", {"k": "custom"}, {}, "k=custom without a matrix (m): the default kernel is used."),
    (
        "share_bad_matrix",
        {"k": "custom", "m": "1,x"},
        {},
        "m: The cell in row 1, column 2 holds 'x', which is not a number.",
    ),
    (
        "share_bad_matrix",
        {"k": "custom", "m": ";".join(["1"] * 64)},
        {},
        "m: The kernel is too big: at most 63 x 63 cells.",
    ),
    ("share_matrix_ignored", {"m": "1"}, {}, "m: a matrix is only read with k=custom."),
    ("share_no_such_kernel", {"k": "nope"}, {}, "k='nope': no such kernel."),
    ("share_no_such_param", {"k": "sharpen", "p.zz": "1"}, {}, "'p.zz': Sharpen has no such parameter."),
    ("share_bad_param", {"k": "sharpen", "p.inner": "x"}, {}, "'p.inner': The value holds 'x', which is not a number."),
    (
        "share_bad_param",
        {"k": "sharpen", "p.inner": "99"},
        {},
        "'p.inner': Centre weight must be between -10 and 20 (got 99.0).",
    ),
    ("share_bad_value", {"div": "0"}, {}, "div='0': The divisor cannot be 0; use 1 to leave the values as they are."),
    ("share_not_whole_in_range", {"stride": "99"}, {}, "stride='99': must be a whole number from 1 to 8."),
    ("share_not_bool", {"conv": "2"}, {}, "conv='2': must be 1 or 0."),
]


@pytest.mark.parametrize(("code", "call", "text"), RAISED, ids=[c for c, _, _ in RAISED])
def test_errors_carry_their_code_and_the_english_text(code: str, call: Callable[[], Any], text: str) -> None:
    message = raised(call)
    assert code in codes_in(message)
    assert message == text


@pytest.mark.parametrize(("code", "head", "what"), FILE_KINDS, ids=[c for c, _, _ in FILE_KINDS])
def test_a_file_that_is_not_an_image_is_named(code: str, head: bytes, what: str) -> None:
    message = raised(lambda: load_image(head))
    assert message.code == "image_refused"
    assert message.params["problem"].code == "image_not_an_image"
    assert message.params["problem"].params["what"].code == code
    assert message == f"This file is {what}, not an image." + REFUSAL


READ_FAILURES = ("image_cannot_read", "image_no_pixels", "image_out_of_memory")
PIXEL_COUNTS = [
    (1, "pixel_count", "1 pixel"),
    (4096, "pixel_count", "4,096 pixels"),
    (1_000_000, "megapixel_count", "1 megapixel"),
    (1_040_000, "megapixel_count", "1 megapixel"),
    (12_345_678, "megapixel_count_decimal", "12.3 megapixels"),
    (50_000_000, "megapixel_count", "50 megapixels"),
]


def test_photos_that_cannot_be_read_whatever_the_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(io.RawIOBase):
        def seekable(self) -> bool:
            return True

        def tell(self) -> int:
            return 0

        def seek(self, offset: int, whence: int = 0) -> int:
            return 0

        def read(self, size: int = -1) -> bytes:
            raise OSError("the disk is gone")

    message = raised(lambda: load_image(Broken()))  # type: ignore[arg-type]
    assert (message.code, message) == (READ_FAILURES[0], "Cannot read the file: the disk is gone.")

    class NoPixels:
        format, mode, size, info = "PNG", "RGB", (0, 5), dict[str, object]()

        def __enter__(self) -> NoPixels:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(Image, "open", lambda *a, **k: NoPixels())
    message = raised(lambda: load_image(b"\x89PNG\r\n\x1a\n"))
    assert message == "The image has no pixels (0 x 5)." + REFUSAL
    assert message.params["problem"].code == READ_FAILURES[1]

    def out_of_memory(*a: object, **k: object) -> None:
        raise MemoryError

    monkeypatch.setattr(Image, "open", out_of_memory)
    message = raised(lambda: load_image(b"\x89PNG\r\n\x1a\n"))
    assert message == "The image is too large to decode in the memory available." + REFUSAL
    assert message.params["problem"].code == READ_FAILURES[2]


@pytest.mark.parametrize(("n", "code", "text"), PIXEL_COUNTS)
def test_pixel_counts_are_messages(n: int, code: str, text: str) -> None:
    message = describe_pixels(n)
    assert (message.code, message) == (code, text)


def test_accepted_formats_and_border_rules_are_messages() -> None:
    assert (ACCEPTED.code, ACCEPTED) == ("image_accepted_formats", "PNG, JPEG, WebP, AVIF, BMP, GIF or TIFF")
    assert MODE_RULES["reflect"] == "mirror image of the border including the edge pixel (d c b a | a b c d | d c b a)"
    assert MODE_RULES["valid"] == "no padding: only positions where the whole kernel fits inside the image are computed"
    for mode, rule in MODE_RULES.items():
        assert rule.code == f"border_rule_{mode}"


@pytest.mark.parametrize(("code", "query", "kwargs", "notice"), LINKS, ids=[c for c, *_ in LINKS])
def test_share_link_notices_carry_their_msgid(
    code: str, query: dict[str, Any], kwargs: dict[str, Any], notice: str
) -> None:
    """The link format is the app's (``app.share``): its notices are the app's messages, said later by msgid."""
    _, notices = share.decode(query, **kwargs)
    assert notices == [notice]
    (message,) = notices
    assert isinstance(message, Later)
    assert message.msgid == share.NOTICES[code.removeprefix("share_")]


def test_every_share_notice_has_a_case_above() -> None:
    assert {c.removeprefix("share_") for c, *_ in LINKS} == set(share.NOTICES)


def test_catalogue_data_in_messages_comes_with_its_names() -> None:
    """A parameter's label and a kernel's title are catalogue data: the message names the kernel and parameter
    so an app can show its own translation of them."""
    message = raised(lambda: get("sharpen").matrix({"inner": 99}))
    assert {k: message.params[k] for k in ("label", "param", "kernel")} == {
        "label": "Centre weight",
        "param": "inner",
        "kernel": "sharpen",
    }
    (notice,) = share.decode({"k": "box_blur", "p.size": "2.5"})[1]
    assert isinstance(notice, Later)
    assert notice.values["reason"].params["kernel"] == "box_blur"
    message = raised(lambda: get("sharpen").matrix({"zz": 1}))
    assert (message.params["kernel"], message.params["title"]) == ("sharpen", "Sharpen")


def test_a_raised_error_survives_pickling_with_its_code_and_text() -> None:
    for call in (lambda: validate_matrix([[1, "x"]]), lambda: parse_matrix_text("[[1, 2], [3]]")):
        with pytest.raises(KernelError) as info:
            call()
        back = pickle.loads(pickle.dumps(info.value))
        assert type(back) is KernelError
        assert (back.code, str(back)) == (info.value.code, str(info.value))
        assert codes_in(back.message) == codes_in(info.value.message)  # type: ignore[arg-type]
    with pytest.raises(ImageLoadError) as image_info:
        load_image(b"%PDF-1.4")
    back_image = pickle.loads(pickle.dumps(image_info.value))
    assert (type(back_image), back_image.code, str(back_image)) == (
        ImageLoadError,
        "image_refused",
        str(image_info.value),
    )
    notices = share.decode({"k": "nope", "div": "0"})[1]
    assert [(m.msgid, m) for m in pickle.loads(pickle.dumps(notices))] == [
        (share.NOTICES["no_such_kernel"], "k='nope': no such kernel."),
        (share.NOTICES["bad_value"], "div='0': The divisor cannot be 0; use 1 to leave the values as they are."),
    ]


def test_every_code_has_a_case_above() -> None:
    """Each case checks that its code comes out of its call; together they cover every template."""
    covered = {c for c, *_ in RAISED} | {c for c, *_ in FILE_KINDS}
    covered |= {c for _, c, _ in PIXEL_COUNTS} | set(READ_FAILURES)
    covered |= {"image_accepted_formats", "image_refused", "image_not_an_image"}
    covered |= {f"border_rule_{mode}" for mode in MODE_RULES}
    covered |= {"subject_cell", "subject_value", "subject_cval"}  # number_empty, share_bad_param, number_not_number_got
    assert sorted(set(TEMPLATES) - covered) == []
    assert sorted(covered - set(TEMPLATES)) == []


def test_a_code_alone_is_a_code_and_other_text_stays_text() -> None:
    """``KernelError("kernel_empty")`` is the coded message, not a free text that happens to be its code."""
    err = KernelError("kernel_empty")
    assert err.code == "kernel_empty" and str(err) == ALL_TEMPLATES["kernel_empty"]
    assert KernelError(code="kernel_empty").code == "kernel_empty"
    own = KernelError("my own words")
    assert own.code is None and str(own) == "my own words" and own.params == {}
