"""The hosted-demo safety settings and the code-level promises (no eval, no pickle) stay in place."""

import ast
import re
from pathlib import Path

import tomllib

from app import limits

ROOT = Path(__file__).resolve().parents[1]


def _config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_streamlit_config_is_safe_for_a_public_demo():
    cfg = _config()
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"]["address"] == "localhost"  # a hosted deployment overrides this explicitly
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"]["showErrorDetails"] == "none"


def test_no_full_garbage_collection_after_every_script_run():
    """``bench/classroom.py``: with it, 30 students moving sliders saw p95 2.8 s (a gc.collect() per run holds the
    GIL); without it 0.7 s, at the same memory."""
    assert _config()["runner"]["postScriptGC"] is False


def _luminance(hex_colour: str | tuple[float, ...]) -> float:
    """WCAG relative luminance of an sRGB colour ("#rrggbb" or 0..255 channels)."""
    if isinstance(hex_colour, str):
        hex_colour = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    c = [v / 255 for v in hex_colour]
    linear = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str | tuple[float, ...], b: str | tuple[float, ...]) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _over(colour: str, background: str, opacity: float) -> tuple[float, ...]:
    """``colour`` drawn at ``opacity`` over ``background``."""
    fg, bg = (tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (colour, background))
    return tuple(opacity * f + (1 - opacity) * b for f, b in zip(fg, bg, strict=True))


def test_the_theme_meets_wcag_aa_contrast():
    """Captions carry numbers (the result line, sizes, legends): Streamlit 1.67 draws them in the text colour at
    60 % opacity (its ``opacities.secondary``), on white, the widgets' #f8f8f7 or the sidebar's #f1f0ee; a
    selected segmented-control option is the primary colour on a 10 % tint of it (20 % under the mouse)."""
    theme = _config()["theme"]
    assert theme["base"] == "light"  # the backgrounds below are the light theme's
    for background in ("#ffffff", "#f8f8f7", "#f1f0ee"):
        assert _contrast(theme["textColor"], background) >= 7, background  # body text: AAA
        assert _contrast(_over(theme["textColor"], background, 0.6), background) >= 4.5, background
    primary = theme["primaryColor"]
    for tint in (0.1, 0.2):  # selected; selected under the mouse
        assert _contrast(primary, _over(primary, "#ffffff", tint)) >= 4.5, tint


def test_upload_limits_match_the_documented_limits():
    from imgkernel.limits import MAX_KERNEL_JSON_BYTES, MAX_MODEL_BYTES

    assert _config()["server"]["maxUploadSize"] == limits.MODEL_UPLOAD_LIMIT_MB  # the largest any uploader takes
    assert MAX_MODEL_BYTES == limits.MODEL_UPLOAD_LIMIT_MB * 2**20
    assert limits.UPLOAD_LIMIT_MB < limits.MODEL_UPLOAD_LIMIT_MB and MAX_KERNEL_JSON_BYTES <= 2**20
    sources = {p: p.read_text() for p in (ROOT / "app").rglob("*.py")}
    uploaders = [line for text in sources.values() for line in text.splitlines() if "file_uploader(" in line]
    sized = sum(text.count("max_upload_size=") for text in sources.values())
    assert uploaders and sized == len(uploaders)  # each uploader says its own limit


def _python_files():
    for folder in ("imgkernel", "pages", "bench"):
        yield from (ROOT / folder).rglob("*.py")
    yield from ROOT.glob("*.py")


def test_no_eval_exec_or_pickle_anywhere_in_the_product():
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"eval", "exec"}:
                offenders.append(f"{path.name}:{node.lineno} {node.func.id}()")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                if any(n and n.split(".")[0] in {"pickle", "marshal", "shelve", "dill"} for n in names):
                    offenders.append(f"{path.name}:{node.lineno} imports a pickle-like module")
    assert not offenders, offenders


def test_the_library_never_imports_streamlit():
    import subprocess
    import sys

    code = "import sys, imgkernel, imgkernel.cli; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_the_test_tiers_split_by_folder_and_marker_alike():
    # make test-fast ignores tests/browser and the browser tier collects only it (Makefile): a browser test
    # elsewhere would run in neither tier, a fast test in there in neither.
    marker = re.compile(r"^(pytestmark = pytest\.mark\.browser|\s*@pytest\.mark\.browser)$", re.MULTILINE)
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        marked = marker.search(path.read_text(encoding="utf-8")) is not None
        assert marked == (path.parent.name == "browser"), path
