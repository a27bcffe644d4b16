"""Per-alpha bookkeeping of a warm-started path, shared by the path solvers.

O(p) loops that NumPy would run as several temporaries of length p each (on a
p of 10⁴–10⁵ features their allocation, not the arithmetic, is what costs).
"""
import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def strong_rule(g, l1, l1_prev, usable, positive, keep):
    """Sequential strong rule (Tibshirani et al. 2012): ``keep_j`` is set where
    ``|g_j| ≥ 2·l1_j − l1_prev_j`` (``g_j`` under ``positive``) for usable j.

    g : (p,) gradient ``X̃ᵀWr`` at the previous alpha's solution.
    l1, l1_prev : (p,) L1 weights at this alpha and the previous one.
    keep : (p,) bool, or-ed in place (features already kept stay kept).
    """
    for j in range(g.shape[0]):
        score = g[j] if positive else abs(g[j])
        if usable[j] and score >= 2.0 * l1[j] - l1_prev[j]:
            keep[j] = True


@njit(cache=True, nogil=True)
def secant_start(last, before, step, out):
    """Warm start on the path's secant: ``out = last + step·(last − before)``.

    The lasso path is piecewise linear in alpha, so extrapolating the last step
    saves epochs; a coordinate whose sign the extrapolation would change is cut
    at zero, where it would leave the active set.
    """
    for j in range(last.shape[0]):
        guess = last[j] + step * (last[j] - before[j])
        out[j] = guess if np.sign(guess) == np.sign(last[j]) else 0.0


@njit(cache=True, nogil=True)
def support(beta):
    """Indices of the non-zeros of ``beta`` (int64, increasing)."""
    count = 0
    for j in range(beta.shape[0]):
        if beta[j] != 0.0:
            count += 1
    out = np.empty(count, dtype=np.int64)
    count = 0
    for j in range(beta.shape[0]):
        if beta[j] != 0.0:
            out[count] = j
            count += 1
    return out
