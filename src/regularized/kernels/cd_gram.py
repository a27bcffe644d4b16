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

from .anderson import anderson_extrapolate, solve_small
from .gap import enet_primal_dual
from .prox import enet_coordinate_min


@njit(cache=True, nogil=True)
def _gap(G, c, beta, q, l1, l2, positive, yy):
    """(primal, dual) of the problem on these k features, given q = Gβ."""
    bc = 0.0
    bq = 0.0
    for a in range(beta.shape[0]):
        bc += beta[a] * c[a]
        bq += beta[a] * q[a]
    rr = yy - 2.0 * bc + bq
    ry = yy - bc
    return enet_primal_dual(c - q, beta, l1, l2, positive, rr, ry)


@njit(cache=True, nogil=True)
def _matvec(G, b):
    """``G[:k, :k] @ b`` for k = len(b); G may be a larger buffer."""
    k = b.shape[0]
    out = np.zeros(k)
    for j in range(k):
        bj = b[j]
        if bj != 0.0:
            for i in range(k):
                out[i] += G[j, i] * bj
    return out


@njit(cache=True, nogil=True)
def unpenalized_block(G, l1, l2, k, beta, positive):
    """Positions (< k) of the unpenalized features and their Gram block.

    Under ``positive`` only those already > 0 are fitted as a block (the
    others stay with the clamped coordinate updates).
    """
    count = 0
    for a in range(k):
        if l1[a] == 0.0 and l2[a] == 0.0 and G[a, a] > 0.0 and (not positive or beta[a] > 0):
            count += 1
    Z = np.empty(count, dtype=np.int64)
    count = 0
    for a in range(k):
        if l1[a] == 0.0 and l2[a] == 0.0 and G[a, a] > 0.0 and (not positive or beta[a] > 0):
            Z[count] = a
            count += 1
    G_ZZ = np.empty((Z.shape[0], Z.shape[0]))
    for a in range(Z.shape[0]):
        for b in range(Z.shape[0]):
            G_ZZ[a, b] = G[Z[a], Z[b]]
    return Z, G_ZZ


@njit(cache=True, nogil=True)
def fit_block_exactly(G_ZZ, g_Z):
    """The step δ minimising the quadratic over an unpenalized block: G_ZZ δ = g_Z.

    A rounding-level ridge keeps it defined when the block is collinear.
    """
    m = G_ZZ.shape[0]
    A = G_ZZ.copy()
    tr = 0.0
    for a in range(m):
        tr += A[a, a]
    for a in range(m):
        A[a, a] += 1e-12 * tr / m
    return solve_small(A, g_Z)


@njit(cache=True, nogil=True)
def _fit_unpenalized(G, c, beta, q, Z, G_ZZ, positive):
    """Exact update of the unpenalized coordinates (their gradient becomes 0),
    so the residual is a feasible dual direction for their constraints."""
    if Z.shape[0] == 0:
        return
    g_Z = np.empty(Z.shape[0])
    for a in range(Z.shape[0]):
        g_Z[a] = c[Z[a]] - q[Z[a]]
    delta = fit_block_exactly(G_ZZ, g_Z)
    for a in range(Z.shape[0]):
        if beta[Z[a]] + delta[a] < 0.0 and positive:
            return               # would leave the constraint: the CD updates handle it
    k = beta.shape[0]
    for a in range(Z.shape[0]):
        j = Z[a]
        beta[j] += delta[a]
        for i in range(k):
            q[i] += G[j, i] * delta[a]


@njit(cache=True, nogil=True)
def _epoch(G, c, beta, q, l1, l2, positive):
    k = beta.shape[0]
    for j in range(k):
        h = G[j, j]
        old = beta[j]
        new = enet_coordinate_min(h * old - (q[j] - c[j]), h, l1[j], l2[j], positive)
        if new != old:
            delta = new - old
            beta[j] = new
            # G symmetric: row j is column j, and rows are contiguous.
            for i in range(k):
                q[i] += G[j, i] * delta


@njit(cache=True, nogil=True)
def gram_cd(G, c, beta, ws, l1, l2, positive, yy, max_epochs, tol_rel,
            anderson_k, beta_dual, q_out):
    """Run CD epochs over ``ws`` until the working-set gap ≤ ``tol_rel`` × its objective.

    The working set's block of G is copied into a contiguous (k, k) array first
    (one epoch's worth of reads), so every epoch streams through memory.

    Parameters
    ----------
    G : (m, m) symmetric Gram matrix, C-contiguous (or a larger buffer whose
        leading (m, m) block is the Gram).
    c : (m,) ``X̃ᵀỹ``.
    beta : (m,) coefficients, updated in place on ``ws``; zero outside ``ws``.
    ws : (k,) int64 indices into the m features.
    l1, l2 : (m,) penalty weights in sum scale.
    anderson_k : number of iterates between extrapolations (0 disables).
    beta_dual : (m,) output: the coefficients whose residual gave the best dual
        point seen (celer's dual extrapolation: the residual of an Anderson
        extrapolation of β is the extrapolation of the residuals, and often a
        far better dual point than the current residual).
    q_out : (m,) output: ``Gβ`` on ``ws`` at exit.

    Returns
    -------
    (epochs, primal, gap) on the working set at exit; gap uses the best dual.
    """
    k = ws.shape[0]
    # A prefix working set (ws = 0..k−1, the solvers' usual case) reads G in
    # place: rows are contiguous, G may be a larger buffer. Otherwise the
    # block is gathered once (one epoch's worth of reads).
    prefix = True
    for a in range(k):
        if ws[a] != a:
            prefix = False
            break
    if prefix:
        Gw = G
    else:
        Gw = np.empty((k, k))
        for a in range(k):
            ja = ws[a]
            for b in range(k):
                Gw[a, b] = G[ja, ws[b]]
    cw = np.empty(k)
    bw = np.empty(k)
    l1w = np.empty(k)
    l2w = np.empty(k)
    for a in range(k):
        ja = ws[a]
        cw[a] = c[ja]
        bw[a] = beta[ja]
        l1w[a] = l1[ja]
        l2w[a] = l2[ja]
    qw = _matvec(Gw, bw)            # Gβ on ws (β is zero outside ws)
    Z, G_ZZ = unpenalized_block(Gw, l1w, l2w, k, bw, positive)
    _fit_unpenalized(Gw, cw, bw, qw, Z, G_ZZ, positive)
    bd = bw.copy()
    n_hist = anderson_k + 1
    history = np.empty((k, max(n_hist, 1)))
    n_stored = 0
    primal, dual = _gap(Gw, cw, bw, qw, l1w, l2w, positive, yy)
    epoch = 0
    while k > 0 and primal - dual > tol_rel * primal and epoch < max_epochs:
        epoch += 1
        _epoch(Gw, cw, bw, qw, l1w, l2w, positive)
        _fit_unpenalized(Gw, cw, bw, qw, Z, G_ZZ, positive)
        primal, d_cur = _gap(Gw, cw, bw, qw, l1w, l2w, positive, yy)
        if d_cur > dual:
            dual = d_cur
            bd[:] = bw
        if primal - dual <= tol_rel * primal or anderson_k == 0:
            continue
        history[:, n_stored] = bw
        n_stored += 1
        if n_stored < n_hist:
            continue
        extr, ok = anderson_extrapolate(history)
        if ok:
            if positive:
                extr = np.maximum(extr, 0.0)
            q_extr = _matvec(Gw, extr)
            _fit_unpenalized(Gw, cw, extr, q_extr, Z, G_ZZ, positive)
            p_extr, d_extr = _gap(Gw, cw, extr, q_extr, l1w, l2w, positive, yy)
            if d_extr > dual:
                dual = d_extr
                bd[:] = extr
            # Keep the extrapolated point only if it lowers the objective:
            # the sequence of objectives stays monotone.
            if p_extr < primal:
                primal = p_extr
                bw[:] = extr
                qw[:] = q_extr
        history[:, 0] = bw
        n_stored = 1
    for a in range(k):
        ja = ws[a]
        beta[ja] = bw[a]
        beta_dual[ja] = bd[a]
        q_out[ja] = qw[a]
    return epoch, primal, primal - dual


@njit(cache=True, nogil=True)
def gram_times_sparse(G, beta, nz, q):
    """``q = G β`` reading only the rows of G at the non-zeros ``nz`` (G symmetric)."""
    q[:] = 0.0
    for a in range(nz.shape[0]):
        j = nz[a]
        b = beta[j]
        for i in range(G.shape[1]):
            q[i] += G[j, i] * b


@njit(cache=True, nogil=True)
def gram_times_sparse_at(G, beta, nz, rows, q):
    """``q[rows] = (G β)[rows]`` reading G only at rows × non-zeros (G symmetric)."""
    for b in range(rows.shape[0]):
        q[rows[b]] = 0.0
    for a in range(nz.shape[0]):
        j = nz[a]
        bj = beta[j]
        for b in range(rows.shape[0]):
            i = rows[b]
            q[i] += G[j, i] * bj
