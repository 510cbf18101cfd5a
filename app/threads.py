"""The app's one thread cap per request: a classroom shares the server's cores fairly.

The library uses every CPU the process may use (``IMGKERNEL_THREADS`` caps the process). A Streamlit server runs
one script thread per visitor, and one visitor's 12 MP export on every core would stall the rest of the class,
so each page run filters on at most ``REQUEST_THREADS`` threads (``imgkernel.threads``, which applies to the
calling context only: sessions running at once each keep their own cap). 2 is what the classroom figures in
``docs/deployment.md`` were measured with (2 engine threads per call on 2 cores); ``docs/engine.md`` ("Threads")
says how the caps combine. Set ``IMGKERNEL_APP_THREADS`` (a whole number >= 1) to change it for a deployment,
e.g. a bigger machine with few visitors at a time.

``streamlit_app.py`` applies it around the page run; a fragment rerun calls its fragment directly, without
that page run, so a fragment that filters enters ``request_threads()`` itself.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping

import imgkernel
from imgkernel._tiles import whole_number_env

APP_THREADS_ENV = "IMGKERNEL_APP_THREADS"
DEFAULT_REQUEST_THREADS = 2


def request_threads_from(environ: Mapping[str, str]) -> int:
    """``IMGKERNEL_APP_THREADS`` from ``environ`` if it is a whole number >= 1, else the default (a bad value is
    ignored with a ``RuntimeWarning`` naming it, as the library does with ``IMGKERNEL_THREADS``: a typo in a
    deployment's settings must not stop the app)."""
    value = whole_number_env(APP_THREADS_ENV, environ)
    return DEFAULT_REQUEST_THREADS if value is None else value


REQUEST_THREADS = request_threads_from(os.environ)
"""Most threads one page run's filtering uses (never more than the library's ``WORKERS``)."""


def request_threads() -> contextlib.AbstractContextManager[None]:
    """The cap for one page run (or fragment run): ``with request_threads(): ...``."""
    return imgkernel.threads(REQUEST_THREADS)
