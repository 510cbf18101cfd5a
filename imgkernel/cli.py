"""The ``imgkernel`` command: list and show catalogue kernels, filter one photo or a whole folder.

Errors are reported as one plain line on stderr with exit code 1 (2 for command-line usage mistakes, as
argparse does); a traceback is never shown.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from . import __version__, batch
from ._tiles import usable_cpus
from .borders import MODES
from .catalogue import CATALOGUE, categories, get
from .engine import check_options, is_separable
from .errors import ImageLoadError, KernelError
from .formats.acf import is_acf, kernel_from_acf, kernel_to_acf
from .formats.kernel_io import kernel_from_json
from .limits import MAX_KERNEL_JSON_BYTES
from .mapping import OUT_OF_RANGE
from .numeric import format_number
from .pipeline import Settings, scale_for

# Files a folder run picks up (others, e.g. notes or hidden files, are left alone and counted as skipped).
IMAGE_SUFFIXES = batch.INPUT_SUFFIXES


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
    if args.jobs is not None and args.jobs < 1:
        raise CliError(f"--jobs must be at least 1 (got {args.jobs}).")
    todo = batch.plan(args.input, args.output, recursive=args.recursive, fmt=args.format)
    batch.check_format(todo.fmt, args.quality)
    if todo.single:
        src, dst = todo.pairs[0]
        outcome = batch.filter_file(
            src, dst, chosen.matrix, settings, fmt=todo.fmt, quality=args.quality, overwrite=args.overwrite
        )
        if not outcome.ok:
            hint = " (--overwrite replaces it)" if outcome.code == "batch_exists" else ""
            raise CliError(f"{src}: {outcome.error}{hint}")
        print(f"wrote {dst}")
        return 0
    return _apply_many(args, todo, chosen.matrix, settings)


def _apply_many(args: argparse.Namespace, todo: batch.Plan, kernel: np.ndarray, settings: Settings) -> int:
    """A folder (or several files): every file on its own, in parallel; failures reported as they come."""
    report = _Report(sys.stderr, todo)
    with _dask_client(args.dask) as client:
        try:
            summary = batch.run_plan(
                todo,
                kernel,
                settings,
                jobs=args.jobs,
                client=client,
                quality=args.quality,
                overwrite=args.overwrite,
                progress=report,
            )
        except batch.BatchInterrupted as stop:
            report.close()
            print(_summary_line(stop.summary, todo, args.output))
            _error(f"interrupted: {stop.summary.planned - len(stop.summary.outcomes)} file(s) not filtered.")
            return 130
    report.close()
    print(_summary_line(summary, todo, args.output))
    if any(o.code == "batch_exists" for o in summary.failed):
        _error("existing files were left as they are; --overwrite replaces them.")
    return 0 if summary.ok else 1


def _summary_line(summary: batch.Summary, todo: batch.Plan, out: str) -> str:
    """``filtered 4 of 5 image(s) into out in 2.1 s (1.9 images/s, 2 processes), 1 failed; ...``"""
    failed = len(summary.failed)
    where = (
        f"{summary.workers} process{'es' if summary.workers != 1 else ''}"
        if summary.where == "local"
        else f"Dask at {summary.where}, {summary.workers} worker thread(s)"
    )
    note = f"; {len(todo.skipped)} other file(s) skipped" if todo.skipped else ""
    return (
        f"filtered {summary.written} of {summary.planned} image(s) into {out} in {summary.seconds:.1f} s "
        f"({summary.images_per_s:.2f} images/s, {where}){f', {failed} failed' if failed else ''}{note}"
    )


@contextlib.contextmanager
def _dask_client(address: str | None) -> Iterator[Any]:
    """None without ``--dask``; else a client of the scheduler at ``address`` ("local": a cluster on this
    machine, one single-threaded worker process per CPU), closed afterwards. Dask is imported only here."""
    if address is None:
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise CliError('--dask needs Dask: pip install "imgkernel[dask]"') from None
    if address == "local":
        cluster = LocalCluster(n_workers=usable_cpus(), threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    else:
        cluster = None
        try:
            client = Client(address)  # waits distributed.comm.timeouts.connect (Dask's setting: 30 s)
        except (OSError, TimeoutError) as exc:
            raise CliError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Report:
    """The batch's progress on stderr: a bar redrawn in place on a terminal, one line per file otherwise; each
    failure on a line of its own as it happens."""

    def __init__(self, stream: TextIO, todo: batch.Plan) -> None:
        self.stream, self.todo = stream, todo
        self.tty = stream.isatty()
        self.start = time.perf_counter()
        self.labels = {dst: todo.label(i) for i, (_, dst) in enumerate(todo.pairs)}
        self.drawn = False

    def __call__(self, outcome: batch.Outcome, done: int, total: int) -> None:
        label = self.labels.get(outcome.dst, outcome.src)
        if not outcome.ok:
            self._clear()
            _error(f"{label}: {outcome.error}")
        elapsed = time.perf_counter() - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = f" ETA {_clock((total - done) / rate)}" if rate > 0 and done < total else ""
        _progress(self.stream, done, total, label, extra=f"{rate:.1f}/s{eta}")
        self.drawn = self.tty and done < total

    def _clear(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * _columns(self.stream) + "\r")
            self.drawn = False

    def close(self) -> None:
        """End a bar left mid-way (an interruption) so the next line starts clean."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds + 0.5), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


def _columns(stream: TextIO) -> int:
    """The terminal's width less one (a full line would wrap on some terminals)."""
    return max(20, shutil.get_terminal_size((100, 24)).columns - 1)


def _progress(stream: TextIO, done: int, total: int, label: str, width: int = 30, *, extra: str = "") -> None:
    """``[#######.......]  7/20 name``: redrawn in place on a terminal, one line per file otherwise; ``extra``
    (a rate, a time left) goes at the end."""
    filled = width * done // total
    line = f"[{'#' * filled}{'.' * (width - filled)}] {done:>{len(str(total))}}/{total} {label}"
    if extra:
        line += f"  {extra}"
    if stream.isatty():
        cols = _columns(stream)
        stream.write("\r" + line[:cols].ljust(cols) + ("\n" if done == total else ""))
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
        help="filter a photo, or every image in a folder, into PNG, JPEG, WebP, TIFF or AVIF files",
        description="Filter IN into OUT. IN is a photo (OUT: a file, whose ending says the format, or a folder) or "
        "a folder: every image in it is filtered into the folder OUT (created if needed) in parallel, as PNG unless "
        "--format says otherwise. Photos are turned upright by their EXIF orientation; their ICC profile and EXIF "
        "are kept (Orientation set to 1), as ImageMagick's mogrify -auto-orient does. A file that cannot be read "
        "or written is reported and the others go on; the exit status is 1 if any failed, 130 after Ctrl+C (files "
        "are written under a temporary name and renamed: none is left half-written).",
    )
    sp.add_argument("input", metavar="IN", help="an image file or a folder of images (or an fsspec URL: s3://...)")
    sp.add_argument("output", metavar="OUT", help="an image file, or a folder")
    sp.add_argument(
        "--format",
        type=str.lower,
        choices=[*batch.FORMATS, "jpg", "tif"],
        help="the output format (default: OUT's ending for a file, png for a folder)",
    )
    sp.add_argument(
        "--quality", "-q", type=int, metavar="1-100", help="JPEG, WebP or AVIF quality (default 90, 90, 75)"
    )
    sp.add_argument("--recursive", "-r", action="store_true", help="also filter sub-folders, mirrored in OUT")
    sp.add_argument("--overwrite", action="store_true", help="replace existing output files (default: report them)")
    where = sp.add_mutually_exclusive_group()
    where.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="processes filtering in parallel (default: the CPUs this process may use)",
    )
    where.add_argument(
        "--dask",
        metavar="ADDRESS",
        help='run on a Dask cluster: its scheduler\'s address (tcp://host:8786), or "local" for one on this machine '
        '(needs pip install "imgkernel[dask]")',
    )
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
