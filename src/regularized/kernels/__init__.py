"""Numba kernels: the only hot loops of the package.

Every kernel is a plain ``@njit(cache=True)`` function over arrays, so a fresh
process loads machine code from the cache instead of recompiling. Kernels know
nothing about estimators or validation; they take already-checked arrays.
"""
