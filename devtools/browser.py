"""The app served by ``streamlit run`` on a free localhost port, and Debian's Chromium to drive it with Playwright.

Used by ``tests/browser/conftest.py`` (the browser tier's fixtures) and by the browser benchmarks in ``bench/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import weakref
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# The servers started by this process and still running, with their logs (``server_logs``).
_servers: weakref.WeakKeyDictionary[subprocess.Popen, IO[bytes]] = weakref.WeakKeyDictionary()

DESKTOP = {"width": 1400, "height": 1000}  # the window the issues measure at (pictures at natural size)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(
    port: int | None = None, script: Path = ROOT / "streamlit_app.py", env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """Start ``script`` (the app by default) headless on a free localhost port; returns the process and its URL.
    ``env``: variables set for the server on top of this process's environment."""
    port = port or free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    # a file, not a pipe: a long run's log can never fill it and stall the server (it lives as long as the server)
    log = tempfile.TemporaryFile()  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    _servers[proc] = log
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"streamlit exited early:\n{log.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.1)
    stop_app(proc)
    raise RuntimeError("streamlit did not answer its health check within 60 s")


def server_logs(containing: str = "Traceback") -> list[str]:
    """The logs of this process's running servers that contain ``containing``: the page shows a visitor no
    traceback (``client.showErrorDetails``), the server's log has it (the browser tier adds it to a failure)."""
    logs = []
    for log in list(_servers.values()):
        # pread: the server writes through the same open file, so moving its offset would move where it writes
        fd = log.fileno()
        text = os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")
        if containing in text:
            logs.append(text)
    return logs


def stop_app(proc: subprocess.Popen) -> None:
    _servers.pop(proc, None)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
