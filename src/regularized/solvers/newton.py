"""Proximal Newton for penalized GLMs (logistic, Poisson): glmnet's IRLS, certified.

At the current linear predictor η = offset + b + X̃β, the loss is replaced by
its second-order model, a weighted least-squares problem with weights
``h = w·ℓ''(η)`` and working response ``z = η − offset − ℓ'(η)/ℓ''(η)``; that
model is solved by the same residual coordinate-descent kernel as squared
loss (``kernels.cd_sparse.csc_cd``, Anderson extrapolation included) on the
working set, then a backtracking line search on the true objective accepts
the step. The intercept is then re-fitted exactly (1-D Newton) so the dual
point below is feasible for it.

Certificate: the dual point ``θ = t·w⊙(y − μ)`` gives
``D = −Σ w φ((1−t)y + tμ) − Σ_j g*_j(t·x̃_jᵀθ)`` (``losses``); the relative gap
``(P − D)/P`` is reported and bounded by ``tol`` at every alpha. Working sets
grow from the KKT violations found by one pass over X, as for squared loss.
Unpenalized features (penalty factor 0; all of them in an unpenalized fit) are
re-fitted with the intercept by exact Newton steps (``polish_unpenalized``) until
their gradient vanishes to rounding, which makes θ meet their constraints
``x̃_jᵀθ = 0``; when the steps cannot get there (no finite optimum: separable
classes) θ bounds nothing and the gap is reported as inf.

glmnet's rule ends a path once 99.9% of the null deviance is explained or η
diverges (``early_stop``, ``run_path``); a one-alpha fit watches the same rule on
its warm-up path and, on separable classes, spends a bounded number of epochs at
its alpha before saying so.

Dense X is seen through a growing column block (the working-set columns
gathered once, in CSC layout) so one kernel serves both designs.
"""
import numpy as np
import scipy.sparse as sp
from scipy.linalg import cho_factor, cho_solve

from ..kernels.cd_gram import quadratic_cd
from ..kernels.cd_sparse import csc_cd, csc_matvec_cols, csc_moments_cols, csc_xt_weighted
from ..kernels.dense import gather_columns
from ..kernels.glm import dot
from ..kernels.gap import dual_scalings, penalty_conjugate, penalty_value
from ..design import kernel_index_arrays, matvec_t
from .working_set import ANDERSON_K, SPARSE_GAP_EVERY

MAX_NEWTON = 50
ARMIJO = 1e-4
# Relative rounding level of an objective summed over the samples (the line search's slack).
ROUNDING_SLACK = 1e-13
# Coordinate-descent epochs of one Newton step once its tolerance has been tightened past
# tol (steps that made no measurable progress). Poisson counts of 1e6 at tol 1e-9: the
# model's solve at 1e-13 ran 1e5 epochs without reaching it, at 13 alphas of 100.
ROUNDING_CHASE_EPOCHS = 1000
# The exact Newton fit of the unpenalized block (``polish_unpenalized``) aims at a gradient
# of POLISH_TARGET of its terms' magnitude and counts the block as fitted (its dual
# constraints met) up to POLISH_FITTED of it; beyond, no gap is certified. A step that
# would raise the gradient is halved up to POLISH_HALVINGS times.
POLISH_STEPS = 50
POLISH_TARGET = 1e-13
POLISH_FITTED = 1e-10
POLISH_HALVINGS = 30
POLISH_CURVATURE_FLOOR = 1e-300
# A Newton model is formed explicitly (its (|ws|, |ws|) Hessian, n·|ws|²/2 flops) once
# that costs no more than the CD solve of the last model on the columns did (about
# 2·n·|ws| flops an epoch): small working sets, and ill-conditioned models (near
# separation, weak penalties) whose CD solves take many epochs. It uses the loss's true
# curvature (floored at EXPLICIT_CURVATURE_FLOOR only, not glmnet's 1e-5) and is solved
# exactly (Cholesky) without an L1 part, else by CD on the Hessian (at most
# EXPLICIT_MAX_EPOCHS epochs). LogisticRegression(C=1e4) on standardized breast_cancer:
# the CD model with the floored curvature stopped 2.4% above the optimum, uncertified.
# A ridge model (no L1 part) on a working set wider than the n samples is solved exactly
# through its (n, n) kernel (``_kernel_model``) up to this many samples (an n³/3 Cholesky
# factorisation a Newton step).
KERNEL_MAX_ROWS = 2000
# ... on columns at least this dense: sparse columns (text) are cheaper to sweep by CD
# than to multiply densely (a TF-IDF ridge path: 40 CD epochs, 46 ms; kernel models 131 ms).
KERNEL_MIN_DENSITY = 0.1
EXPLICIT_COST_RATIO = 4
EXPLICIT_MAX_DIM = 1024
EXPLICIT_MAX_EPOCHS = 5000
EXPLICIT_CURVATURE_FLOOR = 1e-12
# A sparse working set is gathered dense for an explicit Hessian up to this many elements
# (32 MiB); beyond, its products stay sparse.
EXPLICIT_DENSE_ELEMENTS = 1 << 22


class _Columns:
    """Column access for the GLM solver: CSC arrays and block positions.

    Sparse X: the CSC arrays themselves (block = all columns). Dense X: the
    columns seen so far gathered into a float64 block, viewed as CSC.
    """

    def __init__(self, X, scale):
        self.X = X
        self.scale_global = scale
        p = X.shape[1]
        self.sparse = sp.issparse(X)
        if self.sparse:
            self.data = X.data
            self.indices, self.indptr = kernel_index_arrays(X.indices, X.indptr)
            self.pos = np.arange(p, dtype=np.int64)
            self.cols = self.pos
            self.scale = scale
        else:
            n = X.shape[0]
            self._n = n
            self.pos = np.full(p, -1, dtype=np.int64)
            self.cols = np.empty(0, dtype=np.int64)
            # Column-major storage with room to grow (doubling), and the row ids
            # of a full-capacity block: adding columns copies only the new ones.
            self._storage = np.empty(0)
            self._row_ids = np.empty(0, dtype=np.uint32)
            self._refresh()

    def _refresh(self):
        n, m = self._n, self.cols.shape[0]
        self.data = self._storage[:n * m]
        self.block = self.data.reshape((n, m), order="F")
        self.indices = self._row_ids[:n * m]
        self.indptr = np.arange(0, n * m + 1, n, dtype=np.uint64)
        self.scale = self.scale_global[self.cols]

    def ensure(self, ws):
        """Make every global column in ws addressable; returns block positions."""
        if not self.sparse:
            new = ws[self.pos[ws] < 0]
            if new.size:
                n, m = self._n, self.cols.shape[0]
                end = n * (m + new.size)
                if end > self._storage.shape[0]:
                    cap = min(max(2 * m, m + new.size, 16), self.X.shape[1])
                    storage = np.empty(n * cap)
                    storage[:n * m] = self._storage[:n * m]
                    self._storage = storage
                    # Row ids of the new capacity: the old ones kept, only the
                    # added columns' ids written.
                    row_ids = np.empty(n * cap, dtype=np.uint32)
                    row_ids[:n * m] = self._row_ids[:n * m]
                    row_ids[n * m:].reshape(cap - m, n)[:] = np.arange(n, dtype=np.uint32)
                    self._row_ids = row_ids
                gather_columns(self.X, new,
                               self._storage[n * m:end].reshape((n, new.size), order="F"))
                self.pos[new] = np.arange(m, m + new.size)
                self.cols = np.concatenate([self.cols, new])
                self._refresh()
        return self.pos[ws]

    def scaled_columns(self, ws, loc):
        """The working-set columns ``x_j / s_j`` (n, |ws|): dense, or sparse CSC when X is
        sparse and a dense copy would exceed ``EXPLICIT_DENSE_ELEMENTS``."""
        if not self.sparse:
            block = self.block
            if not (loc.size == block.shape[1] and np.array_equal(loc, np.arange(loc.size))):
                block = block[:, loc]
            return block / self.scale[loc]
        if self.X.shape[0] * ws.size <= EXPLICIT_DENSE_ELEMENTS:
            return self.X[:, ws].toarray() / self.scale[loc]
        # a tall working set of a sparse X stays sparse (no n × |ws| dense copy)
        return (self.X[:, ws] @ sp.diags(1.0 / self.scale[loc])).tocsc()

    def density(self, ws):
        """The share of non-zero entries in the columns ``ws`` (1 for dense X)."""
        if not self.sparse:
            return 1.0
        indptr = self.X.indptr
        return float(np.sum(indptr[ws + 1] - indptr[ws])) / (self.X.shape[0] * max(ws.size, 1))

    def xt_full(self, v):
        """``X̃ᵀv`` over all global columns (raw columns / scale; no centring)."""
        if self.sparse:
            out = np.empty(self.X.shape[1])
            csc_xt_weighted(self.data, self.indices, self.indptr, np.ones_like(v), v,
                            0.0, self.scale_global, out)
            return out
        return matvec_t(self.X, v) / self.scale_global


def polish_unpenalized(y, w, offset_eta, loss, fit_intercept, XZ):
    """Newton steps on the unpenalized block (intercept and columns ``XZ``).

    Given the rest of the linear predictor ``offset_eta``, returns
    ``(step, eta, newton_steps, fitted)``: the step ``(δb, δβ_Z)`` and the new η
    after making the gradient of the loss with respect to the block vanish to
    rounding, the number of Newton steps taken, and whether the gradient did
    vanish (``POLISH_STEPS`` steps may not suffice when the block has no finite
    optimum). The dual point ``w⊙(y − μ)`` is then orthogonal to the intercept
    and to every unpenalized column, the constraints the certificate needs.

    "Vanish" is relative to the gradient's own terms, ``Σ_i w_i m_i`` with
    ``m = loss.gradient_magnitude``: on (nearly) separable classes every term is tiny,
    and a fixed scale (Σ w(|y| + 1), as before) left an intercept gradient 1e-3 of the
    terms, a dual point off its constraint and a negative gap (−1.6e-6). The steps use
    the true curvature (POLISH_CURVATURE_FLOOR: every sample's can be below 1e-12 there),
    one that would raise the gradient is halved, and one below η's rounding ends them.
    """
    n = y.shape[0]
    if XZ.shape[1] == 0:
        if not fit_intercept:
            return np.zeros(0), offset_eta.copy(), 0, True
        return _polish_intercept_only(y, w, offset_eta, loss)
    cols = [np.ones(n)] if fit_intercept else []
    A = np.column_stack(cols + [XZ[:, a] for a in range(XZ.shape[1])]) if \
        (cols or XZ.shape[1]) else np.empty((n, 0))
    step = np.zeros(A.shape[1])
    eta = offset_eta.copy()
    if A.shape[1] == 0:
        return step, eta, 0, True
    def measure(eta):
        d1, d2, _ = loss.derivatives(y, eta, floor=POLISH_CURVATURE_FLOOR)
        grad = A.T @ (w * d1)
        scale = dot(w, loss.gradient_magnitude(y, d1))
        return d1, d2, grad, float(np.max(np.abs(grad)) - POLISH_TARGET * scale), scale

    d1, d2, grad, excess, scale = measure(eta)
    for it in range(POLISH_STEPS):
        if excess <= 0.0:
            return step, eta, it, True
        H = A.T @ (A * (w * d2)[:, None])
        H[np.diag_indices_from(H)] += 1e-12 * np.trace(H) / H.shape[0]
        delta = -np.linalg.solve(H, grad)
        if not np.any(A @ delta + eta != eta):
            break                 # below η's rounding: no step can do better
        size = float(np.max(np.abs(grad)))
        for _ in range(POLISH_HALVINGS):
            new = measure(eta + A @ delta)
            if float(np.max(np.abs(new[2]))) <= size:
                break
            delta *= 0.5
        step += delta
        eta = eta + A @ delta
        d1, d2, grad, excess, scale = new
    fitted = bool(np.all(np.abs(grad) <= POLISH_FITTED * scale))
    return step, eta, it + 1, fitted


def _polish_intercept_only(y, w, offset_eta, loss):
    """``polish_unpenalized`` for the intercept alone: scalar Newton steps."""
    step = 0.0
    eta = offset_eta

    def measure(eta):
        d1, d2, _ = loss.derivatives(y, eta, floor=POLISH_CURVATURE_FLOOR)
        return d1, d2, dot(w, d1), dot(w, loss.gradient_magnitude(y, d1))

    d1, d2, grad, scale = measure(eta)
    for it in range(POLISH_STEPS):
        if abs(grad) <= POLISH_TARGET * scale:
            return np.array([step]), eta.copy() if it == 0 else eta, it, True
        delta = -grad / (dot(w, d2) * (1.0 + 1e-12))
        if not np.any(eta + delta != eta):
            break                 # below η's rounding: no step can do better
        for _ in range(POLISH_HALVINGS):
            new = measure(eta + delta)
            if abs(new[2]) <= abs(grad):
                break
            delta *= 0.5
        step += delta
        eta = eta + delta
        d1, d2, grad, scale = new
    fitted = abs(grad) <= POLISH_FITTED * scale
    return np.array([step]), eta, it + 1, bool(fitted)


def unpenalized_columns(cols, Z, n):
    """The columns ``x_j / s_j`` of the unpenalized features, (n, |Z|) dense."""
    loc = cols.ensure(Z)
    XZ = np.zeros((n, Z.size), order="F")
    unit = np.zeros(cols.scale.shape[0])
    for a in range(Z.size):
        unit[loc[a]] = 1.0
        csc_matvec_cols(cols.data, cols.indices, cols.indptr, loc[a:a + 1], unit,
                        cols.scale, XZ[:, a])
        unit[loc[a]] = 0.0
    return XZ


class GLMState:
    """Coefficients (scaled, global index), intercept and η for one response.

    ``Z``: the unpenalized features, re-fitted exactly with the intercept
    after every Newton step (``polish_intercept``).
    """

    def __init__(self, cols, y, w, offset, loss, fit_intercept, b0, Z=None):
        self.cols, self.y, self.w, self.offset, self.loss = cols, y, w, offset, loss
        self.has_offset = bool(np.any(offset != 0))
        self._loss_at = None
        self.fit_intercept = fit_intercept
        p = cols.X.shape[1]
        self.beta = np.zeros(p)          # scaled coefficients, global index
        self.b = b0
        self.eta = offset + b0
        self.set_unpenalized(np.empty(0, dtype=np.int64) if Z is None else Z)
        self.sat = float(w @ loss.saturated(y))   # Σ w ℓ(y, η_saturated)
        self.fitted = True               # the unpenalized block meets its dual constraints
        self.model_epochs = 0            # epochs of the last CD model solve (_newton_step)
        self.kernel_cache = None         # (ws, l2 direction, A, A diag(1/dir) Aᵀ): _kernel_model

    def loss_value(self):
        """``Σ w ℓ(y, η)`` at the current η, remembered for that η (a path's next alpha
        starts where the last one ended; η is replaced, never changed in place)."""
        if self._loss_at is not self.eta:
            self._loss = self.loss.value(self.y, self.eta, self.w)
            self._loss_at = self.eta
        return self._loss

    def set_unpenalized(self, Z):
        self.Z = Z
        self.XZ = unpenalized_columns(self.cols, Z, self.y.shape[0])

    def polish_intercept(self, positive=False):
        """Exact intercept (and unpenalized coefficients) for the current β; returns the
        Newton steps taken.

        Under ``positive`` only the unpenalized coefficients already > 0 are
        re-fitted, and not at all if that would make one negative.
        """
        sel = np.arange(self.Z.size)
        if positive:
            sel = np.flatnonzero(self.beta[self.Z] > 0)
        step, eta, steps, fitted = polish_unpenalized(self.y, self.w, self.eta, self.loss,
                                                      self.fit_intercept, self.XZ[:, sel])
        tail = step[1:] if self.fit_intercept else step
        if positive and np.any(self.beta[self.Z[sel]] + tail < 0):
            sel = sel[:0]
            step, eta, more, _ = polish_unpenalized(self.y, self.w, self.eta, self.loss,
                                                    self.fit_intercept, self.XZ[:, sel])
            steps += more
            fitted = False       # the positive coefficients were not re-fitted
        self.eta = eta
        self.fitted = fitted
        if self.fit_intercept:
            self.b += step[0]
        if sel.size:
            self.beta[self.Z[sel]] += tail
        return steps


def _gap(state, g, beta, l1, l2, positive, d1):
    """(primal, dual, loss) from gradient correlations g = X̃ᵀ(w⊙(y − μ)) on some
    features and ``d1 = μ − y``; loss: the loss part of the primal."""
    loss_value = state.loss_value()
    primal = loss_value + penalty_value(beta, l1, l2)
    if not state.fitted:
        # The intercept and unpenalized features were not re-fitted: θ misses their
        # constraints (Σθ = 0, x̃_jᵀθ = 0) and bounds nothing.
        return primal, -np.inf, loss_value
    # The re-fitted unpenalized features meet x̃_jᵀθ = 0 to rounding, as the
    # intercept does (polish_intercept); their rounding residue is not a
    # violation of the dual constraint.
    fitted = fitted_features(beta, l1, l2, positive)
    if fitted.size:
        g = g.copy()
        g[fitted] = 0.0
    t_feasible, t_all = dual_scalings(g, l1, l2, positive)
    # With an offset o the loss is u ↦ Σ w ℓ(y, o + u); its conjugate gains
    # −⟨θ, o⟩, i.e. the dual gains −t·Σ w (y − μ) o.
    offset_term = -dot(state.w, d1 * state.offset) if state.has_offset else 0.0
    dual = -np.inf
    # The two scalings coincide without a ridge part (pure L1): one dual evaluation.
    for t in ((t_feasible,) if t_all == t_feasible else (t_feasible, t_all)):
        d = state.loss.dual_loss(state.y, d1, t, state.w) - t * offset_term \
            - penalty_conjugate(t, g, l1, l2, positive)
        dual = max(dual, d)
    return primal, dual, loss_value


def fitted_features(beta, l1, l2, positive):
    """Indices of the unpenalized features the exact re-fit covers (``_gap``)."""
    free = (l1 == 0) & (l2 == 0)
    if positive:
        free &= beta > 0
    return np.flatnonzero(free)


def _newton_step(state, ws, l1, l2, positive, d1, d2, loss_value, tol_rel, max_epochs,
                 explicit=False, kernel=False):
    """One proximal Newton step on the working set from the current η.

    ``d1, d2``: the loss derivatives at the current η; ``loss_value``: the loss
    there. The quadratic model is solved until its own relative gap is ≤ ``tol_rel``
    (at most ``max_epochs`` epochs): by coordinate descent on the working-set columns
    (``_cd_model``), with ``explicit`` on its Hessian formed explicitly
    (``_explicit_model``), or with ``kernel`` exactly through the (n, n) kernel
    (``_kernel_model``: ridge, |ws| > n). A backtracking line search on the true
    objective takes the step, and the intercept and unpenalized features are re-fitted.
    Returns ``(epochs, moved)``; ``moved`` is False when the line search found no
    decrease beyond the rounding of the objective (the rounding level; a step within it
    is still taken).
    """
    cols, loss, y, w = state.cols, state.loss, state.y, state.w
    loc = cols.ensure(ws)
    beta_old = state.beta[ws]
    if kernel:
        beta_new, b_new, d_eta, epochs = _kernel_model(state, ws, loc, l2[ws], d1)
    elif explicit:
        beta_new, b_new, d_eta, epochs = _explicit_model(state, ws, loc, l1[ws], l2[ws],
                                                         positive, d1, tol_rel, loss_value,
                                                         max_epochs)
    else:
        beta_new, b_new, d_eta, epochs = _cd_model(state, ws, loc, l1, l2, positive, d1, d2,
                                                   tol_rel, max_epochs)
    # Line search along the Newton direction on the true objective.
    step = beta_new - beta_old
    pen_old = penalty_value(beta_old, l1[ws], l2[ws])
    f_old = loss_value + pen_old
    decrease = dot(w * d1, d_eta) + penalty_value(beta_new, l1[ws], l2[ws]) - pen_old
    # Near the optimum the decrease falls below the rounding of the objective's sum;
    # there the test cannot tell steps apart, and the Newton step is taken as is.
    slack = ROUNDING_SLACK * abs(f_old)
    t = 1.0
    eta0, b0 = state.eta, state.b
    while True:
        eta_t = np.clip(eta0 + t * d_eta, -ETA_LIMIT, ETA_LIMIT)
        cand = beta_old + t * step
        f_t = loss.value(y, eta_t, w) + penalty_value(cand, l1[ws], l2[ws])
        if f_t <= f_old + ARMIJO * t * min(decrease, 0.0) + slack or t < 1e-10:
            break
        t *= 0.5
    if t < 1e-10:
        return epochs, False            # no progress possible: rounding level
    state.beta[ws] = beta_old + t * step
    state.eta = eta_t
    state.b = b0 + t * (b_new - b0)
    state.polish_intercept(positive)
    # A step taken within the slack made no measurable progress: the caller counts it as
    # the rounding level (else, where |f| dwarfs the objective above its floor, as for
    # Poisson counts of 1e6, every step passes and an uncertifiable tol runs to max_iter).
    return epochs, bool(f_t < f_old - slack)


def _cd_model(state, ws, loc, l1, l2, positive, d1, d2, tol_rel, max_epochs):
    """The Newton model as a weighted least-squares problem (weights ``h = w·d2``, working
    response ``z = η − offset − d1/d2``), solved by ``csc_cd`` on the working-set
    columns. Returns ``(β_ws, b, d_eta, epochs)``: the model's minimiser (scaled
    coefficients on ws, intercept) and the change of η it makes."""
    cols, y, w = state.cols, state.y, state.w
    m = cols.scale.shape[0]
    # block-indexed views of the problem
    beta_b = np.zeros(m)
    beta_b[loc] = state.beta[ws]
    l1_b = np.zeros(m)
    l2_b = np.zeros(m)
    l1_b[loc] = l1[ws]
    l2_b[loc] = l2[ws]
    n = y.shape[0]
    r_raw = np.empty(n)
    off_box = np.zeros(1)
    beta_dual = np.zeros(m)
    xb = np.empty(n)
    dense = not cols.sparse
    h = w * d2
    z = state.eta - state.offset - d1 / d2
    hsum = float(h.sum())
    zbar = dot(h, z) / hsum if state.fit_intercept else 0.0
    z_c = z - zbar
    # The working response's residual r_raw = z_c − Σ β_j x_j/s_j is built in the same
    # pass over the columns as their moments.
    r_raw[:] = z_c
    s1, s2 = csc_moments_cols(cols.data, cols.indices, cols.indptr, loc, h, dense, beta_b,
                              cols.scale, r_raw)
    mean_b = np.zeros(m)
    hess_b = np.zeros(m)
    if state.fit_intercept:
        mean_b[loc] = s1 / hsum
    sc = cols.scale[loc]
    hess_b[loc] = np.maximum(s2 - hsum * mean_b[loc] ** 2, 0.0) / (sc * sc)
    new_b = beta_b.copy()
    off_box[0] = dot(mean_b[loc], beta_b[loc] / sc)
    # The caller measured the gap above tol: no gap before the first epoch.
    epochs, _, _ = csc_cd(cols.data, cols.indices, cols.indptr, h, z_c, mean_b, cols.scale,
                          hess_b, new_b, r_raw, off_box, loc, l1_b, l2_b, positive,
                          max(max_epochs, 1), tol_rel, ANDERSON_K, SPARSE_GAP_EVERY,
                          beta_dual, False, dense, None, None, False)
    b_new = zbar - dot(mean_b[loc], new_b[loc] / sc) if state.fit_intercept else 0.0
    step = new_b - beta_b
    csc_matvec_cols(cols.data, cols.indices, cols.indptr, loc, step, cols.scale, xb, dense)
    return new_b[loc], b_new, xb + (b_new - state.b), epochs


def _explicit_model(state, ws, loc, l1, l2, positive, d1, tol_rel, loss_value, max_epochs):
    """The Newton model with its (|ws|, |ws|) Hessian ``X̃ᵀ diag(w·ℓ'') X̃`` formed
    explicitly, with the loss's true curvature (floored at EXPLICIT_CURVATURE_FLOOR
    only): ``_cd_model``'s result for an ill-conditioned model, where CD on the columns
    needs hundreds of epochs. The intercept is eliminated exactly (Schur complement).
    No L1 part (ridge): one Cholesky solve; else CD on the Hessian until its largest
    ``h·Δ²`` is below ``0.01·tol_rel`` of the objective per coordinate.
    ``l1, l2`` are on ws. Returns what ``_cd_model`` does."""
    cols, w = state.cols, state.w
    _, d2, _ = state.loss.derivatives(state.y, state.eta, floor=EXPLICIT_CURVATURE_FLOOR)
    Xs = cols.scaled_columns(ws, loc)
    h = w * d2
    wd1 = w * d1
    if sp.issparse(Xs):
        H = np.asarray((Xs.T @ Xs.multiply(h[:, None]).tocsc()).toarray())
    else:
        H = Xs.T @ (Xs * h[:, None])
    g = np.asarray(Xs.T @ wd1).ravel()
    if state.fit_intercept:
        hsum = float(h.sum())
        hx = np.asarray(Xs.T @ h).ravel()
        g0 = float(wd1.sum())
        H -= np.outer(hx, hx) / hsum
        g -= hx * (g0 / hsum)
    beta_old = state.beta[ws]
    lin = H @ beta_old - g
    if not positive and not np.any(l1 > 0):
        A = H + np.diag(l2)
        # A rounding-level proximal term keeps a collinear block solvable without moving
        # the model's minimiser (as a ridge it did: 2.4e-6 above the optimum on raw-scale
        # breast_cancer at C=1e6, whose large columns set the trace).
        eps = 1e-12 * max(np.trace(A), 1e-300) / A.shape[0]
        A[np.diag_indices_from(A)] += eps
        beta = np.linalg.solve(A, lin + eps * beta_old)
        epochs = 0
    else:
        beta = beta_old.copy()
        # tol_rel is relative to the objective above its floor (Poisson: P − P_sat)
        above = loss_value + penalty_value(beta_old, l1, l2) - state.sat
        threshold = 0.01 * tol_rel * max(above, 0.0) / ws.size
        epochs = quadratic_cd(H, lin, beta, l1, l2, positive,
                              max(min(max_epochs, EXPLICIT_MAX_EPOCHS), 1), threshold, 0.01,
                              ANDERSON_K)
    step = beta - beta_old
    d_eta = np.asarray(Xs @ step).ravel()
    b_new = state.b
    if state.fit_intercept:
        db = -(g0 + hx @ step) / hsum
        b_new = state.b + db
        d_eta = d_eta + db
    # The cost in epochs over the columns (n·|ws| each): forming H is one, and a CD
    # epoch on it costs |ws|² (Path.n_iter).
    return beta, b_new, d_eta, 1 + int(np.ceil(epochs * ws.size / state.y.shape[0]))


def _kernel_model(state, ws, loc, l2, d1):
    """The ridge Newton model (no L1 part, every ``l2_j > 0``) on a wide working set
    (|ws| > n), solved exactly through its (n, n) kernel: the Woodbury identity

        (L + A_cᵀ S² A_c)⁻¹ = L⁻¹ − L⁻¹A_cᵀ S (I + S A_c L⁻¹ A_cᵀ S)⁻¹ S A_c L⁻¹

    with A the scaled working-set columns, ``A_c = (I − 1hᵀ/Σh) A`` their centring
    by the curvatures ``h = w·ℓ''`` (the intercept, eliminated exactly), ``S² = diag(h)``
    and ``L = diag(l2)``. The model's minimiser is ``(L + A_cᵀS²A_c)⁻¹ r`` with
    ``r = A_cᵀ(h⊙A_cβ − w⊙ℓ')``. ``A L⁻¹ Aᵀ`` (n²|ws| flops) is kept while ws and the
    direction of l2 stay (a ridge path: the whole path), so a step costs three products
    with A and one (n, n) Cholesky factorisation, O(n|ws| + n³), against the
    ill-conditioned CD model's thousands of epochs (PoissonRegressor(alpha=0.1) on
    100 × 5000: 18243 epochs, 49 s). Returns what ``_cd_model`` does; its epochs count
    the flops in passes over A (n|ws| each).
    """
    cols, w, n = state.cols, state.w, state.y.shape[0]
    _, d2, _ = state.loss.derivatives(state.y, state.eta, floor=EXPLICIT_CURVATURE_FLOOR)
    c = float(l2.max())
    direction = l2 / c
    cache = state.kernel_cache
    flops = 0
    if cache is None or not (np.array_equal(cache[0], ws)
                             and np.array_equal(cache[1], direction)):
        A = cols.scaled_columns(ws, loc)
        if sp.issparse(A):
            K_dir = np.asarray((A @ sp.diags(1.0 / direction) @ A.T).toarray())
        else:
            K_dir = (A / direction) @ A.T
        cache = state.kernel_cache = (ws.copy(), direction, A, K_dir)
        flops += n * n * ws.size
    A, K = cache[2], cache[3] / c
    h = w * d2
    wd1 = w * d1
    beta = state.beta[ws]
    # ws holds every non-zero coefficient, so Aβ = η − offset − b (unless η was clipped)
    if np.max(np.abs(state.eta)) < ETA_LIMIT:
        a_beta = state.eta - state.offset - state.b
    else:
        a_beta = np.asarray(A @ beta).ravel()
        flops += n * ws.size
    if state.fit_intercept:
        hs = float(h.sum())

        def centre(v):             # C v = v − 1·(hᵀv)/Σh
            return v - dot(h, v) / hs

        def centre_t(At_v, v):     # A_cᵀv = Aᵀv − (Aᵀh)(1ᵀv)/Σh
            return At_v - hx * (v.sum() / hs)

        def centre_rows(v):        # Cᵀv = v − h(1ᵀv)/Σh
            return v - h * (v.sum() / hs)

        e = h * centre(a_beta) - wd1
        both = np.asarray(A.T @ np.column_stack([e, h]))
        hx = both[:, 1]
        r = centre_t(both[:, 0], e)
        Kh = K @ h
        hKh = dot(h, Kh)
        K_c = K - (Kh[:, None] + Kh[None, :]) / hs + hKh / (hs * hs)
    else:
        def centre(v):
            return v

        def centre_t(At_v, v):
            return At_v

        def centre_rows(v):
            return v

        r = np.asarray(A.T @ (h * a_beta - wd1)).ravel()
        K_c = K
    sq = np.sqrt(h)
    u = r / l2
    a_u = np.asarray(A @ u).ravel()
    v = sq * centre(a_u)
    M = K_c * sq[:, None] * sq[None, :]
    M[np.diag_indices_from(M)] += 1.0
    # M = I + S K_c S is SPD with eigenvalues ≥ 1
    z = cho_solve(cho_factor(M, check_finite=False), v, check_finite=False)
    t = sq * z
    beta_new = u - centre_t(np.asarray(A.T @ t).ravel(), t) / l2
    # A β_new = A u − A L⁻¹ A_cᵀ t = A u − K Cᵀt: no product with A
    d_eta = a_u - K @ centre_rows(t) - a_beta
    b_new = state.b
    if state.fit_intercept:
        db = -(dot(w, d1) + dot(h, d_eta)) / hs
        b_new = state.b + db
        d_eta = d_eta + db
    flops += 3 * n * ws.size + n * n * n // 3 + 6 * n * n
    return beta_new, b_new, d_eta, int(np.ceil(flops / (n * ws.size)))


ETA_LIMIT = 500.0
# Warm-up steps (ratio between consecutive alphas) towards a grid that starts
# far below alpha_max.
WARMUP_RATIO = 0.6
# glmnet's rule ends a path once the fit explains this share of the null deviance.
DEVIANCE_EXPLAINED_STOP = 0.999
# A one-alpha fit whose warm-up path meets glmnet's rule on (nearly) separable classes
# goes straight to its alpha with at most this many epochs there: the solution exists for
# alpha > 0, but its coefficients grow like log(1/alpha) and the Newton model (its
# curvature floored, losses.HESSIAN_FLOOR) closes in on them ever more slowly. Two blobs
# n = 200, p = 5 (LogisticRegression): C = 1e3 certified in 378 epochs from the rule's
# alpha (C ≈ 2); before this budget C = 1e4 was not certified in 1e5 epochs (4 s), nor
# C = 1e8 (20-45 s, relative gap 1e3).
SEPARABLE_MAX_EPOCHS = 500


def warmup_alphas(alpha_max, first, ratio=WARMUP_RATIO):
    """Log-spaced alphas from alpha_max down to (not including) ``first``, consecutive
    ones at most ``ratio`` apart."""
    if not alpha_max > first / ratio:
        return np.empty(0)
    steps = int(np.ceil(np.log(first / alpha_max) / np.log(ratio)))
    return alpha_max * (first / alpha_max) ** (np.arange(steps) / steps)


def early_stop(loss_name, deviance, null_deviance, eta, alpha):
    """glmnet's rule for ending a path at ``alpha`` (None: the unpenalized fit):
    ``(reason, diverges)``, reason None to go on.

    The path ends once the fit explains more than 99.9% of the null deviance, or when η
    runs off towards ±ETA_LIMIT. ``diverges``: the coefficients then grow without bound
    as alpha → 0 (separable classes, η at its limit); a Poisson fit that explains the
    counts almost exactly keeps finite ones.
    """
    at = "" if alpha is None else f" at alpha={alpha:.6g}"
    if null_deviance > 0 and deviance < (1.0 - DEVIANCE_EXPLAINED_STOP) * null_deviance:
        classes = loss_name != "poisson"
        return (f"deviance explained exceeds {DEVIANCE_EXPLAINED_STOP}{at}: "
                + ("the classes are (nearly) separable" if classes else
                   "the model fits the counts almost exactly") + " (glmnet's rule)"), classes
    if np.max(np.abs(eta)) >= ETA_LIMIT * 0.999:
        return f"coefficients diverge{at} (separable data)", True
    return None, False


def run_path(alphas, warmups, solve, snapshot, rule, tol, max_iter, penalized):
    """The loop over alphas shared by the GLM solvers, with glmnet's early stop.

    ``solve(alpha, tol, max_epochs) -> (rel_gap, primal, epochs)`` solves at ``alpha``
    from the current state (warm start); ``snapshot() -> (coef, intercept, deviance)``
    copies the current fit; ``rule(deviance, alpha)`` is :func:`early_stop` at it.
    ``warmups``: alphas solved first and not reported (a one-alpha fit's path from
    alpha_max). ``penalized``: some feature carries a penalty (else the fit is the
    unpenalized one, whatever alpha).

    A path ends at an alpha where the rule fires (``stopped``). A one-alpha fit cannot:
    once its warm-up path meets the rule with diverging coefficients, the rest of the
    warm-up is skipped and the alpha gets at most ``SEPARABLE_MAX_EPOCHS`` epochs. An
    unpenalized fit is the null fit (the exact Newton fit of every feature): when that
    meets the rule with diverging coefficients, no epochs follow. ``separable`` (a
    reason, else None): the last fit met the rule with diverging coefficients and is
    not certified (its gap above ``tol``), or is unpenalized (then it may have no finite
    optimum: on separable classes its coefficients are where it stopped).
    """
    separable = None
    if not penalized:
        reason, diverges = rule(snapshot()[2], None)
        separable = reason if diverges else None
    for alpha in warmups:
        solve(alpha, max(tol, 1e-6), max_iter)
        reason, diverges = rule(snapshot()[2], alpha)
        if diverges:
            separable = reason
            break
    budget = max_iter
    if separable is not None:
        budget = min(max_iter, SEPARABLE_MAX_EPOCHS) if penalized else 0
    rows = []
    stopped = None
    for i, alpha in enumerate(alphas):
        gap, primal, epochs = solve(alpha, tol, budget)
        coef, intercept, deviance = snapshot()
        rows.append((coef, intercept, gap, epochs, primal, deviance))
        reason, diverges = rule(deviance, alpha if penalized else None)
        if reason is not None and i + 1 < len(alphas):
            stopped = reason
            break
        if diverges and separable is None:
            separable = reason
    if penalized and gap <= tol:
        separable = None                      # a certified solution, however large
    coef, intercept, gap, n_iter, primal, deviance = (np.array(c) for c in zip(*rows))
    return {"coef": coef, "intercept": intercept, "gap": gap,
            "n_iter": n_iter.astype(np.int64), "primal": primal, "deviance": deviance,
            "alphas": alphas[:len(rows)], "stopped": stopped, "separable": separable,
            "penalized": penalized}


def _kernel_ridge(l1_ratio, penalty_factor, usable, positive, cols):
    """Whether every Newton model of this fit is a ridge one on more features than samples,
    solved exactly through its kernel (``_kernel_model``, the same test as ``solve``'s)."""
    ws = np.flatnonzero(usable)
    l2 = (1.0 - l1_ratio) * penalty_factor[ws]
    return _kernel_applies(ws, l1_ratio * penalty_factor[ws], l2, positive, cols)


def _kernel_applies(ws, l1_ws, l2_ws, positive, cols):
    """Whether the Newton model on ``ws`` is solved through its kernel: a ridge (no L1 part,
    every ridge weight > 0) on more features than n ≤ KERNEL_MAX_ROWS samples, on columns
    at least KERNEL_MIN_DENSITY non-zero."""
    n = cols.X.shape[0]
    return bool(n < ws.size and n <= KERNEL_MAX_ROWS and not positive
                and not np.any(l1_ws > 0) and np.all(l2_ws > 0)
                and cols.density(ws) >= KERNEL_MIN_DENSITY)


def glm_path(X, y, w, offset, loss, alphas, l1_ratio, penalty_factor, positive,
             fit_intercept, scale, usable, tol, max_iter, alpha_max_from_null):
    """Solve a penalized GLM path; see the module docstring.

    Returns a dict with ``coef`` (k, p) scaled coefficients, ``intercept`` (k,),
    ``gap``, ``n_iter``, ``primal`` (sum scale), ``deviance`` (k,), the null
    deviance (intercept-only fit), the grid actually solved (``alphas``), ``stopped``
    (a reason string when the path ended early, else None) and ``separable`` (see
    :func:`run_path`).
    """
    n, p = X.shape
    cols = _Columns(X, scale)
    v = penalty_factor
    sat = float(w @ loss.saturated(y))
    # Null fit: the intercept only (the null deviance), then the unpenalized features.
    b0 = loss.null_intercept(y, w) if fit_intercept else 0.0
    unpen = np.flatnonzero((v == 0) & usable)
    state = GLMState(cols, y, w, offset, loss, fit_intercept, b0 if np.isfinite(b0) else 0.0)
    state.polish_intercept(positive)
    null_dev = 2.0 * (loss.value(y, state.eta, w) - sat)
    null_steps = 0
    if unpen.size:
        state.set_unpenalized(unpen)
        null_steps = state.polish_intercept(positive)
    d1, _, _ = loss.derivatives(y, state.eta)
    g_prev = cols.xt_full(-(w * d1))
    penalized = bool(np.any((v > 0) & usable))
    warmups = np.empty(0)
    if alphas is None:
        alphas = alpha_max_from_null(g_prev)
    elif alphas.shape[0] == 1 and penalized and not _kernel_ridge(l1_ratio, v, usable,
                                                                  positive, cols):
        # A grid starting far below alpha_max (an estimator's single alpha) is
        # reached along a short unreported path: warm starts make it cheap (a wide
        # ridge fit's exact kernel models need none).
        warmups = warmup_alphas(alpha_max_from_null(g_prev)[0], alphas[0])
    ever = unpen.copy()
    l1_prev = None

    def solve(alpha, tol_a, max_epochs):
        nonlocal g_prev, l1_prev, ever
        l1 = n * alpha * l1_ratio * v
        l2 = n * alpha * (1.0 - l1_ratio) * v
        score = g_prev if positive else np.abs(g_prev)
        threshold = 2.0 * l1 - (l1_prev if l1_prev is not None else l1)
        in_ws = (score >= threshold) & usable
        in_ws[ever] = True
        ws = np.flatnonzero(in_ws)           # sorted, as np.union1d gave (no sort, no hash)
        g = g_prev                      # X̃ᵀ(w⊙(y − μ)) at the current η
        d1, d2, _ = loss.derivatives(y, state.eta)
        # Inexact proximal Newton: each step solves its quadratic model to a relative
        # gap of at most cd_cap (and half the current gap), then the certificate is
        # taken on every feature. cd_cap tightens tenfold when steps stop making
        # progress; below 1e-15 the rounding level is reached.
        cd_cap = tol_a
        epochs = 0
        steps = 0
        stalled = False
        while True:
            primal, dual, loss_value = _gap(state, g, state.beta, l1, l2, positive, d1)
            above = primal - sat
            rel_gap = max(primal - dual, 0.0) / above if above > 0 else 0.0
            if rel_gap <= tol_a or epochs >= max_epochs:
                break
            sc = g if positive else np.abs(g)
            viol = (sc > l1 * (1.0 + 1e-12)) & usable
            viol[ws] = False
            new = np.flatnonzero(viol)
            if new.size:
                in_ws[new] = True
                ws = np.flatnonzero(in_ws)
            elif steps >= MAX_NEWTON:
                stalled = True
            if stalled:
                if cd_cap < 1e-15:
                    break
                cd_cap *= 0.1
                steps = 0
            budget = max_epochs - epochs
            if cd_cap < tol_a:
                # Chasing the rounding level: a model that cannot be solved this tightly
                # in float64 would otherwise spend the whole budget in one step.
                budget = min(budget, ROUNDING_CHASE_EPOCHS)
            kernel = _kernel_applies(ws, l1[ws], l2[ws], positive, cols)
            explicit = (not kernel and 0 < ws.size <= EXPLICIT_MAX_DIM
                        and EXPLICIT_COST_RATIO * state.model_epochs >= ws.size)
            e, moved = _newton_step(state, ws, l1, l2, positive, d1, d2, loss_value,
                                    min(cd_cap, 0.5 * rel_gap), budget, explicit, kernel)
            if not (explicit or kernel):
                state.model_epochs = e
            epochs += max(e, 1)
            steps += 1
            stalled = not moved
            d1, d2, _ = loss.derivatives(y, state.eta)
            g = cols.xt_full(-(w * d1))
        g_prev, l1_prev = g, l1
        was = np.zeros(p, dtype=bool)
        was[ever] = True
        ever = np.flatnonzero(was | (state.beta != 0))
        return rel_gap, primal, epochs

    def snapshot():
        return state.beta.copy(), state.b, 2.0 * (state.loss_value() - sat)

    def rule(deviance, alpha):
        return early_stop(loss.name, deviance, null_dev, state.eta, alpha)

    out = run_path(alphas, warmups, solve, snapshot, rule, tol, max_iter, penalized)
    out["n_iter"][0] += null_steps         # the exact Newton fit of the unpenalized block
    out["null_deviance"] = null_dev
    return out
