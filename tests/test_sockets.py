"""The server-side fix for Streamlit's delayed responses (``app.sockets``): on a listening socket bound the way
Streamlit binds its own (``proto`` 0), asyncio leaves Nagle's algorithm on for each accepted connection; after
``send_without_delay`` each has ``TCP_NODELAY``."""

from __future__ import annotations

import asyncio
import asyncio.base_events
import socket

from app import sockets
from tests.apptest import ok, start


def _accepted_nodelay(set_nodelay) -> int:
    """TCP_NODELAY of a connection accepted by an asyncio server on a proto-0 socket, with ``set_nodelay`` as
    asyncio's hook."""
    saved = asyncio.base_events._set_nodelay
    asyncio.base_events._set_nodelay = set_nodelay

    async def run() -> int:
        listener = socket.socket(socket.AF_INET)  # as streamlit.web.server.starlette binds it
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        try:
            _, writer = await asyncio.open_connection(*listener.getsockname())
            value = await asyncio.wait_for(accepted, 10)
            writer.close()
            return value
        finally:
            server.close()
            await server.wait_closed()

    try:
        return asyncio.run(run())
    finally:
        asyncio.base_events._set_nodelay = saved


def test_asyncio_alone_leaves_nagle_on_for_a_proto_0_listener():
    # The bug the module works around: if asyncio ever sets it itself, the fix can go.
    with socket.socket(socket.AF_INET) as bound_like_streamlit:
        assert bound_like_streamlit.proto == 0
    assert _accepted_nodelay(sockets._asyncio_set_nodelay) == 0


def test_with_the_fix_each_accepted_connection_sends_at_once():
    assert _accepted_nodelay(sockets._set_nodelay) == 1


def test_the_app_installs_the_fix_and_installing_it_again_changes_nothing(monkeypatch):
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", sockets._asyncio_set_nodelay)
    ok(start())  # the entry script's run, as a server's first visitor's
    assert asyncio.base_events._set_nodelay is sockets._set_nodelay
    assert sockets.send_without_delay() and asyncio.base_events._set_nodelay is sockets._set_nodelay
    assert _accepted_nodelay(asyncio.base_events._set_nodelay) == 1


def test_without_asyncio_s_hook_it_does_nothing(monkeypatch):
    monkeypatch.setattr(sockets, "_asyncio_set_nodelay", None)
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", None)
    assert sockets.send_without_delay() is False
    assert asyncio.base_events._set_nodelay is None


def test_a_unix_socket_is_left_alone():
    a, b = socket.socketpair(socket.AF_UNIX)
    with a, b:
        sockets._set_nodelay(a)  # no TCP option to set on it, and no error
        a.sendall(b"x")
        assert b.recv(1) == b"x"
