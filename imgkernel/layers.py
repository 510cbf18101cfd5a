"""Moved to ``imgkernel.learn.layers``: this old name still works, with a ``DeprecationWarning``, until the next
release."""

import sys
import warnings

from .learn import layers as _moved

warnings.warn(
    "imgkernel.layers moved to imgkernel.learn.layers; the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
