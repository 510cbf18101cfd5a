"""Moved to ``imgkernel.formats.acf``: this old name still works, with a ``DeprecationWarning``, until the next
release."""

import sys
import warnings

from .formats import acf as _moved

warnings.warn(
    "imgkernel.acf moved to imgkernel.formats.acf; the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
