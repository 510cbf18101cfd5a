"""Moved to ``imgkernel.formats.kernel_io``: this old name still works, with a ``DeprecationWarning``, until the next
release."""

import sys
import warnings

from .formats import kernel_io as _moved

warnings.warn(
    "imgkernel.kernel_io moved to imgkernel.formats.kernel_io; the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
