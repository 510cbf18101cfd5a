"""Many photos through one filter: on every core of this machine, or on a Dask cluster.

Three layers, each usable on its own:

- ``plan`` turns an input (a photo, a folder, a list of them) and an output into ``(source, destination)``
  pairs, mirroring sub-folders with ``recursive``.
- ``filter_file`` filters one photo into one file: read, filter, encode, write under a temporary name and rename.
  It is the only code that touches pixels, and the same function runs in this process, in a pool of processes
  and on Dask workers, so every route gives the same bytes.
- ``run_plan`` (and ``apply_many``, which plans and runs) spreads the pairs over ``jobs`` processes, or over a
  Dask cluster when given a ``distributed.Client``, and sums up what happened.

Conventions, and why:

- Paths are ``str`` (a ``pathlib.Path`` is accepted and turned into one): the same value names a local file and,
  with ``://`` in it, an fsspec URL (``s3://bucket/photos``, ``gs://...``, ``memory://...``), and travels to
  worker processes and Dask workers as it is. fsspec is imported only for URLs, Dask only when a client is given:
  ``import imgkernel`` and a local run never load either.
- A file that cannot be read, filtered, encoded or written is reported in its ``Outcome`` and the batch goes on;
  only arguments that are wrong for every file (a settings error, an unknown format) raise ``KernelError`` before
  any file is read. Ctrl+C raises ``BatchInterrupted`` (a ``KeyboardInterrupt``) carrying what was done.
- Nothing half-written is ever left under an output's name: a file is written to a hidden temporary name in its
  destination folder (``.NAME.RANDOM.imgkernel-part``) and renamed, which is atomic on one file system. An
  existing output is replaced only with ``overwrite``; without it the check is atomic too (a hard link).
  Object stores (S3, GCS) show an object only once its upload is complete, so URLs are written directly.
- Metadata as ``mogrify -auto-orient`` keeps it (ImageMagick 6.9, checked on a JPEG with an ICC profile and EXIF
  Orientation 6): the pixels are turned upright, the ICC profile is kept byte for byte, and the EXIF block is
  kept byte for byte except Orientation, set to 1. A profile that no longer describes the pixels (a CMYK photo
  made RGB, an RGB photo filtered as gray) is dropped; JPEG has no transparency, so alpha is dropped there.
- Threads: each of ``jobs`` processes gets ``usable CPUs // jobs`` engine threads (at least 1), and each Dask
  worker ``usable CPUs // threads of the workers on its host``, so the cores are shared, not oversubscribed.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import secrets
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from PIL import features

from . import engine
from ._tiles import usable_cpus
from .engine import check_options, threads
from .errors import ImageLoadError, KernelError
from .formats.images import EXTENSIONS, LoadedImage, load_image, to_pil
from .formats.png import encode_png
from .fullres import filter_uint8
from .messages import Message
from .pipeline import Settings, output_alpha, scale_for

StrPath = str | os.PathLike[str]
Format = Literal["png", "jpeg", "webp", "tiff", "avif"]

FORMATS: tuple[Format, ...] = ("png", "jpeg", "webp", "tiff", "avif")
"""The formats ``filter_file`` writes."""
SUFFIXES: dict[str, str] = {"png": ".png", "jpeg": ".jpg", "webp": ".webp", "tiff": ".tif", "avif": ".avif"}
"""The file name ending each format is written with."""
FORMAT_OF_SUFFIX: dict[str, Format] = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".jpe": "jpeg",
    ".jfif": "jpeg",
    ".webp": "webp",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".avif": "avif",
}
"""The format an output name asks for, by its ending (lower case)."""
LOSSY: tuple[Format, ...] = ("jpeg", "webp", "avif")
DEFAULT_QUALITY: dict[str, int] = {"jpeg": 90, "webp": 90, "avif": 75}
"""Quality when none is given: JPEG 90 (ImageMagick's default is 92, Pillow's 75: 90 keeps a filtered edge
clean at about half the size of 100), WebP 90, AVIF 75 (Pillow's; about JPEG 90 to the eye)."""
INPUT_SUFFIXES = tuple(f".{ext}" for ext in EXTENSIONS)
"""Files a folder run picks up; other files (notes, hidden files) are counted as skipped."""
RETRIES = 2
"""Further attempts at a file whose worker died (a Dask worker, or a process of the pool): 3 tries in all."""
TEMP_SUFFIX = ".imgkernel-part"

_PIL_NAME = {"jpeg": "JPEG", "webp": "WEBP", "tiff": "TIFF", "avif": "AVIF"}
_FEATURE = {"webp": ("webp", "libwebp"), "avif": ("avif", "libavif")}  # Pillow feature, library to name
_PNG_LEVEL = 2  # ISA-L's deflate level for PNG files (0..3): 2 is as fast as 1 here and a little smaller

Progress = Callable[["Outcome", int, int], None]
"""``progress(outcome, done, total)``: called in the calling process as each file finishes, in finishing order."""


# --------------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Outcome:
    """What became of one file. Picklable, so it comes back from worker processes and Dask workers.

    ``error`` is None when the file was written, else why not: a library ``Message`` (a ``str`` whose ``code``
    an app translates by), never including the source path, which a report puts in front. The timings split
    ``seconds``, the whole call, into reading and decoding, filtering (the 8-bit mapping included), encoding and
    writing; a file that failed early has zeros for the later steps.
    """

    src: str
    dst: str
    error: str | None = None
    seconds: float = 0.0
    decode_s: float = 0.0
    filter_s: float = 0.0
    encode_s: float = 0.0
    write_s: float = 0.0
    bytes_written: int = 0

    @property
    def ok(self) -> bool:
        """Whether the output was written."""
        return self.error is None

    @property
    def code(self) -> str | None:
        """The error's message code (``imgkernel.message_templates``), None when written or for a plain text."""
        return getattr(self.error, "code", None)


@dataclass(frozen=True)
class Summary:
    """A batch's result: one ``Outcome`` per file that finished (in plan order), the wall time and the workers.

    ``planned`` counts the files of the plan; it exceeds ``len(outcomes)`` only when the run was interrupted.
    """

    outcomes: tuple[Outcome, ...]
    seconds: float
    planned: int
    workers: int
    where: str = "local"  # "local" (jobs processes, or this one) or the Dask scheduler's address
    interrupted: bool = False

    @property
    def written(self) -> int:
        """Files written."""
        return sum(o.ok for o in self.outcomes)

    @property
    def failed(self) -> tuple[Outcome, ...]:
        """The outcomes of files that were not written."""
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def images_per_s(self) -> float:
        """Files written per second of wall time (planning excluded; starting the processes included)."""
        return self.written / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        """Every planned file was written."""
        return not self.interrupted and self.written == self.planned


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl+C during a batch: pending files were cancelled and running ones finished or left no trace.

    It is a ``KeyboardInterrupt``, so code that does not know it stops as on any Ctrl+C; ``summary`` says
    which files were written before the stop.
    """

    def __init__(self, summary: Summary) -> None:
        super().__init__("interrupted")
        self.summary = summary


@dataclass(frozen=True)
class Plan:
    """Where each photo goes: ``pairs`` of (source, destination), in a stable order, all written as ``fmt``.

    ``single`` is True when the input was one file (the caller may then report its error as a plain failure).
    ``skipped`` lists the non-image files the folders held; ``folders`` the local output folders to create.
    Iterating over a plan gives its pairs.
    """

    pairs: tuple[tuple[str, str], ...]
    fmt: Format
    single: bool = False
    skipped: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    labels: tuple[str, ...] = field(default=(), repr=False)  # each source as a report names it (relative)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def label(self, i: int) -> str:
        """How a report names source ``i``: its path below the input folder, or the path as given."""
        return self.labels[i] if i < len(self.labels) else self.pairs[i][0]


# --------------------------------------------------------------------------------------------------
# formats


def format_of(name: StrPath) -> Format | None:
    """The format an output name asks for by its ending (``.jpg`` -> ``"jpeg"``), None for any other ending."""
    return FORMAT_OF_SUFFIX.get(os.path.splitext(os.fspath(name))[1].lower())


def check_format(fmt: str, quality: int | None = None) -> Format:
    """``fmt`` (any case, "jpg" and "tif" accepted) as one of ``FORMATS``, checked against this Pillow and with
    ``quality``.

    Parameters
    ----------
    fmt : str
        "png", "jpeg", "webp", "tiff" or "avif".
    quality : int, optional
        1..100, for the lossy formats only (JPEG, WebP, AVIF); None takes ``DEFAULT_QUALITY``.

    Returns
    -------
    str
        The format's name in ``FORMATS``.

    Raises
    ------
    KernelError
        An unknown format, one this Pillow cannot write (WebP and AVIF need their libraries: ``PIL.features``),
        a quality out of range or given for a lossless format.
    """
    name = str(fmt).lower().lstrip(".")
    name = {"jpg": "jpeg", "tif": "tiff"}.get(name, name)
    if name not in FORMATS:
        raise KernelError("batch_unknown_format", value=fmt, choices=", ".join(FORMATS))
    if name in _FEATURE:
        feature, library = _FEATURE[name]
        if not features.check(feature):
            raise KernelError("batch_format_unavailable", format=_PIL_NAME[name], library=library)
    if quality is not None:
        if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)) or not 1 <= quality <= 100:
            raise KernelError("batch_quality_range", value=quality)
        if name not in LOSSY:
            raise KernelError("batch_quality_lossless", format=name.upper())
    return name


def encode(
    pixels: np.ndarray,
    alpha: np.ndarray | None,
    fmt: Format,
    *,
    quality: int | None = None,
    icc_profile: bytes | None = None,
    exif: bytes | None = None,
) -> bytes:
    """The file's bytes: uint8 ``pixels`` (H, W) or (H, W, 3) with ``alpha`` (H, W) or None, as ``fmt``.

    PNG goes through the library's own encoder (``encode_png``: about 10x Pillow's speed, any reader gets the
    exact pixels); the others through Pillow. ``icc_profile`` and ``exif`` (b"Exif\\\\0\\\\0" + TIFF) are
    embedded as given; JPEG drops ``alpha``, as ImageMagick does. TIFF is uncompressed, as ImageMagick writes it by
    default (Pillow's compressed TIFFs go through libtiff, which refuses a JPEG's EXIF block).
    """
    if fmt == "png":
        return encode_png(pixels, alpha, level=_PNG_LEVEL, icc_profile=icc_profile, exif=exif)
    im = to_pil(pixels, None if fmt == "jpeg" else alpha)
    options: dict[str, Any] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if exif:
        options["exif"] = exif
    if fmt in LOSSY:
        options["quality"] = DEFAULT_QUALITY[fmt] if quality is None else int(quality)
    buf = io.BytesIO()
    im.save(buf, format=_PIL_NAME[fmt], **options)
    return buf.getvalue()


def _metadata(loaded: LoadedImage, gray_out: bool) -> tuple[bytes | None, bytes | None]:
    """The ICC profile (None when it no longer fits the output's colours) and the upright EXIF to write."""
    icc = loaded.icc_profile
    if icc is not None and icc[16:20] != (b"GRAY" if gray_out else b"RGB "):
        icc = None  # e.g. an RGB profile on a result filtered as gray
    return icc, loaded.exif


# --------------------------------------------------------------------------------------------------
# paths: local files, or URLs through fsspec


def _is_url(path: str) -> bool:
    return "://" in path or "::" in path


def _fsspec_fs(url: str) -> tuple[Any, str]:
    """``(file system, path)`` for a URL; ``KernelError`` when fsspec (or the storage's package) is missing."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise KernelError("batch_needs_fsspec", url=url) from None
    try:
        return url_to_fs(url)
    except ImportError:  # e.g. s3:// without s3fs: fsspec names the package in its own words
        raise KernelError("batch_needs_fsspec", url=url) from None


def _isdir(path: str) -> bool:
    if _is_url(path):
        fs, p = _fsspec_fs(path)
        return bool(fs.isdir(p))
    return os.path.isdir(path)


def _isfile(path: str) -> bool:
    if _is_url(path):
        fs, p = _fsspec_fs(path)
        return bool(fs.isfile(p))
    return os.path.isfile(path)


def _exists(path: str) -> bool:
    if _is_url(path):
        fs, p = _fsspec_fs(path)
        return bool(fs.exists(p))
    return os.path.lexists(path)


def _join(base: str, rel: str) -> str:
    """``rel`` (with / separators) below ``base``, in the base's own kind of path."""
    if _is_url(base):
        return base.rstrip("/") + "/" + rel
    return os.path.join(base, *rel.split("/"))


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def _list(root: str, recursive: bool, prune: str | None) -> list[str]:
    """Files below folder ``root`` as paths relative to it with / separators, sorted, hidden ones left out;
    ``prune``: a local folder not to descend into (the output, when it lies inside the input)."""
    found: list[str] = []
    if _is_url(root):
        fs, top = _fsspec_fs(root)
        top = top.rstrip("/")
        if recursive:
            paths = fs.find(top)
        else:
            paths = [e["name"] for e in fs.ls(top, detail=True) if e.get("type") == "file"]
        for p in paths:
            rel = str(p)[len(top) :].lstrip("/")
            if rel and not _hidden(rel):
                found.append(rel)
        return sorted(found)
    try:
        if not recursive:
            with os.scandir(root) as it:
                found = [e.name for e in it if e.is_file() and not e.name.startswith(".")]
            return sorted(found)

        def fail(exc: OSError) -> None:
            raise exc

        skip = os.path.realpath(prune) if prune else None
        for folder, dirs, files in os.walk(root, onerror=fail):
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and os.path.realpath(os.path.join(folder, d)) != skip
            )
            rel_folder = os.path.relpath(folder, root)
            for name in files:
                if not name.startswith("."):
                    rel = name if rel_folder == "." else os.path.join(rel_folder, name)
                    found.append(rel.replace(os.sep, "/"))
    except OSError as exc:
        raise KernelError("batch_cannot_list", path=getattr(exc, "filename", None) or root, reason=_why(exc)) from None
    return sorted(found)


def _why(exc: BaseException) -> str:
    """An OSError's own words (``strerror``), else its text."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


# --------------------------------------------------------------------------------------------------
# planning


def plan(
    inputs: StrPath | Sequence[StrPath],
    out: StrPath,
    *,
    recursive: bool = False,
    fmt: str | None = None,
) -> Plan:
    """Pair each input photo with the file it is written to.

    Parameters
    ----------
    inputs : str, path or sequence of them
        A photo, a folder (its images are taken: the files ending in ``INPUT_SUFFIXES``, hidden ones left out),
        or several of either. Local paths or fsspec URLs.
    out : str or path
        For one photo: the output file, or an existing folder (or one ending in "/") to put it in, named after
        the photo. Otherwise a folder, created when the plan is run.
    recursive : bool, default False
        Also take the images of sub-folders, and write them into the same sub-folders below ``out``. The output
        folder is never descended into, should it lie inside the input.
    fmt : str, optional
        The output format (``FORMATS``). By default the output file's ending says it for one photo, and PNG is
        written into a folder.

    Returns
    -------
    Plan
        The pairs in sorted order of the sources. Each output is named after its source with the format's ending
        (``SUFFIXES``); when two sources would share a name (``a.jpg`` and ``a.png``) the later one gets its
        ending too (``a_png.png``), then a number.

    Raises
    ------
    KernelError
        A missing input; a folder input with a file as output; a folder without images; an output name whose
        ending is not a format (without ``fmt``) or disagrees with ``fmt``; a format this Pillow cannot write.
    """
    if isinstance(inputs, (str, os.PathLike)):
        many, sources = False, [os.fspath(inputs)]
    else:
        many, sources = True, [os.fspath(p) for p in inputs]
    out = os.fspath(out)
    for src in sources:
        if not _exists(src):
            raise KernelError("batch_no_such_input", path=src)
    if not many and _isfile(sources[0]):
        return _plan_one(sources[0], out, fmt)
    name = check_format(fmt or "png")
    if _isfile(out):
        code = "batch_output_is_a_file" if not many else "batch_several_need_folder"
        raise KernelError(code, path=out)
    entries: list[tuple[str, str]] = []  # (source, its path below the output folder)
    skipped: list[str] = []
    for src in sources:
        if not _isdir(src):
            entries.append((src, os.path.basename(src.rstrip("/"))))
            continue
        for rel in _list(src, recursive, prune=None if _is_url(out) else out):
            if rel.lower().endswith(INPUT_SUFFIXES):
                entries.append((_join(src, rel), rel))
            else:
                skipped.append(_join(src, rel))
    if not entries:
        raise KernelError("batch_no_images", extensions=", ".join(INPUT_SUFFIXES), path=", ".join(sources))
    pairs, labels, used = [], [], set()
    for src, rel in entries:
        folder, _, filename = rel.rpartition("/")
        stem, ext = os.path.splitext(filename)
        target = stem + SUFFIXES[name]
        n = 1
        while (folder, target.lower()) in used:  # case-insensitive: macOS and Windows folders are
            n += 1
            target = f"{stem}_{ext[1:].lower()}{'' if n == 2 else f'_{n - 1}'}{SUFFIXES[name]}"
        used.add((folder, target.lower()))
        pairs.append((src, _join(out, f"{folder}/{target}" if folder else target)))
        labels.append(rel if len(sources) == 1 else src)
    folders = () if _is_url(out) else tuple(sorted({os.path.dirname(d) for _, d in pairs}))
    return Plan(tuple(pairs), name, skipped=tuple(skipped), folders=folders, labels=tuple(labels))


def _plan_one(src: str, out: str, fmt: str | None) -> Plan:
    """One photo: into a folder (named after it) or to a file (whose ending says the format, unless ``fmt``)."""
    if out.endswith(("/", os.sep)) or _isdir(out):
        name = check_format(fmt or "png")
        stem = os.path.splitext(os.path.basename(src.rstrip("/")))[0]
        return Plan(((src, _join(out, stem + SUFFIXES[name])),), name, single=True, labels=(src,))
    by_name = format_of(out)
    if fmt is None:
        if by_name is None:
            suffixes = ", ".join(dict.fromkeys(SUFFIXES.values()))
            raise KernelError("batch_format_from_name", name=os.path.basename(out), suffixes=suffixes)
        name = check_format(by_name)
    else:
        name = check_format(fmt)
        if by_name is not None and by_name != name:
            raise KernelError(
                "batch_format_mismatch", name=os.path.basename(out), suffix_format=by_name.upper(), format=name.upper()
            )
    return Plan(((src, out),), name, single=True, labels=(src,))


# --------------------------------------------------------------------------------------------------
# one file


def filter_file(
    src: StrPath,
    dst: StrPath,
    kernel: np.ndarray,
    settings: Settings,
    *,
    fmt: str | None = None,
    quality: int | None = None,
    overwrite: bool = False,
) -> Outcome:
    """Filter the photo ``src`` into the file ``dst``: the one function every route of a batch runs.

    Reads the photo (EXIF orientation applied, ``load_image``), filters it straight to 8 bits
    (``fullres.filter_uint8``: ``run_filter``'s picture without its float32 responses), re-attaches alpha, encodes
    it with the photo's ICC profile and EXIF (``encode``) and writes it under a temporary name in ``dst``'s
    folder, renamed to ``dst`` once complete: an interruption (Ctrl+C, a killed process) never leaves a
    half-written ``dst``. Nothing else is kept between calls, so it may run anywhere, any number of times.

    Parameters
    ----------
    src, dst : str or path
        Local paths or fsspec URLs. ``dst``'s folder must exist (``run_plan`` creates a plan's folders).
    kernel : numpy.ndarray
        The kernel's weights, as for ``run_filter``.
    settings : Settings
        Every other option of the filter.
    fmt : str, optional
        One of ``FORMATS``; by default ``dst``'s ending says it.
    quality : int, optional
        1..100 for JPEG, WebP and AVIF (``check_format``).
    overwrite : bool, default False
        Replace an existing ``dst``; without it an existing file is reported and left as it is.

    Returns
    -------
    Outcome
        Written, or why not: the photo cannot be read, the settings do not fit it (a kernel larger than the
        photo in ``valid`` mode), it cannot be encoded (WebP is at most 16383 pixels a side) or written, or
        ``dst`` exists. Only a wrong ``fmt`` or ``quality`` raises (``KernelError``), as they are wrong for
        every file.
    """
    return _filter(os.fspath(src), os.fspath(dst), kernel, settings, fmt, quality, overwrite, rerun=False)


def _filter(
    src: str,
    dst: str,
    kernel: np.ndarray,
    settings: Settings,
    fmt: str | None,
    quality: int | None,
    overwrite: bool,
    rerun: bool,
) -> Outcome:
    """``filter_file``; with ``rerun``, ``dst`` did not exist when the batch started, so a file there with the very
    bytes this call makes was written by an earlier attempt at it (a worker killed after writing, before
    answering) and counts as written, not as someone else's file."""
    if fmt is None and format_of(dst) is None:
        suffixes = ", ".join(dict.fromkeys(SUFFIXES.values()))
        raise KernelError("batch_format_from_name", name=os.path.basename(dst), suffixes=suffixes)
    name = check_format(fmt or format_of(dst) or "png", quality)
    t0 = time.perf_counter()
    marks = [t0]  # the end of each step so far: decoding, filtering, encoding

    def outcome(error: str | None = None, written: int = 0) -> Outcome:
        now = time.perf_counter()
        ends = [*marks[1:], now]
        d, f, e, w = ([b - a for a, b in zip(marks, ends, strict=True)] + [0.0] * 4)[:4]
        return Outcome(src, dst, error, now - t0, d, f, e, w, written)

    if not overwrite and not rerun and _exists(dst):
        return outcome(Message("batch_exists", path=dst))
    try:
        loaded = _read(src)
        marks.append(time.perf_counter())
        pixels = filter_uint8(loaded.pixels, kernel, settings, figures=False).image
        alpha = None if loaded.alpha is None else output_alpha(loaded.alpha, np.shape(kernel), settings)
        marks.append(time.perf_counter())
        icc, exif = _metadata(loaded, pixels.ndim == 2)
        try:
            data = encode(pixels, alpha, name, quality=quality, icc_profile=icc, exif=exif)
        except (OSError, ValueError) as exc:  # e.g. WebP's 16383-pixel side
            return outcome(Message("batch_cannot_encode", format=name.upper(), reason=_why(exc)))
        marks.append(time.perf_counter())
        problem = _write(dst, data, overwrite, rerun)
    except (ImageLoadError, KernelError) as exc:
        return outcome(exc.reason)
    except MemoryError:
        return outcome(Message("image_out_of_memory"))
    return outcome(problem) if problem is not None else outcome(None, len(data))


def _holds(dst: str, data: bytes) -> bool:
    """Whether the file ``dst`` exists and holds exactly ``data``."""
    try:
        if _is_url(dst):
            fs, path = _fsspec_fs(dst)
            return bool(fs.exists(path)) and fs.cat_file(path) == data
        if os.path.getsize(dst) != len(data):
            return False
        with open(dst, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def _existing(paths: list[str]) -> set[str]:
    """Which of ``paths`` exist: a stat each for local files, one listing per folder for URLs."""
    local = {p for p in paths if not _is_url(p) and os.path.lexists(p)}
    by_folder: dict[str, list[str]] = {}
    for p in paths:
        if _is_url(p):
            by_folder.setdefault(p.rsplit("/", 1)[0], []).append(p)
    for folder, members in by_folder.items():
        fs, root = _fsspec_fs(folder)
        try:
            names = {str(n).rstrip("/").rsplit("/", 1)[-1] for n in fs.ls(root, detail=False)}
        except (FileNotFoundError, NotADirectoryError):
            continue
        local.update(p for p in members if p.rsplit("/", 1)[-1] in names)
    return local


def _read(src: str) -> LoadedImage:
    if not _is_url(src):
        return load_image(src)
    fs, path = _fsspec_fs(src)
    try:
        with fs.open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise ImageLoadError("image_cannot_open", path=src, reason=_why(exc)) from None
    return load_image(data)


def _write(dst: str, data: bytes, overwrite: bool, rerun: bool = False) -> Message | None:
    """Write ``data`` to ``dst`` all at once or not at all; the reason when it was not (None: written).
    ``rerun``: an existing ``dst`` holding ``data`` already is this file, written by an earlier attempt."""

    def taken() -> Message | None:
        return None if rerun and _holds(dst, data) else Message("batch_exists", path=dst)

    if _is_url(dst):  # object stores publish an object when its upload completes
        fs, path = _fsspec_fs(dst)
        try:
            if not overwrite and fs.exists(path):
                return taken()
            with fs.open(path, "wb") as f:
                f.write(data)
        except OSError as exc:
            return Message("batch_cannot_write", path=dst, reason=_why(exc))
        return None
    folder, base = os.path.split(dst)
    tmp = os.path.join(folder, f".{base}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    try:
        # O_EXCL: never someone else's file; mode 0o666 less the umask, as any new file gets
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with open(fd, "wb") as f:
            f.write(data)
        if overwrite:
            os.replace(tmp, dst)
        else:
            try:
                os.link(tmp, dst)  # fails if dst appeared meanwhile: nothing is ever replaced
            except FileExistsError:
                return taken()
            except OSError:  # a file system without hard links: check, then rename
                if os.path.lexists(dst):
                    return taken()
                os.replace(tmp, dst)
    except OSError as exc:
        return Message("batch_cannot_write", path=dst, reason=_why(exc))
    finally:  # also on KeyboardInterrupt: no temporary file is left behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return None


# --------------------------------------------------------------------------------------------------
# many files


@dataclass(frozen=True)
class _Job:
    """What every file of a batch shares (sent once per task: a few hundred bytes)."""

    kernel: np.ndarray
    settings: Settings
    fmt: Format
    quality: int | None
    overwrite: bool
    model: engine.Model | None = None  # the engine's cost model, measured once where the batch was started


def _adopt(model: engine.Model | None) -> None:
    """Make ``model`` this process's calibration (``engine.calibration``), so every process of a batch picks the
    same method for the same photo. Each would otherwise measure its own, and timings differ from process to
    process: near a crossover one could run ``fft`` and another the matrix products, whose float32 sums round
    differently, and a grey level here and there would depend on which process filtered the file."""
    if model is not None and engine._calibrated is not model:
        with engine._calibration_lock:
            engine._calibrated = model


def _run_one(src: str, dst: str, job: _Job, n_threads: int) -> Outcome:
    """One file with at most ``n_threads`` engine threads (the task of a pool process, run again if its process
    dies; ``run_plan`` has left out the destinations that existed before, so one there now is an earlier try's)."""
    _adopt(job.model)
    with threads(n_threads):
        return _filter(src, dst, job.kernel, job.settings, job.fmt, job.quality, job.overwrite, rerun=True)


def _run_on_dask(src: str, dst: str, job: _Job, host_threads: dict[str, int]) -> Outcome:
    """One file on a Dask worker, with the engine threads its host's CPUs allow for the workers running there."""
    busy = 1
    with contextlib.suppress(ImportError, ValueError):
        from distributed import get_worker

        worker = get_worker()
        busy = host_threads.get(_host(worker.address)) or worker.state.nthreads
    return _run_one(src, dst, job, max(1, usable_cpus() // max(1, busy)))


def _host(address: str) -> str:
    """The host part of a Dask address (``tcp://10.0.0.5:4321`` -> ``10.0.0.5``)."""
    rest = address.split("://", 1)[-1]
    return rest.rsplit(":", 1)[0] if ":" in rest else rest


def _ignore_sigint() -> None:
    """Pool processes leave Ctrl+C to the parent, which cancels what has not started and waits for the rest."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool_context() -> Any:
    """``forkserver`` where there is one (Linux, macOS): workers start clean, not as copies of a process whose
    threads may hold locks (fork); ``spawn`` elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def run_plan(
    planned: Plan | Iterable[tuple[StrPath, StrPath]],
    kernel: np.ndarray,
    settings: Settings,
    *,
    jobs: int | None = None,
    client: Any = None,
    fmt: str | None = None,
    quality: int | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Filter every pair of a plan: in this process, in ``jobs`` processes, or on a Dask cluster.

    Parameters
    ----------
    planned : Plan or iterable of (src, dst)
        From ``plan``; a plain iterable of pairs works too (their folders must exist).
    kernel, settings
        As for ``run_filter``; checked once here, before any file is read.
    jobs : int, optional
        Processes to use, by default the CPUs this process may use (``os.sched_getaffinity``), never more than
        there are files. 1 runs in this process. Each process gets ``CPUs // jobs`` engine threads.
    client : distributed.Client, optional
        Run on this Dask cluster instead (``jobs`` is then ignored): ``client.map`` with ``retries=2``, so a
        file whose worker died is filtered again elsewhere. Workers need imgkernel installed and must see the
        paths (a shared file system, or URLs such as ``s3://``).
    fmt : str, optional
        The output format; by default the plan's (or, for bare pairs, each destination's ending).
    quality : int, optional
        For JPEG, WebP and AVIF (``check_format``).
    overwrite : bool, default False
        Replace existing outputs; otherwise each is reported in its ``Outcome`` and left alone.
    progress : callable, optional
        ``progress(outcome, done, total)``, called here as each file finishes.

    Returns
    -------
    Summary
        One ``Outcome`` per file, in plan order.

    Raises
    ------
    KernelError
        Settings that no photo could be filtered with, a wrong format or quality, ``jobs`` below 1, an output
        folder that cannot be created.
    BatchInterrupted
        On Ctrl+C (a ``KeyboardInterrupt``): files not yet started are cancelled, those running finish (each is
        written whole or not at all), and the exception's ``summary`` holds what was done.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    scale_for(kernel, settings)  # a bad divisor or offset: refused here, once, rather than for every file
    check_options(settings.mode, settings.stride, settings.dilation)
    p = planned if isinstance(planned, Plan) else None
    pairs = [(os.fspath(s), os.fspath(d)) for s, d in (p.pairs if p else planned)]
    name = fmt or (p.fmt if p else None)
    if name is None:  # bare pairs: every destination's ending must say the same format
        names = {format_of(d) or "png" for _, d in pairs}
        name = names.pop() if len(names) == 1 else "png"
    job = _Job(kernel, settings, check_format(name, quality), quality, overwrite)
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs < 1):
        raise KernelError("batch_jobs", value=jobs)
    for folder in p.folders if p else ():
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise KernelError("batch_cannot_create_folder", path=folder, reason=_why(exc)) from None
    if client is not None or min(int(jobs or usable_cpus()), len(pairs)) > 1:
        # measured here once (a fraction of a second) and sent along, rather than by each process on its own
        job = replace(job, model=engine.calibration())
    tally = _Tally(pairs, progress)
    if not overwrite:  # reported here, so that a file found by a second try is known to be that file's own
        existing = _existing([d for _, d in pairs])
        for i, (src, dst) in enumerate(pairs):
            if dst in existing:
                tally.add(i, Outcome(src, dst, Message("batch_exists", path=dst)))
    if client is not None:
        return _on_dask(client, tally, job)
    n = max(1, min(int(jobs or usable_cpus()), len(pairs) - len(tally.done)))
    return _on_processes(tally, job, n)


def apply_many(
    paths: StrPath | Sequence[StrPath],
    out: StrPath,
    kernel: np.ndarray,
    settings: Settings,
    *,
    jobs: int | None = None,
    client: Any = None,
    fmt: str | None = None,
    quality: int | None = None,
    overwrite: bool = False,
    recursive: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Filter a photo, a folder of photos or a list of them into ``out``: ``plan`` then ``run_plan``.

    >>> summary = apply_many("photos/", "sharpened/", sharpen, jobs=4, fmt="jpeg", quality=90)  # doctest: +SKIP
    >>> summary.written, summary.images_per_s  # doctest: +SKIP

    Parameters and errors are those of ``plan`` (``paths``, ``out``, ``recursive``, ``fmt``) and ``run_plan``
    (the rest). A file that fails does not stop the others: look at ``Summary.failed``.
    """
    return run_plan(
        plan(paths, out, recursive=recursive, fmt=fmt),
        kernel,
        settings,
        jobs=jobs,
        client=client,
        quality=quality,
        overwrite=overwrite,
        progress=progress,
    )


class _Tally:
    """Outcomes as they arrive, reported to ``progress``, then put in plan order."""

    def __init__(self, pairs: list[tuple[str, str]], progress: Progress | None) -> None:
        self.pairs, self.progress = pairs, progress
        self.done: dict[int, Outcome] = {}
        self.start = time.perf_counter()

    def todo(self) -> list[int]:
        """The pairs not done yet."""
        return [i for i in range(len(self.pairs)) if i not in self.done]

    def add(self, i: int, outcome: Outcome, report: bool = True) -> None:
        self.done[i] = outcome
        if report and self.progress is not None:
            self.progress(outcome, len(self.done), len(self.pairs))

    def summary(self, workers: int, where: str = "local", interrupted: bool = False) -> Summary:
        outcomes = tuple(self.done[i] for i in sorted(self.done))
        seconds = time.perf_counter() - self.start
        return Summary(outcomes, seconds, len(self.pairs), workers, where, interrupted)


def _on_processes(tally: _Tally, job: _Job, jobs: int) -> Summary:
    pairs = tally.pairs
    if jobs == 1:
        try:
            for i in tally.todo():
                tally.add(i, _run_one(*pairs[i], job, usable_cpus()))
        except KeyboardInterrupt:
            raise BatchInterrupted(tally.summary(1, interrupted=True)) from None
        return tally.summary(1)
    per_process = max(1, usable_cpus() // jobs)
    tries = dict.fromkeys(range(len(pairs)), 0)
    while todo := tally.todo():
        if any(tries.values()):  # a process died: no other one runs now, so its temporary file is stale
            _remove_temporary([pairs[i][1] for i in todo])
        pool = ProcessPoolExecutor(jobs, mp_context=_pool_context(), initializer=_ignore_sigint)
        futures: dict[Future[Outcome], int] = {}
        try:
            futures = {pool.submit(_run_one, *pairs[i], job, per_process): i for i in _largest_first(pairs, todo)}
            for future in as_completed(futures):
                i = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:  # a process died (killed, out of memory): its files are tried again
                    tries[i] += 1
                    if tries[i] <= RETRIES:
                        continue
                    outcome = _lost(pairs[i], "batch_process_lost")
                except Exception as exc:  # noqa: BLE001 - a bug in one file's run must not stop the batch
                    outcome = _unexpected(pairs[i], exc)
                tally.add(i, outcome)
        except KeyboardInterrupt:
            pool.shutdown(wait=True, cancel_futures=True)  # running files finish: each all or nothing
            for future, i in futures.items():
                if future.done() and not future.cancelled() and i not in tally.done and future.exception() is None:
                    tally.add(i, future.result(), report=False)  # (the progress may be what raised)
            # A pool process still starting when Ctrl+C came dies of it, and the broken pool terminates the others,
            # maybe mid-write: their temporary files are removed here, as after any process that died.
            _remove_temporary([pairs[i][1] for i in tally.todo()])
            raise BatchInterrupted(tally.summary(jobs, interrupted=True)) from None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return tally.summary(jobs)


def _largest_first(pairs: list[tuple[str, str]], todo: list[int]) -> list[int]:
    """``todo`` with the biggest input files first (local files; URLs keep their place after them): the longest
    jobs start while the others fill the gaps, so no process is left with a 12 MP photo when the rest are done."""

    def size(i: int) -> int:
        src = pairs[i][0]
        try:
            return -1 if _is_url(src) else os.stat(src).st_size
        except OSError:
            return 0  # it will fail in its turn, with its message

    return sorted(todo, key=size, reverse=True)


def _on_dask(client: Any, tally: _Tally, job: _Job) -> Summary:
    from distributed import as_completed as dask_completed

    info = client.scheduler_info()
    workers, where = info.get("workers", {}), str(info.get("address", "dask"))
    host_threads: dict[str, int] = {}
    for address, info in workers.items():
        host = _host(address)
        host_threads[host] = host_threads.get(host, 0) + int(info.get("nthreads", 1))
    n_threads = sum(host_threads.values()) or 1
    pairs, todo = tally.pairs, _largest_first(tally.pairs, tally.todo())
    srcs, dsts = [pairs[i][0] for i in todo], [pairs[i][1] for i in todo]
    futures = client.map(_run_on_dask, srcs, dsts, job=job, host_threads=host_threads, retries=RETRIES, pure=False)
    index = {f.key: i for i, f in zip(todo, futures, strict=True)}
    try:
        for future in dask_completed(futures):
            i = index[future.key]
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker after the retries: that file failed
                killed = type(exc).__name__ == "KilledWorker"
                outcome = _lost(pairs[i], "batch_dask_worker_lost") if killed else _unexpected(pairs[i], exc)
            tally.add(i, outcome)
    except KeyboardInterrupt:
        client.cancel(futures)  # tasks already running finish on their workers: each file all or nothing
        raise BatchInterrupted(tally.summary(n_threads, where, interrupted=True)) from None
    return tally.summary(n_threads, where)


def _remove_temporary(dsts: list[str]) -> None:
    """Delete what processes killed while writing ``dsts`` left: their hidden temporary files (``_write``), which a
    killed process cannot remove itself. One listing per folder; object stores (URLs) have none."""
    by_folder: dict[str, set[str]] = {}
    for dst in dsts:
        if not _is_url(dst):
            folder, base = os.path.split(dst)
            by_folder.setdefault(folder or ".", set()).add(f".{base}.")
    for folder, prefixes in by_folder.items():
        with contextlib.suppress(OSError):
            for name in os.listdir(folder):
                if name.endswith(TEMP_SUFFIX) and name[: name.rfind(".", 0, -len(TEMP_SUFFIX)) + 1] in prefixes:
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(folder, name))


def _lost(pair: tuple[str, str], code: str) -> Outcome:
    return Outcome(*pair, error=Message(code, n=RETRIES + 1))


def _unexpected(pair: tuple[str, str], exc: BaseException) -> Outcome:
    return Outcome(*pair, error=Message("batch_unexpected", error=type(exc).__name__, detail=str(exc)))
