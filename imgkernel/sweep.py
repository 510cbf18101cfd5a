"""Moved to ``imgkernel.learn.sweep``: this old name still works, with a ``DeprecationWarning``, until the next
release."""

import sys
import warnings

from .learn import sweep as _moved

warnings.warn(
    "imgkernel.sweep moved to imgkernel.learn.sweep; the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
