"""Numba kernels: the only hot loops of the package.

Every kernel is a plain ``@njit(cache=True, nogil=True)`` function over arrays, so a
fresh process loads machine code from the cache instead of recompiling, and
threads (cross-validation folds with ``n_jobs``) run kernels in parallel. Kernels know
nothing about estimators or validation; they take already-checked arrays.
"""
