"""The benchmarks' yardstick apps run on a server with the playground's fix for Streamlit's delayed responses
(``app/sockets.py``), so both sides are served alike; with ``ENV`` set for its server, a yardstick runs on the stock
server instead, to show what the fix alone is worth."""

from __future__ import annotations

import os

from app.sockets import send_without_delay

_NAME = "MINIMAL_STOCK_SERVER"
ENV = {_NAME: "1"}  # for ``devtools.browser.start_app(env=...)``


def serve_like_the_playground() -> None:
    """Called by a yardstick app's script: the playground's socket fix, unless its server was started with ``ENV``."""
    if os.environ.get(_NAME) != ENV[_NAME]:
        send_without_delay()
