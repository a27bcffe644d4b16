"""Penalized multinomial regression by proximal Newton, certified.

Loss ``ℓ(y, η) = logsumexp(η) − η_y`` on η ∈ ℝᴷ (one coefficient vector per
class). Each Newton step replaces the loss by its exact second-order model,
class coupling included (``W_i = w_i(diag p_i − p_i p_iᵀ)``; glmnet's
per-class diagonal ``p(1 − p)`` ignores the coupling and converged linearly,
slowly, here), solved by coordinate descent on directions centred in that
metric (``kernels.cd_multi.csc_multi_newton_cd``), then a backtracking line
search on the true objective; the loss ignores a common shift of a feature's
row across classes, so each row is then moved to the shift that minimises its
penalty (``class_shifts``), and the intercepts are re-fitted exactly.

Penalty: the elastic net on every entry, or with ``grouped=True`` on each
feature's row of coefficients, ``ρ‖B_j‖₂ + (1−ρ)/2‖B_j‖²`` (glmnet's
``type.multinomial="grouped"``).

Certificate: ``θ = t·w⊙(Y − P)`` with ``M = (1−t)Y + tP`` row-stochastic gives
``D = −Σ_i w_i Σ_k M_ik log M_ik − t⟨θ/t, offset⟩ − Σ g*(t·X̃ᵀ(w⊙(Y − P)))``.
"""
import numpy as np
import scipy.sparse as sp

from ..kernels.anderson import anderson_extrapolate
from ..kernels.cd_multi import (class_shifts, csc_multi_coupling, csc_multi_newton_cd,
                                csc_multi_xt, group_conjugate, group_scalings,
                                multi_newton_state)
from ..kernels.cd_gram import quadratic_cd
from ..kernels.cd_sparse import csc_matvec_cols
from ..kernels.gap import dual_scalings, penalty_conjugate
from ..losses import HESSIAN_FLOOR, _xlogx
from .newton import (ARMIJO, MAX_NEWTON, POLISH_FITTED, _Columns, early_stop,
                     polish_unpenalized, run_path, unpenalized_columns, warmup_alphas)

MAX_INNER_EPOCHS = 200
ANDERSON_K = 5
# A CD model solve longer than this marks the working set as slow: the next
# Newton steps form the model's Hessian explicitly while K·|ws| stays below
# EXPLICIT_MAX_DIM (an (8 MiB) Hessian; its epochs are then O((K|ws|)²)).
SLOW_INNER_EPOCHS = 30
EXPLICIT_MAX_DIM = 1024
MAX_INNER_EPOCHS_EXPLICIT = 5000


def softmax(eta):
    z = eta - eta.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def multinomial_value(Y, eta, w):
    m = eta.max(axis=1)
    lse = m + np.log(np.exp(eta - m[:, None]).sum(axis=1))
    return float(w @ (lse - (Y * eta).sum(axis=1)))


def _penalty(B, l1, l2, grouped):
    if grouped:
        return float(l1 @ np.sqrt((B * B).sum(axis=1)) + 0.5 * l2 @ (B * B).sum(axis=1))
    return float(l1 @ np.abs(B).sum(axis=1) + 0.5 * l2 @ (B * B).sum(axis=1))


class _ClassSlice:
    """The multinomial loss as a function of class k's predictor, others fixed
    (the interface ``newton.polish_unpenalized`` needs)."""

    def __init__(self, eta, k):
        self.eta, self.k = eta, k

    def derivatives(self, yk, eta_k, floor=1e-300):
        eta = self.eta.copy()
        eta[:, self.k] = eta_k
        pk = softmax(eta)[:, self.k]
        return pk - yk, np.maximum(pk * (1.0 - pk), floor), pk

    def gradient_magnitude(self, yk, d1):
        """``p_k − y_k`` rounds at the order of 1 (``losses.PoissonLoss`` likewise)."""
        return np.abs(yk) + 1.0


class _State:
    def __init__(self, cols, Y, w, offset, fit_intercept):
        self.cols, self.Y, self.w, self.offset = cols, Y, w, offset
        self.fit_intercept = fit_intercept
        n, K = Y.shape
        p = cols.X.shape[1]
        self.B = np.zeros((p, K))
        freq = np.maximum(w @ Y, 1e-300) / w.sum()
        self.b = np.log(freq) - np.log(freq).mean() if fit_intercept else np.zeros(K)
        self.eta = offset + self.b
        self.set_unpenalized(np.empty(0, dtype=np.int64))
        self.slow_inner = False
        self.positive = False
        self.fitted = True               # the unpenalized block meets its dual constraints

    def set_unpenalized(self, Z):
        self.Z = Z
        self.XZ = unpenalized_columns(self.cols, Z, self.Y.shape[0])

    def _meets_constraints(self, P):
        """Whether the unpenalized block's gradient vanishes to POLISH_FITTED of its
        terms' size ``Σ_i w_i |x_ij| |p_ik − y_ik|``, newton.polish_unpenalized's measure:
        on separable classes every term is tiny, so an absolute scale (Σw) read a
        gradient that had not cancelled at all as fitted (gap 0, no finite optimum)."""
        R = P - self.Y
        A = self.w[:, None] * np.abs(R)
        grad, terms = [], []
        if self.fit_intercept:
            grad.append(self.w @ R)
            terms.append(A.sum(axis=0))
        if self.Z.size:
            grad.append(self.XZ.T @ (self.w[:, None] * R))
            terms.append(np.abs(self.XZ).T @ A)
        grad = np.abs(np.concatenate([np.ravel(g) for g in grad]))
        terms = np.concatenate([np.ravel(t) for t in terms])
        return bool(np.all(grad <= POLISH_FITTED * terms))

    def polish_intercept(self):
        """Exact intercepts (and unpenalized coefficients) for the rest of B:
        block Newton per class, cycled until every class's gradient vanishes.
        Returns the Newton steps taken."""
        if not self.fit_intercept and not self.Z.size:
            return 0
        w, Y = self.w, self.Y
        scale = float(w.sum())
        steps = 0
        self.fitted = False
        if not self.Z.size:
            # Intercepts only: joint Newton on all K (Hessian diag(Σwp) − PᵀWP,
            # singular along the all-ones direction, which the softmax ignores).
            K = Y.shape[1]
            for _ in range(100):
                P = softmax(self.eta)
                grad = w @ (P - Y)
                if np.max(np.abs(grad)) <= 1e-13 * scale:
                    self.fitted = True
                    return steps
                H = np.diag(w @ P) - P.T @ (w[:, None] * P)
                H += (1e-12 * np.trace(H) / K + 1e-300) * np.eye(K)
                step = np.linalg.lstsq(H + np.ones((K, K)) / K, grad, rcond=None)[0]
                step -= step.mean()
                self.b -= step
                self.eta -= step
                steps += 1
            self.fitted = self._meets_constraints(softmax(self.eta))
            return steps
        idle = False
        for cycle in range(101):
            P = softmax(self.eta)
            worst = np.max(np.abs(w @ (P - Y))) if self.fit_intercept else 0.0
            if self.Z.size:
                worst = max(worst, np.max(np.abs(self.XZ.T @ (w[:, None] * (P - Y)))))
            # A cycle in which no class took a step is a fixed point: each class already
            # meets polish_unpenalized's own target, and repeating it changes nothing.
            if worst <= 1e-13 * scale or cycle == 100 or idle:
                self.fitted = self._meets_constraints(P)
                break
            idle = True
            for k in range(Y.shape[1]):
                step, eta_k, more, _ = polish_unpenalized(Y[:, k], w, self.eta[:, k],
                                                          _ClassSlice(self.eta, k),
                                                          self.fit_intercept, self.XZ)
                steps += more
                idle = idle and more == 0
                self.eta[:, k] = eta_k
                if self.fit_intercept:
                    self.b[k] += step[0]
                    step = step[1:]
                if self.Z.size:
                    self.B[self.Z, k] += step
        # The softmax ignores a common shift of a row, so an unpenalized row is free
        # to move (its gradient stays zero): centred (the smallest row, scikit-learn's
        # unpenalized multinomial coefficients) or, under positive (b ≥ 0), lifted by
        # its most negative entry (the constraint then inactive).
        B_Z = self.B[self.Z]
        shift = np.maximum(-B_Z.min(axis=1), 0.0) if self.positive else -B_Z.mean(axis=1)
        if np.any(shift != 0.0):
            self.B[self.Z] += shift[:, None]
            self.eta = self.eta + (self.XZ @ shift)[:, None]
        return steps


def _gap(state, G, B, l1, l2, positive, grouped, P):
    """(primal, dual) with gradient correlations ``G = X̃ᵀ(w⊙(Y − P))`` on some rows."""
    Y, w = state.Y, state.w
    primal = multinomial_value(Y, state.eta, w) + _penalty(B, l1, l2, grouped)
    if not state.fitted:
        return primal, -np.inf         # θ misses the unpenalized block's constraints
    K = Y.shape[1]
    if grouped:
        # Under positive the group's conjugate sees only the positive part of
        # its correlations (sup over b ≥ 0 of sᵀb − l1‖b‖ − ½l2‖b‖² uses s₊).
        Gg = np.maximum(G, 0.0) if positive else G
        ts = group_scalings(Gg, l1, l2)
    else:
        gf, l1f, l2f = G.ravel(), np.repeat(l1, K), np.repeat(l2, K)
        if positive:
            # An unpenalized row sits strictly inside b ≥ 0 (see polish_intercept):
            # its dual constraint is the equality G_j = 0, met to rounding as for
            # any unpenalized feature; a rounding-level positive entry must not
            # read as an infeasible dual.
            free = (l1f == 0.0) & (l2f == 0.0)
            if free.any():
                gf = np.where(free, np.minimum(gf, 0.0), gf)
        ts = dual_scalings(gf, l1f, l2f, positive)
    offset_term = float(np.sum(w[:, None] * (Y - P) * state.offset))
    dual = -np.inf
    for t in ts:
        M = (1.0 - t) * Y + t * P
        d = -float(w @ _xlogx(M).sum(axis=1)) - t * offset_term
        d -= group_conjugate(t, Gg, l1, l2) if grouped else \
            penalty_conjugate(t, gf, l1f, l2f, positive)
        dual = max(dual, d)
    return primal, dual


def _intercept_hessian_pinv(WP, Pt):
    """``A⁺`` for the intercepts' block of the Newton model, ``A = Σ_i w_i(diag p_i − p_i p_iᵀ)``
    (K, K), singular along the all-ones direction the softmax ignores."""
    A = np.diag(WP.sum(axis=1)) - Pt @ WP.T
    return np.linalg.pinv(A, rcond=1e-12, hermitian=True)


def _block_columns(cols, loc):
    """The dense block's columns ``loc`` (a view when they are all of it, in order)."""
    if loc.size == cols.block.shape[1] and np.array_equal(loc, np.arange(loc.size)):
        return cols.block
    return cols.block[:, loc]


def _block_xt(cols, loc, V, squared=False):
    """``X̃ᵀV`` (len(loc), K) over block columns, or ``(X̃²)ᵀV`` when ``squared``."""
    if cols.sparse:
        if squared:
            return csc_multi_xt(cols.data * cols.data, cols.indices, cols.indptr, V,
                                cols.scale * cols.scale, loc)
        return csc_multi_xt(cols.data, cols.indices, cols.indptr, V, cols.scale, loc)
    block = _block_columns(cols, loc)
    if squared:
        return ((block * block).T @ V) / (cols.scale[loc] ** 2)[:, None]
    return (block.T @ V) / cols.scale[loc][:, None]


def _coupling(cols, loc, WP, Pt, squared=False):
    """``T_j = Σ_i x_ij w_i p_i p_iᵀ`` (len(loc), K, K) and ``d_j = Σ_i x_ij w_i p_i``
    for raw block columns (``x_ij²`` in place of ``x_ij`` when ``squared``): one
    BLAS product for a dense block."""
    if cols.sparse:
        data = cols.data * cols.data if squared else cols.data
        return csc_multi_coupling(data, cols.indices, cols.indptr, loc, WP, Pt)
    K, n = WP.shape
    Q = np.empty((n, K + K * K))
    Q[:, :K] = WP.T
    np.multiply(WP.T[:, :, None], Pt.T[:, None, :], out=Q[:, K:].reshape(n, K, K))
    block = _block_columns(cols, loc)
    out = (block * block if squared else block).T @ Q
    return out[:, K:].reshape(loc.size, K, K), out[:, :K]


def _explicit_newton_step(cols, ws, loc, WP, Pt, WG, B_b, l1_b, l2_b, positive,
                          fit_intercept, abs_threshold, cache=None):
    """The Newton model on ``ws`` with its Hessian formed explicitly, minimised by CD.

    For a small working set (K·|ws| coordinates) the (K|ws|)² Hessian costs a
    few BLAS products and a CD epoch on it O((K|ws|)²) instead of O(n·K|ws|):
    near separation, where the model needs hundreds of epochs, this is far
    cheaper. The intercepts are eliminated exactly (Schur complement of A).

    ``cache``: the Hessian formed at an earlier Newton step of the same working
    set, reused with the current gradient (an inexact Newton step: forming the
    Hessian costs n(K|ws|)²/2 flops, far more than the step it serves, and
    the line search and the certificate do not depend on it).
    Returns ``(B_new, d_eta, db, epochs, cache)``.
    """
    K, n = WP.shape
    q = loc.size
    if cache is None:
        cache = _explicit_hessian(cols, ws, loc, WP, Pt, fit_intercept)
    Xs, H, HBb, A_pinv = cache
    g = np.asarray(Xs.T @ WG.T).T.ravel()        # class-major: index k·q + a
    gb = WG.sum(axis=1)
    if fit_intercept:
        g = g - HBb @ (A_pinv @ gb)
    b0 = np.ascontiguousarray(B_b[loc].T).ravel()
    beta = b0.copy()
    epochs = quadratic_cd(H, H @ b0 - g, beta, np.tile(l1_b[loc], K), np.tile(l2_b[loc], K),
                          positive, MAX_INNER_EPOCHS_EXPLICIT, abs_threshold, 0.01, 5)
    dB = beta - b0
    db = -(A_pinv @ (gb + HBb.T @ dB)) if fit_intercept else np.zeros(K)
    B_new = B_b.copy()
    B_new[loc] = beta.reshape(K, q).T
    return B_new, np.asarray(Xs @ dB.reshape(K, q).T) + db, db, epochs, cache


def _explicit_hessian(cols, ws, loc, WP, Pt, fit_intercept):
    """``(X̃_ws, H, H_Bb, A⁺)`` of the Newton model, H reduced by the intercepts'
    Schur complement when they are fitted."""
    K = WP.shape[0]
    q = loc.size
    Xs = cols.scaled_columns(ws, loc)
    sparse = sp.issparse(Xs)
    dim = K * q
    H = np.empty((dim, dim))
    HBb = np.zeros((dim, K))
    A_pinv = None
    for k in range(K):
        for m in range(k, K):
            c = -WP[k] * Pt[m]                  # w_i (δ_km p_ik − p_ik p_im)
            if m == k:
                c += WP[k]
            if sparse:
                XC = Xs.multiply(c[:, None]).tocsc()
                blk = (XC.T @ Xs).toarray()
            else:
                XC = Xs * c[:, None]
                blk = XC.T @ Xs
            H[k * q:(k + 1) * q, m * q:(m + 1) * q] = blk
            H[m * q:(m + 1) * q, k * q:(k + 1) * q] = blk.T
            if fit_intercept:
                col = np.asarray(XC.sum(axis=0)).ravel()
                HBb[k * q:(k + 1) * q, m] = col
                HBb[m * q:(m + 1) * q, k] = col
    if fit_intercept:
        A_pinv = _intercept_hessian_pinv(WP, Pt)
        H -= HBb @ A_pinv @ HBb.T
    return Xs, H, HBb, A_pinv


def _cd_newton_step(state, cols, loc, WP, Pt, WG, B_b, l1_b, l2_b, positive, grouped,
                    abs_threshold, D, s):
    """The Newton model on the block columns ``loc`` minimised by coordinate descent on
    directions centred in its metric (``csc_multi_newton_cd``), with the Hessian
    never formed. Returns ``(B_new, d_eta, db, epochs)``."""
    K, n = WP.shape
    m = cols.scale.shape[0]
    w = state.w
    P = Pt.T
    sc2 = (cols.scale[loc] ** 2)[:, None]
    if not grouped:
        H = w[:, None] * np.maximum(P * (1.0 - P), HESSIAN_FLOOR)
        S2 = _block_xt(cols, loc, H, squared=True) * sc2
    off = np.zeros(K)
    if state.fit_intercept:
        T, d = _coupling(cols, loc, WP, Pt)
        S1 = -T
        S1[:, np.arange(K), np.arange(K)] += d
        A_pinv = _intercept_hessian_pinv(WP, Pt)
        C = np.einsum("kl,alm->akm", A_pinv, S1) / cols.scale[loc][:, None, None]
        if not grouped:   # the centred directions' curvatures
            S2 = S2 - np.einsum("alk,alk->ak", S1, C) * cols.scale[loc][:, None]
        off -= A_pinv @ WG.sum(axis=1)      # start from the model's optimal intercepts
    else:
        S1 = C = np.zeros((loc.size, K, K))
    hess_b = np.zeros((m, K))
    if grouped:
        # Block step size: the largest eigenvalue of the (centred) block
        # curvature; Σ w x² p, its diagonal bound, is far too large for
        # columns whose mean dwarfs their spread.
        T2, d2 = _coupling(cols, loc, WP, Pt, squared=True)
        M = -T2
        M[:, np.arange(K), np.arange(K)] += d2
        if state.fit_intercept:
            M -= np.einsum("alk,alm->akm", S1, C) * cols.scale[loc][:, None, None]
        hess_b[loc] = np.linalg.eigvalsh(M)[:, -1:] / sc2
    else:
        hess_b[loc] = np.maximum(S2, 0.0) / sc2
    first = None
    epochs = 0
    B_new = B_b.copy()
    D[:] = 0.0
    s[:] = 0.0
    off0 = off.copy()
    dense = not cols.sparse
    l1w, l2w = l1_b[loc], l2_b[loc]

    def model_value(B, D, off):
        """The Newton model at ``B`` (up to a constant) from its state."""
        E = D + off[:, None]
        s_full = (Pt * E).sum(axis=0)
        return float((WG * E).sum() + 0.5 * ((WP * E * E).sum() - w @ (s_full * s_full))) \
            + _penalty(B[loc], l1w, l2w, grouped)

    history = np.empty((loc.size * K, ANDERSON_K + 1))
    n_stored = 0
    # Inner epochs until the largest coordinate decrease is small against
    # the target gap (the outer certificate decides convergence); every
    # ANDERSON_K epochs an Anderson extrapolation of the iterates, kept when it
    # lowers the model.
    for _ in range(MAX_INNER_EPOCHS):
        biggest = csc_multi_newton_cd(cols.data, cols.indices, cols.indptr, dense,
                                      cols.scale, WG, WP, Pt, S1, C, hess_b, B_new, D, s,
                                      off, loc, l1_b, l2_b, positive, grouped, 1)
        epochs += 1
        if first is None:
            first = biggest
        if biggest <= abs_threshold and biggest <= 0.01 * first:
            break
        history[:, n_stored] = B_new[loc].ravel()
        n_stored += 1
        if n_stored <= ANDERSON_K:
            continue
        extr, ok = anderson_extrapolate(history)
        n_stored = 1
        history[:, 0] = B_new[loc].ravel()
        if not ok:
            continue
        B_e = B_new.copy()
        B_e[loc] = extr.reshape(loc.size, K)
        if positive:
            np.maximum(B_e, 0.0, out=B_e)
        D_e, s_e, off_e = np.empty_like(D), np.empty_like(s), np.empty_like(off)
        multi_newton_state(cols.data, cols.indices, cols.indptr, dense, cols.scale, Pt, C,
                           B_e, B_b, loc, off0, D_e, s_e, off_e)
        if model_value(B_e, D_e, off_e) < model_value(B_new, D, off):
            B_new, off = B_e, off_e
            D[:], s[:] = D_e, s_e
            history[:, 0] = B_new[loc].ravel()
    return B_new, D.T + off, off, epochs


def _newton_ws(state, ws, l1, l2, positive, grouped, tol_rel, max_epochs):
    cols, Y, w = state.cols, state.Y, state.w
    n, K = Y.shape
    loc = cols.ensure(ws)
    m = cols.scale.shape[0]
    B_b = np.zeros((m, K))
    B_b[loc] = state.B[ws]
    l1_b = np.zeros(m)
    l2_b = np.zeros(m)
    l1_b[loc], l2_b[loc] = l1[ws], l2[ws]
    D = np.empty((K, n))
    s = np.empty(n)
    shift_ws = np.empty(loc.size)
    shift = np.zeros(m)
    u = np.empty(n)
    hessian = None
    epochs = 0
    for _ in range(MAX_NEWTON):
        P = softmax(state.eta)
        V = w[:, None] * (Y - P)
        G_ws = _block_xt(cols, loc, V)
        primal, dual = _gap(state, G_ws, B_b[loc], l1[ws], l2[ws], positive, grouped, P)
        if primal - dual <= tol_rel * primal or epochs >= max_epochs:
            break
        Pt = np.ascontiguousarray(P.T)
        WP = Pt * w
        WG = -np.ascontiguousarray(V.T)
        abs_threshold = 0.01 * tol_rel * primal / max(loc.size, 1)
        # Near separation the model needs hundreds of CD epochs; on a small
        # working set its explicit Hessian then makes each epoch far cheaper.
        if state.slow_inner and not grouped and loc.size * K <= EXPLICIT_MAX_DIM:
            B_new, d_eta, off, e, hessian = _explicit_newton_step(
                cols, ws, loc, WP, Pt, WG, B_b, l1_b, l2_b, positive, state.fit_intercept,
                abs_threshold, hessian)
        else:
            B_new, d_eta, off, e = _cd_newton_step(state, cols, loc, WP, Pt, WG, B_b, l1_b,
                                                   l2_b, positive, grouped, abs_threshold, D, s)
            state.slow_inner = e > SLOW_INNER_EPOCHS
        epochs += e
        step = B_new[loc] - B_b[loc]
        pen_old = _penalty(B_b[loc], l1[ws], l2[ws], grouped)
        f_old = multinomial_value(Y, state.eta, w) + pen_old
        decrease = -float(np.sum(V * d_eta)) \
            + _penalty(B_new[loc], l1[ws], l2[ws], grouped) - pen_old
        t = 1.0
        eta0, b0 = state.eta, state.b
        # A step whose predicted change is at the rounding level of f cannot be
        # judged by comparing values of f: the model is exact there, take it.
        at_rounding = abs(decrease) <= 1e-12 * abs(f_old)
        while True:
            eta_t = eta0 + t * d_eta
            if at_rounding:
                break
            f_t = multinomial_value(Y, eta_t, w) + _penalty(B_b[loc] + t * step, l1[ws],
                                                           l2[ws], grouped)
            if f_t <= f_old + ARMIJO * t * min(decrease, 0.0) or t < 1e-10:
                break
            t *= 0.5
        if t < 1e-10:
            break
        B_b[loc] = B_b[loc] + t * step
        state.eta = eta_t
        state.b = b0 + t * off
        # The loss ignores a common shift of a feature's row across classes:
        # move each row to the shift that minimises its penalty (free descent).
        class_shifts(B_b, l1_b, l2_b, positive, grouped, loc, shift_ws)
        if np.any(shift_ws != 0.0):
            shift[loc] = shift_ws
            B_b[loc] += shift_ws[:, None]
            csc_matvec_cols(cols.data, cols.indices, cols.indptr, loc, shift, cols.scale, u)
            state.eta = state.eta + u[:, None]
            shift[loc] = 0.0
        state.B[ws] = B_b[loc]
        state.polish_intercept()
        B_b[loc] = state.B[ws]                # the unpenalized block was re-fitted
    state.B[ws] = B_b[loc]
    return epochs


def multinomial_path(X, Y, w, offset, alphas, l1_ratio, penalty_factor, positive,
                     fit_intercept, scale, usable, tol, max_iter, grid, grouped,
                     lift_gradient=None):
    """Solve the multinomial path; returns the same dict as ``newton.glm_path``
    with ``coef`` (k, K, p) and ``intercept`` (k, K). ``lift_gradient``: X is a
    reparametrisation (``path._ridge_row_space``) and ``grid`` takes the scores of the
    original features, whose gradients this maps X's to."""
    n, p = X.shape
    K = Y.shape[1]
    cols = _Columns(X, scale)
    v = penalty_factor
    unpen = np.flatnonzero((v == 0) & usable)
    state = _State(cols, Y, w, offset, fit_intercept)
    state.positive = positive
    state.polish_intercept()
    null_dev = 2.0 * multinomial_value(Y, state.eta, w)   # saturated loss is 0
    null_steps = 0
    if unpen.size:
        state.set_unpenalized(unpen)
        null_steps = state.polish_intercept()

    def full_gradient():
        P = softmax(state.eta)
        V = w[:, None] * (Y - P)
        return csc_multi_xt_full(cols, V), P

    def scores(G):
        if grouped:
            Gg = np.maximum(G, 0.0) if positive else G
            return np.sqrt((Gg * Gg).sum(axis=1))
        return (G if positive else np.abs(G)).max(axis=1)

    G_prev, _ = full_gradient()
    penalized = bool(np.any((v > 0) & usable))
    warmups = np.empty(0)
    G_null = G_prev if lift_gradient is None else lift_gradient(G_prev)
    if alphas is None:
        alphas = grid(scores(G_null))
    elif alphas.shape[0] == 1 and penalized:
        # As for binomial: reach a grid far below alpha_max along a short path.
        warmups = warmup_alphas(grid(scores(G_null))[0], alphas[0])
    ever = unpen.copy()
    l1_prev = None

    def solve(alpha, tol_a, max_epochs):
        nonlocal G_prev, l1_prev, ever
        l1 = n * alpha * l1_ratio * v
        l2 = n * alpha * (1.0 - l1_ratio) * v
        threshold = 2.0 * l1 - (l1_prev if l1_prev is not None else l1)
        ws = np.union1d(ever, np.flatnonzero((scores(G_prev) >= threshold) & usable))
        ws = ws.astype(np.int64)
        tol_inner = 0.3 * tol_a
        epochs = _newton_ws(state, ws, l1, l2, positive, grouped, tol_inner, max_epochs)
        while True:
            G, P = full_gradient()
            primal, dual = _gap(state, G, state.B, l1, l2, positive, grouped, P)
            rel_gap = max(primal - dual, 0.0) / primal if primal > 0 else 0.0
            if rel_gap <= tol_a or epochs >= max_epochs:
                break
            viol = (scores(G) > l1 * (1.0 + 1e-12)) & usable
            viol[ws] = False
            new = np.flatnonzero(viol)
            if new.size:
                ws = np.union1d(ws, new).astype(np.int64)
            elif tol_inner < 1e-15:
                break
            else:
                tol_inner *= 0.1
            epochs += max(_newton_ws(state, ws, l1, l2, positive, grouped, tol_inner,
                                     max(max_epochs - epochs, 1)), 1)
        G_prev, l1_prev = G, l1
        ever = np.union1d(ever, np.flatnonzero(np.any(state.B != 0, axis=1)))
        ever = ever.astype(np.int64)
        return rel_gap, primal, epochs

    def snapshot():
        return state.B.T.copy(), state.b.copy(), 2.0 * multinomial_value(Y, state.eta, w)

    def rule(deviance, alpha):
        return early_stop("multinomial", deviance, null_dev, state.eta, alpha)

    out = run_path(alphas, warmups, solve, snapshot, rule, tol, max_iter, penalized)
    out["n_iter"][0] += null_steps         # the exact Newton fit of the unpenalized block
    out["null_deviance"] = null_dev
    return out


def csc_multi_xt_full(cols, V):
    """``X̃ᵀV`` (p, K) over all features."""
    if cols.sparse:
        return csc_multi_xt(cols.data, cols.indices, cols.indptr, V, cols.scale_global,
                            np.arange(cols.X.shape[1], dtype=np.int64))
    return (cols.X.T @ V) / cols.scale_global[:, None] if cols.X.dtype == np.float64 else \
        np.column_stack([cols.xt_full(np.ascontiguousarray(V[:, k]))
                         for k in range(V.shape[1])])
