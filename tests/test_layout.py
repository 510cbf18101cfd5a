"""The library's boundaries: ``imgkernel`` imports neither Streamlit nor the app, knows no page, and the names that
moved out of its top level (into ``imgkernel.learn``, ``imgkernel.formats``, or into the app) still work for one
release, with a ``DeprecationWarning``: whole modules, and the CNN-layer names that ``imgkernel.layers`` forwarded
to ``imgkernel.learn.layers`` before it became the module of framework-semantics layers."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest

import imgkernel

ROOT = Path(__file__).resolve().parents[1]
# old name -> where it lives now
MOVED_MODULES = {
    "imgkernel.walkthrough": "imgkernel.learn.walkthrough",
    "imgkernel.puzzle": "imgkernel.learn.puzzle",
    "imgkernel.sweep": "imgkernel.learn.sweep",
    "imgkernel.fit": "imgkernel.learn.fit",
    "imgkernel.images": "imgkernel.formats.images",
    "imgkernel.png": "imgkernel.formats.png",
    "imgkernel.kernel_io": "imgkernel.formats.kernel_io",
    "imgkernel.acf": "imgkernel.formats.acf",
    "imgkernel.share": "app.share",
}
# the names ``imgkernel.layers`` forwarded (all of ``imgkernel.learn.layers``) but no longer defines itself
_LEARN_LAYERS = importlib.import_module("imgkernel.learn.layers")
_LAYERS = importlib.import_module("imgkernel.layers")
MOVED_LAYER_NAMES = sorted(
    name
    for name, value in vars(_LEARN_LAYERS).items()
    if not name.startswith("_") and not isinstance(value, ModuleType) and name not in vars(_LAYERS)
)
MOVED_LIMITS = ["PREVIEW_LONG_SIDE", "UPLOAD_LIMIT_MB", "MAX_STRIDE", "MAX_DILATION", "MAX_SHARE_QUERY_CHARS"]


def library_modules() -> list[str]:
    """Every module of the library but the old names kept for one release (and ``__main__``, the CLI)."""
    found = [m.name for m in pkgutil.walk_packages(imgkernel.__path__, "imgkernel.")]
    return [name for name in found if name not in MOVED_MODULES and not name.endswith("__main__")]


def test_the_library_imports_neither_streamlit_nor_the_app() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {library_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'app', 'pandas'))\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
    assert len(library_modules()) > 20


def test_the_library_knows_no_page() -> None:
    """No page's file or URL key is named in the library (the share link's format is the app's)."""
    pages = [p.stem for p in (ROOT / "pages").glob("*.py")]
    for path in (ROOT / "imgkernel").rglob("*.py"):
        if path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".") in MOVED_MODULES:
            continue
        text = path.read_text()
        assert "pages/" not in text and "st.query_params" not in text, path
        assert not [p for p in pages if f"pages/{p}" in text], path


@pytest.mark.parametrize(("old", "new"), MOVED_MODULES.items())
def test_a_moved_module_still_works_with_a_deprecation_warning(old: str, new: str) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)


@pytest.mark.parametrize("name", MOVED_LAYER_NAMES)
def test_a_cnn_layer_name_still_reads_from_imgkernel_layers_with_a_deprecation_warning(name: str) -> None:
    with pytest.warns(DeprecationWarning, match=rf"imgkernel\.learn\.layers\.{name}\b"):
        value = getattr(_LAYERS, name)
    assert value is getattr(_LEARN_LAYERS, name)


def test_imgkernel_layers_forwards_every_cnn_layer_function_and_shadows_none() -> None:
    own = {n: v for n, v in vars(_LEARN_LAYERS).items() if not n.startswith("_")}
    functions = {n for n, v in own.items() if callable(v) and getattr(v, "__module__", "") == _LEARN_LAYERS.__name__}
    assert functions and functions <= set(MOVED_LAYER_NAMES)
    assert {"conv_layer", "relu", "pool2d", "padding_amounts", "PADDINGS"} <= set(MOVED_LAYER_NAMES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from imgkernel.layers import FirstConv, conv2d, first_conv  # its own names: no warning
    assert callable(FirstConv) and callable(conv2d) and callable(first_conv)
    with pytest.raises(AttributeError):
        _ = _LAYERS.not_a_layer


@pytest.mark.parametrize("name", MOVED_LIMITS)
def test_a_moved_limit_still_reads_with_a_deprecation_warning(name: str) -> None:
    from app import limits as app_limits
    from imgkernel import limits

    with pytest.warns(DeprecationWarning, match="app.limits"):
        value = getattr(limits, name)
    assert value == getattr(app_limits, name)


def test_the_librarys_own_limits_read_without_a_warning() -> None:
    from imgkernel import limits

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert limits.MAX_KERNEL_SIDE == 63 and limits.MAX_PIXELS == 50_000_000
    with pytest.raises(AttributeError):
        _ = limits.NOT_A_LIMIT  # type: ignore[attr-defined]
