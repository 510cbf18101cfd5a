"""What machine a benchmark ran on, in a few lines to print beside its table (one place for every bench).

Figures from different machines must never be mixed up: the same code is 2x faster or slower against OpenCV
from one CPU to another. The lines name the CPU (/proc/cpuinfo), the SIMD extensions NumPy dispatches to (what
``numpy.show_runtime()`` reports), the threads the process may use, the variables that change NumPy's, OpenCV's
or BLAS's behaviour when set, and the state of the code. Only the standard library and NumPy are imported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import subprocess
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# Variables that change what is measured: CPU features switched off, BLAS tuning (see shared performance notes).
ENV_VARS = (
    "NPY_DISABLE_CPU_FEATURES",
    "NPY_ENABLE_CPU_FEATURES",
    "OPENCV_CPU_DISABLE",
    "OPENCV_IPP",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "IMGKERNEL_CALIBRATE",
)


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (``platform.processor()`` elsewhere)."""
    with contextlib.suppress(OSError, StopIteration):
        return next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return platform.processor() or "unknown CPU"


def cpu_flags(
    wanted: tuple[str, ...] = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl"),
) -> list[str]:
    """Which of the ``wanted`` flags the CPU itself has (/proc/cpuinfo), whatever NumPy or OpenCV make of them."""
    with contextlib.suppress(OSError, StopIteration):
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
        have = set(flags.split(":", 1)[1].split())
        return [f for f in wanted if f in have]
    return []


def caches() -> str:
    """Cache sizes of CPU 0 (L2 decides the best strip and FFT tile sizes), e.g. ``L1d 48K, L2 2048K, L3 300M``."""
    out = []
    for d in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        with contextlib.suppress(OSError):
            kind = (d / "type").read_text().strip()
            if kind != "Instruction":
                level = (d / "level").read_text().strip()
                out.append(f"L{level}{'d' if kind == 'Data' else ''} {(d / 'size').read_text().strip()}")
    return ", ".join(out) or "cache sizes unknown"


def numpy_simd() -> str:
    """NumPy's SIMD extensions as ``numpy.show_runtime()`` lists them: baseline, found, not found (compact)."""
    try:
        from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    except ImportError:  # a NumPy that moved them: say so rather than guess
        return "NumPy SIMD: unknown"
    found = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    missing = [f for f in __cpu_dispatch__ if not __cpu_features__.get(f)]
    return (
        f"NumPy {np.__version__} SIMD: baseline {' '.join(__cpu_baseline__) or 'none'}; "
        f"found {' '.join(found) or 'none'}; not found {' '.join(missing) or 'none'}"
    )


def threads() -> str:
    """CPUs the OS reports, those this process may run on, and the engine's worker threads."""
    from imgkernel import _tiles

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{os.cpu_count()} CPUs ({usable} usable by this process), imgkernel engine {_tiles.WORKERS} threads"


def blas() -> str:
    """NumPy's BLAS as loaded (the engine's matrix products run in it): library, version, kernels, threads."""
    import threadpoolctl

    libs = [lib for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"]
    return (
        "; ".join(
            f"{lib['internal_api']} {lib['version']} ({lib.get('architecture') or 'unknown'} kernels, "
            f"{lib.get('threading_layer', 'unknown')}, {lib['num_threads']} threads)"
            for lib in libs
        )
        or "none found"
    )


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (VmRSS, Linux); ``RuntimeError`` once it has none (a zombie)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS line")


def environment() -> str:
    """The performance-relevant variables that are set, or ``none set``."""
    found = [f"{k}={os.environ[k]!r}" for k in ENV_VARS if k in os.environ]
    return ", ".join(found) or "none set"


def code_state(paths: tuple[str, ...] = ("streamlit_app.py", "pages", "app", "ui.py", "imgkernel")) -> str:
    """The commit the code ran from, and whether ``paths`` had uncommitted changes."""

    def git(*cmd: str) -> str:
        with contextlib.suppress(OSError):
            return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return ""

    head = git("log", "-1", "--format=%h %s") or "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--", *paths)
    return head + (" + uncommitted changes" if dirty else "")


def machine() -> list[str]:
    """Date, CPU, SIMD, threads, environment and code state: one line each, for a bench's header."""
    flags = cpu_flags()
    avx512 = "with AVX-512" if any(f.startswith("avx512") for f in flags) else "without AVX-512"
    return [
        f"Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"Machine: {cpu_model()} ({avx512}; flags {' '.join(flags) or 'unknown'}; {caches()}), "
        f"{platform.system()}, Python {platform.python_version()}",
        f"Threads: {threads()}",
        numpy_simd(),
        f"BLAS: {blas()}",
        f"Environment: {environment()}",
        f"Code: {code_state()}",
    ]


if __name__ == "__main__":
    print("\n".join(machine()))
