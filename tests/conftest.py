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

from streamlit.components.v2 import manifest_scanner

manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


# Dask's workers keep scratch files (lock files, spilled data) in its temporary directory, /tmp/dask-scratch-space by
# default: give them one of pytest's own, which tests/test_hostile_ui.py's "nothing written to disk" check leaves
# out like every pytest-of-* folder (set before any cluster starts; worker processes inherit it).
if "DASK_TEMPORARY_DIRECTORY" not in os.environ:
    os.environ["DASK_TEMPORARY_DIRECTORY"] = _scratch = tempfile.mkdtemp(prefix="pytest-of-dask-")
    atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
