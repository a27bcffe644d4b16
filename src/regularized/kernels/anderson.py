"""Anderson extrapolation of coordinate-descent iterates (skglm's acceleration)."""
import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def solve_small(A, b):
    """Solve ``A x = b`` for a small dense system by Gaussian elimination with
    partial pivoting (no LAPACK: keeps the kernels' cache light to load)."""
    m = A.shape[0]
    M = A.copy()
    x = b.copy()
    for col in range(m):
        piv = col
        best = abs(M[col, col])
        for r in range(col + 1, m):
            if abs(M[r, col]) > best:
                best = abs(M[r, col])
                piv = r
        if best == 0.0:
            continue
        if piv != col:
            for c in range(m):
                tmp = M[col, c]
                M[col, c] = M[piv, c]
                M[piv, c] = tmp
            tmp = x[col]
            x[col] = x[piv]
            x[piv] = tmp
        for r in range(col + 1, m):
            f = M[r, col] / M[col, col]
            if f != 0.0:
                for c in range(col, m):
                    M[r, c] -= f * M[col, c]
                x[r] -= f * x[col]
    for col in range(m - 1, -1, -1):
        acc = x[col]
        for c in range(col + 1, m):
            acc -= M[col, c] * x[c]
        x[col] = acc / M[col, col] if M[col, col] != 0.0 else 0.0
    return x


@njit(cache=True, nogil=True)
def anderson_weights(history):
    """The weights of an Anderson extrapolation of the K+1 consecutive iterates stored
    as the columns of ``history``.

    With ``U = [x₁−x₀, …, x_K−x_{K−1}]`` the weights c minimise ‖U c‖ subject to
    ``Σ c = 1``: ``c = z / Σz`` with ``(UᵀU) z = 1``; the extrapolation is
    ``Σ_i c_i x_{i+1}``. Returns (c (K,), ok); ok is False when the system was too
    ill-conditioned to trust (the caller then keeps the plain iterate). A quantity
    linear in x (a residual, Gx) extrapolates with the same weights.
    """
    m, k1 = history.shape
    K = k1 - 1
    M = np.zeros((K, K))
    for i in range(K):
        for j in range(i, K):
            acc = 0.0
            for a in range(m):
                acc += (history[a, i + 1] - history[a, i]) * (history[a, j + 1] - history[a, j])
            M[i, j] = acc
            M[j, i] = acc
    scale = 0.0
    for i in range(K):
        scale += M[i, i]
    if scale <= 0.0:
        return np.zeros(K), False
    # A tiny Tikhonov term keeps the solve defined when iterates stall.
    for i in range(K):
        M[i, i] += 1e-10 * scale
    z = solve_small(M, np.ones(K))
    sz = z.sum()
    if sz == 0.0 or not np.isfinite(sz):
        return np.zeros(K), False
    return z / sz, True


@njit(cache=True, nogil=True)
def combine(history, weights):
    """``Σ_i weights[i]·history[:, i+1]``, shape (m,)."""
    m = history.shape[0]
    out = np.zeros(m)
    for i in range(weights.shape[0]):
        w = weights[i]
        for a in range(m):
            out[a] += w * history[a, i + 1]
    return out


@njit(cache=True, nogil=True)
def anderson_extrapolate(history):
    """Anderson extrapolation of the iterates in ``history`` (see ``anderson_weights``):
    returns ``(Σ_i c_i x_{i+1}, ok)``."""
    c, ok = anderson_weights(history)
    if not ok:
        return np.empty(history.shape[0]), False
    return combine(history, c), True
