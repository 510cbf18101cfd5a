"""Take it to your code: the script that reproduces a filter run in another library, exactly.

``code_for(library, matrix, settings)`` writes a short, self-contained script that reads ``photo.png`` and writes
``result.png``, the 8-bit picture ``imgkernel apply`` writes with the same kernel and ``Settings`` (for ``"cli"``:
that command line itself). ``convention(library, settings)`` is the one-line note of the convention that bites in
that library. ``tests/test_codegen.py`` runs every library's scripts on a grid of kernels and settings and compares
their output with the command's, pixel for pixel.

The conventions the scripts take care of (imgkernel's own are scipy.ndimage's, ``imgkernel.engine``):

* the anchor (the tap on the output pixel) is at ``span // 2`` of the dilated kernel: on an even side the later of
  the two middle taps; a true convolution turns the kernel 180 degrees about it, so it moves to the earlier one;
* scipy's ``reflect`` is NumPy's ``np.pad(mode="symmetric")`` and OpenCV's ``BORDER_REFLECT``; scipy's ``mirror`` is
  ``np.pad(mode="reflect")`` and ``BORDER_REFLECT_101``; ``nearest`` is ``"edge"`` and ``BORDER_REPLICATE``;
* ``scipy.ndimage.convolve`` turns the kernel, ``correlate``, ``cv2.filter2D`` and ``lax.conv_general_dilated``
  do not; Pillow's ``ImageFilter.Kernel`` flips it upside down only (its first row weighs the row below);
* values round half up (``+ 0.5``, then truncated), not to even as ``np.round`` does; Pillow rounds so too;
* the gray picture is Pillow's ``"L"`` (ITU-R 601 in 16-bit fixed point), which ``cv2.cvtColor`` does not match;
* ``normalise`` and ``mean`` are resolved into the divisor and offset they stand for (``scale_for``), so a script
  has no hidden step.

A library that cannot reproduce the settings faithfully makes ``code_for`` raise a ``KernelError`` saying why
(Pillow: a kernel spanning more than 5 x 5, linear light, ``rescale``, a border value that is not an 8-bit level);
it never returns a script whose result differs.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Literal, get_args

import numpy as np
from numpy.typing import ArrayLike

from .engine import as_2d_kernel, check_options, dilated_span
from .errors import KernelError
from .formats.kernel_io import validate_matrix
from .mapping import OUT_OF_RANGE, Scale
from .messages import Message
from .numeric import finite, format_number
from .pipeline import Settings, scale_for

Library = Literal["imgkernel", "cli", "numpy", "scipy", "opencv", "pillow", "jax"]
LIBRARIES: tuple[Library, ...] = get_args(Library)

# What each library calls scipy.ndimage's border modes ("valid" pads nothing).
NP_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": "constant"}
CV_BORDER = {
    "reflect": "BORDER_REFLECT",
    "mirror": "BORDER_REFLECT_101",
    "nearest": "BORDER_REPLICATE",
    "wrap": "BORDER_WRAP",
    "constant": "BORDER_CONSTANT",
}
PILLOW_MAX_SPAN = 5  # ImageFilter.Kernel is 3 x 3 or 5 x 5
_LINE = 100  # a kernel literal longer than this is written one row per line


@dataclass(frozen=True)
class _Plan:
    """Everything a script needs, worked out once: the checked kernel and settings and the geometry."""

    kernel: np.ndarray  # float64, as given
    settings: Settings
    scale: Scale  # normalise and mean resolved
    span: tuple[int, int]  # of the dilated kernel
    anchor: tuple[int, int]  # tap on the output pixel, in the dilated (and, for convolution, turned) kernel
    pads: tuple[tuple[int, int], tuple[int, int]]  # (above, below), (left, right): how far the kernel reaches

    @property
    def channels(self) -> bool:
        return not self.settings.gray

    @property
    def gray(self) -> bool:
        return bool(self.settings.gray)

    @property
    def linear(self) -> bool:
        return bool(self.settings.linear)

    @property
    def turned(self) -> bool:
        return bool(self.settings.true_convolution)

    @property
    def zero_border(self) -> bool:
        """The border reads only zeros (``constant`` with cval 0): the one border deep-learning padding knows."""
        return self.settings.mode == "constant" and self.settings.cval == 0


def _plan(matrix: ArrayLike, settings: Settings) -> _Plan:
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be an imgkernel.Settings, not {type(settings).__name__}")
    kernel = validate_matrix(as_2d_kernel(matrix).tolist())  # finite, not empty, at most 63 x 63, as the CLI reads
    check_options(settings.mode, settings.stride, settings.dilation)
    finite(settings.cval, "cval")
    if settings.out_of_range not in OUT_OF_RANGE:
        raise KernelError("mapping_unknown_out_of_range", value=settings.out_of_range, choices=", ".join(OUT_OF_RANGE))
    scale = scale_for(kernel, settings)  # refuses a divisor of 0 or a non-finite divisor or offset
    span = (dilated_span(kernel.shape[0], settings.dilation), dilated_span(kernel.shape[1], settings.dilation))
    if settings.true_convolution:
        anchor = (span[0] - 1 - span[0] // 2, span[1] - 1 - span[1] // 2)
    else:
        anchor = (span[0] // 2, span[1] // 2)
    pads = ((anchor[0], span[0] - 1 - anchor[0]), (anchor[1], span[1] - 1 - anchor[1]))
    return _Plan(kernel, settings, scale, span, anchor, pads)


def code_for(library: Library, matrix: ArrayLike, settings: Settings = Settings()) -> str:  # noqa: B008 (frozen)
    """A self-contained script that writes exactly the picture ``imgkernel apply`` writes, in ``library``.

    The script reads ``photo.png`` from the current folder and writes ``result.png``: the same 8-bit result as
    ``run_filter(pixels, matrix, settings).mapped.image``, for an opaque photo (alpha is not carried over). It
    imports only what ``library`` needs (NumPy, and Pillow to read and write PNG where the library cannot) and
    never ``imgkernel``, except the ``"imgkernel"`` script. Weights are written in full (``repr``, which reads back
    as the same float64); ``normalise`` and ``mean`` are written as the divisor and offset they stand for; each
    library's own conventions are handled in the code, with a comment where one bites (``convention`` names the
    main one). Float64 libraries (NumPy, scipy, OpenCV) give the engine's float32 result up to float rounding,
    so a value within rounding of a half may round the other way; JAX and Pillow compute in float32.

    Parameters
    ----------
    library : {"imgkernel", "cli", "numpy", "scipy", "opencv", "pillow", "jax"}
        ``"imgkernel"``: this library's API, the shortest; ``"cli"``: the ``imgkernel apply`` command line (shell
        quoted), not a script; ``"numpy"``: NumPy and Pillow alone, a sum of shifted copies of the padded photo;
        ``"scipy"``: ``scipy.ndimage.correlate`` or ``convolve``; ``"opencv"``: ``cv2.filter2D``; ``"pillow"``:
        ``ImageFilter.Kernel``; ``"jax"``: ``jax.lax.conv_general_dilated`` on the CPU.
    matrix : array_like, shape (kh, kw)
        The weights, finite, at most 63 x 63 (as the CLI and the app take them).
    settings : Settings, optional
        Every other option; each is honoured by every script.

    Returns
    -------
    str
        The script (Python source; for ``"cli"`` one shell command line), ending with a new line.

    Raises
    ------
    KernelError
        An unknown ``library``; a matrix or settings that ``run_filter`` would refuse (NaN weights, an unknown
        border mode, a divisor of 0, ...); or settings ``library`` cannot reproduce faithfully: Pillow with a
        kernel spanning more than 5 x 5 pixels once dilated (``codegen_pillow_too_big``), linear light
        (``codegen_pillow_linear``), ``rescale`` (``codegen_pillow_rescale``) or a border value that is not a
        whole 8-bit level (``codegen_pillow_cval``). The NumPy script can write every case.
    TypeError
        ``settings`` is not a ``Settings``.
    """
    write = _WRITERS.get(library) if isinstance(library, str) else None
    if write is None:
        raise KernelError("codegen_unknown_library", value=library, choices=", ".join(LIBRARIES))
    return "\n".join(write(_plan(matrix, settings))) + "\n"


def convention(library: Library, settings: Settings = Settings()) -> Message:  # noqa: B008 (frozen)
    """The one convention that matters for ``library`` with ``settings``: a note to show beside its script.

    Parameters
    ----------
    library : {"imgkernel", "cli", "numpy", "scipy", "opencv", "pillow", "jax"}
        As for ``code_for``.
    settings : Settings, optional
        The border mode picks the note (and names it in the library's own words); ``true_convolution`` picks
        scipy's function.

    Returns
    -------
    Message
        E.g. for OpenCV in ``mirror`` mode "cv2.filter2D correlates (it does not turn the kernel), and scipy's
        'mirror' border is OpenCV's BORDER_REFLECT_101."; translated by its code like every library message.

    Raises
    ------
    KernelError
        An unknown ``library`` or border mode.
    """
    if not isinstance(library, str) or library not in LIBRARIES:
        raise KernelError("codegen_unknown_library", value=library, choices=", ".join(LIBRARIES))
    mode = settings.mode
    check_options(mode, 1, 1)
    if library == "numpy":
        return (
            Message("codegen_note_numpy_valid")
            if mode == "valid"
            else Message("codegen_note_numpy", mode=mode, pad=NP_PAD[mode])
        )
    if library == "scipy":
        return Message("codegen_note_scipy", function="convolve" if settings.true_convolution else "correlate")
    if library == "opencv":
        if mode == "valid":
            return Message("codegen_note_opencv_valid")
        if mode == "wrap" or (mode == "constant" and settings.cval != 0):
            return Message("codegen_note_opencv_pad", mode=mode, border=CV_BORDER[mode])
        return Message("codegen_note_opencv", mode=mode, border=CV_BORDER[mode])
    if library == "jax":
        if mode == "valid":
            return Message("codegen_note_jax_valid")
        if mode == "constant" and settings.cval == 0:
            return Message("codegen_note_jax_zeros")
        return Message("codegen_note_jax", mode=mode)
    return Message(f"codegen_note_{library}")


# --------------------------------------------------------------------------------------------------
# pieces every script shares


def _num(value: float) -> str:
    """A number as Python reads it back exactly: whole numbers without ``.0``, others as ``repr``."""
    return format_number(float(value))


def _rows(kernel: np.ndarray) -> list[str]:
    return ["[" + ", ".join(_num(v) for v in row) + "]" for row in kernel]


def _matrix(name: str, kernel: np.ndarray, *, array: bool = True) -> list[str]:
    """``name = np.array([[...], ...], dtype=float)`` (a nested list when not ``array``), a row per line if long."""
    rows = _rows(kernel)
    head, tail = ("np.array(", ", dtype=float)") if array else ("", "")
    one = f"{name} = {head}[{', '.join(rows)}]{tail}"
    if len(one) <= _LINE:
        return [one]
    if not array:
        return [f"{name} = [", *(f"    {r}," for r in rows), "]"]
    return [f"{name} = np.array(", "    [", *(f"        {r}," for r in rows), "    ],", "    dtype=float,", ")"]


def _describe(p: _Plan, library: str, io: str = "") -> list[str]:
    """The header: what the script reproduces, every setting named."""
    s = p.settings
    kh, kw = p.kernel.shape
    how = "true convolution (the kernel turned 180 degrees)" if p.turned else "correlation (the kernel as written)"
    border = f"border {s.mode}" + (f" (cval {_num(s.cval)})" if s.mode == "constant" else "")
    scaled = f"divisor {_num(p.scale.divisor)}, offset {_num(p.scale.offset)}"
    if s.normalise:
        scaled += " (normalise)"
    elif s.mean:
        scaled += " (mean)"
    pixels = "the luminance" if p.gray else "each RGB channel"
    pixels += " in linear light" if p.linear else " of the sRGB codes"
    return [
        f"# The picture `imgkernel apply` writes with these settings, computed in {library}:",
        f"#   kernel {kh} x {kw} (rows x columns), {how}",
        f"#   {border}, stride {s.stride}, dilation {s.dilation}",
        f"#   {scaled}",
        f"#   {pixels}; out of range: {s.out_of_range}",
        f"# Reads photo.png, writes result.png{f' ({io})' if io else ''}.",
    ]


def _scale_lines(p: _Plan) -> list[str]:
    """``divisor = ...`` and ``offset = ...``, saying where they come from when normalise or mean set them."""
    s, d, o = p.settings, _num(p.scale.divisor), _num(p.scale.offset)
    if s.normalise:
        total = _num(float(np.sum(p.kernel, dtype=np.float64)))
        if p.scale.offset == 255:
            return [
                f"divisor = {d}  # GIMP's normalise: the weights add up to {total}, below 0, so divide by minus that",
                f"offset = {o}  # and offset to white, which inverts",
            ]
        if p.scale.offset == 127.5:
            return [
                f"divisor = {d}  # GIMP's normalise: the weights add up to 0, so no division",
                f"offset = {o}  # and offset to mid-grey, so negative responses stay visible",
            ]
        return [f"divisor = {d}  # GIMP's normalise: divide by the sum of the weights", f"offset = {o}"]
    if s.mean:
        return [f"divisor = {d}  # mean: divide by the number of cells", f"offset = {o}"]
    return [f"divisor = {d}", f"offset = {o}  # in 0..255 grey levels, added after the divisor"]


def _constants(p: _Plan) -> list[str]:
    """The kernel, divisor, offset (and cval) a script works with, between blank lines."""
    lines = ["", *_matrix("kernel", p.kernel), *_scale_lines(p)]
    if p.settings.mode == "constant":
        lines.append(f"cval = {_num(p.settings.cval)}  # the grey level read outside the photo")
        if p.linear:
            lines.append("cval = to_linear(cval)  # decoded like the pixels")
    return [*lines, ""]


_LINEAR_HELPERS = [
    "",
    "",
    "def to_linear(codes):",
    '    """sRGB codes (0..255) to linear light, kept in 0..255 (IEC 61966-2-1)."""',
    "    c = np.clip(np.asarray(codes, dtype=float) / 255, 0, 1)",
    "    return 255 * np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)",
    "",
    "",
    "def to_srgb(light):",
    '    """Linear light (0..255) back to sRGB codes, not rounded yet."""',
    "    v = np.clip(light, 0, 255) / 255",
    "    return 255 * np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)",
    "",
]


def _helpers(p: _Plan) -> list[str]:
    return _LINEAR_HELPERS if p.linear else []


def _read_with_pillow(p: _Plan) -> list[str]:
    """``img``: float pixels (H, W, 3), or the luminance (H, W), read with Pillow; light when ``linear``."""
    upright = 'photo = ImageOps.exif_transpose(Image.open("photo.png"))  # turned upright, as imgkernel reads photos'
    if p.gray and p.linear:
        return [
            upright,
            'light = to_linear(np.asarray(photo.convert("RGB")))  # linear light, 0..255',
            "img = light @ [0.2126, 0.7152, 0.0722]  # its luminance (Rec. 709 weights, as GIMP)",
        ]
    if p.gray:
        return [upright, 'img = np.asarray(photo.convert("L"), dtype=float)  # Pillow\'s "L": ITU-R 601']
    if p.linear:
        return [upright, 'img = to_linear(np.asarray(photo.convert("RGB")))  # linear light, 0..255']
    return [upright, 'img = np.asarray(photo.convert("RGB"), dtype=float)']


def _mapping(p: _Plan) -> list[str]:
    """Divisor and offset, then out of range, linear light back to sRGB codes, rounding: ``result`` in uint8."""
    lines = ["out = out / divisor + offset"]
    if p.settings.out_of_range == "abs":
        lines.append("out = np.abs(out)  # out of range 'abs': the response's size whatever its sign")
    elif p.settings.out_of_range == "rescale":
        lines += [
            "lo, hi = out.min(), out.max()",
            "if hi > lo:  # out of range 'rescale': stretch the actual min..max over 0..255",
            "    out = (out - lo) * (255 / (hi - lo))",
        ]
    if p.linear:
        lines.append("out = to_srgb(out)  # light back to sRGB codes")
    lines.append("result = np.clip(out + 0.5, 0, 255).astype(np.uint8)  # round half up (np.round rounds half to even)")
    return lines


def _slice(before: int, after: int) -> str:
    """The slice that drops ``before`` items at the start and ``after`` at the end (``1:-1``, ``2:``, ``:``)."""
    return f"{before or ''}:{-after if after else ''}"


def _crop(p: _Plan) -> str:
    """``[1:-1, 1:-1]``: the positions where the whole kernel fits, out of a result as big as the photo."""
    (t, b), (left, right) = p.pads
    return f"[{_slice(t, b)}, {_slice(left, right)}]"


def _stride(p: _Plan, name: str = "out") -> list[str]:
    s = p.settings.stride
    if s == 1:
        return []
    return [f"{name} = {name}[::{s}, ::{s}]  # stride {s}: every {_ordinal(s)} row and column"]


def _ordinal(n: int) -> str:
    return {2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _anchor_note(p: _Plan) -> list[str]:
    """Where the kernel's centre is, when a side is even (the only case where libraries disagree)."""
    if p.span[0] % 2 and p.span[1] % 2:
        return []
    which = "earlier" if p.turned else "later"
    return [
        f"# an even side's centre is its {which} middle tap{' (once turned)' if p.turned else ''}, as in scipy.ndimage"
    ]


def _spread(p: _Plan, why: str) -> list[str]:
    """Dilation as a bigger kernel with zeros between the taps."""
    d = p.settings.dilation
    if d == 1:
        return []
    return [
        f"# dilation {d}: {why}, so spread the taps with zeros between them",
        f"spread = np.zeros(({p.span[0]}, {p.span[1]}))",
        f"spread[::{d}, ::{d}] = kernel",
        "kernel = spread",
    ]


def _pad_widths(p: _Plan, pads: tuple[tuple[int, int], tuple[int, int]]) -> str:
    """np.pad's widths: ``((1, 1), (1, 1), (0, 0))`` for (H, W, 3) pixels, ``((1, 1), (1, 1))`` for (H, W)."""
    (t, b), (left, right) = pads
    hw = f"({t}, {b}), ({left}, {right})"
    return f"({hw}, (0, 0))" if p.channels else f"({hw})"


_NP_PAD_NOTES = {
    "reflect": "# scipy's 'reflect' is np.pad's \"symmetric\": d c b a | a b c d",
    "mirror": "# scipy's 'mirror' is np.pad's \"reflect\": d c b | a b c d",
    "nearest": "# scipy's 'nearest' is np.pad's \"edge\"",
}


def _np_pad(p: _Plan, name: str, pads: tuple[tuple[int, int], tuple[int, int]]) -> list[str]:
    """``name = np.pad(img, ...)`` in the settings' border mode, after a line saying what scipy calls it."""
    if p.settings.mode == "constant":
        return [f"{name} = np.pad(img, {_pad_widths(p, pads)}, constant_values=cval)"]
    note = [_NP_PAD_NOTES[p.settings.mode]] if p.settings.mode in _NP_PAD_NOTES else []
    return [*note, f'{name} = np.pad(img, {_pad_widths(p, pads)}, mode="{NP_PAD[p.settings.mode]}")']


# --------------------------------------------------------------------------------------------------
# the scripts


def _imgkernel(p: _Plan) -> list[str]:
    s = p.settings
    default = Settings()
    args = []
    for f in fields(Settings):
        value = getattr(s, f.name)
        if isinstance(getattr(default, f.name), bool):
            value = bool(value)
        if value == getattr(default, f.name) or (f.name == "cval" and s.mode != "constant"):
            continue
        if isinstance(value, bool):
            text = repr(value)
        elif isinstance(value, str):
            text = json.dumps(value)  # "wrap": double quotes, as ruff formats Python
        else:
            text = _num(value)
        args.append(f"{f.name}={text}")
    call = f"settings = Settings({', '.join(args)})"
    if len(call) > _LINE:
        call = "settings = Settings(\n" + "".join(f"    {a},\n" for a in args) + ")"
    return [
        *_describe(p, "imgkernel"),
        "from imgkernel import Settings, load_image, run_filter, to_pil",
        "",
        *_matrix("kernel", p.kernel, array=False),
        call,
        "",
        'photo = load_image("photo.png")  # 8-bit RGB (or gray), turned upright by its EXIF orientation',
        "result = run_filter(photo.pixels, kernel, settings)",
        'to_pil(result.mapped.image).save("result.png")',
    ]


def _cli(p: _Plan) -> list[str]:
    s = p.settings
    matrix = "[" + ", ".join(_rows(p.kernel)) + "]"
    json.loads(matrix)  # the CLI reads it as JSON: it must be JSON
    argv = ["imgkernel", "apply", "photo.png", "result.png", "--matrix", matrix]

    def number(flag: str, value: float) -> None:
        # "--offset=-1e-05": argparse would take a lone "-1e-05" for an option
        argv.extend([f"{flag}={_num(value)}"] if value < 0 else [flag, _num(value)])

    if s.mode != "reflect":
        argv += ["--mode", s.mode]
    if s.mode == "constant" and s.cval != 0:
        number("--cval", s.cval)
    if s.stride != 1:
        argv += ["--stride", str(int(s.stride))]
    if s.dilation != 1:
        argv += ["--dilation", str(int(s.dilation))]
    if s.normalise:
        argv.append("--normalise")
    else:
        if s.mean:
            argv.append("--mean")
        elif s.divisor != 1:
            number("--divisor", s.divisor)
        if s.offset != 0:
            number("--offset", s.offset)
    if s.out_of_range != "clip":
        argv += ["--map", s.out_of_range]
    argv += [
        flag for flag, on in (("--gray", s.gray), ("--linear", s.linear), ("--convolve", s.true_convolution)) if on
    ]
    return [shlex.join(argv)]


def _numpy(p: _Plan) -> list[str]:
    s = p.settings
    d, st = s.dilation, s.stride
    lines = [
        *_describe(p, "NumPy", "Pillow reads and writes PNG"),
        "import numpy as np",
        "from PIL import Image, ImageOps",
    ]
    lines += [*_helpers(p), *_constants(p), *_read_with_pillow(p)]
    if p.turned:
        lines.append("kernel = kernel[::-1, ::-1]  # true convolution: turn the kernel 180 degrees, then slide it")
    lines += _anchor_note(p)
    if s.mode == "valid":
        lines.append("padded = img  # 'valid': no border, only the positions where the whole kernel fits")
    else:
        lines += _np_pad(p, "padded", p.pads)
    rows, cols = p.span[0] - 1, p.span[1] - 1
    h = f"padded.shape[0] - {rows}" if rows else "padded.shape[0]"
    w = f"padded.shape[1] - {cols}" if cols else "padded.shape[1]"
    i, j = ("i", "j") if d == 1 else (f"i * {d}", f"j * {d}")
    step = f" : {st}" if st > 1 else ""
    where = [f"dilation {d}" + ("" if st > 1 else f": taps {d} apart")] if d > 1 else []
    where += [f"stride {st}"] if st > 1 else []
    lines += [
        f"h, w = {h}, {w}  # the positions where the whole kernel fits",
        "out = 0",
        "for i, j in np.ndindex(kernel.shape):  # add up one shifted copy of the photo per weight",
        f"    out = out + kernel[i, j] * padded[{i} : {i} + h{step}, {j} : {j} + w{step}]",
    ]
    if where:
        lines[-1] += f"  # {', '.join(where)}"
    lines += _mapping(p)
    lines.append('Image.fromarray(result).save("result.png")')
    return lines


def _scipy(p: _Plan) -> list[str]:
    s = p.settings
    lines = [
        *_describe(p, "scipy", "Pillow reads and writes PNG"),
        "import numpy as np",
        "from PIL import Image, ImageOps",
    ]
    lines += ["from scipy import ndimage", *_helpers(p), *_constants(p)]
    lines += ["# floats: on uint8 pixels ndimage's output is uint8 too, and sums past 255 wrap around"]
    lines += _read_with_pillow(p)
    lines += _spread(p, "ndimage has none")
    fn = "convolve" if p.turned else "correlate"
    weights = "kernel" if p.gray else "kernel[:, :, None]"
    if p.turned:
        lines.append("# true convolution: ndimage.convolve turns the kernel 180 degrees itself")
    if p.channels:
        lines.append("# kernel[:, :, None]: each RGB channel on its own")
    if s.mode == "valid":
        lines += [
            f"out = ndimage.{fn}(img, {weights})",
            f"out = out{_crop(p)}  # 'valid': only the positions where the whole kernel fits",
        ]
    elif s.mode == "constant":
        lines.append(f'out = ndimage.{fn}(img, {weights}, mode="constant", cval=cval)')
    else:
        lines.append(f'out = ndimage.{fn}(img, {weights}, mode="{s.mode}")')
    lines += [*_stride(p), *_mapping(p), 'Image.fromarray(result).save("result.png")']
    return lines


def _opencv(p: _Plan) -> list[str]:
    s = p.settings
    lines = [*_describe(p, "OpenCV"), "import cv2", "import numpy as np", *_helpers(p), *_constants(p)]
    if p.gray and p.linear:
        lines += [
            'b, g, r = np.moveaxis(to_linear(cv2.imread("photo.png")), 2, 0)  # OpenCV reads B, G, R; linear light',
            "img = 0.2126 * r + 0.7152 * g + 0.0722 * b  # its luminance (Rec. 709 weights, as GIMP)",
        ]
    elif p.gray:
        lines += [
            'b, g, r = np.moveaxis(cv2.imread("photo.png").astype(np.uint32), 2, 0)  # OpenCV reads B, G, R',
            '# the luminance exactly as Pillow\'s "L" (ITU-R 601 in 16-bit fixed point), as imgkernel;',
            "# cv2.cvtColor(..., cv2.COLOR_BGR2GRAY) rounds some colours the other way",
            "img = ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16).astype(float)",
        ]
    else:
        read = 'to_linear(cv2.imread("photo.png"))' if p.linear else 'cv2.imread("photo.png").astype(float)'
        lines.append(f"img = {read}  # B, G, R: each channel on its own, so the order does not matter")
    lines += _spread(p, "cv2.filter2D has none")
    if p.turned:
        lines.append("kernel = cv2.flip(kernel, -1)  # true convolution: cv2.filter2D correlates, so turn the kernel")
    default_anchor = (p.span[0] // 2, p.span[1] // 2)
    anchor = ""
    if p.anchor != default_anchor:
        lines.append(
            f"# turned, an even side's centre is its earlier middle tap: anchor (x, y) = ({p.anchor[1]}, "
            f"{p.anchor[0]}), not OpenCV's default ({default_anchor[1]}, {default_anchor[0]})"
        )
        anchor = f", anchor=({p.anchor[1]}, {p.anchor[0]})"
    (t, b), (left, right) = p.pads
    if s.mode == "valid":
        lines += [
            f"out = cv2.filter2D(img, cv2.CV_64F, kernel{anchor})",
            f"out = out{_crop(p)}  # 'valid': only the positions where the whole kernel fits",
        ]
    elif s.mode == "wrap" or (s.mode == "constant" and s.cval != 0):
        if s.mode == "wrap":
            lines += [
                "# cv2.filter2D cannot read a 'wrap' border: add it with cv2.copyMakeBorder, filter, crop it off",
                f"padded = cv2.copyMakeBorder(img, {t}, {b}, {left}, {right}, cv2.BORDER_WRAP)",
            ]
        else:
            value = "cval" if p.gray else "(cval, cval, cval)"
            lines.append(
                "# cv2.filter2D pads with 0 only: add the cval border with cv2.copyMakeBorder, filter, crop it off"
            )
            if p.channels:
                lines.append("# (a value per channel: a lone number would pad the first channel only)")
            lines.append(
                f"padded = cv2.copyMakeBorder(img, {t}, {b}, {left}, {right}, cv2.BORDER_CONSTANT, value={value})"
            )
        lines += [f"out = cv2.filter2D(padded, cv2.CV_64F, kernel{anchor})", f"out = out{_crop(p)}  # the border off"]
    else:
        note = {
            "reflect": "# scipy's 'reflect' is OpenCV's BORDER_REFLECT: d c b a | a b c d",
            "mirror": "# scipy's 'mirror' is OpenCV's BORDER_REFLECT_101: d c b | a b c d",
            "nearest": "# scipy's 'nearest' is OpenCV's BORDER_REPLICATE",
            "constant": "# zeros, scipy's 'constant' with cval 0: OpenCV's BORDER_CONSTANT",
        }[s.mode]
        border = CV_BORDER[s.mode]
        lines += [note, f"out = cv2.filter2D(img, cv2.CV_64F, kernel{anchor}, borderType=cv2.{border})"]
    lines += [*_stride(p), *_mapping(p), 'cv2.imwrite("result.png", result)']
    return lines


def _pillow_refusal(p: _Plan) -> KernelError | None:
    s = p.settings
    if max(p.span) > PILLOW_MAX_SPAN:
        return KernelError("codegen_pillow_too_big", rows=p.span[0], cols=p.span[1])
    if p.linear:
        return KernelError("codegen_pillow_linear")
    if s.out_of_range == "rescale":
        return KernelError("codegen_pillow_rescale")
    cval = float(s.cval)
    if s.mode == "constant" and not (cval.is_integer() and 0 <= cval <= 255):
        return KernelError("codegen_pillow_cval", cval=cval)
    return None


def _pillow(p: _Plan) -> list[str]:
    refusal = _pillow_refusal(p)
    if refusal is not None:
        raise refusal
    s = p.settings
    d = s.dilation
    size = 3 if max(p.span) <= 3 else 5
    m = size // 2
    lines = [
        *_describe(p, "Pillow"),
        "import numpy as np",
        "from PIL import Image, ImageFilter, ImageOps",
        *_constants(p),
    ]
    mode = "L" if p.gray else "RGB"
    lines += [
        'photo = ImageOps.exif_transpose(Image.open("photo.png"))  # turned upright, as imgkernel reads photos',
        f'img = np.asarray(photo.convert("{mode}"))  # ImageFilter.Kernel filters 8-bit',
    ]
    if p.turned:
        lines.append("kernel = kernel[::-1, ::-1]  # true convolution: turn the kernel 180 degrees")
    lines += _anchor_note(p)
    if p.kernel.shape == (size, size) and d == 1:
        lines.append("weights = kernel")
    else:
        r0, c0 = m - p.anchor[0], m - p.anchor[1]
        rows = f"{r0}:{r0 + p.span[0]}" + (f":{d}" if d > 1 else "")
        cols = f"{c0}:{c0 + p.span[1]}" + (f":{d}" if d > 1 else "")
        spread = f"; dilation {d}: taps {d} apart" if d > 1 else ""
        lines += [
            f"# ImageFilter.Kernel is 3 x 3 or 5 x 5: the kernel in a {size} x {size} one, centred{spread}",
            f"weights = np.zeros(({size}, {size}))",
            f"weights[{rows}, {cols}] = kernel",
        ]
    if s.mode == "valid":
        (t, b), (left, right) = p.pads
        pads = ((m - t, m - b), (m - left, m - right))
        if any(any(pair) for pair in pads):
            lines += [
                "# 'valid': only zero weights read this padding; it keeps Pillow's unfiltered rim off the result",
                f'padded = np.pad(img, {_pad_widths(p, pads)}, mode="edge")',
            ]
        else:
            lines.append("padded = img  # 'valid': Pillow's unfiltered rim is what 'valid' drops")
    else:
        lines += [
            f"# ImageFilter.Kernel leaves a {m}-pixel rim unfiltered and knows no border modes: pad with NumPy first",
            *_np_pad(p, "padded", ((m, m), (m, m))),
        ]
    lines.append("padded = Image.fromarray(padded)")
    lines += [
        "# ImageFilter.Kernel weighs the row below the pixel with its first row (it flips the kernel upside down,",
        "# not left-right), so give it the rows in reverse; it rounds half up and clips to 0..255 itself",
        "flipped = weights[::-1].ravel()",
    ]
    crop = f"[{m}:-{m}, {m}:-{m}]"
    if s.out_of_range == "abs":
        lines += [
            "# out of range 'abs': Pillow clips below 0, so take the larger of the filter and of its negative",
            f"positive = ImageFilter.Kernel(({size}, {size}), flipped.tolist(), scale=divisor, offset=offset)",
            f"negative = ImageFilter.Kernel(({size}, {size}), (-flipped).tolist(), scale=divisor, offset=-offset)",
            "out = np.maximum(np.asarray(padded.filter(positive)), np.asarray(padded.filter(negative)))",
        ]
    else:
        lines += [
            f"flt = ImageFilter.Kernel(({size}, {size}), flipped.tolist(), scale=divisor, offset=offset)",
            "out = np.asarray(padded.filter(flt))",
        ]
    lines.append(f"out = out{crop}  # without the rim Pillow left unfiltered")
    lines += [*_stride(p), 'Image.fromarray(out).save("result.png")']
    return lines


def _jax(p: _Plan) -> list[str]:
    s = p.settings
    st, d = s.stride, s.dilation
    lines = [*_describe(p, "JAX", "Pillow reads and writes PNG"), "import jax", "import numpy as np"]
    lines += ["from jax import lax", "from PIL import Image, ImageOps", ""]
    lines += ['jax.config.update("jax_platforms", "cpu")  # a photo needs no GPU', *_helpers(p), *_constants(p)]
    lines += _read_with_pillow(p)
    if p.turned:
        lines.append(
            "kernel = kernel[::-1, ::-1]  # true convolution: conv_general_dilated correlates (as CNN layers do)"
        )
    lines += _anchor_note(p)
    (t, b), (left, right) = p.pads
    if s.mode == "valid":
        padding = "padding=\"VALID\",  # 'valid': no border"
    elif p.zero_border:
        padding = f"padding=(({t}, {b}), ({left}, {right})),  # zeros: the 'constant' border with cval 0"
    else:
        lines.append(f"# lax.conv_general_dilated pads with zeros only: add the '{s.mode}' border with NumPy first")
        lines += _np_pad(p, "img", p.pads)
        padding = "padding=((0, 0), (0, 0)),  # the border is there already"
    if p.gray:
        lines.append("x = img[None, None].astype(np.float32)  # NCHW: 1 image of 1 channel")
    else:
        lines.append("x = img.transpose(2, 0, 1)[:, None].astype(np.float32)  # NCHW: R, G, B as 3 one-channel images")
    lines += [
        "out = lax.conv_general_dilated(",
        "    x,",
        "    kernel[None, None].astype(np.float32),  # OIHW: 1 output channel, 1 input channel",
        f"    window_strides=({st}, {st}),{f'  # stride {st}' if st > 1 else ''}",
        f"    {padding}",
    ]
    if d > 1:
        lines.append(f"    rhs_dilation=({d}, {d}),  # dilation {d}: taps {d} pixels apart")
    lines.append(")")
    if p.gray:
        lines.append("out = np.asarray(out, dtype=float)[0, 0]")
    else:
        lines.append("out = np.asarray(out, dtype=float)[:, 0].transpose(1, 2, 0)  # back to (H, W, 3)")
    lines += [*_mapping(p), 'Image.fromarray(result).save("result.png")']
    return lines


_WRITERS: dict[str, Callable[[_Plan], list[str]]] = {
    "imgkernel": _imgkernel,
    "cli": _cli,
    "numpy": _numpy,
    "scipy": _scipy,
    "opencv": _opencv,
    "pillow": _pillow,
    "jax": _jax,
}
