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
    M = np.zeros((K, K))
    for i in range(K):
        for j in range(K):
            acc = 0.0
            for a in range(m):
                acc += U[a, i] * U[a, j]
            M[i, j] = acc
    scale = 0.0
    for i in range(K):
        scale += M[i, i]
    out = np.empty(m)
    if scale <= 0.0:
        return out, False
    # A tiny Tikhonov term keeps the solve defined when iterates stall.
    for i in range(K):
        M[i, i] += 1e-10 * scale
    z = solve_small(M, np.ones(K))
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
