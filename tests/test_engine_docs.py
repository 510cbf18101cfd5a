"""The engine's documentation: numpydoc sections on the public API, measured figures in docs/engine.md."""

from __future__ import annotations

import doctest
import inspect
import re
from pathlib import Path

import pytest

import imgkernel
from imgkernel import _tiles, borders, catalogue, engine, fullres, fused, linear, mapping, numeric, pipeline

ROOT = Path(__file__).resolve().parents[1]
ENGINE_MD = ROOT / "docs" / "engine.md"

# The public API documented with numpydoc sections, and whether it names KernelError under Raises.
DOCUMENTED = {
    imgkernel.correlate: True,
    imgkernel.convolve: True,
    imgkernel.output_shape: True,
    imgkernel.auto_method: True,
    imgkernel.dilated_span: False,
    imgkernel.is_separable: False,
    imgkernel.separable_factors: False,
    imgkernel.threads: False,
    imgkernel.run_filter: True,
    imgkernel.filter_uint8: True,
    imgkernel.Settings: False,
    imgkernel.to_uint8: True,
    imgkernel.apply_scale: True,
    imgkernel.auto_normalise: False,
    imgkernel.check_divisor: True,
    imgkernel.resolve_scale: True,
    imgkernel.signed_colormap: False,
    imgkernel.get: True,
    imgkernel.categories: False,
    imgkernel.KernelSpec.matrix: True,
    imgkernel.Param.coerce: True,
}


def sections(obj: object) -> set[str]:
    """numpydoc section names in ``obj``'s docstring (a title line underlined with dashes)."""
    doc = inspect.getdoc(obj) or ""
    return set(re.findall(r"^(\w[\w ]*)\n-{3,}$", doc, re.MULTILINE))


@pytest.mark.parametrize("obj", list(DOCUMENTED), ids=lambda o: o.__qualname__)
def test_public_api_has_numpydoc_sections(obj):
    found = sections(obj)
    assert found & {"Parameters", "Returns"}, obj
    doc = inspect.getdoc(obj) or ""
    assert len(doc.splitlines()[0]) <= 120  # a first line that fits
    if DOCUMENTED[obj]:
        raises = doc.split("Raises\n------\n", 1)
        assert len(raises) == 2 and raises[1].lstrip().startswith("KernelError"), obj


def test_the_threads_example_runs():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(engine.threads, "threads", globs={}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries >= 1


MODULES = (engine, _tiles, mapping, pipeline, borders, linear, numeric, catalogue, fused, fullres)


def test_measured_figures_live_in_docs_engine_md():
    """The docstrings point to docs/engine.md for numbers; the lab notes that were in them are there."""
    text = ENGINE_MD.read_text(encoding="utf-8")
    for note in (
        "3x3 to 11x11",  # the 12 MP crossovers
        "4 and 8 were within noise",  # GEMM_ROWS
        "1.5–4x slower",  # BLAS threads on top of ours
        "1.38 ms → 0.46 ms",  # norm="forward"
        "NPY_DISABLE_CPU_FEATURES",  # what AVX-512 changes
        "L2 2 MiB per core",  # the machines
        "## Threads",
        "IMGKERNEL_THREADS",
        "REQUEST_THREADS",
        "docs/deployment.md",
    ):
        assert note in text, note
    for module in MODULES:
        source = inspect.getsource(module)
        assert "reference machine" not in source, module.__name__  # machines are named in docs/engine.md
    assert "docs/engine.md" in inspect.getsource(engine)
