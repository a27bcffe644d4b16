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

from ..design import DenseDesign, wants_full_gram
from ..kernels.cd_gram import gram_cd, gram_path, gram_times_sparse, gram_times_sparse_at
from ..kernels.cd_sparse import (csc_cd, csc_centred_gram_rows, csc_residual, csc_xt_subset,
                                 csc_xt_weighted, csc_xt_weighted2, csc_xt_weighted_multi,
                                 residual_stats, weighted_sq_dist)
from ..kernels.gap import enet_primal_dual, penalty_value
from ..kernels.path_rules import secant_start, strong_rule, support

ANDERSON_K = 5
# Sparse CD: a working-set gap costs about one epoch, so it is checked every
# other epoch; a longer Anderson window (8 iterates) cut epochs by 5-10% on
# the text-like benchmark problem, where the dual point converges slowly.
SPARSE_GAP_EVERY = 2
SPARSE_ANDERSON_K = 8
# The inner solve aims below the target so that the full check usually passes
# at the first try.
INNER_TOL_FRACTION = 0.3
# Sparse CD's heavy block (``cd_sparse._heavy_newton``): the active features with the
# most non-zeros, at most HEAVY_BLOCK of them, each with non-zeros in at least
# HEAVY_MIN_FRACTION of the rows; their Gram rows are cached along the path (up to
# HEAVY_CACHE features, then rebuilt).
HEAVY_BLOCK = 64
HEAVY_MIN_FRACTION = 0.01
HEAVY_CACHE = 2 * HEAVY_BLOCK
HEAVY_AFTER_EPOCHS = 4


def use_full_gram(design):
    return isinstance(design, DenseDesign) and wants_full_gram(design.n_samples,
                                                               design.n_features)


class _Reference:
    """The last exact full pass: ``g_ref = X̃ᵀW r_ref`` over all features.

    Between full passes the gradient outside the working set is bounded by
    Cauchy–Schwarz, ``|g_j(r)| ≤ |g_ref_j| + ‖x̃_j‖_w ‖r − r_ref‖_w``; if these
    bounds already keep the scaled residual dual-feasible, the duality gap is
    certified without reading X (a rigorous, slightly pessimistic dual value).
    """

    def __init__(self, hess):
        self.col_norm = np.sqrt(hess)
        self.g = None

    def bounded(self, g_ws, ws, delta, positive):
        """Exact values on ``ws``, upper bounds of |g_j| (g_j if positive) elsewhere."""
        base = self.g if positive else np.abs(self.g)
        out = base + self.col_norm * delta
        out[ws] = g_ws
        return out


class GramInner:
    """Dense design: CD on the Gram of the features seen so far (set E).

    E only grows along the path, and its Gram ``G_E = X̃_Eᵀ W X̃_E`` lives in a
    buffer whose leading block is filled once per new feature, so CD reads it
    in place (no per-alpha gather). Its columns come from a precomputed full
    Gram when n ≥ p (``full=True``: one symmetric rank-k update; an exact pass
    over all features then costs O(p·nnz)), else from products with the
    gathered columns ``X̃_E``.
    """

    def __init__(self, design, y_c, full):
        self.design = design
        p = design.n_features
        self.full = full
        self.pos = np.full(p, -1, dtype=np.int64)  # global → position in E
        self.E = np.empty(0, dtype=np.int64)
        self.m = 0
        self.beta_global = np.zeros(p)
        if full:
            G, self.c_full, self.yy = design.gram_problem(y_c)
            self.G_full = np.ascontiguousarray(G)
            self.ref = None
        else:
            self.sw = np.sqrt(design.w)
            self.y_t = self.sw * y_c                  # ỹ = √w ⊙ y_c
            self.yy = float(self.y_t @ self.y_t)
            self.XE = np.empty((design.n_samples, 0), order="F")
            self.ref = _Reference(design.hess)
        self.G = np.zeros((0, 0))
        for name in ("c", "beta", "beta_dual", "beta_ref", "q", "q_dual"):
            setattr(self, name, np.zeros(0))

    def _grow(self, new):
        """Add global features ``new`` (not yet in E) to E."""
        m, k = self.m, new.shape[0]
        cap = self.G.shape[0]
        if m + k > cap:
            cap = max(2 * cap, m + k, 64)
            if self.full:
                cap = min(cap, self.design.n_features)
            G = np.zeros((cap, cap))
            G[:m, :m] = self.G[:m, :m]
            self.G = G
            if not self.full:
                XE = np.zeros((self.design.n_samples, cap), order="F")
                XE[:, :m] = self.XE[:, :m]
                self.XE = XE
            for name in ("c", "beta", "beta_dual", "beta_ref", "q", "q_dual"):
                arr = np.zeros(cap)
                arr[:m] = getattr(self, name)[:m]
                setattr(self, name, arr)
        if self.full:
            cross = self.G_full[np.ix_(self.E, new)]
            self.G[m:m + k, m:m + k] = self.G_full[np.ix_(new, new)]
            self.c[m:m + k] = self.c_full[new]
        else:
            Xn = self.design.gather(new)
            # NumPy: G[:m, m:] = XE[:, :m].T @ Xn ; G[m:, m:] = Xn.T @ Xn
            cross = self.XE[:, :m].T @ Xn
            self.G[m:m + k, m:m + k] = Xn.T @ Xn
            self.XE[:, m:m + k] = Xn
            self.c[m:m + k] = Xn.T @ self.y_t
        self.G[:m, m:m + k] = cross
        self.G[m:m + k, :m] = cross.T
        self.pos[new] = np.arange(m, m + k)
        self.E = np.concatenate([self.E, new])
        self.m = m + k

    def solve(self, ws, l1, l2, positive, tol_rel, max_epochs):
        """CD on E ⊇ ``ws`` (global indices) until its gap ≤ tol_rel·P; returns epochs."""
        new = ws[self.pos[ws] < 0]
        if new.size:
            self._grow(new)
        m = self.m
        l1e = l1[self.E]
        l2e = l2[self.E]
        self.beta_dual[:m] = self.beta[:m]
        epochs, _, _ = gram_cd(self.G, self.c, self.beta, np.arange(m, dtype=np.int64),
                               l1e, l2e, positive, self.yy, max_epochs, tol_rel,
                               ANDERSON_K, self.beta_dual, self.q, self.q_dual, False)
        self.beta_global[self.E] = self.beta[:m]
        return epochs

    def set_dual(self, beta_dual, l1):
        """Gram CD rebuilds its dual point at each solve (cheap here): nothing kept."""

    def exact_set(self, ws):
        """The features whose gradient ``bound_pass`` computes exactly: all of E."""
        return self.E

    def set_beta(self, beta_global):
        """Move the warm start to ``beta_global`` (its support must lie in E)."""
        self.beta[:self.m] = beta_global[self.E]
        self.beta_global[:] = beta_global

    def _candidates(self):
        m = self.m
        beta, beta_d = self.beta[:m], self.beta_dual[:m]
        return [beta] if np.array_equal(beta, beta_d) else [beta, beta_d]

    def _to_global(self, b):
        out = np.zeros(self.design.n_features)
        out[self.E] = b
        return out

    # With the full Gram an exact pass is cheap, so the dual candidate is only
    # evaluated when the current point alone does not certify.
    @property
    def lazy_dual(self):
        return self.full

    def _full_triple(self, b, q_E=None):
        """(β, g, ‖r‖², rᵀy) over all features from the full Gram; ``q_E`` = G_E β_E if known."""
        p = self.design.n_features
        bg = self._to_global(b)
        nz = np.flatnonzero(bg)
        if q_E is None:
            q = np.empty(p)
            # NumPy: q = G @ b, reading only the rows at the non-zeros.
            gram_times_sparse(self.G_full, bg, nz, q)
        else:
            q = np.zeros(p)
            q[self.E] = q_E
            outside = np.flatnonzero(self.pos < 0)
            if outside.size and nz.size:
                gram_times_sparse_at(self.G_full, bg, nz, outside, q)
        bc = bg @ self.c_full
        return (bg, self.c_full - q, self.yy - 2.0 * bc + bg @ q, self.yy - bc)

    def beta_dual_copy(self):
        return self._to_global(self.beta_dual[:self.m])

    def exact_pass_many(self, pairs):
        """Exact triples for several ``(β, β_dual)`` pairs (global) in one pass over X.

        Returns one list ``[primal triple, dual triple]`` per pair; the last
        pair's β becomes the reference of ``bound_pass``.
        """
        m = self.m
        B = np.column_stack([b[self.E] for pair in pairs for b in pair])
        R_t = self.y_t[:, None] - self.XE[:, :m] @ B      # √w ⊙ r per column
        safe = np.where(self.sw > 0, self.sw, 1.0)
        Gm = self.design.xt_weighted_matrix(R_t / safe[:, None])
        out = []
        for a, pair in enumerate(pairs):
            triples = []
            for c, b in zip((2 * a, 2 * a + 1), pair):
                triples.append((b, Gm[:, c], float(R_t[:, c] @ R_t[:, c]),
                                float(R_t[:, c] @ self.y_t)))
            out.append(triples)
        self.ref.g = Gm[:, 2 * (len(pairs) - 1)].copy()
        self.beta_ref[:m] = pairs[-1][0][self.E]
        return out

    def dual_candidates(self):
        """The dual candidate's triple when it differs from β (lazy mode)."""
        cands = self._candidates()
        return [self._full_triple(cands[1])] if len(cands) > 1 else []

    def exact_pass(self):
        """Exact ``(β, g, ‖r‖²_w, rᵀWy_c)`` over all features for β and the dual
        candidate (only β in lazy mode: see ``dual_candidates``)."""
        m = self.m
        out = []
        if self.full:
            return [self._full_triple(self.beta[:m], self.q[:m])]
        cands = self._candidates()
        bs = np.column_stack(cands)
        R_t = self.y_t[:, None] - self.XE[:, :m] @ bs    # √w ⊙ r per candidate
        safe = np.where(self.sw > 0, self.sw, 1.0)
        # One pass over X for both candidates (memory-bound: same cost as one).
        Gm = self.design.xt_weighted_matrix(R_t / safe[:, None])
        for a, b in enumerate(cands):
            out.append((self._to_global(b), Gm[:, a], float(R_t[:, a] @ R_t[:, a]),
                        float(R_t[:, a] @ self.y_t)))
        self.ref.g = Gm[:, 0].copy()
        self.beta_ref[:m] = self.beta[:m]
        return out

    def bound_pass(self, ws):
        """As ``exact_pass`` but with bounds outside E (no pass over X); None if impossible."""
        if self.full or self.ref.g is None:
            return None
        m = self.m
        G_E = self.G[:m, :m]
        out = []
        for b in self._candidates():
            q = G_E @ b
            bc = b @ self.c[:m]
            rr = self.yy - 2.0 * bc + b @ q
            # ‖r − r_ref‖²_w = Δᵀ G_E Δ
            d = b - self.beta_ref[:m]
            delta = float(np.sqrt(max(d @ (G_E @ d), 0.0)))
            out.append((self._to_global(b), self.c[:m] - q, rr, self.yy - bc, delta))
        return out


class SparseInner:
    """CSC design: CD on the residual with implicit centring (no densifying)."""

    def __init__(self, design, y_c):
        self.design = design
        self.y_c = y_c
        p = design.n_features
        self.beta_global = np.zeros(p)
        self.r_raw = y_c.copy()
        self.r_dual = np.empty_like(y_c)
        self.off = np.zeros(1)
        self.beta_dual_global = np.zeros(p)
        self.ref = _Reference(design.hess)
        self.r_ref = None
        self._dual_l1 = None
        self.col_nnz = np.diff(design.indptr)
        self.heavy_min_nnz = max(2, int(HEAVY_MIN_FRACTION * design.n_samples))
        self.heavy_pos = np.full(p, -1, dtype=np.int64)
        self.heavy_ids = np.empty(0, dtype=np.int64)
        self.heavy_gram = np.zeros((HEAVY_CACHE, HEAVY_CACHE))
        self.heavy_on = False

    def _heavy_block(self, ws):
        """The heavy active features of ``ws`` and their Gram, or (None, None)."""
        if not self.heavy_on:
            return None, None
        cand = ws[(self.beta_global[ws] != 0.0) & (self.col_nnz[ws] >= self.heavy_min_nnz)]
        if cand.size < 2:
            return None, None
        if cand.size > HEAVY_BLOCK:
            cand = cand[np.argsort(-self.col_nnz[cand], kind="stable")[:HEAVY_BLOCK]]
        missing = cand[self.heavy_pos[cand] < 0]
        if missing.size:
            start = self.heavy_ids.size
            if start + missing.size > HEAVY_CACHE:
                self.heavy_pos[self.heavy_ids] = -1
                self.heavy_ids = np.empty(0, dtype=np.int64)
                start, missing = 0, cand
            self.heavy_ids = np.concatenate([self.heavy_ids, missing])
            self.heavy_pos[missing] = np.arange(start, self.heavy_ids.size)
            d = self.design
            csc_centred_gram_rows(d.data, d.indices, d.indptr, d.w, d.mean, d.scale,
                                  self.heavy_ids, start, self.heavy_gram)
        at = self.heavy_pos[cand]
        return cand, self.heavy_gram[np.ix_(at, at)]

    def solve(self, ws, l1, l2, positive, tol_rel, max_epochs):
        d = self.design
        # A re-solve of the same penalties (the working set grew) keeps the
        # best dual point found so far as the candidate to beat.
        reuse = l1 is self._dual_l1
        if not reuse:
            self.beta_dual_global[:] = self.beta_global
        heavy, G_heavy = self._heavy_block(ws)
        epochs, _, _ = csc_cd(d.data, d.indices, d.indptr, d.w, self.y_c, d.mean,
                              d.scale, d.hess, self.beta_global, self.r_raw,
                              self.off, ws, l1, l2, positive, max_epochs, tol_rel,
                              SPARSE_ANDERSON_K, SPARSE_GAP_EVERY,
                              self.beta_dual_global, reuse, False, heavy, G_heavy)
        # Solves that take a few epochs are where the block pays for its Gram.
        self.heavy_on = self.heavy_on or epochs >= HEAVY_AFTER_EPOCHS
        self._dual_l1 = l1
        return epochs

    def set_dual(self, beta_dual, l1):
        """Restore ``beta_dual`` as the best dual point known for penalties ``l1``."""
        self.beta_dual_global[:] = beta_dual
        self._dual_l1 = l1

    def set_beta(self, beta_global):
        """Move the warm start to ``beta_global``; the residual is recomputed."""
        d = self.design
        self.beta_global[:] = beta_global
        self.off[0] = csc_residual(d.data, d.indices, d.indptr, self.y_c, d.mean,
                                   d.scale, self.beta_global, support(beta_global),
                                   self.r_raw)

    def _residuals(self):
        """[(β, r)] for β and, if different, the dual candidate."""
        d = self.design
        out = [(self.beta_global, self.r_raw + self.off[0])]
        if not np.array_equal(self.beta_global, self.beta_dual_global):
            off_d = csc_residual(d.data, d.indices, d.indptr, self.y_c, d.mean, d.scale,
                                 self.beta_dual_global, support(self.beta_dual_global),
                                 self.r_dual)
            out.append((self.beta_dual_global, self.r_dual + off_d))
        return out

    def exact_pass(self):
        d = self.design
        res = self._residuals()
        gs = [np.empty(d.n_features) for _ in res]
        if len(res) == 1:
            csc_xt_weighted(d.data, d.indices, d.indptr, d.w, res[0][1], 0.0, d.scale,
                            gs[0])
        else:
            csc_xt_weighted2(d.data, d.indices, d.indptr, d.w, res[0][1], 0.0,
                             res[1][1], 0.0, d.scale, gs[0], gs[1])
        out = []
        for (b, r), g in zip(res, gs):
            rr, ry = residual_stats(r, 0.0, d.w, self.y_c)
            out.append((b.copy(), g, rr, ry))
        self.ref.g = gs[0].copy()
        self.r_ref = res[0][1].copy()
        return out

    lazy_dual = False

    def exact_set(self, ws):
        return ws

    def beta_dual_copy(self):
        return self.beta_dual_global.copy()

    def exact_pass_many(self, pairs):
        """As ``GramInner.exact_pass_many``: one pass over X for every residual.

        A pair whose dual candidate is β itself costs one residual, not two (the
        pass's work grows with the number of residuals); its list then holds
        only the primal triple.
        """
        d = self.design
        n = d.n_samples
        vectors = []                       # the distinct coefficient vectors
        columns = []                       # per pair: their columns in R
        for b, b_dual in pairs:
            cols = [len(vectors)]
            vectors.append(b)
            if not np.array_equal(b, b_dual):
                cols.append(len(vectors))
                vectors.append(b_dual)
            columns.append(cols)
        R = np.empty((n, len(vectors)))
        r_raw = np.empty(n)
        for c, b in enumerate(vectors):
            off = csc_residual(d.data, d.indices, d.indptr, self.y_c, d.mean, d.scale,
                               b, support(b), r_raw)
            R[:, c] = r_raw + off
        Gm = np.empty((d.n_features, len(vectors)))
        csc_xt_weighted_multi(d.data, d.indices, d.indptr, d.w, R, d.scale, Gm)
        WR = d.w[:, None] * R
        rr = np.einsum("ij,ij->j", WR, R)
        ry = WR.T @ self.y_c
        out = [[(vectors[c], Gm[:, c], float(rr[c]), float(ry[c])) for c in cols]
               for cols in columns]
        last = columns[-1][0]
        self.ref.g = Gm[:, last].copy()
        self.r_ref = R[:, last].copy()
        return out

    def bound_pass(self, ws):
        if self.r_ref is None:
            return None
        d = self.design
        out = []
        for b, r in self._residuals():
            g_ws = csc_xt_subset(d.data, d.indices, d.indptr, d.w, r, d.scale, ws)
            rr, ry = residual_stats(r, 0.0, d.w, self.y_c)
            delta = float(np.sqrt(weighted_sq_dist(d.w, r, self.r_ref)))
            out.append((b.copy(), g_ws, rr, ry, delta))
        return out


def make_inner(design, y_c):
    if not design.has_samples:
        return GramInner(design, y_c, full=True)
    if isinstance(design, DenseDesign):
        return GramInner(design, y_c, full=use_full_gram(design))
    return SparseInner(design, y_c)


class UnpenalizedProjection:
    """Dual points orthogonal to the unpenalized columns.

    An unpenalized feature j (v_j = 0) puts the constraint ``x̃_jᵀθ = 0`` on the
    dual point, like the intercept does; coordinate descent only meets it up to
    its current accuracy. So the residual is projected: ``θ = r − X̃_Z c`` with
    ``c = G_ZZ⁻¹ X̃_Zᵀ r``, which changes ``g``, ``‖θ‖²`` and ``θᵀy`` by terms
    read off ``G_Z = X̃ᵀWX̃_Z`` (formed once per path).
    """

    def __init__(self, design, y_c, Z):
        self.Z = Z
        if design.has_samples:
            sw = np.sqrt(design.w)
            XZ = design.gather(Z) / np.where(sw > 0, sw, 1.0)[:, None]   # X̃_Z
            self.G_Z = design.xt_weighted_matrix(XZ)
            self.c_Z = XZ.T @ (design.w * y_c)
        else:
            G, c, _ = design.gram_problem()
            self.G_Z = G[:, Z]
            self.c_Z = c[Z]
        self.G_ZZ = self.G_Z[Z]

    def project(self, g, rr, ry, exact=None, beta=None, positive=False):
        """Projected ``(g, ‖θ‖², θᵀy)``; entries of g outside ``exact`` are bounds.

        Under ``positive`` only the unpenalized features with β_j > 0 are
        projected out (an inactive one needs ``x̃_jᵀθ ≤ 0`` instead, which the
        dual value checks).
        """
        sel = np.arange(self.Z.size) if not positive else np.flatnonzero(beta[self.Z] > 0)
        if sel.size == 0:
            return g, rr, ry
        Zs = self.Z[sel]
        g_Z = g[Zs]                           # X̃_Zᵀr (Z is always computed exactly)
        G_ZZ = self.G_ZZ[np.ix_(sel, sel)]
        c, *_ = np.linalg.lstsq(G_ZZ, g_Z, rcond=None)
        shift = self.G_Z[:, sel] @ c
        if exact is None:
            g = g - shift
        else:
            g_new = g + np.abs(shift)
            g_new[exact] = g[exact] - shift[exact]
            g = g_new
        g[Zs] = 0.0                           # exactly orthogonal, rounding aside
        rr = rr - 2.0 * (c @ g_Z) + c @ (G_ZZ @ c)
        return g, rr, ry - c @ self.c_Z[sel]


def _certificate(cands, l1, l2, positive, g_of, proj=None, exact=None):
    """Best (primal at β, dual over candidates) from candidate tuples."""
    primal = None
    dual = -np.inf
    for cand in cands:
        beta, g, rr, ry = cand[0], g_of(cand), cand[2], cand[3]
        if primal is None:
            # the first candidate is the current β
            primal = 0.5 * rr + penalty_value(beta, l1, l2)
        if proj is not None:
            g, rr, ry = proj.project(g, rr, ry, exact, beta, positive)
        _, d_c = enet_primal_dual(g, beta, l1, l2, positive, rr, ry)
        dual = max(dual, d_c)
    return primal, dual


def solve_alpha(inner, l1, l2, positive, ws, usable, tol, max_epochs, proj=None):
    """Solve one alpha to relative duality gap ≤ tol, growing ``ws`` from KKT violations.

    Parameters
    ----------
    inner : GramInner or SparseInner, warm (holds the previous solution).
    l1, l2 : (p,) penalty weights in sum scale for this alpha.
    ws : (k,) int64 sorted working set, ⊇ the support of the warm start.
    usable : (p,) bool, False for columns constant after centring.
    proj : UnpenalizedProjection when some features are unpenalized.

    Returns
    -------
    (epochs, relative_gap, primal, g, ws) where g estimates ``X̃ᵀW r`` at the solution
    (exact on ws; from the last full pass elsewhere) for the next strong rule.
    """
    # The inner solve aims below the target so that the full check usually
    # passes at the first try.
    tol_inner = INNER_TOL_FRACTION * tol
    epochs = inner.solve(ws, l1, l2, positive, tol_inner, max_epochs)
    while True:
        bounded = inner.bound_pass(ws)
        if bounded is not None:
            exact = inner.exact_set(ws)
            primal, dual = _certificate(
                bounded, l1, l2, positive,
                lambda c: inner.ref.bounded(c[1], exact, c[4], positive), proj, exact)
            if primal > 0.0 and primal - dual <= tol * primal:
                g_est = inner.ref.g.copy()
                g_est[exact] = bounded[0][1]
                return epochs, max(primal - dual, 0.0) / primal, primal, g_est, ws
        cands = inner.exact_pass()
        primal, dual = _certificate(cands, l1, l2, positive, lambda c: c[1], proj)
        if inner.lazy_dual and primal - dual > tol * primal:
            extra = inner.dual_candidates()
            if extra:
                _, dual_c = _certificate(extra, l1, l2, positive, lambda c: c[1], proj)
                dual = max(dual, dual_c)
        g = cands[0][1]
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


# Speculative batches: up to this many alphas are solved on their working sets
# before one pass over X certifies them all (a pass reads X once whatever the
# number of residuals, so this divides the passes — the cost that dominates
# wide and sparse designs — by the batch size).
MAX_BATCH = 16


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

    Where a pass over X is expensive (sparse X, or dense X without the full
    Gram), alphas are solved in speculative batches: each on its working set,
    then one pass certifies the batch; the first alpha that fails is re-solved
    with its KKT violators and the batch restarts after it.
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
    if isinstance(inner, GramInner) and inner.full and not unpenalized.size:
        # The same loop as below, in one kernel (no unpenalized block to project).
        scale = n * alphas[:, None] * penalty_factor[None, :]
        gram_path(inner.G_full, inner.c_full, inner.yy, alphas, scale * l1_ratio,
                  scale * (1.0 - l1_ratio), positive, usable, tol, max_iter,
                  INNER_TOL_FRACTION, ANDERSON_K, coefs, gaps, n_iter, primals)
        if progress is not None:
            for i in range(k):
                progress(i)
        return {"coef": coefs, "gap": gaps, "n_iter": n_iter, "primal": primals}
    state = {"g": g_null, "l1": None, "ever": unpenalized.copy()}
    proj = UnpenalizedProjection(design, y_c, unpenalized) if unpenalized.size else None
    batched = not inner.lazy_dual

    penalty_cache = {}

    def penalties(i):
        """(l1, l2) at alphas[i], sum scale; the last few are kept (each is O(p))."""
        if i not in penalty_cache:
            if len(penalty_cache) > 4:
                penalty_cache.pop(min(penalty_cache))
            base = n * alphas[i] * penalty_factor
            penalty_cache[i] = (base * l1_ratio, base * (1.0 - l1_ratio))
        return penalty_cache[i]

    ever_mask = np.zeros(p, dtype=bool)
    ever_mask[unpenalized] = True
    guess = np.zeros(p)

    def prepare(i, speculative=False):
        """Working set (strong rule from the last exact gradient) and warm start."""
        l1, l2 = penalties(i)
        keep = np.zeros(p, dtype=bool)
        strong_rule(state["g"], l1, penalties(i - 1)[0] if i > 0 else l1, usable, positive,
                    keep)
        keep[ever_mask] = False
        strong = np.flatnonzero(keep)
        if speculative:
            # In a speculative batch g is the last certified gradient, a few
            # alphas old, so the rule lets in far too many features; features
            # enter the lasso path a few at a time, so only the likeliest are
            # added (the certificate catches any other).
            cap = max(10, len(state["ever"]) // 10)
            if strong.size > cap:
                score = state["g"][strong] if positive else np.abs(state["g"][strong])
                ratio = score / np.maximum(l1[strong], 1e-300)
                strong = strong[np.argsort(-ratio)[:cap]]
        ws = np.union1d(state["ever"], strong).astype(np.int64)
        if i >= 2:
            step = (alphas[i - 1] - alphas[i]) / (alphas[i - 2] - alphas[i - 1])
            secant_start(coefs[i - 1], coefs[i - 2], step, guess)
            inner.set_beta(guess)
        # The working set holds the warm start's support: in a speculative batch the
        # previous alphas' coefficients are not yet in "ever", and a non-zero left out
        # of the working set is never moved (nor flagged as a KKT violator).
        ws = np.union1d(ws, support(inner.beta_global))
        return l1, l2, ws

    def record(i, beta, rel_gap, primal, epochs, g, l1):
        coefs[i] = beta
        gaps[i] = rel_gap
        n_iter[i] = epochs
        primals[i] = primal
        nz = support(beta)
        if not ever_mask[nz].all():
            ever_mask[nz] = True
            state["ever"] = np.flatnonzero(ever_mask)
        state["g"], state["l1"] = g, l1
        if progress is not None:
            progress(i)

    def sequential(i, l1, l2, ws, epochs=0):
        e, rel_gap, primal, g, ws = solve_alpha(inner, l1, l2, positive, ws, usable, tol,
                                                max(max_iter - epochs, 1), proj)
        record(i, inner.beta_global.copy(), rel_gap, primal, epochs + e, g, l1)

    i = 0
    batch = 1
    while i < k:
        if not batched or batch == 1:
            l1, l2, ws = prepare(i)
            sequential(i, l1, l2, ws)
            i += 1
            batch = min(2 * batch, MAX_BATCH) if batched else 1
            continue
        snaps = []
        for j in range(i, min(k, i + batch)):
            l1, l2, ws = prepare(j, speculative=j > i)
            e = inner.solve(ws, l1, l2, positive, INNER_TOL_FRACTION * tol, max_iter)
            beta = inner.beta_global.copy()
            coefs[j] = beta                    # speculative, for the next secant
            snaps.append((j, l1, l2, ws, max(e, 1), beta, inner.beta_dual_copy()))
        cands = inner.exact_pass_many([(s[5], s[6]) for s in snaps])
        failed = None
        for snap, pair in zip(snaps, cands):
            j, l1, l2, ws, e, beta, _ = snap
            primal, dual = _certificate(pair, l1, l2, positive, lambda c: c[1], proj)
            rel_gap = max(primal - dual, 0.0) / primal if primal > 0.0 else 0.0
            if rel_gap > tol:
                failed = snap
                break
            record(j, beta, rel_gap, primal, e, pair[0][1], l1)
        if failed is None:
            i = snaps[-1][0] + 1
            batch = min(2 * batch, MAX_BATCH)
            continue
        # Re-solve the first uncertified alpha from its own solution, adding its
        # KKT violators; the batch restarts small after it.
        j, l1, l2, ws, e, beta, beta_dual = failed
        inner.set_beta(beta)
        inner.set_dual(beta_dual, l1)
        sequential(j, l1, l2, ws, e)
        i = j + 1
        batch = 1
    return {"coef": coefs, "gap": gaps, "n_iter": n_iter, "primal": primals}
