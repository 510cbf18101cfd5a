"""Moved to ``imgkernel.formats.png``: this old name still works, with a ``DeprecationWarning``, until the next
release."""

import sys
import warnings

from .formats import png as _moved

warnings.warn(
    "imgkernel.png moved to imgkernel.formats.png; the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
