"""Moved to ``imgkernel.formats.images``: this old name still works, with a ``DeprecationWarning``, until the next
release."""

import sys
import warnings

from .formats import images as _moved

warnings.warn(
    "imgkernel.images moved to imgkernel.formats.images; the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
