"""The hosted-demo safety settings and the code-level promises (no eval, no pickle) stay in place."""

import ast
from pathlib import Path

import tomllib

from imgkernel import limits

ROOT = Path(__file__).resolve().parents[1]


def _config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_streamlit_config_is_safe_for_a_public_demo():
    cfg = _config()
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"]["address"] == "localhost"  # a hosted deployment overrides this explicitly
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"]["showErrorDetails"] == "none"


def test_upload_limit_matches_the_documented_limit():
    assert _config()["server"]["maxUploadSize"] == limits.UPLOAD_LIMIT_MB


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
