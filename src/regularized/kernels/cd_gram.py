"""Coordinate descent on a Gram (covariance) matrix, restricted to a working set.

Minimises, over the coefficients of the working set ``ws`` (other coefficients
held at zero)::

    ½ βᵀGβ − cᵀβ + ½ yy + Σ_j ( l1_j |β_j| + ½ l2_j β_j² )

which is ``½‖ỹ − X̃β‖² + penalty`` with ``G = X̃ᵀX̃``, ``c = X̃ᵀỹ``, ``yy = ‖ỹ‖²``.
``q = Gβ`` is maintained on the working set only, so one update costs
O(|ws|) and an epoch O(|ws|²): glmnet's covariance updates.
"""
import numpy as np
from numba import njit

from .anderson import anderson_extrapolate
from .gap import enet_primal_dual
from .prox import enet_coordinate_min


@njit(cache=True)
def _ws_gap(G, c, beta, q, ws, l1, l2, positive, yy):
    k = ws.shape[0]
    g = np.empty(k)
    b = np.empty(k)
    l1w = np.empty(k)
    l2w = np.empty(k)
    bc = 0.0
    bq = 0.0
    for a in range(k):
        j = ws[a]
        g[a] = c[j] - q[j]
        b[a] = beta[j]
        l1w[a] = l1[j]
        l2w[a] = l2[j]
        bc += beta[j] * c[j]
        bq += beta[j] * q[j]
    rr = yy - 2.0 * bc + bq
    ry = yy - bc
    return enet_primal_dual(g, b, l1w, l2w, positive, rr, ry)


@njit(cache=True)
def _recompute_q(G, beta, q, ws):
    for a in range(ws.shape[0]):
        j = ws[a]
        acc = 0.0
        for b in range(ws.shape[0]):
            i = ws[b]
            bi = beta[i]
            if bi != 0.0:
                acc += G[j, i] * bi
        q[j] = acc


@njit(cache=True)
def gram_cd(G, c, beta, q, ws, l1, l2, positive, yy, max_epochs, tol_rel,
            anderson_k):
    """Run CD epochs over ``ws`` until the working-set gap ≤ ``tol_rel`` × its objective.

    Parameters
    ----------
    G : (m, m) Gram matrix (C or F order; symmetric, so columns are read).
    c : (m,) ``X̃ᵀỹ``.
    beta, q : (m,) coefficients and ``Gβ``; updated in place on ``ws``.
    ws : (k,) int64 indices into the m features.
    l1, l2 : (m,) penalty weights in sum scale.
    anderson_k : number of iterates between extrapolations (0 disables).

    Returns
    -------
    (epochs, primal, gap) on the working set at exit.
    """
    k = ws.shape[0]
    n_hist = anderson_k + 1
    history = np.empty((k, max(n_hist, 1)))
    n_stored = 0
    primal, dual = _ws_gap(G, c, beta, q, ws, l1, l2, positive, yy)
    if primal - dual <= tol_rel * primal or k == 0:
        return 0, primal, primal - dual
    epoch = 0
    while epoch < max_epochs:
        epoch += 1
        for a in range(k):
            j = ws[a]
            h = G[j, j]
            old = beta[j]
            new = enet_coordinate_min(h * old - (q[j] - c[j]), h, l1[j], l2[j],
                                      positive)
            if new != old:
                delta = new - old
                beta[j] = new
                for b in range(k):
                    i = ws[b]
                    q[i] += G[i, j] * delta
        primal, dual = _ws_gap(G, c, beta, q, ws, l1, l2, positive, yy)
        if primal - dual <= tol_rel * primal:
            break
        if anderson_k > 0:
            for a in range(k):
                history[a, n_stored] = beta[ws[a]]
            n_stored += 1
            if n_stored == n_hist:
                extr, ok = anderson_extrapolate(history)
                if ok:
                    saved = np.empty(k)
                    for a in range(k):
                        saved[a] = beta[ws[a]]
                        b = extr[a]
                        if positive and b < 0.0:
                            b = 0.0
                        beta[ws[a]] = b
                    _recompute_q(G, beta, q, ws)
                    p_extr, d_extr = _ws_gap(G, c, beta, q, ws, l1, l2, positive, yy)
                    # Keep the extrapolated point only if it lowers the objective:
                    # the sequence of objectives stays monotone.
                    if p_extr < primal:
                        primal, dual = p_extr, d_extr
                    else:
                        for a in range(k):
                            beta[ws[a]] = saved[a]
                        _recompute_q(G, beta, q, ws)
                for a in range(k):
                    history[a, 0] = beta[ws[a]]
                n_stored = 1
                if primal - dual <= tol_rel * primal:
                    break
    return epoch, primal, primal - dual


@njit(cache=True)
def gram_times_sparse(G, beta, nz, q):
    """``q = G β`` reading only the rows of G at the non-zeros ``nz`` (G symmetric)."""
    q[:] = 0.0
    for a in range(nz.shape[0]):
        j = nz[a]
        b = beta[j]
        for i in range(G.shape[1]):
            q[i] += G[j, i] * b
