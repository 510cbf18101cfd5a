"""Moved to ``app.share``: the share link's URL schema is the playground's, not the library's. This old name still
works, with a ``DeprecationWarning``, until the next release, where the app is installed beside the library."""

import sys
import warnings

from app import share as _moved

warnings.warn(
    "imgkernel.share moved to app.share (the playground's link format); the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
