"""Hostile and odd image files, generated in code, each with what loading it must give.

Used by test_images.py and by the UI tests (upload each ``CorpusFile.data`` as ``CorpusFile.filename``).
Expected pixel values are written from the definitions (EXIF orientation, 16-bit scaling, CMYK) rather than
taken from the loader. Every file is a few KB at most, except the compressed bomb (about 10 KB).
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from imgkernel.limits import MAX_JPEG_SCANS

OK = "ok"
REFUSED = "refused"

RED, GREEN, BLUE, WHITE, GRAY = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (128, 128, 128)

Probe = tuple[tuple[int, int], "int | tuple[int, ...]"]  # ((row, col), expected value)


@dataclass(frozen=True)
class CorpusFile:
    name: str
    filename: str  # as a user would upload it; the extension may lie about the content
    data: bytes = field(repr=False)
    expect: tuple  # (OK, shape, has_alpha) or (REFUSED, substring of the message)
    max_pixels: int | None = None  # load with this limit instead of the default
    probes: tuple[Probe, ...] = ()  # expected pixel values of LoadedImage.pixels
    alpha_probes: tuple[Probe, ...] = ()  # expected values of LoadedImage.alpha
    tol: int = 0  # allowed difference per channel at the probes (lossy codecs)

    @property
    def ok(self) -> bool:
        return self.expect[0] == OK


# --- hand-made PNG chunks ---------------------------------------------------------------------------------------


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bytes(width: int, height: int, bit_depth: int, colour_type: int, idat: bytes) -> bytes:
    """A PNG with the given IHDR and one IDAT chunk of already-compressed data."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def png16(a: np.ndarray) -> bytes:
    """16-bit PNG (Pillow cannot write 16-bit RGB): gray for (H, W), RGB for (H, W, 3)."""
    rows = np.ascontiguousarray(a, dtype=">u2").reshape(a.shape[0], -1)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)  # filter type 0 on every row
    return png_bytes(a.shape[1], a.shape[0], 16, 2 if a.ndim == 3 else 0, zlib.compress(raw))


def save(im: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **options)
    return buf.getvalue()


def solid(colour, size=(8, 6), mode="RGB") -> Image.Image:
    return Image.new(mode, size, colour)


def scaled16(v: int) -> int:
    """The 8-bit value of a 16-bit sample: v * 255 / 65535, rounded half up."""
    return int(v * 255 / 65535 + 0.5)


# --- the files ----------------------------------------------------------------------------------------------------


def upright_with_markers() -> np.ndarray:
    """16 wide x 12 tall gray image with a red block top-left and a blue block top-right (the right way up)."""
    a = np.full((12, 16, 3), 128, np.uint8)
    a[:4, :4] = RED
    a[:4, -4:] = BLUE
    return a


def exif_jpeg(orientation: int) -> bytes:
    """A JPEG stored the way a camera held in that orientation writes it, per the EXIF definitions."""
    upright = upright_with_markers()
    stored = {1: upright, 3: np.rot90(upright, 2), 6: np.rot90(upright, 1), 8: np.rot90(upright, -1)}[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    return save(Image.fromarray(np.ascontiguousarray(stored)), "JPEG", quality=95, exif=exif.tobytes())


def animated(fmt: str, **options) -> bytes:
    frames = [solid(c, (6, 4)) for c in (RED, GREEN, BLUE)]
    return save(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0, **options)


def noise(size=(64, 64), seed=0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def tiff_with_tag(im: Image.Image, tag: int, old: int, new: int) -> bytes:
    """An uncompressed little-endian TIFF of ``im`` with one single-SHORT tag rewritten from ``old`` to ``new``."""
    data = save(im, "TIFF")
    entry = struct.pack("<HHIH", tag, 3, 1, old)  # tag, type SHORT, count 1, value
    assert data.count(entry) == 1
    return data.replace(entry, struct.pack("<HHIH", tag, 3, 1, new))


def progressive_jpeg(total_scans: int | None = None) -> bytes:
    """A progressive JPEG of noise; with ``total_scans``, its last scan repeated until it has that many.

    Repeated refinement scans are legal enough for libjpeg (it warns and decodes) and cost a pass each: the
    shape of the "many scans" CPU bomb, kept tiny.
    """
    data = save(noise((16, 16)), "JPEG", progressive=True, quality=90)
    if total_scans is None:
        return data
    last, eoi = data.rindex(b"\xff\xda"), len(data) - 2
    extra = total_scans - data.count(b"\xff\xda")
    assert data.endswith(b"\xff\xd9") and extra >= 0
    return data[:eoi] + data[last:eoi] * extra + data[eoi:]


def _ok(name, filename, data, shape, alpha=False, **kw) -> CorpusFile:
    return CorpusFile(name, filename, data, (OK, shape, alpha), **kw)


def _refused(name, filename, data, text, **kw) -> CorpusFile:
    return CorpusFile(name, filename, data, (REFUSED, text), **kw)


@functools.cache
def _build() -> tuple[CorpusFile, ...]:
    files = []
    add = files.append

    # Not images at all.
    add(_refused("empty", "empty.png", b"", "empty"))
    add(_refused("text_as_png", "notes.png", b"Shopping list:\n- milk\n- eggs\n", "text file"))
    add(_refused("text_starting_like_bmp", "BMW.png", b"BMW service log, 2026\n", "text file"))
    add(
        _refused(
            "svg_as_png",
            "logo.png",
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            b'width="10" height="10"><rect width="10" height="10"/></svg>\n',
            "SVG",
        )
    )
    add(
        _refused(
            "html_as_jpg", "photo.jpg", b"<!DOCTYPE html>\n<html><body><img src='cat.jpg'></body></html>\n", "web page"
        )
    )
    add(_refused("pdf_as_png", "scan.png", b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "PDF"))
    add(_refused("eps", "figure.eps", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n", "PostScript"))
    add(
        _refused("heic_as_jpg", "IMG_0001.jpg", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), "HEIC")
    )
    add(_refused("random_bytes", "random.jpg", random.Random(7).randbytes(4096), "not an image"))
    # Images in formats Pillow reads but we do not accept.
    add(_refused("ppm", "image.ppm", save(solid(RED), "PPM"), "not an image"))
    add(_refused("ico", "favicon.ico", save(solid(RED, (16, 16)), "ICO"), "not an image"))

    # Broken images.
    whole_png = save(noise(), "PNG")
    add(_refused("truncated_png", "cut.png", whole_png[: len(whole_png) // 2], "incomplete"))
    whole_jpeg = save(noise(), "JPEG", quality=90)
    add(_refused("truncated_jpeg", "cut.jpg", whole_jpeg[: len(whole_jpeg) // 2], "incomplete"))
    add(_refused("truncated_jpeg_header", "cut2.jpg", whole_jpeg[:40], "incomplete"))
    bad_crc = bytearray(save(solid(RED), "PNG"))
    bad_crc[29] ^= 0xFF  # last byte of the IHDR CRC
    add(_refused("png_bad_crc", "crc.png", bytes(bad_crc), "damaged"))
    add(_refused("png_zero_width", "zero.png", png_bytes(0, 5, 8, 0, zlib.compress(b"\0" * 5)), "damaged"))
    add(_refused("tiff_thunderscan", "odd.tif", tiff_with_tag(solid(WHITE, (4, 4)), 259, 1, 32809), "compression"))

    add(_refused("jpeg_too_many_scans", "scans.jpg", progressive_jpeg(MAX_JPEG_SCANS + 1), "scans"))

    # Too big: refused from the header, before decoding.
    add(
        _refused(
            "png_header_100000x100000", "huge.png", png_bytes(100_000, 100_000, 8, 2, zlib.compress(b"")), "enormous"
        )
    )
    add(
        _refused("png_header_8000x7000", "big.png", png_bytes(8000, 7000, 8, 2, zlib.compress(b"")), "over the limit")
    )  # 56 MP: over the default 50 MP, under Pillow's own bomb limit
    add(
        _refused(
            "png_header_10000x10000", "big2.png", png_bytes(10_000, 10_000, 8, 2, zlib.compress(b"")), "over the limit"
        )
    )  # 100 MP: over Pillow's warning threshold (89 MP), under its error (179 MP)
    add(
        _refused(
            "png_zeros_bomb",
            "bomb.png",
            png_bytes(3000, 3000, 8, 0, zlib.compress(b"\0" * (3001 * 3000), 9)),
            "over the limit",
            max_pixels=1_000_000,
        )
    )  # 9 MP of zeros in about 10 KB
    add(_refused("just_over_limit", "over.png", save(solid(RED, (11, 10)), "PNG"), "over the limit", max_pixels=109))
    add(
        _ok(
            "exactly_at_limit",
            "at.png",
            save(solid(RED, (11, 10)), "PNG"),
            (10, 11, 3),
            max_pixels=110,
            probes=(((9, 10), RED),),
        )
    )

    # Tiny and thin.
    add(_ok("1x1", "dot.png", save(solid(GREEN, (1, 1)), "PNG"), (1, 1, 3), probes=(((0, 0), GREEN),)))
    add(_ok("1xN", "column.png", save(solid(BLUE, (1, 9)), "PNG"), (9, 1, 3), probes=(((8, 0), BLUE),)))
    add(_ok("Nx1", "row.png", save(solid(70, (9, 1), "L"), "PNG"), (1, 9), probes=(((0, 8), 70),)))

    # Animations: the first frame (red) is the one loaded.
    add(_ok("animated_gif", "anim.gif", animated("GIF"), (4, 6, 3), probes=(((0, 0), RED), ((3, 5), RED))))
    add(_ok("animated_webp", "anim.webp", animated("WEBP", lossless=True), (4, 6, 3), probes=(((0, 0), RED),)))
    add(_ok("apng", "anim.png", animated("PNG"), (4, 6, 3), probes=(((0, 0), RED),)))

    # Colour models and bit depths.
    # Pillow writes CMYK JPEGs the Adobe way (inverted, APP14 "Adobe" marker), as Photoshop does.
    add(
        _ok(
            "cmyk_jpeg",
            "print.jpg",
            save(solid((0, 255, 255, 0), mode="CMYK"), "JPEG", quality=95),
            (6, 8, 3),
            probes=(((2, 2), RED),),
            tol=8,
        )
    )
    add(
        _ok(
            "cmyk_tiff",
            "print.tif",
            save(solid((255, 0, 255, 0), mode="CMYK"), "TIFF"),
            (6, 8, 3),
            probes=(((2, 2), GREEN),),
        )
    )
    gray16 = np.array([[0, 65535, 32768, 257 * 100, 1000, 65000]], np.uint16)
    add(
        _ok(
            "gray16_png",
            "depth.png",
            png16(gray16),
            (1, 6),
            probes=tuple(((0, i), scaled16(int(v))) for i, v in enumerate(gray16[0])),
        )
    )
    add(
        _ok(
            "gray16_big_endian_tiff",
            "depth.tif",
            save(Image.fromarray(gray16.astype(">u2")), "TIFF"),
            (1, 6),
            probes=tuple(((0, i), scaled16(int(v))) for i, v in enumerate(gray16[0])),
        )
    )
    rgb16 = np.array([[[0, 32768, 65535], [65535, 0, 1000]]], np.uint16)
    # Pillow keeps the high byte of 16-bit RGB samples, so allow 1 against exact rounding.
    add(
        _ok(
            "rgb16_png",
            "depth_rgb.png",
            png16(rgb16),
            (1, 2, 3),
            probes=tuple(((0, i), tuple(scaled16(int(v)) for v in px)) for i, px in enumerate(rgb16[0])),
            tol=1,
        )
    )
    add(
        _ok(
            "float_tiff",
            "hdr.tif",
            save(Image.fromarray(np.array([[0, 0.25, 0.5, 1]], np.float32)), "TIFF"),
            (1, 4),
            probes=(((0, 0), 0), ((0, 1), 64), ((0, 2), 128), ((0, 3), 255)),
        )
    )
    nan_inf = np.array([[-1, 0, 1, np.nan, np.inf, -np.inf]], np.float32)
    # Outside 0..1, so stretched over the finite range -1..1; NaN -> 0, +inf -> 255, -inf -> 0.
    add(
        _ok(
            "float_tiff_nan_inf",
            "nan.tif",
            save(Image.fromarray(nan_inf), "TIFF"),
            (1, 6),
            probes=(((0, 0), 0), ((0, 1), 128), ((0, 2), 255), ((0, 3), 0), ((0, 4), 255), ((0, 5), 0)),
        )
    )
    add(
        _ok(
            "float_tiff_all_nan",
            "nan2.tif",
            save(Image.fromarray(np.full((2, 2), np.nan, np.float32)), "TIFF"),
            (2, 2),
            probes=(((1, 1), 0),),
        )
    )
    int32 = np.array([[-100, 0, 100]], np.int32)
    add(
        _ok(
            "int32_tiff",
            "counts.tif",
            save(Image.fromarray(int32), "TIFF"),
            (1, 3),
            probes=(((0, 0), 0), ((0, 1), 128), ((0, 2), 255)),
        )
    )
    one_bit = Image.new("1", (8, 2), 0)
    one_bit.putpixel((7, 1), 1)
    add(_ok("1bit_png", "mask.png", save(one_bit, "PNG"), (2, 8), probes=(((0, 0), 0), ((1, 7), 255))))
    add(
        _ok(
            "lab_tiff",
            "lab.tif",
            save(solid((255, 128, 128), mode="LAB"), "TIFF"),
            (6, 8, 3),
            probes=(((0, 0), WHITE),),
            tol=3,
        )
    )
    add(
        _ok(
            "ycbcr_tiff",
            "ycc.tif",
            save(solid((255, 128, 128), mode="YCbCr"), "TIFF"),
            (6, 8, 3),
            probes=(((0, 0), WHITE),),
            tol=3,
        )
    )

    # Transparency.
    pal = Image.new("P", (4, 2), 0)
    pal.putpalette(list(RED) + list(GREEN))
    pal.paste(1, (2, 0, 4, 2))
    add(
        _ok(
            "palette_transparency_png",
            "pal.png",
            save(pal, "PNG", transparency=1),
            (2, 4, 3),
            alpha=True,
            probes=(((0, 0), RED), ((0, 3), GREEN)),
            alpha_probes=(((0, 0), 255), ((1, 3), 0)),
        )
    )
    add(
        _ok(
            "palette_transparency_gif",
            "pal.gif",
            save(pal, "GIF", transparency=1),
            (2, 4, 3),
            alpha=True,
            probes=(((0, 0), RED),),
            alpha_probes=(((0, 0), 255), ((1, 3), 0)),
        )
    )
    add(_ok("palette_opaque_png", "pal2.png", save(pal, "PNG"), (2, 4, 3), probes=(((0, 3), GREEN),)))
    la = Image.merge("LA", [solid(100, (3, 1), "L"), Image.frombytes("L", (3, 1), bytes([0, 128, 255]))])
    add(
        _ok(
            "la_png",
            "la.png",
            save(la, "PNG"),
            (1, 3),
            alpha=True,
            probes=(((0, 1), 100),),
            alpha_probes=(((0, 0), 0), ((0, 1), 128), ((0, 2), 255)),
        )
    )
    rgba = Image.new("RGBA", (3, 2), (*BLUE, 255))
    rgba.putpixel((0, 0), (*RED, 0))
    rgba.putpixel((2, 1), (*GREEN, 77))
    add(
        _ok(
            "rgba_png",
            "rgba.png",
            save(rgba, "PNG"),
            (2, 3, 3),
            alpha=True,
            probes=(((0, 0), RED), ((1, 2), GREEN), ((1, 1), BLUE)),
            alpha_probes=(((0, 0), 0), ((1, 2), 77), ((1, 1), 255)),
        )
    )
    add(
        _ok(
            "rgba_opaque_png",
            "opaque.png",
            save(Image.new("RGBA", (3, 2), (*BLUE, 255)), "PNG"),
            (2, 3, 3),
            probes=(((1, 1), BLUE),),
        )
    )
    add(
        _ok(
            "rgba_webp",
            "rgba.webp",
            save(rgba, "WEBP", lossless=True, exact=True),
            (2, 3, 3),
            alpha=True,
            probes=(((1, 2), GREEN),),
            alpha_probes=(((0, 0), 0), ((1, 2), 77)),
        )
    )
    # ExtraSamples 1: the TIFF stores premultiplied ("associated") alpha, so 64 at alpha 128 is 127 unpremultiplied.
    add(
        _ok(
            "tiff_premultiplied_alpha",
            "assoc.tif",
            tiff_with_tag(solid((64, 0, 0, 128), (2, 1), "RGBA"), 338, 2, 1),
            (1, 2, 3),
            alpha=True,
            probes=(((0, 1), (127, 0, 0)),),
            alpha_probes=(((0, 0), 128),),
            tol=1,
        )
    )
    add(
        _ok(
            "tiff_gray_premultiplied_alpha",
            "assoc_gray.tif",
            tiff_with_tag(Image.merge("LA", [solid(64, (2, 1), "L"), solid(128, (2, 1), "L")]), 338, 2, 1),
            (1, 2),
            alpha=True,
            probes=(((0, 1), 127),),
            alpha_probes=(((0, 0), 128),),
            tol=1,
        )
    )
    pa = pal.convert("PA")
    pa.putpixel((0, 0), (1, 0))
    add(
        _ok(
            "tiff_palette_alpha",
            "pa.tif",
            save(pa, "TIFF"),
            (2, 4, 3),
            alpha=True,
            probes=(((0, 0), GREEN), ((1, 0), RED)),
            alpha_probes=(((0, 0), 0), ((1, 0), 255)),
        )
    )
    add(
        _ok(
            "gray16_trns_png",
            "trns16.png",
            save(Image.fromarray(np.array([[5, 1000]], np.uint16)), "PNG", transparency=1000),
            (1, 2),
            alpha=True,
            probes=(((0, 1), scaled16(1000)),),
            alpha_probes=(((0, 0), 255), ((0, 1), 0)),
        )
    )
    add(
        _ok(
            "gray_trns_png",
            "trns.png",
            save(solid(9, (2, 2), "L"), "PNG", transparency=9),
            (2, 2),
            alpha=True,
            alpha_probes=(((0, 0), 0),),
        )
    )
    add(
        _ok(
            "rgb_trns_png",
            "trns_rgb.png",
            save(solid(RED, (2, 2)), "PNG", transparency=RED),
            (2, 2, 3),
            alpha=True,
            alpha_probes=(((1, 1), 0),),
        )
    )

    # Phone photos: after loading, red is top-left and blue top-right whatever the orientation tag.
    for orientation in (1, 3, 6, 8):
        add(
            _ok(
                f"exif_orientation_{orientation}",
                f"phone_{orientation}.jpg",
                exif_jpeg(orientation),
                (12, 16, 3),
                probes=(((1, 1), RED), ((1, 14), BLUE), ((10, 1), GRAY)),
                tol=40,
            )
        )
    exif = Image.Exif()
    exif[0x0112] = 6
    add(
        _ok(
            "exif_orientation_6_png",
            "phone_6.png",
            save(Image.fromarray(np.rot90(upright_with_markers(), 1)), "PNG", exif=exif.tobytes()),
            (12, 16, 3),
            probes=(((1, 1), RED), ((1, 14), BLUE), ((10, 1), GRAY)),
        )
    )
    exif[0x0112] = 8
    add(
        _ok(
            "exif_orientation_8_webp",
            "phone_8.webp",
            save(Image.fromarray(np.rot90(upright_with_markers(), -1)), "WEBP", lossless=True, exif=exif.tobytes()),
            (12, 16, 3),
            probes=(((1, 1), RED), ((1, 14), BLUE), ((10, 1), GRAY)),
        )
    )
    # Pillow turns TIFFs itself while loading (and drops the tag): this one checks nobody turns them twice.
    add(
        _ok(
            "tiff_orientation_3",
            "scan_3.tif",
            save(Image.fromarray(np.rot90(upright_with_markers(), 2)), "TIFF", tiffinfo={274: 3}),
            (12, 16, 3),
            probes=(((1, 1), RED), ((1, 14), BLUE), ((10, 1), GRAY)),
        )
    )
    add(
        _ok(
            "mpo",
            "IMG_2024.jpg",
            save(Image.fromarray(upright_with_markers()), "MPO", save_all=True, append_images=[solid(GREEN, (16, 12))]),
            (12, 16, 3),
            probes=(((1, 1), RED),),
            tol=40,
        )
    )

    # Everyday formats.
    add(_ok("jpeg_progressive", "web.jpg", progressive_jpeg(), (16, 16, 3)))
    add(_ok("jpeg_scans_at_limit", "scans_ok.jpg", progressive_jpeg(MAX_JPEG_SCANS), (16, 16, 3)))
    add(_ok("jpeg_gray", "gray.jpg", save(solid(200, mode="L"), "JPEG"), (6, 8), probes=(((0, 0), 200),), tol=2))
    add(_ok("bmp", "paint.bmp", save(solid(RED), "BMP"), (6, 8, 3), probes=(((5, 7), RED),)))
    add(_ok("bmp_palette", "paint8.bmp", save(pal, "BMP"), (2, 4, 3), probes=(((0, 3), GREEN),)))
    add(
        _ok(
            "tiff_lzw",
            "scan.tif",
            save(solid(BLUE), "TIFF", compression="tiff_lzw"),
            (6, 8, 3),
            probes=(((0, 0), BLUE),),
        )
    )
    add(_ok("tiff_multipage", "pages.tif", animated("TIFF"), (4, 6, 3), probes=(((0, 0), RED),)))
    add(
        _ok(
            "webp_lossless",
            "photo.webp",
            save(solid(GREEN), "WEBP", lossless=True),
            (6, 8, 3),
            probes=(((0, 0), GREEN),),
        )
    )
    add(
        _ok(
            "webp_lossy",
            "photo2.webp",
            save(solid(GREEN), "WEBP", quality=90),
            (6, 8, 3),
            probes=(((0, 0), GREEN),),
            tol=8,
        )
    )
    # AVIF (Pillow >= 11.2 reads it): a phone's or a browser's modern format; 4:2:0 colour costs a few levels
    add(_ok("avif", "photo.avif", save(solid(GREEN), "AVIF", quality=90), (6, 8, 3), probes=(((0, 0), GREEN),), tol=8))
    add(
        _ok(
            "avif_alpha",
            "sticker.avif",
            save(Image.new("RGBA", (8, 6), (*BLUE, 128)), "AVIF", quality=90),
            (6, 8, 3),
            alpha=True,
            probes=(((0, 0), BLUE),),
            tol=8,
        )
    )
    add(_refused("avif_truncated", "cut.avif", save(solid(GREEN), "AVIF", quality=90)[:40], "damaged"))
    return tuple(files)


def corpus() -> dict[str, CorpusFile]:
    """Every corpus file by name (a new dict each call; the files themselves are built once)."""
    return {f.name: f for f in _build()}
