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


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def dot(a, b):
    """``Σ_i a_i b_i`` in one thread: a BLAS dot wakes its thread pool for O(n)
    work, and on a busy machine waits for it far longer than the sum takes."""
    acc = 0.0
    for i in range(a.shape[0]):
        acc += a[i] * b[i]
    return acc


@njit(cache=True, nogil=True)
def logistic_derivatives(y, eta, floor):
    """``(μ − y, max(μ(1 − μ), floor), μ)`` with ``μ = 1/(1 + e^{−η})``, in one pass."""
    n = eta.shape[0]
    d1 = np.empty(n)
    d2 = np.empty(n)
    mu = np.empty(n)
    for i in range(n):
        m = 1.0 / (1.0 + np.exp(-eta[i]))
        mu[i] = m
        d1[i] = m - y[i]
        d2[i] = max(m * (1.0 - m), floor)
    return d1, d2, mu
