"""Moved to ``imgkernel.learn.fit``: this old name still works, with a ``DeprecationWarning``, until the next
release."""

import sys
import warnings

from .learn import fit as _moved

warnings.warn(
    "imgkernel.fit moved to imgkernel.learn.fit; the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
