"""What the whole suite shares.

AppTest scans every installed package's metadata for components-v2 manifests on each run (Streamlit 1.67,
``ComponentManager.discover_and_register_components``): ~0.19 s of a ~0.21 s app start here, 90 %, and the same
files every time. A server scans once, at startup; the installed packages do not change during a test session
either, so the tests scan once too (the components are still registered on every run).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile

import pytest
import threadpoolctl
from streamlit.components.v2 import manifest_scanner

manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


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
