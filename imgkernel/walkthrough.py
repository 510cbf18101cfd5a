"""Moved to ``imgkernel.learn.walkthrough``: this old name still works, with a ``DeprecationWarning``, until the next
release."""

import sys
import warnings

from .learn import walkthrough as _moved

warnings.warn(
    "imgkernel.walkthrough moved to imgkernel.learn.walkthrough; the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
