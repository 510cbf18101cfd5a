"""What the whole suite shares.

AppTest scans every installed package's metadata for components-v2 manifests on each run (Streamlit 1.67,
``ComponentManager.discover_and_register_components``): ~0.19 s of a ~0.21 s app start here, 90 %, and the same
files every time. A server scans once, at startup; the installed packages do not change during a test session
either, so the tests scan once too (the components are still registered on every run).
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import gc
import io
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from typing import Any

import pytest
import threadpoolctl
from streamlit import config as st_config
from streamlit.components.v2 import manifest_scanner
from streamlit.elements.lib import image_utils
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import local_script_runner

manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)

# Each AppTest run has a ScriptCache of its own, so every run compiled the app's script and its page again, with
# Streamlit's "magic" AST pass (~2.5 ms a file, two files a run, over a thousand runs). A server compiles a page once
# and reuses the code for every session until the file changes; so do the tests, keyed by the file's bytes.
_compiled: dict[tuple[str, bool, bytes], Any] = {}
_compile_script = ScriptCache.get_bytecode


def _get_bytecode(self: ScriptCache, script_path: str) -> Any:
    path = os.path.abspath(script_path)
    with open(path, "rb") as f:
        key = (path, bool(st_config.get_option("runner.magicEnabled")), f.read())
    if key not in _compiled:
        _compiled[key] = _compile_script(self, script_path)
    return _compiled[key]


ScriptCache.get_bytecode = _get_bytecode  # type: ignore[method-assign]

# st.image sends a NumPy picture as a PNG made at zlib's level 6 (Pillow's default): ~45 ms for the 0.14 MP sample,
# a fifth of the AppTest modules' time. No test reads those bytes (they read captions, alt texts and the state; the
# browser tier sees the server's real ones): stored uncompressed, the same PNG pixels take ~7 ms.
_pil_to_bytes = image_utils._pil_to_bytes


def _png_stored(image: Any, format: str = "JPEG", quality: int = 100) -> bytes:
    if format != "PNG":
        return _pil_to_bytes(image, format, quality)  # type: ignore[arg-type]
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=0)
    return out.getvalue()


image_utils._pil_to_bytes = _png_stored

# AppTest waits for a script run by waking every millisecond to look for its end (``require_widgets_deltas``); each
# wake takes the GIL from the thread running the script (~2 % of the AppTest modules' time). Joining that thread
# waits without waking; Streamlit's own check then runs as before, with what is left of the timeout.
_require_widgets_deltas = local_script_runner.require_widgets_deltas


def _wait_for_run(runner: local_script_runner.LocalScriptRunner, timeout: float = 3) -> None:
    started = time.monotonic()
    thread = runner._script_thread
    if thread is not None:
        thread.join(timeout)
    _require_widgets_deltas(runner, max(timeout - (time.monotonic() - started), 0.001))


local_script_runner.require_widgets_deltas = _wait_for_run

# A batch's process pool starts its workers from a fork server (imgkernel.batch): each new worker imported imgkernel
# again (~0.3 s, ~30 workers in the suite). The fork server imports it once and its workers are forks of that, still
# processes that ran nothing else.
if "forkserver" in multiprocessing.get_all_start_methods():
    multiprocessing.set_forkserver_preload(["imgkernel.batch"])


# Dask's workers keep scratch files (lock files, spilled data) in its temporary directory, /tmp/dask-scratch-space by
# default: give them one of pytest's own, which tests/test_hostile_ui.py's "nothing written to disk" check leaves
# out like every pytest-of-* folder (set before any cluster starts; worker processes inherit it).
if "DASK_TEMPORARY_DIRECTORY" not in os.environ:
    os.environ["DASK_TEMPORARY_DIRECTORY"] = _scratch = tempfile.mkdtemp(prefix="pytest-of-dask-")
    atexit.register(shutil.rmtree, _scratch, ignore_errors=True)

# The engine keeps its calibration in the user's cache folder (imgkernel/_model_store.py): a test session uses one
# of its own, so it never reads figures measured outside it nor leaves any behind (subprocesses inherit it).
if "IMGKERNEL_CACHE_DIR" not in os.environ:
    os.environ["IMGKERNEL_CACHE_DIR"] = _cache = tempfile.mkdtemp(prefix="pytest-of-imgkernel-cache-")
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)

# `-n auto` runs one worker per core: OpenBLAS's own threads (busy-waiting ones, a pool per process) on top of them
# fought for the cores and made the linear-algebra tests 2-9x slower. So with several workers, each one and every
# program the tests start runs BLAS on one thread; ``machine_blas_threads`` gives a test what a lone process has.
_BLAS_THREADS = os.environ.get("OPENBLAS_NUM_THREADS")  # as set outside the tests, if it was
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # for BLAS libraries loaded from now on, and for subprocesses
    threadpoolctl.threadpool_limits(1, user_api="blas")  # for those loaded already


@pytest.fixture
def machine_blas_threads():
    """BLAS on as many threads as OpenBLAS takes by itself (the CPUs this process may use), not the workers' one."""
    if _WORKERS == 1:
        yield
        return
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    with threadpoolctl.threadpool_limits(int(_BLAS_THREADS or min(cpus, 64)), user_api="blas"):
        yield


# The app pins glibc's mmap threshold at 128 kB when app.budget is imported (the server's setting: big freed buffers
# go back to the system at once, so RSS follows what is really held), and every worker imports it while collecting
# the AppTest modules. Pinned, every array from 128 kB up is a new mapping, zero-filled page by page: the numeric and
# image tests spent twice their time in the kernel (a damaged animated WebP took 6 s to refuse instead of 1 s). No
# test but the ones marked ``server_allocator`` looks at RSS, so the others run with a roomy allocator, as glibc's
# own threshold becomes once big buffers have been freed (32 MB, trimming the heap past twice that); the marked ones
# with the server's setting (and glibc's default trim threshold, 128 kB, as the server has).
_M_TRIM_THRESHOLD = -1  # mallopt's parameter (the mmap threshold's is app.budget's)


def _find_mallopt() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):  # not glibc: nothing is pinned
        return None


_mallopt = _find_mallopt()


# Modules whose tests take seconds each, mostly waiting (a live stream's frames, subprocesses, process pools): run
# first. pytest-xdist hands the tests out in their order, so a worker that drew them last (they sort late) went on
# alone for up to 15 s after the other had run out of work; first, the short tests after them even the workers out.
LONG_FIRST = ("test_live_loopback.py", "test_codegen.py", "test_batch.py", "test_batch_dask.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in LONG_FIRST)  # a stable sort: the order is otherwise kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """Collecting imports most of what the tests use (Streamlit, SciPy, ONNX, the app): some 300,000 objects that live
    as long as the worker. Frozen, Python's full garbage collections stop walking them again and again (~1 s of
    each worker's ~2.5 s in the collector)."""
    gc.freeze()


@pytest.fixture(autouse=True)
def _allocator(request: pytest.FixtureRequest) -> None:
    if _mallopt is None:
        return
    from app.budget import M_MMAP_THRESHOLD, MMAP_THRESHOLD  # (here: importing it pins the server's setting)

    server = request.node.get_closest_marker("server_allocator") is not None
    _mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD if server else 32 << 20)
    _mallopt(_M_TRIM_THRESHOLD, 128 << 10 if server else 64 << 20)
