"""Teaching helpers built on the engine: what a lesson shows, as plain functions (array in, array or message out).

``walkthrough`` one output pixel's taps and sum; ``sweep`` the sliding window and transposed convolution;
``layers`` a CNN layer (kernels, ReLU, pooling); ``fit`` a kernel recovered from a before/after pair;
``puzzle`` the mystery kernel's puzzles and hints.
"""
