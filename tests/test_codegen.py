"""``imgkernel.code_for``: every script is run for real and must write the picture ``imgkernel apply`` writes.

The grid: eight kernels (odd 3x3 with weights no float holds exactly, 1/3 and 0.1, and a dyadic Gaussian; even 2x2
and 4x4; non-square 3x5 and 2x3; 1x1; 15x15) each in every border mode (``constant`` with cval 100, 0 or 37.5), the
48 geometries cycling stride 1/2, dilation 1/2 and RGB/luminance, each run with five draws of the other settings
(clip/abs/rescale, linear light on/off, true convolution on/off, plain, divisor/offset, negative divisor, normalise,
mean), plus a few on a 5x6 photo, smaller than the kernel's reach, so borders repeat. The same cases for every
library; a library refuses exactly the cases it cannot reproduce (Pillow) with a ``KernelError`` saying why.

Each library's scripts run in one subprocess (``tests/codegen_runner.py``: its imports and JAX's compiled programs
are shared by all its scripts; the geometries repeat, so JAX compiles once per geometry, not per case, and XLA's
cache keeps them between runs), two libraries at a time, each script in its own folder with ``photo.png``. Each
``result.png`` is compared with the output of ``imgkernel apply`` (the CLI run here on the same photo, with every
flag spelled out by this file, not by ``code_for``): equal, or off by 1 where the engine's float32 value is within
rounding of a half (``NEAR``). The counts per library go to test-artifacts/codegen_cases.json (README: *In your
code*).
"""

from __future__ import annotations

import ast
import json
import math
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import imgkernel
from imgkernel import KernelError, Settings, cli, load_image, run_filter
from imgkernel.codegen import LIBRARIES, Library, code_for, convention
from imgkernel.linear import to_srgb
from imgkernel.message_templates import TEMPLATES
from imgkernel.messages import Message

ROOT = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).with_name("codegen_runner.py")
RECORD = ROOT / "test-artifacts" / "codegen_cases.json"  # the counts per library, for the README

# -- the grid -------------------------------------------------------------------------------------------------------

_r = np.arange(15) - 7
KERNELS: dict[str, np.ndarray] = {
    "3x3 thirds": np.array([[0, -1 / 3, 0], [-0.1, 2.1, -0.1], [0, -1 / 3, 0]]),  # not exact in any float
    "3x3 gauss": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,  # dyadic: halves are exact ties
    "2x2 box": np.full((2, 2), 0.25),
    "4x4 ramp": np.arange(16).reshape(4, 4) / 10 - 0.7,
    "3x5 sobel": np.array([[-1, -2, 0, 2, 1], [-2, -4, 0, 4, 2], [-1, -2, 0, 2, 1]]) / 8,  # sums to 0
    "2x3 odd": np.array([[1 / 3, 0.1, -0.5], [0.7, -1 / 3, 0.2]]),
    "1x1": np.array([[1.5]]),
    "15x15 blob": np.exp(-(_r[:, None] ** 2 + _r[None, :] ** 2) / 18) / 50,
}
BORDERS = ("reflect", "mirror", "nearest", "wrap", "constant", "valid")
CVALS = (100.0, 0.0, 37.5)  # constant mode cycles these: 0 is the zero padding frameworks know; Pillow refuses 37.5
SCALES: list[dict[str, Any]] = [
    {},
    {"divisor": 3.0, "offset": 20.0},
    {"divisor": -2.0, "offset": 255.0},
    {"normalise": True},
    {"mean": True, "offset": 10.0},
]
DRAWS = 5  # cases per geometry


@dataclass(frozen=True)
class Case:
    name: str
    photo: str  # "main" or "tiny"
    kernel: np.ndarray
    settings: Settings


def _cases() -> list[Case]:
    rng = np.random.default_rng(24)
    cases = []
    geometry = 0
    for kname, kernel in KERNELS.items():
        for mode in BORDERS:
            stride, dilation, gray = 1 + geometry % 2, 1 + geometry // 2 % 2, bool(geometry // 4 % 2)
            for draw in range(DRAWS):
                settings = Settings(
                    mode=mode,  # type: ignore[arg-type]
                    cval=CVALS[(geometry + draw) % 3] if mode == "constant" else 0.0,
                    stride=stride,
                    dilation=dilation,
                    gray=gray,
                    out_of_range=("clip", "abs", "rescale")[int(rng.integers(3))],
                    linear=bool(rng.integers(2)),
                    true_convolution=bool(rng.integers(2)),
                    **SCALES[int(rng.integers(len(SCALES)))],
                )
                cases.append(Case(f"{kname} {mode} #{draw}", "main", kernel, settings))
            geometry += 1
    # a photo smaller than the kernel's reach: the border patterns repeat (np.pad and OpenCV must agree with scipy)
    for i, mode in enumerate(BORDERS[:5]):
        for kname in ("15x15 blob", "4x4 ramp"):
            settings = Settings(
                mode=mode,  # type: ignore[arg-type]
                cval=100.0 if mode == "constant" else 0.0,
                dilation=1 + i % 2,
                true_convolution=kname == "4x4 ramp",
                normalise=True,
            )
            cases.append(Case(f"{kname} {mode} tiny", "tiny", KERNELS[kname], settings))
    # exact halves everywhere (the engine sums two taps exactly, not rank 1 so no SVD): rounding must be half up
    halves = np.array([[0.5, 0.0], [0.0, 0.5]])
    for i, mode in enumerate(BORDERS):
        settings = Settings(
            mode=mode,  # type: ignore[arg-type]
            cval=101.0 if mode == "constant" else 0.0,
            stride=1 + i % 2,
            gray=i % 3 == 0,
            true_convolution=i % 2 == 0,
            out_of_range="abs" if i % 2 else "clip",
            divisor=-1.0 if i % 2 else 1.0,
            offset=float(i),
        )
        cases.append(Case(f"2x2 halves {mode} exact", "main", halves, settings))
    return cases


CASES = _cases()


def expected_refusal(library: str, case: Case) -> str | None:
    """The code ``code_for`` must refuse ``case`` with, written here independently of imgkernel.codegen."""
    if library != "pillow":
        return None
    s = case.settings
    spans = [s.dilation * (k - 1) + 1 for k in case.kernel.shape]
    if max(spans) > 5:
        return "codegen_pillow_too_big"
    if s.linear:
        return "codegen_pillow_linear"
    if s.out_of_range == "rescale":
        return "codegen_pillow_rescale"
    if s.mode == "constant" and not (float(s.cval).is_integer() and 0 <= s.cval <= 255):
        return "codegen_pillow_cval"
    return None


# Where a script may differ from the command: by 1, and only on a value that the engine's own float32 result puts
# within NEAR of a rounding boundary (x.5). The engine sums the taps in float32 in its own order (shift-and-add,
# matrix products, a rank-1 kernel's SVD factors for ``separable``, FFT), within ~1e-4 of the exact value; a value
# that is exactly a half in exact arithmetic (a kernel of 0.1 steps, or 1/8 steps through the SVD's square roots,
# on whole pixel values) can land either side of it. Measured farthest such value: 1.5e-4 (1 / 6554 of a level).
# - numpy, scipy, opencv: float64 sums (all three write the same pictures);
# - jax: float32 sums in XLA's order;
# - pillow: float32 sums in its order, the weights divided by the divisor first (float32(w / divisor)).
# The imgkernel script and the command line run the engine itself: equal, always.
NEAR = 2.5e-4
# the share of all compared values that may differ (each measured, then about 1.5 times that)
SHARE: dict[str, float] = {
    "imgkernel": 0.0,
    "cli": 0.0,
    "numpy": 0.003,  # measured 633 of 324,306 (0.20 %)
    "scipy": 0.003,
    "opencv": 0.003,
    "pillow": 0.004,  # measured 174 of 64,650 (0.27 %)
    "jax": 0.0025,  # measured 566 of 324,306 (0.17 %)
}


def _photos(folder: Path) -> dict[str, Path]:
    rng = np.random.default_rng(2024)
    main = rng.integers(0, 256, (31, 34, 3), dtype=np.uint8)
    y, x = np.mgrid[0:31, 0:16]
    for c in range(3):  # a smooth gradient on the right, where sums land on or near halves
        main[:, 18:, c] = np.clip(6 * x + 3 * y + 40 * c, 0, 255)
    main[24:, :7] = (200, 100, 50)  # and a flat patch: exact values, exact ties for the dyadic kernels
    tiny = rng.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    paths = {"main": folder / "main.png", "tiny": folder / "tiny.png"}
    Image.fromarray(main).save(paths["main"])
    turned = Image.Exif()
    turned[0x0112] = 6  # EXIF orientation "rotate 90° clockwise to view", as phones write: scripts turn it upright
    Image.fromarray(tiny).save(paths["tiny"], exif=turned)
    return paths


def _reference_argv(case: Case, photo: Path, out: Path) -> list[str]:
    """``imgkernel apply`` with every setting spelled out as a flag (not ``code_for``'s command line)."""
    s = case.settings
    argv = ["apply", str(photo), str(out), "--matrix", json.dumps(case.kernel.tolist())]
    argv += ["--mode", s.mode, f"--cval={s.cval!r}", "--stride", str(s.stride), "--dilation", str(s.dilation)]
    argv += [f"--divisor={s.divisor!r}", f"--offset={s.offset!r}", "--map", s.out_of_range]
    flags = {"--normalise": s.normalise, "--mean": s.mean, "--gray": s.gray, "--linear": s.linear}
    return argv + [f for f, on in {**flags, "--convolve": s.true_convolution}.items() if on]


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The folder of this module's files ("folder") and the two photos ("main", "tiny")."""
    folder = tmp_path_factory.mktemp("codegen")
    return {"folder": folder, **_photos(folder)}


@pytest.fixture(scope="module")
def references(photos: dict[str, Path]) -> dict[str, Any]:
    """``imgkernel apply``'s output for every case (checked against ``run_filter`` too), and how far each of the
    engine's values is from a rounding boundary."""
    folder = photos["folder"]
    expected, ties = {}, {}
    for i, case in enumerate(CASES):
        out = folder / f"ref{i}.png"
        assert cli.main(_reference_argv(case, photos[case.photo], out)) == 0, case.name
        got = np.asarray(Image.open(out))
        result = run_filter(load_image(photos[case.photo]).pixels, case.kernel, case.settings)
        np.testing.assert_array_equal(got, result.mapped.image, err_msg=case.name)
        expected[case.name] = got
        ties[case.name] = _from_a_half(result.values, case.settings)
    return {"expected": expected, "ties": ties}


def _from_a_half(values: np.ndarray, s: Settings) -> np.ndarray:
    """How far each of the engine's values is from a rounding boundary (x.5), in the units it is rounded in: the
    mapping of ``imgkernel.to_uint8`` step by step in float32, stopped before its ``+ 0.5`` and truncation."""
    v = values.astype(np.float32)
    if s.out_of_range == "abs":
        v = np.abs(v)
    elif s.out_of_range == "rescale" and v.max() > v.min():
        low, high = float(v.min()), float(v.max())
        v = (v - np.float32(low)) * np.float32(255.0 / (high - low))
    if s.linear:
        v = to_srgb(v)
    v = np.clip(v, -0.5, 255.5)  # past these, clipping decides, not rounding
    return np.abs(v - np.floor(v) - np.float32(0.5))


# -- the scripts, run -------------------------------------------------------------------------------------------------


def _write_jobs(library: Library, photos: dict[str, Path]) -> tuple[list[tuple[Case, Path]], int]:
    """Each case's folder (photo and script) for ``library``; the refusals are checked here, not run."""
    root = photos["folder"] / library
    jobs, refused = [], 0
    for i, case in enumerate(CASES):
        code = expected_refusal(library, case)
        if code is not None:
            with pytest.raises(KernelError) as info:
                code_for(library, case.kernel, case.settings)
            assert info.value.code == code, case.name
            refused += 1
            continue
        script = code_for(library, case.kernel, case.settings)
        folder = root / f"case{i:03d}"
        folder.mkdir(parents=True)
        os.link(photos[case.photo], folder / "photo.png")
        (folder / ("command.sh" if library == "cli" else "script.py")).write_text(script, encoding="utf-8")
        jobs.append((case, folder))
    return jobs, refused


def _run(library: Library, jobs: list[tuple[Case, Path]], folder: Path) -> dict[str, Any]:
    jobs_file, out_file = folder / f"{library}_jobs.json", folder / f"{library}_out.json"
    jobs_file.write_text(json.dumps([str(f) for _, f in jobs]))
    # one thread per library: the scripts are tiny, and other tests may share the cores
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "IMGKERNEL_THREADS": "1"}
    if library == "jax":  # XLA's compiled convolutions kept between runs (keyed by program and JAX version): ~4 s
        env["JAX_COMPILATION_CACHE_DIR"] = str(ROOT / ".pytest_cache" / "jax")
        env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
        env["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
    proc = subprocess.run(
        [sys.executable, str(RUNNER), library, str(jobs_file), str(out_file)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=folder,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out_file.read_text())


@dataclass
class _Runs:
    """Each library's run (its scripts written, then run by one subprocess), two at a time, one per core: JAX, the
    slowest, first, then the others in turn. Without pytest-xdist all start at once, while the references are being
    made; under it, each worker starts only the libraries of its own tests, when they need them."""

    photos: dict[str, Path]
    pool: ThreadPoolExecutor
    futures: dict[str, Future[tuple[list[tuple[Case, Path]], int, dict[str, Any], float]]]

    def start(self, libraries: list[Library]) -> None:
        for name in libraries:
            if name not in self.futures:
                self.futures[name] = self.pool.submit(self._one, name)

    def result(self, library: Library) -> tuple[list[tuple[Case, Path]], int, dict[str, Any], float]:
        self.start([library])
        return self.futures[library].result()

    def _one(self, library: Library) -> tuple[list[tuple[Case, Path]], int, dict[str, Any], float]:
        t0 = time.perf_counter()
        jobs, refused = _write_jobs(library, self.photos)
        ran = _run(library, jobs, self.photos["folder"])
        return jobs, refused, ran, time.perf_counter() - t0


@pytest.fixture(scope="module")
def runs(photos: dict[str, Path]) -> Iterator[_Runs]:
    with ThreadPoolExecutor(2) as pool:
        started = _Runs(photos, pool, {})
        if not os.environ.get("PYTEST_XDIST_WORKER"):
            started.start(["jax", *LIBRARIES])
        yield started


@pytest.mark.parametrize("library", LIBRARIES)
def test_each_librarys_scripts_write_what_imgkernel_apply_writes(
    library: Library, runs: _Runs, references: dict[str, Any]
) -> None:
    jobs, refused, ran, seconds = runs.result(library)
    assert not ran["imgkernel_imported"], "a script of another library imported imgkernel"
    max_diff, differing, values, farthest = 0, 0, 0, 0.0
    failures = []
    for case, folder in jobs:
        error = ran["results"][str(folder)]["error"]
        if error:
            failures.append(f"{case.name}: {error}")
            continue
        want = references["expected"][case.name]
        with Image.open(folder / "result.png") as im:
            got = np.asarray(im)
        if got.shape != want.shape:
            failures.append(f"{case.name}: shape {got.shape}, expected {want.shape}")
            continue
        diff = np.abs(got.astype(np.int16) - want.astype(np.int16))
        if not diff.any():
            values += want.size
            continue
        near = float(references["ties"][case.name][diff > 0].max())
        max_diff, farthest = max(max_diff, int(diff.max())), max(farthest, near)
        differing, values = differing + int(np.count_nonzero(diff)), values + want.size
        exact = library in ("imgkernel", "cli") or case.name.endswith(" exact")
        if exact or diff.max() > 1 or near > NEAR:
            failures.append(f"{case.name}: {np.count_nonzero(diff)} values differ, by up to {diff.max()}; {near=}")
    assert not failures, "\n".join(failures[:10])
    assert differing <= SHARE[library] * values, (library, differing, values)
    _record(library, len(jobs), refused, max_diff, differing, values, farthest, seconds)


def _record(library: str, ran: int, refused: int, max_diff: int, differing: int, values: int, near: float, s: float):
    """Print and keep the counts (test-artifacts/codegen_cases.json) for the README's table."""
    line = {
        "cases run": ran,
        "refused": refused,
        "max diff": max_diff,
        "differing values": differing,
        "of values": values,
        "farthest from a half": near,
        "seconds": round(s, 2),
    }
    print(f"{library}: {line}")
    RECORD.parent.mkdir(exist_ok=True)
    record = json.loads(RECORD.read_text()) if RECORD.exists() else {}
    record[library] = line
    RECORD.write_text(json.dumps(record, indent=1))


# -- what the scripts say, and what code_for refuses ------------------------------------------------------------------


def test_the_grid_covers_every_factor_and_the_same_cases_for_every_library() -> None:
    seen: dict[str, set[Any]] = {}
    for case in CASES:
        s = case.settings
        for key, value in (
            ("kernel", case.kernel.tobytes()),
            ("mode", (s.mode, s.cval)),
            ("stride", s.stride),
            ("dilation", s.dilation),
            ("gray", s.gray),
            ("linear", s.linear),
            ("map", s.out_of_range),
            ("turned", s.true_convolution),
            ("scale", (s.divisor, s.offset, s.normalise, s.mean)),
            ("photo", case.photo),
        ):
            seen.setdefault(key, set()).add(value)
    assert len(seen["kernel"]) == 9 and len(seen["mode"]) == 9  # the halves; constant with cval 100, 0, 37.5, 101
    assert all(len(seen[k]) == 2 for k in ("stride", "dilation", "gray", "linear", "turned", "photo"))
    assert len(seen["map"]) == 3 and len(seen["scale"]) >= len(SCALES)
    assert len({c.name for c in CASES}) == len(CASES) > 200
    runs = {lib: sum(expected_refusal(lib, c) is None for c in CASES) for lib in LIBRARIES}
    assert all(runs[lib] == len(CASES) for lib in LIBRARIES if lib != "pillow")
    assert 40 < runs["pillow"] < len(CASES)


SETTINGS = Settings(
    mode="constant",
    cval=12.5,
    stride=2,
    dilation=3,
    true_convolution=True,
    divisor=-4.0,
    offset=255.0,
    out_of_range="abs",
    gray=True,
    linear=True,
)
KERNEL = np.array([[1 / 3, 0.1], [-2.5, 7.0]])


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_script_is_valid_code_that_names_every_setting(library: Library) -> None:
    settings = SETTINGS if library != "pillow" else SETTINGS.with_(linear=False, cval=12.0, dilation=2)
    script = code_for(library, KERNEL, settings)
    assert "0.3333333333333333" in script and "0.1" in script  # the weights in full (repr)
    if library == "cli":
        argv = shlex.split(script)
        assert argv[:4] == ["imgkernel", "apply", "photo.png", "result.png"] and "\n" not in script.strip()
        args = cli._parser().parse_args(argv[1:])
        assert json.loads(args.matrix) == KERNEL.tolist()
        assert (args.mode, args.cval, args.stride, args.dilation) == ("constant", 12.5, 2, 3)
        assert (args.divisor, args.offset, args.map) == (-4.0, 255.0, "abs")
        assert args.gray and args.linear and args.convolve and not args.normalise and not args.mean
        return
    tree = ast.parse(script)
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert ("imgkernel" in imported) == (library == "imgkernel")
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") in ("eval", "exec")]
    header = script.split("\nimport")[0].split("\nfrom")[0]
    assert "photo.png" in header and "result.png" in header
    for words in (
        "kernel 2 x 2",
        "true convolution",
        "border constant (cval 12",
        "stride 2",
        "divisor -4, offset 255",
        "out of range: abs",
        "luminance",
    ):
        assert words in header, (words, header)
    assert ("linear light" in header) == (library != "pillow")
    assert f"dilation {settings.dilation}" in header


def test_normalise_and_mean_are_written_as_the_numbers_they_stand_for() -> None:
    blur = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    numpy = code_for("numpy", blur, Settings(normalise=True))
    assert "divisor = 16  # GIMP's normalise: divide by the sum of the weights" in numpy
    inverted = code_for("numpy", -blur, Settings(normalise=True))
    assert "divisor = 16" in inverted and "offset = 255" in inverted
    edges = code_for("scipy", [[-1, 0, 1]], Settings(normalise=True))
    assert "divisor = 1 " in edges and "offset = 127.5" in edges
    mean = code_for("opencv", blur, Settings(mean=True, offset=3))
    assert "divisor = 9  # mean" in mean and "offset = 3" in mean
    for library in ("numpy", "scipy", "opencv", "pillow", "jax"):  # resolved: no hidden step
        assert "normalise=" not in code_for(library, blur, Settings(normalise=True))
    assert "normalise=True" in code_for("imgkernel", blur, Settings(normalise=True))  # the library's own API
    assert "--normalise" in code_for("cli", blur, Settings(normalise=True))


def test_each_library_names_its_convention() -> None:
    assert "BORDER_REFLECT_101" in code_for("opencv", [[1]], Settings(mode="mirror"))
    assert 'mode="symmetric"' in code_for("numpy", [[1]], Settings(mode="reflect"))
    assert "BORDER_WRAP" in code_for("opencv", [[1]], Settings(mode="wrap"))
    assert "weights[::-1]" in code_for("pillow", [[1]])
    assert "np.pad(" in code_for("jax", [[1]]) and "np.pad(" not in code_for("jax", [[1]], Settings(mode="constant"))
    assert "ndimage.convolve" in code_for("scipy", [[1]], Settings(true_convolution=True))
    gray = code_for("opencv", [[1]], Settings(gray=True))
    assert "19595" in gray and "COLOR_BGR2GRAY" in gray  # Pillow's "L", and why not cv2's own


NOTES = [
    ("imgkernel", Settings(), "codegen_note_imgkernel"),
    ("cli", Settings(), "codegen_note_cli"),
    ("numpy", Settings(mode="mirror"), "codegen_note_numpy"),
    ("numpy", Settings(mode="valid"), "codegen_note_numpy_valid"),
    ("scipy", Settings(true_convolution=True), "codegen_note_scipy"),
    ("opencv", Settings(mode="mirror"), "codegen_note_opencv"),
    ("opencv", Settings(mode="wrap"), "codegen_note_opencv_pad"),
    ("opencv", Settings(mode="constant", cval=9), "codegen_note_opencv_pad"),
    ("opencv", Settings(mode="valid"), "codegen_note_opencv_valid"),
    ("pillow", Settings(), "codegen_note_pillow"),
    ("jax", Settings(), "codegen_note_jax"),
    ("jax", Settings(mode="constant"), "codegen_note_jax_zeros"),
    ("jax", Settings(mode="valid"), "codegen_note_jax_valid"),
]


@pytest.mark.parametrize(("library", "settings", "code"), NOTES)
def test_the_convention_note_fits_the_library_and_the_settings(library: Library, settings: Settings, code: str) -> None:
    note = convention(library, settings)
    assert isinstance(note, Message) and note.code == code and "{" not in note


def test_the_notes_read_as_intended() -> None:
    assert convention("opencv", Settings(mode="mirror")) == (
        "`cv2.filter2D` correlates (it does not turn the kernel), and scipy's `mirror` border is OpenCV's "
        "BORDER_REFLECT_101."
    )
    assert convention("numpy") == (
        "`np.pad`'s mode=\"symmetric\" is scipy's `reflect` border; then one shifted copy of the photo per weight is "
        "added up."
    )
    assert "this script uses convolve" in convention("scipy", Settings(true_convolution=True))


REFUSED: list[tuple[str, Any, Settings, str, str]] = [
    ("torch", [[1]], Settings(), "codegen_unknown_library", "Unknown library 'torch'; choose one of imgkernel, cli"),
    ("numpy", [[1, math.nan]], Settings(), "number_nan", "The cell in row 1, column 2 is not a number (NaN)."),
    ("numpy", [[1, 2], [3]], Settings(), "kernel_not_grid", ""),
    ("numpy", np.ones((64, 1)), Settings(), "kernel_too_big", ""),
    ("scipy", [[1]], Settings(mode="bogus"), "engine_unknown_mode", ""),  # type: ignore[arg-type]
    ("jax", [[1]], Settings(stride=0), "engine_bad_stride", ""),
    ("opencv", [[1]], Settings(dilation=1.5), "engine_bad_dilation", ""),  # type: ignore[arg-type]
    ("numpy", [[1]], Settings(divisor=0), "divisor_zero", ""),
    ("cli", [[1]], Settings(offset=math.inf), "number_not_finite_got", ""),
    ("imgkernel", [[1]], Settings(cval=math.nan), "number_not_finite_got", ""),
    ("numpy", [[1]], Settings(out_of_range="wrap"), "mapping_unknown_out_of_range", ""),  # type: ignore[arg-type]
    (
        "pillow",
        np.ones((7, 7)),
        Settings(),
        "codegen_pillow_too_big",
        "Pillow's `ImageFilter.Kernel` is at most 5 × 5, and this kernel spans 7 rows and 7 columns "
        "(dilation included).",
    ),
    ("pillow", np.ones((3, 4)), Settings(dilation=2), "codegen_pillow_too_big", "spans 5 rows and 7 columns"),
    (
        "pillow",
        [[1]],
        Settings(linear=True),
        "codegen_pillow_linear",
        "Pillow's `ImageFilter.Kernel` filters 8-bit pixels only, so it cannot filter linear light.",
    ),
    (
        "pillow",
        [[1]],
        Settings(out_of_range="rescale"),
        "codegen_pillow_rescale",
        "Pillow's `ImageFilter.Kernel` rounds and clips its results to 0..255, so nothing is left to rescale.",
    ),
    (
        "pillow",
        [[1]],
        Settings(mode="constant", cval=37.5),
        "codegen_pillow_cval",
        "Pillow filters 8-bit pixels, so the border value must be a whole number from 0 to 255, not 37.5.",
    ),
    ("pillow", [[1]], Settings(mode="constant", cval=300), "codegen_pillow_cval", "not 300."),
]


@pytest.mark.parametrize(("library", "matrix", "settings", "code", "text"), REFUSED, ids=[r[3] for r in REFUSED])
def test_code_for_refuses_what_it_cannot_write(library: str, matrix: Any, settings: Settings, code: str, text: str):
    with pytest.raises(KernelError) as info:
        code_for(library, matrix, settings)  # type: ignore[arg-type]
    assert code in _codes(info.value.message), info.value
    assert text in str(info.value)


def test_code_for_refuses_what_is_not_settings_and_convention_an_unknown_library() -> None:
    with pytest.raises(TypeError):
        code_for("numpy", [[1]], {"mode": "wrap"})  # type: ignore[arg-type]
    for library in ("torch", None, 3):
        with pytest.raises(KernelError) as info:
            convention(library)  # type: ignore[arg-type]
        assert info.value.code == "codegen_unknown_library"
    assert imgkernel.code_for is code_for and imgkernel.LIBRARIES == LIBRARIES
    assert {"code_for", "convention", "LIBRARIES"} <= set(imgkernel.__all__)


def _codes(message: Message | None) -> Iterator[str]:
    if message is None:
        return
    yield message.code
    for value in message.params.values():
        if isinstance(value, Message):
            yield from _codes(value)


def test_every_code_export_message_is_reached() -> None:
    """The codegen_ templates are this file's share of the library's messages (tests/test_messages_io.py has the
    rest): each is raised or returned above."""
    reached = {code for _, _, code in NOTES} | {r[3] for r in REFUSED}
    assert sorted(c for c in TEMPLATES if c.startswith("codegen_")) == sorted(
        c for c in reached if c.startswith("codegen_")
    )


def _kernel_in(library: str, script: str) -> list[list[float]]:
    """The weights a script holds, read back as Python reads them."""
    if library == "cli":
        return json.loads(shlex.split(script)[5])
    (node,) = [
        n.value
        for n in ast.walk(ast.parse(script))
        if isinstance(n, ast.Assign)
        and getattr(n.targets[0], "id", "") == "kernel"
        and not isinstance(n.value, ast.Subscript)
    ][:1]
    literal = node.args[0] if isinstance(node, ast.Call) else node  # np.array([...], dtype=float) or [...]
    return ast.literal_eval(literal)


@pytest.mark.parametrize("library", LIBRARIES)
def test_scripts_are_deterministic_and_hold_the_weights_in_full(library: Library) -> None:
    weights = np.array([[0.1 + 0.2, 1 / 3, 2 / 3], [1e-17, -7.25, 123456.789], [1e5, -0.0, 5e-324]])
    settings = Settings(mode="wrap")
    script = code_for(library, weights, settings)
    assert script == code_for(library, weights.copy(), settings)
    back = np.array(_kernel_in(library, script), dtype=np.float64)
    assert back.tobytes() == np.where(weights == 0, 0.0, weights).tobytes()  # every bit (-0 is written 0)
    assert "divisor = 0.30000000000000004" in code_for("numpy", [[1]], replace(Settings(), divisor=0.1 + 0.2))


def test_the_scripts_are_tidy_python_as_ruff_formats_and_checks_it(tmp_path: Path) -> None:
    """Idiomatic at least to the linter: no unused import, sorted imports, ruff's formatting (the project's line
    length). A kernel's rows stay one per line however long (ruff would put one weight per line), so the 15x15
    kernel is left out here; elsewhere no line passes 120 characters."""
    for i, case in enumerate(CASES):
        for library in LIBRARIES:
            if library == "cli" or expected_refusal(library, case):
                continue
            script = code_for(library, case.kernel, case.settings)
            long = [line for line in script.splitlines() if len(line) > 120 and not line.lstrip().startswith("[")]
            assert not long, (library, case.name, long)
            if case.kernel.shape != (15, 15):
                (tmp_path / f"{library}_{i:03d}.py").write_text(script, encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    assert subprocess.run([*ruff, "--version"], capture_output=True).returncode == 0  # requirements-dev.txt has it
    rules = ["--isolated", "--line-length", "120", "--select", "E,F,W,I,B,UP,SIM"]
    check = subprocess.run([*ruff, "check", *rules, str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-3000:]
    fmt = subprocess.run(
        [*ruff, "format", "--isolated", "--line-length", "120", "--check", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout[-3000:]
