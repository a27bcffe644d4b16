"""Fused O(n) sums of the GLM losses and their duals (no temporaries, one pass)."""
import numpy as np
from numba import njit


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def logistic_value(y, eta, w):
    """``Σ_i w_i (log(1 + e^{η_i}) − y_i η_i)``, the softplus computed stably."""
    acc = 0.0
    for i in range(eta.shape[0]):
        e = eta[i]
        softplus = (e if e > 0.0 else 0.0) + np.log1p(np.exp(-abs(e)))
        acc += w[i] * (softplus - y[i] * e)
    return acc


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def binary_entropy_sum(y, mu, t, w):
    """``Σ_i w_i (m_i log m_i + (1 − m_i) log(1 − m_i))`` with ``m = (1 − t)y + tμ``
    (``0 log 0 = 0``)."""
    acc = 0.0
    for i in range(mu.shape[0]):
        m = (1.0 - t) * y[i] + t * mu[i]
        v = 0.0
        if m > 0.0:
            v += m * np.log(m)
        if m < 1.0:
            v += (1.0 - m) * np.log1p(-m)
        acc += w[i] * v
    return acc
