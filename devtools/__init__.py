"""Development tools shared by the test suite (``tests/browser/``) and the benchmarks (``bench/``).

Not part of the ``imgkernel`` package (nothing here is installed); import it from the repository root, as pytest
(``pythonpath = ["."]``) and ``python -m bench.…`` do.
"""
