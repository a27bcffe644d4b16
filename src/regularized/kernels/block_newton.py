"""An exact Newton step on a block of non-zero coefficients, cut at sign changes.

With the other coordinates fixed and the signs s of the block held, the elastic-net
objective on the block is the quadratic ``½ dᵀ(H + diag l2)d − dᵀ(g − l1·s − l2·β)``
(H the block's Gram, g its gradient ``X̃ᵀr``): its minimiser d is solved exactly and
the step is cut where a coordinate would change sign, which then stops at 0. On that
segment the objective is this quadratic, so the step never increases it. Coordinate
descent converges linearly at a rate set by the block's conditioning; this step does
not depend on it.
"""
import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def block_newton_step(A, rhs, b):
    """New values of the block's coefficients ``b`` (all non-zero).

    A : (m, m) ``H + diag(l2)`` (overwritten: a rounding-level ridge is added, so a
        collinear block stays solvable).  rhs : (m,) ``g − l1·sign(b) − l2·b``.
    Returns (new, ok): ``ok`` False when the solve failed (nothing to apply).
    """
    m = b.shape[0]
    tr = 0.0
    for u in range(m):
        tr += A[u, u]
    for u in range(m):
        A[u, u] += 1e-12 * tr / m
    d = np.linalg.solve(A, rhs)
    new = b.copy()
    if not np.all(np.isfinite(d)):
        return new, False
    t = 1.0
    for u in range(m):
        if (b[u] > 0.0 and b[u] + d[u] < 0.0) or (b[u] < 0.0 and b[u] + d[u] > 0.0):
            t = min(t, -b[u] / d[u])          # the step would change this sign
    for u in range(m):
        v = b[u] + t * d[u]
        if (b[u] > 0.0 and v <= 0.0) or (b[u] < 0.0 and v >= 0.0) or (
                t < 1.0 and abs(v) <= 1e-12 * abs(b[u])):
            v = 0.0                           # the cut: it stops at zero
        new[u] = v
    return new, True


@njit(cache=True, nogil=True)
def block_members(beta, l1, l2, candidates):
    """Positions in ``candidates`` (feature indices) of the features whose coefficient
    is non-zero and penalized: the block a Newton step may move (an unpenalized
    feature has no sign to hold)."""
    out = np.empty(candidates.shape[0], dtype=np.int64)
    m = 0
    for a in range(candidates.shape[0]):
        j = candidates[a]
        if beta[j] != 0.0 and (l1[j] > 0.0 or l2[j] > 0.0):
            out[m] = a
            m += 1
    return out[:m]


@njit(cache=True, nogil=True)
def block_system(H, rows, feats, grad, beta, l1, l2):
    """``(A, rhs, b)`` of ``block_newton_step`` for the block ``feats`` (feature ids)
    whose Gram is ``H[rows][:, rows]``; ``grad`` (m,) their gradient ``X̃ᵀr``."""
    m = feats.shape[0]
    A = np.empty((m, m))
    rhs = np.empty(m)
    b = np.empty(m)
    for u in range(m):
        j = feats[u]
        for v in range(m):
            A[u, v] = H[rows[u], rows[v]]
        A[u, u] += l2[j]
        b[u] = beta[j]
        s = 1.0 if beta[j] > 0.0 else -1.0
        rhs[u] = grad[u] - l1[j] * s - l2[j] * beta[j]
    return A, rhs, b
