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

from .anderson import anderson_extrapolate, anderson_weights, combine, solve_small
from .block_newton import block_members, block_newton_step, block_system
from .gap import enet_primal_dual
from .path_rules import strong_rule
from .prox import enet_coordinate_min

# Below this working-set tolerance an Anderson point's Gβ is a product with G, not the
# combination of the iterates' (whose cancellations cost digits so tight a gap needs).
EXACT_GRAM_PRODUCT_TOL = 1e-9
# When CD is slow (an ill-conditioned active block: n close to p, strongly correlated
# columns) an exact Newton step on the active block (block_newton_step) ends it. It
# costs about |A| epochs' worth of arithmetic, so it is taken once CD has spent that
# many epochs (and at least NEWTON_AFTER_EPOCHS) on this solve since the last one.
NEWTON_AFTER_EPOCHS = 20


@njit(cache=True, nogil=True)
def _active_newton(G, c, beta, q, l1, l2):
    """``block_newton_step`` on the non-zero penalized coordinates, ``q = Gβ`` kept;
    returns the block's size."""
    k = beta.shape[0]
    act = block_members(beta, l1, l2, np.arange(k))
    m = act.shape[0]
    if m == 0:
        return 0
    grad = np.empty(m)
    for u in range(m):
        grad[u] = c[act[u]] - q[act[u]]
    A, rhs, b = block_system(G, act, act, grad, beta, l1, l2)
    new, ok = block_newton_step(A, rhs, b)
    if ok:
        for u in range(m):
            j = act[u]
            delta = new[u] - beta[j]
            if delta != 0.0:
                beta[j] = new[u]
                for i in range(k):
                    q[i] += G[j, i] * delta
    return m


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
    """One CD epoch on ``½βᵀGβ − cᵀβ + penalty`` with ``q = Gβ`` kept up to date;
    returns the largest ``G_jj·Δ²``."""
    k = beta.shape[0]
    biggest = 0.0
    for j in range(k):
        h = G[j, j]
        old = beta[j]
        new = enet_coordinate_min(h * old - (q[j] - c[j]), h, l1[j], l2[j], positive)
        if new != old:
            delta = new - old
            if h * delta * delta > biggest:
                biggest = h * delta * delta
            beta[j] = new
            # G symmetric: row j is column j, and rows are contiguous.
            for i in range(k):
                q[i] += G[j, i] * delta
    return biggest


@njit(cache=True, nogil=True)
def gram_cd(G, c, beta, ws, l1, l2, positive, yy, max_epochs, tol_rel,
            anderson_k, beta_dual, q_out, q_dual_out, q_given):
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
    q_out : (m,) output: ``Gβ`` on ``ws`` at exit; with ``q_given``, also its value on
        entry (the caller's ``Gβ``, which spares a product with G).
    q_dual_out : (m,) output: ``G·beta_dual`` on ``ws`` at exit.

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
    if q_given:
        qw = np.empty(k)
        for a in range(k):
            qw[a] = q_out[ws[a]]
    else:
        qw = _matvec(Gw, bw)        # Gβ on ws (β is zero outside ws)
    Z, G_ZZ = unpenalized_block(Gw, l1w, l2w, k, bw, positive)
    _fit_unpenalized(Gw, cw, bw, qw, Z, G_ZZ, positive)
    bd = bw.copy()
    qd = qw.copy()
    n_hist = anderson_k + 1
    history = np.empty((k, max(n_hist, 1)))
    q_history = np.empty((k, max(n_hist, 1)))     # Gβ of the same iterates
    n_stored = 0
    primal, dual = _gap(Gw, cw, bw, qw, l1w, l2w, positive, yy)
    epoch = 0
    last_newton = 0
    newton_after = NEWTON_AFTER_EPOCHS
    while k > 0 and primal - dual > tol_rel * primal and epoch < max_epochs:
        epoch += 1
        _epoch(Gw, cw, bw, qw, l1w, l2w, positive)
        if epoch - last_newton >= newton_after:
            last_newton = epoch
            size = _active_newton(Gw, cw, bw, qw, l1w, l2w)
            newton_after = max(NEWTON_AFTER_EPOCHS, size)
        _fit_unpenalized(Gw, cw, bw, qw, Z, G_ZZ, positive)
        primal, d_cur = _gap(Gw, cw, bw, qw, l1w, l2w, positive, yy)
        if d_cur > dual:
            dual = d_cur
            bd[:] = bw
            qd[:] = qw
        if primal - dual <= tol_rel * primal or anderson_k == 0:
            continue
        history[:, n_stored] = bw
        q_history[:, n_stored] = qw
        n_stored += 1
        if n_stored < n_hist:
            continue
        weights, ok = anderson_weights(history)
        if ok:
            extr = combine(history, weights)
            if positive:
                extr = np.maximum(extr, 0.0)
            if positive or tol_rel < EXACT_GRAM_PRODUCT_TOL:
                # (the weights' cancellations cost digits a tight gap needs)
                q_extr = _matvec(Gw, extr)
            else:
                # Gβ is linear in β: the same weights give it, no product with G.
                q_extr = combine(q_history, weights)
            _fit_unpenalized(Gw, cw, extr, q_extr, Z, G_ZZ, positive)
            p_extr, d_extr = _gap(Gw, cw, extr, q_extr, l1w, l2w, positive, yy)
            if d_extr > dual:
                dual = d_extr
                bd[:] = extr
                qd[:] = q_extr
            # Keep the extrapolated point only if it lowers the objective:
            # the sequence of objectives stays monotone.
            if p_extr < primal:
                primal = p_extr
                bw[:] = extr
                qw[:] = q_extr
        history[:, 0] = bw
        q_history[:, 0] = qw
        n_stored = 1
    for a in range(k):
        ja = ws[a]
        beta[ja] = bw[a]
        beta_dual[ja] = bd[a]
        q_out[ja] = qw[a]
        q_dual_out[ja] = qd[a]
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


@njit(cache=True, nogil=True)
def _gradient_from_block(G, c, yy, beta, E, qE, outside, q, g):
    """``q = Gβ``, ``g = c − q`` and ``(‖r‖², rᵀỹ)`` for a β supported on ``E`` whose
    ``Gβ`` on E is given (``qE``, from E's own block): only the rows ``outside`` E are
    computed from G, O((p − |E|)·nnz) instead of O(p·nnz)."""
    nz = np.nonzero(beta)[0]
    for a in range(E.shape[0]):
        q[E[a]] = qE[a]
    # Either loop reads min(nnz, p − |E|) rows of G (G symmetric).
    if nz.shape[0] < outside.shape[0]:
        gram_times_sparse_at(G, beta, nz, outside, q)
    else:
        for b in range(outside.shape[0]):
            i = outside[b]
            acc = 0.0
            for a in range(nz.shape[0]):
                acc += G[i, nz[a]] * beta[nz[a]]
            q[i] = acc
    bc = 0.0
    bq = 0.0
    for a in range(nz.shape[0]):
        j = nz[a]
        bc += beta[j] * c[j]
        bq += beta[j] * q[j]
    for j in range(c.shape[0]):
        g[j] = c[j] - q[j]
    return yy - 2.0 * bc + bq, yy - bc


@njit(cache=True, nogil=True)
def gram_path(G, c, yy, alphas, L1, L2, positive, usable, tol, max_iter, inner_fraction,
              anderson_k, coefs, gaps, n_iter, primals):
    """The whole elastic-net path on a full Gram, certified at every alpha.

    The Python loop of ``solvers.working_set.enet_path_cd`` for the case of a
    full Gram and no unpenalized feature, run in one kernel call: at a p of a
    few thousand its per-alpha bookkeeping, not the arithmetic, is what costs.
    Per alpha: sequential strong rule from the last exact gradient (plus every
    feature ever non-zero), a secant warm start along the piecewise-linear
    path, ``gram_cd`` on every feature that has entered a working set (their
    Gram block kept in entry order, so it is read in place) to
    ``inner_fraction·tol``, then the exact gradient ``c − Gβ`` over all
    features for the duality gap of the full problem (``Gβ`` on E from E's
    block, the rows outside E from G: O(|E|·nnz + min(nnz, p − |E|)·p)), the dual
    candidate ``beta_dual`` when β alone does not certify, and the KKT
    violators added until the relative gap is ≤ ``tol``.

    Parameters
    ----------
    G : (p, p) C-contiguous Gram ``X̃ᵀWX̃``.  c : (p,) ``X̃ᵀWy``.  yy : ``‖ỹ‖²``.
    alphas : (k,) decreasing.  L1, L2 : (k, p) penalty weights per alpha (sum scale).
    usable : (p,) bool, False for columns constant after centring.
    coefs (k, p), gaps (k,), n_iter (k,), primals (k,): outputs.
    """
    k, p = L1.shape
    beta = np.zeros(p)
    q = np.zeros(p)
    g = c.copy()                  # the gradient at β = 0
    q_d = np.zeros(p)
    g_d = np.zeros(p)
    ever = np.zeros(p, dtype=np.bool_)
    in_ws = np.zeros(p, dtype=np.bool_)
    # E: every feature that has been in a working set, in order of entry, with
    # its Gram block in the leading (m, m) corner of GE, so that CD reads it in
    # place (a per-solve gather would cost O(|ws|²) each time).
    E = np.empty(p, dtype=np.int64)
    in_E = np.zeros(p, dtype=np.bool_)
    GE = np.empty((p, p))
    cE = np.empty(p)
    l1E = np.empty(p)
    l2E = np.empty(p)
    bE = np.empty(p)
    bdE = np.empty(p)
    qE = np.empty(p)
    qdE = np.empty(p)
    beta_dual = np.zeros(p)
    outside = np.arange(p)       # the features not in E, refreshed when E grows
    # Gβ at the last two alphas: the secant warm start's Gβ, CD's starting point, is
    # their same combination (no product with G), less the rows of the coordinates
    # it zeroes.
    q_last = np.zeros(p)
    q_before = np.zeros(p)
    m = 0
    for i in range(k):
        l1 = L1[i]
        l2 = L2[i]
        l1_prev = L1[i - 1] if i > 0 else l1
        in_ws[:] = ever
        strong_rule(g, l1, l1_prev, usable, positive, in_ws)
        if i >= 2:
            step = (alphas[i - 1] - alphas[i]) / (alphas[i - 2] - alphas[i - 1])
            for j in range(p):
                q[j] = q_last[j] + step * (q_last[j] - q_before[j])
            for j in range(p):
                last = coefs[i - 1, j]
                guess = last + step * (last - coefs[i - 2, j])
                if np.sign(guess) == np.sign(last):
                    beta[j] = guess
                else:
                    beta[j] = 0.0
                    if guess != 0.0:
                        for a in range(p):
                            q[a] -= G[j, a] * guess
        tol_inner = inner_fraction * tol
        epochs = 0
        rel_gap = 0.0
        primal = 0.0
        while True:
            m_before = m
            for j in range(p):
                if in_ws[j] and not in_E[j]:
                    in_E[j] = True
                    E[m] = j
                    cE[m] = c[j]
                    for a in range(m + 1):
                        GE[m, a] = G[j, E[a]]
                        GE[a, m] = GE[m, a]
                    m += 1
            if m != m_before:
                outside = np.flatnonzero(~in_E)
            Em = E[:m]
            l1E[:m] = l1[Em]
            l2E[:m] = l2[Em]
            bE[:m] = beta[Em]
            bdE[:m] = bE[:m]
            qE[:m] = q[Em]
            e, _, _ = gram_cd(GE, cE[:m], bE[:m], np.arange(m), l1E[:m], l2E[:m], positive, yy,
                              max(max_iter - epochs, 1), tol_inner, anderson_k, bdE[:m],
                              qE[:m], qdE[:m], True)
            epochs += max(e, 1)
            differs = False
            for a in range(m):
                beta[E[a]] = bE[a]
                beta_dual[E[a]] = bdE[a]
                differs = differs or bdE[a] != bE[a]
            # The certificate takes Gβ afresh: CD's running Gβ (and the warm start's)
            # carries rounding that a gap near 1e-12 would see.
            qE[:m] = _matvec(GE, bE[:m])
            rr, ry = _gradient_from_block(G, c, yy, beta, Em, qE[:m], outside, q, g)
            primal, dual = enet_primal_dual(g, beta, l1, l2, positive, rr, ry)
            if primal - dual > tol * primal and differs:
                qdE[:m] = _matvec(GE, bdE[:m])
                rr_d, ry_d = _gradient_from_block(G, c, yy, beta_dual, Em, qdE[:m], outside,
                                                  q_d, g_d)
                _, dual_d = enet_primal_dual(g_d, beta_dual, l1, l2, positive, rr_d, ry_d)
                dual = max(dual, dual_d)
            rel_gap = max(primal - dual, 0.0) / primal if primal > 0.0 else 0.0
            if rel_gap <= tol or epochs >= max_iter:
                break
            added = 0
            for j in range(p):
                if not in_E[j] and usable[j]:
                    score = g[j] if positive else abs(g[j])
                    if score > l1[j] * (1.0 + 1e-12):
                        in_ws[j] = True
                        added += 1
            if added == 0:
                if tol_inner < 1e-15:
                    break         # rounding floor: no tighter certificate in float64
                tol_inner *= 0.1  # the working-set gap itself was too loose
        coefs[i] = beta
        gaps[i] = rel_gap
        n_iter[i] = epochs
        primals[i] = primal
        q_before[:] = q_last
        q_last[:] = q
        for j in range(p):
            if beta[j] != 0.0:
                ever[j] = True


@njit(cache=True, nogil=True)
def _quadratic_value(H, c, beta, q, l1, l2):
    v = 0.0
    for j in range(beta.shape[0]):
        b = beta[j]
        v += 0.5 * b * q[j] - c[j] * b + l1[j] * abs(b) + 0.5 * l2[j] * b * b
    return v


@njit(cache=True, nogil=True)
def quadratic_cd(H, c, beta, l1, l2, positive, max_epochs, abs_threshold, ratio, anderson_k):
    """CD on ``½βᵀHβ − cᵀβ + Σ_j (l1_j|β_j| + ½ l2_j β_j²)`` for an explicit (m, m) H.

    Epochs until the largest ``h·Δ²`` of an epoch is ≤ ``abs_threshold`` and
    ≤ ``ratio`` times that of the first epoch (or ``max_epochs``), with an
    Anderson extrapolation of the iterates every ``anderson_k`` epochs, kept
    when it lowers the objective; ``beta`` is updated in place. Returns the
    epochs run.
    """
    m = beta.shape[0]
    q = H @ beta
    first = -1.0
    history = np.empty((m, anderson_k + 1))
    n_stored = 0
    for epoch in range(1, max_epochs + 1):
        biggest = _epoch(H, c, beta, q, l1, l2, positive)
        if first < 0.0:
            first = biggest
        if biggest <= abs_threshold and biggest <= ratio * first:
            return epoch
        if anderson_k == 0:
            continue
        history[:, n_stored] = beta
        n_stored += 1
        if n_stored < anderson_k + 1:
            continue
        extr, ok = anderson_extrapolate(history)
        if ok:
            if positive:
                extr = np.maximum(extr, 0.0)
            q_e = H @ extr
            if _quadratic_value(H, c, extr, q_e, l1, l2) < _quadratic_value(H, c, beta, q, l1,
                                                                             l2):
                beta[:] = extr
                q[:] = q_e
        history[:, 0] = beta
        n_stored = 1
    return max_epochs
