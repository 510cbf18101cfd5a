"""The library's size limits in one place, so the loader, the CLI, the app and the tests agree (and docs can cite).
The playground's own (uploads, previews, share links) are in its package: ``app.limits``."""

import warnings

MAX_PIXELS = 50_000_000  # largest image the loader decodes (width x height); 12 MP phone photos fit
MAX_JPEG_SCANS = 100  # JPEGs with more scans are refused (CPU bomb, libjpeg-turbo LJT-01-003); photos have 1 to ~10
MAX_KERNEL_SIDE = 63  # largest kernel side accepted from users (grid, JSON, URL, CLI)
MAX_KERNEL_ABS = 1e6  # largest kernel weight magnitude accepted from users
MAX_KERNEL_JSON_BYTES = 256_000  # a 63x63 kernel written out in full fits many times over
MAX_MODEL_BYTES = 100 * 2**20  # largest ONNX file imgkernel.layers.first_conv reads (100 MB)

_MOVED = {"PREVIEW_LONG_SIDE", "UPLOAD_LIMIT_MB", "MAX_STRIDE", "MAX_DILATION", "MAX_SHARE_QUERY_CHARS"}


def __getattr__(name: str) -> object:
    """The app's limits, moved to ``app.limits``: still readable here, with a ``DeprecationWarning``, until the
    next release (where the app is installed beside the library)."""
    if name in _MOVED:
        warnings.warn(
            f"imgkernel.limits.{name} moved to app.limits; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        from app import limits

        return getattr(limits, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
