"""Streamlit's server answers late on a kept-alive connection: the fix, applied once per process.

Streamlit 1.67 serves through uvicorn on a listening socket it binds itself (``socket.socket(family)``), so the
socket's ``proto`` is 0. asyncio turns Nagle's algorithm off (``TCP_NODELAY``) on an accepted connection only
when ``proto`` is ``IPPROTO_TCP``, so on these connections a small write that follows another waits for the
browser's delayed acknowledgement: 40 ms on Linux. Measured here with curl, three script files on one
connection: 43 ms for each file after the first, 1.8 ms with ``TCP_NODELAY``. A new visitor's page fetches
about 46 script chunks over six connections, and every rerun sends its messages one after another on one
WebSocket (the numbers are in ``bench/RESULTS.md``).
"""

from __future__ import annotations

import asyncio.base_events
import contextlib
import socket

_asyncio_set_nodelay = getattr(asyncio.base_events, "_set_nodelay", None)  # asyncio's own hook, kept


def _set_nodelay(sock: socket.socket) -> None:
    """asyncio's hook, then the case it skips: a TCP stream socket whose ``proto`` is 0 sends at once too."""
    if _asyncio_set_nodelay is not None:
        _asyncio_set_nodelay(sock)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM and sock.proto == 0:
        with contextlib.suppress(OSError):  # a connection already reset by the peer: nothing to tune
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def send_without_delay() -> bool:
    """Make asyncio set ``TCP_NODELAY`` on each TCP connection this process accepts from now on; True if it could.

    Connections accepted before the call keep Nagle's algorithm: called from the entry script, it holds from the
    server's first script run on, so a fresh server's first visitor still fetches the page's first files the
    old way. Idempotent; a no-op (False) on a Python whose asyncio lacks the hook.
    """
    if not callable(_asyncio_set_nodelay):
        return False
    asyncio.base_events._set_nodelay = _set_nodelay  # type: ignore[attr-defined]
    return True
