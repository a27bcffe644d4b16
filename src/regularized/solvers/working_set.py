"""Working-set coordinate descent for the elastic net (squared loss).

One alpha at a time, warm-started from the previous one:

1. the working set is the features ever active, the unpenalized ones, and
   those kept by the sequential strong rule (Tibshirani et al. 2012):
   ``|g_j(α_prev)| ≥ 2·l1_j(α) − l1_j(α_prev)``;
2. an inner solver runs CD epochs (with Anderson extrapolation) on the working
   set until its duality gap is below a fraction of the target;
3. one pass over all features gives the gradient, the full duality gap and the
   KKT violators; violators join the working set and 2–3 repeat until the
   relative gap ``(P − D) / P`` is at most ``tol``.

Two inner solvers share this loop: ``GramInner`` (dense X: CD on the Gram of
the features seen so far — the whole Gram at once when n ≫ p — glmnet's
covariance mode) and ``SparseInner`` (CSC X: CD on the residual, touching only
non-zeros).
"""
import numpy as np

from ..design import DenseDesign
from ..kernels.cd_gram import gram_cd, gram_times_sparse
from ..kernels.cd_sparse import csc_cd, csc_residual, csc_xt_weighted
from ..kernels.gap import enet_primal_dual

ANDERSON_K = 5
# Full Gram up front when it is cheap against the path: n ≥ p and p²·8 bytes
# of memory is modest (glmnet uses covariance mode for p < 500; one Gram of
# p = 5000 is 200 MB).
FULL_GRAM_MAX_FEATURES = 5000


def use_full_gram(design):
    return (isinstance(design, DenseDesign)
            and design.n_samples >= design.n_features
            and design.n_features <= FULL_GRAM_MAX_FEATURES)


class GramInner:
    """Dense design: CD on the Gram of the features seen so far (set E).

    ``G_E = X̃_Eᵀ W X̃_E`` grows by blocks as features join E, so the cost is
    one product per new feature; with ``full=True`` E is every feature and G
    comes from one symmetric rank-k update.
    """

    def __init__(self, design, y_c, full):
        self.design = design
        p = design.n_features
        self.y_c = y_c
        self.sw = np.sqrt(design.w)
        self.y_t = self.sw * y_c                  # ỹ = √w ⊙ y_c
        self.yy = float(self.y_t @ self.y_t)
        self.full = full
        self.pos = np.full(p, -1, dtype=np.int64)  # global → position in E
        self.beta_global = np.zeros(p)
        if full:
            self.E = np.arange(p, dtype=np.int64)
            self.pos[:] = self.E
            self.G = design.gram()
            self.c = design.xt_weighted(y_c)
            self.m = p
        else:
            self.E = np.empty(0, dtype=np.int64)
            self.G = np.empty((0, 0))
            self.c = np.empty(0)
            self.XE = np.empty((design.n_samples, 0), order="F")
            self.m = 0
        self.beta = np.zeros(self.m)
        self.q = np.zeros(self.m)

    def _grow(self, new):
        """Add global features ``new`` (not yet in E) to E."""
        m, k = self.m, new.shape[0]
        Xn = self.design.gather(new)
        cap = self.G.shape[0]
        if m + k > cap:
            cap = max(2 * cap, m + k, 64)
            G = np.zeros((cap, cap))
            G[:m, :m] = self.G[:m, :m]
            XE = np.zeros((self.design.n_samples, cap), order="F")
            XE[:, :m] = self.XE[:, :m]
            c = np.zeros(cap)
            c[:m] = self.c[:m]
            beta = np.zeros(cap)
            beta[:m] = self.beta[:m]
            q = np.zeros(cap)
            q[:m] = self.q[:m]
            self.G, self.XE, self.c, self.beta, self.q = G, XE, c, beta, q
        # NumPy: G[:m, m:] = XE[:, :m].T @ Xn ; G[m:, m:] = Xn.T @ Xn
        cross = self.XE[:, :m].T @ Xn
        self.G[:m, m:m + k] = cross
        self.G[m:m + k, :m] = cross.T
        self.G[m:m + k, m:m + k] = Xn.T @ Xn
        self.XE[:, m:m + k] = Xn
        self.c[m:m + k] = Xn.T @ self.y_t
        # q = Gβ on the new features, so a warm start on them is consistent.
        self.q[m:m + k] = cross.T @ self.beta[:m]
        self.pos[new] = np.arange(m, m + k)
        self.E = np.concatenate([self.E, new])
        self.m = m + k

    def solve(self, ws, l1, l2, positive, tol_rel, max_epochs):
        """CD on the working set ``ws`` (global indices) until gap ≤ tol_rel·P; returns epochs."""
        if not self.full:
            new = ws[self.pos[ws] < 0]
            if new.size:
                self._grow(new)
        local = self.pos[ws]
        m = self.m
        l1e = np.zeros(m)
        l2e = np.zeros(m)
        l1e[:m] = l1[self.E]
        l2e[:m] = l2[self.E]
        epochs, _, _ = gram_cd(self.G, self.c, self.beta, self.q, local, l1e, l2e,
                               positive, self.yy, max_epochs, tol_rel, ANDERSON_K)
        self.beta_global[self.E] = self.beta[:m]
        return epochs

    def gradient(self):
        """``g = X̃ᵀW r`` over all features and ``(‖r‖²_w, rᵀW y_c)``."""
        m = self.m
        nz = np.flatnonzero(self.beta[:m])
        if self.full:
            # NumPy: q = G @ β, reading only the rows at the non-zeros.
            gram_times_sparse(self.G, self.beta, nz, self.q)
            q = self.q
            g = self.c - q
            bc = self.beta @ self.c
            rr = self.yy - 2.0 * bc + self.beta @ q
            ry = self.yy - bc
            return g, rr, ry
        r_t = self.y_t - self.XE[:, nz] @ self.beta[nz]   # √w ⊙ r
        # Keep q consistent on E for the next warm start.
        self.q[:m] = self.XE[:, :m].T @ (self.y_t - r_t)
        g = self.design.xt_weighted(r_t / np.where(self.sw > 0, self.sw, 1.0))
        return g, float(r_t @ r_t), float(r_t @ self.y_t)


class SparseInner:
    """CSC design: CD on the residual with implicit centring (no densifying)."""

    def __init__(self, design, y_c):
        self.design = design
        self.y_c = y_c
        p = design.n_features
        self.beta_global = np.zeros(p)
        self.r_raw = y_c.copy()
        self.off = np.zeros(1)

    def solve(self, ws, l1, l2, positive, tol_rel, max_epochs):
        d = self.design
        epochs, _, _ = csc_cd(d.data, d.indices, d.indptr, d.w, self.y_c, d.mean,
                              d.scale, d.hess, self.beta_global, self.r_raw,
                              self.off, ws, l1, l2, positive, max_epochs, tol_rel,
                              ANDERSON_K, 1)
        return epochs

    def gradient(self):
        d = self.design
        g = np.empty(d.n_features)
        csc_xt_weighted(d.data, d.indices, d.indptr, d.w, self.r_raw, self.off[0],
                        d.scale, g)
        r = self.r_raw + self.off[0]
        wr = d.w * r
        return g, float(wr @ r), float(wr @ self.y_c)

    def reset_residual(self, ws):
        d = self.design
        self.off[0] = csc_residual(d.data, d.indices, d.indptr, self.y_c, d.mean,
                                   d.scale, self.beta_global, ws, self.r_raw)


def make_inner(design, y_c):
    if isinstance(design, DenseDesign):
        return GramInner(design, y_c, full=use_full_gram(design))
    return SparseInner(design, y_c)


def solve_alpha(inner, l1, l2, positive, ws, usable, tol, max_epochs):
    """Solve one alpha to relative duality gap ≤ tol, growing ``ws`` from KKT violations.

    Parameters
    ----------
    inner : GramInner or SparseInner, warm (holds the previous solution).
    l1, l2 : (p,) penalty weights in sum scale for this alpha.
    ws : (k,) int64 sorted working set, ⊇ the support of the warm start.
    usable : (p,) bool, False for columns constant after centring.

    Returns
    -------
    (epochs, relative_gap, primal, g, ws) where g is the full gradient
    ``X̃ᵀW r`` at the solution (the next strong rule screens with it).
    """
    # The inner solve aims below the target so that the full check, which
    # adds the features outside ws, usually passes at the first try.
    tol_inner = 0.3 * tol
    epochs = inner.solve(ws, l1, l2, positive, tol_inner, max_epochs)
    while True:
        g, rr, ry = inner.gradient()
        primal, dual = enet_primal_dual(g, inner.beta_global, l1, l2, positive, rr, ry)
        gap = max(primal - dual, 0.0)
        rel_gap = gap / primal if primal > 0.0 else 0.0
        if rel_gap <= tol or epochs >= max_epochs:
            return epochs, rel_gap, primal, g, ws
        score = g if positive else np.abs(g)
        viol = (score > l1 * (1.0 + 1e-12)) & usable
        viol[ws] = False
        new = np.flatnonzero(viol)
        if new.size:
            ws = np.union1d(ws, new)
        elif tol_inner < 1e-15:
            # Rounding floor: the gap cannot be certified tighter in float64.
            return epochs, rel_gap, primal, g, ws
        else:
            # No violator outside ws: the working-set gap itself was too loose.
            tol_inner *= 0.1
        epochs += max(inner.solve(ws, l1, l2, positive, tol_inner,
                                  max(max_epochs - epochs, 1)), 1)


def enet_path_cd(design, y_c, alphas, l1_ratio, penalty_factor, positive, tol,
                 max_iter, g_null, progress=None):
    """Solve every alpha in decreasing order with warm starts.

    Parameters
    ----------
    design : Design.  y_c : (n,) target, centred if an intercept is fitted.
    alphas : (k,) decreasing.  penalty_factor : (p,) v_j ≥ 0.
    g_null : (p,) ``X̃ᵀW r`` at the null fit (β = 0 on penalized features).

    Returns
    -------
    dict with ``coef`` (k, p) on the centred/scaled features, ``gap`` (k,)
    relative duality gaps, ``n_iter`` (k,) epochs, ``primal`` (k,) in sum scale.
    """
    n, p = design.n_samples, design.n_features
    inner = make_inner(design, y_c)
    usable = design.hess > 0
    unpenalized = np.flatnonzero((penalty_factor == 0) & usable)
    k = alphas.shape[0]
    coefs = np.zeros((k, p))
    gaps = np.zeros(k)
    n_iter = np.zeros(k, dtype=np.int64)
    primals = np.zeros(k)
    g_prev = g_null
    l1_prev = None
    ever = unpenalized.copy()
    for i, alpha in enumerate(alphas):
        l1 = n * alpha * l1_ratio * penalty_factor
        l2 = n * alpha * (1.0 - l1_ratio) * penalty_factor
        score = g_prev if positive else np.abs(g_prev)
        # Sequential strong rule; at the first alpha, compare with itself.
        threshold = 2.0 * l1 - (l1_prev if l1_prev is not None else l1)
        strong = np.flatnonzero((score >= threshold) & usable)
        ws = np.union1d(ever, strong).astype(np.int64)
        epochs, rel_gap, primal, g, ws = solve_alpha(inner, l1, l2, positive, ws,
                                                     usable, tol, max_iter)
        beta = inner.beta_global
        coefs[i] = beta
        gaps[i] = rel_gap
        n_iter[i] = epochs
        primals[i] = primal
        ever = np.union1d(ever, np.flatnonzero(beta)).astype(np.int64)
        g_prev, l1_prev = g, l1
        if progress is not None:
            progress(i)
    return {"coef": coefs, "gap": gaps, "n_iter": n_iter, "primal": primals}
