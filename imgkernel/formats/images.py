"""Loading photos safely and turning them back into files.

Everything the engine sees is 8-bit gray (H, W) or RGB (H, W, 3); alpha is kept aside, never filtered,
and can be re-attached to the result. Uploads are untrusted: only a few well-known formats are parsed, the
size in the header is checked before any pixel is decoded, and every failure becomes an ``ImageLoadError``
whose message a person can act on. Nothing is ever written to disk.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import struct
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import ImageLoadError
from ..limits import MAX_JPEG_SCANS, MAX_PIXELS
from ..messages import Message

ACCEPTED = Message("image_accepted_formats")  # "PNG, JPEG, WebP, AVIF, BMP, GIF or TIFF"
# File name extensions of those formats, for upload widgets, file dialogs and the CLI's folder runs (the content
# is checked anyway).
EXTENSIONS = ("png", "jpg", "jpeg", "jfif", "webp", "avif", "bmp", "gif", "tif", "tiff")

# Pillow plugin IDs that Image.open may try; every other plugin (EPS calls Ghostscript, PDF, WMF, PSD, ...) is
# never even attempted. Multi-picture JPEGs from phones come through the JPEG plugin, with format "MPO"
# (Pillow has no separate "MPO" opener: listing it raises KeyError).
SAFE_FORMATS = ("PNG", "JPEG", "WEBP", "AVIF", "BMP", "GIF", "TIFF")  # AVIF: Pillow >= 11.2

# TIFF compressions people actually meet; the exotic libtiff codecs (ThunderScan, SGI LogLuv, ...) are refused
# rather than fed untrusted bytes.
_TIFF_COMPRESSIONS = frozenset(
    {
        "raw",
        "tiff_lzw",
        "tiff_adobe_deflate",
        "tiff_deflate",
        "packbits",
        "jpeg",
        "tiff_jpeg",
        "group3",
        "group4",
        "tiff_ccitt",
        "zstd",
        "lzma",
        "webp",
    }
)

# First bytes of the accepted formats: such a file that Pillow cannot identify is damaged, not foreign.
# (WebP also needs "WEBP" at byte 8, BMP zero reserved bytes at 6..9: a text may well begin with "BM".)
_ACCEPTED_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"RIFF", "WebP"),
)

_UNRECOGNISED = "file_unrecognised"  # the code of "in a format we do not recognise"

# What a refused file most likely is, from its first bytes, so the message can say so (message codes).
_KNOWN_NON_IMAGES = (
    (b"%PDF", "file_pdf"),
    (b"%!PS", "file_postscript"),
    (b"\xc5\xd0\xd3\xc6", "file_eps"),
    (b"PK\x03\x04", "file_zip"),
)


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image; its arrays are read-only because caches share them (copy before editing in place)."""

    pixels: np.ndarray  # uint8, (H, W) gray or (H, W, 3) RGB, rows top to bottom after EXIF orientation
    alpha: np.ndarray | None  # uint8 (H, W), 0 = transparent; None when the image is fully opaque
    format: str  # Pillow's format name, e.g. "PNG", "JPEG", "MPO"
    original_mode: str  # Pillow mode of the file, e.g. "P", "CMYK", "I;16"
    # The file's ICC profile, kept only when it describes these pixels: an RGB profile for RGB, a gray one for
    # gray (a CMYK or Lab photo's profile is dropped with its conversion to RGB). None when there is none.
    icc_profile: bytes | None = field(default=None, repr=False)
    # The file's EXIF block as b"Exif\0\0" + TIFF data, every byte kept except Orientation, set to 1 since the
    # pixels are upright (what ImageMagick's -auto-orient does). None when there is none or it cannot be read.
    exif: bytes | None = field(default=None, repr=False)

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def is_gray(self) -> bool:
        return self.pixels.ndim == 2


def describe_pixels(n: int) -> Message:
    """A pixel count for people: "50 megapixels", "12.3 megapixels" or "4,096 pixels"."""
    if n >= 1_000_000:
        mp = f"{n / 1e6:.1f}"
        if mp.endswith(".0"):
            return Message("megapixel_count", n=int(mp.removesuffix(".0")))
        return Message("megapixel_count_decimal", mp=n / 1e6)
    return Message("pixel_count", n=n)


def _refusal(problem: Message, max_pixels: int) -> ImageLoadError:
    return ImageLoadError("image_refused", problem=problem, formats=ACCEPTED, limit=describe_pixels(max_pixels))


def load_image(source: bytes | str | os.PathLike | BinaryIO, *, max_pixels: int = MAX_PIXELS) -> LoadedImage:
    """Read an image from bytes, a path or a binary file object.

    A file object is read from its start (an upload that was read before still works) and its position is
    restored afterwards. Applies EXIF orientation, keeps the first frame of animations, converts every mode to
    8-bit L or RGB (alpha kept aside) and refuses images over ``max_pixels`` (width x height) from their header,
    before decoding. Pillow's own decompression-bomb limit (about 179 megapixels) applies on top.
    Raises ``ImageLoadError`` (a ValueError) with a plain message for anything else.
    """
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, (int, np.integer)):
        raise TypeError(f"max_pixels must be an integer, not {type(max_pixels).__name__}")
    if max_pixels < 1:
        raise ValueError(f"max_pixels must be at least 1, got {max_pixels}")
    max_pixels = int(max_pixels)
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as f:
                return _load(f, max_pixels)
        except OSError as exc:
            # Only open() failures get here: _load turns every decoding OSError into ImageLoadError.
            reason = exc.strerror or str(exc)  # the system's own words
            raise ImageLoadError("image_cannot_open", path=os.fspath(source), reason=reason) from None
    if isinstance(source, (bytes, bytearray, memoryview)):
        # BytesIO shares a bytes object's buffer instead of copying it (a 50 MB upload stays 50 MB).
        return _load(io.BytesIO(source), max_pixels)
    if hasattr(source, "read"):
        return _load_file_object(source, max_pixels)
    raise TypeError(f"load_image expects bytes, a path or a binary file object, not {type(source).__name__}")


def _load_file_object(f: BinaryIO, max_pixels: int) -> LoadedImage:
    try:
        start = f.tell() if f.seekable() else None
    except (AttributeError, OSError, ValueError):
        start = None
    try:
        if start is None:  # a pipe or socket: it can be read only once, so keep its bytes
            data = f.read()
            if not isinstance(data, (bytes, bytearray)):
                raise ImageLoadError(code="image_text_mode")
            return _load(io.BytesIO(data), max_pixels)
        f.seek(0)
        if not isinstance(f.read(0), bytes):
            raise ImageLoadError(code="image_text_mode")
        return _load(f, max_pixels)
    except (OSError, ValueError) as exc:
        if isinstance(exc, ImageLoadError):
            raise
        raise ImageLoadError("image_cannot_read", reason=str(exc)) from None
    finally:
        if start is not None:
            with contextlib.suppress(OSError, ValueError):  # closed by someone else: nothing to restore
                f.seek(start)


def _load(fp: BinaryIO, max_pixels: int) -> LoadedImage:
    head = fp.read(64)
    fp.seek(0)
    if not head:
        raise _refusal(Message("image_file_empty"), max_pixels)
    try:
        with Image.open(fp, formats=SAFE_FORMATS) as im:
            fmt, mode = im.format or "unknown", im.mode
            w, h = im.size
            if w * h > max_pixels:
                problem = Message(
                    "image_too_many_pixels",
                    width=w,
                    height=h,
                    size=describe_pixels(w * h),
                    limit=describe_pixels(max_pixels),
                )
                raise _refusal(problem, max_pixels)
            if w < 1 or h < 1:
                raise _refusal(Message("image_no_pixels", width=w, height=h), max_pixels)
            compression = im.info.get("compression") if fmt == "TIFF" else None
            if compression is not None and compression not in _TIFF_COMPRESSIONS:
                raise _refusal(Message("image_tiff_compression", compression=str(compression)), max_pixels)
            if fmt in ("JPEG", "MPO") and _too_many_scans(fp):  # about 10 ms per 10 MB read
                raise _refusal(Message("image_jpeg_scans", limit=MAX_JPEG_SCANS), max_pixels)
            im.load()  # the first frame only: Image.open leaves animations at frame 0
            icc, exif = im.info.get("icc_profile"), im.info.get("exif")  # before orientation rewrites the EXIF
            _apply_orientation(im)
            pixels, alpha = _to_8bit(im)
            for a in (pixels, alpha):
                if a is not None:
                    a.flags.writeable = False
    except ImageLoadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        problem = Message("image_bomb")
    except UnidentifiedImageError:
        problem = _damaged(head) if _accepted_format(head) else _not_an_image(head)
    except OSError as exc:
        problem = _damaged(head, truncated="truncated" in str(exc).lower())
    except (SyntaxError, ValueError, TypeError, IndexError, KeyError, EOFError, ZeroDivisionError, RuntimeError):
        # Pillow's parsers signal malformed headers with a zoo of exception types (libavif's: RuntimeError).
        problem = _damaged(head)
    except MemoryError:
        problem = Message("image_out_of_memory")
    else:
        return LoadedImage(pixels, alpha, fmt, mode, _profile_of(icc, pixels), _upright_exif(exif))
    raise _refusal(problem, max_pixels)


def _too_many_scans(fp: BinaryIO) -> bool:
    """Whether the file holds more than MAX_JPEG_SCANS start-of-scan markers (FF DA).

    Each scan of a progressive JPEG is a pass over the whole image, and a few bytes can declare one, so a small
    file can keep the decoder busy for minutes (libjpeg-turbo's LJT-01-003). Entropy-coded data never contains
    FF DA (an FF there is followed by 00 or a restart marker), so counting the byte pair, in chunks, is a safe
    upper bound; EXIF thumbnails and the extra pictures of an MPO only make it looser.
    """
    pos = fp.tell()
    fp.seek(0)
    count, carry = 0, b""
    while count <= MAX_JPEG_SCANS and (block := fp.read(1 << 20)):
        data = carry + block
        count += data.count(b"\xff\xda")
        carry = data[-1:]  # a marker split across two blocks is counted once, in the second
    fp.seek(pos)
    return count > MAX_JPEG_SCANS


def _accepted_format(head: bytes) -> str | None:
    """The accepted format whose signature ``head`` starts with, if any."""
    if head[4:12] in (b"ftypavif", b"ftypavis"):  # an ISO media box: its size first, then the brand
        return "AVIF"
    for magic, name in _ACCEPTED_MAGIC:
        if head.startswith(magic) and {"WebP": head[8:12] == b"WEBP", "BMP": head[6:10] == bytes(4)}.get(name, True):
            return name
    return None


def _not_an_image(head: bytes) -> Message:
    return Message("image_not_an_image", what=Message(_what_is(head)))


def _damaged(head: bytes, truncated: bool = False) -> Message:
    """Why a file Pillow failed to decode was refused: a foreign file (Pillow's BMP check is only "BM") or damage."""
    fmt = _accepted_format(head)
    if not fmt and _what_is(head) != _UNRECOGNISED:
        return _not_an_image(head)
    if truncated:
        return Message("image_truncated")
    return Message("image_format_damaged", format=fmt) if fmt else Message("image_damaged")


def _what_is(head: bytes) -> str:
    """A plain guess at what a non-image file is: the code of its message ("a PDF document", ...)."""
    for magic, code in _KNOWN_NON_IMAGES:
        if head.startswith(magic):
            return code
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc"):
            return "file_heic"
        return "file_media"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text or (text.startswith(b"<?xml") and b"svg" in text):
        return "file_svg"
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in text:
        return "file_html"
    try:  # an incremental decoder tolerates a character cut in half at the end of ``head``
        decoded = codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return _UNRECOGNISED
    return "file_text" if all(c.isprintable() or c.isspace() for c in decoded) else _UNRECOGNISED


def _apply_orientation(im: Image.Image) -> None:
    """Turn phone photos the right way up (EXIF Orientation), ignoring EXIF blocks too broken to read."""
    # Pillow's EXIF parser fails in many ways on broken blocks; that must not cost the user a readable photo.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(im, in_place=True)


def _profile_of(icc: object, pixels: np.ndarray) -> bytes | None:
    """The ICC profile when it describes ``pixels``: its header's colour space (bytes 16..19) is "RGB " for RGB
    pixels, "GRAY" for gray ones. A profile that no longer fits (a CMYK photo converted to RGB) is dropped: a
    reader would apply it to the wrong numbers."""
    if not isinstance(icc, (bytes, bytearray)) or len(icc) < 128:
        return None
    return bytes(icc) if icc[16:20] == (b"GRAY" if pixels.ndim == 2 else b"RGB ") else None


_EXIF_HEADER = b"Exif\x00\x00"
_ORIENTATION = 0x0112  # EXIF tag: how to turn the stored pixels upright (1: they are)


def _upright_exif(raw: object) -> bytes | None:
    """The EXIF block (b"Exif\\0\\0" + TIFF) with Orientation set to 1, every other byte as it was.

    The pixels were turned upright, so a viewer must not turn them again. The value is patched in place in the
    first IFD rather than the block re-serialised, so maker notes and offsets survive byte for byte; this is
    what ImageMagick's ``-auto-orient`` does. None when there is no block or its header cannot be read (kept
    broken, it could still turn the picture).
    """
    if not isinstance(raw, (bytes, bytearray)) or not raw:
        return None
    data = bytes(raw) if raw.startswith(_EXIF_HEADER) else _EXIF_HEADER + bytes(raw)  # PNG and WebP: TIFF alone
    out = bytearray(data)
    try:
        order = {b"II": "<", b"MM": ">"}[data[6:8]]
        magic, ifd = struct.unpack_from(order + "HI", data, 8)
        start = 6 + ifd
        (count,) = struct.unpack_from(order + "H", data, start)
        if magic != 42 or start + 2 + 12 * count > len(data):
            return None
        for entry in range(start + 2, start + 2 + 12 * count, 12):
            tag, kind, n = struct.unpack_from(order + "HHI", data, entry)
            if tag == _ORIENTATION:
                if (kind, n) != (3, 1):  # not one SHORT: too odd to patch
                    return None
                struct.pack_into(order + "H", out, entry + 8, 1)  # a SHORT sits at the start of the value field
    except (KeyError, struct.error):
        return None
    return bytes(out)


def _to_8bit(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """uint8 L or RGB pixels plus alpha (None when fully opaque), from any Pillow mode."""
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        a = np.asarray(im)
        scale = _scale_16bit if im.mode.startswith("I;16") else _scale_int32 if im.mode == "I" else _scale_float
        key = im.info.get("transparency")  # a 16-bit gray PNG may name one transparent value
        alpha = np.where(a == key, 0, 255).astype(np.uint8) if isinstance(key, int) else None
        return scale(a), None if alpha is None or alpha.min() == 255 else alpha
    if im.mode == "La":  # gray TIFF with premultiplied alpha (Pillow unpremultiplies RGB itself while reading)
        im = im.convert("LA")
    elif im.mode == "PA" or (im.mode in ("P", "RGB") and "transparency" in im.info):
        im = im.convert("RGBA")
    elif im.mode == "L" and "transparency" in im.info:
        im = im.convert("LA")
    alpha = None
    if im.mode in ("LA", "RGBA"):
        alpha = np.asarray(im.getchannel("A"))
        im = im.convert("L" if im.mode == "LA" else "RGB")
        if alpha.min() == 255:
            alpha = None
    if im.mode not in ("L", "RGB"):
        # "1" to L (0/255); P, CMYK (Pillow already undid Adobe's inversion), YCbCr, LAB, HSV, RGBX to RGB.
        im = im.convert("L" if im.mode == "1" else "RGB")
    return np.asarray(im), alpha


def _scale_16bit(a: np.ndarray) -> np.ndarray:
    """0..65535 to 0..255, rounded: v * 255 / 65535 = v / 257."""
    return ((a.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)


def _scale_int32(a: np.ndarray) -> np.ndarray:
    """Pillow's 32-bit "I" mode: kept when it is already 8-bit, read as 16-bit when it fits, else stretched."""
    lo, hi = int(a.min()), int(a.max())
    if lo >= 0 and hi <= 255:
        return a.astype(np.uint8)
    if lo >= 0 and hi <= 65535:
        return _scale_16bit(a)
    return _round_to_uint8(_stretch(a, lo, hi, np.float64))


def _scale_float(a: np.ndarray) -> np.ndarray:
    """32-bit float: 0..1 (the usual convention) or 0..255 kept, anything else stretched over its finite range.

    NaN becomes 0, +inf the brightest and -inf the darkest value.
    """
    finite = np.isfinite(a)
    if not finite.any():
        return np.where(a == np.inf, 255, 0).astype(np.uint8)
    lo, hi = float(a[finite].min()), float(a[finite].max())
    # Signalling NaNs (a damaged file can hold them) raise "invalid" in any arithmetic; they are replaced below.
    with np.errstate(invalid="ignore"):
        if lo >= 0 and hi <= 1:
            out = a * np.float32(255)
        elif lo >= 0 and hi <= 255:
            out = a.astype(np.float32, copy=True)
        else:
            out = _stretch(a, lo, hi, np.float32)
    out[~finite] = np.where(a[~finite] == np.inf, 255, 0)
    return _round_to_uint8(out)


def _stretch(a: np.ndarray, lo: float, hi: float, dtype: type[np.floating]) -> np.ndarray:
    """Map lo..hi linearly onto 0..255 as a new array of ``dtype`` (all zero when the image is flat).

    In place on that one new array: a damaged header can make a picture of millions of pixels, and each whole-image
    temporary costs as much again (and first-touched memory is slow on small VMs).
    """
    if hi <= lo:
        return np.zeros(a.shape, np.float32)
    if hi - lo > 1e36:  # (a - lo) * 255 could overflow float32 (max 3.4e38): rare enough to pay for float64
        dtype = np.float64
    out = np.subtract(a, dtype(lo), dtype=dtype)
    # Multiply before dividing: exact halves (0 in -1..1 is 127.5) then round the same way every time.
    out *= dtype(255)
    out /= dtype(hi - lo)
    return out


def _round_to_uint8(a: np.ndarray) -> np.ndarray:
    """Round half up and saturate to uint8, reusing ``a`` (a temporary the caller gives up) for the steps."""
    a += 0.5
    np.clip(a, 0, 255, out=a)
    return a.astype(np.uint8)


def to_gray(pixels: np.ndarray) -> np.ndarray:
    """ITU-R 601 luminance (Pillow's "L" conversion) as uint8; gray input is returned as is."""
    if pixels.ndim == 2:
        return pixels
    return np.asarray(Image.fromarray(pixels, "RGB").convert("L"))


def to_pil(pixels: np.ndarray, alpha: np.ndarray | None = None) -> Image.Image:
    """A Pillow image of uint8 pixels, with alpha re-attached when given.

    The alpha must have the pixels' (H, W): after a stride or "valid" borders, crop and stride it like the
    picture first. A mismatch raises ValueError rather than silently dropping the transparency.
    """
    im = Image.fromarray(np.ascontiguousarray(pixels))
    if alpha is not None:
        if alpha.shape != pixels.shape[:2]:
            raise ValueError(f"alpha has shape {alpha.shape} but the pixels are {pixels.shape[:2]} (H, W)")
        im = im.convert("RGBA" if pixels.ndim == 3 else "LA")
        im.putalpha(Image.fromarray(np.ascontiguousarray(alpha), "L"))
    return im


def resize_long_side(pixels: np.ndarray, long_side: int) -> np.ndarray:
    """Downscale (never upscale) so the longer side is at most ``long_side`` pixels, keeping the aspect ratio."""
    if long_side < 1:
        raise ValueError(f"long_side must be at least 1 pixel, got {long_side}")
    h, w = pixels.shape[:2]
    if max(h, w) <= long_side:
        return pixels
    f = long_side / max(h, w)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    resample = Image.Resampling.BOX if f < 0.5 else Image.Resampling.BILINEAR
    return np.asarray(Image.fromarray(pixels).resize(size, resample))
