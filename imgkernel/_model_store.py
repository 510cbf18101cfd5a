"""The engine's calibration kept on disk, so each new process of a machine does not measure it again.

Measuring takes 0.3-0.5 s (``engine.calibration``): a command line run on one photo, or each process of a batch,
would pay it every time. The figures depend on the machine and the software only, so, as FFTW keeps its
"wisdom", they are saved once per machine in a small JSON file and read back by the next process:
``$IMGKERNEL_CACHE_DIR``, else ``$XDG_CACHE_HOME/imgkernel``, else ``~/.cache/imgkernel``. The file's name and
content carry a key (CPU model and features, threads measured on, NumPy and imgkernel versions, this format), so
another machine, an upgrade or another thread count measures afresh. Nothing in it is trusted: a file that is not
exactly what ``save`` writes is ignored (and replaced by the next measurement); a folder that cannot be written
(read-only home, a sandbox) only means measuring every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

FORMAT = 2  # bump when the engine changes what its figures mean (2: batched band products)
CACHE_ENV = "IMGKERNEL_CACHE_DIR"


def folder() -> Path:
    """Where saved calibrations live (see the module docstring)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "imgkernel"


def _cpu() -> str:
    """The CPU's model and features as the OS reports them (Linux: /proc/cpuinfo), else what Python knows."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            lines = f.read(1 << 16).splitlines()
        fields = {name.strip(): value.strip() for name, value in (line.split(":", 1) for line in lines if ":" in line)}
        model = fields.get("model name", fields.get("cpu model", ""))
        flags = fields.get("flags", fields.get("Features", "")).split()
        return model + " " + " ".join(sorted(flags))
    except OSError:
        return f"{platform.machine()} {platform.processor()}"


def key(threads: int, version: str) -> str:
    """What a calibration is valid for: this CPU, ``threads`` threads, this NumPy and imgkernel ``version``."""
    parts = (f"format {FORMAT}", f"threads {threads}", f"numpy {np.__version__}", f"imgkernel {version}", _cpu())
    return "\n".join(parts)


def _path(k: str) -> Path:
    return folder() / f"calibration-{hashlib.sha256(k.encode()).hexdigest()[:20]}.json"


def load(k: str) -> dict[str, object] | None:
    """The figures saved under ``k``, or None (none saved, unreadable, or for another key)."""
    try:
        with open(_path(k), encoding="utf-8") as f:
            data = json.loads(f.read(1 << 16))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != k or not isinstance(data.get("model"), dict):
        return None
    return data["model"]


def save(k: str, fields: Mapping[str, object]) -> bool:
    """Keep ``fields`` under ``k`` (written to a temporary name, then renamed: a reader never sees half a file);
    False if the folder cannot be written."""
    target = _path(k)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".calibration-", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"key": k, "model": dict(fields)}, f, indent=1)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return False
    return True
