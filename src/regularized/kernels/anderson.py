"""Anderson extrapolation of coordinate-descent iterates (skglm's acceleration)."""
import numpy as np
from numba import njit


@njit(cache=True)
def anderson_extrapolate(history):
    """Extrapolate from K+1 consecutive iterates stored as the columns of ``history``.

    With ``U = [x₁−x₀, …, x_K−x_{K−1}]`` the weights c minimise ‖U c‖ subject to
    ``Σ c = 1``: ``c = z / Σz`` with ``(UᵀU) z = 1``. Returns ``Σ_i c_i x_{i+1}``,
    shape (m,), and a flag that is False when the system was too ill-conditioned
    to trust (the caller then keeps the plain iterate).
    """
    m, k1 = history.shape
    K = k1 - 1
    U = np.empty((m, K))
    for i in range(K):
        for a in range(m):
            U[a, i] = history[a, i + 1] - history[a, i]
    M = U.T @ U
    scale = 0.0
    for i in range(K):
        scale += M[i, i]
    out = np.empty(m)
    if scale <= 0.0:
        return out, False
    # A tiny Tikhonov term keeps the solve defined when iterates stall.
    for i in range(K):
        M[i, i] += 1e-10 * scale
    z = np.linalg.solve(M, np.ones(K))
    sz = z.sum()
    if sz == 0.0 or not np.isfinite(sz):
        return out, False
    c = z / sz
    for a in range(m):
        acc = 0.0
        for i in range(K):
            acc += c[i] * history[a, i + 1]
        out[a] = acc
    return out, True
