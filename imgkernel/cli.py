"""The ``imgkernel`` command: list and show catalogue kernels, filter one photo or a whole folder.

Errors are reported as one plain line on stderr with exit code 1 (2 for command-line usage mistakes, as
argparse does); a traceback is never shown.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from . import __version__
from .borders import MODES
from .catalogue import CATALOGUE, categories, get
from .engine import check_options, is_separable
from .errors import ImageLoadError, KernelError
from .formats.acf import is_acf, kernel_from_acf, kernel_to_acf
from .formats.images import EXTENSIONS, load_image
from .formats.kernel_io import kernel_from_json
from .formats.png import encode_png
from .limits import MAX_KERNEL_JSON_BYTES
from .mapping import OUT_OF_RANGE
from .numeric import format_number
from .pipeline import Settings, output_alpha, run_filter, scale_for

# Files a folder run picks up (others, e.g. notes or hidden files, are left alone and counted as skipped).
IMAGE_SUFFIXES = tuple(f".{ext}" for ext in EXTENSIONS)


class CliError(Exception):
    """A problem to report as one line (bad arguments that argparse cannot see, missing files)."""


@dataclass(frozen=True)
class Chosen:
    """The kernel to apply and its display scaling before command-line overrides."""

    matrix: np.ndarray
    divisor: float
    offset: float


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script passes it to ``sys.exit``)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has already printed the usage line and message
        return int(exc.code or 0)
    try:
        return args.run(args)
    except (KernelError, ImageLoadError, CliError) as exc:
        _error(str(exc))
    except BrokenPipeError:  # e.g. `imgkernel list | head`
        sys.stderr.close()
    except KeyboardInterrupt:
        _error("interrupted.")
        return 130
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
        _error(f"unexpected {type(exc).__name__}: {exc}")
    return 1


def _error(message: str) -> None:
    print(f"imgkernel: error: {message}", file=sys.stderr)


# --------------------------------------------------------------------------------------------------
# commands


def _cmd_list(args: argparse.Namespace) -> int:
    width = max(len(n) for n in CATALOGUE)
    for category, specs in categories().items():
        print(category)
        for spec in specs:
            print(f"  {spec.name:<{width}}  {spec.summary}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    spec = get(args.name)
    values = _params(args.param)
    matrix = spec.matrix(values)
    print(f"{spec.title} ({spec.name}) - {spec.summary}")
    if spec.params:
        used = {
            **spec.defaults(),
            **{p.name: p.coerce(values[p.name], kernel=spec.name) for p in spec.params if p.name in values},
        }
        print("parameters: " + ", ".join(f"{k}={v:g}" for k, v in used.items()))
    print(format_matrix(matrix))
    print(
        f"size: {matrix.shape[0]} x {matrix.shape[1]}   sum: {format_number(matrix.sum(), 4)}   "
        f"separable: {'yes' if is_separable(matrix) else 'no'}"
    )
    if spec.divisor != 1 or spec.offset != 0:
        print(f"suggested display: divisor {spec.divisor:g}, offset {spec.offset:g}")
    if args.acf:
        data = kernel_to_acf(matrix, spec.divisor, spec.offset)
        try:
            Path(args.acf).write_bytes(data)
        except OSError as exc:
            raise CliError(f"cannot write {args.acf}: {exc.strerror or exc}") from None
        print(f"saved as a Photoshop Custom filter: {args.acf}")
    return 0


def _cmd_apply(args: argparse.Namespace) -> int:
    chosen = _choose_kernel(args)
    settings = Settings(
        mode=args.mode,
        cval=args.cval,
        stride=args.stride,
        dilation=args.dilation,
        true_convolution=args.convolve,
        normalise=args.normalise,
        mean=args.mean,
        out_of_range=args.map,
        gray=args.gray,
        linear=args.linear,
        divisor=chosen.divisor if args.divisor is None else args.divisor,
        offset=chosen.offset if args.offset is None else args.offset,
    )
    # settings errors are the same for every file: report them once, before any file is read
    scale_for(chosen.matrix, settings)  # the divisor and offset to apply (a bad divisor is refused here)
    check_options(settings.mode, settings.stride, settings.dilation)
    src, dst = Path(args.input), Path(args.output)
    if src.is_dir():
        return _apply_folder(src, dst, chosen.matrix, settings)
    if not src.exists():
        raise CliError(f"no such file or folder: {src}")
    if dst.is_dir():
        dst = dst / f"{src.stem}.png"
    elif dst.suffix.lower() != ".png":
        raise CliError(f"the output is written as PNG, so {dst.name!r} should end in .png (or be a folder).")
    try:
        _apply_file(src, dst, chosen.matrix, settings)
    except ImageLoadError as exc:
        raise CliError(f"{src}: {exc}") from None
    print(f"wrote {dst}")
    return 0


def _apply_file(src: Path, dst: Path, kernel: np.ndarray, settings: Settings) -> None:
    loaded = load_image(src)
    result = run_filter(loaded.pixels, kernel, settings)
    alpha = None if loaded.alpha is None else output_alpha(loaded.alpha, kernel.shape, settings)
    data = encode_png(result.mapped.image, alpha)
    try:
        dst.write_bytes(data)
    except OSError as exc:
        raise CliError(f"cannot write {dst}: {exc.strerror or exc}") from None


def _apply_folder(src: Path, dst: Path, kernel: np.ndarray, settings: Settings) -> int:
    if dst.exists() and not dst.is_dir():
        raise CliError(f"the input is a folder, so the output must be a folder too; {dst} is a file.")
    try:
        dst.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot create the folder {dst}: {exc.strerror or exc}") from None
    files = sorted(p for p in src.iterdir() if p.is_file() and not p.name.startswith("."))
    images = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
    skipped = len(files) - len(images)
    if not images:
        raise CliError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {src}.")
    used: set[str] = set()
    failed: list[str] = []
    for i, path in enumerate(images, 1):
        name = f"{path.stem}.png"
        if name in used:  # a.jpg and a.png both present: keep both
            name = f"{path.stem}_{path.suffix[1:].lower()}.png"
        used.add(name)
        try:
            _apply_file(path, dst / name, kernel, settings)
        except (ImageLoadError, KernelError, CliError) as exc:
            failed.append(f"{path.name}: {exc}")
        _progress(sys.stderr, i, len(images), path.name)
    for line in failed:
        _error(line)
    note = f"; {skipped} other file(s) skipped" if skipped else ""
    print(
        f"filtered {len(images) - len(failed)} of {len(images)} image(s) into {dst}"
        f"{f' ({len(failed)} failed)' if failed else ''}{note}"
    )
    return 1 if failed else 0


def _progress(stream: TextIO, done: int, total: int, label: str, width: int = 30) -> None:
    """``[#######.......]  7/20 name``: redrawn in place on a terminal, one line per file otherwise."""
    filled = width * done // total
    line = f"[{'#' * filled}{'.' * (width - filled)}] {done:>{len(str(total))}}/{total} {label}"
    if stream.isatty():
        stream.write("\r" + line[:100].ljust(100) + ("\n" if done == total else ""))
    else:
        stream.write(line + "\n")
    stream.flush()


# --------------------------------------------------------------------------------------------------
# arguments


def _choose_kernel(args: argparse.Namespace) -> Chosen:
    if args.param and not args.kernel:
        raise CliError("--param only works with --kernel NAME.")
    if args.kernel:
        spec = get(args.kernel)
        return Chosen(spec.matrix(_params(args.param)), spec.divisor, spec.offset)
    if args.matrix is not None:
        doc = kernel_from_json(args.matrix)
    else:
        path = Path(args.kernel_file)
        data = _read_kernel_file(path)
        doc = kernel_from_acf(data, path.stem) if is_acf(path.name) else kernel_from_json(data)
    return Chosen(doc.matrix, doc.divisor, doc.offset)


def _read_kernel_file(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(MAX_KERNEL_JSON_BYTES + 1)  # one byte over the cap is enough to refuse it
    except OSError as exc:
        raise CliError(f"cannot read the kernel file {path}: {exc.strerror or exc}") from None


def _params(pairs: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or ():
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise CliError(f"--param expects name=value (got {pair!r}).")
        out[key.strip()] = value.strip()
    return out


def format_matrix(matrix: np.ndarray) -> str:
    """Rows of right-aligned numbers (up to 4 significant digits), like a book prints a kernel."""
    cells = [[format_number(v, 4) for v in row] for row in matrix]
    width = max(len(c) for row in cells for c in row)
    return "\n".join("  ".join(c.rjust(width) for c in row) for row in cells)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="imgkernel", description="Image kernels: list, inspect and apply filters.")
    p.add_argument("--version", action="version", version=f"imgkernel {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="{list,show,apply}")

    sp = sub.add_parser("list", help="the kernel catalogue, grouped by category")
    sp.set_defaults(run=_cmd_list)

    sp = sub.add_parser("show", help="print a kernel's matrix, sum and whether it is separable")
    sp.add_argument("name", help="a name from `imgkernel list`")
    sp.add_argument("--param", "-p", action="append", metavar="NAME=VALUE", help="a kernel parameter (repeatable)")
    sp.add_argument("--acf", metavar="FILE", help="also save it as a Photoshop Custom filter file (5 x 5 at most)")
    sp.set_defaults(run=_cmd_show)

    sp = sub.add_parser(
        "apply",
        help="filter a photo (or every image in a folder) and write PNG",
        description="Filter IN and write OUT as PNG. If IN is a folder, every image in it is filtered into the "
        "folder OUT (created if needed); files that cannot be read are reported and skipped.",
    )
    sp.add_argument("input", metavar="IN", help="an image file or a folder of images")
    sp.add_argument("output", metavar="OUT", help="a .png file, or a folder")
    src = sp.add_mutually_exclusive_group(required=True)
    src.add_argument("--kernel", "-k", metavar="NAME", help="a catalogue kernel (see `imgkernel list`)")
    src.add_argument("--matrix", "-m", metavar="JSON", help='a kernel as JSON, e.g. "[[0,-1,0],[-1,5,-1],[0,-1,0]]"')
    src.add_argument(
        "--kernel-file", "-f", metavar="FILE", help="a kernel JSON file (as saved by the app) or a Photoshop .acf file"
    )
    sp.add_argument("--param", "-p", action="append", metavar="NAME=VALUE", help="a kernel parameter (repeatable)")
    sp.add_argument("--mode", choices=MODES, default="reflect", help="border handling (default: reflect)")
    sp.add_argument("--cval", type=float, default=0.0, help="the value outside the image for --mode constant")
    sp.add_argument("--stride", type=int, default=1, help="keep every n-th output pixel (default 1)")
    sp.add_argument("--dilation", type=int, default=1, help="spread the kernel taps n pixels apart (default 1)")
    sp.add_argument(
        "--divisor", type=float, help="divide the responses by this (default: the kernel's suggestion, else 1)"
    )
    sp.add_argument(
        "--offset", type=float, help="then add this, in 0..255 grey levels (default: the kernel's suggestion, else 0)"
    )
    sp.add_argument("--normalise", action="store_true", help="GIMP's auto divisor/offset from the kernel's sum")
    sp.add_argument(
        "--mean", action="store_true", help="divide by the number of kernel cells (the original package's option)"
    )
    sp.add_argument(
        "--map", choices=OUT_OF_RANGE, default="clip", help="values outside 0..255: clip (default), abs or rescale"
    )
    sp.add_argument("--gray", action="store_true", help="filter the luminance instead of each colour channel")
    sp.add_argument(
        "--linear", action="store_true", help="filter in linear light (decode sRGB, filter, encode), as GIMP 2.10+"
    )
    sp.add_argument(
        "--convolve", action="store_true", help="true convolution (kernel rotated 180 degrees) instead of correlation"
    )
    sp.set_defaults(run=_cmd_apply)
    return p


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
