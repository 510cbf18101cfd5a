"""Moved to ``imgkernel.learn.puzzle``: this old name still works, with a ``DeprecationWarning``, until the next
release."""

import sys
import warnings

from .learn import puzzle as _moved

warnings.warn(
    "imgkernel.puzzle moved to imgkernel.learn.puzzle; the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
