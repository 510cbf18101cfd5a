"""The library's two errors, in one place (both ``ValueError``s, so callers may catch either family).

Every message is plain words a person can act on; the app shows them as they are and the CLI prints them on
one line. ``imgkernel.engine.KernelError`` and ``imgkernel.images.ImageLoadError`` are these same classes.
"""


class KernelError(ValueError):
    """A kernel, a setting or an argument that cannot be used (engine, mapping, catalogue, layers, links)."""


class ImageLoadError(ValueError):
    """The input is not an image we can read."""
