"""imgkernel: image kernels (convolution filters), computed fast with NumPy and explained.

Importing this package never imports Streamlit: it is a plain library with a command line.
"""

from importlib.metadata import PackageNotFoundError, version

from .borders import MODES
from .catalogue import CATALOGUE, KernelSpec, Param, categories, get
from .codegen import LIBRARIES, code_for, convention
from .engine import (
    auto_method,
    convolve,
    correlate,
    dilated_span,
    is_separable,
    output_shape,
    separable_factors,
    threads,
)
from .errors import ImageLoadError, KernelError
from .formats.images import LoadedImage, load_image, to_gray, to_pil
from .formats.kernel_io import (
    KernelDoc,
    kernel_from_json,
    kernel_to_json,
    parse_matrix_text,
    parse_number,
    validate_matrix,
)
from .formats.png import encode_png
from .fullres import filter_uint8
from .learn.fit import KernelFit, fit_kernel, train_kernel
from .mapping import (
    Mapped,
    Scale,
    apply_scale,
    auto_normalise,
    check_divisor,
    resolve_scale,
    signed_colormap,
    to_uint8,
)
from .pipeline import Result, Settings, run_filter
from .seed import (
    apply_img_kernel,
    blur_kernel,
    crop_center,
    emboss_kernel,
    identity_kernel,
    imgconv,
    outline_kernel,
    read_img,
    resize_width,
    sharpen_kernel,
    sobel_kernel,
)

try:  # the one version number is pyproject.toml's, read from the installed package's metadata
    __version__ = version("imgkernel")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "CATALOGUE",
    "LIBRARIES",
    "MODES",
    "ImageLoadError",
    "KernelError",
    "KernelFit",
    "KernelSpec",
    "LoadedImage",
    "Mapped",
    "Param",
    "Result",
    "Scale",
    "Settings",
    "apply_scale",
    "auto_method",
    "auto_normalise",
    "categories",
    "check_divisor",
    "code_for",
    "convention",
    "convolve",
    "correlate",
    "dilated_span",
    "encode_png",
    "filter_uint8",
    "fit_kernel",
    "get",
    "is_separable",
    "load_image",
    "output_shape",
    "resolve_scale",
    "run_filter",
    "separable_factors",
    "signed_colormap",
    "threads",
    "to_gray",
    "to_pil",
    "to_uint8",
    "train_kernel",
    "KernelDoc",
    "kernel_from_json",
    "kernel_to_json",
    "parse_matrix_text",
    "parse_number",
    "validate_matrix",
    # the original package's API (imgkernel 0.0.1), kept so its blog post runs unchanged
    "apply_img_kernel",
    "blur_kernel",
    "crop_center",
    "emboss_kernel",
    "identity_kernel",
    "imgconv",
    "outline_kernel",
    "read_img",
    "resize_width",
    "sharpen_kernel",
    "sobel_kernel",
]
